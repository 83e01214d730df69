"""Filters for the agreement and milestone lists (and, through them, the CSV export).

Invalid values never reach the queryset: the views show the form's errors next
to the field and list nothing rather than a half-filtered result.
"""

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from partners.filters import countries_in_use
from partners.models import Agency

from . import search
from .forms import FilterForm
from .models import Agreement, CooperationArea, Milestone, Party
from .search import parse
from .translated import current_language, text_in
from .widgets import QuickSelect

SEARCH_MAX_LENGTH = 200
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class DateRangeForm(FilterForm):
    """Rejects a range whose start is after its end, naming both fields."""

    date_ranges: tuple[tuple[str, str], ...] = ()

    def clean(self):
        cleaned = super().clean()
        for start, end in self.date_ranges:
            if cleaned.get(start) and cleaned.get(end) and cleaned[start] > cleaned[end]:
                self.add_error(end, _("This date is before the “from” date."))
        return cleaned


class AgreementFilterForm(DateRangeForm):
    date_ranges = (("signed_from", "signed_to"),)


class MilestoneFilterForm(DateRangeForm):
    date_ranges = (("due_from", "due_to"),)


RANK_AT_MOST = 1000


class SearchedList:
    """What the agreement and milestone lists share for their search box `q`: best
    matches first (among the first `rank_at_most`, see best_matches), and a
    sort menu whose default says so."""

    rank_at_most = RANK_AT_MOST
    default_order = ""  # the sort menu's choice that is also the list's default order
    unlisted_orders = ("status", "-status")
    # The list's order with no sort chosen (its model's own), completed by stable_order.
    list_order: tuple[str, ...] = ()
    nullable: frozenset[str] = frozenset()
    tiebreak: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sort_menu(self)

    def search(self, queryset, name, value):
        return queryset.search(value).with_relevance(value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if ranked := best_matches(self, queryset):
            return ranked
        return stable_order(
            queryset,
            default=["-relevance", *self.list_order] if searched(self) else self.list_order,
            nullable=self.nullable,
            tiebreak=self.tiebreak,
        )


class AgreementFilter(SearchedList, django_filters.FilterSet):
    default_order = "-signed"
    list_order = ("-signed_on",)
    nullable = frozenset({"signed_on", "expires_on"})
    tiebreak = ("reference",)
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "Every word, in any field and language: title, summary, parties, signatories, "
            "places, areas, milestones. Use “quotes” for a phrase, -word to leave a word "
            "out, or for either of two."
        ),
    )
    area = django_filters.ModelChoiceFilter(
        widget=QuickSelect,
        label=_("Cooperation area"),
        field_name="areas",
        to_field_name="slug",
        queryset=CooperationArea.objects.all(),
        empty_label=_("Any area"),
    )
    agency = django_filters.ModelChoiceFilter(
        widget=QuickSelect,
        label=_("Agency"),
        method="with_agency",
        to_field_name="slug",
        queryset=Agency.objects.only(*Agency.label_fields),
        empty_label=_("Any agency"),
    )
    country = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Country of a party"),
        method="with_country",
        choices=countries_in_use,
        empty_label=_("Any country"),
    )
    kind = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Kind"),
        choices=Agreement.Kind.choices,
        empty_label=_("Any kind"),
    )
    status = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Status"),
        choices=Agreement.Status.choices,
        empty_label=_("Any status"),
    )
    binding = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Legally binding"),
        method="with_binding",
        empty_label=_("Any"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not stated"))],
    )
    signed_from = django_filters.DateFilter(
        label=_("Signed from"), field_name="signed_on", lookup_expr="gte", widget=DATE_WIDGET
    )
    signed_to = django_filters.DateFilter(
        label=_("Signed to"), field_name="signed_on", lookup_expr="lte", widget=DATE_WIDGET
    )
    attention = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Needs attention"),
        method="needing_attention",
        empty_label=_("Any"),
        choices=[
            ("expired_active", _("Expired but still signed or in force")),
            ("missing_signatory", _("A signatory party without its signatory")),
            ("no_officer", _("No responsible officer")),
        ],
    )
    expires_before = django_filters.DateFilter(
        label=_("Expiring before"), field_name="expires_on", lookup_expr="lt", widget=DATE_WIDGET
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Newest signed first"),
        fields=(
            ("signed_on", "signed"),
            ("title_shown", "title"),  # as the page shows it (see filter_queryset)
            ("status", "status"),
            ("expires_on", "expiry"),
        ),
        field_labels={
            # Ascending labels by field name, descending by "-" and parameter name.
            "signed_on": _("Signing date, oldest first"),
            "-signed": _("Signing date, newest first"),
            "title_shown": _("Title, A–Z"),
            "-title": _("Title, Z–A"),
            "status": _("Status"),
            "-status": _("Status, reversed"),
            "expires_on": _("Expiry, soonest first"),
            "-expiry": _("Expiry, latest first"),
        },
    )

    class Meta:
        model = Agreement
        form = AgreementFilterForm
        fields = ()

    def search(self, queryset, name, value):
        return super().search(queryset, name, value).with_milestones_mentioning(value)

    def with_agency(self, queryset, name, value):
        return queryset.filter(Exists(Party.objects.filter(agreement=OuterRef("pk"), agency=value)))

    def with_country(self, queryset, name, value):
        # Exists, not a join: two parties from one country must not list the agreement twice.
        return queryset.filter(
            Exists(Party.objects.filter(agreement=OuterRef("pk"), agency__country=value))
        )

    def needing_attention(self, queryset, name, value):
        if value == "expired_active":
            return queryset.expired_but_active()
        if value == "no_officer":
            return queryset.without_responsible_officer()
        return queryset.missing_signatory()

    def with_binding(self, queryset, name, value):
        return queryset.filter(legally_binding={"yes": True, "no": False, "unknown": None}[value])

    def filter_queryset(self, queryset):
        # A–Z by the title each row shows, in the page's language (its translation, else
        # the original), not by the original of every row.
        queryset = queryset.alias(title_shown=text_in("title", current_language()))
        return super().filter_queryset(queryset)


