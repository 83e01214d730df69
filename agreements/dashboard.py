"""The home page's figures: counts over every agreement and milestone, cached.

Counting a million milestones takes a noticeable fraction of a second, and the
figures only change when records do: they are kept in the shared cache for a
few minutes, per audience (public or staff) and day, and dropped as soon as an
agreement, party, milestone or agency is saved or deleted. (A bare
queryset.update() sends no signal: such figures wait for the next save or for
the five minutes to pass.)
"""

import contextlib
import contextvars
import datetime

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from partners.models import Agency

from .models import (
    Agreement,
    CooperationArea,
    Milestone,
    MilestoneQuerySet,
    Party,
    can_see_internal,
)

CACHE_SECONDS = 300
HOME_WINDOW_DAYS = 90  # "due soon" on the home page: within this many days
VERSION_KEY = "overview:version"


def data_version() -> int:
    """Goes up by one whenever an agreement, party, milestone or agency changes."""
    return cache.get_or_set(VERSION_KEY, 1, None)


def _key(audience: str, today: datetime.date) -> str:
    return f"overview:{data_version()}:{audience}:{today.isoformat()}"


def overview_counts(
    *, user, today: datetime.date | None = None, window_days: int = HOME_WINDOW_DAYS
) -> dict:
    today = today or timezone.localdate()
    audience = "staff" if can_see_internal(user) else "public"
    key = _key(audience, today)
    counts = cache.get(key)
    if counts is None:
        counts = _count(user=user, today=today, window_days=window_days)
        cache.set(key, counts, CACHE_SECONDS)
    return counts


def _count(*, user, today, window_days) -> dict:
    agreements = Agreement.objects.visible_to(user)
    milestones = Milestone.objects.visible_to(user)
    by_status = dict(agreements.order_by().values_list("status").annotate(n=Count("pk")))
    agreements_by_area = dict(
        Agreement.areas.through.objects.filter(agreement__in=agreements.values("pk"))
        .order_by()
        .values_list("cooperationarea")
        .annotate(n=Count("pk"))
    )
    # One pass over the milestones gives the per-area counts and both totals.
    per_area = (
        milestones.order_by()
        .values_list("area")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=MilestoneQuerySet.overdue_condition(today)),
            due_soon=Count("pk", filter=MilestoneQuerySet.due_within_condition(window_days, today)),
        )
    )
    milestones_by_area, totals = {}, {"overdue": 0, "due_soon": 0}
    for area_id, n, overdue, due_soon in per_area:
        if area_id is not None:
            milestones_by_area[area_id] = n
        totals["overdue"] += overdue
        totals["due_soon"] += due_soon
    counts = {
        "by_status": by_status,
        "agreements_by_area": agreements_by_area,
        "milestones_by_area": milestones_by_area,
        "overdue": totals["overdue"],
        "due_soon": totals["due_soon"],
    }
    if can_see_internal(user):  # what staff must put right: the home page's first panel
        # The three questions about agreements in one query, each still asked by
        # its own queryset method.
        counts["attention"] = agreements.order_by().aggregate(
            **{
                name: Count("pk", filter=Q(pk__in=question.values("pk")))
                for name, question in {
                    "expired_active": agreements.expired_but_active(today=today),
                    "missing_signatory": agreements.missing_signatory(),
                    "no_officer": agreements.without_responsible_officer(),
                }.items()
            }
        )
        counts["attention"]["stale"] = milestones.stale().count()
    return counts


def areas_with_counts(counts: dict):
    areas = list(CooperationArea.objects.all())
    for area in areas:
        area.agreement_count = counts["agreements_by_area"].get(area.pk, 0)
        area.milestone_count = counts["milestones_by_area"].get(area.pk, 0)
    return areas


@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
@receiver(post_save, sender=Agreement)
@receiver(post_save, sender=Milestone)
@receiver(post_save, sender=Party)
@receiver(post_delete, sender=Agreement)
@receiver(post_delete, sender=Milestone)
@receiver(post_delete, sender=Party)
@receiver(m2m_changed, sender=Agreement.areas.through)
def forget_counts(**kwargs):
    """Any change makes every cached figure stale: move on to a new key version."""
    if (pending := _batched.get()) is not None:
        pending.append(True)  # once, when the batch ends
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not cached yet
        cache.set(VERSION_KEY, 1, None)


_batched = contextvars.ContextVar("dashboard_batched", default=None)


@contextlib.contextmanager
def counts_forgotten_once():
    """Saves in a batch (a spreadsheet import: several signals for each of thousands
    of rows) move the figures on once, at the end, instead of once per signal."""
    token = _batched.set([])
    try:
        yield
    finally:
        changed = bool(_batched.get())
        _batched.reset(token)
        if changed:
            forget_counts()
