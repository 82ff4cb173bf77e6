"""The base of every API FilterSet."""

import datetime as dt

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

TYPED_FILTERS = (
    django_filters.ChoiceFilter,  # OrderingFilter is one too
    django_filters.DateFilter,
    django_filters.DateTimeFilter,
    django_filters.IsoDateTimeFilter,
    django_filters.NumberFilter,
    django_filters.UUIDFilter,
)


class ApiFilterSet(django_filters.FilterSet):
    """Refuses a typed filter parameter (a choice, a date) that is present but empty
    (`?updated_since=`): give a value or leave the parameter out, so a typo never silently widens
    a sync. An empty text filter (`?q=`) matches everything."""

    def filter_place(self, queryset, name, value):
        """For a `place` filter on rows with an organisation: a postcode area or district."""
        from organisations.selectors import postcode_place_q

        return queryset.filter(postcode_place_q(value))

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if not isinstance(filter_, TYPED_FILTERS):
                continue
            if name in self.data and str(self.data.get(name, "")).strip() == "":
                self.form.add_error(name, "Give a value or leave this parameter out.")
                valid = False
        return valid


class UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            # PostgreSQL accepts offsets up to ±15:59 only; UTC is always safe.
            return parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                "Give an ISO 8601 date and time within years 1 to 9999."
            ) from None


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """`updated_since`, the incremental-sync filter every list has."""

    field_class = UtcIsoDateTimeField

    def __init__(self, field_name="updated_at", **kwargs):
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault(
            "help_text",
            "Only rows changed at or after this ISO 8601 time, e.g. 2026-11-24T09:00:00Z "
            "(for incremental sync).",
        )
        super().__init__(field_name=field_name, **kwargs)


class TextField(forms.CharField):
    """Free text for a search: NUL characters (which PostgreSQL cannot compare) are dropped
    rather than refused, so any string a client sends is a valid search."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class TextFilter(django_filters.CharFilter):
    """A text search filter (`q`, `place`)."""

    field_class = TextField
