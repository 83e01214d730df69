"""Milestone reports as CSV: the same rows as the milestone list, safe to open in a spreadsheet.

The database formats every cell (ISO dates, status labels, the formula guard,
the link), so the report is one query and Python never touches a row's values.
On PostgreSQL the rows are streamed straight out of COPY ... TO STDOUT, which
keeps a million-row export near the database's own speed; on SQLite the same
query is read in chunks and written with the csv module. Memory stays flat
either way, and the tests compare both against the database.

Downloads from the site are capped per server process (ACCORDS_MAX_EXPORTS):
past the cap the answer is a 503 page with Retry-After, so clients that open
downloads and stop reading cannot take every thread away from page views.
"""

import csv
import datetime
import io
import os
import queue
import re
import threading
import weakref
from collections.abc import Iterator
from itertools import islice

from django.conf import settings
from django.db import connections
from django.db.models import Case as SqlCase
from django.db.models import CharField, F, Func, IntegerField, Value, When
from django.db.models.functions import Concat, Left
from django.db.models.lookups import In
from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from .models import CLOSED_MILESTONE_STATUSES, Milestone
from .translated import current_language, text_in

# A cell starting with one of these gets an apostrophe in front (OWASP "CSV Injection"):
# the signs that start a formula in Excel and LibreOffice, their full-width forms
# (＝ ＋ － ＠), and every white-space character, since a spreadsheet that trims
# leading spaces on import (LibreOffice's "Trim spaces") turns " =1+1" into a formula.
FORMULA_SIGNS = ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
WHITE_SPACE = [
    *"\t\n\v\f\r\x1c\x1d\x1e\x1f ",  # ASCII (what Python's str.isspace() counts)
    "\x85",  # next line
    "\xa0",  # no-break space
    "\u1680",  # Ogham space mark
    *map(chr, range(0x2000, 0x200B)),  # en quad … hair space
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "\u202f",  # narrow no-break space
    "\u205f",  # medium mathematical space
    "\u3000",  # ideographic space
    "\u180e",  # Mongolian vowel separator
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (byte-order mark)
]
FORMULA_START = FORMULA_SIGNS + WHITE_SPACE
UTF8_BOM = "\ufeff"
CHUNK_BYTES = 256 * 1024
BATCH_ROWS = 2000
# Downloads streaming at once per server process (ACCORDS_MAX_EXPORTS), so with
# gunicorn's 4 threads a worker always keeps threads free for page views.
DEFAULT_MAX_EXPORTS = 2
RETRY_AFTER_SECONDS = 30


class IsoDate(Func):
    """A date as YYYY-MM-DD text."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="%(expressions)s")  # stored as text


class UtcTimestamp(Func):
    """A moment as ISO 8601 text in UTC, e.g. 2026-11-25T07:54:32Z."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        return self.as_sql(compiler, connection, template=template)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="strftime('%%%%Y-%%%%m-%%%%dT%%%%H:%%%%M:%%%%SZ', %(expressions)s)",
        )


class DaysSince(Func):
    """DaysSince(today, date): whole days from `date` to `today`, negative while still ahead."""

    output_field = IntegerField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner="::date - "
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


class WithoutNul(Func):
    """Text without NUL characters (U+0000), which many programs take for the end of the text.

    Only SQLite stores them (PostgreSQL refuses NUL in text), and SQLite's own string
    functions stop at the first NUL, so on SQLite a function registered on every
    connection does it (see `register_sqlite_functions`); elsewhere the text is unchanged.
    """

    output_field = CharField()
    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="accords_without_nul(%(expressions)s)")


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created receiver (connected in AgreementsConfig.ready)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "accords_without_nul", 1, _without_nul, deterministic=True
        )


def spreadsheet_safe(field):
    """The text of `field` (a name or an expression) without NULs, with an apostrophe
    in front when its first character could start a formula (FORMULA_START)."""
    text = WithoutNul(F(field) if isinstance(field, str) else field)
    return SqlCase(
        When(In(Left(text, 1), FORMULA_START), then=Concat(Value("'"), text)),
        default=text,
        output_field=CharField(),
    )


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
        _("Last reviewed (UTC)"),
        _("Link"),
    ]


