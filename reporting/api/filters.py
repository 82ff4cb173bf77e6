"""Filters of the report API lists (explicit fields, ordering allow-lists)."""

import django_filters

from api.filters import ApiFilterSet, TextFilter, UpdatedSinceFilter
from reporting.models import Report, ReportKind


class ReportFilter(ApiFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ReportKind.choices, help_text="Only reports of this kind."
    )
    organisation = django_filters.UUIDFilter(
        field_name="organisation_id", help_text="Only this organisation's reports."
    )
    q = TextFilter(
        field_name="title", lookup_expr="icontains", help_text="Only titles containing this text."
    )
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("period_end", "period_end"),
            ("updated_at", "updated_at"),
        ),
        help_text="Sort by created_at, period_end or updated_at; prefix with - for descending. "
        "Default: -created_at.",
    )

    class Meta:
        model = Report
        fields: list[str] = []
