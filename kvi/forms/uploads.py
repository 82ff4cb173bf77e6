"""Forms of the organisation's uploads: a spend ledger (with the local area to measure it
against) and workforce counts for a period. The files' own checks live in the services."""

from datetime import date

from django import forms

from kvi.services import LEDGER_MAX_BYTES
from tenancy.forms import ServiceErrorsFormMixin
from uploads.checks import human_size

MONTHS = [(str(n), date(2000, n, 1).strftime("%B")) for n in range(1, 13)]


class SpendLedgerUploadForm(ServiceErrorsFormMixin, forms.Form):
    file = forms.FileField(
        label="Spend ledger",
        help_text=(
            "A CSV file with the columns supplier_name, supplier_postcode, amount and "
            "payment_date, and optionally supplier_type (SME, VCSE) and category. At most "
            f"{human_size(LEDGER_MAX_BYTES)}."
        ),
        error_messages={"required": "Choose the spend ledger to upload."},
    )
    local_area = forms.ChoiceField(
        label="Local area to measure local spend against",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the local area.",
            "invalid_choice": "Choose one of the programme's local areas.",
        },
    )

    def __init__(self, *args, local_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.local_areas = {str(area.pk): area for area in local_areas}
        field = self.fields["local_area"]
        field.choices = [
            (key, f"{area.name} ({', '.join(area.district_codes)})")
            for key, area in self.local_areas.items()
        ]
        if len(self.local_areas) == 1:
            field.initial = next(iter(self.local_areas))

    def clean_local_area(self):
        return self.local_areas[self.cleaned_data["local_area"]]


class WorkforceUploadForm(ServiceErrorsFormMixin, forms.Form):
    month = forms.ChoiceField(
        label="Month the counts are for",
        choices=[("", "Choose a month")] + MONTHS,
        help_text="The counts describe the period that starts on the 1st of this month.",
        error_messages={"required": "Choose the month the counts are for."},
    )
    year = forms.IntegerField(
        label="Year",
        min_value=2000,
        max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        error_messages={
            "required": "Enter the year, like 2022.",
            "invalid": "Enter the year as four digits, like 2022.",
            "min_value": "Enter a year from 2000.",
            "max_value": "Enter a year up to 2100.",
        },
    )
    file = forms.FileField(
        label="Workforce counts",
        help_text=(
            "A CSV file of counts only, with the columns category, group and wte: one row per "
            "group, for example <code>disability,Yes,41.2</code>. Categories: disability (Yes, "
            "No, Not declared), ethnicity, imd_quintile or imd_decile (1 is the most deprived, "
            "or Not known). Never upload a list of people."
        ),
        error_messages={"required": "Choose the file of workforce counts."},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("month") and cleaned.get("year"):
            cleaned["period"] = date(cleaned["year"], int(cleaned["month"]), 1)
        return cleaned
