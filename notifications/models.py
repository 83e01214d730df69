import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Milestone


class Watch(models.Model):
    """A staff member following an agreement they are not responsible for: its
    reminders and calendar entries come to them too."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="watches",
    )
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(_("watching since"), auto_now_add=True)

    class Meta:
        verbose_name = _("watched agreement")
        verbose_name_plural = _("watched agreements")
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="watch_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user} → {self.agreement}"


class NotificationSettings(models.Model):
    """How one staff member wants to hear about their agreements. A user without a
    row has the defaults: a daily digest about what they own or watch, in the
    language they last used."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Once a week, on Monday")
        OFF = "off", _("Never: no reminders by e-mail")

    class Scope(models.TextChoices):
        MINE = "mine", _("Agreements and milestones I am responsible for or watch")
        ALL = "all", _("Every agreement I may see")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    frequency = models.CharField(
        _("reminder e-mails"), max_length=16, choices=Frequency.choices, default=Frequency.DAILY
    )
    scope = models.CharField(
        _("reminders about"), max_length=16, choices=Scope.choices, default=Scope.MINE
    )
    language = models.CharField(
        _("language of the e-mails"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to receive them in the language you last used here."),
    )
    last_language = models.CharField(
        _("language last used"), max_length=8, blank=True, editable=False
    )
    # The day a reminder run last served this person (sent or found nothing to send):
    # a weekly digest goes to whoever no run has reached since Monday.
    last_run_on = models.DateField(_("last reminder run"), null=True, blank=True, editable=False)
    # The secret in the address of the user's private calendar feed; empty: no feed.
    calendar_token = models.CharField(
        _("calendar key"), max_length=64, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)

    @property
    def email_language(self) -> str:
        return self.language or self.last_language or settings.LANGUAGE_CODE

    def issue_calendar_token(self) -> str:
        """A new secret feed address; the old one stops working at once."""
        self.calendar_token = secrets.token_urlsafe(32)
        self.save(update_fields=["calendar_token"])
        return self.calendar_token

    def revoke_calendar_token(self) -> None:
        self.calendar_token = None
        self.save(update_fields=["calendar_token"])


class Reminder(models.Model):
    """One reminder sent to one person about one milestone or agreement at one
    threshold: the record that keeps it from being sent twice.

    `subject_date` is the date the reminder was reckoned from (the due date, the
    expiry date, the day of the last review): a record about an old date does not
    stop the reminders for a new one.
    """

    class Kind(models.TextChoices):
        DUE = "due", _("Milestone falling due")
        OVERDUE = "overdue", _("Milestone overdue")
        STALE = "stale", _("Milestone not reviewed")
        EXPIRING = "expiring", _("Agreement expiring")
        EXPIRED_ACTIVE = "expired_active", _("Agreement past expiry, still active")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent to"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    # Days before the date (30, 7, 1, 0), or for repeated reminders the weeks since it.
    threshold = models.IntegerField(_("threshold"))
    subject_date = models.DateField(_("date reckoned from"))
    sent_on = models.DateField(_("run date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    message_id = models.CharField(_("message ID"), max_length=255)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(milestone__isnull=True, agreement__isnull=False)
                | Q(milestone__isnull=False, agreement__isnull=True),
                name="reminder_about_one_record",
            ),
            # The database refuses a second copy even from two runs at once.
            models.UniqueConstraint(
                fields=["user", "milestone", "kind", "subject_date", "threshold"],
                condition=Q(milestone__isnull=False),
                name="reminder_once_per_milestone_threshold",
            ),
            models.UniqueConstraint(
                fields=["user", "agreement", "kind", "subject_date", "threshold"],
                condition=Q(agreement__isnull=False),
                name="reminder_once_per_agreement_threshold",
            ),
        ]
        indexes = [models.Index(fields=["sent_on"], name="reminder_sent_on_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.milestone or self.agreement} → {self.user}"


def note_language(user, code: str) -> None:
    """Remember the language a staff member last chose, for their e-mails and feed:
    written when they log in and when they switch language, not on every page."""
    if user.is_staff and code in dict(settings.LANGUAGES):
        NotificationSettings.objects.update_or_create(user=user, defaults={"last_language": code})
