"""Forms of the measurement pages: entering a figure, correcting one, returning one to be
corrected, and adding an evidence file. The figures are passed to kvi.measurements as typed: the
service says what is wrong with them, naming the field (ServiceErrorsFormMixin shows it)."""

from datetime import date, datetime

from django import forms

from kvi import periods
from kvi.models import Aggregation, Frequency, Kvi
from tenancy.forms import ServiceErrorsFormMixin

SAVE_DRAFT = "draft"
SUBMIT = "submit"
PERIOD_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
YEARS_OF_PERIODS = 3  # the period select offers this many financial years before this one


def describe_period(period: date, frequency: str) -> str:
    """A period as people say it: "April 2022", "Quarter 1 2022/23 (April to June 2022)",
    "2022/23"."""
    if frequency == Frequency.ANNUAL:
        return periods.financial_year_of(period)
    if frequency == Frequency.QUARTERLY:
        year = periods.financial_year_of(period)
        quarter = (period.month - 4) % 12 // 3 + 1
        last = date(period.year, period.month + 2, 1)  # quarters start Apr, Jul, Oct, Jan
        return (
            f"Quarter {quarter} {year} ({period.strftime('%B')} to {last.strftime('%B')} "
            f"{last.year})"
        )
    return period.strftime("%B %Y")


def period_choices(kvi: Kvi, *, today: date, recorded: dict[date, str]) -> list[tuple[str, str]]:
    """Period starts for the KVI's frequency, newest first, from the current period back to
    April three financial years ago; periods with a figure say its status."""
    first = date(periods.financial_year_start(periods.financial_year_of(today)).year - 3, 4, 1)
    if kvi.baseline_period and kvi.baseline_period < first:
        first = kvi.baseline_period
    choices = []
    for start in reversed(periods.periods_between(first, today, kvi.frequency)):
        label = describe_period(start, kvi.frequency)
        if start in recorded:
            label += f" – {recorded[start]} figure recorded"
        choices.append((start.isoformat(), label))
    return choices


def _figure_fields(form: forms.Form, kvi: Kvi) -> None:
    """A value, or a numerator and a denominator for a KVI whose metric combines as a ratio."""
    unit = kvi.metric.get_unit_display()
    if kvi.metric.aggregation == Aggregation.RATIO:
        form.fields["numerator"] = _number("Numerator", _ratio_hint(kvi))
        form.fields["denominator"] = _number(
            "Denominator", "The whole it is part of, for example total spend. More than zero."
        )
    else:
        form.fields["value"] = _number(
            "Value", f"In {unit}. For example 58" + (" for 58%" if unit == "%" else "")
        )


def _ratio_hint(kvi: Kvi) -> str:
    scaled = (
        " (the figure shown is numerator ÷ denominator × 100)" if kvi.metric.unit == "%" else ""
    )
    return f"The part counted, for example local spend{scaled}"


def _number(label: str, help_text: str) -> forms.CharField:
    # Text, not a number input: the service parses it (commas allowed) and names the field.
    return forms.CharField(
        label=label,
        max_length=40,
        help_text=help_text,
        error_messages={"required": f"Enter the {label.lower()}."},
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
    )


class MeasurementForm(ServiceErrorsFormMixin, forms.Form):
    """Enter a figure for a period (or change a draft: then the period is fixed)."""

    period = forms.CharField(
        label="Period",
        widget=forms.Select,
        error_messages={"required": "Choose the period the figure is for."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the person validating it should know",
    )
    source = forms.CharField(
        label="Source",
        required=False,
        max_length=300,
        help_text="Where the figure comes from, for example the finance ledger or ESR",
    )
    file = forms.FileField(
        label="Evidence file",
        required=False,
        help_text="A PDF, Word document, Excel workbook, CSV, PNG or JPEG of up to 10 MB",
    )

    def __init__(self, *args, kvi: Kvi, period_options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kvi = kvi
        if period_options is None:
            del self.fields["period"]
        else:
            self.fields["period"].widget.choices = [("", "Choose a period")] + period_options
        _figure_fields(self, kvi)
        # Figures first, then the note, source and file.
        order = ["period", "value", "numerator", "denominator", "note", "source", "file"]
        self.order_fields([name for name in order if name in self.fields])

    def clean_period(self) -> date:
        text = self.cleaned_data["period"].strip()
        for pattern in PERIOD_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise forms.ValidationError("Choose the period the figure is for.")

    def figures(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("value", "numerator", "denominator")
            if name in self.cleaned_data
        }


class CorrectionForm(ServiceErrorsFormMixin, forms.Form):
    """Correct a figure that has been submitted: the new figure and why."""

    reason = forms.CharField(
        label="Why is the figure being corrected?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This is kept with the correction, with your name and the old and new figures",
        error_messages={"required": "Say why the figure is being corrected."},
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kvi: Kvi, **kwargs):
        super().__init__(*args, **kwargs)
        self.kvi = kvi
        _figure_fields(self, kvi)
        order = ["value", "numerator", "denominator", "note", "reason"]
        self.order_fields([name for name in order if name in self.fields])

    def figures(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("value", "numerator", "denominator")
            if name in self.cleaned_data
        }


class ReturnForm(ServiceErrorsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the figure being returned?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person who entered it sees this and corrects the figure",
        error_messages={"required": "Say why the figure is being returned."},
    )


class EvidenceForm(ServiceErrorsFormMixin, forms.Form):
    file = forms.FileField(
        label="Evidence file",
        help_text="A PDF, Word document, Excel workbook, CSV, PNG or JPEG of up to 10 MB",
        error_messages={
            "required": "Choose a file.",
            "empty": "The file is empty.",
            "invalid": "Choose a file.",
        },
    )