class MilestoneFilter(SearchedList, django_filters.FilterSet):
    default_order = "due"
    list_order = ("due_date",)
    nullable = frozenset({"due_date"})
    tiebreak = ("pk",)  # (due_date, id) is indexed: the first page needs no sort
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "Every word, in any language: the milestone's title and description, its "
            "agreement's reference and title."
        ),
    )
    agreement = django_filters.CharFilter(
        label=_("Agreement reference"),
        field_name="agreement__reference",
        lookup_expr="iexact",
        max_length=32,
    )
    agency = django_filters.ModelChoiceFilter(
        widget=QuickSelect,
        label=_("Responsible agency"),
        field_name="responsible_agency",
        to_field_name="slug",
        queryset=Agency.objects.only(*Agency.label_fields),
        empty_label=_("Any agency"),
    )
    area = django_filters.ModelChoiceFilter(
        widget=QuickSelect,
        label=_("Cooperation area"),
        field_name="area",
        to_field_name="slug",
        queryset=CooperationArea.objects.all(),
        empty_label=_("Any area"),
    )
    status = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Status"),
        choices=Milestone.Status.choices,
        empty_label=_("Any status"),
    )
    due_from = django_filters.DateFilter(
        label=_("Due from"), field_name="due_date", lookup_expr="gte", widget=DATE_WIDGET
    )
    due_to = django_filters.DateFilter(
        label=_("Due to"), field_name="due_date", lookup_expr="lte", widget=DATE_WIDGET
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=forms.CheckboxInput
    )
    stale = django_filters.BooleanFilter(
        label=_("Not reviewed for 90 days"), method="only_stale", widget=forms.CheckboxInput
    )
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"),
        method="within_days",
        min_value=0,
        max_value=3650,
        decimal_places=0,
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Due date, soonest first"),
        fields=(("due_date", "due"), ("agreement__reference", "agreement"), ("status", "status")),
        field_labels={
            "due_date": _("Due date, soonest first"),
            "-due": _("Due date, latest first"),
            "agreement__reference": _("Agreement reference"),
            "-agreement": _("Agreement reference, reversed"),
            "status": _("Status"),
            "-status": _("Status, reversed"),
        },
    )

    class Meta:
        model = Milestone
        form = MilestoneFilterForm
        fields = ()

    def only_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def only_stale(self, queryset, name, value):
        return queryset.stale() if value else queryset

    def within_days(self, queryset, name, value):
        return queryset.due_within(days=int(value))


class MilestoneReportFilter(MilestoneFilter):
    """The CSV report: every milestone the filters keep, however many a search finds."""

    rank_at_most = None


def best_matches(filterset, queryset):
    """With a search and the sort menu left at "most relevant", the best of its first
    `rank_at_most` matches in the list's own order (see search.BestMatches), and
    `more_matches` when there were more; otherwise None."""
    filterset.more_matches = False
    limit = filterset.rank_at_most
    if not limit or not searched(filterset) or filterset.form.cleaned_data.get("sort"):
        return None
    matches = search.BestMatches(queryset, among=limit)
    filterset.more_matches = matches.more
    return matches


def searched(filterset) -> bool:
    """Whether the form accepted a search, which the list then applied (annotating
    each row's relevance); a refused one (too long) is only an error to show."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    return bool(parse(cleaned.get("q") or ""))


def searching(filterset) -> bool:
    """Whether the list is the result of a search (then best matches come first)."""
    return bool(parse(filterset.data.get("q", "")))


def sort_menu(filterset) -> None:
    """The sort menu as one clean list: the default order first, under its own name
    and not again below it; with a search, "most relevant" first and the list's
    usual order among the others. Orders left off the menu (by status: codes, not
    the names people read) are still accepted from older links."""
    field = filterset.form.fields.get("sort")
    if field is None:
        return
    offered = [c for c in field.choices if c[0] != "" and c[0] not in filterset.unlisted_orders]
    if searching(filterset):
        field.widget.choices = [("", _("Most relevant first")), *offered]
    else:
        default = filterset.default_order
        field.widget.choices = [
            ("", dict(offered)[default]),
            *[choice for choice in offered if choice[0] != default],
        ]


def stable_order(queryset, *, default, nullable, tiebreak):
    """The chosen sort, with empty dates last either way and a tiebreak so pages never overlap."""
    ordering = []
    for field in queryset.query.order_by or default:
        name = field.lstrip("-")
        if name in nullable:
            field = (
                F(name).desc(nulls_last=True)
                if field.startswith("-")
                else F(name).asc(nulls_last=True)
            )
        ordering.append(field)
    return queryset.order_by(*ordering, *tiebreak)
