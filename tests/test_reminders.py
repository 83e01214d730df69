"""Reminder e-mails: who gets what, once, through a real SMTP server."""

import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Agreement, Milestone
from notifications.models import NotificationSettings, Reminder, Watch
from notifications.reminders import DUE_THRESHOLDS, EXPIRY_THRESHOLDS, threshold_for
from tests.factories import AgreementFactory, MilestoneFactory, UserFactory
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 25)  # a Wednesday
DAYS = datetime.timedelta


def run(today=TODAY, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", f"--today={today}", *args, stdout=out, stderr=err)
    return out.getvalue()


def sent(user, **filters):
    return sorted(Reminder.objects.filter(user=user, **filters).values_list("kind", "threshold"))


@pytest.fixture
def officer(db):
    return UserFactory(username="aigerim", first_name="Aigerim", last_name="Sadykova",
                       groups=["Viewers"])  # fmt: skip


@pytest.fixture
def agreement(officer):
    return AgreementFactory(responsible_officer=officer, visibility="internal")


def due_in(days, agreement, **kwargs):
    return MilestoneFactory(agreement=agreement, due_date=TODAY + DAYS(days), **kwargs)


# Threshold arithmetic ----------------------------------------------------------


@pytest.mark.parametrize(
    "days_left, threshold",
    [(31, None), (30, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0, 0), (-1, None)],
)
def test_due_thresholds_at_the_boundaries(days_left, threshold):
    assert threshold_for(days_left, DUE_THRESHOLDS) == threshold


@pytest.mark.parametrize(
    "days_left, threshold",
    [(91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (1, 7), (0, 0), (-1, None)],
)
def test_expiry_thresholds_at_the_boundaries(days_left, threshold):
    assert threshold_for(days_left, EXPIRY_THRESHOLDS) == threshold


def test_each_milestone_gets_the_threshold_its_date_has_crossed(officer, agreement):
    by_days = {days: due_in(days, agreement) for days in (-1, 0, 1, 2, 7, 8, 30, 31)}
    run()
    reminders = {r.milestone_id: (r.kind, r.threshold) for r in Reminder.objects.all()}
    assert reminders == {
        by_days[-1].pk: ("overdue", 0),
        by_days[0].pk: ("due", 0),
        by_days[1].pk: ("due", 1),
        by_days[2].pk: ("due", 7),
        by_days[7].pk: ("due", 7),
        by_days[8].pk: ("due", 30),
        by_days[30].pk: ("due", 30),
    }  # 31 days away: nothing yet
    assert len(mail.outbox) == 1  # one digest for all of them


@pytest.mark.parametrize(
    "today, due, threshold",
    [
        (datetime.date(2028, 2, 28), datetime.date(2028, 2, 29), 1),  # leap day
        (datetime.date(2028, 2, 28), datetime.date(2028, 3, 1), 7),  # two days, not one
        (datetime.date(2028, 1, 30), datetime.date(2028, 2, 29), 30),  # 30 days across it
        (datetime.date(2027, 1, 29), datetime.date(2027, 3, 1), None),  # 31 days, no 29th
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 1), 1),  # across a year
    ],
)
def test_leap_days_and_year_ends_count_as_calendar_days(officer, agreement, today, due, threshold):
    MilestoneFactory(agreement=agreement, due_date=due)
    run(today)
    assert sent(officer, kind="due") == ([("due", threshold)] if threshold is not None else [])


