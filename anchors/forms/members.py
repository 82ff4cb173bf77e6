"""Forms of a member's own pages: the priorities it commits to (one group of checkboxes per
pillar) and how other members see its figures (named or anonymised), with its sector for
benchmarking. The services decide the rest and name the field they refuse."""

from django import forms

from anchors.models import Disclosure
from organisations.models import Sector
from tenancy.forms import ServiceErrorsFormMixin


class PrioritiesForm(ServiceErrorsFormMixin, forms.Form):
    """`pillars`: [(pillar, [priority, ...])] of the version the member signed."""

    def __init__(self, *args, pillars, **kwargs):
        super().__init__(*args, **kwargs)
        self.pillar_fields = []
        for pillar, priorities in pillars:
            if not priorities:
                continue
            name = f"pillar_{pillar.code}"
            self.fields[name] = forms.MultipleChoiceField(
                label=pillar.name,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[
                    (p.code, f"{p.text} ({p.get_kind_display().lower()})") for p in priorities
                ],
                error_messages={"invalid_choice": "Choose priorities of the charter you signed."},
            )
            self.pillar_fields.append(name)

    @property
    def priority_codes(self) -> list[str]:
        return [code for name in self.pillar_fields for code in self.cleaned_data.get(name, [])]

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict") and "priorities" in error.message_dict:
            self.add_error(None, error.message_dict["priorities"])
            return
        super().add_service_errors(error)


class DisclosureForm(ServiceErrorsFormMixin, forms.Form):
    disclosure = forms.ChoiceField(
        label="How do other members see your figures?",
        help_text=(
            "The programme team always sees your name. Your figures count in the benchmarks "
            "and the charter's collective totals either way, and your sector still shows."
        ),
        choices=Disclosure.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose named or anonymised."},
    )
    sector_override = forms.ChoiceField(
        label="Sector you are compared with",
        help_text="Leave it to your organisation's type unless that puts you with the wrong peers.",
        required=False,
        choices=[("", "The sector of our organisation's type"), *Sector.choices],
        error_messages={
            "invalid_choice": "Choose a sector, or leave it to the organisation's type."
        },
    )
