"""The API's filters are the pages' own (agreements.filters), less the sort menu
(API lists are in a fixed, cursor-paginated order), with every match rather than
the best 1,000 of a search, and a 400 naming any parameter that is not a filter."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from rest_framework.exceptions import ValidationError

from agreements.filters import AgreementFilter, MilestoneFilter

# Parameters every list takes besides its filters.
LIST_PARAMETERS = {"cursor", "page_size", "format"}


class ApiAgreementFilter(AgreementFilter):
    rank_at_most = None


class ApiMilestoneFilter(MilestoneFilter):
    rank_at_most = None


# Each FilterSet class has its own copy of its filters: these leave the pages' alone.
for api_filter in (ApiAgreementFilter, ApiMilestoneFilter):
    api_filter.base_filters.pop("sort")
# Chosen by slug and by country code: text, for the schema.
for name in ("agency", "country"):
    set_override(ApiAgreementFilter.base_filters[name], "field", OpenApiTypes.STR)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend (invalid values: 400 with the form's messages, the
    pages' own), refusing unknown parameters too: a misspelt filter silently ignored
    would hand back every record as if it matched."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            allowed = set(filterset_class.base_filters) | LIST_PARAMETERS
            unknown = sorted(set(request.query_params) - allowed)
            if unknown:
                raise ValidationError(
                    {
                        name: [
                            _("Unknown filter. Filters here: %(names)s.")
                            % {"names": ", ".join(sorted(allowed - LIST_PARAMETERS))}
                        ]
                        for name in unknown
                    }
                )
        elif set(request.query_params) - LIST_PARAMETERS:
            unknown = sorted(set(request.query_params) - LIST_PARAMETERS)
            raise ValidationError({name: [_("This list takes no filters.")] for name in unknown})
        return super().filter_queryset(request, queryset, view)
