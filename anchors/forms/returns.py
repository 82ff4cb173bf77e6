"""Forms of a member's return: its figures (one per pillar metric, in the metric's unit) and a
narrative per pillar, an evidence file, and the answer to a query on a figure.

A figure may be typed with its unit ("£1,250,000", "13%", "340 tCO2e"); a unit typed that is
not the metric's is passed to the service, which refuses it naming the field. Without a typed
unit the figure is in the unit the page showed (a hidden field, so a form shown before the
programme team changed a metric's unit is refused rather than read in the wrong unit)."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from anchors.models import FigureSource
from anchors.services import FigureInput, field_name
from anchors.services.return_evidence import MAX_FILE_BYTES, MAX_RETURN_BYTES
from kvi.dashboard import plain_number
from kvi.models import Unit
from tenancy.forms import ServiceErrorsFormMixin
from uploads.checks import human_size

FIGURE = re.compile(
    r"^(?P<prefix>[£$€])?\s*(?P<number>[-+]?[\d,]*\.?\d+)\s*(?P<suffix>[^\d\s,.].*?)?\s*$"
)
UNIT_WORDS = {
    **{u.lower(): u for u in Unit.values},
    "pounds": Unit.POUNDS,
    "gbp": Unit.POUNDS,
    "percent": Unit.PERCENT,
    "per cent": Unit.PERCENT,
    "hour": Unit.HOURS,
    "hrs": Unit.HOURS,
    "hr": Unit.HOURS,
    "person": Unit.PEOPLE,
    "tco2": Unit.TCO2E,
    "t co2e": Unit.TCO2E,
    "tonnes co2e": Unit.TCO2E,
    "session": Unit.SESSIONS,
    "litre": Unit.LITRES,
}


def read_figure(text: str, shown_unit: str) -> tuple[str, str]:
    """(the number as typed, the unit it is in): the unit typed with it, else the unit the
    form showed. Text that is not a number is passed on as it is (the service says so)."""
    text = (text or "").strip()
    match = FIGURE.match(text)
    if not match:
        return text, shown_unit
    prefix, suffix = match["prefix"], (match["suffix"] or "").strip()
    if prefix:
        unit = Unit.POUNDS if prefix == "£" else prefix
    elif suffix:
        unit = UNIT_WORDS.get(suffix.lower(), suffix)
    else:
        unit = shown_unit
    return match["number"], unit


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class ReturnForm(ServiceErrorsFormMixin, forms.Form):
    """`detail`: anchors.selectors.ReturnDetail. Fields: figure_<metric code> and
    unit_<metric code> per metric, narrative_<pillar code> per pillar."""

    def __init__(self, *args, detail, **kwargs):
        super().__init__(*args, **kwargs)
        self.detail = detail
        self.lines = [line for lines in detail.lines_by_pillar.values() for line in lines]
        for pillar in detail.pillars:
            for line in detail.lines_by_pillar.get(pillar.code, []):
                pm = line.pillar_metric
                name = field_name(pm)
                self.fields[name] = forms.CharField(
                    label=pm.metric.name,
                    required=False,
                    max_length=40,
                    help_text=f"In {pm.unit}. {pm.metric.definition}",
                    initial=plain_number(line.figure.value) if line.figure else "",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                    error_messages={"max_length": f"{pm.metric.name}: enter a number."},
                )
                self.fields[f"unit_{pm.metric.code}"] = forms.CharField(
                    required=False, initial=pm.unit, widget=forms.HiddenInput
                )
                self.fields[f"note_{pm.metric.code}"] = forms.CharField(
                    label=f"Note on {pm.metric.name} (optional)",
                    help_text="Where the figure comes from, or what it counts.",
                    required=False,
                    max_length=2000,
                    initial=line.figure.note if line.figure else "",
                    error_messages={
                        "max_length": f"Note on {pm.metric.name}: use at most 2,000 characters."
                    },
                )
            self.fields[f"narrative_{pillar.code}"] = forms.CharField(
                label=f"{pillar.name}: your progress",
                help_text="What you did under this pillar in the period, in your own words.",
                required=False,
                max_length=10000,
                initial=detail.narratives.get(pillar.code, ""),
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def pillar_sections(self) -> list[dict]:
        """For the template: each pillar with its figure fields and its narrative field."""
        return [
            {
                "pillar": pillar,
                "figures": [
                    {
                        "value": self[field_name(line.pillar_metric)],
                        "note": self[f"note_{line.pillar_metric.metric.code}"],
                    }
                    for line in self.detail.lines_by_pillar.get(pillar.code, [])
                ],
                "units": [
                    self[f"unit_{line.pillar_metric.metric.code}"]
                    for line in self.detail.lines_by_pillar.get(pillar.code, [])
                ],
                "narrative": self[f"narrative_{pillar.code}"],
            }
            for pillar in self.detail.pillars
        ]

    def figure_inputs(self) -> list[FigureInput]:
        """The figures that changed: new, different, or cleared (value None). Unchanged
        figures are left alone, so a figure taken from a KVI keeps its source."""
        changed = []
        for line in self.lines:
            pm = line.pillar_metric
            code = pm.metric.code
            typed = self.cleaned_data.get(field_name(pm), "")
            shown = self.cleaned_data.get(f"unit_{code}") or pm.unit
            note = self.cleaned_data.get(f"note_{code}", "").strip()
            if not typed.strip():
                if line.figure is not None:
                    changed.append(FigureInput(code, None, pm.unit))
                continue
            number, unit = read_figure(typed, shown)
            value = _decimal(number)
            if (
                line.figure is not None
                and value is not None
                and value == line.figure.value
                and unit == pm.unit
                and note == line.figure.note
            ):
                continue
            source = line.figure.source if line.figure and value == line.figure.value else None
            changed.append(
                FigureInput(code, number, unit, note=note, source=source or FigureSource.ENTERED)
            )
        return changed

    def narratives(self) -> dict[str, str]:
        return {
            pillar.code: self.cleaned_data.get(f"narrative_{pillar.code}", "")
            for pillar in self.detail.pillars
        }

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                if key == "narratives":
                    key = None
                self.add_error(key if key in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


def evidence_hint() -> str:
    return (
        f"A PDF, Word document (DOCX), Excel workbook (XLSX), CSV, PNG or JPEG of up to "
        f"{human_size(MAX_FILE_BYTES)}. A return can hold {human_size(MAX_RETURN_BYTES)} of "
        "files in all."
    )


class EvidenceAddForm(ServiceErrorsFormMixin, forms.Form):
    file = forms.FileField(
        label="Evidence file",
        allow_empty_file=True,  # the service refuses an empty file, naming it
        error_messages={"required": "Choose a file.", "invalid": "Choose a file."},
    )

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = evidence_hint()
        self.fields["pillar_code"] = forms.ChoiceField(
            label="Which pillar does it evidence?",
            required=False,
            choices=[("", "None in particular")] + [(p.code, p.name) for p in pillars],
            error_messages={"invalid_choice": "Choose one of the charter's pillars."},
        )
        self.fields["description"] = forms.CharField(
            label="What is it?",
            help_text='For example "Local spend analysis, April to September 2023".',
            required=False,
            max_length=300,
            error_messages={"max_length": "Keep the description to 300 characters or fewer."},
        )


class QueryResponseForm(ServiceErrorsFormMixin, forms.Form):
    response = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Answer the programme team's question."},
    )
    corrected_value = forms.CharField(
        label="Corrected figure",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )
    unit = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, pillar_metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.pillar_metric = pillar_metric
        self.fields["unit"].initial = pillar_metric.unit
        self.fields["corrected_value"].help_text = (
            f"Only if the figure was wrong: the right figure, in {pillar_metric.unit}. Leave it "
            "blank to keep the figure as it is."
        )

    def corrected(self) -> tuple[str | None, str]:
        """(the corrected number or None, its unit)."""
        typed = self.cleaned_data.get("corrected_value", "")
        shown = self.cleaned_data.get("unit") or self.pillar_metric.unit
        if not typed.strip():
            return None, shown
        return read_figure(typed, shown)

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            figure_key = field_name(self.pillar_metric)
            for key, messages in error.message_dict.items():
                if key == figure_key:
                    key = "corrected_value"
                self.add_error(key if key in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
