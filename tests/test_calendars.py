"""Calendar feeds and "Add to calendar" files (RFC 5545), read back by two parsers."""

import datetime

import icalendar
import pytest
import vobject
from django.urls import reverse

from agreements.models import Agreement, Milestone
from notifications.models import NotificationSettings, Watch
from tests.factories import AgreementFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db
DUE = datetime.date.today() + datetime.timedelta(days=40)


def events(response) -> dict:
    """UID → event, after both parsers have accepted the file."""
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    vobject.readOne(body).serialize()  # the stricter reader; raises on anything malformed
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def officer(db):
    return UserFactory(username="aigerim", groups=["Viewers"])


@pytest.fixture
def records(officer):
    public = AgreementFactory(visibility="public", expires_on=DUE, title="Public agreement")
    internal = AgreementFactory(
        visibility="internal", responsible_officer=officer, expires_on=DUE, title="Internal one"
    )
    return {
        "public": MilestoneFactory(agreement=public, title="Open the test platform", due_date=DUE),
        "internal": MilestoneFactory(agreement=internal, title="Draft the AI rules", due_date=DUE),
        "undated": MilestoneFactory(agreement=public, title="Someday", due_date=None),
    }


def test_public_feed_shows_public_milestones_as_all_day_events(client, records):
    feed = events(client.get("/calendar/milestones.ics"))
    milestone = records["public"]
    assert set(feed) == {f"milestone-{milestone.pk}@127.0.0.1"}  # not internal, not undated
    event = feed[f"milestone-{milestone.pk}@127.0.0.1"]
    assert event.decoded("DTSTART") == DUE and event.decoded("DTEND") == DUE + datetime.timedelta(1)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert "Open the test platform" in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(
        f"{milestone.agreement.get_absolute_url()}#milestone-{milestone.pk}"
    )
    assert str(event["STATUS"]) == "CONFIRMED"


def test_public_feed_takes_the_milestone_lists_filters(client, records):
    other = MilestoneFactory(agreement=records["public"].agreement, due_date=DUE, status="met",
                             date_met=DUE)  # fmt: skip
    feed = events(client.get("/calendar/milestones.ics?status=met"))
    assert set(feed) == {f"milestone-{other.pk}@127.0.0.1"}
    bad = client.get("/calendar/milestones.ics?due_from=not-a-date&status=nonsense")
    assert bad.status_code == 400
    assert "date" in bad.content.decode().lower()


def test_uid_is_stable_and_sequence_and_dtstamp_move_on_a_change(client, records):
    milestone = records["public"]
    an_hour_ago = milestone.last_reviewed - datetime.timedelta(hours=1)
    Milestone.objects.filter(pk=milestone.pk).update(last_reviewed=an_hour_ago)
    uid = f"milestone-{milestone.pk}@127.0.0.1"
    before = events(client.get("/calendar/milestones.ics"))[uid]
    again = events(client.get("/calendar/milestones.ics"))[uid]
    assert (again["SEQUENCE"], again.decoded("DTSTAMP")) == (
        before["SEQUENCE"], before.decoded("DTSTAMP")
    )  # fmt: skip
    milestone.due_date = DUE + datetime.timedelta(days=7)
    milestone.save()
    after = events(client.get("/calendar/milestones.ics"))[uid]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")
    assert after.decoded("DTSTART") == DUE + datetime.timedelta(days=7)


def test_a_cancelled_milestone_stays_in_the_feed_as_cancelled(client, records):
    milestone = records["public"]
    milestone.status = "cancelled"
    milestone.save()
    event = events(client.get("/calendar/milestones.ics"))[f"milestone-{milestone.pk}@127.0.0.1"]
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_feed_speaks_the_language_asked_for(client, records):
    milestone = records["public"]
    milestone.title_es = "Abrir la plataforma de pruebas"
    milestone.save()
    feed = events(client.get("/calendar/milestones.ics?lang=es"))
    assert "Abrir la plataforma" in str(feed[f"milestone-{milestone.pk}@127.0.0.1"]["SUMMARY"])


def issue_feed(client, user) -> str:
    client.force_login(user)
    client.post(reverse("notifications:calendar_key"), {"action": "issue"})
    token = NotificationSettings.objects.get(user=user).calendar_token
    client.logout()
    return f"/calendar/{token}.ics"


