import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from partners.models import Agency, Representative
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    DocumentLinkFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db


def make_rows(n):
    """n agreements, each with two parties, a milestone and a link; areas on every one."""
    areas = list(CooperationArea.objects.all())
    for i in range(n):
        agreement = AgreementFactory(signed_on=datetime.date(2020 + i % 5, 1 + i % 12, 1))
        agreement.areas.set(areas[: 1 + i % len(areas)])
        first = PartyFactory(agreement=agreement)
        PartyFactory(agreement=agreement)
        MilestoneFactory(agreement=agreement, area=areas[0], responsible_agency=first.agency)
        DocumentLinkFactory(agreement=agreement)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


MODELS = [Agency, Representative, CooperationArea, Agreement, Party, Milestone, DocumentLink]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_pages_have_a_query_budget_independent_of_rows(client, superuser, model):
    client.force_login(superuser)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")

    make_rows(3)
    few = count_queries(client, changelist)
    make_rows(27)
    many = count_queries(client, changelist)
    assert few == many, f"{opts.model_name} changelist: {few} queries for 3 rows, {many} for 30"
    # With a cold cache: cached list totals and area figures add their cache reads and writes.
    assert many <= 25

    assert count_queries(client, add) <= 15
    obj = model.objects.order_by("pk").last()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert count_queries(client, change) <= 30


def test_agreement_changelist_search_by_agency_acronym(client, superuser):
    client.force_login(superuser)
    party = PartyFactory(agency=AgencyFactory(acronym="NITEC"))
    AgreementFactory(title="Unrelated")
    response = client.get(reverse("admin:agreements_agreement_changelist"), {"q": "nitec"})
    assert list(response.context["cl"].result_list) == [party.agreement]


def test_milestone_changelist_overdue_filter(client, superuser):
    client.force_login(superuser)
    late = MilestoneFactory(due_date=datetime.date(2020, 1, 1))
    MilestoneFactory(due_date=datetime.date(2099, 1, 1))
    MilestoneFactory(due_date=datetime.date(2020, 1, 1), status="cancelled")
    response = client.get(reverse("admin:agreements_milestone_changelist"), {"overdue": "yes"})
    assert list(response.context["cl"].result_list) == [late]


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def agreement_form(**fields):
    data = {
        "reference": "",
        "title": "Letter of intent on digital identity",
        "slug": "",
        "kind": "letter_of_intent",
        "status": "signed",
        "visibility": "public",
        "signed_on": "2025-10-03",
        "legally_binding": "unknown",
        "summary": "",
        "original_language": "en",
        **inline_management("parties"),
        **inline_management("milestones"),
        **inline_management("files"),
        **inline_management("documents"),
    }
    data.update(fields)
    return data


def test_editor_adds_agreement_with_party_and_milestone_in_one_save(client, editor):
    client.force_login(editor)
    agency = AgencyFactory()
    response = client.post(
        reverse("admin:agreements_agreement_add"),
        agreement_form(
            **inline_management("parties", total=1),
            **{"parties-0-agency": agency.pk, "parties-0-role": "signatory"},
            **inline_management("milestones", total=1),
            **{
                "milestones-0-title": "Pilot of shared e-signature",
                "milestones-0-status": "scheduled",
                "milestones-0-responsible_agency": agency.pk,
            },
        ),
    )
    assert response.status_code == 302, response.context["errors"]
    agreement = Agreement.objects.get()
    assert agreement.reference == "AGR-2025-0001"
    assert agreement.created_by == editor
    assert agreement.milestones.get().responsible_agency == agency


def test_milestone_for_an_agency_that_is_not_a_party_is_refused(client, editor):
    client.force_login(editor)
    outsider = AgencyFactory()
    response = client.post(
        reverse("admin:agreements_agreement_add"),
        agreement_form(
            **inline_management("milestones", total=1),
            **{
                "milestones-0-title": "Pilot",
                "milestones-0-status": "scheduled",
                "milestones-0-responsible_agency": outsider.pk,
            },
        ),
    )
    assert response.status_code == 200
    assert "must be one of the agreement&#x27;s parties" in response.content.decode()
    assert not Agreement.objects.exists()


def test_invalid_dates_show_a_message_and_save_nothing(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:agreements_agreement_add"),
        agreement_form(entry_into_force="2026-01-01", expires_on="2025-01-01"),
    )
    assert response.status_code == 200
    assert "The expiry date cannot be before entry into force." in response.content.decode()
    assert not Agreement.objects.exists()


def test_viewer_can_view_but_not_change(client, viewer):
    client.force_login(viewer)
    agreement = AgreementFactory(title="Original title")
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, agreement_form(title="Changed"))
    assert response.status_code == 403
    assert Agreement.objects.get().title == "Original title"
    assert client.get(reverse("admin:agreements_agreement_add")).status_code == 403