def report_values(milestones, *, base_url: str, today: datetime.date | None = None):
    """One row of finished cell text per milestone of a queryset from
    `Milestone.objects.for_report()` (which sets `is_overdue`), in its order."""
    today = today or timezone.localdate()
    language = current_language()

    def shown(field: str, original_language: str):
        # As the pages show it: the translation into the report's language, else the original.
        return spreadsheet_safe(text_in(field, language, original_language=original_language))

    link_prefix = base_url.rstrip("/") + reverse(
        "agreements:agreement_detail", kwargs={"slug": "slug-placeholder"}
    ).replace("slug-placeholder/", "")
    cells = {
        "csv_reference": spreadsheet_safe("agreement__reference"),
        "csv_agreement": shown("agreement__title", "agreement__original_language"),
        "csv_milestone": shown("title", "agreement__original_language"),
        "csv_area": shown("area__name", "area__original_language"),
        "csv_agency": shown("responsible_agency__name", "responsible_agency__original_language"),
        "csv_due": IsoDate("due_date"),
        "csv_status": SqlCase(
            *[
                When(status=value, then=Value(str(label)))
                for value, label in Milestone.Status.choices
            ],
            default=WithoutNul(F("status")),
            output_field=CharField(),
        ),
        "csv_met": IsoDate("date_met"),
        "csv_overdue": SqlCase(
            When(is_overdue=True, then=Value(_("yes"))),
            default=Value(_("no")),
            output_field=CharField(),
        ),
        # Days past due (or left) mean something for open work only: empty once met or cancelled.
        "csv_days": SqlCase(
            When(status__in=CLOSED_MILESTONE_STATUSES, then=Value(None)),
            default=DaysSince(Value(today), "due_date"),
            output_field=IntegerField(),
        ),
        "csv_reviewed": UtcTimestamp("last_reviewed"),
        "csv_link": Concat(
            Value(link_prefix),
            WithoutNul(F("agreement__slug")),
            Value("/"),
            output_field=CharField(),
        ),
    }
    return milestones.annotate(**cells).values_list(*cells)


