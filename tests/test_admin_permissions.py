"""A Viewer can change nothing through any admin URL, including the ones libraries add.

Every URL of every registered model's admin is enumerated from the admin itself,
so a view that a library adds later (as django-simple-history's revert form did)
is exercised without anyone remembering to list it. Each is posted a form that
really works, which the superuser tests prove: a refusal must come from the
permission check, not from a bad payload.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse

from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from documents.models import Document
from notifications.models import NotificationSettings, Reminder, Watch
from partners.models import Agency, Representative
from tests.admin_forms import form_data, without_inline_rows
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CooperationAreaFactory,
    DocumentFactory,
    DocumentLinkFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Which text field each record type's edit changes, to see whether a save went through.
CHANGED_FIELD = {
    Agreement: "title",
    Milestone: "title",
    Party: "role",
    Agency: "name",
    Representative: "full_name",
    CooperationArea: "name",
    DocumentLink: "title",
    Document: "title",
}
# Admin URLs that take no record: what a POST to them may do is checked separately.
SITE_URLS = {
    "index", "login", "logout", "password_change", "password_change_done", "jsi18n",
    "autocomplete", "view_on_site", "app_list",
}  # fmt: skip
# Tables a request may write to for reasons of its own (sessions, login throttling).
IGNORED_TABLES = {"sessions.session"}


def record_for(model):
    """A record that an Editor could change and delete, with inline rows where it has them."""
    if model is Agreement:
        agreement = AgreementFactory(visibility=Agreement.Visibility.INTERNAL)
        party = PartyFactory(agreement=agreement)
        MilestoneFactory(agreement=agreement, responsible_agency=party.agency)
        DocumentLinkFactory(agreement=agreement)
        DocumentFactory(agreement=agreement, visibility="internal")
        agreement.title = "Internal draft on data exchange"  # a second version to revert to
        agreement.save()
        return agreement
    factories = {
        Agency: AgencyFactory,
        Representative: RepresentativeFactory,
        CooperationArea: CooperationAreaFactory,
        Party: lambda: PartyFactory(signatory=None),
        Milestone: MilestoneFactory,
        DocumentLink: DocumentLinkFactory,
        Document: lambda: DocumentFactory(
            agreement=AgreementFactory(visibility="internal"), visibility="internal"
        ),
        get_user_model(): UserFactory,
        Group: lambda: Group.objects.create(name="Auditors"),
        Watch: lambda: Watch.objects.create(user=UserFactory(), agreement=AgreementFactory()),
        NotificationSettings: lambda: NotificationSettings.objects.create(user=UserFactory()),
        Reminder: lambda: Reminder.objects.create(
            user=UserFactory(), kind="due", milestone=MilestoneFactory(), threshold=7,
            subject_date=datetime.date(2026, 3, 1), sent_on=datetime.date(2026, 2, 24),
            message_id="<1@accords.example>",
        ),  # fmt: skip
    }
    if model in factories:
        return factories[model]()
    if model._meta.app_label == "axes":  # log-in attempts, lockouts and access logs
        extra = {
            "accessattempt": {"get_data": "", "post_data": "", "failures_since_start": 5},
            "accessfailurelog": {"locked_out": True},
        }.get(model._meta.model_name, {})
        return model._default_manager.create(
            user_agent="Firefox", ip_address="10.0.0.1", username="marta", http_accept="*/*",
            path_info="/accounts/login/", **extra,
        )  # fmt: skip
    return model._default_manager.order_by("pk").first()


def model_urls(model_admin):
    """The names of a model admin's URLs, from the admin itself (library views included)."""
    names = []
    for pattern in model_admin.get_urls():
        if isinstance(pattern, URLPattern) and pattern.name:
            names.append(pattern.name)
    return names


def url_and_payload(client, name, model, obj):
    """The URL and a working form for admin URL `name`, read as the superuser sees it."""
    suffix = name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
    if suffix == "changelist":
        url = reverse(f"admin:{name}")
        return url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    if suffix == "delete":
        return reverse(f"admin:{name}", args=[obj.pk]), {"post": "yes"}
    if suffix == "history":
        return reverse(f"admin:{name}", args=[obj.pk]), {}
    if suffix == "import_template":
        return reverse(f"admin:{name}", args=["csv"]), {}
    if suffix == "export":
        return reverse(f"admin:{name}"), {"format": "0", "resource": "0"}
    if suffix in ("import", "process_import"):
        return import_payload(client, name, suffix, model, obj)
    if suffix == "password_change":  # a user's password, set by someone else
        new = {"password1": ["Another horse battery 9"], "password2": ["Another horse battery 9"]}
        return reverse(f"admin:{name}", args=[obj.pk]), {**new, "usable_password": ["true"]}
    if suffix == "simple_history":
        first = obj.history.order_by("history_id").first()
        url = reverse(f"admin:{name}", args=[obj.pk, first.history_id])
        return url, changed(model, form_data(client.get(url).content.decode()))
    change_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                         args=[obj.pk])  # fmt: skip
    data = form_data(client.get(change_url).content.decode())
    if suffix == "change":
        return change_url, changed(model, data)
    if suffix == "add":
        return reverse(f"admin:{name}"), as_new_record(model, without_inline_rows(data))
    raise AssertionError(f"admin URL {name!r} is new: teach this test how to post to it")


def import_file(model, obj) -> SimpleUploadedFile:
    """A one-row CSV that adds a record of `model`."""
    rows = {
        Agency: lambda: (
            "slug,name,kind,country,original_language\nnew-agency,New Agency,other,KZ,en"
        ),
        Representative: lambda: f"agency,full_name\n{obj.agency.slug},New Person",
        Agreement: lambda: "reference,title,original_language\nAGR-2031-0001,New agreement,en",
        Milestone: lambda: f"agreement,title\n{obj.agreement.reference},New step",
    }
    return SimpleUploadedFile("import.csv", rows[model]().encode())


