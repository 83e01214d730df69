import datetime
import re

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from agreements import search
from agreements.search import SearchColumns
from agreements.translated import (
    LANGUAGE_CODES,
    Translatable,
    TranslatableQuerySet,
    original_language_field,
    translation_columns,
    translations_of,
)
from partners.models import Agency, Representative


def can_see_internal(user) -> bool:
    """Internal agreements are for staff who may view agreements, never for the public."""
    return bool(user and user.is_authenticated and user.has_perm("agreements.view_agreement"))


def officer_error(record) -> dict:
    """A newly named responsible officer must be active staff (one named before who
    has since left may stay, so that saving the record does not fail or lose them)."""
    officer = record.responsible_officer if record.responsible_officer_id else None
    if officer is None or (officer.is_staff and officer.is_active):
        return {}
    unchanged = type(record)._default_manager.filter(
        pk=record.pk, responsible_officer_id=record.responsible_officer_id
    )
    if record.pk and unchanged.exists():
        return {}
    return {"responsible_officer": _("Choose a staff member whose account is active.")}


def unique_slug(model, text: str, *, max_length: int = 100, exclude_pk=None) -> str:
    base = slugify(text)[: max_length - 6].strip("-") or model._meta.model_name
    candidate, n = base, 2
    others = model._default_manager.exclude(pk=exclude_pk) if exclude_pk else model._default_manager
    while others.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def count_per_row(queryset, *, field: str):
    """An annotation: how many rows of `queryset` point at this row through `field`.

    A correlated subquery rather than a join, so that two counts on one row
    do not multiply each other.
    """
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


class CooperationAreaQuerySet(TranslatableQuerySet):
    def with_counts(self, *, user) -> "CooperationAreaQuerySet":
        """Annotate how many agreements and milestones in each area `user` may see."""
        return self.annotate(
            agreement_count=count_per_row(Agreement.objects.visible_to(user), field="areas"),
            milestone_count=count_per_row(Milestone.objects.visible_to(user), field="area"),
        )


