from datetime import datetime, time

from django import forms
from django.utils import timezone

from api.scopes import SCOPE_DESCRIPTIONS, Scope
from tenancy.forms import ServiceErrorsFormMixin


class ApiKeyForm(ServiceErrorsFormMixin, forms.Form):
    partner_name = forms.CharField(
        label="Partner",
        max_length=200,
        help_text="Who will use this key, for example 'Wirral Council analytics team'.",
        error_messages={"required": "Enter the name of the partner who will use this key."},
    )
    scopes = forms.MultipleChoiceField(
        label="What the key may do",
        widget=forms.CheckboxSelectMultiple,
        choices=[(scope.value, f"{scope.value}: {SCOPE_DESCRIPTIONS[scope]}") for scope in Scope],
        error_messages={"required": "Choose at least one thing the key may do."},
    )
    organisations = forms.MultipleChoiceField(
        label="Only these organisations (optional)",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked for a key that sees every organisation.",
    )
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        help_text="For example 31/3/2027. The key stops working at the start of this day.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": "Enter the expiry date as day/month/year, like 31/3/2027."},
    )

    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = [
            (str(p.organisation_id), p.organisation.name) for p in participations
        ]

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.localdate():
            raise forms.ValidationError("The expiry date must be in the future.")
        return expires_on

    def expires_at(self) -> datetime | None:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        return timezone.make_aware(datetime.combine(expires_on, time.min))
