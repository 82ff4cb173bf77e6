"""Forms of the measurement import pages: the upload, and the choice made when importing."""

from django import forms

from kvi.imports_files import MAX_BYTES
from tenancy.forms import ServiceErrorsFormMixin


class MeasurementImportForm(ServiceErrorsFormMixin, forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            f"A CSV file or an Excel workbook (XLSX) of up to {MAX_BYTES // (1024 * 1024)} MB, "
            "with the columns of the template."
        ),
        error_messages={
            "required": "Choose the file to import.",
            "empty": "The file is empty.",
            "invalid": "Choose a file to upload.",
        },
    )


class MeasurementImportConfirmForm(ServiceErrorsFormMixin, forms.Form):
    SUBMIT, DRAFT = "submit", "draft"
    then = forms.ChoiceField(
        label="What should happen to the new and changed figures?",
        choices=[
            (SUBMIT, "Submit them for validation by the organisation admin"),
            (DRAFT, "Keep them as drafts, to check and submit on each KVI's page"),
        ],
        initial=SUBMIT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what should happen to the figures."},
    )

    @property
    def submit(self) -> bool:
        return self.cleaned_data["then"] == self.SUBMIT
