import unicodedata

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agreements.admin_base import VersionedForm

from . import content
from .models import Document, DocumentVersion

ACCEPTED_NAMES = _(
    "PDF, OpenDocument (.odt, .ods, .odp), Word, Excel or PowerPoint (.docx, .xlsx, "
    ".pptx), and PNG, JPEG or WebP images"
)


def safe_name(name: str) -> str:
    """The name as the uploader's computer had it, less anything that could act as a
    path or a control character; the browser already sent only the last part."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name or "document"


class DocumentForm(VersionedForm):
    """A document's details and, on adding it or to replace it, its file."""

    upload = forms.FileField(
        label=capfirst(_("file")),
        required=False,
        help_text=_(
            "Accepted: %(kinds)s, up to %(limit)s. Choosing a file for an existing "
            "document adds it as a new version; earlier versions are kept."
        ),
    )

    class Meta:
        model = Document
        fields = "__all__"
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading = None
        field = self.fields["upload"]
        field.help_text = field.help_text % {
            "kinds": ACCEPTED_NAMES,
            "limit": filesizeformat(settings.ACCORDS_DOCUMENT_MAX_BYTES),
        }
        field.widget.attrs["accept"] = ",".join(
            sorted({*content.ACCEPTED, *content.ACCEPTED.values()})
        )
        if not self.instance.pk:
            field.required = True

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        limit = settings.ACCORDS_DOCUMENT_MAX_BYTES
        if getattr(upload, "too_large", False) or upload.size > limit:
            raise forms.ValidationError(
                _("This file is larger than the limit of %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        reading = content.read(upload)
        if reading.size == 0:
            raise forms.ValidationError(_("This file is empty."), code="empty")
        if reading.content_type is None:
            raise forms.ValidationError(
                _(
                    "This kind of file cannot be kept here. Accepted are %(kinds)s; a file "
                    "is judged by its content, not by its name."
                ),
                code="type",
                params={"kinds": ACCEPTED_NAMES},
            )
        upload.name = safe_name(upload.name)
        self.reading = reading
        return upload

    def clean(self):
        cleaned_data = super().clean()
        # The agreement as validated (the document's page), else the row's own (an inline
        # row on the agreement's page): never a number as posted.
        agreement = cleaned_data.get("agreement") or (
            self.instance.agreement if self.instance.agreement_id else None
        )
        if self.reading and agreement and agreement.pk:
            same = (
                DocumentVersion.objects.filter(
                    sha256=self.reading.sha256, document__agreement=agreement
                )
                .select_related("document")
                .first()
            )
            if same:
                self.add_error(
                    "upload",
                    forms.ValidationError(
                        _(
                            "This file is already kept with this agreement, as version "
                            "%(number)s of “%(title)s”."
                        ),
                        code="duplicate",
                        params={"number": same.number, "title": same.document.title},
                    ),
                )
        return cleaned_data

    def store_upload(self, document: Document, user) -> DocumentVersion | None:
        """Called by the admin once the document itself is saved."""
        upload = self.cleaned_data.get("upload") if hasattr(self, "cleaned_data") else None
        if not upload or self.reading is None:
            return None
        return document.add_version(upload, reading=self.reading, user=user)
