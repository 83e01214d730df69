from django.views.generic import DetailView

from agreements.models import Agreement, Milestone, Party, count_per_row
from agreements.search import without_documents
from agreements.views import FilteredListView, parties_with_agencies

from .filters import AgencyFilter
from .models import Agency

AGENCY_PAGE_ROWS = 20


def visible_agreement_count(user):
    """How many agreements the user may see that the agency is party to."""
    return count_per_row(Party.objects.visible_to(user), field="agency")


class AgencyListView(FilteredListView):
    extra_context = {"nav": "agencies"}
    filterset_class = AgencyFilter
    template_name = "partners/agency_list.html"
    paginate_by = 50

    def get_queryset(self):
        return without_documents(
            Agency.objects.select_related("parent").annotate(
                agreement_count=visible_agreement_count(self.request.user)
            )
        )


class AgencyDetailView(DetailView):
    extra_context = {"nav": "agencies"}
    template_name = "partners/agency_detail.html"
    context_object_name = "agency"

    def get_queryset(self):
        return Agency.objects.select_related("parent").annotate(
            agreement_count=visible_agreement_count(self.request.user)
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        agency = self.object
        milestones = Milestone.objects.for_report(user=user).filter(responsible_agency=agency)
        return super().get_context_data(
            # Start from the agency's few party rows, not from every agreement.
            agreements=Agreement.objects.visible_to(user)
            .filter(pk__in=Party.objects.filter(agency=agency).values("agreement_id"))
            .prefetch_related(parties_with_agencies())
            .order_by("-signed_on", "reference")[:AGENCY_PAGE_ROWS],
            representatives=agency.representatives.all(),
            children=agency.children.all(),
            milestones=milestones.open().by_due_date()[:AGENCY_PAGE_ROWS],
            open_milestone_count=milestones.open().count(),
            show_contacts=user.has_perm("partners.view_representative"),
            page_rows=AGENCY_PAGE_ROWS,
            **kwargs,
        )
