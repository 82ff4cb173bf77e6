"""Forms of the KVI pages: a KVI (create and edit), the chart's SPC options and the dashboard's
financial year. Business rules stay in kvi.measurements; these forms check what was typed."""

from datetime import date
from typing import cast

from django import forms

from kvi.dashboard import plain_number
from kvi.models import Frequency, Kvi
from kvi.spc import MIN_POINTS_FOR_FIRM_LIMITS
from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


def date_initial(value: date | None) -> str:
    """A date as the forms show it: 1/4/2022."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={"invalid": f"Enter the {label.lower()} as day/month/year, like 1/4/2022."},
    )


def _number_field(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        help_text=help_text,
        max_digits=20,
        decimal_places=6,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a number, like 18 or 4.76.",
            "max_digits": f"Enter the {label.lower()} with at most 14 digits before the point.",
            "max_decimal_places": f"Enter the {label.lower()} with at most 6 decimal places.",
            "max_whole_digits": f"Enter the {label.lower()} with at most 14 digits before the "
            "point.",
        },
    )


def metric_label(metric) -> str:
    own = " (your organisation's own)" if metric.organisation_id else ""
    return (
        f"{metric.code} {metric.name} – {metric.subtheme.theme.name}, {metric.subtheme.name}"
        f" ({metric.get_unit_display()}){own}"
    )


def pledge_label(pledge) -> str:
    text = pledge.text if len(pledge.text) <= 90 else pledge.text[:87].rstrip() + "…"
    return f"{pledge.signatory.charter.title}: {pledge.heading} – {text}"


class KviForm(ServiceErrorsFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="Short and unique within your organisation, for example ECON-1",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"}),
        error_messages={"required": "Enter the KVI's code."},
    )
    title = forms.CharField(
        label="What the KVI promises",
        max_length=300,
        help_text="For example, 18% of supply-chain spend with local firms in 2022/23",
        error_messages={"required": "Enter what the KVI promises."},
    )
    metric = forms.ChoiceField(
        label="Metric",
        help_text="From your programme's published framework, or one of your own metrics",
        error_messages={
            "required": "Choose the metric the KVI measures.",
            "invalid_choice": "Choose one of the metrics listed.",
        },
    )
    frequency = forms.ChoiceField(
        label="How often figures are reported",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often figures are reported."},
    )
    baseline_value = _number_field("Baseline value", "The figure you start from, if known")
    baseline_period = _date_field(
        "Baseline period", "The first day of the baseline's period, for example 1/4/2021"
    )
    target_value = _number_field("Target value", "In the metric's unit, for example 18 for 18%")
    target_financial_year = forms.CharField(
        label="Financial year the target is due",
        required=False,
        max_length=7,
        help_text="For example 2022/23. Or give a date below instead.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "autocomplete": "off"}),
    )
    target_date = _date_field("Date the target is due", "For example 31/3/2023")
    owner_name = forms.CharField(
        label="Owner",
        required=False,
        max_length=200,
        help_text="The person or team accountable for it",
    )
    pledge = forms.ChoiceField(
        label="Pledge it evidences",
        required=False,
        error_messages={"invalid_choice": "Choose one of your organisation's pledges."},
    )

    def __init__(self, *args, metrics, pledges, **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = {str(metric.pk): metric for metric in metrics}
        self.pledges = {str(pledge.pk): pledge for pledge in pledges}
        cast(forms.ChoiceField, self.fields["metric"]).choices = [("", "Choose a metric")] + [
            (key, metric_label(metric)) for key, metric in self.metrics.items()
        ]
        cast(forms.ChoiceField, self.fields["pledge"]).choices = [("", "None")] + [
            (key, pledge_label(pledge)) for key, pledge in self.pledges.items()
        ]
        if not self.pledges:
            self.fields["pledge"].help_text = "Your organisation has no pledges yet."

    @classmethod
    def initial_for(cls, kvi: Kvi) -> dict:
        return {
            "code": kvi.code,
            "title": kvi.title,
            "metric": str(kvi.metric_id),
            "frequency": kvi.frequency,
            "baseline_value": plain_number(kvi.baseline_value),
            "baseline_period": date_initial(kvi.baseline_period),
            "target_value": plain_number(kvi.target_value),
            "target_financial_year": kvi.target_financial_year,
            "target_date": date_initial(kvi.target_date),
            "owner_name": kvi.owner_name,
            "pledge": str(kvi.pledge_id) if kvi.pledge_id else "",
        }

    def clean(self):
        cleaned = super().clean()
        cleaned["metric"] = self.metrics.get(cleaned.get("metric") or "")
        cleaned["pledge"] = self.pledges.get(cleaned.get("pledge") or "")
        return cleaned

    def kvi_input_fields(self) -> dict:
        """The cleaned data as KviInput's fields."""
        data = self.cleaned_data
        return {
            "code": data["code"],
            "title": data["title"],
            "metric": data["metric"],
            "frequency": data["frequency"],
            "baseline_value": data["baseline_value"],
            "baseline_period": data["baseline_period"],
            "target_value": data["target_value"],
            "target_financial_year": data["target_financial_year"],
            "target_date": data["target_date"],
            "owner_name": data["owner_name"],
            "pledge": data["pledge"],
        }


class SpcOptionsForm(forms.Form):
    """How the chart is calculated (GET). Every option is optional; invalid ones are ignored
    with a message."""

    baseline_points = forms.IntegerField(
        label="Fix the limits on the first points",
        required=False,
        min_value=MIN_POINTS_FOR_FIRM_LIMITS,
        help_text=f"Leave empty to use every point. Fix only on {MIN_POINTS_FOR_FIRM_LIMITS} or "
        "more points.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={
            "invalid": "Enter the number of points as a whole number, like 12.",
            "min_value": f"Limits can be fixed only on {MIN_POINTS_FOR_FIRM_LIMITS} or more "
            "points.",
        },
    )
    rebase_at = forms.MultipleChoiceField(
        label="Recalculate the limits from",
        required=False,
        help_text="Only after a special cause you understand, such as a change of process. "
        "Choose one or more periods.",
        error_messages={"invalid_choice": "Choose periods of this KVI's chart."},
    )
    screen_outliers = forms.BooleanField(
        label="Screen out outlying moving ranges",
        required=False,
        help_text="Off by default, as in NHS England's Making Data Count spreadsheets.",
    )
    run_length = forms.TypedChoiceField(
        label="Points in a run (trend and shift)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(7, "7 (NHS England)"), (6, "6")],
    )

    def __init__(self, *args, periods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["rebase_at"]).choices = periods

    @classmethod
    def initial_for(cls, kvi) -> dict:
        """The form's values for the KVI's stored chart settings."""
        return {
            "baseline_points": kvi.spc_baseline_points,
            "rebase_at": [value.isoformat() for value in kvi.spc_rebase_at],
            "screen_outliers": kvi.spc_screen_outliers,
            "run_length": kvi.spc_shift_length,
        }

    def spc_settings(self) -> dict:
        """SpcSettings fields from the options, when they are valid (else {}: the KVI's own)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "baseline_points": data["baseline_points"] or None,
            "screen_outliers": bool(data["screen_outliers"]),
            "trend_length": data["run_length"] or 7,
            "shift_length": data["run_length"] or 7,
            "rebase_at": [date.fromisoformat(value) for value in data["rebase_at"]],
        }


class FinancialYearForm(forms.Form):
    year = forms.ChoiceField(label="Financial year", required=False)

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["year"]).choices = [(year, year) for year in years]
