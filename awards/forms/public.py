"""Forms of the public award pages (GET forms, no sign-in)."""

from django import forms

from awards.verification import normalise_code


class HolderSearchForm(forms.Form):
    q = forms.CharField(label="Organisation name", required=False, max_length=200)

    def query(self) -> str:
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""


class VerifyForm(forms.Form):
    """A verification code read off a certificate, or an organisation's name."""

    code = forms.CharField(
        label="Verification code",
        required=False,
        max_length=40,
        help_text="On the certificate, for example ABCD-EFGH-JKMN",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    organisation = forms.CharField(
        label="Or the organisation's name",
        required=False,
        max_length=200,
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data.get("code", ""))
        if code and not code.isalnum():
            raise forms.ValidationError(
                "Enter the verification code as it is printed on the certificate, using "
                "letters and numbers only"
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors
            and not cleaned.get("code")
            and not cleaned.get("organisation", "").strip()
        ):
            self.add_error("code", "Enter a verification code or the name of an organisation")
        return cleaned
