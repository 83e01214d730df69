"""Import a spreadsheet from the command line: for files larger than the admin takes
in one upload, such as an agency's whole register on its first day.

    python manage.py import_records agreements register.xlsx --dry-run
    python manage.py import_records milestones milestones.csv --user aigerim

Every row is checked as in the admin's preview, with the same messages. Nothing is
written while any row has an error, and an import is one transaction: all rows or
none. The audit history names the --user given.
"""

import contextlib
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from agreements.imports import (
    FORMAT_BY_EXTENSION,
    AgencyResource,
    AgreementResource,
    MilestoneResource,
    RepresentativeResource,
    import_file,
    refuse_hostile,
)

RESOURCES = {
    "agencies": AgencyResource,
    "representatives": RepresentativeResource,
    "agreements": AgreementResource,
    "milestones": MilestoneResource,
}
SHOWN_ERRORS = 200  # a file with a wrong column can fail on every row: the first 200


class Command(BaseCommand):
    help = "Import agencies, representatives, agreements or milestones from CSV or .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("records", choices=sorted(RESOURCES), help="what the file holds")
        parser.add_argument("file", help="a .csv (UTF-8) or .xlsx file, headed as the templates")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        parser.add_argument("--user", help="username the audit history names (default: none)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages (default: %(default)s)",
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self.run(options)

    def run(self, options):
        path = Path(options["file"])
        file_format = FORMAT_BY_EXTENSION.get(path.suffix.lower().removeprefix("."))
        if file_format is None:
            raise CommandError(_("Give a .csv or .xlsx file."))
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user named “%(name)s”.") % {"name": options["user"]})
        try:
            with path.open("rb") as stream:
                # A web upload's size limit is not a file's on the server; a ZIP bomb,
                # an encrypted workbook or a 70 KB line is still refused.
                refuse_hostile(stream, max_bytes=None)
                data = stream.read()
            with history_names(user):
                result = import_file(
                    RESOURCES[options["records"]], data, file_format,
                    user=user, dry_run=options["dry_run"],
                )  # fmt: skip
        except OSError as error:
            raise CommandError(str(error)) from None
        except (ValidationError, ValueError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None

        problems = list(errors_of(result))
        for line in problems[:SHOWN_ERRORS]:
            self.stderr.write(line)
        if problems:
            if len(problems) > SHOWN_ERRORS:
                hidden = len(problems) - SHOWN_ERRORS
                self.stderr.write(_("Errors not shown: %(count)s.") % {"count": hidden})
            raise CommandError(_("Nothing was imported: correct the file and run it again."))
        totals = result.totals
        summary = _("New: %(new)s; updated: %(updated)s; unchanged: %(skipped)s.") % {
            "new": totals["new"], "updated": totals["update"], "skipped": totals["skip"],
        }  # fmt: skip
        if options["dry_run"]:
            summary += " " + _("Checked only: nothing was written.")
        self.stdout.write(summary)


@contextlib.contextmanager
def history_names(user):
    """The audit history names `user`, as it names the signed-in user of a request."""
    if user is None:
        yield
        return
    before = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = before


def errors_of(result):
    """Each problem as a line: the file's, then row by row, column by column."""
    for error in result.base_errors:
        yield message_of(error.error)
    for number, errors in result.row_errors():
        for error in errors:
            yield _("Row %(row)s: %(message)s") % {
                "row": number, "message": message_of(error.error),
            }  # fmt: skip
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            for message in messages:
                yield _("Row %(row)s, %(column)s: %(message)s") % {
                    "row": row.number, "column": column, "message": message,
                }  # fmt: skip


def message_of(error) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
