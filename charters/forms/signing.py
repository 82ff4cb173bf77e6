"""Forms of the organisation side: signing (and resubmitting) a charter, withdrawing, applying
for the next tier. One page, no JavaScript: fixed rows for the people signing and the pledges;
empty rows are ignored."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from charters.services import PledgeInput, SigningInput
from tenancy.forms import ServiceErrorsFormMixin

SIGNER_ROWS = 3
PLEDGE_ROWS = 8
DATE_FORMAT = "%d/%m/%Y"


def heading_choices(version) -> list[tuple[str, str]]:
    """The version's principles and themes as select options: "principle:<code>" and
    "theme:<code>" (principles and themes must be prefetched or are read here)."""
    return (
        [("", "Choose a principle or theme")]
        + [(f"principle:{p.code}", f"Principle: {p.title}") for p in version.principles.all()]
        + [(f"theme:{t.code}", f"Theme: {t.name}") for t in version.themes.all()]
    )


class SigningForm(ServiceErrorsFormMixin, forms.Form):
    """Who signs, when, at which tier, and the organisation's pledges.

    `organisations`: the organisations the person may sign for (a radio when more than one);
    `tiers`: the charter's tiers (a radio when more than one)."""

    def __init__(self, *args, version, organisations=(), tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.organisations = {str(o.id): o for o in organisations}
        self.tiers = {str(t.id): t for t in tiers}
        self.pledge_rows: list[int] = []  # the form rows holding a pledge, in order
        if len(self.organisations) > 1:
            self.fields["organisation"] = forms.ChoiceField(
                label="Which organisation are you signing for?",
                choices=[(key, o.name) for key, o in self.organisations.items()],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose the organisation you are signing for.",
                    "invalid_choice": "Choose one of the organisations you can sign for.",
                },
            )
        for n in range(1, SIGNER_ROWS + 1):
            self.fields[f"signer_{n}_name"] = forms.CharField(
                label="Full name", max_length=200, required=False
            )
            self.fields[f"signer_{n}_role"] = forms.CharField(
                label="Role",
                max_length=200,
                required=False,
                help_text="For example, Chair or Chief Executive" if n == 1 else "",
            )
        self.fields["signed_on"] = forms.DateField(
            label="Date signed",
            input_formats=[DATE_FORMAT],
            widget=forms.DateInput(format=DATE_FORMAT),
            help_text="For example, 12/07/2022",
            error_messages={
                "required": "Enter the date signed",
                "invalid": "Date signed must be a real date, written as day/month/year, "
                "for example 12/07/2022",
            },
        )
        if len(self.tiers) > 1:
            self.fields["tier"] = forms.ChoiceField(
                label="Which tier is the organisation signing up to?",
                choices=[(key, t.name) for key, t in self.tiers.items()],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose the tier the organisation is signing up to.",
                    "invalid_choice": "Choose one of the charter's tiers.",
                },
            )
        choices = heading_choices(version)
        self.heading_labels = dict(choices)
        for n in range(1, PLEDGE_ROWS + 1):
            self.fields[f"pledge_{n}_heading"] = forms.ChoiceField(
                label="Principle or theme",
                choices=choices,
                required=False,
                error_messages={
                    "invalid_choice": f"Pledge {n}: choose a principle or theme from the list."
                },
            )
            self.fields[f"pledge_{n}_text"] = forms.CharField(
                label="Pledge, in your own words",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            self.fields[f"pledge_{n}_target"] = forms.CharField(
                label="Measurable target",
                max_length=300,
                required=False,
                help_text="For example, 18% of supply-chain spend with local firms by 2022/23"
                if n == 1
                else "",
            )

    # --- Rows for the template ---------------------------------------------------------

    def signer_fields(self):
        return [(n, self[f"signer_{n}_name"], self[f"signer_{n}_role"]) for n in self._signers()]

    def pledge_fields(self):
        return [
            (n, self[f"pledge_{n}_heading"], self[f"pledge_{n}_text"], self[f"pledge_{n}_target"])
            for n in range(1, PLEDGE_ROWS + 1)
        ]

    @staticmethod
    def _signers():
        return range(1, SIGNER_ROWS + 1)

    # --- Validation ----------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        signers = 0
        for n in self._signers():
            name = cleaned.get(f"signer_{n}_name", "").strip()
            role = cleaned.get(f"signer_{n}_role", "").strip()
            if name and not role:
                self.add_error(f"signer_{n}_role", f"Enter the role of person {n} signing")
            elif role and not name:
                self.add_error(f"signer_{n}_name", f"Enter the name of person {n} signing")
            elif name:
                signers += 1
        if not signers and not self.has_error("signer_1_name"):
            self.add_error(
                "signer_1_name", "Enter the name and role of at least one person signing"
            )
        signed_on = cleaned.get("signed_on")
        if signed_on and signed_on > timezone.localdate():
            self.add_error("signed_on", "Date signed must be today or in the past")
        self.pledge_rows = []
        for n in range(1, PLEDGE_ROWS + 1):
            heading = cleaned.get(f"pledge_{n}_heading", "")
            text = cleaned.get(f"pledge_{n}_text", "").strip()
            target = cleaned.get(f"pledge_{n}_target", "").strip()
            if self.has_error(f"pledge_{n}_heading"):
                self.pledge_rows.append(n)
                continue
            if not (heading or text or target):
                continue
            self.pledge_rows.append(n)
            if not heading:
                self.add_error(
                    f"pledge_{n}_heading", f"Pledge {n}: choose the principle or theme it is under"
                )
            if not text:
                self.add_error(
                    f"pledge_{n}_text", f"Pledge {n}: write the pledge in your own words"
                )
        if not self.pledge_rows:
            self.add_error("pledge_1_heading", "Make at least one pledge")
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """The service names "signers", "signed_on", "pledges" and "pledge_<k>" (the k-th
        pledge sent, which may sit in a later row of the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            self.add_error(self._field_for(key), messages)

    def _field_for(self, key: str) -> str | None:
        if key == "signers":
            return "signer_1_name"
        if key == "pledges":
            return "pledge_1_heading"
        if key.startswith("pledge_") and key[7:].isdigit():
            k = int(key[7:])
            if 1 <= k <= len(self.pledge_rows):
                return f"pledge_{self.pledge_rows[k - 1]}_text"
            return None
        return key if key in self.fields else None

    # --- What the view needs from valid data ---------------------------------------------

    def raw_answers(self) -> dict[str, str]:
        """The submitted values (strings), to keep in the session between the steps."""
        return {name: self.data.get(name, "") for name in self.fields}

    @property
    def chosen_organisation(self):
        if "organisation" in self.fields:
            return self.organisations[self.cleaned_data["organisation"]]
        return next(iter(self.organisations.values()), None)

    @property
    def chosen_tier(self):
        if "tier" in self.fields:
            return self.tiers[self.cleaned_data["tier"]]
        return next(iter(self.tiers.values()), None)

    def signers(self) -> list[dict[str, str]]:
        rows = []
        for n in self._signers():
            name = self.cleaned_data.get(f"signer_{n}_name", "").strip()
            role = self.cleaned_data.get(f"signer_{n}_role", "").strip()
            if name or role:
                rows.append({"name": name, "role": role})
        return rows

    def pledges(self) -> list[dict]:
        """Each pledge as a dict: row, heading (value), heading_label, text, target."""
        labels = self.heading_labels
        rows = []
        for n in self.pledge_rows:
            heading = self.cleaned_data.get(f"pledge_{n}_heading", "")
            rows.append(
                {
                    "row": n,
                    "heading": heading,
                    "heading_label": labels.get(heading, ""),
                    "text": self.cleaned_data.get(f"pledge_{n}_text", "").strip(),
                    "target": self.cleaned_data.get(f"pledge_{n}_target", "").strip(),
                }
            )
        return rows

    def signing_input(self) -> SigningInput:
        pledges = []
        for pledge in self.pledges():
            kind, _, code = pledge["heading"].partition(":")
            pledges.append(
                PledgeInput(
                    text=pledge["text"],
                    principle_code=code if kind == "principle" else "",
                    theme_code=code if kind == "theme" else "",
                    target=pledge["target"],
                )
            )
        return SigningInput(
            signers=self.signers(), signed_on=self.cleaned_data["signed_on"], pledges=pledges
        )


def answers_from_signatory(signatory) -> dict[str, str]:
    """A signature's current signers, date and pledges as form values (to edit and resubmit)."""
    answers = {"signed_on": signatory.signed_on.strftime(DATE_FORMAT)}
    for n, signer in enumerate(signatory.signers[:SIGNER_ROWS], start=1):
        answers[f"signer_{n}_name"] = signer.get("name", "")
        answers[f"signer_{n}_role"] = signer.get("role", "")
    for n, pledge in enumerate(list(signatory.pledges.all())[:PLEDGE_ROWS], start=1):
        if pledge.principle_id:
            answers[f"pledge_{n}_heading"] = f"principle:{pledge.principle.code}"
        else:
            answers[f"pledge_{n}_heading"] = f"theme:{pledge.theme.code}"
        answers[f"pledge_{n}_text"] = pledge.text
        answers[f"pledge_{n}_target"] = pledge.target
    return answers


class WithdrawForm(ServiceErrorsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the organisation withdrawing?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The programme team will see this.",
        error_messages={"required": "Say why the organisation is withdrawing"},
    )


class TierApplicationForm(ServiceErrorsFormMixin, forms.Form):
    case = forms.CharField(
        label="Why is the organisation ready for the next tier?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what the organisation has done on its pledges and what it will do next.",
        error_messages={"required": "Say why the organisation is ready for the next tier"},
    )
