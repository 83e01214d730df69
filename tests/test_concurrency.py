"""Simultaneous saves: every editor's save succeeds, nothing is duplicated, on both databases."""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection

from agreements.models import Agreement, ReferenceCounter

THREADS = 20
SAVES_PER_THREAD = 4


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