def test_today_is_the_local_date_of_the_configured_time_zone(
    officer, agreement, settings, monkeypatch
):
    # 20:00 in London on the 24th is 01:00 on the 25th in Astana (UTC+5).
    settings.TIME_ZONE = "Asia/Almaty"
    evening = datetime.datetime(2026, 3, 24, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    due_in(0, agreement)  # due on the 25th
    call_command("send_reminders", stdout=io.StringIO())
    assert sent(officer) == [("due", 0)]
    assert "due today" in mail.outbox[0].body


# Once only -------------------------------------------------------------------


def test_a_second_run_on_the_same_day_sends_nothing(officer, agreement):
    due_in(3, agreement)
    run()
    run()
    run()
    assert len(mail.outbox) == 1
    assert "sent 0 digest(s)" in run()


def test_a_milestone_is_reminded_at_each_threshold_then_weekly_until_met(officer, agreement):
    milestone = due_in(31, agreement)
    for offset in range(0, 47):  # run every day for 47 days
        run(TODAY + DAYS(offset))
    due = Reminder.objects.filter(kind="due").order_by("sent_on")
    assert [(r.threshold, (r.sent_on - TODAY).days) for r in due] == [
        (30, 1), (7, 24), (1, 30), (0, 31)
    ]  # fmt: skip
    overdue = Reminder.objects.filter(kind="overdue").order_by("sent_on")
    # Overdue from day 32: reminded that day, then every seventh day.
    assert [(r.sent_on - TODAY).days for r in overdue] == [32, 39, 46]
    assert len(mail.outbox) == 7
    milestone.status, milestone.date_met = "met", TODAY + DAYS(47)
    milestone.save()
    for offset in range(47, 60):
        run(TODAY + DAYS(offset))
    assert len(mail.outbox) == 7  # met: no more


def test_a_new_due_date_rearms_the_reminders(officer, agreement):
    milestone = due_in(5, agreement)
    run()
    assert sent(officer) == [("due", 7)]
    milestone.due_date = TODAY + DAYS(20)  # postponed
    milestone.save()
    run()  # one digest a day: the news waits for tomorrow's
    assert sent(officer) == [("due", 7)]
    run(TODAY + DAYS(1))
    assert sent(officer) == [("due", 7), ("due", 30)]
    run(TODAY + DAYS(14))  # 6 days before the new date
    assert sent(officer) == [("due", 7), ("due", 7), ("due", 30)]


def test_agreements_expiring_and_expired_but_still_active(officer):
    expiring = AgreementFactory(responsible_officer=officer, expires_on=TODAY + DAYS(30))
    stale_status = AgreementFactory(
        responsible_officer=officer, status="in_force", expires_on=TODAY - DAYS(3)
    )
    AgreementFactory(responsible_officer=officer, status="terminated", expires_on=TODAY + DAYS(7))
    run()
    assert {(r.agreement_id, r.kind, r.threshold) for r in Reminder.objects.all()} == {
        (expiring.pk, "expiring", 30),
        (stale_status.pk, "expired_active", 0),
    }
    run(TODAY + DAYS(7))  # a week on: the wrong status is raised again
    assert Reminder.objects.filter(agreement=stale_status).count() == 2


def test_stale_milestones_once_per_review(officer, agreement):
    milestone = MilestoneFactory(agreement=agreement, status="in_progress")
    reviewed = timezone.make_aware(datetime.datetime(2025, 12, 1, 10))
    Milestone.objects.filter(pk=milestone.pk).update(last_reviewed=reviewed)
    run(datetime.date(2026, 2, 28))  # 89 days: not yet
    assert sent(officer, kind="stale") == []
    run(datetime.date(2026, 3, 2))
    run(datetime.date(2026, 4, 2))
    assert sent(officer, kind="stale") == [("stale", 90)]
    milestone.save()  # reviewed: the clock starts again
    run(datetime.date(2026, 4, 3))
    assert sent(officer, kind="stale") == [("stale", 90)]


# Who hears about what -------------------------------------------------------------


def test_owners_of_milestones_and_watchers_hear_others_do_not(officer, agreement):
    watcher = UserFactory(username="watcher", groups=["Viewers"])
    assignee = UserFactory(username="assignee", groups=["Viewers"])
    bystander = UserFactory(username="bystander", groups=["Viewers"])
    Watch.objects.create(user=watcher, agreement=agreement)
    due_in(1, agreement)
    due_in(2, agreement, responsible_officer=assignee)
    run()
    assert len(sent(officer)) == 2 and len(sent(watcher)) == 2
    assert sent(assignee) == [("due", 7)]
    assert sent(bystander) == []
    assert sorted(m.to[0] for m in mail.outbox) == [
        "aigerim@ministry.example", "assignee@ministry.example", "watcher@ministry.example"
    ]  # fmt: skip


def test_nobody_hears_a_word_about_an_agreement_they_may_not_see(officer, agreement):
    officer.groups.clear()  # staff, but no permission to view internal agreements
    due_in(1, agreement)
    public = AgreementFactory(responsible_officer=officer, visibility="public")
    due_in(1, public)
    run()
    assert [r.milestone.agreement for r in Reminder.objects.all()] == [public]
    body = mail.outbox[0].body
    assert public.reference in body and agreement.reference not in body


def test_losing_view_permission_stops_reminders_at_once(officer, agreement):
    due_in(20, agreement)
    run()
    assert len(mail.outbox) == 1
    officer.groups.clear()
    due_in(0, agreement)
    run()
    assert len(mail.outbox) == 1


def test_settings_frequency_and_scope(officer, agreement):
    everyone = UserFactory(username="everyone", groups=["Viewers"])
    NotificationSettings.objects.create(user=everyone, scope="all")
    weekly = UserFactory(username="weekly", groups=["Viewers"])
    NotificationSettings.objects.create(user=weekly, frequency="weekly")
    Watch.objects.create(user=weekly, agreement=agreement)
    NotificationSettings.objects.create(user=officer, frequency="off")
    due_in(1, agreement)
    run()  # a Wednesday
    assert [m.to for m in mail.outbox] == [["everyone@ministry.example"]]
    run(datetime.date(2026, 3, 29))  # Sunday
    assert not sent(weekly)
    run(datetime.date(2026, 3, 30))  # the next Monday: the weekly digest
    assert sent(weekly) == [("overdue", 0)]  # what is due on the day it comes
    assert sent(officer) == []


def test_no_e_mail_address_or_inactive_account_no_digest(officer, agreement):
    officer.email = ""
    officer.save()
    inactive = UserFactory(username="gone", is_active=False, groups=["Viewers"])
    Watch.objects.create(user=inactive, agreement=agreement)
    due_in(1, agreement)
    assert "to 0 people checked" in run()
    assert mail.outbox == []


# The e-mail ----------------------------------------------------------------


def test_the_digest_groups_overdue_first_with_both_parts_and_absolute_links(
    officer, agreement, settings
):
    settings.ACCORDS_BASE_URL = "https://accords.gov.example"
    due_in(10, agreement, title="Open the GovTech testing platform")
    due_in(-3, agreement, title="Agree the research plan")
    run()
    message = mail.outbox[0]
    assert message.subject == "[Accords] 2 reminders (1 overdue)"
    text = message.body
    assert text.index("Agree the research plan") < text.index("Open the GovTech testing platform")
    assert "due on 22 March 2026, 3 days overdue" in text
    assert "due on 4 April 2026, in 10 days" in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://accords.gov.example/en/agreements/' in html
    assert "Open the GovTech testing platform" in html
    headers = message.extra_headers
    unsubscribe = headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://accords.gov.example/en/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Reminder.objects.values_list("message_id", flat=True)) == {headers["Message-ID"]}


def test_the_digest_comes_in_the_persons_language(officer, agreement):
    NotificationSettings.objects.create(user=officer, language="es")
    due_in(-3, agreement)
    run()
    assert mail.outbox[0].subject == "[Accords] 1 recordatorio (vencidos: 1)"
    assert "/es/agreements/" in mail.outbox[0].body


def test_without_a_choice_the_last_language_used_is_the_digests(client, officer, agreement):
    client.post("/ru/accounts/login/", {"username": "aigerim", "password": "correct horse battery"})
    assert NotificationSettings.objects.get(user=officer).last_language == "ru"
    client.post("/i18n/setlang/", {"language": "kk", "next": "/kk/"})
    assert NotificationSettings.objects.get(user=officer).last_language == "kk"
    due_in(-3, agreement)
    run()
    assert "/kk/agreements/" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Content-Language"] == "kk"


def test_a_digest_lists_fifty_per_group_and_links_to_the_rest(officer, agreement):
    Milestone.objects.bulk_create(
        [Milestone(agreement=agreement, title=f"Step {n}", due_date=TODAY - DAYS(1))
         for n in range(55)]
    )  # fmt: skip
    run()
    assert Reminder.objects.count() == 50
    assert "/en/milestones/?overdue=on" in mail.outbox[0].body
    run()  # not the same day: one digest a day, however often the command runs
    assert Reminder.objects.count() == 50
    run(TODAY + DAYS(1))  # the five left over come the next day
    assert Reminder.objects.count() == 55


def test_dry_run_sends_and_records_nothing(officer, agreement):
    due_in(1, agreement)
    out = run(TODAY, "--dry-run")
    assert "aigerim@ministry.example: [Accords] 1 reminder" in out
    assert mail.outbox == [] and Reminder.objects.count() == 0


# Delivery through a real SMTP server ----------------------------------------------------


def test_delivered_through_smtp(mail_server, officer, agreement):
    due_in(1, agreement, title="Exchange expertise")
    run()
    [message] = mail_server.to("aigerim@ministry.example")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Exchange expertise" in text and "Exchange expertise" in html
    assert Reminder.objects.get().message_id == message["Message-ID"]


def test_a_refused_recipient_is_not_marked_and_is_sent_next_run(mail_server, officer, agreement):
    colleague = UserFactory(username="colleague", groups=["Viewers"])
    Watch.objects.create(user=colleague, agreement=agreement)
    due_in(1, agreement)
    mail_server.refuse.add("aigerim@ministry.example")
    with pytest.raises(CommandError, match="1 digest"):
        run()
    assert sent(officer) == [] and sent(colleague) == [("due", 1)]
    assert len(mail_server.received) == 1
    mail_server.refuse.clear()
    run()
    assert sent(officer) == [("due", 1)]
    assert len(mail_server.to("aigerim@ministry.example")) == 1
    assert len(mail_server.to("colleague@ministry.example")) == 1  # not twice


def test_a_dropped_connection_loses_nothing_and_the_run_goes_on(mail_server, officer, agreement):
    first = UserFactory(username="first", groups=["Viewers"])  # before the officer
    last = UserFactory(username="last", groups=["Viewers"])  # after: on a new connection
    for user in (first, last):
        Watch.objects.create(user=user, agreement=agreement)
    due_in(1, agreement)
    mail_server.drop_for.add("aigerim@ministry.example")
    with pytest.raises(CommandError):
        run()
    assert sent(officer) == []
    assert sent(first) == sent(last) == [("due", 1)]
    mail_server.drop_for.clear()
    run()
    assert sent(officer) == [("due", 1)]
    assert len(mail_server.received) == 3


def test_a_server_that_is_down_marks_nothing(settings, officer, agreement):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listening
    due_in(1, agreement)
    with pytest.raises(CommandError, match="next run"):
        run()
    assert Reminder.objects.count() == 0


def test_a_crash_half_way_keeps_what_was_sent_and_sends_the_rest_once(
    officer, agreement, monkeypatch
):
    other = UserFactory(username="other", groups=["Viewers"])
    Watch.objects.create(user=other, agreement=agreement)
    due_in(1, agreement)
    from notifications.management.commands import send_reminders

    real_compose = send_reminders.compose

    def killed_at_other(digest, **kwargs):
        if digest.user == other:
            raise KeyboardInterrupt  # the process is stopped half-way through the run
        return real_compose(digest, **kwargs)

    monkeypatch.setattr(send_reminders, "compose", killed_at_other)
    with pytest.raises(KeyboardInterrupt):
        run()
    assert sent(officer) == [("due", 1)] and sent(other) == []
    monkeypatch.setattr(send_reminders, "compose", real_compose)
    run()
    assert sent(officer) == sent(other) == [("due", 1)]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "aigerim@ministry.example",
        "other@ministry.example",
    ]


