"""Forms for the tenant admin's charter pages: drafting, moving versions, co-production, tiers
and decisions. Business rules stay in charters.services; these forms check only what a person
typed, with NHS.UK style messages."""

from django import forms

from charters.models import EngagementKind, SignatoryStatus, TierApplication, VersionStatus
from charters.services import TRANSITIONS, Decision
from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _date_field(label: str, *, required: bool, help_text: str, example: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter the {label.lower()} as day/month/year, like {example}.",
        },
    )


def date_initial(value) -> str:
    """A date as the forms show it: 12/7/2022."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


class CharterForm(ServiceErrorsFormMixin, forms.Form):
    title = forms.CharField(
        label="Title of the charter",
        max_length=200,
        help_text="For example, Cheshire and Merseyside Social Value Charter",
        error_messages={"required": "Enter the charter's title."},
    )
    has_tiers = forms.ChoiceField(
        label="Will organisations sign at different tiers of commitment?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="For example Supporter, Member and Advocate. You can add tiers later.",
        error_messages={"required": "Choose yes if the charter has tiers of commitment."},
    )

    def clean_has_tiers(self) -> bool:
        return self.cleaned_data["has_tiers"] == "yes"


class CharterLinkForm(ServiceErrorsFormMixin, forms.Form):
    title = forms.CharField(
        label="Name of the related charter",
        max_length=200,
        error_messages={"required": "Enter the related charter's name."},
    )
    related_charter = forms.ChoiceField(label="One of this programme's charters", required=False)
    url = forms.URLField(
        label="Or its web address",
        required=False,
        assume_scheme="https",
        help_text="For a charter published elsewhere, for example https://www.example.org/charter",
        error_messages={"invalid": "Enter a full web address, starting https://"},
    )

    def __init__(self, *args, other_charters, **kwargs):
        super().__init__(*args, **kwargs)
        self.other_charters = {str(charter.id): charter for charter in other_charters}
        self.fields["related_charter"].choices = [("", "None")] + [
            (key, charter.title) for key, charter in self.other_charters.items()
        ]

    def clean(self):
        cleaned = super().clean()
        related = self.other_charters.get(cleaned.get("related_charter") or "")
        url = cleaned.get("url") or ""
        if "url" not in self.errors:
            if related is None and not url:
                self.add_error(
                    "related_charter", "Choose one of the programme's charters or give an address."
                )
            elif related is not None and url:
                self.add_error("url", "Give an address only for a charter of another programme.")
        cleaned["related_charter"] = related
        return cleaned


class VersionTextForm(ServiceErrorsFormMixin, forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the charter's title."}
    )
    definition = forms.CharField(
        label="What social value means here",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The shared definition of social value. Needed before publishing.",
    )
    ambition_social = forms.CharField(
        label="Social ambitions", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    ambition_economic = forms.CharField(
        label="Economic ambitions", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    ambition_environmental = forms.CharField(
        label="Environmental ambitions", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    commitments_intro = forms.CharField(
        label="Introduction to the commitments",
        max_length=200,
        error_messages={"required": "Enter the sentence that introduces the commitments."},
    )
    commitments = forms.CharField(
        label="Commitments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One commitment per line.",
    )
    change_summary = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For a new version: what changed from the last one, and why.",
    )


class PrincipleForm(ServiceErrorsFormMixin, forms.Form):
    title = forms.CharField(
        label="Principle",
        max_length=200,
        help_text="For example, Pay the real living wage",
        error_messages={"required": "Enter the principle."},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ThemeForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Theme",
        max_length=200,
        help_text="For example, Health and wellbeing",
        error_messages={"required": "Enter the theme's name."},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class VersionMoveForm(ServiceErrorsFormMixin, forms.Form):
    to_status = forms.ChoiceField(
        label="Move this version to",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where to move this version."},
    )
    endorsing_body = forms.CharField(
        label="Endorsing body",
        max_length=200,
        required=False,
        help_text="Needed when the version is endorsed. "
        "For example, the Integrated Care Partnership.",
    )
    endorsed_on = _date_field(
        "Date endorsed",
        required=False,
        help_text="Needed when the version is endorsed. For example, 12/7/2022",
        example="12/7/2022",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, current_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = allowed_moves(current_status)
        self.asks_for_endorsement = any(
            TRANSITIONS[(current_status, to_status)]
            for to_status, _ in self.fields["to_status"].choices
        )
        if not self.asks_for_endorsement:
            del self.fields["endorsing_body"], self.fields["endorsed_on"]


def allowed_moves(current_status: str) -> list[tuple[str, str]]:
    """The statuses a version in `current_status` may move to (services.TRANSITIONS)."""
    return [
        (to_status, VersionStatus(to_status).label)
        for (from_status, to_status) in TRANSITIONS
        if from_status == current_status
    ]


class EngagementForm(ServiceErrorsFormMixin, forms.Form):
    held_on = _date_field(
        "Date held", required=True, help_text="For example, 14/3/2023", example="14/3/2023"
    )
    kind = forms.ChoiceField(
        label="Kind of activity",
        choices=EngagementKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of activity."},
    )
    audience = forms.CharField(
        label="Who took part",
        max_length=200,
        help_text="For example, residents of Halton, or the VCSE working group",
        error_messages={"required": "Enter who took part."},
    )
    people_count = forms.IntegerField(
        label="Number of people",
        min_value=1,
        max_value=1_000_000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
        error_messages={
            "required": "Enter the number of people who took part.",
            "invalid": "Enter the number of people as a whole number, like 25.",
            "min_value": "The number of people must be 1 or more.",
            "max_value": "The number of people must be 1,000,000 or fewer.",
        },
    )
    heard = forms.CharField(
        label="What was heard",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what was heard."},
    )
    principle_codes = forms.MultipleChoiceField(
        label="Principles it shaped",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    theme_codes = forms.MultipleChoiceField(
        label="Themes it shaped",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["principle_codes"].choices = [
            (p.code, p.title) for p in version.principles.all()
        ]
        self.fields["theme_codes"].choices = [(t.code, t.name) for t in version.themes.all()]


class TierForm(ServiceErrorsFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the tier",
        max_length=80,
        help_text="For example, Supporter, Member or Advocate",
        error_messages={"required": "Enter the tier's name."},
    )
    description = forms.CharField(
        label="What it asks of an organisation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    requires_panel = forms.BooleanField(
        label="Moving up to this tier goes to an assessment panel first", required=False
    )
    review_months = forms.IntegerField(
        label="Ask holders to review their pledges every (months)",
        required=False,
        min_value=1,
        max_value=120,
        help_text="For example, 12 for a yearly review. Leave empty for no review.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}),
        error_messages={
            "invalid": "Enter the number of months as a whole number, like 12.",
            "min_value": "The number of months must be 1 or more.",
            "max_value": "The number of months must be 120 or fewer.",
        },
    )


class SignatoryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status")] + SignatoryStatus.choices, required=False
    )


class SignatoryDecisionForm(ServiceErrorsFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=Decision.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve, ask for changes or reject."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you ask for changes or reject. The organisation's admins "
        "will see it in their email.",
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != Decision.APPROVE and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the organisation a reason.")
        return cleaned


TIER_DECISIONS = [
    ("to_panel", "Send to the assessment panel"),
    ("approve", "Approve"),
    ("reject", "Reject"),
]


class TierApplicationDecisionForm(ServiceErrorsFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose send to panel, approve or reject."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed when you reject. The organisation's admins will see it.",
    )
    panel_notes = forms.CharField(
        label="Panel notes", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, application: TierApplication, **kwargs):
        super().__init__(*args, **kwargs)
        at_panel = application.status == TierApplication.Status.AT_PANEL
        self.fields["decision"].choices = [
            (value, label)
            for value, label in TIER_DECISIONS
            if not (at_panel and value == "to_panel")
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the organisation a reason.")
        return cleaned
