import django_filters

from api.filters import ApiFilterSet, TextFilter, UpdatedSinceFilter
from organisations.models import OrganisationType, Participation, SizeBand


class OrganisationFields(ApiFilterSet):
    """Filters on the organisation of a row (a participation, a signatory): type, size, place,
    name. Resource filter sets extend it."""

    organisation_type = django_filters.ChoiceFilter(
        field_name="organisation__organisation_type",
        choices=OrganisationType.choices,
        help_text="Only organisations of this type.",
    )
    size_band = django_filters.ChoiceFilter(
        field_name="organisation__size_band",
        choices=SizeBand.choices,
        help_text="Only organisations of this size band.",
    )
    place = TextFilter(
        method="filter_place",
        help_text="A postcode area (CH: CH1 to CH66) or district (CH41: that district only).",
    )
    q = TextFilter(
        field_name="organisation__name", lookup_expr="icontains", help_text="Part of the name."
    )


class OrganisationFilter(OrganisationFields):
    updated_since = UpdatedSinceFilter(field_name="last_changed")
    ordering = django_filters.OrderingFilter(
        fields=(("organisation__name", "name"), ("last_changed", "updated_at")),
        help_text="Sort by name or updated_at; prefix with - for descending. Default: name.",
    )

    class Meta:
        model = Participation
        fields: list[str] = []
