"""Filters of the award API lists (explicit fields, ordering allow-lists)."""

import django_filters

from api.filters import ApiFilterSet, TextFilter, UpdatedSinceFilter
from awards.models import Application, ApplicationStatus, Award


class HolderFilter(ApiFilterSet):
    q = TextFilter(
        field_name="organisation__name",
        lookup_expr="icontains",
        help_text="Only organisations whose name contains this text.",
    )
    level = TextFilter(field_name="level__code", help_text="Only awards at this level (its code).")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("organisation__name", "name"),
            ("awarded_on", "awarded_on"),
            ("expires_on", "expires_on"),
        ),
        help_text="Sort by name, awarded_on or expires_on; prefix with - for descending. "
        "Default: name.",
    )

    class Meta:
        model = Award
        fields: list[str] = []


class ApplicationStatusFilter(ApiFilterSet):
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, help_text="Only applications in this state."
    )
    organisation = django_filters.UUIDFilter(
        field_name="organisation_id", help_text="Only this organisation's applications."
    )
    scheme = TextFilter(field_name="scheme__slug", help_text="Only this scheme's (its slug).")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "started_at"),
            ("submitted_at", "submitted_at"),
            ("updated_at", "updated_at"),
        ),
        help_text="Sort by started_at, submitted_at or updated_at; prefix with - for "
        "descending. Default: -started_at.",
    )

    class Meta:
        model = Application
        fields: list[str] = []
