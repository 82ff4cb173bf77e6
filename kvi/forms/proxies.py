"""Forms of the proxy-set pages: loading a proxy set from the publisher's CSV."""

from django import forms

from kvi.value import PROXY_SET_MAX_BYTES
from tenancy.forms import ServiceErrorsFormMixin
from uploads.checks import human_size


class ProxySetLoadForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the proxy set",
        max_length=200,
        help_text=(
            "For example the publisher and edition. Loading a file under a name already used "
            "makes its next version."
        ),
        error_messages={
            "required": "Enter a name for the proxy set.",
            "max_length": "The name is too long: at most 200 characters.",
        },
    )
    source = forms.CharField(
        label="Source",
        required=False,
        max_length=300,
        help_text="Who publishes these values, and where you got them.",
        error_messages={"max_length": "The source is too long: at most 300 characters."},
    )
    licence = forms.CharField(
        label="Licence",
        required=False,
        max_length=300,
        help_text="The terms under which your programme may use these values.",
        error_messages={"max_length": "The licence is too long: at most 300 characters."},
    )
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: measure code, unit, £ per unit, financial year (like 2022/23), and "
            f"optionally source, licence, deadweight %, attribution %. At most "
            f"{human_size(PROXY_SET_MAX_BYTES)}."
        ),
        error_messages={
            "required": "Choose the CSV file of proxy values.",
            "empty": "The chosen file is empty.",
        },
    )