class CooperationArea(Translatable, models.Model):
    """A field of cooperation such as cybersecurity or GovTech."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    original_language = original_language_field()
    name_en, name_es, name_ru, name_kk = translations_of(name)
    description_en, description_es, description_ru, description_kk = translations_of(description)

    translated_fields = ("name", "description")

    objects = CooperationAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation area")
        verbose_name_plural = _("cooperation areas")
        ordering = ["name"]

    def __str__(self):
        return self.text("name")

    def get_absolute_url(self):
        return reverse("agreements:area_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if errors := self.clean_translations():
            raise ValidationError(errors)


AUTOMATIC_REFERENCE = re.compile(r"^AGR-(\d{4})-(\d{4,6})$")
SERIES_LAST = 999_999  # the highest number a reference may have (six digits)


def validate_reference(value: str) -> None:
    """References starting with AGR- belong to the automatic series: AGR-<year>-<4 to 6 digits>.

    Anything else (an agency's own numbering) is accepted as typed.
    """
    if value.upper().startswith("AGR-") and not AUTOMATIC_REFERENCE.match(value):
        raise ValidationError(
            _(
                "A reference starting with AGR- must be AGR-, a four-digit year, a hyphen and "
                "4 to 6 digits, e.g. AGR-2025-0001. Leave it blank to get the next number."
            ),
            code="invalid_reference",
        )


class SearchWord(models.Model):
    """A word of a public record, for correcting typos in searches (agreements/search.py)."""

    word = models.CharField(max_length=100, unique=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word


class ReferenceCounter(models.Model):
    """The last number given out in a year's automatic AGR-<year>-NNNN series."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"AGR-{self.year:04d}: {self.last_number}"

    @classmethod
    def locked(cls, year: int) -> "ReferenceCounter":
        """The year's row, locked until the transaction commits (made on first use)."""
        counter = cls.objects.select_for_update().filter(year=year).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = cls.objects.create(year=year, last_number=cls.highest_used(year))
            except IntegrityError:  # a colleague created the row first: wait for it
                counter = cls.objects.select_for_update().get(year=year)
        return counter

    @classmethod
    def take_next(cls, year: int) -> str:
        """The next free AGR-<year>-NNNN reference; call inside a transaction, which keeps
        the year's row locked until it commits."""
        counter = cls.locked(year)
        number = counter.last_number + 1
        # References typed by hand may already use the next numbers: step over them.
        while Agreement.objects.filter(reference=f"AGR-{year:04d}-{number:04d}").exists():
            number += 1
        counter.last_number = number
        counter.save(update_fields=["last_number"])
        return f"AGR-{year:04d}-{number:04d}"

    @classmethod
    def note_typed(cls, reference: str) -> None:
        """A reference typed in the series moves it on: the next blank one follows it,
        whether the year's counter existed yet or not. The series' last number is
        never taken as a start, so numbering always stays within what may be typed."""
        match = AUTOMATIC_REFERENCE.match(reference)
        if match and int(match.group(2)) < SERIES_LAST:
            counter = cls.locked(int(match.group(1)))
            if counter.last_number < int(match.group(2)):
                counter.last_number = int(match.group(2))
                counter.save(update_fields=["last_number"])

    @staticmethod
    def highest_used(year: int) -> int:
        """The highest number of the year's series already on record (a database that
        predates the counter), the series' last number excepted."""
        numbers = [
            number
            for reference in Agreement.objects.filter(
                reference__startswith=f"AGR-{year:04d}-"
            ).values_list("reference", flat=True)
            if (match := AUTOMATIC_REFERENCE.match(reference))
            and (number := int(match.group(2))) < SERIES_LAST
        ]
        return max(numbers, default=0)


class AgreementQuerySet(TranslatableQuerySet):
    def visible_to(self, user) -> "AgreementQuerySet":
        """Anonymous visitors and staff without view permission see public agreements only."""
        if can_see_internal(user):
            return self
        return self.filter(visibility=Agreement.Visibility.PUBLIC)

    def expired_but_active(self, *, today: datetime.date | None = None) -> "AgreementQuerySet":
        """Past their expiry date yet still recorded as signed or in force: the status
        or the date is wrong, and someone should say which."""
        return self.filter(
            expires_on__lt=today or timezone.localdate(),
            status__in=[Agreement.Status.SIGNED, Agreement.Status.IN_FORCE],
        )

    def missing_signatory(self) -> "AgreementQuerySet":
        """With a signatory party for which nobody is recorded as having signed."""
        unsigned = Party.objects.filter(
            agreement=OuterRef("pk"), role=Party.Role.SIGNATORY, signatory__isnull=True
        )
        return self.filter(Exists(unsigned))

    def without_responsible_officer(self) -> "AgreementQuerySet":
        """Still being negotiated or in effect, with nobody to follow it up: no officer
        named, or one whose account is no longer active staff. Its reminders reach no one."""
        return self.filter(
            Q(responsible_officer__isnull=True)
            | Q(responsible_officer__is_active=False)
            | Q(responsible_officer__is_staff=False)
        ).exclude(status__in=Agreement.FINISHED_STATUSES)

    def with_untranslated_milestones(self) -> "AgreementQuerySet":
        """Prefetch, as `untranslated_milestones`, the milestones still missing some
        translation (the admin list's "missing translations" column, as its filter
        counts). A prefetch reads them for the rows shown only: four EXISTS per row
        were computed for every row a filter kept, 6,500 of them, before the page."""
        missing = Q()
        for code in LANGUAGE_CODES:  # never "missing" the language it is written in
            missing |= Milestone.objects.untranslated_condition(code) & ~Q(
                **{MilestoneQuerySet.original_language_lookup: code}
            )
        columns = [
            "agreement_id",
            *[c for f in Milestone.translated_fields for c in (f, *translation_columns(f))],
        ]
        untranslated = Milestone.objects.filter(missing).only(*columns).order_by()
        return self.prefetch_related(
            Prefetch("milestones", queryset=untranslated, to_attr="untranslated_milestones")
        )

    def untranslated_condition(self, code: str) -> Q:
        """The agreement's own texts, or those of one of its milestones."""
        milestones = Milestone.objects.filter(agreement=OuterRef("pk")).filter(
            Milestone.objects.untranslated_condition(code)
        )
        return super().untranslated_condition(code) | Exists(milestones)

    def search(self, text: str) -> "AgreementQuerySet":
        """Agreements with every word of `text` somewhere in them, in any language
        (see agreements/search.py): the portal's lists, the site search, the admin
        and the CSV export all ask this."""
        return search.matching(self, text)

    def with_relevance(self, text: str) -> "AgreementQuerySet":
        return search.with_relevance(self, text)

    def with_milestones_mentioning(self, text: str) -> "AgreementQuerySet":
        """Prefetch, as `milestones_mentioning`, each agreement's milestones with a word
        of `text` in their title: all a search snippet may quote of them (loading
        every milestone of every result cost more than the search itself)."""
        columns = ["agreement_id", "title", *translation_columns("title")]
        matching = Milestone.objects.filter(search.mentioning(search.parse(text))).only(*columns)
        return self.prefetch_related(
            Prefetch("milestones", queryset=matching, to_attr="milestones_mentioning")
        )


class Agreement(Translatable, models.Model):
    """A cooperation instrument signed between two or more agencies."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        COOPERATION = "cooperation", _("Cooperation agreement")
        FRAMEWORK = "framework", _("Framework agreement")
        LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
        ACTION_PLAN = "action_plan", _("Action plan")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NEGOTIATION = "negotiation", _("Under negotiation")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    FINISHED_STATUSES = (Status.EXPIRED, Status.TERMINATED)

    reference = models.CharField(
        _("reference"),
        max_length=32,
        unique=True,
        blank=True,
        validators=[validate_reference],
        help_text=_(
            "Leave blank to assign the next number, e.g. AGR-2025-0001. "
            "A reference of your own must not start with AGR- unless it follows that pattern."
        ),
    )
    title = models.CharField(_("title"), max_length=300)
    title_en, title_es, title_ru, title_kk = translations_of(title)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Web address of the agreement page; made from the title when left blank."),
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=Kind.choices, default=Kind.COOPERATION
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_en, summary_es, summary_ru, summary_kk = translations_of(summary)
    original_language = original_language_field()
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    place_of_signing = models.CharField(_("place of signing"), max_length=255, blank=True)
    place_of_signing_en, place_of_signing_es, place_of_signing_ru, place_of_signing_kk = (
        translations_of(place_of_signing)
    )
    event = models.CharField(
        _("event"),
        max_length=255,
        blank=True,
        help_text=_("Forum or visit at which it was signed, e.g. “Digital Bridge 2025 forum”."),
    )
    event_en, event_es, event_ru, event_kk = translations_of(event)
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    legally_binding = models.BooleanField(
        _("legally binding"),
        null=True,
        blank=True,
        help_text=_("Leave unknown when the text does not say."),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        help_text=_(
            "Public agreements are shown to anyone; internal ones to signed-in staff only."
        ),
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements_responsible_for",
        help_text=_("The staff member who follows this agreement up and gets its reminders."),
    )
    areas = models.ManyToManyField(
        CooperationArea, verbose_name=_("cooperation areas"), related_name="agreements", blank=True
    )
    related = models.ManyToManyField(
        "self", verbose_name=_("related agreements"), blank=True, symmetrical=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    search_title, search_document = SearchColumns()

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[areas], excluded_fields=["updated_at", "search_title", "search_document"]
    )

    translated_fields = ("title", "summary", "place_of_signing", "event")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        # Undated last, as the portal lists them: that order is the one the index
        # agreement_signed_order_idx holds, so the admin's list reads it instead of
        # sorting every agreement (PostgreSQL puts NULLs first in a plain DESC).
        ordering = [F("signed_on").desc(nulls_last=True), "reference"]
        indexes = [
            models.Index(fields=["status"], name="agreement_status_idx"),
            models.Index(fields=["expires_on"], name="agreement_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(entry_into_force__isnull=True)
                | Q(expires_on__gte=F("entry_into_force")),
                name="agreement_expiry_not_before_entry_into_force",
                violation_error_message=_("The expiry date cannot be before entry into force."),
            ),
        ]

    def __str__(self):
        title = self.text("title")
        return f"{self.reference} {title}" if self.reference else title

    def save(self, *args, **kwargs):
        """Assign a blank reference and slug; a colleague saving at the same moment
        never makes this save fail, whatever the database."""
        auto_reference, auto_slug = not self.reference, not self.slug
        for _attempt in range(20):
            try:
                with transaction.atomic():
                    if auto_reference:
                        # Holds the year's counter row until commit: simultaneous saves
                        # queue here for their numbers instead of racing for them.
                        self.reference = ReferenceCounter.take_next(
                            (self.signed_on or timezone.localdate()).year
                        )
                    else:
                        ReferenceCounter.note_typed(self.reference)
                    if auto_slug:
                        self.slug = unique_slug(
                            Agreement, self.title, max_length=120, exclude_pk=self.pk
                        )
                    return super().save(*args, **kwargs)
            except IntegrityError:
                # Only a clash on a value we chose ourselves is ours to retry.
                others = Agreement.objects.exclude(pk=self.pk) if self.pk else Agreement.objects
                clash = (auto_reference and others.filter(reference=self.reference).exists()) or (
                    auto_slug and others.filter(slug=self.slug).exists()
                )
                if auto_reference:
                    self.reference = ""
                if auto_slug:
                    self.slug = ""
                if not clash:
                    raise
        raise IntegrityError("Could not find a free reference and slug for the agreement.")

    def get_absolute_url(self):
        return reverse("agreements:agreement_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = self.clean_translations() | officer_error(self)
        if self.expires_on and self.entry_into_force and self.expires_on < self.entry_into_force:
            errors["expires_on"] = _("The expiry date cannot be before entry into force.")
        if errors:
            raise ValidationError(errors)

    def expiry_note(self, today: datetime.date | None = None) -> str:
        if not self.expires_on:
            return ""
        today = today or timezone.localdate()
        days = (self.expires_on - today).days
        if days < 0:
            return str(_("expired"))
        if days == 0:
            return str(_("expires today"))
        return ngettext("expires in %(days)d day", "expires in %(days)d days", days) % {
            "days": days
        }

    def missing_translations(self) -> list[str]:
        """As the "missing a translation" filter says: its own texts, or (when the
        list has prefetched them, see with_untranslated_milestones) one of its
        milestones'."""
        missing = set(super().missing_translations())
        for milestone in getattr(self, "untranslated_milestones", ()):
            missing.update(milestone.missing_translations())
        return [code for code in LANGUAGE_CODES if code in missing]

    def has_expired(self, today: datetime.date | None = None) -> bool:
        return bool(self.expires_on and self.expires_on < (today or timezone.localdate()))


class PartyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartyQuerySet":
        if can_see_internal(user):
            return self
        return self.filter(agreement__visibility=Agreement.Visibility.PUBLIC)


class Party(models.Model):
    """An agency's part in an agreement, and who signed for it."""

    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("Signatory party")
        IMPLEMENTING = "implementing", _("Implementing body")
        FUNDER = "funder", _("Funder")
        OBSERVER = "observer", _("Witness or observer")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="parties"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.SIGNATORY)
    signatory = models.ForeignKey(
        Representative,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
    )
    signed_on = models.DateField(_("date signed"), null=True, blank=True)

    objects = PartyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agency"],
                name="party_one_per_agency_per_agreement",
                violation_error_message=_("This agency is already a party to the agreement."),
            ),
        ]

    def __str__(self):
        return f"{self.agency} — {self.get_role_display()}"

    def clean(self):
        super().clean()
        if self.signatory_id and self.agency_id and self.signatory.agency_id != self.agency_id:
            raise ValidationError(
                {"signatory": _("The signatory must be a representative of this agency.")}
            )


