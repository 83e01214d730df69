from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Value
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from documents.models import Document, may_see_internal_documents

from . import search
from .changes import agreement_changes
from .dashboard import HOME_WINDOW_DAYS, areas_with_counts, overview_counts
from .exports import export_filename, milestone_csv_response
from .filters import SEARCH_MAX_LENGTH, AgreementFilter, MilestoneFilter, MilestoneReportFilter
from .models import Agreement, CooperationArea, Milestone, Party, can_see_internal
from .pagination import BothEndsPaginator
from .spreadsheets import milestone_xlsx_response


def parties_with_agencies():
    parties = Party.objects.select_related("agency").order_by("pk")
    return Prefetch("parties", queryset=search.without_documents(parties))


def found(rows) -> bool:
    """Whether a list (a queryset, or a search's best matches) has any row."""
    return rows.exists() if hasattr(rows, "exists") else bool(len(rows))


class FilteredListView(FilterView):
    """A filtered, paginated list that explains bad input instead of failing on it.

    An unknown page number shows the nearest real page with a note; invalid
    filters list nothing and show the form's errors.
    """

    paginate_by = 25
    paginator_class = BothEndsPaginator
    page_message = ""
    tidy_address = True  # see get()

    def get(self, request, *args, **kwargs):
        # The filter form sends every field, filled or not: the address people share or
        # bookmark keeps only the filters actually used.
        used = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            if kept := [value for value in values if value.strip()]:
                used.setlist(key, kept)
        if self.tidy_address and used != request.GET:
            return redirect(f"{request.path}?{used.urlencode()}" if used else request.path)
        return super().get(request, *args, **kwargs)

    corrected_query = ""
    spell_checked = True  # see get_filterset_kwargs

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, even to an empty query string, so the default sort and its
        # tiebreak apply on the first visit too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        typed = self.request.GET.get("q", "")
        if not (self.spell_checked and typed and filterset.is_valid()) or found(filterset.qs):
            return filterset
        # A search that finds nothing because of a typo shows what a corrected one finds.
        if corrected := search.suggestion(typed, self.get_queryset()):
            data = self.request.GET.copy()
            data["q"] = self.corrected_query = corrected
            kwargs = self.get_filterset_kwargs(filterset_class)
            filterset = filterset_class(**{**kwargs, "data": data})
        return filterset

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        requested = self.request.GET.get("page", "").strip()
        try:
            wanted = max(int(requested), 1) if requested else 1
        except ValueError:
            wanted = 1
        page = paginator.get_page(wanted)  # past the end: the last page
        if requested and requested != str(page.number):
            self.page_message = _(
                "There is no page “%(requested)s”; showing page %(number)s of %(pages)s."
            ) % {"requested": requested[:20], "number": page.number, "pages": paginator.num_pages}
        return paginator, page, page.object_list, page.has_other_pages()

    def active_filters(self):
        """The filters in the query string, each with a link that removes just that one."""
        form = self.filterset.form
        cleaned = getattr(form, "cleaned_data", {})
        chips = []
        for name, field in form.fields.items():
            raw = self.request.GET.get(name, "").strip()
            if not raw:
                continue
            value = cleaned.get(name)
            if hasattr(field, "queryset") and value is not None:
                shown = str(value)
            elif hasattr(field, "choices"):
                choices = {str(key): label for key, label in field.choices}
                shown = choices.get(raw, raw)
            elif value is True:
                shown = _("yes")
            else:
                shown = raw
            remaining = self.request.GET.copy()
            remaining.pop(name, None)
            remaining.pop("page", None)
            chips.append({"label": field.label, "value": shown, "query": remaining.urlencode()})
        return chips

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = self.active_filters()
        context["page_message"] = self.page_message
        context["filter_errors"] = not self.filterset.is_valid()
        # The words searched for, to highlight in each result's snippet.
        context["corrected_query"] = self.corrected_query
        context["more_matches"] = getattr(self.filterset, "more_matches", False)
        context["rank_at_most"] = getattr(self.filterset, "rank_at_most", None)
        context["typed_query"] = self.request.GET.get("q", "")
        context["search_query"] = (
            search.parse(self.filterset.form.cleaned_data.get("q") or "")
            if self.filterset.is_valid()
            else None
        )
        return context


CHANGES_PER_PAGE = 10


class LogoutView(auth_views.LogoutView):
    """Log out, and say so on the page it leads to (it looked like nothing happened)."""

    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, _("You have logged out."))
        return response


