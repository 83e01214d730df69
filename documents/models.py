from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Agreement, Milestone
from agreements.translated import (
    LANGUAGE_CODES,
    Translatable,
    TranslatableQuerySet,
    translations_of,
)

from . import content
from .storage import get_document_storage, note_stored, stored_name


def may_see_internal_documents(user) -> bool:
    """Staff who may view documents, or change them (the admin counts that as viewing)."""
    return bool(
        user
        and user.is_authenticated
        and (user.has_perm("documents.view_document") or user.has_perm("documents.change_document"))
    )


class DocumentQuerySet(TranslatableQuerySet):
    def visible_to(self, user) -> "DocumentQuerySet":
        """Staff who may view documents see them all; anyone else sees the public
        documents of public agreements (a document marked public stays hidden while
        its agreement is internal)."""
        if may_see_internal_documents(user):
            return self
        return self.filter(
            visibility=Document.Visibility.PUBLIC,
            agreement__visibility=Agreement.Visibility.PUBLIC,
        )

    def with_file(self) -> "DocumentQuerySet":
        return self.filter(current_version__isnull=False).select_related("current_version")


class Document(Translatable, models.Model):
    """A file kept with an agreement (the signed text, a translation, minutes…), in
    one or more versions; the latest is the one people download."""

    class Kind(models.TextChoices):
        SIGNED_TEXT = "signed_text", _("Signed text")
        TRANSLATION = "translation", _("Translation")
        ANNEX = "annex", _("Annex")
        MINUTES = "minutes", _("Minutes")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other")

    Visibility = Agreement.Visibility

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="files"
    )
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="files",
        help_text=_("Optional: the milestone of this agreement the file belongs to."),
    )
    title = models.CharField(_("title"), max_length=300)
    title_en, title_es, title_ru, title_kk = translations_of(title)
    kind = models.CharField(
        _("kind"), max_length=32, choices=Kind.choices, default=Kind.SIGNED_TEXT
    )
    language = models.CharField(
        _("language"), max_length=8, choices=global_settings.LANGUAGES, blank=True
    )
    dated_on = models.DateField(_("date"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        help_text=_("Public only if the agreement is public; internal files are for staff."),
    )
    note = models.TextField(_("note"), blank=True)
    current_version = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    translated_fields = ("title",)
    language_from = "agreement"

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # agreement_id, not agreement: ordering by the agreement would join its table
        # into every query, row locks included, and lock the agreement with the document.
        ordering = ["agreement_id", F("dated_on").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.text("title")

    def save(self, *args, **kwargs):
        if self.pk and not getattr(self, "_new_version", False):
            # Only add_version changes which file is current: reverting the record to an
            # earlier entry of its history restores its words, never a withdrawn file.
            self.current_version_id = (
                Document.objects.filter(pk=self.pk)
                .values_list("current_version_id", flat=True)
                .first()
            )
        self._new_version = False
        super().save(*args, **kwargs)

    @property
    def download_url(self) -> str:
        # Not get_absolute_url: the admin's "view on site" shortcut would then tell any
        # staff account which documents exist.
        return reverse("documents:download", kwargs={"pk": self.pk})

    @property
    def original_language(self) -> str:
        """The title is in the document's language, else in the agreement's."""
        if self.language in LANGUAGE_CODES:
            return self.language
        return self.agreement.original_language if self.agreement_id else "en"

    def clean(self):
        super().clean()
        errors = self.clean_translations()
        if (
            self.visibility == self.Visibility.PUBLIC
            and self.agreement_id
            and self.agreement.visibility != Agreement.Visibility.PUBLIC
        ):
            errors["visibility"] = _(
                "Only a public agreement's documents can be public. "
                "Make the agreement public first, or keep the document internal."
            )
        if (
            self.milestone_id
            and self.agreement_id
            and self.milestone.agreement_id != self.agreement_id
        ):
            errors["milestone"] = _("Choose one of this agreement's milestones.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return (
            self.visibility == self.Visibility.PUBLIC
            and self.agreement.visibility == Agreement.Visibility.PUBLIC
        )

    def add_version(self, upload, *, reading: content.Reading, user) -> "DocumentVersion":
        """Store `upload` as this document's next version and make it the current one.
        The document's row is locked meanwhile, so two uploads at once get numbers 2
        and 3, never 2 twice."""
        with transaction.atomic():
            Document.objects.select_for_update(of=("self",)).filter(pk=self.pk).order_by().first()
            latest = self.versions.aggregate(latest=Max("number"))["latest"] or 0
            version = DocumentVersion(
                document=self,
                number=latest + 1,
                original_name=upload.name,
                content_type=reading.content_type,
                size=reading.size,
                sha256=reading.sha256,
                uploaded_by=user if user and user.is_authenticated else None,
            )
            extension = content.ACCEPTED[reading.content_type]
            version.file.save(f"upload{extension}", upload, save=False)
            note_stored(version.file.name)
            try:
                version.save()
                self.current_version = version
                self._history_user = version.uploaded_by
                self._new_version = True
                self.save(update_fields=["current_version", "updated_at"])
            except BaseException:
                version.file.storage.delete(version.file.name)  # no file without its row
                raise
        return version


class DocumentVersion(models.Model):
    """One uploaded file: never changed once stored, so its SHA-256 can prove a copy
    restored from backup is the file that was uploaded."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(
        _("file"), storage=get_document_storage, upload_to=stored_name, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_number_unique"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_version_not_empty"),
        ]
        indexes = [models.Index(fields=["sha256"], name="document_version_sha256_idx")]

    def __str__(self):
        return f"{self.original_name} (v{self.number})"

    @property
    def download_url(self) -> str:
        return reverse(
            "documents:version_download",
            kwargs={"pk": self.document_id, "number": self.number},
        )

    @property
    def download_name(self) -> str:
        """The original name, with the extension of what the file really is: a PDF
        uploaded as `minutes.hta` downloads as `minutes.pdf`, never as a program."""
        stem, dot, extension = self.original_name.rpartition(".")
        if not (dot and stem):
            stem, extension = self.original_name, ""
        given = f".{extension.lower()}" if extension else ""
        proper = content.ACCEPTED.get(self.content_type, "")
        if given == proper or (given, proper) == (".jpeg", ".jpg"):
            return self.original_name
        return f"{stem}{proper}"

    @property
    def is_viewable(self) -> bool:
        return self.content_type in content.VIEWABLE

    @property
    def format_name(self) -> str:
        """PDF, DOCX, JPG…: what people call the kind of file."""
        return content.ACCEPTED.get(self.content_type, "").lstrip(".").upper()
