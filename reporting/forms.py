"""Forms of the board report pages: searching the list, starting a report, the draft (cover
sheet, narrative per theme, KVIs to chart), a schedule and the tenant's action vocabulary.

They check only what a person typed, with NHS.UK style messages naming the field; the rules
(who may, dates in order, the action vocabulary, who a schedule may email) stay in
reporting.services, whose field-named errors are shown against these fields."""

from datetime import date, datetime
from typing import cast

from django import forms

from reporting.models import COVER_SHEET_FIELDS, ReportKind, ScheduleFrequency
from reporting.services import REPORT_FIELDS
from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
# The one narrative box of a report without themes (an assembly pack, or no framework yet).
GENERAL_NARRATIVE = "Narrative"


def date_initial(value) -> str:
    """A date as the forms show it: 30/9/2022."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


def _date(label: str, *, noun: str, example: str, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        help_text=help_text or f"For example, {example}",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "required": f"Enter the date {noun}.",
            "invalid": f"Enter the date {noun} as day/month/year, like {example}.",
        },
    )


def _text(label: str, *, max_length: int, help_text="", required=False, missing="", width=""):
    attrs = {"class": width} if width else {}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
        error_messages={
            "required": missing,
            "max_length": f"{label} must be {max_length} characters or fewer.",
        },
    )


def _long(label: str, *, help_text="", rows=5):
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label} must be 20,000 characters or fewer."},
    )


# --- The list ----------------------------------------------------------------------------------


class ReportSearchForm(forms.Form):
    """Search and filter the report list (a GET form; a wrong value is left out)."""

    q = forms.CharField(
        label="Title, organisation or meeting", required=False, max_length=200, strip=True
    )
    kind = forms.ChoiceField(
        label="Kind of report",
        required=False,
        choices=[("", "All kinds"), *ReportKind.choices],
        error_messages={"invalid_choice": "Choose a kind of report from the list."},
    )

    def filters(self) -> dict:
        values = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"search": (values.get("q") or "").strip(), "kind": values.get("kind") or ""}


# --- Starting a report -------------------------------------------------------------------------


class ReportCreateForm(ServiceErrorsFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of report?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of report to prepare."},
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        required=False,
        help_text="For an organisation social value report: the organisation it is about.",
    )
    assembly = forms.ChoiceField(
        label="Anchor Assembly",
        required=False,
        help_text="For an Anchor Assembly pack: the assembly it is for.",
    )
    title = _text(
        "Title",
        max_length=200,
        help_text="Leave it empty to use the usual title. You can change it later.",
    )

    def __init__(self, *args, kinds, organisations, assemblies, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.pk): o for o in organisations}
        self._assemblies = {str(a.pk): a for a in assemblies}
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (value, label) for value, label in ReportKind.choices if value in kinds
        ]
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            ("", "Choose an organisation")
        ] + [(key, o.name) for key, o in self._organisations.items()]
        if ReportKind.ASSEMBLY in kinds:
            cast(forms.ChoiceField, self.fields["assembly"]).choices = [
                ("", "Choose an assembly")
            ] + [(key, f"{a.title} ({a.held_on:%-d %B %Y})") for key, a in self._assemblies.items()]
        else:
            del self.fields["assembly"]
        if ReportKind.ORGANISATION not in kinds:
            del self.fields["organisation"]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        organisation = self._organisations.get(cleaned.get("organisation") or "")
        assembly = self._assemblies.get(cleaned.get("assembly") or "")
        if kind == ReportKind.ORGANISATION and organisation is None:
            self.add_error("organisation", "Choose the organisation the report is about.")
        if kind == ReportKind.ASSEMBLY and assembly is None:
            self.add_error("assembly", "Choose the assembly the pack is for.")
        cleaned["organisation"] = organisation if kind == ReportKind.ORGANISATION else None
        cleaned["assembly"] = assembly if kind == ReportKind.ASSEMBLY else None
        return cleaned


# --- The draft ---------------------------------------------------------------------------------


class ReportEditForm(ServiceErrorsFormMixin, forms.Form):
    """The draft: what it is and when its figures run to, the NHS cover sheet, a narrative per
    theme and the KVIs to chart. Narrative fields are `narrative_<n>`, one per theme."""

    title = _text("Title", max_length=200, required=True, missing="Enter the report's title.")
    period_end = _date(
        "Figures run to",
        noun="the figures run to",
        example="30/9/2022",
        help_text="The last day the report's figures cover, for example 30/9/2022 for month 6.",
    )
    data_freeze_date = _date(
        "Data freeze date",
        noun="of the data freeze",
        example="7/10/2022",
        help_text="Figures entered or changed after this day do not appear, so the paper can "
        "be reproduced later. For example, 7/10/2022",
    )
    meeting = _text(
        "Meeting",
        max_length=200,
        help_text="For example, Public Board of Directors",
    )
    meeting_date = _date(
        "Date of the meeting", noun="of the meeting", example="19/10/2022", required=False
    )
    agenda_item = _text("Agenda item", max_length=20, width="nhsuk-input--width-10")
    enclosure = _text("Enclosure", max_length=20, width="nhsuk-input--width-10")
    lead_director = _text("Lead director", max_length=200)
    authors = _text("Author(s)", max_length=300)
    action_required = forms.ChoiceField(
        label="Action required",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the action required of the meeting.",
            "invalid_choice": "Choose the action required from the list.",
        },
    )
    purpose = _long("Purpose of the report", rows=3)
    executive_summary = _long("Executive summary", rows=8)
    recommendation = _long("Recommendation", rows=3)
    risks_and_opportunities = _long("Risks and opportunities", rows=4)
    board_assurance_framework = _long(
        "Board Assurance Framework links",
        help_text="The BAF risks this paper links to.",
        rows=3,
    )
    quality_and_equality_impact = _long("Quality and equality impact", rows=3)
    financial_implications = _long("Financial implications", rows=3)
    strategic_objectives = _long("Strategic objectives", rows=3)
    report_history = _long("Report history", help_text="Where this paper has been before.", rows=3)
    chart_kvi_ids = forms.MultipleChoiceField(
        label="KVIs to chart",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each chosen KVI gets a statistical process control (SPC) chart.",
        error_messages={"invalid_choice": "Choose KVIs from the list."},
    )

    def __init__(self, *args, actions, themes, kvis, allow_charts=True, **kwargs):
        super().__init__(*args, **kwargs)
        action_field = cast(forms.ChoiceField, self.fields["action_required"])
        action_field.choices = [(action, action) for action in actions]
        self.themes = list(themes) or [GENERAL_NARRATIVE]
        self.narrative_names = []
        for index, theme in enumerate(self.themes):
            name = f"narrative_{index}"
            self.fields[name] = _long(
                GENERAL_NARRATIVE if theme == GENERAL_NARRATIVE else theme,
                rows=5,
            )
            self.narrative_names.append(name)
        if allow_charts:
            cast(forms.MultipleChoiceField, self.fields["chart_kvi_ids"]).choices = [
                (str(kvi.pk), f"{kvi.code} {kvi.title}") for kvi in kvis
            ]
        else:
            del self.fields["chart_kvi_ids"]

    @classmethod
    def initial_for(cls, report, themes) -> dict:
        initial = {name: getattr(report, name) for name in REPORT_FIELDS + COVER_SHEET_FIELDS}
        for name in ("period_end", "data_freeze_date", "meeting_date"):
            initial[name] = date_initial(initial[name])
        narratives = report.narratives or {}
        for index, theme in enumerate(list(themes) or [GENERAL_NARRATIVE]):
            initial[f"narrative_{index}"] = narratives.get(theme, "")
        initial["chart_kvi_ids"] = [str(pk) for pk in report.chart_kvi_ids or []]
        return initial

    def fields_in(self, names) -> list:
        return [self[name] for name in names if name in self.fields]

    def narrative_fields(self) -> list:
        return [self[name] for name in self.narrative_names]

    def values(self, report) -> dict:
        """The service's keyword arguments: every edited field, the narratives merged over
        those kept for themes the form does not show."""
        data = self.cleaned_data
        values = {name: data[name] for name in REPORT_FIELDS + COVER_SHEET_FIELDS}
        narratives = dict(report.narratives or {})
        for theme, name in zip(self.themes, self.narrative_names, strict=True):
            text = data[name].strip()
            if text:
                narratives[theme] = text
            else:
                narratives.pop(theme, None)
        values["narratives"] = narratives
        if "chart_kvi_ids" in self.fields:
            values["chart_kvi_ids"] = list(data["chart_kvi_ids"])
        return values


# --- Schedules ---------------------------------------------------------------------------------


def parse_meeting_dates(text: str) -> tuple[list[date], list[str]]:
    """Dates one a line (day/month/year or YYYY-MM-DD); returns the dates and the lines that
    are not dates."""
    dates, wrong = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for pattern in DATE_INPUT_FORMATS:
            try:
                parsed = datetime.strptime(line, pattern).date()
            except ValueError:
                continue
            if parsed not in dates:
                dates.append(parsed)
            break
        else:
            wrong.append(line)
    return sorted(dates), wrong


def _person(user) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class ScheduleForm(ServiceErrorsFormMixin, forms.Form):
    frequency = forms.ChoiceField(
        label="How often?",
        choices=ScheduleFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often the report is generated."},
    )
    day_of_month = forms.IntegerField(
        label="Day of the month",
        required=False,
        min_value=1,
        max_value=31,
        help_text="For monthly and quarterly runs (quarterly runs are in January, April, July "
        "and October). In a shorter month, the last day is used.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "invalid": "Enter the day of the month as a number from 1 to 31.",
            "min_value": "Enter a day of the month from 1 to 31.",
            "max_value": "Enter a day of the month from 1 to 31.",
        },
    )
    meeting_dates = forms.CharField(
        label="Meeting dates",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For runs before set meetings: one date a line, like 19/10/2022 or 2022-10-19.",
    )
    days_before = forms.IntegerField(
        label="Days before each meeting",
        required=False,
        min_value=0,
        max_value=60,
        help_text="How many days before each meeting the report is generated, from 0 to 60.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "invalid": "Enter the number of days as a whole number from 0 to 60.",
            "min_value": "Enter how many days before each meeting, from 0 to 60.",
            "max_value": "Enter how many days before each meeting, from 0 to 60.",
        },
    )
    recipient = forms.ChoiceField(
        label="Who is emailed the link?",
        help_text="A board reporter, or someone else who may read the report.",
        error_messages={"required": "Choose who is emailed a link to each new PDF."},
    )
    is_active = forms.BooleanField(label="The schedule is on", required=False)

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self._recipients = {str(user.pk): user for user in recipients}
        cast(forms.ChoiceField, self.fields["recipient"]).choices = [("", "Choose a person")] + [
            (key, _person(user)) for key, user in self._recipients.items()
        ]

    @staticmethod
    def initial_for(schedule) -> dict:
        if schedule is None:
            return {"day_of_month": 1, "days_before": 7, "is_active": True}
        return {
            "frequency": schedule.frequency,
            "day_of_month": schedule.day_of_month,
            "meeting_dates": "\n".join(
                date_initial(date.fromisoformat(d)) for d in schedule.meeting_dates
            ),
            "days_before": schedule.days_before,
            "recipient": str(schedule.recipient_id),
            "is_active": schedule.is_active,
        }

    def clean_meeting_dates(self):
        dates, wrong = parse_meeting_dates(self.cleaned_data.get("meeting_dates") or "")
        if wrong:
            raise forms.ValidationError(
                f"Enter each meeting date on its own line as day/month/year, like 19/10/2022: "
                f"“{wrong[0]}” is not a date."
            )
        return tuple(dates)

    def clean_recipient(self):
        return self._recipients.get(self.cleaned_data.get("recipient") or "")

    def schedule_input(self):
        from reporting.services import ScheduleInput

        data = self.cleaned_data
        return ScheduleInput(
            frequency=data["frequency"],
            recipient=data["recipient"],
            day_of_month=data["day_of_month"] or 1,
            meeting_dates=data["meeting_dates"],
            days_before=7 if data["days_before"] is None else data["days_before"],
            is_active=data["is_active"],
        )


# --- Settings ----------------------------------------------------------------------------------


class ActionChoicesForm(ServiceErrorsFormMixin, forms.Form):
    actions = forms.CharField(
        label="Action required choices",
        help_text="One a line, in the order they are offered, for example Approve, Discuss, "
        "Assure, Note. Each up to 40 characters.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter at least one action, one per line."},
    )

    def clean_actions(self):
        lines = [line.strip() for line in self.cleaned_data["actions"].splitlines()]
        lines = [line for line in lines if line]
        too_long = [line for line in lines if len(line) > 40]
        if too_long:
            raise forms.ValidationError(
                f"Each action must be 40 characters or fewer: “{too_long[0][:40]}…” is longer."
            )
        return lines