def test_a_malformed_address_fails_that_person_only(mail_server, officer, agreement):
    broken = UserFactory(username="broken", email="a@b@ministry.example", groups=["Viewers"])
    later = UserFactory(username="later", groups=["Viewers"])
    for user in (broken, later):
        Watch.objects.create(user=user, agreement=agreement)
    due_in(1, agreement)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 digest"):
        call_command("send_reminders", f"--today={TODAY}", stdout=io.StringIO(), stderr=err)
    assert "a@b@ministry.example" in err.getvalue()
    assert sent(broken) == []
    assert sent(officer) == sent(later) == [("due", 1)]


def test_a_weekly_digest_missed_on_monday_goes_with_the_next_run_of_the_week(
    mail_server, officer, agreement
):
    monday = datetime.date(2026, 3, 30)
    NotificationSettings.objects.create(
        user=officer, frequency="weekly", last_run_on=monday - DAYS(7)
    )
    due_in(10, agreement)
    mail_server.refuse.add("aigerim@ministry.example")
    with pytest.raises(CommandError):
        run(monday)
    mail_server.refuse.clear()
    run(monday + DAYS(1))  # Tuesday
    assert len(mail_server.to("aigerim@ministry.example")) == 1
    run(monday + DAYS(2))  # once a week
    run(monday + DAYS(6))
    assert len(mail_server.to("aigerim@ministry.example")) == 1
    run(monday + DAYS(7))  # the next Monday
    assert len(mail_server.to("aigerim@ministry.example")) == 2


