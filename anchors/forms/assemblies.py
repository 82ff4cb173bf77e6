"""Forms of the Anchor Assembly pages: an assembly (date, title, agenda, the round it
reviews), changing it (those and its minutes), an attendee, an action and marking an action
done. Business rules stay in anchors.services.assemblies; these forms check only what a
person typed, with NHS.UK style messages naming the field."""

from typing import cast

from django import forms

from tenancy.forms import ServiceErrorsFormMixin

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]


def date_field(label: str, *, noun: str, example: str = "12/7/2023", required=True):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        help_text=f"For example, {example}",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "nhsuk-input--width-10"}
        ),
        error_messages={
            "required": f"Enter the date {noun}.",
            "invalid": f"Enter the date as day/month/year, like {example}.",
        },
    )


def date_initial(value) -> str:
    """A date as the forms show it: 12/7/2023."""
    return f"{value.day}/{value.month}/{value.year}" if value else ""


def _text(label: str, *, required=True, help_text="", missing="", rows=None, max_length=None):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=widget,
        error_messages={
            "required": missing,
            "max_length": f"{label} must be {max_length} characters or fewer.",
        },
    )


def member_choices(members) -> list[tuple[str, str]]:
    """(signatory id, organisation name) of the charter's members, for a select."""
    return [(str(m.pk), m.organisation.name) for m in members]


class MemberChoiceMixin:
    """A "member" select over the charter's members (optional); cleaned to the Signatory."""

    member_field = "signatory"

    def _set_members(self, members) -> None:
        self._members = {str(m.pk): m for m in members}
        field = cast(forms.ChoiceField, self.fields[self.member_field])  # type: ignore[attr-defined]
        field.choices = [("", "Not for a member")] + member_choices(members)

    def _clean_member(self):
        key = self.cleaned_data.get(self.member_field) or ""  # type: ignore[attr-defined]
        return self._members.get(key)


class AssemblyForm(ServiceErrorsFormMixin, forms.Form):
    title = _text(
        "Title",
        max_length=200,
        help_text="For example, Anchor Assembly, July 2023",
        missing="Enter the assembly's title.",
    )
    held_on = date_field("Date of the assembly", noun="of the assembly")
    agenda = _text(
        "Agenda",
        required=False,
        rows=6,
        help_text="One item a line. You can change it later.",
    )
    round = forms.ChoiceField(
        label="Reporting round it reviews",
        required=False,
        help_text="Its accepted returns make the progress pack. Leave it to use the latest "
        "round with accepted returns.",
    )

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._rounds = {str(r.pk): r for r in rounds}
        cast(forms.ChoiceField, self.fields["round"]).choices = [
            ("", "The latest round with accepted returns")
        ] + [(key, r.name) for key, r in self._rounds.items()]

    def clean_round(self):
        return self._rounds.get(self.cleaned_data.get("round") or "")


class AssemblyEditForm(AssemblyForm):
    """An assembly's title, date, the round it reviews, agenda and minutes."""

    minutes = _text(
        "Minutes",
        required=False,
        rows=14,
        help_text="What was discussed and decided. Record actions separately, with an owner "
        "and a due date, so that they are followed up at the next assembly.",
    )
    field_order = ["title", "held_on", "round", "agenda", "minutes"]

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, rounds=rounds, **kwargs)
        self.fields["agenda"].help_text = "One item a line."
        self.fields["agenda"].widget.attrs["rows"] = 8


class AttendeeForm(MemberChoiceMixin, ServiceErrorsFormMixin, forms.Form):
    signatory = forms.ChoiceField(
        label="Member they represent",
        required=False,
        help_text="Leave it for a guest who does not represent a member.",
    )
    name = _text("Name", max_length=200, missing="Enter the attendee's name.")
    role = _text("Role", required=False, max_length=200, help_text="For example, Chief Executive")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_members(members)

    def clean_signatory(self):
        return self._clean_member()


class ActionForm(MemberChoiceMixin, ServiceErrorsFormMixin, forms.Form):
    member_field = "owner_signatory"

    text = _text("Action", rows=3, missing="Enter the action.")
    owner_signatory = forms.ChoiceField(
        label="Member that owns it",
        required=False,
        help_text="Choose a member, or name the person who owns it below, or both.",
    )
    owner_name = _text(
        "Person who owns it",
        required=False,
        max_length=200,
        help_text="For example, Programme team, or a named lead",
    )
    due_on = date_field("Due date", noun="the action is due", example="1/10/2023", required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_members(members)

    def clean_owner_signatory(self):
        return self._clean_member()


class ActionDoneForm(ServiceErrorsFormMixin, forms.Form):
    done_on = date_field(
        "Date it was done", noun="the action was done", example="20/7/2023", required=False
    )
    done_on.help_text = "Leave it empty for today. For example, 20/7/2023"
