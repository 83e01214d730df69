"""Simultaneous saves: every editor's save succeeds, nothing is duplicated, on both databases.

These tests commit for real (threads cannot share a test transaction), so the
database is emptied after each: they make the users and permissions they need
rather than rely on the groups a migration created.
"""

import datetime
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, ReferenceCounter
from tests.admin_forms import form_data
from tests.factories import AgreementFactory, UserFactory

THREADS = 20
SAVES_PER_THREAD = 4
EDITORS = 8  # on one record at once


def run_at_once(work, threads=THREADS):
    """Start `threads` threads on `work(i)` at the same instant; return their errors."""
    start = threading.Barrier(threads)
    errors = []

    def run(i):
        try:
            start.wait()
            work(i)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_new_agreements_all_get_unique_references_and_slugs():
    def create(i):
        for n in range(SAVES_PER_THREAD):
            # Half the titles are the same on purpose: their slugs must still differ.
            title = "Memorandum on GovTech" if n % 2 else f"Memorandum {i}-{n}"
            Agreement.objects.create(title=title, signed_on=datetime.date(2025, 10, 3))

    errors = run_at_once(create)

    assert errors == []
    references = list(Agreement.objects.values_list("reference", flat=True))
    slugs = list(Agreement.objects.values_list("slug", flat=True))
    assert len(references) == THREADS * SAVES_PER_THREAD
    assert len(set(references)) == len(references)
    assert len(set(slugs)) == len(slugs)
    # Numbering has no gaps: 0001 to 0080.
    expected = {f"AGR-2025-{n:04d}" for n in range(1, THREADS * SAVES_PER_THREAD + 1)}
    assert set(references) == expected
    assert ReferenceCounter.objects.get(year=2025).last_number == THREADS * SAVES_PER_THREAD


def add_form(client):
    return form_data(client.get(reverse("admin:agreements_agreement_add")).content.decode())


@pytest.mark.django_db(transaction=True)
def test_simultaneous_admin_add_forms_all_save():
    editor = UserFactory(username="editor", is_superuser=True)
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(editor)
        clients.append((client, add_form(client)))
    statuses = []

    def post(i):
        client, data = clients[i]
        data.update(title=["Memorandum on GovTech"], signed_on=["2025-10-03"])
        statuses.append(client.post(reverse("admin:agreements_agreement_add"), data).status_code)

    errors = run_at_once(post)

    assert errors == []
    assert statuses == [302] * THREADS
    assert Agreement.objects.count() == THREADS
    assert Agreement.objects.values("slug").distinct().count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_of_simultaneous_saves_from_one_version_exactly_one_goes_through():
    agreement = AgreementFactory(title="Memorandum")
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    clients = []
    for i in range(EDITORS):
        client = Client()
        client.force_login(UserFactory(username=f"editor{i}", is_superuser=True))
        clients.append((client, form_data(client.get(url).content.decode())))
    statuses = []

    def post(i):
        client, data = clients[i]
        data["title"] = [f"Memorandum, version {i}"]
        statuses.append(client.post(url, data).status_code)

    errors = run_at_once(post, threads=EDITORS)

    assert errors == []
    assert sorted(statuses) == [200] * (EDITORS - 1) + [302]
    assert agreement.history.count() == 2  # created, then the one save that went through


@pytest.mark.django_db(transaction=True)
def test_a_typed_reference_racing_an_automatic_one_is_a_form_error():
    """A blank reference takes AGR-2025-0001 while an editor types the same one."""
    editor = UserFactory(username="typist", is_superuser=True)
    client = Client()
    client.force_login(editor)
    data = add_form(client)
    data.update(title=["Memorandum typed"], reference=["AGR-2025-0001"], signed_on=["2025-10-03"])
    taken, statuses = threading.Event(), []

    def automatic(_i):
        with transaction.atomic():
            Agreement.objects.create(
                title="Memorandum numbered", signed_on=datetime.date(2025, 1, 1)
            )
            taken.set()
            time.sleep(1)  # still uncommitted while the typed one is checked and saved

    def typed(_i):
        taken.wait(10)
        statuses.append(
            client.post(reverse("admin:agreements_agreement_add"), data).status_code
        )

    errors = run_at_once(lambda i: (automatic, typed)[i](i), threads=2)

    assert errors == []
    assert statuses == [200]  # the form again, with "already exists", not a 500
    assert list(Agreement.objects.values_list("reference", flat=True)) == ["AGR-2025-0001"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_new_versions_of_one_document_are_numbered_without_gaps(media_root):
    from documents.models import Document
    from tests.factories import DocumentFactory, add_file

    document = DocumentFactory(file=b"%PDF-1.7\nfirst version\n")

    def upload(i):
        add_file(Document.objects.get(pk=document.pk), b"%PDF-1.7\nversion from " + str(i).encode())

    assert run_at_once(upload) == []
    numbers = sorted(document.versions.values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 2))
    document.refresh_from_db()
    assert document.current_version.number == THREADS + 1
    stored = [path for path in media_root.rglob("*") if path.is_file()]
    assert len(stored) == THREADS + 1
