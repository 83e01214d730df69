"""Each filter of the agreement, milestone and agency lists keeps exactly the right rows."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, CooperationArea
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    MilestoneFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db
AGREEMENTS = reverse("agreements:agreement_list")
MILESTONES = reverse("agreements:milestone_list")


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert not response.context["filter_errors"], response.context["filter"].errors
    return list(response.context["object_list"])


@pytest.fixture
def kz_es(db):
    """Two agreements: one Kazakh–Spanish on GovTech, one Kazakh-only on cybersecurity."""
    govtech = CooperationArea.objects.get(slug="govtech")
    cyber = CooperationArea.objects.get(slug="cybersecurity")
    nitec = AgencyFactory(name="National Information Technologies", acronym="NITEC", country="KZ")
    madrid = AgencyFactory(name="Madrid Ministry of Digitalization", acronym="", country="ES")
    first = AgreementFactory(
        title="Digital bridge cooperation",
        summary="Joint GovTech testing platform.",
        status="signed",
        kind="cooperation",
        signed_on=datetime.date(2025, 10, 3),
        legally_binding=None,
    )
    first.areas.set([govtech])
    PartyFactory(agreement=first, agency=nitec)
    PartyFactory(agreement=first, agency=madrid)
    second = AgreementFactory(
        title="Incident response memorandum",
        summary="Sharing threat intelligence.",
        status="in_force",
        kind="mou",
        signed_on=datetime.date(2023, 4, 1),
        entry_into_force=datetime.date(2023, 5, 1),
        expires_on=datetime.date(2026, 5, 1),
        legally_binding=True,
    )
    second.areas.set([cyber])
    PartyFactory(agreement=second, agency=nitec)
    PartyFactory(agreement=second, agency=AgencyFactory(country="KZ"))
    return first, second


class TestAgreementFilters:
    def test_no_filter_lists_all_newest_first(self, client, kz_es):
        first, second = kz_es
        assert listed(client, AGREEMENTS) == [first, second]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [("madrid", [0]), ("NITEC", [0, 1]), ("threat", [1]), ("bridge", [0]), ("zzz", [])],
    )
    def test_search_covers_title_summary_and_party_names(self, client, kz_es, query, expected):
        assert listed(client, AGREEMENTS, q=query) == [kz_es[i] for i in expected]

    def test_search_by_reference(self, client, kz_es):
        assert listed(client, AGREEMENTS, q=kz_es[1].reference) == [kz_es[1]]

    def test_area(self, client, kz_es):
        assert listed(client, AGREEMENTS, area="govtech") == [kz_es[0]]

    def test_agency(self, client, kz_es):
        madrid = kz_es[0].parties.get(agency__country="ES").agency
        assert listed(client, AGREEMENTS, agency=madrid.slug) == [kz_es[0]]

    def test_country_lists_each_agreement_once(self, client, kz_es):
        # The second agreement has two Kazakh parties: it must not appear twice.
        assert listed(client, AGREEMENTS, country="KZ") == list(kz_es)
        assert listed(client, AGREEMENTS, country="ES") == [kz_es[0]]

    def test_kind_and_status(self, client, kz_es):
        assert listed(client, AGREEMENTS, kind="mou") == [kz_es[1]]
        assert listed(client, AGREEMENTS, status="signed") == [kz_es[0]]

    @pytest.mark.parametrize(("value", "expected"), [("yes", [1]), ("unknown", [0]), ("no", [])])
    def test_legally_binding(self, client, kz_es, value, expected):
        assert listed(client, AGREEMENTS, binding=value) == [kz_es[i] for i in expected]

    def test_signing_date_range_includes_both_ends(self, client, kz_es):
        assert listed(client, AGREEMENTS, signed_from="2025-10-03") == [kz_es[0]]
        assert listed(client, AGREEMENTS, signed_to="2023-04-01") == [kz_es[1]]
        assert listed(client, AGREEMENTS, signed_from="2023-04-02", signed_to="2025-10-02") == []

    def test_expiring_before(self, client, kz_es):
        assert listed(client, AGREEMENTS, expires_before="2026-05-02") == [kz_es[1]]
        assert listed(client, AGREEMENTS, expires_before="2026-05-01") == []

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("signed", [1, 0]),
            ("-signed", [0, 1]),
            ("title", [0, 1]),
            ("-title", [1, 0]),
            ("expiry", [1, 0]),
        ],
    )
    def test_sorting(self, client, kz_es, sort, expected):
        assert listed(client, AGREEMENTS, sort=sort) == [kz_es[i] for i in expected]

    def test_filters_combine(self, client, kz_es):
        assert listed(client, AGREEMENTS, q="nitec", area="cybersecurity") == [kz_es[1]]

    def test_active_filters_can_be_removed_one_by_one(self, client, kz_es):
        response = client.get(AGREEMENTS, {"q": "nitec", "area": "govtech", "page": "1"})
        chips = {chip["label"]: chip for chip in response.context["active_filters"]}
        assert chips["Cooperation area"]["value"] == "GovTech"
        assert chips["Cooperation area"]["query"] == "q=nitec"
        assert chips["Search"]["query"] == "area=govtech"
        assert "Remove filter Search" in response.content.decode()


class TestPagination:
    def test_pages_and_total(self, client, db):
        AgreementFactory.create_batch(30)
        response = client.get(AGREEMENTS, {"page": "2"})
        assert len(response.context["object_list"]) == 5
        assert response.context["paginator"].count == 30
        assert "30 agreements" in response.content.decode()
        assert "Page 2 of 2" in response.content.decode()

    def test_pages_never_repeat_rows_when_dates_tie(self, client, db):
        AgreementFactory.create_batch(30, signed_on=datetime.date(2025, 1, 1))
        seen = listed(client, AGREEMENTS) + listed(client, AGREEMENTS, page=2)
        assert len(set(seen)) == 30


class TestMilestoneFilters:
    TODAY = timezone.localdate()

    @pytest.fixture
    def milestones(self, db):
        party = PartyFactory()
        days = datetime.timedelta
        return {
            "late": MilestoneFactory(
                agreement=party.agreement,
                due_date=self.TODAY - days(3),
                status="in_progress",
                responsible_agency=party.agency,
                area=CooperationArea.objects.get(slug="govtech"),
            ),
            "soon": MilestoneFactory(due_date=self.TODAY + days(10)),
            "later": MilestoneFactory(due_date=self.TODAY + days(200)),
            "done": MilestoneFactory(
                due_date=self.TODAY - days(30), status="met", date_met=self.TODAY
            ),
            "undated": MilestoneFactory(due_date=None),
        }

    def names(self, milestones, rows):
        by_pk = {m.pk: name for name, m in milestones.items()}
        return [by_pk[row.pk] for row in rows]

    def test_default_order_is_due_date_with_undated_last(self, client, milestones):
        rows = listed(client, MILESTONES)
        assert self.names(milestones, rows) == ["done", "late", "soon", "later", "undated"]

    def test_latest_first_keeps_undated_last(self, client, milestones):
        rows = listed(client, MILESTONES, sort="-due")
        assert self.names(milestones, rows) == ["later", "soon", "late", "done", "undated"]

    def test_overdue_only(self, client, milestones):
        assert self.names(milestones, listed(client, MILESTONES, overdue="on")) == ["late"]

    def test_due_within_days(self, client, milestones):
        assert self.names(milestones, listed(client, MILESTONES, due_within="30")) == ["soon"]

    def test_status_area_agency_agreement(self, client, milestones):
        late = milestones["late"]
        assert listed(client, MILESTONES, status="met") == [milestones["done"]]
        assert listed(client, MILESTONES, area="govtech") == [late]
        assert listed(client, MILESTONES, agency=late.responsible_agency.slug) == [late]
        assert listed(client, MILESTONES, agreement=late.agreement.reference.lower()) == [late]

    def test_due_date_range(self, client, milestones):
        rows = listed(
            client,
            MILESTONES,
            due_from=str(self.TODAY),
            due_to=str(self.TODAY + datetime.timedelta(days=10)),
        )
        assert self.names(milestones, rows) == ["soon"]

    def test_days_overdue_and_remaining_are_shown(self, client, milestones):
        content = client.get(MILESTONES).content.decode()
        assert "3 days overdue" in content
        assert "10 days left" in content

    def test_each_row_names_its_agreement_and_links_to_the_milestone(self, client, milestones):
        late, done = milestones["late"], milestones["done"]
        content = client.get(MILESTONES).content.decode()
        anchor = f'href="{late.agreement.get_absolute_url()}#milestone-{late.pk}"'
        assert f"{anchor}>{late.title}</a>" in content  # the title leads to it
        assert f">{late.agreement.title}</a>" in content  # the agreement by its title
        assert f"Met on <time datetime=\"{self.TODAY:%Y-%m-%d}\">" in content  # and when met
        assert content.count("Met on") == 1  # only the met one
        assert done.date_met == self.TODAY


class TestAgencyFilters:
    def test_country_kind_and_search(self, client, db):
        nitec = AgencyFactory(name="National Information Technologies", acronym="NITEC")
        madrid = AgencyFactory(
            name="Ministry of Digitalization",
            country="ES",
            kind="ministry",
            jurisdiction="Community of Madrid",
        )
        url = reverse("partners:agency_list")
        assert listed(client, url, country="ES") == [madrid]
        assert listed(client, url, kind="state_agency") == [nitec]
        assert listed(client, url, q="madrid") == [madrid]
        assert listed(client, url, q="nitec") == [nitec]


class TestPaginatorAtScale:
    def test_pages_read_from_either_end_match_the_full_order(self, client, db):
        for i in range(61):
            AgreementFactory(signed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 7),
                             title=f"Agreement {i:02d}")  # fmt: skip
        AgreementFactory(signed_on=None, title="Unsigned draft")
        expected = list(
            Agreement.objects.order_by(F("signed_on").desc(nulls_last=True), "reference")
        )
        pages = [listed(client, AGREEMENTS, page=n) for n in (1, 2, 3)]
        assert [len(p) for p in pages] == [25, 25, 12]
        assert pages[0] + pages[1] + pages[2] == expected
        assert pages[2][-1].title == "Unsigned draft"

    def test_cached_total_follows_changes(self, client, db):
        AgreementFactory.create_batch(3)
        assert client.get(AGREEMENTS).context["paginator"].count == 3
        AgreementFactory()
        assert client.get(AGREEMENTS).context["paginator"].count == 4
        Agreement.objects.first().delete()
        assert client.get(AGREEMENTS).context["paginator"].count == 3


@pytest.mark.parametrize(
    ("query", "address"),
    [
        ("q=Madrid&area=&agency=&country=&kind=&sort=", "?q=Madrid"),
        ("area=&agency=&page=", ""),
        ("q=+&area=govtech&area=", "?area=govtech"),
    ],
)
def test_the_address_keeps_only_the_filters_used(client, db, query, address):
    url = reverse("agreements:agreement_list")
    response = client.get(f"{url}?{query}")
    assert response.status_code == 302
    assert response["Location"] == url + address
    assert client.get(url + address).status_code == 200  # and stays there


@pytest.mark.parametrize(
    "path, default, others",
    [
        (AGREEMENTS, "Signing date, newest first",
         ["Signing date, oldest first", "Title, A–Z", "Title, Z–A", "Expiry, soonest first",
          "Expiry, latest first"]),
        (MILESTONES, "Due date, soonest first",
         ["Due date, latest first", "Agreement reference", "Agreement reference, reversed"]),
    ],
)  # fmt: skip
def test_the_sort_menu_is_one_clean_list(client, db, path, default, others):
    """The default order first under its own name, never twice; no order without a
    direction (by status, codes sorted A–Z, stays accepted from older links only)."""
    menu = client.get(path).context["filter"].form["sort"]
    assert [label for _value, label in menu.field.widget.choices] == [default, *others]
    assert client.get(path, {"sort": "status"}).status_code == 200
    searched = client.get(path, {"q": "madrid"}).context["filter"].form["sort"]
    labels = [label for _value, label in searched.field.widget.choices]
    # With a search, relevance first, and the list's usual order among the others.
    assert labels[0] == "Most relevant first" and sorted(labels[1:]) == sorted([default, *others])


def test_column_headings_sort_the_list_and_say_which_way(client, db):
    """Sortable headings are links; aria-sort tells screen readers the list's order
    (its default too); following the heading of the current order reverses it."""
    AgreementFactory(title="Bravo")
    AgreementFactory(title="Alpha")
    page = client.get(AGREEMENTS).content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?sort=signed">Signed</a></th>' in page
    assert '<th scope="col"><a href="?sort=title">Title</a></th>' in page
    response = client.get(AGREEMENTS, {"sort": "title", "page": "1"})
    assert [a.title for a in response.context["object_list"]] == ["Alpha", "Bravo"]
    page = response.content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=-title">Title</a></th>' in page
    assert 'aria-sort="descending"' not in page
    # With a search, relevance orders the list: no column claims it.
    assert "aria-sort" not in client.get(AGREEMENTS, {"q": "alpha"}).content.decode()
    MilestoneFactory()
    due = client.get(MILESTONES).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=-due">Due</a></th>' in due


def test_result_counts_are_written_as_numbers_are_in_the_language(client, db, monkeypatch):
    from agreements.pagination import BothEndsPaginator

    monkeypatch.setattr(BothEndsPaginator, "count", 85090)
    assert "85,090 agreements" in client.get(AGREEMENTS).content.decode()
    assert "85\u00a0090 соглашений" in client.get("/ru/agreements/").content.decode()
