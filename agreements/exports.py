"""Milestone reports as CSV: the same rows as the milestone list, safe to open in a spreadsheet.

Rows are read with `values_list().iterator()` (one query, no model instances)
and written in batches, so memory stays flat whatever the row count.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Milestone

# Characters that make Excel or LibreOffice treat a cell as a formula (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
BATCH_ROWS = 1000
UTF8_BOM = "\ufeff"


def spreadsheet_safe(value):
    """Text starting with a formula character gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def milestone_columns() -> list[str]:
    """The header row, in the active language; the order is documented in the README."""
    return [
        _("Agreement reference"),
        _("Agreement title"),
        _("Milestone"),
        _("Cooperation area"),
        _("Responsible agency"),
        _("Due date"),
        _("Status"),
        _("Date met"),
        _("Overdue"),
        _("Days overdue"),
        _("Last reviewed"),
        _("Link"),
    ]


def milestone_rows(
    milestones, *, base_url: str, today: datetime.date | None = None
) -> Iterator[list]:
    """One list of cell values per milestone of a queryset from `Milestone.objects.for_report()`."""
    today = today or timezone.localdate()
    status_labels = {value: str(label) for value, label in Milestone.Status.choices}
    yes, no = _("yes"), _("no")
    # One reverse() for the whole export instead of one per row.
    link_prefix = base_url.rstrip("/") + reverse(
        "agreements:agreement_detail", kwargs={"slug": "slug-placeholder"}
    ).replace("slug-placeholder/", "")
    values = milestones.values_list(
        "agreement__reference",
        "agreement__title",
        "title",
        "area__name",
        "responsible_agency__name",
        "due_date",
        "status",
        "date_met",
        "is_overdue",
        "last_reviewed",
        "agreement__slug",
    )
    for (
        reference, agreement_title, title, area, agency, due_date, status, date_met,
        is_overdue, last_reviewed, slug,
    ) in values.iterator(chunk_size=2000):  # fmt: skip
        yield [
            spreadsheet_safe(reference),
            spreadsheet_safe(agreement_title),
            spreadsheet_safe(title),
            spreadsheet_safe(area or ""),
            spreadsheet_safe(agency or ""),
            due_date.isoformat() if due_date else "",
            status_labels.get(status, status),
            date_met.isoformat() if date_met else "",
            yes if is_overdue else no,
            (today - due_date).days if due_date else "",
            timezone.localtime(last_reviewed).isoformat(timespec="seconds"),
            f"{link_prefix}{slug}/",
        ]


def csv_chunks(header: list[str], rows: Iterable[list], *, excel: bool = False) -> Iterator[str]:
    """CSV text in chunks of BATCH_ROWS rows; with `excel`, a byte-order mark comes first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM if excel else "")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_filename(prefix: str = "", *, today: datetime.date | None = None) -> str:
    """`milestones-2026-11-25.csv`, or `AGR-2025-0001-milestones-2026-11-25.csv` with a prefix."""
    today = today or timezone.localdate()
    prefix = re.sub(r"[^A-Za-z0-9._-]+", "-", prefix).strip("-.")
    return f"{prefix}{'-' if prefix else ''}milestones-{today.isoformat()}.csv"


def milestone_csv_response(
    milestones, *, base_url: str, filename: str, excel: bool = False
) -> StreamingHttpResponse:
    rows = milestone_rows(milestones, base_url=base_url)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(milestone_columns(), rows, excel=excel)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def write_milestone_csv(milestones, write, *, base_url: str, excel: bool = False) -> int:
    """Pass the report, chunk by chunk, to `write` (the management command); return the rows."""
    written = 0

    def counted(rows):
        nonlocal written
        for row in rows:
            written += 1
            yield row

    rows = counted(milestone_rows(milestones, base_url=base_url))
    for chunk in csv_chunks(milestone_columns(), rows, excel=excel):
        write(chunk)
    return written
