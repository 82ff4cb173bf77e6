"""The form that imports a return's figures from a file (anchors.services.return_imports)."""

from django import forms

from anchors.services.return_imports import import_hint
from tenancy.forms import ServiceErrorsFormMixin

PREFIX = "import"


class ReturnImportForm(ServiceErrorsFormMixin, forms.Form):
    """One file field. Shown on the return page with the prefix "import", so its field id
    (id_import-file) cannot clash with the return form's."""

    file = forms.FileField(
        label="File with your figures",
        allow_empty_file=True,  # the service refuses an empty file, naming it
        error_messages={"required": "Choose a file.", "invalid": "Choose a file."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = import_hint()

    def add_service_errors(self, error) -> None:
        """The file's problems (one per row) against the file field, so the error summary
        lists each and links it to the file input; other refusals (a closed round) as the
        page's own problem."""
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                self.add_error("file" if key == "file" else None, messages)
        else:
            self.add_error(None, error.messages)
