"""`make bench`, part 4: what search costs besides its pages (bench_pages.py times those).

1. The plans PostgreSQL chooses for each benchmarked search (EXPLAIN ANALYZE of the
   query that reads a list's first matches): which index, how many rows, how long.
2. Keeping the search documents current: saving an agreement with 10 milestones
   (the rebuild runs at commit), and the rebuild on its own.

Runs on the database bench_export.py seeded; every edit is put back.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F  # noqa: E402

import config.wsgi  # noqa: E402, F401 - sets Django up, as the server does

RUNS = 10
SEARCHES = [
    ("one common word", "agreements", "govtech"),
    ("two words", "agreements", "cybersecurity agency"),
    ("a rare word", "agreements", "0099999"),
    ("a phrase", "agreements", '"data management"'),
    ("a number beside a common word", "agreements", "agreement 0042"),
    ("milestones, rare and common words", "milestones", "synthetic milestone 0000042"),
]


def first_matches(kind: str, text: str):
    """The query a list runs for a search (see filters.best_matches), as SQL."""
    from agreements.filters import RANK_AT_MOST
    from agreements.models import Agreement, Milestone

    if kind == "agreements":
        rows, order = Agreement.objects.visible_to(None), [
            F("signed_on").desc(nulls_last=True),
            "reference",
        ]
    else:
        rows, order = Milestone.objects.visible_to(None), [F("due_date").asc(nulls_last=True), "pk"]
    rows = rows.search(text).with_relevance(text).order_by(*order)
    return rows.values_list("pk", "relevance")[: RANK_AT_MOST + 1].query.sql_with_params()


def plans():
    print("\nSearch plans (EXPLAIN ANALYZE of the query that reads a list's first matches)")
    for name, kind, text in SEARCHES:
        sql, params = first_matches(kind, text)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
        scans = [
            line.strip().lstrip("-> ").split("  (")[0]
            for line in lines
            if "Scan" in line and "->" in line or line.lstrip().startswith(("Index", "Bitmap"))
        ]
        total = next(line for line in lines if line.startswith("Execution Time"))
        print(f"  {name} ({kind}: {text}): {total.split(': ')[1]}")
        for scan in scans:
            print(f"      {scan}")


def saves():
    from agreements import search
    from agreements.models import Agreement

    agreement = (
        Agreement.objects.annotate(n=Count("milestones")).filter(n=10).order_by("pk").first()
    )
    if agreement is None:
        print("\nNo agreement with 10 milestones to time a save on.")
        return
    milestone_ids = list(agreement.milestones.values_list("pk", flat=True))
    title = agreement.title
    saving, rebuilding = [], []
    for run in range(RUNS):
        agreement.title = f"{title} ({run})" if run % 2 == 0 else title
        started = time.perf_counter()
        with transaction.atomic():  # the documents are rebuilt when this commits
            agreement.save()
        saving.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with transaction.atomic():
            search.refresh_agreements([agreement.pk])
            search.refresh_milestones(milestone_ids)
        rebuilding.append((time.perf_counter() - started) * 1000)
    agreement.title = title
    agreement.save()
    print(
        f"\nKeeping search documents current ({RUNS} runs, medians): saving an agreement "
        f"with 10 milestones {statistics.median(saving):.1f} ms, of which rebuilding its "
        f"document and its milestones' {statistics.median(rebuilding):.1f} ms"
    )


def main():
    if connection.vendor != "postgresql":
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    plans()
    saves()


if __name__ == "__main__":
    main()
