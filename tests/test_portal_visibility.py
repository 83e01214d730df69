"""Anonymous visitors see public agreements only, on every page; staff see internal ones marked."""

import pytest
from django.urls import reverse

from agreements.models import CooperationArea
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    DocumentLinkFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db
SECRETS = ["Secret pilot on digital identity", "Classified rollout step", "Confidential annex"]


@pytest.fixture
def records(db):
    govtech = CooperationArea.objects.get(slug="govtech")
    agency = AgencyFactory(slug="shared-agency", name="Shared Agency", acronym="SA")
    public = AgreementFactory(title="Open data memorandum", visibility="public")
    internal = AgreementFactory(title=SECRETS[0], visibility="internal")
    for agreement in (public, internal):
        agreement.areas.set([govtech])
    PartyFactory(agreement=public, agency=agency)
    PartyFactory(agreement=internal, agency=agency)
    MilestoneFactory(
        agreement=public, title="Public workshop", area=govtech, responsible_agency=agency
    )
    MilestoneFactory(agreement=internal, title=SECRETS[1], area=govtech, responsible_agency=agency)
    DocumentLinkFactory(agreement=internal, title=SECRETS[2])
    public.related.add(internal)
    return {"public": public, "internal": internal, "agency": agency, "area": govtech}


def pages(records):
    return [
        reverse("home"),
        reverse("agreements:agreement_list"),
        reverse("agreements:agreement_list") + "?q=secret",
        reverse("agreements:agreement_list") + "?area=govtech",
        records["public"].get_absolute_url(),
        reverse("agreements:milestone_list"),
        reverse("agreements:milestone_list") + "?q=classified",
        reverse("agreements:area_list"),
        records["area"].get_absolute_url(),
        reverse("partners:agency_list"),
        records["agency"].get_absolute_url(),
    ]


def test_anonymous_never_sees_internal_records(client, records):
    for url in pages(records):
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        for secret in SECRETS:
            assert secret not in content, f"{secret!r} leaked on {url}"
        assert records["internal"].reference not in content, url


def test_internal_agreement_page_is_404_for_anonymous(client, records):
    assert client.get(records["internal"].get_absolute_url()).status_code == 404


def test_counts_for_anonymous_only_count_public_records(client, records):
    home = client.get(reverse("home"))
    area = next(a for a in home.context["areas"] if a.slug == "govtech")
    assert (area.agreement_count, area.milestone_count) == (1, 1)
    assert home.context["total_agreements"] == 1
    agency = client.get(records["agency"].get_absolute_url()).context["agency"]
    assert agency.agreement_count == 1


def test_staff_see_internal_agreements_marked_internal(client, viewer, records):
    client.force_login(viewer)
    response = client.get(reverse("agreements:agreement_list"))
    content = response.content.decode()
    assert SECRETS[0] in content
    assert "badge-internal" in content
    detail = client.get(records["internal"].get_absolute_url())
    assert detail.status_code == 200
    assert SECRETS[1] in detail.content.decode()
    assert client.get(reverse("home")).context["total_agreements"] == 2


def test_logged_in_user_without_view_permission_sees_public_only(client, records):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=False))
    assert client.get(records["internal"].get_absolute_url()).status_code == 404


def test_contact_details_are_for_staff_only(client, viewer, records):
    RepresentativeFactory(
        agency=records["agency"], email="private@agency.example", phone="+34 600 000 000"
    )
    url = records["agency"].get_absolute_url()
    anonymous = client.get(url).content.decode()
    assert "private@agency.example" not in anonymous
    assert "+34 600 000 000" not in anonymous
    client.force_login(viewer)
    staff = client.get(url).content.decode()
    assert "private@agency.example" in staff
    assert "+34 600 000 000" in staff


def test_edit_in_admin_link_only_with_change_permission(client, viewer, editor, records):
    url = records["public"].get_absolute_url()
    admin_url = reverse("admin:agreements_agreement_change", args=[records["public"].pk])
    assert admin_url not in client.get(url).content.decode()
    client.force_login(viewer)
    assert admin_url not in client.get(url).content.decode()
    client.force_login(editor)
    assert admin_url in client.get(url).content.decode()


def test_anonymous_csv_and_admin_show_nothing_internal(client, records):
    internal = records["internal"]
    for url in [
        reverse("agreements:milestone_export"),
        reverse("agreements:milestone_export") + f"?agreement={internal.reference}",
        reverse("agreements:milestone_export") + "?variant=excel&status=scheduled",
    ]:
        body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in body, url
        assert internal.reference not in body
    csv_url = reverse("agreements:agreement_milestones_csv", args=[internal.slug])
    assert client.get(csv_url).status_code == 404
    for url in [
        reverse("admin:agreements_agreement_changelist"),
        reverse("admin:agreements_agreement_change", args=[internal.pk]),
        reverse("admin:agreements_milestone_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/admin/login/")


def test_an_agency_party_only_to_internal_agreements_shows_no_trace_of_them(client, records):
    hidden_party = AgencyFactory(slug="hidden-partner", name="Hidden Partner Agency")
    PartyFactory(agreement=records["internal"], agency=hidden_party)
    response = client.get(hidden_party.get_absolute_url())
    assert response.context["agency"].agreement_count == 0
    content = response.content.decode()
    for secret in SECRETS:
        assert secret not in content
    assert records["internal"].reference not in content
    anon_list = client.get(reverse("agreements:agreement_list"), {"agency": "hidden-partner"})
    assert list(anon_list.context["object_list"]) == []
