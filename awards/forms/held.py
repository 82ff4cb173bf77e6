"""Forms of the awards-held pages: the list's search and revoking an award."""

from django import forms

from awards.selectors.held import STATE_CHOICES
from tenancy.forms import ServiceErrorsFormMixin


class AwardSearchForm(forms.Form):
    """Search and filter the award list (a GET form; a wrong value is left out)."""

    q = forms.CharField(label="Organisation name", required=False, max_length=200)
    state = forms.ChoiceField(
        label="Show",
        required=False,
        choices=STATE_CHOICES,
        error_messages={"invalid_choice": "Choose which awards to show from the list"},
    )

    def filters(self) -> dict:
        values = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"q": (values.get("q") or "").strip(), "state": values.get("state") or ""}


class AwardRevokeForm(ServiceErrorsFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the award being revoked?",
        help_text="The organisation's admins are sent this reason.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say why the award is revoked."},
    )
