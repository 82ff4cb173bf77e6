"""Forms of the evidence pages. The file's type, size and emptiness are judged by the service
(awards.services.evidence, from the content), so its messages name the file; the form only
asks that a file was chosen."""

from django import forms

from awards.services.evidence import MAX_APPLICATION_BYTES, MAX_FILE_BYTES
from tenancy.forms import ServiceErrorsFormMixin
from uploads.checks import human_size


def file_hint() -> str:
    return (
        f"A PDF, Word document (DOCX), Excel workbook (XLSX), CSV, PNG or JPEG of up to "
        f"{human_size(MAX_FILE_BYTES)}. An application can hold "
        f"{human_size(MAX_APPLICATION_BYTES)} of files in all."
    )


def _file_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=file_hint(),
        # An empty file reaches the service, which refuses it naming the file.
        allow_empty_file=True,
        error_messages={"required": "Choose a file.", "invalid": "Choose a file."},
    )


class EvidenceAddForm(ServiceErrorsFormMixin, forms.Form):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field("Evidence file")
        self.criteria = {str(c.pk): c for c in criteria}
        self.fields["criterion"] = forms.ChoiceField(
            label="Which question does it evidence?",
            required=False,
            choices=[("", "None in particular")]
            + [(pk, c.text[:120]) for pk, c in self.criteria.items()],
        )
        self.fields["description"] = forms.CharField(
            label="What is it?",
            help_text='For example "Staff volunteering log, 2022/23".',
            required=False,
            max_length=300,
            error_messages={"max_length": "Keep the description to 300 characters or fewer."},
        )

    @property
    def chosen_criterion(self):
        return self.criteria.get(self.cleaned_data.get("criterion") or "")


class EvidenceReplaceForm(ServiceErrorsFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field("New file")
