"""Milestone reports as Excel workbooks (.xlsx): the CSV report's rows and columns,
with real date cells, numbers as numbers, a frozen and styled header row, an
autofilter and fitted column widths.

openpyxl's write-only mode keeps one row in memory at a time (each row goes to a
temporary file as it is appended), so a million-row report takes the same
memory as a ten-row one; the workbook is zipped into a temporary file, then
streamed. Text cells are always written as text: openpyxl reads a string that
starts with "=" as a formula, so such a cell is written with its type forced to
string, and no formula can ever run (no apostrophe is needed, unlike the CSV).
"""

import datetime
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import CharField, F, IntegerField, Max, Value, When
from django.db.models.functions import Concat, Length
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .exports import (
    BATCH_ROWS,
    EXPORT_SLOTS,
    CsvDownload,
    DaysSince,
    WithoutNul,
    exports_busy_response,
    milestone_columns,
)
from .models import CLOSED_MILESTONE_STATUSES, Milestone
from .translated import current_language, text_in

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_BYTES = 256 * 1024
# Excel's own sheet-name rules: at most 31 characters, none of these.
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
# Text columns by position (1 = A), whose widths follow their longest value.
TEXT_COLUMNS = {1: "x_reference", 2: "x_agreement", 3: "x_milestone", 4: "x_area",
                5: "x_agency", 7: "x_status"}  # fmt: skip
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60


def typed_values(milestones, *, base_url: str, today: datetime.date | None = None):
    """One row of typed values per milestone (text, dates, whole numbers), in the
    report's order and language, from a `Milestone.objects.for_report()` queryset."""
    cells = typed_cells(base_url=base_url, today=today)
    return milestones.annotate(**cells).values_list(*cells)


