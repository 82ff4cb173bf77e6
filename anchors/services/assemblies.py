"""The Anchor Assembly: meetings (their title, date and the round they review can change),
attendees by member, agenda and minutes, actions with owners and due dates. Attendees and
actions recorded by mistake can be removed. Open actions are carried to later assemblies until
done."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from anchors.models import (
    ActionStatus,
    Assembly,
    AssemblyAction,
    AssemblyAttendee,
    ReportingRound,
    ReturnStatus,
)
from anchors.services.common import own, require_anchor_charter
from charters.models import Charter, Signatory
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record


def latest_reviewed_round(*, tenant, charter: Charter) -> ReportingRound | None:
    """The latest round with at least one accepted return: what an assembly reviews."""
    return (
        ReportingRound.objects.filter(
            tenant=tenant, charter=charter, returns__status=ReturnStatus.ACCEPTED
        )
        .order_by("-period_start")
        .first()
    )


def assembly_create(
    *,
    tenant,
    actor,
    access: TenantAccess,
    charter: Charter,
    held_on: date,
    title: str,
    agenda: str = "",
    reporting_round: ReportingRound | None = None,
) -> Assembly:
    """An assembly reviewing `reporting_round` (by default the latest round with accepted
    returns)."""
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, charter)
    if not title.strip():
        raise ValidationError({"title": "Enter the assembly's title."})
    if reporting_round is None:
        reporting_round = latest_reviewed_round(tenant=tenant, charter=charter)
    elif reporting_round.charter_id != charter.pk:
        raise ValidationError({"round": "Choose a round of this charter."})
    try:
        with transaction.atomic():
            assembly = Assembly.objects.create(
                tenant=tenant,
                charter=charter,
                held_on=held_on,
                title=title.strip(),
                agenda=agenda.strip(),
                round=reporting_round,
            )
    except IntegrityError:
        raise ValidationError({"held_on": "There is already an assembly on that day."}) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_assembly.created",
        obj=assembly,
        changes={
            "held_on": str(held_on),
            "round": reporting_round.name if reporting_round else None,
        },
    )
    return assembly


class _Unchanged:
    """The reporting round an assembly reviews is left as it is (assembly_update)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def assembly_update(
    *,
    tenant,
    actor,
    access: TenantAccess,
    assembly: Assembly,
    agenda: str,
    minutes: str,
    title: str | None = None,
    held_on: date | None = None,
    reporting_round: ReportingRound | None | _Unchanged = UNCHANGED,
) -> Assembly:
    """Change an assembly's agenda and minutes and, when given, its title, date and the round
    it reviews (`reporting_round=None`: the latest round with accepted returns, as when it was
    added). An assembly cannot move after the due date of one of its actions, nor onto the day
    of another assembly of the charter."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, assembly, "This assembly")
    errors = {}
    new_title = assembly.title if title is None else title.strip()
    if not new_title:
        errors["title"] = "Enter the assembly's title."
    new_held_on = assembly.held_on if held_on is None else held_on
    if new_held_on != assembly.held_on:
        early = AssemblyAction.objects.filter(
            tenant=tenant, assembly=assembly, due_on__lt=new_held_on
        ).count()
        if early:
            errors["held_on"] = (
                f"{_plural(early, 'action')} of this assembly "
                f"{'is' if early == 1 else 'are'} due before {new_held_on:%-d %B %Y}: an action "
                "cannot be due before its assembly. Choose an earlier date, or remove "
                f"{'that action' if early == 1 else 'those actions'} first."
            )
        elif (
            Assembly.objects.filter(tenant=tenant, charter=assembly.charter_id, held_on=new_held_on)
            .exclude(pk=assembly.pk)
            .exists()
        ):
            errors["held_on"] = "There is already an assembly on that day."
    if isinstance(reporting_round, _Unchanged):
        new_round = assembly.round
    elif reporting_round is None:
        new_round = latest_reviewed_round(tenant=tenant, charter=assembly.charter)
    else:
        own(tenant, reporting_round, "This round")
        new_round = reporting_round
        if reporting_round.charter_id != assembly.charter_id:
            errors["round"] = "Choose a round of this charter."
    if errors:
        raise ValidationError(errors)
    changes: dict = {}
    if new_title != assembly.title:
        changes["title"] = [assembly.title, new_title]
    if new_held_on != assembly.held_on:
        changes["held_on"] = [str(assembly.held_on), str(new_held_on)]
    new_round_id = new_round.pk if new_round else None
    if new_round_id != assembly.round_id:
        old_round = assembly.round
        changes["round"] = [
            old_round.name if old_round else None,
            new_round.name if new_round else None,
        ]
    if assembly.agenda != agenda.strip():
        changes["agenda"] = True
    if assembly.minutes != minutes.strip():
        changes["minutes"] = True
    assembly.title, assembly.held_on, assembly.round = new_title, new_held_on, new_round
    assembly.agenda, assembly.minutes = agenda.strip(), minutes.strip()
    try:
        with transaction.atomic():
            assembly.save(
                update_fields=["title", "held_on", "round", "agenda", "minutes", "updated_at"]
            )
    except IntegrityError:
        raise ValidationError({"held_on": "There is already an assembly on that day."}) from None
    audit_record(
        tenant=tenant, actor=actor, verb="anchor_assembly.updated", obj=assembly, changes=changes
    )
    return assembly


def _check_member(tenant, assembly: Assembly, signatory: Signatory | None, field: str) -> None:
    if signatory is None:
        return
    own(tenant, signatory, "This member")
    if signatory.charter_id != assembly.charter_id:
        raise ValidationError({field: "Choose a member of this charter."})


def assembly_attendee_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    assembly: Assembly,
    name: str,
    role: str = "",
    signatory: Signatory | None = None,
) -> AssemblyAttendee:
    """Someone at the assembly, for a member (`signatory`) or as a guest."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, assembly, "This assembly")
    _check_member(tenant, assembly, signatory, "signatory")
    if not name.strip():
        raise ValidationError({"name": "Enter the attendee's name."})
    attendee = AssemblyAttendee.objects.create(
        tenant=tenant, assembly=assembly, signatory=signatory, name=name.strip(), role=role.strip()
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_assembly.attendee_added",
        obj=assembly,
        changes={"name": attendee.name, "member": str(signatory.pk) if signatory else None},
    )
    return attendee


