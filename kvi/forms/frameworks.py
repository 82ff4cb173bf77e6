"""Forms of the framework pages: frameworks, themes, sub-themes, metrics, crosswalks and the
library uploads. Business rules stay in kvi.frameworks and kvi.library; these forms check only
what a person typed, with NHS.UK style messages."""

from typing import cast

from django import forms

from kvi.models import Aggregation, CrosswalkScheme, Direction, MetricFeed, Unit
from tenancy.forms import ServiceErrorsFormMixin

ORDER_HELP = "Lower numbers come first."


def _order_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Order",
        min_value=0,
        max_value=100000,
        initial=0,
        help_text=ORDER_HELP,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the order, a whole number like 1.",
            "invalid": "Enter the order as a whole number, like 1.",
            "min_value": "Enter the order as 0 or more.",
            "max_value": "Enter the order as 100,000 or less.",
        },
    )


def _radios(label: str, choices, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": message}
    )


class FrameworkForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the framework",
        max_length=200,
        help_text="For example, Social value framework",
        error_messages={"required": "Enter the framework's name."},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ThemeForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the theme",
        max_length=200,
        help_text="For example, Economic",
        error_messages={"required": "Enter the theme's name."},
    )
    position = _order_field()


class SubThemeForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the sub-theme",
        max_length=200,
        help_text="For example, Local procurement",
        error_messages={"required": "Enter the sub-theme's name."},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    position = _order_field()


class MetricForm(ServiceErrorsFormMixin, forms.Form):
    subtheme = forms.ChoiceField(
        label="Theme and sub-theme", error_messages={"required": "Choose the sub-theme."}
    )
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="A short code, unique in this version, for example LOCAL-SPEND",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
        error_messages={"required": "Enter the metric's code."},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the metric's name."}
    )
    definition = forms.CharField(
        label="Definition",
        help_text="Exactly what is counted, and from which source.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say exactly what the metric counts."},
    )
    unit = forms.ChoiceField(
        label="Unit",
        choices=[("", "Choose a unit"), *Unit.choices],
        error_messages={
            "required": "Choose the unit.",
            "invalid_choice": "Choose one of the units listed.",
        },
    )
    direction = _radios(
        "Which way is better?", Direction.choices, "Choose whether higher or lower is better."
    )
    aggregation = _radios(
        "How do a year's periods combine?",
        Aggregation.choices,
        "Choose how periods combine over a year.",
    )
    proxy_measure_code = forms.CharField(
        label="Proxy measure code",
        max_length=60,
        required=False,
        help_text="The measure in a proxy set that gives this metric a value in pounds.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
    )
    feed = forms.ChoiceField(
        label="Where the figures come from",
        choices=MetricFeed.choices,
        required=False,
    )
    position = _order_field()

    def __init__(self, *args, subthemes, **kwargs):
        """`subthemes`: the version's sub-themes, their themes joined."""
        super().__init__(*args, **kwargs)
        self.subthemes = {str(subtheme.pk): subtheme for subtheme in subthemes}
        cast(forms.ChoiceField, self.fields["subtheme"]).choices = [("", "Choose a sub-theme")] + [
            (key, f"{subtheme.theme.name}: {subtheme.name}")
            for key, subtheme in self.subthemes.items()
        ]

    def clean_subtheme(self):
        return self.subthemes[self.cleaned_data["subtheme"]]


class CrosswalkForm(ServiceErrorsFormMixin, forms.Form):
    scheme = forms.ChoiceField(
        label="Scheme",
        choices=[("", "Choose a scheme"), *CrosswalkScheme.choices],
        error_messages={"required": "Choose the scheme the item belongs to."},
    )
    item_code = forms.CharField(
        label="Item code",
        max_length=60,
        help_text="The item's code in that scheme, for example MAC 2",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
        error_messages={"required": "Enter the item's code in that scheme."},
    )
    item_label = forms.CharField(label="Item label", max_length=300, required=False)


class LibraryUploadForm(ServiceErrorsFormMixin, forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        error_messages={"required": "Choose a CSV file to import.", "empty": "The file is empty."},
    )