def typed_cells(*, base_url: str, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    language = current_language()

    def shown(field: str, original_language: str):
        return WithoutNul(text_in(field, language, original_language=original_language))

    link_prefix = base_url.rstrip("/") + reverse(
        "agreements:agreement_detail", kwargs={"slug": "slug-placeholder"}
    ).replace("slug-placeholder/", "")
    cells = {
        "x_reference": WithoutNul(F("agreement__reference")),
        "x_agreement": shown("agreement__title", "agreement__original_language"),
        "x_milestone": shown("title", "agreement__original_language"),
        "x_area": shown("area__name", "area__original_language"),
        "x_agency": shown("responsible_agency__name", "responsible_agency__original_language"),
        "x_due": F("due_date"),
        "x_status": SqlCase(
            *[
                When(status=value, then=Value(str(label)))
                for value, label in Milestone.Status.choices
            ],
            default=WithoutNul(F("status")),
            output_field=CharField(),
        ),
        "x_met": F("date_met"),
        "x_overdue": SqlCase(
            When(is_overdue=True, then=Value(_("yes"))),
            default=Value(_("no")),
            output_field=CharField(),
        ),
        "x_days": SqlCase(
            When(status__in=CLOSED_MILESTONE_STATUSES, then=Value(None)),
            default=DaysSince(Value(today), "due_date"),
            output_field=IntegerField(),
        ),
        "x_reviewed": F("last_reviewed"),
        "x_link": Concat(
            Value(link_prefix), WithoutNul(F("agreement__slug")), Value("/"),
            output_field=CharField(),
        ),  # fmt: skip
    }
    return cells


def column_widths(milestones, headers: list[str], *, base_url: str) -> list[float]:
    """Each column as wide as its longest text (one aggregate query), within bounds."""
    cells = typed_cells(base_url=base_url)
    longest = milestones.order_by().aggregate(
        **{name: Max(Length(cells[name])) for name in TEXT_COLUMNS.values()}
    )
    fixed = {6: 12, 8: 12, 9: 10, 10: 12, 11: 18, 12: 60}  # dates, yes/no, days, time, link
    widths = []
    for number, header in enumerate(headers, start=1):
        name = TEXT_COLUMNS.get(number)
        content = (longest[name] or 0) if name else fixed.get(number, 12)
        # The heading has the autofilter's button beside it: room for that too.
        widths.append(min(MAX_WIDTH, max(len(header) + 5, content + 2)))
    return widths


def sheet_name(title: str) -> str:
    return str(title).translate(SHEET_NAME_FORBIDDEN).strip("' ")[:31] or "Report"


def text_cell(sheet, value):
    """A text cell that stays text, whatever its first character."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl took it for a formula: it is the user's text
        return cell
    return value


def write_workbook(milestones, target, *, base_url: str, title: str) -> int:
    """Write the report into `target` (a path or binary file); returns the row count."""
    values = typed_values(milestones, base_url=base_url)
    headers = milestone_columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name(title))
    # Write-only sheets take their layout before the first row.
    sheet.freeze_panes = "A2"
    for number, width in enumerate(column_widths(milestones, headers, base_url=base_url), 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1D4F73")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.data_type = "s"
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    def date(sheet, value):
        return _dated(sheet, value, number_format=DATE_FORMAT)

    def moment(sheet, value):
        return _dated(sheet, _utc(value), number_format=TIME_FORMAT)

    # How each column's value becomes a cell, in milestone_columns() order; None: as is
    # (yes/no text, a whole number of days).
    kinds = [text_cell] * 5 + [date, text_cell, date, None, None, moment, text_cell]
    rows = 0
    for row in values.iterator(chunk_size=BATCH_ROWS):
        cells = zip(kinds, row, strict=True)
        sheet.append([kind(sheet, value) if kind else value for kind, value in cells])
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{rows + 1}"
    workbook.save(target)
    return rows


def _utc(moment):
    # Spreadsheets have no time zones: the moment in UTC, as the column heading says.
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite may hand back text
        moment = datetime.datetime.fromisoformat(moment)
    if timezone.is_aware(moment):
        moment = timezone.make_naive(moment, datetime.UTC)
    return moment


def _dated(sheet, value, *, number_format: str):
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def xlsx_chunks(milestones, *, base_url: str, title: str) -> Iterator[bytes]:
    """The workbook as bytes, built in a temporary file (bounded memory), in the
    language active now, even though the rows are only read while it streams."""
    language = get_language()
    with tempfile.TemporaryFile() as spool:
        with override(language):
            write_workbook(milestones, spool, base_url=base_url, title=title)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


def too_many_for_a_workbook(milestones) -> bool:
    """More rows than a report built during a request may hold (a bounded count)."""
    limit = settings.ACCORDS_WORKBOOK_MAX_ROWS
    return bool(limit) and milestones.order_by()[: limit + 1].count() > limit


def workbook_too_large_response(request, *, csv_url: str | None) -> HttpResponse:
    """400, as for filters that cannot give a report: there is no file to give."""
    context = {
        "limit": settings.ACCORDS_WORKBOOK_MAX_ROWS, "csv_url": csv_url, "nav": "milestones",
    }  # fmt: skip
    response = HttpResponse(
        render_to_string("agreements/workbook_too_large.html", context, request=request),
        status=400,
    )
    response["Cache-Control"] = "no-store"
    return response


def milestone_xlsx_response(
    milestones, *, filename: str, base_url: str, title: str, request=None, csv_url=None
):
    """The workbook as a download; a download slot as for the CSV (503 when all taken),
    and a page pointing to the CSV when there are too many rows for a workbook."""
    if too_many_for_a_workbook(milestones):
        return workbook_too_large_response(request, csv_url=csv_url)
    release = EXPORT_SLOTS.take()
    if release is None:
        return exports_busy_response(request)
    try:
        response = CsvDownload(
            xlsx_chunks(milestones, base_url=base_url, title=title),
            release=release,
            content_type=XLSX_CONTENT_TYPE,
        )
    except BaseException:
        release()
        raise
    response["Content-Disposition"] = f'attachment; filename="{filename.removesuffix(".csv")}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
