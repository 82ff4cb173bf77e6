"""Forms of the applicant pages: starting or renewing an application, choosing areas,
answering the questions, commitments and their KVIs, sharing, withdrawing and resubmitting.
The services judge the values (ServiceErrorsFormMixin shows their errors by field)."""

from django import forms

from awards.models import AreasRule
from awards.rules import word_count
from tenancy.forms import ServiceErrorsFormMixin


def _level_label(level) -> str:
    label = level.name
    if level.requirements:
        label += f": {level.requirements}"
    return label


def _area_field(version, label="Areas you will cover", initial=None):
    return forms.MultipleChoiceField(
        label=label,
        help_text="Choose the areas your commitments are in.",
        choices=[(area.code, area.name) for area in version.areas.all()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=initial,
    )


class StartForm(ServiceErrorsFormMixin, forms.Form):
    """The organisation (when the person applies for more than one), the level and, when the
    scheme lets applicants choose, the areas."""

    def __init__(self, *args, version, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        if len(self.organisations) > 1:
            self.fields["organisation"] = forms.ChoiceField(
                label="Which organisation is applying?",
                choices=[(pk, org.name) for pk, org in self.organisations.items()],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose the organisation that is applying."},
            )
        self.levels = {str(level.pk): level for level in version.levels.all()}
        self.fields["level"] = forms.ChoiceField(
            label="Which level are you applying for?",
            choices=[(pk, _level_label(level)) for pk, level in self.levels.items()],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the level you are applying for."},
        )
        if version.areas_rule == AreasRule.CHOOSE:
            self.fields["area_codes"] = _area_field(version)

    @property
    def organisation(self):
        if "organisation" in self.fields:
            return self.organisations[self.cleaned_data["organisation"]]
        return next(iter(self.organisations.values()))

    @property
    def level(self):
        return self.levels[self.cleaned_data["level"]]

    @property
    def area_codes(self) -> list[str] | None:
        return self.cleaned_data.get("area_codes") if "area_codes" in self.fields else None


class RenewForm(ServiceErrorsFormMixin, forms.Form):
    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in version.levels.all()}
        self.fields["level"] = forms.ChoiceField(
            label="Which level are you applying for?",
            choices=[(pk, _level_label(level)) for pk, level in self.levels.items()],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the level you are applying for."},
        )

    @property
    def level(self):
        return self.levels[self.cleaned_data["level"]]


class AreasForm(ServiceErrorsFormMixin, forms.Form):
    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_codes"] = _area_field(version)


def answer_field_name(criterion) -> str:
    return f"answer_{criterion.pk}"


class AnswersForm(ServiceErrorsFormMixin, forms.Form):
    """One text box per question that applies (the plain-POST way to save every answer)."""

    def __init__(self, *args, criteria, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            answer = answers.get(criterion.pk)
            hint = criterion.evidence_expected
            if criterion.word_limit:
                hint = f"Up to {criterion.word_limit} words. {hint}".strip()
            self.fields[answer_field_name(criterion)] = forms.CharField(
                label=criterion.text,
                help_text=hint,
                required=False,
                initial=answer.text if answer else "",
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    def rows(self):
        """(criterion, bound field, words) in the order of the form."""
        for criterion in self.criteria:
            field = self[answer_field_name(criterion)]
            yield criterion, field, word_count(str(field.value() or ""))

    def text_for(self, criterion) -> str:
        return self.cleaned_data.get(answer_field_name(criterion), "")


class AutosaveForm(forms.Form):
    text = forms.CharField(required=False, strip=False)


class CommitmentForm(ServiceErrorsFormMixin, forms.Form):
    area = forms.ChoiceField(
        label="Area", widget=forms.RadioSelect, error_messages={"required": "Choose the area."}
    )
    text = forms.CharField(
        label="What does your organisation commit to?",
        help_text="In your own words: what will change, for whom, by when.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the commitment."},
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {str(area.pk): area for area in areas}
        self.fields["area"].choices = [(pk, area.name) for pk, area in self.areas.items()]

    @property
    def chosen_area(self):
        return self.areas[self.cleaned_data["area"]]


class CommitmentKvisForm(ServiceErrorsFormMixin, forms.Form):
    kvis = forms.MultipleChoiceField(
        label="KVIs that track this commitment",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, kvis, **kwargs):
        super().__init__(*args, **kwargs)
        self.kvis = {str(kvi.pk): kvi for kvi in kvis}
        self.fields["kvis"].choices = [
            (pk, f"{kvi.code}: {kvi.title}") for pk, kvi in self.kvis.items()
        ]

    @property
    def chosen_kvis(self):
        return [self.kvis[pk] for pk in self.cleaned_data["kvis"]]


class ShareForm(ServiceErrorsFormMixin, forms.Form):
    colleague = forms.ChoiceField(
        label="Who should we email a link to?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the colleague to tell."},
    )
    note = forms.CharField(
        label="A note for them",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the note to 1000 characters or fewer."},
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(c.user.pk): c.user for c in colleagues}
        self.fields["colleague"].choices = [
            (pk, f"{user} ({user.email})") for pk, user in self.people.items()
        ]

    @property
    def chosen_colleague(self):
        return self.people[self.cleaned_data["colleague"]]


class WithdrawForm(ServiceErrorsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is your organisation withdrawing?",
        help_text="The programme team and the assessors will see this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the organisation is withdrawing."},
    )


class ResubmitForm(ServiceErrorsFormMixin, forms.Form):
    note = forms.CharField(
        label="What have you added or changed?",
        help_text="The assessors will see this with the application.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
