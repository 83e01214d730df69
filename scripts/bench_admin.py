"""`make bench`, part 3: the admin at scale, as an administrator uses it.

Every changelist (plain, searched, filtered), change and add form and the
autocomplete pickers, requested through Django's full stack in process by a
superuser, on the database bench_export.py seeded. Target: under 300 ms median.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench_pages import REQUESTS, measure  # noqa: E402 - sets Django up
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

TARGET_MS = 300


def pages():
    from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
    from partners.models import Agency, Representative

    def middle(model):
        return model.objects.order_by("pk")[model.objects.count() // 2]

    def admin(model, view, *args):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)

    def picker(model, field, term=""):
        return (
            f"{reverse('admin:autocomplete')}?app_label={model._meta.app_label}"
            f"&model_name={model._meta.model_name}&field_name={field}&term={term}"
        )

    agreement, area = middle(Agreement), CooperationArea.objects.order_by("pk").first()
    busiest = (
        Party.objects.values("agency").annotate(n=Count("pk")).order_by("-n")[0]["agency"]
    )
    last_page = (Agreement.objects.count() + 99) // 100  # the admin shows 100 a page
    rows = [
        ("agreements", admin(Agreement, "changelist")),
        ("agreements, search", admin(Agreement, "changelist") + "?q=agreement+0042"),
        ("agreements, status + area", admin(Agreement, "changelist")
         + f"?status__exact=in_force&areas__id__exact={area.pk}"),
        ("agreements, country + year", admin(Agreement, "changelist")
         + "?country=KZ&signed_year=2020"),
        ("agreements, last page", admin(Agreement, "changelist") + f"?p={last_page}"),
        ("agreement, change", admin(Agreement, "change", agreement.pk)),
        ("agreement, add", admin(Agreement, "add")),
        ("agreement, history", admin(Agreement, "history", agreement.pk)),
        ("milestones", admin(Milestone, "changelist")),
        ("milestones, overdue + area", admin(Milestone, "changelist")
         + f"?overdue=yes&area__id__exact={area.pk}"),
        ("milestones, search", admin(Milestone, "changelist") + "?q=workshop"),
        ("milestone, change", admin(Milestone, "change", middle(Milestone).pk)),
        ("milestone, add", admin(Milestone, "add")),
        ("parties", admin(Party, "changelist")),
        ("party, change", admin(Party, "change", middle(Party).pk)),
        ("agencies", admin(Agency, "changelist")),
        ("agency, change (busiest)", admin(Agency, "change", busiest)),
        ("representatives", admin(Representative, "changelist")),
        ("representative, change", admin(Representative, "change", middle(Representative).pk)),
        ("cooperation areas", admin(CooperationArea, "changelist")),
        ("cooperation area, change", admin(CooperationArea, "change", area.pk)),
        ("document links", admin(DocumentLink, "changelist")),
        ("picker: area (milestone form)", picker(Milestone, "area")),
        ("picker: agreement, typed", picker(Milestone, "agreement", "agreement 004")),
        ("picker: agreement, empty", picker(Milestone, "agreement")),
        ("picker: agency (party form)", picker(Party, "agency", "agency 1")),
        ("picker: signatory", picker(Party, "signatory", "a")),
        ("picker: related agreements", picker(Agreement, "related", "2020")),
    ]  # fmt: skip
    if DocumentLink.objects.exists():
        link = middle(DocumentLink)
        rows.append(("document link, change", admin(DocumentLink, "change", link.pk)))
    return rows


def main():
    if connection.vendor != "postgresql":
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    results = [(name, *measure(client, url)) for name, url in pages()]
    print(f"\nAdmin, superuser, {REQUESTS} requests each (server time in ms, target < {TARGET_MS})")
    print(f"  {'page':34}{'median':>8}{'p95':>8}{'queries':>9}")
    for name, median, p95, _cold, queries in results:
        flag = "  OVER" if median >= TARGET_MS else ""
        print(f"  {name:34}{median:>8.1f}{p95:>8.1f}{queries:>9}{flag}")
    worst = max(results, key=lambda r: r[1])
    print(f"  slowest: {worst[0]} at {worst[1]:.1f} ms median")


if __name__ == "__main__":
    main()
