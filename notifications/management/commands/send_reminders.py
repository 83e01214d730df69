"""Send each staff member the digest of what falls due (run it daily: see README).

Honest delivery: a person's reminders are recorded in the same transaction as
their digest is handed to the mail server, and that transaction commits only
once the server has accepted it. A server that is down, refuses the recipient or
drops the connection leaves nothing recorded for that person: the run carries on
with the others, says who was missed, exits with status 1, and the next run sends
it. Each person commits on their own, so a crash loses nobody else's.
"""

import datetime
import smtplib

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications.emails import compose
from notifications.models import NotificationSettings, Reminder, settings_for
from notifications.reminders import digest_for

BATCH = 200  # people read at a time: memory stays flat however many there are


class DryRun(Exception):
    """Rolls back a person's transaction after showing what would be sent."""


def already_sent(today: datetime.date):
    return Reminder.objects.filter(user=OuterRef("pk"), sent_on=today)


def recipients(today: datetime.date):
    """Active staff with an e-mail address whose digest is due today and who have
    not had it yet."""
    frequencies = [NotificationSettings.Frequency.DAILY]
    if today.weekday() == 0:  # Monday
        frequencies.append(NotificationSettings.Frequency.WEEKLY)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(
            Q(notification_settings__frequency__in=frequencies)
            | Q(notification_settings__isnull=True)  # never changed a setting: daily
        )
        .exclude(Exists(already_sent(today)))
        .order_by("pk")
    )


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
            batch = (
                get_user_model()
                .objects.filter(pk__in=user_ids[start : start + BATCH])
                .select_related("notification_settings")
                .order_by("pk")
            )
            for user in batch:
                try:
                    count = self.send_one(user, today=today, connection=connection, dry_run=dry_run)
                except (smtplib.SMTPException, OSError) as error:
                    failures.append((user, error))
                    connection.close()  # a dropped connection is reopened for the next person
                    continue
                except IntegrityError:
                    # Another run at the same moment recorded this person's reminders
                    # first, and sent them: nothing is left to send.
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
                self.stderr.write(f"not sent to {user.email} ({user.username}): {error}")
            raise CommandError(
                f"{len(failures)} digest(s) not sent; they will be sent by the next run."
            )

    def send_one(self, user, *, today, connection, dry_run) -> int:
        """Send `user` their digest; the number of reminders in it (0: none due)."""
        try:
            with transaction.atomic():
                # Two runs at once queue here, person by person: the second then
                # finds the first's records and sends nothing twice.
                # One digest a day at most, however often the command runs: what a
                # digest left for later (over 50 in a group) waits for tomorrow's.
                [locked] = (
                    get_user_model()
                    .objects.select_for_update(of=("self",))
                    .filter(pk=user.pk)
                    .annotate(had_digest=Exists(already_sent(today)))
                    .values("had_digest")
                )
                if locked["had_digest"]:
                    return 0
                digest = digest_for(user, settings_for(user), today=today)
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
