"""Send each staff member the digest of what falls due (run it daily: see README).

Honest delivery: a person's reminders are recorded in the same transaction as
their digest is handed to the mail server, and that transaction commits only
once the server has accepted it. A server that is down, refuses the recipient or
drops the connection leaves nothing recorded for that person: the run carries on
with the others, says who was missed, exits with status 1, and the next run sends
it. Each person commits on their own, so a crash loses nobody else's.

One digest a day at most, however often the command runs (what a digest left for
later waits for tomorrow's); a weekly digest goes out with Monday's run, or with
the first run after it that reaches the person if Monday's missed them.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db import connection as db_connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications.emails import compose
from notifications.models import NotificationSettings, Reminder
from notifications.reminders import digest_for

BATCH = 200  # people read at a time: memory stays flat however many there are
logger = logging.getLogger(__name__)
Frequency = NotificationSettings.Frequency


class DryRun(Exception):
    """Rolls back a person's transaction after showing what would be sent."""


def start_of_week(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def recipients(today: datetime.date):
    """Active staff with an e-mail address whose digest is due today: daily ones
    who have not had today's, weekly ones no run has reached this week."""
    sent_today = Reminder.objects.filter(user=OuterRef("pk"), sent_on=today)
    daily = (
        Q(notification_settings__isnull=True)  # never changed a setting: daily
        | Q(notification_settings__frequency=Frequency.DAILY)
    ) & ~Exists(sent_today)
    # Monday's run, or the first one after it if Monday's missed someone (a person
    # never served yet waits for a Monday).
    not_this_week = Q(notification_settings__last_run_on__lt=start_of_week(today))
    if today.weekday() == 0:
        not_this_week |= Q(notification_settings__last_run_on__isnull=True)
    weekly = Q(notification_settings__frequency=Frequency.WEEKLY) & not_this_week
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(daily | weekly)
        .order_by("pk")
    )


def refresh_statistics() -> None:
    """A run adds thousands of reminders; PostgreSQL's planner, still counting the
    table as it was (empty, on a first run), then reads all of it for each person's
    "not sent yet" questions: 258 s for 1,000 digests instead of 158 s. ANALYZE
    reads a sample, in milliseconds."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Reminder._meta.db_table}")


def still_due(own: NotificationSettings, today: datetime.date) -> bool:
    """Asked again once the person's row is locked: another run may have served
    them since the list of recipients was read."""
    if own.frequency == Frequency.WEEKLY:
        if own.last_run_on is None:
            return today.weekday() == 0
        return own.last_run_on < start_of_week(today)
    if own.frequency == Frequency.OFF:
        return False
    return not Reminder.objects.filter(user=own.user_id, sent_on=today).exists()


class Command(BaseCommand):
    help = "E-mail each staff member the reminders due today (once each; safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show who would get what, send and record nothing",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="reckon as if today were this date (YYYY-MM-DD)",
        )

    def handle(self, *args, dry_run=False, today=None, **options):
        today = today or timezone.localdate(timezone.now())
        connection = get_connection(fail_silently=False)
        sent = reminders = 0
        failures = []
        user_ids = list(recipients(today).values_list("pk", flat=True))
        for start in range(0, len(user_ids), BATCH):
            refresh_statistics()
            batch = get_user_model().objects.filter(pk__in=user_ids[start : start + BATCH])
            for user in batch.order_by("pk"):
                try:
                    count = self.send_one(user, today=today, connection=connection, dry_run=dry_run)
                except IntegrityError:
                    # Another run at the same moment recorded these reminders first,
                    # and sent them: nothing is left to send.
                    logger.info("reminders for %s were sent by another run", user.username)
                    continue
                except Exception as error:  # one person's trouble is not the run's
                    # The mail server refused or hung up, an address is malformed, the
                    # database dropped the connection...: nothing was recorded for this
                    # person, so the next run sends it. The others still get theirs.
                    logger.warning("digest not sent to %s", user.username, exc_info=True)
                    failures.append((user, error))
                    connection.close()  # reopened, for the next person, by the next send
                    if isinstance(error, DatabaseError):
                        close_old_connections()
                    continue
                if count:
                    sent += 1
                    reminders += count
        connection.close()
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            f"{today}: {verb} {sent} digest(s) with {reminders} reminder(s) "
            f"to {len(user_ids)} people checked."
        )
        if failures:
            for user, error in failures:
                self.stderr.write(f"not sent to {user.email!r} ({user.username}): {error}")
            raise CommandError(
                f"{len(failures)} digest(s) not sent; they will be sent by the next run."
            )

    def send_one(self, user, *, today, connection, dry_run) -> int:
        """Send `user` their digest; the number of reminders in it (0: none due)."""
        try:
            with transaction.atomic():
                # Two runs at once queue here, person by person, on the person's
                # settings row (not their account, which logging in writes to).
                own = NotificationSettings.objects.select_for_update().get_or_create(user=user)[0]
                if not still_due(own, today):
                    return 0
                digest = digest_for(user, own, today=today)
                if dry_run and not digest.items:
                    raise DryRun(0)
                own.last_run_on = today
                own.save(update_fields=["last_run_on"])
                if not digest.items:
                    return 0
                message = compose(digest, connection=connection)
                records = digest.reminders(message_id=message.extra_headers["Message-ID"])
                Reminder.objects.bulk_create(records)
                if dry_run:
                    self.stdout.write(f"{user.email}: {message.subject}")
                    raise DryRun(len(records))
                message.send()  # raises unless the server accepted the message
                return len(records)
        except DryRun as done:
            return done.args[0]
