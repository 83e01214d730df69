import re

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from documents.admin import DocumentInline, DocumentInlineFormSet, StoresUploads
from partners.filters import countries_in_use

from . import search
from .admin_base import (
    MissingTranslationFilter,
    PlainRecordAdmin,
    RecordAdmin,
    RecordInline,
    RelatedChoicesFilter,
    TranslatedFieldsAdmin,
    VersionedForm,
    VersionedInlineFormSet,
    guard_library_admins,
    in_page_language,
)
from .dashboard import overview_counts
from .exports import export_filename, milestone_csv_response
from .imports import AgreementResource, MilestoneResource, SpreadsheetImport
from .models import (
    AUTOMATIC_REFERENCE,
    Agreement,
    CooperationArea,
    DocumentLink,
    Milestone,
    Party,
    ReferenceCounter,
)
from .spreadsheets import milestone_xlsx_response
from .translated import translation_columns


class PartyInline(RecordInline, admin.TabularInline):
    model = Party
    extra = 0
    autocomplete_fields = ["agency", "signatory"]
    fields = ["agency", "role", "signatory", "signed_on"]


class OfficerChoices:
    """The responsible officer menus: staff by name, named in full, and whoever is
    named now even if no longer staff (a menu without them would show "---------"
    and clear them on the next save); no buttons to add or edit accounts from an
    agreement's page (accounts are the administrators' business)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "responsible_officer":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(
                    Q(is_staff=True)
                    | Exists(Agreement.objects.filter(responsible_officer=OuterRef("pk")))
                    | Exists(Milestone.objects.filter(responsible_officer=OuterRef("pk")))
                )
                .order_by("first_name", "last_name", "username")
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "responsible_officer":
            field.label_from_instance = officer_name
            for action in ("add", "change", "delete", "view"):
                setattr(field.widget, f"can_{action}_related", False)
        return field


def officer_name(user) -> str:
    name = user.get_full_name()
    name = f"{name} ({user.get_username()})" if name else user.get_username()
    if not (user.is_staff and user.is_active):
        return _("%(name)s, no longer active staff") % {"name": name}
    return name


class MilestoneInlineFormSet(VersionedInlineFormSet):
    """Lets a milestone name an agency that is being added as a party in the same save."""

    PARTY_AGENCY_FIELD = re.compile(r"^parties-(\d+)-agency$")

    def pending_party_agency_ids(self) -> set[int]:
        ids = set()
        for key, value in self.data.items():
            match = self.PARTY_AGENCY_FIELD.match(key)
            if match and value and not self.data.get(f"parties-{match.group(1)}-DELETE"):
                try:
                    ids.add(int(value))
                except ValueError:
                    continue
        return ids

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.is_bound:
            form.instance._pending_party_agency_ids = self.pending_party_agency_ids()
        if officer := form.fields.get("responsible_officer"):
            # Every milestone's menu lists the same staff: read them once, not per milestone.
            if not hasattr(self, "_officer_choices"):
                self._officer_choices = list(officer.choices)
            officer.choices = self._officer_choices


class MilestoneInline(OfficerChoices, RecordInline, admin.StackedInline):
    model = Milestone
    formset = MilestoneInlineFormSet
    extra = 0
    autocomplete_fields = ["area", "responsible_agency"]
    fields = [
        "title",
        "description",
        ("area", "responsible_agency"),
        ("due_date", "status", "date_met"),
        "responsible_officer",
        "last_reviewed",
    ]
    readonly_fields = ["last_reviewed"]
    classes = ["collapse"]


class DocumentLinkInline(RecordInline, admin.TabularInline):
    model = DocumentLink
    extra = 0
    fields = ["title", "url", "kind", "language", "published_on"]


class SigningYearFilter(admin.SimpleListFilter):
    title = _("signing year")
    parameter_name = "signed_year"

    def lookups(self, request, model_admin):
        # From the first and last signing dates: two index lookups, not a scan of every row.
        span = Agreement.objects.aggregate(first=Min("signed_on"), last=Max("signed_on"))
        if not span["first"]:
            return []
        return [
            (str(year), str(year)) for year in range(span["last"].year, span["first"].year - 1, -1)
        ]

    def queryset(self, request, queryset):
        value = self.value() or ""
        # Only years a date can have: "99999" or "0" would make the database query fail.
        if re.fullmatch(r"[0-9]{4}", value) and value != "0000":
            return queryset.filter(signed_on__year=int(value))
        return queryset


class PartyCountryFilter(admin.SimpleListFilter):
    """Agreements with a party from the chosen country (each listed once)."""

    title = _("country of a party")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return countries_in_use()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        parties = Party.objects.filter(agreement=OuterRef("pk"), agency__country=self.value())
        return queryset.filter(Exists(parties))


def per_area(counts: dict):
    """A cached count per area as a column the list can sort by."""
    whens = [When(pk=pk, then=Value(n)) for pk, n in counts.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)


@admin.register(CooperationArea)
class CooperationAreaAdmin(TranslatedFieldsAdmin, PlainRecordAdmin):
    list_display = [
        in_page_language("name", _("name")),
        "slug",
        "agreement_count",
        "milestone_count",
        "missing_translations",
    ]
    list_filter = [MissingTranslationFilter]
    search_fields = ["name", *translation_columns("name"), "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # Counted for the list only, one subquery per row; the area pickers of other
        # forms (autocomplete) use this queryset too and need no counts at all.
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            # The home page's cached figures (recounted after any edit): counting a
            # million milestones per page view took half a second.
            counts = overview_counts(user=request.user)
            return queryset.annotate(
                agreement_count=per_area(counts["agreements_by_area"]),
                milestone_count=per_area(counts["milestones_by_area"]),
            )
        return queryset

    @admin.display(description=_("agreements"), ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count

    @admin.display(description=_("milestones"), ordering="milestone_count")
    def milestone_count(self, obj):
        return obj.milestone_count


class AgreementForm(VersionedForm):
    def clean_reference(self):
        reference = self.cleaned_data["reference"]
        match = AUTOMATIC_REFERENCE.match(reference)
        if match and connection.in_atomic_block:
            # Wait for a colleague's save that is taking numbers in that year, so the
            # uniqueness check that follows sees the number it took: a clash is then
            # a message on this field, not an error when the row is inserted.
            ReferenceCounter.locked(int(match.group(1)))
        return reference


@admin.register(Agreement)
class AgreementAdmin(
    SpreadsheetImport,
    ImportExportMixin,
    StoresUploads,
    OfficerChoices,
    TranslatedFieldsAdmin,
    RecordAdmin,
):
    form = AgreementForm
    resource_classes = [AgreementResource]
    list_display = [
        "reference",
        "shown_title",
        "status",
        "signed_on",
        "party_names",
        "area_names",
        "visibility",
        "missing_translations",
    ]
    list_display_links = ["reference", "shown_title"]
    list_filter = [
        "status",
        "kind",
        "areas",
        "visibility",
        ("responsible_officer", RelatedChoicesFilter),
        PartyCountryFilter,
        SigningYearFilter,
        MissingTranslationFilter,
    ]
    search_fields = [
        "reference",
        "title",
        "parties__agency__name",
        "parties__agency__acronym",
    ]
    # No date_hierarchy: its two extra queries repeat every search over the whole table,
    # and the signing-year filter does the same job.
    show_full_result_count = False  # one count over the whole table per page view is enough
    autocomplete_fields = ["areas", "related"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "title",
                    "slug",
                    "kind",
                    "status",
                    "visibility",
                    "responsible_officer",
                ]
            },
        ),
        (_("Signature"), {"fields": [("signed_on", "place_of_signing"), "event"]}),
        (_("Validity"), {"fields": [("entry_into_force", "expires_on"), "legally_binding"]}),
        (_("Content"), {"fields": ["summary", "original_language", "areas", "related"]}),
        (
            _("Record"),
            {
                "fields": [("created_at", "created_by"), ("updated_at", "updated_by")],
                "classes": ["collapse"],
            },
        ),
    ]
    inlines = [PartyInline, MilestoneInline, DocumentInline, DocumentLinkInline]
    actions = ["export_milestones_csv", "export_milestones_xlsx"]
    # Related agreements change from either side and have no audit history of their
    # own: a stale form is caught by comparing the links themselves.
    unversioned_fields = ["related"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "parties",
                    queryset=search.without_documents(Party.objects.select_related("agency")),
                ),
                "areas",
            )
            .with_untranslated_milestones()
        )

    @admin.display(description=_("parties"))
    def party_names(self, obj):
        return ", ".join(party.agency.short_name for party in obj.parties.all())

    @admin.display(description=_("cooperation areas"))
    def area_names(self, obj):
        return ", ".join(str(area) for area in obj.areas.all())

    @admin.display(description=_("title"), ordering="title")
    def shown_title(self, obj):
        return obj.text("title")

    @admin.action(description=_("Export milestones of selected agreements"), permissions=["view"])
    def export_milestones_csv(self, request, queryset):
        return milestone_csv_response(
            self.milestones_of(request, queryset),
            base_url=request.build_absolute_uri("/"),
            filename=export_filename(),
            request=request,
        )

    @admin.action(
        description=_("Export milestones of selected agreements (Excel)"), permissions=["view"]
    )
    def export_milestones_xlsx(self, request, queryset):
        return milestone_xlsx_response(
            self.milestones_of(request, queryset),
            base_url=request.build_absolute_uri("/"),
            filename=export_filename(),
            title=_("Milestones"),
            request=request,
        )

    def milestones_of(self, request, queryset):
        """The chosen agreements' milestones as the report shows them, by agreement."""
        return (
            Milestone.objects.for_report(user=request.user)
            .filter(agreement__in=queryset.values("pk"))
            .order_by("agreement__reference", F("due_date").asc(nulls_last=True), "pk")
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if isinstance(formset, DocumentInlineFormSet):
            for row in formset.forms:
                if row.instance.pk and not formset._should_delete_form(row):
                    row.store_upload(row.instance, request.user)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


@admin.register(Milestone)
class MilestoneAdmin(
    SpreadsheetImport, ImportExportMixin, OfficerChoices, TranslatedFieldsAdmin, RecordAdmin
):
    resource_classes = [MilestoneResource]
    list_display = [
        in_page_language("title", _("title")),
        "agreement_reference",
        "area",
        "lead_agency",
        "due_date",
        "status",
        "overdue",
        "last_reviewed",
    ]
    # No RelatedOnlyFieldListFilter or date_hierarchy here: both scan every milestone.
    list_filter = [
        "status",
        "area",
        ("responsible_agency", RelatedChoicesFilter),
        ("responsible_officer", RelatedChoicesFilter),
        OverdueFilter,
        MissingTranslationFilter,
    ]
    list_select_related = ["agreement", "area", "responsible_agency"]
    search_fields = ["title", "agreement__reference", "agreement__title"]
    show_full_result_count = False
    autocomplete_fields = ["agreement", "area", "responsible_agency"]
    readonly_fields = ["last_reviewed"]
    actions = ["export_selected_csv", "export_selected_xlsx"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue()

    @admin.action(description=_("Export selected milestones as CSV"), permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return milestone_csv_response(
            self.selected(request, queryset),
            base_url=request.build_absolute_uri("/"),
            filename=export_filename(),
            request=request,
        )

    @admin.action(description=_("Export selected milestones (Excel)"), permissions=["view"])
    def export_selected_xlsx(self, request, queryset):
        return milestone_xlsx_response(
            self.selected(request, queryset),
            base_url=request.build_absolute_uri("/"),
            filename=export_filename(),
            title=_("Milestones"),
            request=request,
        )

    def selected(self, request, queryset):
        """The chosen milestones as the report shows them, soonest first."""
        return (
            Milestone.objects.for_report(user=request.user)
            .filter(pk__in=queryset.values("pk"))
            .by_due_date()
        )

    @admin.display(description=_("agreement"), ordering="agreement__reference")
    def agreement_reference(self, obj):
        return obj.agreement.reference

    @admin.display(description=_("responsible agency"), ordering="responsible_agency__name")
    def lead_agency(self, obj):
        # By its short name (NITEC): the full one pushed Status and Overdue off screen.
        return obj.responsible_agency.short_name if obj.responsible_agency else "—"

    @admin.display(description=_("overdue"), boolean=True, ordering="is_overdue")
    def overdue(self, obj):
        return obj.is_overdue


@admin.register(Party)
class PartyAdmin(RecordAdmin):
    list_display = ["agency", "agreement", "role", "signatory", "signed_on"]
    list_filter = ["role"]
    list_select_related = ["agency", "agreement", "signatory__agency"]
    show_full_result_count = False
    search_fields = ["agency__name", "agency__acronym", "agreement__reference", "agreement__title"]
    autocomplete_fields = ["agreement", "agency", "signatory"]


@admin.register(DocumentLink)
class DocumentLinkAdmin(TranslatedFieldsAdmin, PlainRecordAdmin):
    list_display = [
        in_page_language("title", _("title")),
        "agreement",
        "kind",
        "language",
        "published_on",
    ]
    list_filter = ["kind", "language"]
    list_select_related = ["agreement"]
    search_fields = ["title", "url", "agreement__reference", "agreement__title"]
    autocomplete_fields = ["agreement"]


# Last: the apps before this one (auth, axes, partners) have registered their admins.
guard_library_admins(admin.site)
