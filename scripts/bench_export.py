"""`make bench`, part 1: the full milestone CSV export against PostgreSQL's own COPY.

Seeds the synthetic volume once (seed_sample), then measures, in the same run,
COPY (SELECT <the export's columns and joins>) TO STDOUT WITH CSV, the floor for
this job, and the real export view streamed to /dev/null. Each measurement runs
in a fresh process so its peak memory (max RSS) is its own. Prints figures only.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

AGENCIES, AGREEMENTS, MILESTONES = 500, 100_000, 1_000_000
RUNS = 3


def ensure_database():
    """Create the benchmark database on first use (DATABASE_URL names it)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.config()
    if not config or "postgresql" not in config["ENGINE"]:
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    server = {
        "host": config["HOST"], "port": config["PORT"] or 5432,
        "user": config["USER"], "password": config["PASSWORD"],
    }  # fmt: skip
    try:
        psycopg2.connect(dbname=config["NAME"], **server).close()
    except psycopg2.OperationalError:
        admin = psycopg2.connect(dbname="postgres", **server)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
        admin.close()


def setup():
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")


def export_queryset(user):
    from agreements.filters import MilestoneFilter
    from agreements.models import Milestone

    filterset = MilestoneFilter({}, queryset=Milestone.objects.for_report(user=user))
    assert filterset.is_valid()
    return filterset.qs


def bench_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench-reader", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


class Sink:
    def __init__(self):
        self.bytes = 0

    def write(self, data):
        self.bytes += len(data)


RAW_COLUMNS = (
    "agreement__reference", "agreement__title", "title", "area__name",
    "responsible_agency__name", "due_date", "status", "date_met", "is_overdue",
    "last_reviewed", "agreement__slug",
)  # fmt: skip


def measure_copy(kind):
    """COPY of the report query itself ("copy"), or of its bare columns, unformatted ("raw")."""
    from django.db import connection

    from agreements.exports import report_values

    if kind == "copy":
        values = report_values(export_queryset(bench_user()), base_url="http://localhost/")
    else:
        values = export_queryset(bench_user()).values_list(*RAW_COLUMNS)
    sql, params = values.query.sql_with_params()
    sink = Sink()
    with connection.cursor() as cursor:
        select = cursor.cursor.mogrify(sql, params).decode()
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH CSV", sink)
        elapsed = time.perf_counter() - started
    return elapsed, sink.bytes


def measure_export(file_format="csv"):
    from django.test import RequestFactory

    from agreements.views import MilestoneExportView

    request = RequestFactory().get(
        f"/milestones/export.{file_format}", headers={"host": "localhost"}
    )
    request.user = bench_user()
    written = 0
    with open(os.devnull, "wb") as devnull:
        started = time.perf_counter()
        response = MilestoneExportView.as_view(file_format=file_format)(request)
        for chunk in response.streaming_content:
            written += len(chunk)
            devnull.write(chunk)
        elapsed = time.perf_counter() - started
    return elapsed, written


def child(kind):
    setup()
    if kind in ("export", "xlsx"):
        elapsed, amount = measure_export("xlsx" if kind == "xlsx" else "csv")
    else:
        elapsed, amount = measure_copy(kind)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "amount": amount, "peak_mb": peak_mb}))


def run_child(kind):
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ensure_database()
    setup()
    from django.core.management import call_command

    from agreements.exports import milestone_columns
    from agreements.models import Milestone

    call_command("migrate", verbosity=0)
    if Milestone.objects.count() < MILESTONES:
        print(f"Seeding {AGREEMENTS:,} agreements and {MILESTONES:,} milestones (once)…")
        started = time.perf_counter()
        call_command("seed_sample", agencies=AGENCIES, agreements=AGREEMENTS, milestones=MILESTONES)
        print(f"  seeded in {time.perf_counter() - started:.0f} s")
    with django.db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rows = Milestone.objects.count()

    raws = [run_child("raw") for _ in range(RUNS)]
    copies = [run_child("copy") for _ in range(RUNS)]
    exports = [run_child("export") for _ in range(RUNS)]
    header = len(",".join(milestone_columns()).encode()) + 1
    # Same rows and columns as COPY: the export is the header plus COPY's bytes.
    assert all(e["amount"] == copies[0]["amount"] + header for e in exports), (copies, exports)
    raw_s = statistics.median(c["seconds"] for c in raws)
    copy_s = statistics.median(c["seconds"] for c in copies)
    export_s = statistics.median(e["seconds"] for e in exports)
    peak = max(e["peak_mb"] for e in exports)
    print(f"\nFull milestone export, {rows:,} rows, median of {RUNS} runs each")
    print(f"  {'':34}{'seconds':>9}{'rows/s':>12}")
    print(f"  {'COPY, bare columns':34}{raw_s:>9.2f}{rows / raw_s:>12,.0f}")
    print(f"  {'COPY, report query (floor)':34}{copy_s:>9.2f}{rows / copy_s:>12,.0f}")
    print(f"  {'export view, streamed':34}{export_s:>9.2f}{rows / export_s:>12,.0f}")
    print(f"  ratio export / COPY of the report query: {export_s / copy_s:.2f}x   (target <= 3x)")
    print(f"  ratio export / COPY of the bare columns: {export_s / raw_s:.2f}x")
    print(f"  export peak memory (max RSS of its process): {peak:.0f} MB   (target < 150 MB)")
    print(f"  COPY output: {copies[0]['amount'] / 1e6:.0f} MB of CSV")

    # The Excel report: the same rows, typed cells, written in openpyxl's write-only mode.
    # One run: at a million rows it takes minutes.
    xlsx = run_child("xlsx")
    print(f"\nExcel (.xlsx) milestone report, {rows:,} rows, beside the CSV export")
    print(f"  {'':34}{'seconds':>9}{'rows/s':>12}{'peak MB':>10}{'file MB':>10}")
    csv_mb = exports[0]["amount"] / 1e6
    print(f"  {'CSV export view':34}{export_s:>9.2f}{rows / export_s:>12,.0f}{peak:>10.0f}"
          f"{csv_mb:>10.0f}")  # fmt: skip
    print(f"  {'XLSX export view':34}{xlsx['seconds']:>9.2f}{rows / xlsx['seconds']:>12,.0f}"
          f"{xlsx['peak_mb']:>10.0f}{xlsx['amount'] / 1e6:>10.0f}")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
