"""Forms of the scheme administration pages: a scheme, a version's settings (rubric, pass rule,
service levels, reminders), copying and moving a version, and a version's areas, levels,
criteria, categories and windows. Business rules stay in awards.services; these forms check
only what a person typed, with NHS.UK style messages naming the field."""

from typing import cast

from django import forms

from awards.models import AreasRule, SchemeStatus
from awards.services.schemes import VERSION_MOVES
from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
NARROW = {"class": "nhsuk-input--width-4", "inputmode": "numeric"}


def whole_number(label: str, *, low: int, high: int, required=True, help_text="", noun=""):
    noun = noun or label.lower()
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs=NARROW),
        error_messages={
            "required": f"Enter the {noun}.",
            "invalid": f"Enter the {noun} as a whole number, like {max(low, 1)}.",
            "min_value": f"Enter the {noun} as {low} or more.",
            "max_value": f"Enter the {noun} as {high:,} or less.",
        },
    )


def date_field(label: str, example: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        help_text=f"For example, {example}",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "required": f"Enter the date the window {label.split()[0].lower()}.",
            "invalid": f"Enter the date as day/month/year, like {example}.",
        },
    )


def date_initial(value) -> str:
    """A date as the forms show it: 12/7/2024."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


def areas_rule_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Which areas must an applicant cover?",
        choices=AreasRule.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether applicants cover every area."},
    )


class SchemeForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the award",
        max_length=200,
        help_text="For example, Social Value Award",
        error_messages={"required": "Enter the award's name."},
    )
    areas_rule = areas_rule_field()


def descriptors_text(descriptors: dict) -> str:
    """{"0": "No evidence", …} as the form shows it: one "score: meaning" a line."""
    keys = sorted(descriptors, key=lambda key: int(key) if str(key).isdigit() else -1)
    return "\n".join(f"{key}: {descriptors[key]}" for key in keys)


def months_text(months) -> str:
    return ", ".join(str(m) for m in months or [])


class VersionForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the award",
        max_length=200,
        error_messages={"required": "Enter the award's name."},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        help_text="Shown to organisations choosing what to apply for.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    areas_rule = areas_rule_field()
    rubric_min = whole_number("Lowest score", low=0, high=100)
    rubric_max = whole_number("Highest score", low=1, high=100)
    rubric_descriptors = forms.CharField(
        label="What each score means",
        required=False,
        help_text="One score a line: the score, a colon, then what it means. "
        "For example, 0: No evidence",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    pass_mark_percent = forms.DecimalField(
        label="Pass mark (% of the weighted maximum score)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text="For example, 80",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the pass mark.",
            "invalid": "Enter the pass mark as a number, like 80.",
            "min_value": "Enter a pass mark from 0 to 100.",
            "max_value": "Enter a pass mark from 0 to 100.",
            "max_decimal_places": "Enter the pass mark with at most 2 decimal places.",
            "max_digits": "Enter a pass mark from 0 to 100.",
        },
    )
    decision_working_days = whole_number(
        "Decision within (working days of submission)",
        low=1,
        high=250,
        noun="working days for a decision",
        help_text="The applicant is told the decision within this many working days.",
    )
    appeal_working_days = whole_number(
        "Appeal within (working days of the decision)",
        low=1,
        high=250,
        noun="working days to appeal",
    )
    appeal_decision_working_days = whole_number(
        "Panel decides within (working days of the appeal)",
        low=1,
        high=250,
        noun="working days for the panel",
    )
    reminder_months = forms.CharField(
        label="Remind holders to renew (months before expiry)",
        required=False,
        help_text="Separate the months with commas, for example 12, 6, 1. "
        "Leave empty for no reminders.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
    )
    change_summary = forms.CharField(
        label="What changed in this version",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_rubric_descriptors(self) -> dict[str, str]:
        descriptors: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["rubric_descriptors"].splitlines(), 1):
            if not line.strip():
                continue
            score, colon, meaning = line.partition(":")
            score = score.strip()
            if not colon or not score.isdigit() or not meaning.strip():
                raise forms.ValidationError(
                    f"Line {number}: write a score, a colon, then what it means, "
                    "like 0: No evidence."
                )
            if str(int(score)) in descriptors:
                raise forms.ValidationError(
                    f"Line {number}: score {int(score)} is described twice."
                )
            descriptors[str(int(score))] = meaning.strip()
        return descriptors

    def clean_reminder_months(self) -> list[int]:
        text = self.cleaned_data["reminder_months"].replace(" ", "")
        if not text:
            return []
        parts = [part for part in text.split(",") if part]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(
                "Enter the months as whole numbers separated by commas, like 12, 6, 1."
            )
        return [int(part) for part in parts]


class VersionCopyForm(ServiceErrorsFormMixin, forms.Form):
    change_summary = forms.CharField(
        label="What will change in the new version",
        required=False,
        help_text="For example, a Gold level and a shorter decision time.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


MOVE_LABELS = {
    SchemeStatus.OPEN: "Open it for applications",
    SchemeStatus.CLOSED: "Close it to new applications",
    SchemeStatus.ARCHIVED: "Archive it",
}


def allowed_moves(status: str) -> list[tuple[str, str]]:
    return [(to, MOVE_LABELS[SchemeStatus(to)]) for to in VERSION_MOVES.get(status, ())]


class VersionMoveForm(ServiceErrorsFormMixin, forms.Form):
    to_status = forms.ChoiceField(
        label="What do you want to do with this version?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to do with this version.",
            "invalid_choice": "Choose one of the moves listed.",
        },
    )
    note = forms.CharField(
        label="Note for the history",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, current_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_status"]).choices = allowed_moves(current_status)


# --- A version's parts ----------------------------------------------------------------------


class AreaForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the area",
        max_length=120,
        help_text="For example, Environmental",
        error_messages={"required": "Enter the area's name."},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LevelForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the level",
        max_length=120,
        help_text="For example, Bronze or Level 1",
        error_messages={"required": "Enter the level's name."},
    )
    requirements = forms.CharField(
        label="What this level asks",
        required=False,
        help_text='For example, "pledges on at least 6 themes".',
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minimum_areas = whole_number(
        "Areas an applicant must cover",
        low=0,
        high=100,
        noun="number of areas",
        help_text="When applicants choose their areas.",
    )
    minimum_commitments = whole_number(
        "Commitments an applicant must make", low=0, high=1000, noun="number of commitments"
    )
    kvis_per_commitment = whole_number(
        "KVIs each commitment must track",
        low=0,
        high=100,
        noun="number of KVIs a commitment tracks",
        help_text="0 when commitments need no KVIs.",
    )
    validity_years = whole_number(
        "Award lasts (years)", low=1, high=10, noun="validity in years", help_text="Usually 5."
    )
    tracking_months = whole_number(
        "Tracking period (months)",
        low=1,
        high=60,
        required=False,
        noun="tracking period in months",
        help_text="Level 1 style: months to track and report the KVIs (Wirral had 18). "
        "Leave empty when there is none.",
    )

    def level_input(self):
        from awards.services import LevelInput

        return LevelInput(**self.cleaned_data)


class CriterionForm(ServiceErrorsFormMixin, forms.Form):
    text = forms.CharField(
        label="Question",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the question."},
    )
    area = forms.ChoiceField(label="Area", required=False)
    level = forms.ChoiceField(label="Level", required=False)
    evidence_expected = forms.CharField(
        label="Evidence expected",
        required=False,
        help_text="What applicants should upload or describe.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    word_limit = whole_number(
        "Word limit",
        low=10,
        high=5000,
        required=False,
        noun="word limit",
        help_text="From 10 to 5,000 words. Leave empty for no limit.",
    )
    weight = forms.DecimalField(
        label="Weight",
        min_value=0.01,
        max_value=1000,
        decimal_places=2,
        help_text="How much this question counts towards the total. Usually 1.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the weight, like 1.",
            "invalid": "Enter the weight as a number, like 1 or 1.5.",
            "min_value": "Enter a weight above 0.",
            "max_value": "Enter a weight of 1,000 or less.",
            "max_decimal_places": "Enter the weight with at most 2 decimal places.",
            "max_digits": "Enter a weight of 1,000 or less.",
        },
    )

    def __init__(self, *args, areas, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {str(area.pk): area for area in areas}
        self.levels = {str(level.pk): level for level in levels}
        area_field = cast(forms.ChoiceField, self.fields["area"])
        area_field.choices = [("", "Every area")] + [(k, a.name) for k, a in self.areas.items()]
        area_field.error_messages["invalid_choice"] = "Choose one of this version's areas."
        level_field = cast(forms.ChoiceField, self.fields["level"])
        level_field.choices = [("", "Every level")] + [(k, v.name) for k, v in self.levels.items()]
        level_field.error_messages["invalid_choice"] = "Choose one of this version's levels."

    def criterion_input(self):
        from awards.services import CriterionInput

        data = self.cleaned_data
        return CriterionInput(
            text=data["text"],
            area=self.areas.get(data["area"]),
            level=self.levels.get(data["level"]),
            evidence_expected=data["evidence_expected"],
            word_limit=data["word_limit"],
            weight=data["weight"],
        )


class CategoryForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the category",
        max_length=120,
        help_text="For example, Environment",
        error_messages={"required": "Enter the category's name."},
    )


class WindowForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the round",
        max_length=120,
        required=False,
        help_text="For example, Spring 2025 round",
    )
    opens_on = date_field("Opens on", "1/4/2025")
    closes_on = date_field("Closes on", "30/6/2025")

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The window must close on or after the day it opens.")
        return cleaned
