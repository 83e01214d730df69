from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements import search
from agreements.admin_base import (
    RecordAdmin,
    RecordInline,
    TranslatedFieldsAdmin,
    VersionedInlineFormSet,
    could_be_key,
    in_page_language,
)
from agreements.models import Agreement, Milestone

from .forms import DocumentForm
from .models import Document, DocumentVersion
from .storage import removed_on_failure


def describe(version: DocumentVersion | None) -> str:
    if version is None:
        return "—"
    return format_html(
        '<a href="{}">{}</a> · {} · {} · {} · <span title="SHA-256">SHA-256 <code>{}</code></span>',
        version.download_url,
        version.original_name,
        filesizeformat(version.size),
        version.content_type,
        gettext("version %(number)s") % {"number": version.number},
        version.sha256,
    )


class StoresUploads:
    """Files stored by a save that then fails are removed again (see storage)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with removed_on_failure():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with removed_on_failure():
            return super().history_form_view(request, object_id, version_id, extra_context)


class DocumentInlineFormSet(VersionedInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if milestone := form.fields.get("milestone"):
            # Every row's menu lists the same milestones: read them once, not per row.
            if not hasattr(self, "_milestone_choices"):
                self._milestone_choices = list(milestone.choices)
            milestone.choices = self._milestone_choices

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            reading = getattr(form, "reading", None)
            if reading is None or self._should_delete_form(form):
                continue
            if reading.sha256 in seen:
                form.add_error(
                    "upload",
                    gettext("The same file is chosen twice on this page (also for “%(title)s”).")
                    % {"title": seen[reading.sha256]},
                )
            seen[reading.sha256] = form.cleaned_data.get("title", "")


class DocumentInline(RecordInline, admin.StackedInline):
    model = Document
    form = DocumentForm
    formset = DocumentInlineFormSet
    extra = 0
    fields = [
        ("title", "kind", "language"),
        ("dated_on", "visibility", "milestone"),
        "note",
        "upload",
        "current_file",
    ]
    readonly_fields = ["current_file"]
    verbose_name = _("uploaded document")
    view_on_site = False
    verbose_name_plural = _("uploaded documents")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("current_version")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "milestone":
            # Only this agreement's milestones; none yet on a new agreement.
            object_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            pk_field = Agreement._meta.pk
            if object_id and could_be_key(pk_field, object_id):
                # With the agreement: a milestone's name is in its agreement's language.
                kwargs["queryset"] = search.without_documents(
                    Milestone.objects.filter(agreement_id=object_id).select_related("agreement")
                )
            else:
                kwargs["queryset"] = Milestone.objects.none()
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "milestone":
            # Milestones are added in their own section of this page, not in a pop-up.
            for action in ("add", "change", "delete", "view"):
                setattr(field.widget, f"can_{action}_related", False)
        return field

    @admin.display(description=_("current file"))
    def current_file(self, obj):
        if not obj.pk:
            return "—"
        link = reverse("admin:documents_document_change", args=[obj.pk])
        return format_html(
            '{} · <a href="{}">{}</a>', describe(obj.current_version), link, gettext("all versions")
        )


class DocumentAdmin(StoresUploads, TranslatedFieldsAdmin, RecordAdmin):
    form = DocumentForm
    list_display = [
        in_page_language("title", _("title")),
        "agreement",
        "kind",
        "language",
        "visibility",
        "file_size",
        "updated_at",
    ]
    list_filter = ["kind", "visibility"]
    search_fields = ["title", "agreement__reference", "agreement__title"]
    autocomplete_fields = ["agreement", "milestone"]
    list_select_related = ["agreement", "current_version"]
    readonly_fields = ["versions_table", "created_at", "updated_at"]
    fields = [
        "agreement",
        "milestone",
        "title",
        ("kind", "language", "dated_on"),
        "visibility",
        "note",
        "upload",
        "versions_table",
        ("created_at", "updated_at"),
    ]
    show_full_result_count = False
    view_on_site = False  # the public page is the agreement's; files have none

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "current_version")

    @admin.display(description=_("size"), ordering="current_version__size")
    def file_size(self, obj):
        return filesizeformat(obj.current_version.size) if obj.current_version else "—"

    @admin.display(description=_("versions"))
    def versions_table(self, obj):
        if not obj.pk:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            (
                (
                    version.number,
                    format_html(
                        '<a href="{}">{}</a>', version.download_url, version.original_name
                    ),
                    filesizeformat(version.size),
                    version.uploaded_at.strftime("%Y-%m-%d %H:%M UTC"),
                    version.uploaded_by.get_username() if version.uploaded_by else "—",
                    version.sha256,
                )
                for version in obj.versions.select_related("uploaded_by")
            ),
        )
        headings = [
            gettext("Version"), gettext("File name"), gettext("Size"),
            gettext("Uploaded"), gettext("Uploaded by"), "SHA-256",
        ]  # fmt: skip
        head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headings))
        return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, rows)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        form.store_upload(obj, request.user)


admin.site.register(Document, DocumentAdmin)
