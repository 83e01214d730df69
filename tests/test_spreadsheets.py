"""Milestone reports as Excel workbooks: the CSV's rows, typed cells, text that stays text."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agreements.spreadsheets import XLSX_CONTENT_TYPE, sheet_name
from tests.factories import AgreementFactory, MilestoneFactory
from tests.test_exports import EXPORT, HEADER, HOSTILE, download, parse, report  # noqa: F401

pytestmark = pytest.mark.django_db
EXPORT_XLSX = reverse("agreements:milestone_export_xlsx")


def workbook(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    body = b"".join(response.streaming_content)
    return response, load_workbook(io.BytesIO(body))


DATE_COLUMNS = {5, 7}  # due date, date met: the rest of the dated cells are moments


def as_csv_text(column: int, value) -> str:
    """A cell as the CSV writes the same value (spreadsheets read every date back as a
    moment)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if column in DATE_COLUMNS else f"{value:%Y-%m-%dT%H:%M:%SZ}"
    return str(value)


@pytest.mark.parametrize(
    "params",
    [{}, {"overdue": "on"}, {"area": "govtech"}, {"sort": "-due"}, {"status": "met"},
     {"agreement": "agr-2024-0007", "sort": "status"}],
)  # fmt: skip
@pytest.mark.usefixtures("report")
def test_workbook_has_the_csv_rows_and_columns(client, params):
    _, body = download(client, EXPORT, params)
    csv_rows = parse(body)
    _, book = workbook(client, EXPORT_XLSX, params)
    sheet = book.active
    rows = [
        [as_csv_text(column, cell) for column, cell in enumerate(row)]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == HEADER == csv_rows[0]
    assert rows[1:] == csv_rows[1:]
    assert len(rows) > 1 or params


@pytest.mark.usefixtures("report")
def test_cells_are_typed_and_the_sheet_is_laid_out(client):
    response, book = workbook(client, EXPORT_XLSX, {"sort": "due"})
    sheet = book.active
    assert sheet.title == "Milestones"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:L{sheet.max_row}"
    header = sheet[1]
    assert all(cell.font.bold for cell in header)
    rows = sheet.iter_rows(min_row=2)
    late = next(row for row in rows if row[2].value == "Testing platform study")
    due, met, days, reviewed = late[5], late[7], late[9], late[10]
    assert due.is_date and isinstance(due.value, datetime.datetime)
    assert due.number_format == "yyyy-mm-dd"
    assert met.value is None
    assert days.data_type == "n" and days.value == 3
    assert reviewed.is_date
    assert late[0].data_type == "s" and late[0].value == "AGR-2025-0001"
    # Wide enough for the longest title, never wider than 60.
    widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
    assert widths["C"] >= len("Testing platform study") and max(widths.values()) <= 60
    assert response["Content-Disposition"].startswith('attachment; filename="milestones-')
    assert response["Content-Disposition"].endswith('.xlsx"')


@pytest.mark.parametrize("title", HOSTILE)
def test_formula_looking_text_stays_text(client, db, title):
    agreement = AgreementFactory(title=title, reference=title[:30])
    MilestoneFactory(agreement=agreement, title=title)
    _, book = workbook(client, EXPORT_XLSX)
    row = list(book.active.iter_rows(min_row=2))[0]
    for cell in row[:3]:
        assert cell.data_type == "s", (title, cell.value)
    assert [row[0].value, row[1].value, row[2].value] == [title[:30], title, title]


@pytest.mark.usefixtures("report")
def test_anonymous_never_receives_internal_milestones(client, viewer):
    _, book = workbook(client, EXPORT_XLSX)
    titles = [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert "Internal only step" not in titles
    client.force_login(viewer)
    _, book = workbook(client, EXPORT_XLSX)
    titles = [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert "Internal only step" in titles


@pytest.mark.usefixtures("report")
def test_invalid_filters_give_the_page_and_no_file(client):
    response = client.get(EXPORT_XLSX, {"due_within": "soon"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.usefixtures("report")
def test_agreement_workbook_is_named_after_the_agreement(client):
    url = reverse("agreements:agreement_milestones_xlsx", args=["bridge"])
    response, book = workbook(client, url)
    assert book.active.title == "AGR-2025-0001"
    assert "AGR-2025-0001-milestones-" in response["Content-Disposition"]
    assert {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)} == {
        "AGR-2025-0001"
    }


def test_sheet_names_obey_excel_rules():
    assert sheet_name("Hitos: [borrador]/2025?") == "Hitos   borrador  2025"
    assert len(sheet_name("x" * 40)) == 31


def test_query_count_is_fixed_for_3_and_300_rows(client, db):
    agreement = AgreementFactory(slug="anchor")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            _, book = workbook(client, EXPORT_XLSX)
        return len(ctx.captured_queries), book.active.max_row - 1

    MilestoneFactory.create_batch(3, agreement=agreement)
    few, rows = queries()
    assert rows == 3
    MilestoneFactory.create_batch(297, agreement=agreement)
    many, rows = queries()
    assert rows == 300
    assert few == many <= 4  # the rows, the column widths, the bounded row count, a slot


@pytest.mark.usefixtures("report")
def test_admin_actions_export_the_selected_milestones_as_a_workbook(client, viewer):
    from agreements.models import Agreement, Milestone

    client.force_login(viewer)
    chosen = Milestone.objects.filter(title="Testing platform study").values_list("pk", flat=True)
    response = client.post(
        reverse("admin:agreements_milestone_changelist"),
        {"action": "export_selected_xlsx", "_selected_action": list(chosen)},
    )
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)] == [
        "Testing platform study"
    ]
    internal = Agreement.objects.get(reference="AGR-2025-0099")
    response = client.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "export_milestones_xlsx", "_selected_action": [internal.pk]},
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)] == [
        "Internal only step"
    ]


