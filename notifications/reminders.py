"""What each person is reminded of, and when.

Every reminder is reckoned from a date (a due date, an expiry date, the day of
the last review) and a threshold: 30, 7 and 1 days before a due date and the day
itself; 90, 30 and 7 days before an expiry and the day itself; every week while
a milestone is overdue or an expired agreement is still marked active; once
when a milestone has gone 90 days without review. A threshold is sent once per
person (the Reminder table says which were), so a run every hour sends nothing
new, and a new date re-arms them all.

A run that missed a day catches up with the nearest threshold only: a milestone
first seen 5 days before its date gets the 7-day reminder, not the 30-day one too.
"""

import dataclasses
import datetime
import functools

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from agreements import search
from agreements.models import STALE_AFTER_DAYS, Agreement, Milestone
from notifications.models import NotificationSettings, Reminder, Watch

DUE_THRESHOLDS = (30, 7, 1, 0)
EXPIRY_THRESHOLDS = (90, 30, 7, 0)
REPEAT_EVERY_DAYS = 7  # overdue milestones, expired agreements still marked active
ITEMS_PER_GROUP = 50  # a digest lists this many per group and links to the rest


def threshold_for(days_left: int, thresholds=DUE_THRESHOLDS) -> int | None:
    """The nearest threshold a date `days_left` days away has crossed (None: none yet)."""
    crossed = [t for t in thresholds if days_left <= t]
    return min(crossed) if days_left >= 0 and crossed else None


def threshold_case(field: str, thresholds, today: datetime.date) -> Case:
    """threshold_for() in SQL, for the rows' own dates."""
    return Case(
        *[
            When(**{f"{field}__lte": today + datetime.timedelta(days=t)}, then=Value(t))
            for t in sorted(thresholds)
        ],
        output_field=IntegerField(),
    )


@dataclasses.dataclass
class Item:
    """One line of a digest: the record and the reminder it stands for."""

    kind: str
    record: Milestone | Agreement
    threshold: int
    subject_date: datetime.date

    @property
    def milestone(self):
        return self.record if isinstance(self.record, Milestone) else None

    @property
    def agreement(self):
        return self.record if isinstance(self.record, Agreement) else self.record.agreement


@dataclasses.dataclass
class Group:
    kind: str
    items: list[Item]
    more: bool  # more than ITEMS_PER_GROUP are due: the digest links to the list


@dataclasses.dataclass
class Digest:
    user: object
    settings: NotificationSettings
    today: datetime.date
    groups: list[Group]

    @property
    def items(self) -> list[Item]:
        return [item for group in self.groups for item in group.items]

    def reminders(self, *, message_id: str) -> list[Reminder]:
        return [
            Reminder(
                user=self.user,
                kind=item.kind,
                milestone=item.milestone,
                agreement=None if item.milestone else item.agreement,
                threshold=item.threshold,
                subject_date=item.subject_date,
                sent_on=self.today,
                message_id=message_id,
            )
            for item in self.items
        ]


def followed_agreement_ids(user) -> list[int]:
    """The agreements `user` is responsible for or watches. Read first, as ids, so
    that the questions about their milestones use the indexes on the milestones'
    agreement and officer: asked in one query with OR, they read every milestone."""
    owned = Agreement.objects.filter(responsible_officer=user).values_list("pk", flat=True)
    watched = Watch.objects.filter(user=user).values_list("agreement_id", flat=True)
    return list(owned.order_by().union(watched.order_by()))


def followed_by(user, *, everything: bool = False):
    """The agreements and the milestones `user` hears about: those they may see and,
    unless they asked for everything, the agreements they own or watch, with their
    milestones and the milestones named for them."""
    agreements = Agreement.objects.visible_to(user)
    milestones = Milestone.objects.visible_to(user)
    if everything:
        return agreements, milestones
    ids = followed_agreement_ids(user)
    return (
        agreements.filter(pk__in=ids),
        milestones.filter(Q(agreement_id__in=ids) | Q(responsible_officer=user)),
    )