CLOSED_MILESTONE_STATUSES = ("met", "cancelled")
STALE_AFTER_DAYS = 90  # an open milestone not reviewed for this long needs a look


class MilestoneQuerySet(TranslatableQuerySet):
    original_language_lookup = "agreement__original_language"

    @staticmethod
    def overdue_condition(today: datetime.date) -> Q:
        """Overdue: the due date has passed and the milestone is neither met nor cancelled."""
        # The explicit IS NOT NULL keeps the annotation False, not NULL, for undated rows.
        return Q(due_date__isnull=False, due_date__lt=today) & ~Q(
            status__in=CLOSED_MILESTONE_STATUSES
        )

    def visible_to(self, user) -> "MilestoneQuerySet":
        if can_see_internal(user):
            return self
        return self.filter(agreement__visibility=Agreement.Visibility.PUBLIC)

    def overdue(self, *, today: datetime.date | None = None) -> "MilestoneQuerySet":
        return self.filter(self.overdue_condition(today or timezone.localdate()))

    def not_overdue(self, *, today: datetime.date | None = None) -> "MilestoneQuerySet":
        return self.exclude(self.overdue_condition(today or timezone.localdate()))

    @staticmethod
    def due_within_condition(days: int, today: datetime.date) -> Q:
        """Open, and due between today and `days` days from now, both included."""
        return Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days)) & ~Q(
            status__in=CLOSED_MILESTONE_STATUSES
        )

    def due_within(self, *, days: int, today: datetime.date | None = None) -> "MilestoneQuerySet":
        return self.filter(self.due_within_condition(days, today or timezone.localdate()))

    def search(self, text: str) -> "MilestoneQuerySet":
        """Milestones with every word of `text` in their title or description, or in
        their agreement's reference or title, in any language."""
        return search.matching(self, text)

    def with_relevance(self, text: str) -> "MilestoneQuerySet":
        return search.with_relevance(self, text)

    def open(self) -> "MilestoneQuerySet":
        return self.exclude(status__in=CLOSED_MILESTONE_STATUSES)

    def stale(self, *, now: datetime.datetime | None = None) -> "MilestoneQuerySet":
        """Open milestones nobody has reviewed (saved) for STALE_AFTER_DAYS days."""
        since = (now or timezone.now()) - datetime.timedelta(days=STALE_AFTER_DAYS)
        return self.open().filter(last_reviewed__lt=since)

    def by_due_date(self) -> "MilestoneQuerySet":
        """Soonest first, undated last on every database."""
        return self.order_by(F("due_date").asc(nulls_last=True), "pk")

    def for_report(self, *, user, today: datetime.date | None = None) -> "MilestoneQuerySet":
        """What the milestone list and its CSV export start from: rows `user` may see."""
        return self.visible_to(user).with_report_columns(today=today)

    def with_report_columns(self, *, today: datetime.date | None = None) -> "MilestoneQuerySet":
        """The overdue flag and the related rows every milestone report shows."""
        return search.without_documents(
            self.with_overdue(today=today).select_related("agreement", "area", "responsible_agency")
        )

    def with_overdue(self, *, today: datetime.date | None = None) -> "MilestoneQuerySet":
        """Annotate `is_overdue` so pages and exports never recompute the rule themselves."""
        condition = self.overdue_condition(today or timezone.localdate())
        return self.annotate(
            is_overdue=ExpressionWrapper(condition, output_field=models.BooleanField())
        )