class HomeView(TemplateView):
    template_name = "agreements/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        counts = overview_counts(user=user, window_days=HOME_WINDOW_DAYS)
        milestones = Milestone.objects.for_report(user=user)
        return super().get_context_data(
            status_counts=[
                (value, label, counts["by_status"].get(value, 0))
                for value, label in Agreement.Status.choices
            ],
            total_agreements=sum(counts["by_status"].values()),
            areas=areas_with_counts(counts),
            recent=Agreement.objects.visible_to(user)
            .filter(signed_on__isnull=False)
            .order_by(F("signed_on").desc(nulls_last=True), "reference")
            .prefetch_related(parties_with_agencies())[:5],
            due_soon=milestones.due_within(days=HOME_WINDOW_DAYS).by_due_date()[:10],
            due_soon_count=counts["due_soon"],
            overdue=milestones.overdue().by_due_date()[:10],
            overdue_count=counts["overdue"],
            attention=counts.get("attention"),
            window_days=HOME_WINDOW_DAYS,
            **kwargs,
        )


class AgreementListView(FilteredListView):
    extra_context = {"nav": "agreements"}
    filterset_class = AgreementFilter
    template_name = "agreements/agreement_list.html"

    def get_queryset(self):
        return search.without_documents(
            Agreement.objects.visible_to(self.request.user).prefetch_related(
                parties_with_agencies(), "areas"
            )
        )


MILESTONE_TIMELINE_ORDER = [
    Milestone.Status.IN_PROGRESS,
    Milestone.Status.SCHEDULED,
    Milestone.Status.PARTIALLY_MET,
    Milestone.Status.NOT_MET,
    Milestone.Status.MET,
    Milestone.Status.CANCELLED,
]


class AgreementDetailView(DetailView):
    extra_context = {"nav": "agreements"}
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self):
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("responsible_officer")
            .prefetch_related(
                Prefetch(
                    "parties",
                    queryset=Party.objects.select_related("agency", "signatory__agency").order_by(
                        "pk"
                    ),
                ),
                "areas",
                "documents",
                Prefetch(
                    "files",
                    queryset=Document.objects.visible_to(self.request.user).with_file(),
                ),
            )
        )

    def get_context_data(self, **kwargs):
        agreement = self.object
        user = self.request.user
        milestones = sorted(
            Milestone.objects.filter(agreement=agreement)
            .with_overdue()
            .select_related("area", "responsible_agency", "responsible_officer"),
            key=lambda m: (
                MILESTONE_TIMELINE_ORDER.index(m.status),
                m.due_date is None,
                m.due_date,
                m.pk,
            ),
        )
        for milestone in milestones:  # written in its agreement's language: no query to learn it
            milestone.agreement = agreement
        staff = can_see_internal(user)
        changes, changes_page = [], None
        if staff:  # the audit trail is for staff
            every_change, trails = agreement_changes(
                agreement, with_documents=may_see_internal_documents(user)
            )
            for milestone in milestones:
                milestone.status_trail = trails.get(milestone.pk, [])
            # Newest first, a page at a time: a long trail made the page thousands of
            # pixels long. A page number that is not one shows the first page, one past
            # the end the last.
            changes_page = Paginator(every_change, CHANGES_PER_PAGE).get_page(
                self.request.GET.get("changes")
            )
            changes = list(changes_page.object_list)
        timeline = [
            (Milestone.Status(status).label, list(group))
            for status, group in groupby(milestones, key=lambda m: m.status)
        ]
        return super().get_context_data(
            timeline=timeline,
            changes=changes,
            changes_page=changes_page,
            show_changes=staff,
            milestone_count=len(milestones),
            related=agreement.related.visible_to(user).order_by("-signed_on"),
            can_edit=user.has_perm("agreements.change_agreement"),
            watching=user.is_staff and agreement.watches.filter(user=user).exists(),
            **kwargs,
        )


class MilestoneListView(FilteredListView):
    extra_context = {"nav": "milestones"}
    filterset_class = MilestoneFilter
    template_name = "agreements/milestone_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Milestone.objects.for_report(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            workbook_max_rows=settings.ACCORDS_WORKBOOK_MAX_ROWS, **kwargs
        )


def query_string(request) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


def wants_excel(request) -> bool:
    return request.GET.get("variant") == "excel"


