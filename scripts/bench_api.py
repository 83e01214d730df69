"""`make bench`, part 7: the read API, open data and spreadsheet import at scale.

- API list endpoints (first page, filtered, deep cursor) beside the HTML list
  pages, in the same run and the same way (Django's full stack, in process):
  median and p95 server time and the query count of each;
- export_open_data in records per second and peak memory;
- an import of 10,000 agreements with 100,000 milestones through the admin's
  resources (preview rules, one transaction), time and peak memory, rolled back
  afterwards so the benchmark database stays as seeded.

Each of the last two runs in a process of its own, so its peak memory is its own.
Run after bench_export.py has seeded the database.
"""

import base64
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
WARMUP = 3
IMPORT_AGREEMENTS, IMPORT_MILESTONES = 10_000, 100_000


def cursor(position) -> str:
    """DRF's cursor for "after this position" (what a client that paged that far holds)."""
    return base64.urlsafe_b64encode(f"p={position}".encode()).decode()


def endpoints():
    from agreements.models import Agreement, CooperationArea, Milestone

    public = Agreement.objects.visible_to(None)
    middle_reference = public.order_by("reference").values_list("reference", flat=True)[
        public.count() // 2
    ]
    milestones = Milestone.objects.visible_to(None)
    middle_milestone = milestones.order_by("pk").values_list("pk", flat=True)[
        milestones.count() // 2
    ]
    area = CooperationArea.objects.order_by("pk").first().slug
    return [
        ("HTML agreements list", "/en/agreements/"),
        ("API agreements, first page", "/api/v1/agreements/"),
        ("HTML agreements, area + status", f"/en/agreements/?area={area}&status=in_force"),
        ("API agreements, area + status", f"/api/v1/agreements/?area={area}&status=in_force"),
        ("API agreements, deep cursor", f"/api/v1/agreements/?cursor={cursor(middle_reference)}"),
        ("API agreement detail", f"/api/v1/agreements/{middle_reference}/"),
        ("HTML milestones list", "/en/milestones/"),
        ("API milestones, first page", "/api/v1/milestones/"),
        ("HTML milestones, overdue", "/en/milestones/?overdue=on"),
        ("API milestones, overdue", "/api/v1/milestones/?overdue=true"),
        ("API milestones, deep cursor", f"/api/v1/milestones/?cursor={cursor(middle_milestone)}"),
    ]


def measure(client, url):
    from django.db import connection

    for _ in range(WARMUP):
        assert client.get(url).status_code == 200, url
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or
                                    execute(sql, *args)):  # fmt: skip
        client.get(url)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def api_and_pages():
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings

    from config.wsgi import tune_garbage_collector

    tune_garbage_collector()
    client = Client(HTTP_HOST="localhost")
    rates = {"anonymous": "1000000/minute", "key": "1000000/minute"}
    from django.conf import settings

    with override_settings(
        DEBUG=False, REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        results = [(name, *measure(client, url)) for name, url in endpoints()]
    print(f"\nRead API beside the HTML lists, anonymous, {REQUESTS} requests each (ms)")
    print(f"  {'endpoint':36}{'median':>8}{'p95':>8}{'queries':>9}")
    for name, median, p95, queries in results:
        print(f"  {name:36}{median:>8.1f}{p95:>8.1f}{queries:>9}")
    print("  (API queries include the throttle's 4 cache reads and writes)")


def child_open_data():
    import django

    django.setup()
    from pathlib import Path

    from api.open_data import export

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        index = export(Path(folder))
        seconds = time.perf_counter() - started
    records = sum(f.get("records", 0) for f in index["files"].values())
    megabytes = sum(f["bytes"] for f in index["files"].values()) / 1e6
    return {"seconds": seconds, "records": records, "mb": megabytes}


def import_files():
    """CSV files of 10,000 new agreements and 100,000 milestones, as people send them."""
    from partners.models import Agency

    slugs = list(Agency.objects.order_by("pk").values_list("slug", flat=True)[:50])
    agreements = ["reference,title,kind,status,visibility,signed_on,parties,areas"]
    milestones = ["agreement,title,due_date,status,responsible_agency"]
    for n in range(IMPORT_AGREEMENTS):
        reference = f"AGR-2031-{n + 1:05d}"
        first, second = slugs[n % len(slugs)], slugs[(n + 7) % len(slugs)]
        agreements.append(
            f"{reference},Imported memorandum {n},mou,signed,public,03.10.2025,"
            f"{first}; {second},ict; govtech"
        )
        for m in range(IMPORT_MILESTONES // IMPORT_AGREEMENTS):
            milestones.append(f"{reference},Step {m} of {n},15/0{1 + m % 9}/2026,scheduled,{first}")
    return "\n".join(agreements).encode(), "\n".join(milestones).encode()


def child_import():
    import django

    django.setup()
    from django.db import transaction

    from agreements.imports import AgreementResource, GuardedCSV, MilestoneResource, import_file

    agreements, milestones = import_files()

    class Rollback(Exception):
        pass

    timings = {}
    try:
        with transaction.atomic():
            for name, resource_class, data in (
                ("agreements", AgreementResource, agreements),
                ("milestones", MilestoneResource, milestones),
            ):
                started = time.perf_counter()
                result = import_file(resource_class, data, GuardedCSV)
                timings[name] = time.perf_counter() - started
                assert not result.has_errors() and not result.has_validation_errors(), name
                timings[f"{name}_rows"] = result.totals["new"]
            raise Rollback
    except Rollback:
        pass
    return timings


def run_child(kind):
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def child(kind):
    facts = child_open_data() if kind == "open_data" else child_import()
    facts["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(facts))


def main():
    api_and_pages()
    data = run_child("open_data")
    print(f"\nOpen data (export_open_data): {data['records']:,} records, {data['mb']:.0f} MB "
          f"in {data['seconds']:.1f} s = {data['records'] / data['seconds']:,.0f} records/s, "
          f"peak memory {data['peak_mb']:.0f} MB")  # fmt: skip
    if os.environ.get("BENCH_SKIP_IMPORT"):
        return
    done = run_child("import")
    print("\nImport through the admin's resources (all rules, one transaction, rolled back):")
    print(
        f"  {done['agreements_rows']:,} agreements with parties and areas: "
        f"{done['agreements']:.0f} s ({done['agreements_rows'] / done['agreements']:,.0f} rows/s)"
    )
    print(
        f"  {done['milestones_rows']:,} milestones: {done['milestones']:.0f} s "
        f"({done['milestones_rows'] / done['milestones']:,.0f} rows/s)"
    )
    print(f"  peak memory {done['peak_mb']:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