class Milestone(Translatable, models.Model):
    """A step of follow-up work under an agreement (statuses from the Open Contracting standard)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        MET = "met", _("Met")
        PARTIALLY_MET = "partially_met", _("Partially met")
        NOT_MET = "not_met", _("Not met")
        CANCELLED = "cancelled", _("Cancelled")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=300)
    title_en, title_es, title_ru, title_kk = translations_of(title)
    description = models.TextField(_("description"), blank=True)
    description_en, description_es, description_ru, description_kk = translations_of(description)
    area = models.ForeignKey(
        CooperationArea,
        verbose_name=_("cooperation area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
    )
    responsible_agency = models.ForeignKey(
        Agency,
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
        help_text=_("Must be one of the agreement's parties."),
    )
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones_responsible_for",
        help_text=_("Leave empty when the agreement's responsible officer follows it."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    date_met = models.DateField(_("date met"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.SCHEDULED
    )
    last_reviewed = models.DateTimeField(_("last reviewed"), auto_now=True)

    search_title, search_document = SearchColumns()

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["last_reviewed", "search_title", "search_document"]
    )

    translated_fields = ("title", "description")
    language_from = "agreement"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = [F("due_date").asc(nulls_last=True), "pk"]
        indexes = [
            models.Index(fields=["due_date", "id"], name="milestone_due_idx"),
            models.Index(fields=["status", "due_date"], name="milestone_status_due_idx"),
            models.Index(
                fields=["responsible_agency", "due_date"], name="milestone_agency_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="met") | Q(date_met__isnull=False),
                name="milestone_met_has_date_met",
                violation_error_message=_("A met milestone needs the date it was met."),
            ),
            models.CheckConstraint(
                condition=Q(date_met__isnull=True) | Q(status__in=["met", "partially_met"]),
                name="milestone_date_met_only_when_met",
                violation_error_message=_(
                    "A date met is only recorded for a met or partially met milestone."
                ),
            ),
        ]

    def __str__(self):
        return self.text("title")

    @property
    def original_language(self) -> str:
        """A milestone is written in its agreement's language."""
        return self.agreement.original_language if self.agreement_id else "en"

    def clean(self):
        super().clean()
        errors = officer_error(self)
        if self.status == self.Status.MET and not self.date_met:
            errors["date_met"] = _("A met milestone needs the date it was met.")
        if self.date_met and self.status not in (self.Status.MET, self.Status.PARTIALLY_MET):
            errors["status"] = _("Choose “met” or “partially met”, or clear the date met.")
        if self.responsible_agency_id and not self.responsible_agency_is_party():
            errors["responsible_agency"] = _(
                "The responsible agency must be one of the agreement's parties."
            )
        if errors:
            raise ValidationError(errors)

    def responsible_agency_is_party(self) -> bool:
        # The admin sets _pending_party_agency_ids to the parties being added in the same save.
        if self.responsible_agency_id in getattr(self, "_pending_party_agency_ids", ()):
            return True
        return bool(
            self.agreement_id
            and self.agreement.parties.filter(agency_id=self.responsible_agency_id).exists()
        )

    def days_overdue(self, today: datetime.date | None = None) -> int | None:
        """Days past the due date; negative means days remaining."""
        if not self.due_date:
            return None
        return ((today or timezone.localdate()) - self.due_date).days

    def days_left(self, today: datetime.date | None = None) -> int | None:
        days = self.days_overdue(today)
        return None if days is None else -days

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_MILESTONE_STATUSES


class DocumentLink(Translatable, models.Model):
    """Where to read the agreement, its annexes or news about it."""

    class Kind(models.TextChoices):
        FULL_TEXT = "full_text", _("Full text")
        PRESS_RELEASE = "press_release", _("Press release")
        NEWS_ARTICLE = "news_article", _("News article")
        ANNEX = "annex", _("Annex")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    title_en, title_es, title_ru, title_kk = translations_of(title)
    url = models.URLField(_("web address"), max_length=500)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.FULL_TEXT)
    language = models.CharField(
        _("language"), max_length=8, choices=global_settings.LANGUAGES, blank=True
    )
    published_on = models.DateField(_("date published"), null=True, blank=True)

    class Meta:
        verbose_name = _("document link")
        verbose_name_plural = _("document links")
        ordering = ["agreement", F("published_on").asc(nulls_last=True), "pk"]

    translated_fields = ("title",)
    language_from = "agreement"

    def __str__(self):
        return self.text("title")

    @property
    def original_language(self) -> str:
        """The title is in the document's language, else in the agreement's."""
        if self.language:
            return self.language
        return self.agreement.original_language if self.agreement_id else "en"