@pytest.mark.usefixtures("report")
def test_the_command_writes_a_workbook_with_the_csv_rows(client, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "overdue.xlsx"
    call_command("export_milestones", "--overdue", "-o", str(target), stderr=io.StringIO())
    book = load_workbook(target)
    assert [row[2] for row in book.active.iter_rows(min_row=2, values_only=True)] == [
        "Testing platform study"
    ]


@pytest.mark.usefixtures("report")
def test_a_report_too_large_for_a_workbook_points_to_the_csv(client, settings):
    settings.ACCORDS_WORKBOOK_MAX_ROWS = 3  # anonymous visitors see 4 public milestones
    page = client.get(reverse("agreements:milestone_list"))
    assert "Excel workbook (.xlsx): at most 3 rows, narrow the filters" in page.content.decode()
    assert EXPORT_XLSX not in page.content.decode()

    response = client.get(EXPORT_XLSX, {"sort": "-due"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A workbook report holds at most 3 rows, and this one has more." in html
    assert f'href="{EXPORT}?sort=-due"' in html  # the same report, as CSV

    narrowed = {"agreement": "agr-2024-0007"}  # two milestones: the workbook is offered
    page = client.get(reverse("agreements:milestone_list"), narrowed)
    assert EXPORT_XLSX in page.content.decode()
    _, book = workbook(client, EXPORT_XLSX, narrowed)
    assert book.active.max_row == 3


@pytest.mark.usefixtures("report")
def test_admin_actions_refuse_a_workbook_over_the_limit(client, viewer, settings):
    from agreements.models import Milestone

    settings.ACCORDS_WORKBOOK_MAX_ROWS = 2
    client.force_login(viewer)
    response = client.post(
        reverse("admin:agreements_milestone_changelist"),
        {"action": "export_selected_xlsx",
         "_selected_action": list(Milestone.objects.values_list("pk", flat=True))},
    )  # fmt: skip
    assert response.status_code == 400
    assert "A workbook report holds at most 2 rows" in response.content.decode()