def test_private_feed_has_what_the_officer_owns_and_watches(client, officer, records):
    watched = AgreementFactory(visibility="internal")
    watched_milestone = MilestoneFactory(agreement=watched, due_date=DUE)
    Watch.objects.create(user=officer, agreement=watched)
    url = issue_feed(client, officer)
    response = client.get(url)  # a calendar program: no session, the address is the key
    assert response["Cache-Control"] == "private, no-store"
    feed = events(response)
    internal = records["internal"]
    assert set(feed) == {
        f"milestone-{internal.pk}@127.0.0.1",
        f"milestone-{watched_milestone.pk}@127.0.0.1",
        f"agreement-{internal.agreement.pk}-expiry@127.0.0.1",
    }
    expiry = feed[f"agreement-{internal.agreement.pk}-expiry@127.0.0.1"]
    assert expiry.decoded("DTSTART") == DUE and "Internal one" in str(expiry["SUMMARY"])


def test_a_reissued_or_revoked_address_stops_working(client, officer, records):
    first = issue_feed(client, officer)
    second = issue_feed(client, officer)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.force_login(officer)
    client.post(reverse("notifications:calendar_key"), {"action": "revoke"})
    client.logout()
    assert client.get(second).status_code == 404


def test_a_forged_address_or_a_former_staff_member_gets_404(client, officer, records):
    assert client.get("/calendar/not-a-real-key.ics").status_code == 404
    url = issue_feed(client, officer)
    officer.is_staff = False
    officer.save()
    assert client.get(url).status_code == 404


def test_losing_view_permission_empties_the_private_feed_of_internal_records(
    client, officer, records
):
    url = issue_feed(client, officer)
    officer.groups.clear()
    assert events(client.get(url)) == {}


def test_add_to_calendar_for_one_milestone_and_one_agreement(client, records):
    milestone = records["public"]
    response = client.get(reverse("notifications:milestone_ics", args=[milestone.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="milestone-{milestone.pk}.ics"'
    assert set(events(response)) == {f"milestone-{milestone.pk}@127.0.0.1"}
    agreement = milestone.agreement
    whole = events(client.get(reverse("notifications:agreement_ics", args=[agreement.slug])))
    assert set(whole) == {
        f"milestone-{milestone.pk}@127.0.0.1",
        f"agreement-{agreement.pk}-expiry@127.0.0.1",
    }


def test_add_to_calendar_never_shows_an_internal_record_to_the_public(client, records):
    internal = records["internal"]
    assert client.get(reverse("notifications:milestone_ics", args=[internal.pk])).status_code == 404
    slug = internal.agreement.slug
    assert client.get(reverse("notifications:agreement_ics", args=[slug])).status_code == 404


def test_the_agreement_page_offers_add_to_calendar(client, records):
    milestone = records["public"]
    page = client.get(milestone.agreement.get_absolute_url()).content.decode()
    assert reverse("notifications:agreement_ics", args=[milestone.agreement.slug]) in page
    assert reverse("notifications:milestone_ics", args=[milestone.pk]) in page


def test_text_with_line_breaks_or_quotes_is_escaped_never_a_500(client, records):
    agreement = records["public"].agreement
    Agreement.objects.filter(pk=agreement.pk).update(
        title='Line one\nEND:VCALENDAR\r\nBEGIN:VEVENT "quoted"', reference='MoU "X";\nmore'
    )
    response = client.get(reverse("notifications:agreement_ics", args=[agreement.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{agreement.slug}.ics"'
    lines = response.content.decode().split("\r\n")
    assert lines.count("BEGIN:VCALENDAR") == 1 and lines.count("END:VCALENDAR") == 1
    assert len(events(response)) == 2  # the milestone and the expiry, nothing injected


def test_a_key_that_cannot_be_one_is_a_404(client):
    for path in ("/calendar/%00.ics", "/calendar/a.b.ics", "/calendar/" + "x" * 500 + ".ics"):
        assert client.get(path).status_code == 404, path


def test_a_signed_in_feed_is_not_kept_by_shared_caches(client, officer, records):
    client.force_login(officer)
    response = client.get("/calendar/milestones.ics")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert f"milestone-{records['internal'].pk}@127.0.0.1" in events(response)


def test_the_milestone_list_offers_its_filters_as_a_calendar(client, records):
    page = client.get("/es/milestones/?status=scheduled&page=1").content.decode()
    assert 'href="/calendar/milestones.ics?status=scheduled&amp;lang=es"' in page
    feed = events(client.get("/calendar/milestones.ics?status=scheduled&lang=es"))
    assert f"milestone-{records['public'].pk}@127.0.0.1" in feed
