"""Forms of the programme team's anchor pages: making the anchor charter, a principle or
priority under a pillar, a metric of the evidence framework (adding one, changing its pillar,
place or collective impact), a reporting round (making one, changing its dates), a search of
the member list and a query on a figure. Business rules stay in anchors.services; these forms
check only what a person typed, with NHS.UK style messages naming the field."""

from typing import cast

from django import forms

from anchors.models import PriorityKind
from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


def date_field(label: str, noun: str, example: str = "1/4/2024") -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        help_text=f"For example, {example}",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "required": f"Enter the date {noun}.",
            "invalid": f"Enter the date {noun} as day/month/year, like {example}.",
        },
    )


def date_initial(value) -> str:
    """A date as the forms show it: 1/4/2024."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


class AnchorCharterForm(ServiceErrorsFormMixin, forms.Form):
    title = forms.CharField(
        label="Title of the charter",
        max_length=200,
        help_text="For example, Cheshire and Merseyside Anchor Institution Charter",
        error_messages={"required": "Enter the charter's title."},
    )
    with_metrics = forms.BooleanField(
        label="Start the evidence framework with the default metrics",
        required=False,
        help_text="Local spend, social value weighting, community use of the estate, local "
        "people employed, apprenticeships, the Real Living Wage and emissions reduced.",
    )


class PriorityForm(ServiceErrorsFormMixin, forms.Form):
    pillar = forms.ChoiceField(
        label="Pillar", error_messages={"required": "Choose the pillar it comes under."}
    )
    kind = forms.ChoiceField(
        label="Is it a principle or a priority?",
        choices=PriorityKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose principle or priority."},
    )
    text = forms.CharField(
        label="Wording",
        max_length=300,
        help_text="For example, Pay the real living wage",
        error_messages={
            "required": "Enter the principle or priority.",
            "max_length": "Keep the wording to 300 characters or fewer.",
        },
    )

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.pillars = {str(p.pk): p for p in pillars}
        cast(forms.ChoiceField, self.fields["pillar"]).choices = [("", "Choose a pillar")] + [
            (key, p.name) for key, p in self.pillars.items()
        ]

    def clean_pillar(self):
        pillar = self.pillars.get(self.cleaned_data["pillar"])
        if pillar is None:
            raise forms.ValidationError("Choose the pillar it comes under.")
        return pillar


class PillarMetricForm(ServiceErrorsFormMixin, forms.Form):
    pillar_code = forms.ChoiceField(
        label="Pillar", error_messages={"required": "Choose the pillar members report it under."}
    )
    metric = forms.ChoiceField(
        label="Metric",
        help_text="The programme's metrics in published KVI frameworks.",
        error_messages={"required": "Choose the metric members report."},
    )
    in_collective_total = forms.BooleanField(
        label="Add members' figures up into the charter's collective impact",
        required=False,
        help_text="Not for percentages: they cannot be added up across members.",
    )

    def __init__(self, *args, pillars, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = {str(m.pk): m for m in metrics}
        cast(forms.ChoiceField, self.fields["pillar_code"]).choices = [("", "Choose a pillar")] + [
            (p.code, p.name) for p in pillars
        ]
        cast(forms.ChoiceField, self.fields["metric"]).choices = [("", "Choose a metric")] + [
            (key, f"{m.name} ({m.code}, {m.unit})") for key, m in self.metrics.items()
        ]

    def clean_metric(self):
        metric = self.metrics.get(self.cleaned_data["metric"])
        if metric is None:
            raise forms.ValidationError("Choose the metric members report.")
        return metric


class PillarMetricChangeForm(ServiceErrorsFormMixin, forms.Form):
    pillar_code = forms.ChoiceField(
        label="Pillar", error_messages={"required": "Choose the pillar members report it under."}
    )
    position = forms.IntegerField(
        label="Place under its pillar",
        min_value=1,
        help_text="1 puts it first among the metrics under its pillar.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "required": "Enter its place under the pillar, like 1.",
            "invalid": "Enter its place under the pillar as a whole number, like 1.",
            "min_value": "Enter its place under the pillar as a whole number, like 1.",
        },
    )
    in_collective_total = forms.BooleanField(
        label="Add members' figures up into the charter's collective impact",
        required=False,
        help_text="Not for percentages: they cannot be added up across members.",
    )

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pillar_code"]).choices = [("", "Choose a pillar")] + [
            (p.code, p.name) for p in pillars
        ]


class RoundForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the round",
        max_length=60,
        help_text="For example, 2023/24 H1",
        error_messages={"required": 'Enter the round\'s name, for example "2023/24 H1".'},
    )
    period_start = date_field("Start of the period it covers", "the period starts")
    period_end = date_field("End of the period", "the period ends", "30/9/2024")
    opens_on = date_field("Date it opens to members", "the round opens", "1/10/2024")
    due_on = date_field("Date returns are due", "returns are due", "1/11/2024")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end after it starts.")
        opens, due = cleaned.get("opens_on"), cleaned.get("due_on")
        if opens and due and due < opens:
            self.add_error("due_on", "Returns must be due after the round opens.")
        return cleaned


class RoundDatesForm(ServiceErrorsFormMixin, forms.Form):
    opens_on = date_field("Date it opens to members", "the round opens", "1/10/2024")
    due_on = date_field("Date returns are due", "returns are due", "1/11/2024")

    def clean(self):
        cleaned = super().clean()
        opens, due = cleaned.get("opens_on"), cleaned.get("due_on")
        if opens and due and due < opens:
            self.add_error("due_on", "Returns must be due after the round opens.")
        return cleaned


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label="Search by organisation name",
        required=False,
        max_length=200,
        help_text="All or part of the name, for example Trust",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
    )


class QueryForm(ServiceErrorsFormMixin, forms.Form):
    text = forms.CharField(
        label="Your question about this figure",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The member's organisation admins are emailed and answer on the return.",
        error_messages={"required": "Say what you want to know about the figure."},
    )