def not_yet_sent(user, kind: str, *, record: str, date_field: str, threshold=None, since=None):
    """No reminder of this kind went to `user` about this row at this threshold
    (or, for weekly reminders, since `since`)."""
    sent = Reminder.objects.filter(
        user=user, kind=kind, **{record: OuterRef("pk")}, subject_date=OuterRef(date_field)
    )
    if threshold is not None:
        sent = sent.filter(threshold=threshold)
    if since is not None:
        sent = sent.filter(sent_on__gt=since)
    return ~Exists(sent)


def first(queryset) -> tuple[list, bool]:
    rows = list(queryset[: ITEMS_PER_GROUP + 1])
    return rows[:ITEMS_PER_GROUP], len(rows) > ITEMS_PER_GROUP


def group(kind: str, rows, *, user, today, date_field: str, threshold=None) -> Group:
    """The first of `rows` (by their date) that `user` has not been told about yet.

    `threshold` is a number (one reminder per date), an expression giving each row
    its own (threshold_case), or None for a weekly reminder while the state lasts
    (the threshold recorded is then the number of weeks since the date).
    """
    record = "milestone" if rows.model is Milestone else "agreement"
    unsent = functools.partial(not_yet_sent, user, kind, record=record, date_field=date_field)
    if threshold is None:
        rows = rows.filter(unsent(since=today - datetime.timedelta(days=REPEAT_EVERY_DAYS)))
    elif isinstance(threshold, Case):
        rows = rows.annotate(threshold=threshold).filter(unsent(threshold=OuterRef("threshold")))
    else:
        rows = rows.filter(unsent(threshold=threshold))
    found, more = first(rows.order_by(date_field, "pk"))
    items = []
    for row in found:
        date = getattr(row, date_field)
        if threshold is None:
            reached = (today - date).days // REPEAT_EVERY_DAYS
        else:
            reached = row.threshold if isinstance(threshold, Case) else threshold
        items.append(Item(kind, row, reached, date))
    return Group(kind, items, more)


def digest_for(user, settings: NotificationSettings, *, today: datetime.date) -> Digest:
    """Everything `user` should be told today and has not been, as long as they may
    still see it: six queries, whatever the number of agreements."""
    agreements, milestones = followed_by(
        user, everything=settings.scope == NotificationSettings.Scope.ALL
    )
    agreements = search.without_documents(agreements)
    milestones = search.without_documents(milestones.open().select_related("agreement"))
    due_horizon = today + datetime.timedelta(days=max(DUE_THRESHOLDS))
    expiry_horizon = today + datetime.timedelta(days=max(EXPIRY_THRESHOLDS))
    ask = functools.partial(group, user=user, today=today)
    groups = [
        ask("overdue", milestones.overdue(today=today), date_field="due_date"),
        ask("expired_active", agreements.expired_but_active(today=today), date_field="expires_on"),
        ask(
            "due",
            milestones.filter(due_date__gte=today, due_date__lte=due_horizon),
            date_field="due_date",
            threshold=threshold_case("due_date", DUE_THRESHOLDS, today),
        ),
        ask(
            "expiring",
            agreements.filter(expires_on__gte=today, expires_on__lte=expiry_horizon).exclude(
                status__in=Agreement.FINISHED_STATUSES
            ),
            date_field="expires_on",
            threshold=threshold_case("expires_on", EXPIRY_THRESHOLDS, today),
        ),
        ask(
            "stale",
            milestones.stale(now=stale_reckoning(today)).annotate(
                reviewed_on=TruncDate("last_reviewed")
            ),
            date_field="reviewed_on",
            threshold=STALE_AFTER_DAYS,
        ),
    ]
    return Digest(user, settings, today, [g for g in groups if g.items])


def stale_reckoning(today: datetime.date) -> datetime.datetime:
    """The start of `today`: the instant a run on that day judges staleness at, so
    that a run's result depends on its date only, not on its hour."""
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