def test_the_database_refuses_a_second_copy_of_a_reminder(officer, agreement):
    from django.db import IntegrityError, transaction

    milestone = due_in(1, agreement)
    row = dict(user=officer, kind="due", milestone=milestone, threshold=1,
               subject_date=milestone.due_date, sent_on=TODAY, message_id="<a@b>")  # fmt: skip
    Reminder.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**row)


# Unsubscribe ----------------------------------------------------------------


def unsubscribe_path():
    return urlsplit(mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")).path


def test_one_click_unsubscribe_without_logging_in(officer, agreement):
    due_in(1, agreement)
    run()
    mail_program = Client(enforce_csrf_checks=True)  # posts without any form or cookie
    page = mail_program.get(unsubscribe_path())
    assert page.status_code == 200 and "Stop reminder e-mails" in page.content.decode()
    assert NotificationSettings.objects.filter(user=officer, frequency="off").count() == 0
    done = mail_program.post(unsubscribe_path(), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert NotificationSettings.objects.get(user=officer).frequency == "off"
    due_in(0, agreement)
    run(TODAY + DAYS(1))
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("case", ["forged", "tampered", "expired", "deleted user"])
def test_a_bad_unsubscribe_link_says_so_and_changes_nothing(officer, agreement, case, monkeypatch):
    due_in(1, agreement)
    run()
    path = unsubscribe_path()
    if case == "forged":
        path = f"/en/unsubscribe/{officer.pk}:1abcde:forgedsignature/"
    elif case == "tampered":
        token = path.split("/")[-2]
        path = path.replace(token, f"{officer.pk + 1}{token[len(str(officer.pk)) :]}")
    elif case == "expired":
        later = timezone.now().timestamp() + 366 * 24 * 3600
        monkeypatch.setattr(signing.time, "time", lambda: later)
    else:
        officer.delete()
    response = Client().post(path)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not NotificationSettings.objects.filter(frequency="off").exists()


# Scale ------------------------------------------------------------------------------


def queries_for(people: int) -> int:
    for n in range(people):
        user = UserFactory(username=f"scale{people}-{n}", groups=["Viewers"])
        owned = AgreementFactory(responsible_officer=user, expires_on=TODAY + DAYS(20))
        for days in (-8, -1, 0, 3, 12):
            due_in(days, owned)
        Watch.objects.create(user=user, agreement=AgreementFactory())
    with CaptureQueriesContext(connection) as queries:
        run()
    Reminder.objects.all().delete()
    Agreement.objects.all().delete()
    User.objects.all().delete()
    return len(queries)


def test_a_run_costs_a_fixed_number_of_queries_per_person(db):
    three, thirty = queries_for(3), queries_for(30)
    assert len(mail.outbox) == 33
    # Per person, a first run: their settings row, locked (read, then made: three
    # statements with the savepoint around the insert); whether today's digest went;
    # two for their permissions; the agreements they follow; five for what is due;
    # noting the run; the record of what was sent; the savepoint around it all.
    per_person = (thirty - three) / 27
    assert per_person == 17
    # The run's own: who is due a digest, who they are, and on PostgreSQL a refresh
    # of the reminders table's statistics: per 200 people, whatever they follow.
    assert three - 3 * per_person == (3 if connection.vendor == "postgresql" else 2)
