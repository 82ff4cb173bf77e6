from django import forms
from django.core.exceptions import ValidationError

from organisations.models import OrganisationType, SizeBand
from organisations.services import OrganisationDetails
from organisations.validators import (
    normalise_charity_number,
    normalise_companies_house_number,
    normalise_ods_code,
    normalise_postcode,
)
from tenancy.forms import ServiceErrorsFormMixin


class OrganisationForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter the organisation's name."}
    )
    organisation_type = forms.ChoiceField(
        label="Type of organisation",
        choices=[("", "Choose a type")] + OrganisationType.choices,
        error_messages={"required": "Choose the type of organisation."},
    )
    size_band = forms.ChoiceField(
        label="Size", choices=[("", "Not known")] + SizeBand.choices, required=False
    )
    registered_postcode = forms.CharField(
        label="Registered postcode",
        max_length=10,
        required=False,
        help_text="For example, CH41 2AB",
    )
    ods_code = forms.CharField(
        label="NHS ODS code (optional)",
        max_length=10,
        required=False,
        help_text="NHS bodies only. An NHS trust's code has 3 characters, for example RY7.",
    )
    companies_house_number = forms.CharField(
        label="Companies House number (optional)",
        max_length=12,
        required=False,
        help_text="8 characters, for example 01234567 or SC123456",
    )
    charity_number = forms.CharField(
        label="Charity Commission number (optional)",
        max_length=12,
        required=False,
        help_text="Charities in England and Wales, for example 1123456",
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a full web address, starting https://"},
    )

    def clean_registered_postcode(self) -> str:
        value = self.cleaned_data["registered_postcode"]
        return normalise_postcode(value) if value.strip() else ""

    def clean_companies_house_number(self) -> str:
        value = self.cleaned_data["companies_house_number"]
        return normalise_companies_house_number(value) if value.strip() else ""

    def clean_charity_number(self) -> str:
        value = self.cleaned_data["charity_number"]
        return normalise_charity_number(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        ods = (cleaned.get("ods_code") or "").strip()
        if ods:
            try:
                cleaned["ods_code"] = normalise_ods_code(
                    ods, organisation_type=cleaned.get("organisation_type")
                )
            except ValidationError as error:
                self.add_error("ods_code", error)
        return cleaned

    def to_details(self) -> OrganisationDetails:
        return OrganisationDetails(**self.cleaned_data)


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or identifier", required=False)
    organisation_type = forms.ChoiceField(
        label="Type", choices=[("", "All types")] + OrganisationType.choices, required=False
    )
    size_band = forms.ChoiceField(
        label="Size", choices=[("", "All sizes")] + SizeBand.choices, required=False
    )
    place = forms.CharField(
        label="Postcode area or district", required=False, help_text="For example CH or CH41"
    )
