"""iCalendar (RFC 5545) files: milestones and agreement expiries as all-day events.

A record keeps its UID for life, so a calendar that subscribes to a feed, or
imports a file twice, updates the event instead of adding a second one; SEQUENCE
counts the record's saved versions and DTSTAMP is its last change, so clients
take a changed date or status as a newer copy of the same event.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from agreements import search
from agreements.models import Agreement, Milestone, count_per_row
from notifications.emails import absolute

FEED_EVENTS = 2000  # the soonest this many; a calendar with more is unreadable anyway
FEED_DAYS_BACK = 365  # a feed is for what comes: dates from a year back on


def feed_start() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=FEED_DAYS_BACK)


def with_versions(queryset: QuerySet) -> QuerySet:
    """Annotate `versions`, the number of saved versions (the audit trail's rows)."""
    return queryset.annotate(versions=count_per_row(queryset.model.history.all(), field="id"))


def milestones_for_calendar(queryset: QuerySet) -> QuerySet:
    return search.without_documents(
        with_versions(queryset.filter(due_date__isnull=False)).select_related("agreement")
    ).order_by("due_date", "pk")


def agreements_for_calendar(queryset: QuerySet) -> QuerySet:
    return search.without_documents(
        with_versions(queryset.filter(expires_on__isnull=False))
    ).order_by("expires_on", "pk")


def host() -> str:
    return urlsplit(settings.ACCORDS_BASE_URL).hostname or "accords"


def all_day(event: icalendar.Event, day: datetime.date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # a date to remember, not time taken


def stamp(event: icalendar.Event, *, changed: datetime.datetime, versions: int) -> None:
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", max(versions - 1, 0))


def milestone_event(milestone: Milestone) -> icalendar.Event:
    agreement = milestone.agreement
    url = absolute(f"{agreement.get_absolute_url()}#milestone-{milestone.pk}")
    event = icalendar.Event()
    event.add("uid", f"milestone-{milestone.pk}@{host()}")
    event.add("summary", f"{milestone.text('title')} ({agreement.reference})")
    all_day(event, milestone.due_date)
    stamp(event, changed=milestone.last_reviewed, versions=milestone.versions)
    event.add(
        "description",
        "\n".join(
            [
                str(agreement),
                f"{_('Status')}: {milestone.get_status_display()}",
                url,
            ]
        ),
    )
    event.add("url", url)
    event.add("categories", [_("Milestone")])
    cancelled = milestone.status == Milestone.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def expiry_event(agreement: Agreement) -> icalendar.Event:
    url = absolute(agreement.get_absolute_url())
    event = icalendar.Event()
    event.add("uid", f"agreement-{agreement.pk}-expiry@{host()}")
    event.add(
        "summary",
        _("Expiry: %(agreement)s") % {"agreement": agreement},
    )
    all_day(event, agreement.expires_on)
    stamp(event, changed=agreement.updated_at, versions=agreement.versions)
    event.add("description", f"{_('Status')}: {agreement.get_status_display()}\n{url}")
    event.add("url", url)
    event.add("categories", [_("Agreement expiry")])
    terminated = agreement.status == Agreement.Status.TERMINATED
    event.add("status", "CANCELLED" if terminated else "CONFIRMED")
    return event


def calendar(name: str, *, milestones=(), agreements=()) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Accords//Cooperation agreements//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", icalendar.vText(name))  # escaped like SUMMARY, not raw
    for milestone in milestones:
        cal.add_component(milestone_event(milestone))
    for agreement in agreements:
        cal.add_component(expiry_event(agreement))
    return cal


def ics_response(cal: icalendar.Calendar, *, filename: str, download: bool) -> HttpResponse:
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(download, filename)
    return response
