"""`make bench`, part 2: server time and query count of the main pages at scale.

Each page is requested through Django's full middleware stack, in process,
side by side with a floor page (a view that renders base.html and queries
nothing), and reported as median and 95th percentile with its ratio to the
floor's median. Run after bench_export.py has seeded the database.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from django.db import connection  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from config.wsgi import tune_garbage_collector  # noqa: E402 - sets Django up, as the server

tune_garbage_collector()  # as each gunicorn worker does once the application is loaded
from agreements.dashboard import forget_counts  # noqa: E402
from config import urls as site_urls  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
WARMUP = 3


def floor(request):
    return render(request, "base.html")


# The site's own patterns (language-prefixed, which cannot be include()d) plus the floor.
urlpatterns = [path("__floor__/", floor), *site_urls.urlpatterns]


def pages():
    from agreements.models import Agreement, CooperationArea, Party
    from partners.models import Agency

    agreements = Agreement.objects.visible_to(None).order_by("-signed_on", "reference")
    total = agreements.count()
    last_page = (total + 24) // 25
    detail = agreements[total // 2]
    area = CooperationArea.objects.order_by("pk").first()
    agency = (
        Agency.objects.filter(
            pk__in=Party.objects.filter(agreement__visibility="public").values("agency")
        )
        .order_by("slug")
        .first()
    )
    return [
        ("floor (base.html, no queries)", "/__floor__/"),
        ("home", "/"),
        ("agreements list", "/agreements/"),
        ("agreements, search", "/agreements/?q=agreement+0042"),
        # Search (issue: every search p95 <= 50 ms, and <= 2x the unfiltered list).
        ("search: one common word", "/agreements/?q=govtech"),
        ("search: two words", "/agreements/?q=cybersecurity+agency"),
        ("search: a rare word", "/agreements/?q=0099999"),
        ("search: a phrase", "/agreements/?q=%22data+management%22"),
        ("search: a typo", "/agreements/?q=cybersecurty"),
        ("search: milestones", "/milestones/?q=synthetic+milestone+0000042"),
        ("search: site-wide", "/search/?q=govtech"),
        ("agreements, area + status", f"/agreements/?area={area.slug}&status=in_force"),
        ("agreements, last page", f"/agreements/?page={last_page}"),
        ("agreement detail", detail.get_absolute_url()),
        ("milestones, overdue", "/milestones/?overdue=on"),
        ("agency detail", agency.get_absolute_url()),
    ]


def in_english(url: str) -> str:
    """Pages are under a language prefix; an unprefixed address would be a redirect."""
    if url.startswith("/__floor__/") or url.startswith("/en/"):
        return url
    return "/en" + url


class QueryLog:
    """Counts (and with BENCH_SQL=1 prints) the queries of one request."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql))


def chosen(name: str) -> bool:
    """BENCH_ONLY=search measures only the pages whose name contains "search" (and,
    to compare with, the floor and the plain agreements list)."""
    only = os.environ.get("BENCH_ONLY", "")
    return not only or only in name or name.startswith(("floor", "agreements list"))


def measure(client, url):
    for _ in range(WARMUP):
        assert client.get(url).status_code == 200, url
    log = QueryLog()
    with connection.execute_wrapper(log):
        client.get(url)
    if os.environ.get("BENCH_SQL"):
        for ms, sql in log.queries:
            print(f"    {ms:7.1f} ms  {sql[:300]}")
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    forget_counts()  # as after any edit: the cached figures and totals must be recomputed
    started = time.perf_counter()
    client.get(url)
    cold = (time.perf_counter() - started) * 1000
    median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    return median, p95, cold, len(log.queries)


def main():
    if connection.vendor != "postgresql":
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    client = Client(HTTP_HOST="localhost")
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        results = [
            (name, url, *measure(client, in_english(url)))
            for name, url in pages()
            if chosen(name)
        ]
    floor_median = results[0][2]
    print(f"\nPages, anonymous visitor, {REQUESTS} requests each (server time in ms)")
    print(f"  {'page':32}{'median':>8}{'p95':>8}{'x floor':>9}{'queries':>9}{'cold':>8}")
    for name, _url, median, p95, cold, queries in results:
        print(
            f"  {name:32}{median:>8.1f}{p95:>8.1f}{median / floor_median:>9.1f}"
            f"{queries:>9}{cold:>8.1f}"
        )
    print("  (cold: the first request after an edit, when cached totals are recounted)")
    worst = max(results[1:], key=lambda r: r[2])
    print(f"  slowest: {worst[0]} at {worst[2]:.1f} ms median "
          f"({worst[2] / floor_median:.1f}x floor); targets: < 5x floor, < 100 ms")  # fmt: skip


if __name__ == "__main__":
    main()