def assembly_action_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    assembly: Assembly,
    text: str,
    owner_signatory: Signatory | None = None,
    owner_name: str = "",
    due_on: date | None = None,
) -> AssemblyAction:
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, assembly, "This assembly")
    _check_member(tenant, assembly, owner_signatory, "owner_signatory")
    errors = {}
    if not text.strip():
        errors["text"] = "Enter the action."
    if owner_signatory is None and not owner_name.strip():
        errors["owner_name"] = "Say who owns the action: a member or a person."
    if due_on is not None and due_on < assembly.held_on:
        errors["due_on"] = "The action cannot be due before the assembly."
    if errors:
        raise ValidationError(errors)
    action = AssemblyAction.objects.create(
        tenant=tenant,
        assembly=assembly,
        text=text.strip(),
        owner_signatory=owner_signatory,
        owner_name=owner_name.strip(),
        due_on=due_on,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_assembly.action_added",
        obj=assembly,
        changes={"action": str(action.pk), "due_on": str(due_on) if due_on else None},
    )
    return action


def assembly_action_done(
    *, tenant, actor, access: TenantAccess, action: AssemblyAction, done_on: date | None = None
) -> AssemblyAction:
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, action, "This action")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date cannot be in the future."})
    if not AssemblyAction.objects.filter(pk=action.pk, status=ActionStatus.OPEN).update(
        status=ActionStatus.DONE, done_on=done_on, updated_at=timezone.now()
    ):
        raise ValidationError("This action is already done.")
    action.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_assembly.action_done",
        obj=action,
        changes={"done_on": str(done_on)},
    )
    return action


def assembly_attendee_remove(
    *, tenant, actor, access: TenantAccess, attendee: AssemblyAttendee
) -> None:
    """Take someone off an assembly's attendees (recorded by mistake, or did not come)."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, attendee, "This attendee")
    assembly = attendee.assembly
    with transaction.atomic():
        if not AssemblyAttendee.objects.filter(tenant=tenant, pk=attendee.pk).delete()[0]:
            raise ValidationError(f"{attendee.name} is no longer an attendee.")
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_assembly.attendee_removed",
            obj=assembly,
            changes={
                "attendee": str(attendee.pk),
                "name": attendee.name,
                "member": str(attendee.signatory_id) if attendee.signatory_id else None,
            },
        )


def assembly_action_remove(*, tenant, actor, access: TenantAccess, action: AssemblyAction) -> None:
    """Remove an action agreed at an assembly (recorded by mistake): it is no longer carried to
    later assemblies either. To close an action that was done, mark it done instead."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, action, "This action")
    assembly = action.assembly
    with transaction.atomic():
        if not AssemblyAction.objects.filter(tenant=tenant, pk=action.pk).delete()[0]:
            raise ValidationError("This action has already been removed.")
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_assembly.action_removed",
            obj=assembly,
            changes={
                "action": str(action.pk),
                "text": action.text[:200],
                "status": action.status,
                "due_on": str(action.due_on) if action.due_on else None,
            },
        )
