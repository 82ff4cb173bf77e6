"""Forms of the local area settings: the area's districts, and its population's make-up typed as
one "group, percent" line per group. The percentages' rules live in kvi.local_areas."""

from django import forms

from kvi.local_areas import POPULATION_CATEGORIES
from tenancy.forms import ServiceErrorsFormMixin

POPULATION_HELP = {
    "ethnicity": "One group per line, then a comma and the percentage, for example "
    "<br>White, 93.1<br>Asian or Asian British, 2.4",
    "disability": "For example <br>Yes, 21.6<br>No, 78.4",
    "imd_quintile": "Quintile 1 is the most deprived fifth of areas. For example "
    "<br>1, 32.4<br>2, 18.1",
}
POPULATION_LABELS = {
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "imd_quintile": "Index of Multiple Deprivation quintile",
}


class LocalAreaForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the local area",
        max_length=100,
        help_text="For example, Wirral and neighbours",
        error_messages={"required": "Enter the local area's name."},
    )
    district_codes = forms.CharField(
        label="Local authority district codes",
        help_text="The ONS codes of the districts, one per line or separated by commas, "
        "for example E08000015",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        error_messages={"required": "Enter at least one local authority district code."},
    )

    def clean_district_codes(self) -> list[str]:
        text = self.cleaned_data["district_codes"].replace(",", "\n")
        return [code.strip() for code in text.splitlines() if code.strip()]


def population_text(shares: dict | None) -> str:
    """A category's shares as the form shows them: "group, percent" lines."""
    return "\n".join(f"{group}, {percent}" for group, percent in (shares or {}).items())


class PopulationForm(ServiceErrorsFormMixin, forms.Form):
    """Each category a textarea of "group, percent" lines; cleaned to {group: percent}."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in POPULATION_CATEGORIES:
            self.fields[category] = forms.CharField(
                label=POPULATION_LABELS[category],
                required=False,
                help_text=POPULATION_HELP[category],
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    def _lines(self, category: str) -> dict[str, str]:
        shares: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data[category].splitlines(), start=1):
            if not line.strip():
                continue
            group, comma, percent = line.rpartition(",")
            if not comma or not group.strip() or not percent.strip():
                raise forms.ValidationError(
                    f"Line {number} of {POPULATION_LABELS[category].lower()}: write the group, "
                    "a comma and the percentage, like White, 93.1"
                )
            if group.strip() in shares:
                raise forms.ValidationError(
                    f"{group.strip()} is listed twice in {POPULATION_LABELS[category].lower()}."
                )
            shares[group.strip()] = percent.strip()
        return shares

    def clean_ethnicity(self):
        return self._lines("ethnicity")

    def clean_disability(self):
        return self._lines("disability")

    def clean_imd_quintile(self):
        return self._lines("imd_quintile")
