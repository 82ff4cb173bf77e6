"""Forms of the decision pages: editing the drafted decision (outcome, categories, the reason
for an outcome other than the pass rule's, the feedback letter), and the empty forms that carry
a service's refusal when drafting or sending."""

from typing import cast

from django import forms

from awards.models import DecisionOutcome
from tenancy.forms import ServiceErrorsFormMixin


class RefusalForm(ServiceErrorsFormMixin, forms.Form):
    """No fields: shows a service's refusal in the error summary."""


class DecisionForm(ServiceErrorsFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose awarded or not awarded."},
    )
    category_codes = forms.MultipleChoiceField(
        label="Categories the award is given in",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only for an award.",
    )
    override_reason = forms.CharField(
        label="Why the outcome differs from the pass rule",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when the outcome is not the one the scores give. Kept in the "
        "application's history.",
    )
    feedback_letter = forms.CharField(
        label="Feedback letter",
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="Drafted from the scores and the assessors' comments for the applicant (never "
        "their private notes). Edit it as you need before sending.",
        error_messages={"required": "Write the feedback letter."},
    )

    def __init__(self, *args, decision, categories, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "outcome": decision.outcome,
                "category_codes": list(decision.category_codes),
                "override_reason": decision.override_reason,
                "feedback_letter": decision.feedback_letter,
            },
        )
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["category_codes"])
        field.choices = [(category.code, category.name) for category in categories]
        if not categories:
            del self.fields["category_codes"]