class MilestoneExportView(MilestoneListView):
    """The milestone list as CSV: same filters, sort and visibility, every matching row.

    With invalid filters there is no file: the list page shows what to correct, as
    400 Bad Request, so a script asking for the file is not handed a web page as if
    it were the report.
    """

    filterset_class = MilestoneReportFilter  # every match, not the best 1,000
    tidy_address = False  # a file, not an address to share: empty filters do no harm
    spell_checked = False  # a report holds exactly what was asked for, typos included
    file_format = "csv"  # or "xlsx"

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        if not self.filterset.is_valid():
            response = super().get(request, *args, **kwargs)
            response.status_code = 400
            return response
        if self.file_format == "xlsx":
            return milestone_xlsx_response(
                self.filterset.qs,
                base_url=request.build_absolute_uri("/"),
                filename=export_filename(),
                title=_("Milestones"),
                request=request,
                csv_url=reverse("agreements:milestone_export") + query_string(request),
            )
        return milestone_csv_response(
            self.filterset.qs,
            base_url=request.build_absolute_uri("/"),
            filename=export_filename(),
            excel=wants_excel(request),
            request=request,
        )


def agreement_milestones_csv(request, slug, file_format="csv"):
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), slug=slug)
    milestones = (
        Milestone.objects.for_report(user=request.user).filter(agreement=agreement).by_due_date()
    )
    if file_format == "xlsx":
        return milestone_xlsx_response(
            milestones,
            base_url=request.build_absolute_uri("/"),
            filename=export_filename(agreement.reference),
            title=agreement.reference,
            request=request,
            csv_url=reverse("agreements:agreement_milestones_csv", args=[agreement.slug]),
        )
    return milestone_csv_response(
        milestones,
        base_url=request.build_absolute_uri("/"),
        filename=export_filename(agreement.reference),
        excel=wants_excel(request),
        request=request,
    )


class AreaListView(ListView):
    extra_context = {"nav": "areas"}
    template_name = "agreements/area_list.html"
    context_object_name = "areas"

    def get_queryset(self):
        return CooperationArea.objects.with_counts(user=self.request.user)


class AreaDetailView(DetailView):
    extra_context = {"nav": "areas"}
    template_name = "agreements/area_detail.html"
    context_object_name = "area"

    def get_queryset(self):
        return CooperationArea.objects.with_counts(user=self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            agreements=Agreement.objects.visible_to(user)
            .filter(areas=self.object)
            .prefetch_related(parties_with_agencies())
            .order_by("-signed_on", "reference")[:10],
            milestones=Milestone.objects.for_report(user=user)
            .filter(area=self.object)
            .open()
            .by_due_date()[:10],
            **kwargs,
        )


SITE_SEARCH_ROWS = 5
SITE_SEARCH_COUNT_LIMIT = 1000


class SiteSearchView(TemplateView):
    """One search box for the whole site: agreements, agencies and milestones, each
    group with its count and a link to the full, filtered list."""

    template_name = "agreements/search.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        typed = self.request.GET.get("q", "")[:SEARCH_MAX_LENGTH]
        groups = self.groups(typed)
        text = typed
        if groups and not any(group["count"] for group in groups):
            # Nothing anywhere: perhaps a typo (PostgreSQL).
            corrected = search.suggestion(typed, Agreement.objects.visible_to(user))
            if corrected:
                text, groups = corrected, self.groups(corrected)
        query = search.parse(text)
        return super().get_context_data(
            q=text,
            site_search_q=text,
            corrected_query=text if text != typed else "",
            typed_query=typed,
            search_query=query,
            groups=groups,
            searched=bool(typed.strip()),
            **kwargs,
        )

    def groups(self, text: str) -> list[dict]:
        from partners.models import Agency

        user = self.request.user
        query = search.parse(text)
        groups = []
        if query:
            limit = SITE_SEARCH_COUNT_LIMIT
            found = {
                "agreements": search.BestMatches(
                    Agreement.objects.visible_to(user)
                    .search(text)
                    .with_relevance(text)
                    .with_milestones_mentioning(text)
                    .prefetch_related(parties_with_agencies()),
                    among=limit,
                ),
                "agencies": search.BestMatches(
                    Agency.objects.search(text).with_relevance(text),
                    order=["name", "pk"],
                    among=limit,
                ),
                # By due date, not by relevance: on a million milestones a common word
                # matches hundreds of thousands, and the soonest due are what people
                # look for first.
                "milestones": search.BestMatches(
                    Milestone.objects.for_report(user=user)
                    .search(text)
                    .annotate(relevance=Value(0)),
                    among=limit,
                ),
            }
            lists = {
                "agreements": "agreements:agreement_list",
                "agencies": "partners:agency_list",
                "milestones": "agreements:milestone_list",
            }
            for name, rows in found.items():
                # Counted up to a limit: "1,000 or more" is what a reader needs, and
                # counting every match of a common word took most of a second.
                groups.append(
                    {
                        "name": name,
                        "count": len(rows),
                        "more": rows.more,
                        "rows": rows[:SITE_SEARCH_ROWS],
                        "list_url": f"{reverse(lists[name])}?{urlencode({'q': text})}",
                    }
                )
        return groups
