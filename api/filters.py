"""The base of every API FilterSet."""

import django_filters

TYPED_FILTERS = (
    django_filters.ChoiceFilter,
    django_filters.DateFilter,
    django_filters.DateTimeFilter,
    django_filters.IsoDateTimeFilter,
    django_filters.NumberFilter,
    django_filters.UUIDFilter,
)


class ApiFilterSet(django_filters.FilterSet):
    """Refuses a typed filter parameter (a choice, a date) that is present but empty
    (`?updated_since=`): give a value or leave the parameter out, so a typo never silently widens
    a sync. An empty text filter (`?q=`) matches everything; an empty ordering is the default."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if not isinstance(filter_, TYPED_FILTERS) or isinstance(
                filter_, django_filters.OrderingFilter
            ):
                continue
            if name in self.data and str(self.data.get(name, "")).strip() == "":
                self.form.add_error(name, "Give a value or leave this parameter out.")
                valid = False
        return valid
