import django_filters

from api.filters import ApiFilterSet, TextFilter, UpdatedSinceFilter
from charters.models import Charter, Pledge, Signatory, SignatoryStatus
from organisations.api.filters import OrganisationFields
from organisations.models import SECTOR_TYPES, Sector


class CharterFilter(ApiFilterSet):
    updated_since = UpdatedSinceFilter(field_name="last_changed")
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("last_changed", "updated_at")),
        help_text="Sort by title or updated_at; prefix with - for descending. Default: title.",
    )

    class Meta:
        model = Charter
        fields: list[str] = []


class RegisterFilter(OrganisationFields):
    """The public register's filters (the same as its web page's)."""

    sector = django_filters.ChoiceFilter(
        choices=Sector.choices, method="filter_sector", help_text="Only organisations of a sector."
    )
    tier = django_filters.UUIDFilter(
        field_name="tier_id", help_text="Only signatories on this tier (its id, from the charter)."
    )
    signed_from = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="gte", help_text="Signed on or after this date."
    )
    signed_to = django_filters.DateFilter(
        field_name="signed_on", lookup_expr="lte", help_text="Signed on or before this date."
    )
    updated_since = UpdatedSinceFilter(field_name="last_changed")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("organisation__name", "name"),
            ("signed_on", "signed_on"),
            ("last_changed", "updated_at"),
        ),
        help_text="Sort by name, signed_on or updated_at; prefix with - for descending. "
        "Default: name.",
    )

    class Meta:
        model = Signatory
        fields: list[str] = []

    def filter_sector(self, queryset, name, value):
        return queryset.filter(organisation__organisation_type__in=SECTOR_TYPES[value])


class SignatoryFilter(RegisterFilter):
    status = django_filters.ChoiceFilter(
        choices=SignatoryStatus.choices, help_text="Only signatories in this state."
    )

    class Meta(RegisterFilter.Meta):
        pass


class PledgeFilter(ApiFilterSet):
    organisation = django_filters.UUIDFilter(
        field_name="signatory__organisation_id", help_text="Only this organisation's pledges."
    )
    principle = TextFilter(
        field_name="principle__code", help_text="Only pledges under this principle (its code)."
    )
    theme = TextFilter(
        field_name="theme__code", help_text="Only pledges under this theme (its code)."
    )
    updated_since = UpdatedSinceFilter(field_name="last_changed")

    class Meta:
        model = Pledge
        fields: list[str] = []
