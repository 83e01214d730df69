"""Write the milestone report as CSV (or, with -o NAME.xlsx, as an Excel workbook), with
the same filters as the milestone list page.

For scheduled reports, e.g. from cron:
    python manage.py export_milestones --overdue --area govtech -o overdue.csv
    python manage.py export_milestones --sort -due
"""

import sys

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.exports import write_milestone_csv
from agreements.filters import MilestoneReportFilter
from agreements.models import Milestone
from agreements.spreadsheets import write_workbook

# (option, filter field) pairs; options take the page's values, e.g. --area govtech.
FILTER_OPTIONS = [
    ("search", "q"),
    ("agreement", "agreement"),
    ("agency", "agency"),
    ("area", "area"),
    ("status", "status"),
    ("due_from", "due_from"),
    ("due_to", "due_to"),
    ("due_within", "due_within"),
    ("sort", "sort"),
]


class DashValueParser(CommandParser):
    """Lets an option's value start with '-', as in `--sort -due`.

    argparse takes "-due" for an unknown option and stops with "expected one
    argument"; here an option that takes a value and is followed by something
    that is not itself an option gets it as `--sort=-due`, on the command line
    and from call_command() alike.
    """

    def parse_args(self, args=None, namespace=None):
        args = sys.argv[1:] if args is None else list(args)
        return super().parse_args(self.join_dash_values(args), namespace)

    def join_dash_values(self, args: list[str]) -> list[str]:
        options = self._option_string_actions
        joined, rest = [], iter(args)
        for arg in rest:
            joined.append(arg)
            if arg == "--":  # the rest is positional
                joined += rest
                break
            action = options.get(arg)
            if action is None or action.nargs is not None:
                continue  # not an option that takes one value
            value = next(rest, None)
            if value is None:
                break
            if value.startswith("-") and value not in options:
                joined[-1] = f"{arg}={value}" if arg.startswith("--") else arg + value
            else:
                joined.append(value)
        return joined


class Command(BaseCommand):
    help = "Export milestones as CSV, filtered as on the milestone list page."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = DashValueParser  # Django's parser, plus `--sort -due`
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--search", help='words to find, as in the search box: "big data"')
        parser.add_argument("--agreement", help="agreement reference, e.g. AGR-2025-0001")
        parser.add_argument("--agency", help="responsible agency's slug")
        parser.add_argument("--area", help="cooperation area's slug, e.g. govtech")
        parser.add_argument("--status", help="scheduled, in_progress, met, partially_met, …")
        parser.add_argument("--due-from", dest="due_from", help="YYYY-MM-DD")
        parser.add_argument("--due-to", dest="due_to", help="YYYY-MM-DD")
        parser.add_argument("--due-within", dest="due_within", help="days from today")
        parser.add_argument("--overdue", action="store_true", help="overdue milestones only")
        parser.add_argument("--sort", help="due, -due, agreement, -agreement, status, -status")
        parser.add_argument(
            "-o",
            "--output",
            help="file to write (default: standard output); a name ending in .xlsx "
            "writes an Excel workbook",
        )
        parser.add_argument(
            "--excel", action="store_true", help="start with a byte-order mark for Excel"
        )
        parser.add_argument(
            "--include-internal",
            action="store_true",
            help="include internal agreements' milestones (default: public ones only)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the headers, labels and links (default: %(default)s)",
        )
        parser.add_argument(
            "--base-url",
            default=settings.ACCORDS_BASE_URL,
            help="site address for the link column (default: $ACCORDS_BASE_URL)",
        )

    def handle(self, *args, **options):
        # Messages, headers, labels and links in the language asked for.
        with translation.override(options["language"]):
            self.export(options)

    def export(self, options):
        data = QueryDict(mutable=True)
        for option, field in FILTER_OPTIONS:
            if options[option] is not None:
                data[field] = options[option]
        if options["overdue"]:
            data["overdue"] = "on"
        milestones = (
            Milestone.objects.with_report_columns()
            if options["include_internal"]
            else Milestone.objects.for_report(user=AnonymousUser())
        )
        filterset = MilestoneReportFilter(data, queryset=milestones)
        if not filterset.is_valid():
            problems = "; ".join(
                f"--{field.replace('_', '-')}: {' '.join(errors)}"
                for field, errors in filterset.errors.items()
            )
            raise CommandError(_("Invalid filters: %(problems)s") % {"problems": problems})

        export = {"base_url": options["base_url"], "excel": options["excel"]}
        output = options["output"]
        if output:
            if output.lower().endswith(".xlsx"):
                count = write_workbook(
                    filterset.qs, output, base_url=options["base_url"], title=_("Milestones")
                )
            else:
                with open(output, "wb") as stream:
                    write_milestone_csv(filterset.qs, stream, **export)
                count = filterset.qs.count()
            self.stderr.write(
                ngettext(
                    "Wrote %(count)d milestone to %(file)s",
                    "Wrote %(count)d milestones to %(file)s",
                    count,
                )
                % {"count": count, "file": output}
            )
        else:
            write_milestone_csv(filterset.qs, BytesToText(self.stdout), **export)


class BytesToText:
    """Lets the report, which is bytes, go to the command's (text) standard output."""

    def __init__(self, out):
        self.out = out

    def write(self, chunk: bytes):
        self.out.write(chunk.decode("utf-8"), ending="")
