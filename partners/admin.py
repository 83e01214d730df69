from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from import_export.admin import ImportExportMixin

from agreements.admin_base import (
    MissingTranslationFilter,
    RecordAdmin,
    RecordInline,
    TranslatedFieldsAdmin,
    in_page_language,
)
from agreements.imports import AgencyResource, RepresentativeResource, SpreadsheetImport
from agreements.models import Party, count_per_row
from agreements.translated import translation_columns

from .models import Agency, Representative


class RepresentativeInline(RecordInline, admin.TabularInline):
    model = Representative
    extra = 0
    fields = ["full_name", "position", "email", "phone"]


@admin.register(Agency)
class AgencyAdmin(SpreadsheetImport, ImportExportMixin, TranslatedFieldsAdmin, RecordAdmin):
    resource_classes = [AgencyResource]
    list_display = [
        in_page_language("name", _("name")),
        in_page_language("acronym", _("acronym")),
        "kind",
        "country",
        "jurisdiction",
        "parent",
        "agreement_count",
        "missing_translations",
    ]
    list_filter = ["kind", ("country", CountryFilter), MissingTranslationFilter]
    list_select_related = ["parent"]
    search_fields = [
        "name",
        *translation_columns("name"),
        "acronym",
        *translation_columns("acronym"),
        "jurisdiction",
    ]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [RepresentativeInline]

    def get_queryset(self, request):
        # A per-row subquery: only the rows on the page are counted.
        return (
            super()
            .get_queryset(request)
            .annotate(agreement_count=count_per_row(Party.objects.all(), field="agency"))
        )

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count


@admin.register(Representative)
class RepresentativeAdmin(
    SpreadsheetImport, ImportExportMixin, TranslatedFieldsAdmin, RecordAdmin
):
    resource_classes = [RepresentativeResource]
    list_display = ["full_name", "position", "agency", "email", "phone"]
    list_filter = [("agency__country", CountryFilter)]
    list_select_related = ["agency"]
    search_fields = ["full_name", "position", "agency__name", "agency__acronym"]
    autocomplete_fields = ["agency"]

    def get_queryset(self, request):
        # A position is shown in its agency's language: the agency comes with it.
        return super().get_queryset(request).select_related("agency")
