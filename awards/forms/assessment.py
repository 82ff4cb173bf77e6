"""Forms of the programme team's and assessors' pages: the dashboard's filters, assigning an
assessor, asking for more information, declaring interests and scoring. Values go to
awards.services as typed: the service says what is wrong, naming the field
(ServiceErrorsFormMixin shows it)."""

from typing import cast

from django import forms
from django.utils.html import escape

from awards.models import ApplicationStatus
from kvi.dashboard import plain_number
from tenancy.forms import ServiceErrorsFormMixin

NO_CONFLICT = "none"
CONFLICTED = "conflicted"


class DashboardFilterForm(forms.Form):
    q = forms.CharField(label="Organisation name", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ApplicationStatus.choices]
    )
    scheme = forms.ChoiceField(label="Award scheme", required=False)

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["scheme"]).choices = [("", "Any scheme")] + [
            (str(scheme.pk), scheme.name) for scheme in schemes
        ]


class AssignAssessorForm(ServiceErrorsFormMixin, forms.Form):
    assessor = forms.ChoiceField(
        label="Assessor",
        help_text="People with the assessor role in this programme who are not yet assigned.",
        error_messages={"required": "Choose an assessor.", "invalid_choice": "Choose an assessor."},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(user.pk): user for user in candidates}
        cast(forms.ChoiceField, self.fields["assessor"]).choices = [("", "Choose an assessor")] + [
            (key, f"{user.full_name} ({user.email})" if user.full_name else user.email)
            for key, user in self.candidates.items()
        ]

    def clean_assessor(self):
        return self.candidates[self.cleaned_data["assessor"]]


class InformationRequestForm(ServiceErrorsFormMixin, forms.Form):
    request = forms.CharField(
        label="What more information does the applicant need to give?",
        help_text="The applicant sees this in their email and on the application. The "
        "application goes back to them to change and resubmit.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what more information the applicant must give."},
    )


class DeclareForm(ServiceErrorsFormMixin, forms.Form):
    conflict = forms.ChoiceField(
        label="Do you have a conflict of interest with this application?",
        help_text="For example you work for, advise, or are close to someone at the "
        "organisation, or you have a financial interest in it.",
        choices=[
            (NO_CONFLICT, "No, I have no conflict of interest"),
            (CONFLICTED, "Yes, I have a conflict of interest"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you have a conflict of interest."},
    )
    note = forms.CharField(
        label="Describe the conflict of interest",
        required=False,
        help_text="Needed if you have one. Only the programme team sees it. Once declared you "
        "can no longer see the application, and the team assigns someone else.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _scale_hint(lowest: int, highest: int, descriptors: dict) -> str:
    def end(value: int) -> str:
        meaning = descriptors.get(str(value))
        return f"{value} ({escape(meaning)})" if meaning else str(value)

    return f"From {end(lowest)} to {end(highest)}. See the rubric above."


def _field_prefix(criterion) -> str:
    return criterion.code


class ScoreForm(ServiceErrorsFormMixin, forms.Form):
    """One score, comment and private note per question. Scores are text: the service parses
    them against the rubric and names what is wrong."""

    def __init__(
        self, *args, criteria, scores, lowest: int, highest: int, descriptors=None, **kwargs
    ):
        initial = {}
        for criterion in criteria:
            saved = scores.get(criterion.pk)
            if saved is not None:
                prefix = _field_prefix(criterion)
                initial[f"{prefix}-score"] = plain_number(saved.score)
                initial[f"{prefix}-comment"] = saved.comment
                initial[f"{prefix}-private_note"] = saved.private_note
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.scores = scores
        for number, criterion in enumerate(self.criteria, start=1):
            prefix = _field_prefix(criterion)
            self.fields[f"{prefix}-score"] = forms.CharField(
                label=f"Score for question {number}",
                required=False,
                max_length=10,
                help_text=_scale_hint(lowest, highest, descriptors or {}),
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}
                ),
            )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label=f"Comment for the applicant on question {number}",
                required=False,
                help_text="May be quoted in the feedback letter.",
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"{prefix}-private_note"] = forms.CharField(
                label=f"Private note on question {number}",
                required=False,
                help_text="For the programme team only: never shown to the applicant.",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """(number, criterion, score field, comment field, note field) for the template."""
        for number, criterion in enumerate(self.criteria, start=1):
            prefix = _field_prefix(criterion)
            yield (
                number,
                criterion,
                self[f"{prefix}-score"],
                self[f"{prefix}-comment"],
                self[f"{prefix}-private_note"],
            )

    def entries(self):
        """(criterion, score text, comment, note, field name of the score) for each question
        filled in; a comment or note without a score, or a saved score cleared, is an error."""
        entries = []
        for number, criterion in enumerate(self.criteria, start=1):
            prefix = _field_prefix(criterion)
            score = self.cleaned_data.get(f"{prefix}-score", "").strip()
            comment = self.cleaned_data.get(f"{prefix}-comment", "")
            note = self.cleaned_data.get(f"{prefix}-private_note", "")
            if not score:
                if comment.strip() or note.strip() or criterion.pk in self.scores:
                    self.add_error(f"{prefix}-score", f"Enter a score for question {number}.")
                continue
            entries.append((number, criterion, score, comment, note, f"{prefix}-score"))
        return entries
