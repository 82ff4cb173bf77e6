"""Forms for the appeal pages. They check only what a person typed; the rules (the clock, who
may sit on a panel, who decides) stay in awards.services.appeals."""

from django import forms

from awards.models import AppealOutcome
from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


class AppealForm(ServiceErrorsFormMixin, forms.Form):
    """The applicant's appeal."""

    reasons = forms.CharField(
        label="Why are you appealing?",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say which part of the decision you disagree with and why, pointing to the "
        "answers or evidence you think were missed. The panel did not take part in the "
        "assessment.",
        error_messages={"required": "Give your reasons for appealing."},
    )


class RecordAppealForm(AppealForm):
    """The programme team records an appeal that reached them by post or email."""

    received_on = forms.DateField(
        label="Day the appeal was received",
        help_text="For example, 2/5/2025. The time to appeal is judged on this day.",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "required": "Enter the day the appeal was received.",
            "invalid": "Enter the day the appeal was received as day/month/year, like 2/5/2025.",
        },
    )

    field_order = ["received_on", "reasons"]


class PanelForm(ServiceErrorsFormMixin, forms.Form):
    members = forms.MultipleChoiceField(
        label="Who will sit on the panel?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose people who took no part in the assessment or the decision.",
        error_messages={
            "required": "Choose at least one panel member.",
            "invalid_choice": "Choose people from the list.",
        },
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (
                str(c.user.pk),
                f"{c.user} ({', '.join(c.roles)})"
                + (": took part in the assessment" if c.involved else ""),
            )
            for c in candidates
        ]


class AppealDecisionForm(ServiceErrorsFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="What has the panel decided?",
        choices=AppealOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the appeal is allowed or dismissed."},
    )
    reasons = forms.CharField(
        label="The panel's reasons",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The applicant and the programme team are sent these.",
        error_messages={"required": "Give the panel's reasons."},
    )


class AppealFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All appeals"), ("waiting", "Waiting for the panel"), ("decided", "Decided")],
    )
    q = forms.CharField(label="Organisation", required=False, max_length=200)