def python_csv_chunks(rows, *, lineterminator: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    while batch := list(islice(rows, BATCH_ROWS)):
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class _QueueWriter:
    """File-like target for COPY: gathers rows into chunks and hands them over."""

    def __init__(self, chunks: queue.Queue, stop: threading.Event):
        self.chunks, self.stop, self.parts, self.size = chunks, stop, [], 0

    def write(self, data):
        if self.stop.is_set():
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.flush()

    def flush(self):
        if self.parts:
            self.chunks.put(b"".join(self.parts))
            self.parts, self.size = [], 0


def postgresql_copy_chunks(values, using: str) -> Iterator[bytes]:
    """Stream `COPY (query) TO STDOUT` of a values queryset, in order, with bounded memory.

    psycopg2's copy_expert() pushes into a file object instead of being iterable, so
    it runs in a helper thread on this request's own connection while this generator
    passes its chunks on; a bounded queue keeps the two in step.
    """
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    sql, params = values.query.sql_with_params()
    with raw.cursor() as cursor:
        select = cursor.mogrify(sql, params).decode()
    chunks: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()
    done = object()
    failure = []
    # Inside a transaction, a cancelled COPY would poison it: fence it with a savepoint.
    fenced = connection.in_atomic_block

    def copy():
        writer = _QueueWriter(chunks, stop)
        try:
            with raw.cursor() as cursor:
                if fenced:
                    cursor.execute("SAVEPOINT accords_csv_export")
                try:
                    cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", writer)
                except Exception:
                    if fenced:
                        cursor.execute("ROLLBACK TO SAVEPOINT accords_csv_export")
                    raise
                if fenced:
                    cursor.execute("RELEASE SAVEPOINT accords_csv_export")
            writer.flush()
        except Exception as error:  # noqa: BLE001 - handed to the streaming thread below
            failure.append(error)
        finally:
            chunks.put(done)

    worker = threading.Thread(target=copy, name="csv-export-copy", daemon=True)
    worker.start()
    try:
        while (chunk := chunks.get()) is not done:
            yield chunk
        if failure and not stop.is_set():
            raise failure[0]
    finally:
        if worker.is_alive():  # the client went away: stop the query and free the connection
            stop.set()
            raw.cancel()
            while chunks.get() is not done:
                pass
        worker.join()


def csv_stream(milestones, *, base_url: str, excel: bool = False) -> Iterator[bytes]:
    """The whole report as UTF-8 bytes; with `excel`, a byte-order mark comes first.

    Headers, status labels, yes/no and links are in the language active now (the
    page's, or the command's --language), even though the rows are only read
    later, while the response streams.
    """
    return _csv_chunks(milestones, base_url=base_url, excel=excel, language=get_language())


def _csv_chunks(milestones, *, base_url: str, excel: bool, language: str) -> Iterator[bytes]:
    """Lines end in LF where PostgreSQL writes them (COPY cannot write CRLF) and in
    CRLF otherwise: Python's csv module only quotes a lone CR when CR is part of
    the line ending, and every spreadsheet reads both.
    """
    with override(language):
        values = report_values(milestones, base_url=base_url)
        columns = milestone_columns()
    copy = connections[values.db].vendor == "postgresql"
    lineterminator = "\n" if copy else "\r\n"
    header = io.StringIO()
    header.write(UTF8_BOM if excel else "")
    csv.writer(header, lineterminator=lineterminator).writerow(columns)
    yield header.getvalue().encode("utf-8")
    if copy:
        yield from postgresql_copy_chunks(values, values.db)
    else:
        rows = values.iterator(chunk_size=BATCH_ROWS)
        for text in python_csv_chunks(rows, lineterminator=lineterminator):
            yield text.encode("utf-8")


def export_filename(prefix: str = "", *, today: datetime.date | None = None) -> str:
    """`milestones-2026-11-25.csv`, or `AGR-2025-0001-milestones-2026-11-25.csv` with a prefix."""
    today = today or timezone.localdate()
    prefix = re.sub(r"[^A-Za-z0-9._-]+", "-", prefix).strip("-.")
    return f"{prefix}{'-' if prefix else ''}milestones-{today.isoformat()}.csv"


def max_exports() -> int:
    """Simultaneous CSV downloads per server process; 0 means no cap."""
    value = getattr(settings, "ACCORDS_MAX_EXPORTS", None)
    if value is None:
        value = os.environ.get("ACCORDS_MAX_EXPORTS", "") or DEFAULT_MAX_EXPORTS
    return int(value)


class ExportSlots:
    """Counts the CSV downloads this process is streaming, up to `max_exports()`.

    A download holds its slot from the moment its response is made until the
    server closes the response: when the file is finished, when the client goes
    away, or when the server drops a client that stopped reading. (WSGI servers
    always close a response; a response that is garbage-collected unclosed gives
    its slot back then.)
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.in_use = 0

    def take(self):
        """A release function for a new download, or None when the cap is reached."""
        limit = max_exports()
        with self._lock:
            if limit > 0 and self.in_use >= limit:
                return None
            self.in_use += 1
        released = threading.Event()

        def release():
            with self._lock:
                if not released.is_set():
                    released.set()
                    self.in_use -= 1

        return release


EXPORT_SLOTS = ExportSlots()


class CsvDownload(StreamingHttpResponse):
    """A streamed CSV report that gives its download slot back when it is closed."""

    def __init__(self, chunks, *, release, **kwargs):
        super().__init__(_released_when_done(chunks, release), **kwargs)
        self._release = release
        weakref.finalize(self, release)

    def close(self):
        try:
            super().close()
        finally:
            self._release()


def _released_when_done(chunks, release):
    try:
        yield from chunks
    finally:
        release()


def exports_busy_response(request=None) -> HttpResponse:
    """503 with Retry-After: every download slot of this process is taken."""
    context = {"retry_after": RETRY_AFTER_SECONDS, "nav": "milestones"}
    response = HttpResponse(
        render_to_string("agreements/exports_busy.html", context, request=request), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def milestone_csv_response(
    milestones, *, base_url: str, filename: str, excel: bool = False, request=None
) -> HttpResponse:
    """The report as a download, or a 503 page when too many downloads are running.

    Pass `request` so the 503 page shows the signed-in user's header.
    """
    release = EXPORT_SLOTS.take()
    if release is None:
        return exports_busy_response(request)
    try:
        response = CsvDownload(
            csv_stream(milestones, base_url=base_url, excel=excel),
            release=release,
            content_type="text/csv; charset=utf-8",
        )
    except BaseException:
        release()
        raise
    if excel:  # two different files: in a downloads folder they must not overwrite each other
        filename = f"{filename.removesuffix('.csv')}-excel.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def write_milestone_csv(milestones, stream, *, base_url: str, excel: bool = False) -> None:
    """Write the report to a binary stream (the management command)."""
    for chunk in csv_stream(milestones, base_url=base_url, excel=excel):
        stream.write(chunk)
