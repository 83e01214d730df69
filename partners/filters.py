import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Agency


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=200,
        help_text=_("Name, acronym or jurisdiction."),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=countries, empty_label=_("Any country")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Agency.Kind.choices, empty_label=_("Any kind")
    )

    class Meta:
        model = Agency
        fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(acronym__icontains=value)
            | Q(jurisdiction__icontains=value)
        )
