"""The public register's search and filters (a GET form, no sign-in)."""

from django import forms

from charters.forms.signing import DATE_FORMAT
from charters.selectors import RegisterFilters
from organisations.models import OrganisationType, Sector, SizeBand


class RegisterFilterForm(forms.Form):
    """Search and filters of the public register. Every field is optional; a field with a
    wrong value is left out of the filters (and its error shown)."""

    q = forms.CharField(label="Organisation name", required=False, max_length=200)
    sector = forms.ChoiceField(label="Sector", required=False)
    organisation_type = forms.ChoiceField(label="Type of organisation", required=False)
    size_band = forms.ChoiceField(label="Size", required=False)
    place = forms.CharField(
        label="Postcode area or district",
        required=False,
        max_length=8,
        help_text="For example, CH or CH41",
    )
    signed_from = forms.DateField(
        label="Signed on or after",
        required=False,
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(format=DATE_FORMAT),
        help_text="For example, 01/04/2022",
        error_messages={
            "invalid": "Signed on or after must be a real date, written as day/month/year"
        },
    )
    signed_to = forms.DateField(
        label="Signed on or before",
        required=False,
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(format=DATE_FORMAT),
        help_text="For example, 31/03/2023",
        error_messages={
            "invalid": "Signed on or before must be a real date, written as day/month/year"
        },
    )

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "All sectors")] + Sector.choices
        self.fields["organisation_type"].choices = [("", "All types")] + OrganisationType.choices
        self.fields["size_band"].choices = [("", "All sizes")] + SizeBand.choices
        tiers = list(tiers)
        if len(tiers) > 1:
            self.fields["tier"] = forms.ChoiceField(
                label="Tier",
                required=False,
                choices=[("", "All tiers")] + [(str(t.id), t.name) for t in tiers],
            )
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = f"Choose a {field.label.lower()} from the list"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and start > end:
            self.add_error(
                "signed_to", "Signed on or before must be the same as or after signed on or after"
            )
        return cleaned

    def filters(self):
        """RegisterFilters from the fields that are valid (after is_valid())."""
        values = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return RegisterFilters(
            q=(values.get("q") or "").strip(),
            sector=values.get("sector") or "",
            organisation_type=values.get("organisation_type") or "",
            size_band=values.get("size_band") or "",
            place=(values.get("place") or "").strip().upper(),
            tier=values.get("tier") or "",
            signed_from=values.get("signed_from"),
            signed_to=values.get("signed_to"),
        )
