from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from tenancy.models import ORGANISATION_ROLES, Role
from tenancy.permissions import TenantAccess


class ServiceErrorsFormMixin(forms.Form):
    """Lets a view show a service's ValidationError against the fields it names."""

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class InvitationForm(ServiceErrorsFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the email address of the person to invite.",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="Role", widget=forms.RadioSelect, error_messages={"required": "Choose a role."}
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        required=False,
        help_text="Needed for organisation admins and organisation members.",
    )

    def __init__(self, *args, access: TenantAccess, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.participations = {str(p.organisation_id): p.organisation for p in participations}
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label)
            for value, label in Role.choices
            if access.may_invite(value)
            or (value in ORGANISATION_ROLES and access.organisations_with_invite())
        ]
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [
            ("", "Choose an organisation")
        ] + [(key, organisation.name) for key, organisation in self.participations.items()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") in ORGANISATION_ROLES:
            organisation = self.participations.get(cleaned.get("organisation") or "")
            if organisation is None:
                self.add_error("organisation", "Choose the organisation this person will join.")
            cleaned["organisation"] = organisation
        else:
            cleaned["organisation"] = None
        return cleaned


class TenantSettingsForm(forms.Form):
    description = forms.CharField(
        label="Public description of the programme", widget=forms.Textarea, required=False
    )
    require_mfa_for_all = forms.BooleanField(
        label="Require two-factor authentication of every member",
        required=False,
        help_text="Tenant admins and assessors must always use it.",
    )