def test_editor_cannot_delete_agencies_but_can_delete_agreements(client, editor):
    client.force_login(editor)
    agency = AgencyFactory()
    url = reverse("admin:partners_agency_delete", args=[agency.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Agency.objects.filter(pk=agency.pk).exists()
    agreement = AgreementFactory()
    url = reverse("admin:agreements_agreement_delete", args=[agreement.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Agreement.objects.exists()


def test_deleting_a_referenced_agency_is_refused_with_a_clear_message(client, superuser):
    client.force_login(superuser)
    party = PartyFactory()
    url = reverse("admin:partners_agency_delete", args=[party.agency.pk])
    response = client.post(url, {"post": "yes"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in content
    assert Agency.objects.filter(pk=party.agency.pk).exists()


def test_representative_contact_details_in_admin(client, viewer):
    client.force_login(viewer)
    RepresentativeFactory(email="a.sadykova@agency.example")
    response = client.get(reverse("admin:partners_representative_changelist"))
    assert "a.sadykova@agency.example" in response.content.decode()


def test_agreement_changelist_country_and_year_filters(client, superuser):
    client.force_login(superuser)
    spanish = PartyFactory(
        agreement=AgreementFactory(signed_on=datetime.date(2025, 10, 3)),
        agency=AgencyFactory(country="ES"),
    ).agreement
    PartyFactory(agreement=spanish, agency=AgencyFactory(country="ES"))  # two Spanish parties
    kazakh = PartyFactory(agreement=AgreementFactory(signed_on=datetime.date(2023, 1, 9))).agreement
    url = reverse("admin:agreements_agreement_changelist")
    assert list(client.get(url, {"country": "ES"}).context["cl"].result_list) == [spanish]
    assert list(client.get(url, {"signed_year": "2023"}).context["cl"].result_list) == [kazakh]
    changelist = client.get(url).context["cl"]
    (year_filter,) = [
        f for f in changelist.filter_specs if getattr(f, "parameter_name", "") == "signed_year"
    ]
    years = [choice["display"] for choice in year_filter.choices(changelist)]
    assert years[1:] == ["2025", "2024", "2023"]


@pytest.mark.parametrize("year", ["99999", "0", "0000", "10000", "9999", "²⁰²⁵", "2147483648"])
def test_a_signing_year_no_date_can_have_gives_a_page_not_an_error(client, superuser, year):
    AgreementFactory(signed_on=datetime.date(2025, 10, 3))
    client.force_login(superuser)
    url = reverse("admin:agreements_agreement_changelist")
    for params in [{"signed_year": year}, {"signed_on__year": year}]:
        response = client.get(url, params)
        assert response.status_code in (200, 302), params
        if response.status_code == 302:  # the admin's "?e=1": a list with a message
            assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize(
    ("field", "value"),
    [("areas", "abc"), ("related", "abc"), ("areas", "9" * 23), ("related", "-1")],
)
def test_a_value_that_cannot_name_a_record_is_a_form_error(client, superuser, field, value):
    client.force_login(superuser)
    data = {
        "title": "Memorandum", "kind": "mou", "status": "draft", "visibility": "public",
        "original_language": "en",
        field: value,
        **{f"{p}-{k}": "0" for p in ["parties", "milestones", "files", "documents"]
           for k in ["TOTAL_FORMS", "INITIAL_FORMS"]},
    }  # fmt: skip
    response = client.post(reverse("admin:agreements_agreement_add"), data)
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode() or (
        "Select a valid choice" in response.content.decode()
    )
    assert not Agreement.objects.exists()


def test_area_changelist_counts_each_agreement_and_milestone_once(client, superuser):
    area = CooperationArea.objects.get(slug="govtech")
    agreement = AgreementFactory(visibility="internal")
    agreement.areas.add(area)
    MilestoneFactory.create_batch(3, agreement=agreement, area=area)
    AgreementFactory().areas.add(area)
    client.force_login(superuser)
    response = client.get(reverse("admin:agreements_cooperationarea_changelist"))
    row = next(a for a in response.context["cl"].result_list if a.pk == area.pk)
    assert (row.agreement_count, row.milestone_count) == (2, 3)


def test_the_area_picker_does_not_count_anything(client, superuser):
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "agreements", "model_name": "milestone", "field_name": "area"},
        )
    assert "GovTech" in [r["text"] for r in response.json()["results"]]
    # Only the picker's own paging count: no agreement or milestone is counted.
    assert not any(
        '"agreements_milestone"' in q["sql"] or '"agreements_agreement_areas"' in q["sql"]
        for q in ctx.captured_queries
    )


def test_milestone_search_finds_by_title_and_by_agreement(client, superuser):
    by_title = MilestoneFactory(title="Joint GovTech workshop")
    by_agreement = MilestoneFactory(
        agreement=AgreementFactory(title="Workshop programme with Madrid"), title="Kick-off"
    )
    MilestoneFactory(title="Exchange of expertise", description="Visits of both teams.")
    client.force_login(superuser)
    response = client.get(reverse("admin:agreements_milestone_changelist"), {"q": "WORKSHOP"})
    assert set(response.context["cl"].result_list) == {by_title, by_agreement}
    response = client.get(
        reverse("admin:agreements_milestone_changelist"), {"q": by_agreement.agreement.reference}
    )
    assert list(response.context["cl"].result_list) == [by_agreement]
