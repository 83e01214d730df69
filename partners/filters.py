import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from agreements.forms import FilterForm
from agreements.widgets import QuickSelect

from .models import Agency


def countries_in_use():
    """Only the countries some agency is in: a short list people can scan."""
    codes = set(Agency.objects.order_by().values_list("country", flat=True).distinct())
    return [(code, name) for code, name in countries if code in codes]


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=200,
        help_text=_("Name, acronym or jurisdiction."),
    )
    country = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label=_("Country"),
        choices=countries_in_use,
        empty_label=_("Any country"),
    )
    kind = django_filters.ChoiceFilter(
        widget=QuickSelect, label=_("Kind"), choices=Agency.Kind.choices, empty_label=_("Any kind")
    )

    class Meta:
        model = Agency
        form = FilterForm
        fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)
