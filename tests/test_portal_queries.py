"""Each page's query count is fixed, whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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
TODAY = timezone.localdate()

# The most queries each page may make (anonymous; staff add session and user lookups).
BUDGETS = {
    # 2 of these are cache reads (data version and the cached figures): see dashboard.py
    "home": 7,  # cached counts, areas, recent + parties, 2 milestone lists
    "agreement_list": 8,  # cached total, rows, parties, areas, area and agency choices, countries
    # + validating the chosen area and country, the milestones a snippet may quote, and
    # (PostgreSQL) whether the search finds anything before any typo is corrected
    "agreement_list_filtered": 13,
    "agreement_detail": 7,  # + the uploaded documents the visitor may download
    "milestone_list": 5,
    "area_list": 1,
    "area_detail": 4,
    "agency_list": 4,
    "agency_detail": 7,
}


@pytest.fixture
def hub(db):
    agency = AgencyFactory(slug="hub", acronym="HUB")
    anchor = AgreementFactory(slug="anchor", signed_on=TODAY)
    PartyFactory(agreement=anchor, agency=agency)
    return {"agency": agency, "anchor": anchor, "area": CooperationArea.objects.get(slug="ict")}


def add_rows(hub, n):
    """n agreements around the hub agency, with milestones on the anchor agreement too."""
    for i in range(n):
        agreement = AgreementFactory(signed_on=TODAY - datetime.timedelta(days=i))
        agreement.areas.set([hub["area"]])
        PartyFactory(agreement=agreement, agency=hub["agency"])
        PartyFactory(agreement=agreement)
        MilestoneFactory(
            agreement=agreement,
            area=hub["area"],
            responsible_agency=hub["agency"],
            due_date=TODAY + datetime.timedelta(days=i % 60 - 20),
        )
        MilestoneFactory(
            agreement=hub["anchor"], area=hub["area"], due_date=TODAY + datetime.timedelta(days=i)
        )
        DocumentLinkFactory(agreement=hub["anchor"])
        RepresentativeFactory(agency=hub["agency"])
        hub["anchor"].related.add(agreement)


def urls(hub):
    return {
        "home": reverse("home"),
        "agreement_list": reverse("agreements:agreement_list"),
        "agreement_list_filtered": reverse("agreements:agreement_list")
        + "?q=memorandum&area=ict&country=KZ&sort=title",
        "agreement_detail": hub["anchor"].get_absolute_url(),
        "milestone_list": reverse("agreements:milestone_list") + "?overdue=on",
        "area_list": reverse("agreements:area_list"),
        "area_detail": hub["area"].get_absolute_url(),
        "agency_list": reverse("partners:agency_list"),
        "agency_detail": hub["agency"].get_absolute_url(),
    }


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(client, hub, django_assert_max_num_queries):
    add_rows(hub, 3)
    few = {}
    for name, url in urls(hub).items():
        client.get(url)  # the home page fills its cache on the first visit
        few[name] = count(client, url)
    add_rows(hub, 27)
    for name, url in urls(hub).items():
        client.get(url)
        with django_assert_max_num_queries(BUDGETS[name]):
            assert client.get(url).status_code == 200
        assert count(client, url) == few[name], name


def test_home_page_counts_in_a_fixed_number_of_queries_when_not_cached(client, hub):
    add_rows(hub, 3)
    cold_few = count(client, reverse("home"))
    add_rows(hub, 27)  # every save invalidates the cached counts
    assert count(client, reverse("home")) == cold_few <= 16