def import_payload(client, name, suffix, model, obj):
    """The upload (its preview writes nothing), or the confirmation of that upload's
    preview as the client sees it (which writes)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    upload = {"import_file": import_file(model, obj), "format": "0"}
    if suffix == "import":
        return url, upload
    page = client.post(url, upload).content.decode()
    fields = dict(
        re.findall(
            r'name="(import_file_name|original_file_name|format|resource)"\s+value="([^"]*)"',
            page,
        )
    )
    assert fields, "the superuser's preview offered no confirmation"
    return reverse(f"admin:{name}"), fields


def changed(model, data):
    field = CHANGED_FIELD.get(model)
    if field == "role":
        data["role"] = ["observer"]
    elif field:
        data[field] = [data[field][0] + " (changed)"]
    return data


def as_new_record(model, data):
    if model is Party:  # one row per agency per agreement: the new row needs another agency
        data.update(agency=[AgencyFactory().pk], signatory=[""])
    if model is Document:  # a new document comes with its file
        data["upload"] = SimpleUploadedFile("annex.pdf", b"%PDF-1.7\nan annex of its own\n")
    for field in model._meta.fields:
        if field.unique and not field.primary_key and field.name in data:
            data[field.name] = [""] if field.blank else [data[field.name][0] + "-copy"]
    return data


def snapshot():
    """Every row of every table a write could touch."""
    rows = {}
    for model in apps.get_models():
        if model._meta.label_lower in IGNORED_TABLES:
            continue
        rows[model._meta.label_lower] = list(model._default_manager.order_by("pk").values())
    return rows


def cases():
    return [
        pytest.param(model, name, id=name)
        for model, model_admin in admin.site._registry.items()
        for name in model_urls(model_admin)
    ]


def test_every_site_level_admin_url_is_known():
    names = {p.name for p in admin.site.get_urls() if isinstance(p, URLPattern) and p.name}
    assert names <= SITE_URLS, f"new admin URLs to cover in this file: {names - SITE_URLS}"


@pytest.mark.parametrize(("model", "name"), cases())
def test_a_viewer_changes_nothing_through_any_admin_url(client, superuser, viewer, model, name):
    obj = record_for(model)
    if obj is None:
        pytest.fail(f"no {model._meta.label} to try {name} on: add it to record_for()")
    client.force_login(superuser)
    url, payload = url_and_payload(client, name, model, obj)
    client.force_login(viewer)
    before = snapshot()

    response = client.post(url, payload)

    assert response.status_code in (200, 302, 403, 405), (url, response.status_code)
    assert snapshot() == before, f"a Viewer changed data through POST {url}"


@pytest.mark.parametrize("name", sorted(SITE_URLS - {"login", "logout", "password_change"}))
def test_a_viewer_changes_nothing_through_site_level_admin_urls(client, viewer, name):
    url = {"view_on_site": "/en/admin/r/1/1/", "app_list": "/en/admin/agreements/"}.get(name)
    client.force_login(viewer)
    before = snapshot()
    client.post(url or reverse(f"admin:{name}"), {"name": "x", "visibility": "public"})
    assert snapshot() == before


OUR_MODELS = list(CHANGED_FIELD)


@pytest.mark.parametrize(
    ("model", "name"),
    [
        case
        for case in cases()
        # The history list only shows; its version form (simple_history) saves.
        if case.values[0] in OUR_MODELS
        and (not case.values[1].endswith("_history") or case.values[1].endswith("simple_history"))
        # An upload's preview, a template and an export only read.
        and not case.values[1].endswith(("_import", "_import_template", "_export"))
    ],
)
def test_the_same_post_by_a_superuser_does_change_data(client, superuser, model, name):
    """Proves each payload above is a working form, so the Viewer's refusal means something."""
    obj = record_for(model)
    client.force_login(superuser)
    url, payload = url_and_payload(client, name, model, obj)
    before = snapshot()

    response = client.post(url, payload)

    assert response.status_code == 302, (url, response.content.decode()[-3000:])
    assert snapshot() != before


def test_a_viewer_cannot_publish_an_internal_agreement_through_the_history_form(
    client, superuser, viewer
):
    agreement = record_for(Agreement)
    first = agreement.history.order_by("history_id").first()
    url = reverse("admin:agreements_agreement_simple_history", args=[agreement.pk, first.pk])
    client.force_login(superuser)
    payload = form_data(client.get(url).content.decode())
    payload["visibility"] = ["public"]
    client.force_login(viewer)

    response = client.post(url, payload)

    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.visibility == Agreement.Visibility.INTERNAL
    client.logout()
    assert client.get(agreement.get_absolute_url()).status_code == 404


def test_an_editor_can_still_revert_to_an_earlier_version(client, editor):
    agreement = record_for(Agreement)
    first = agreement.history.order_by("history_id").first()
    url = reverse("admin:agreements_agreement_simple_history", args=[agreement.pk, first.pk])
    client.force_login(editor)
    payload = form_data(client.get(url).content.decode())

    response = client.post(url, payload)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == first.title


def test_a_viewer_sees_an_earlier_version_as_text_not_as_inputs(client, viewer):
    agreement = record_for(Agreement)
    first = agreement.history.order_by("history_id").first()
    url = reverse("admin:agreements_agreement_simple_history", args=[agreement.pk, first.pk])
    client.force_login(viewer)

    page = client.get(url).content.decode()

    assert first.title in page
    assert 'name="title"' not in page
    assert 'name="visibility"' not in page
