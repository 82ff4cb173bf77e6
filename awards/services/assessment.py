"""Writes for assessment: the tenant admin assigns assessors (the first assignment moves a
submitted application into assessment) and asks applicants for more information; assessors
declare any conflict of interest, then score each criterion on the scheme's rubric.

Assessors act only on applications they are assigned to and have declared no conflict with;
a conflicted assessor's scores no longer count and they lose access.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.models import (
    ASSESSABLE_STATUSES,
    Application,
    ApplicationStatus,
    AssessorAssignment,
    Conflict,
    Criterion,
    Score,
)
from awards.rules import applicable_criteria
from awards.services.common import (
    cleared_assignment,
    move,
    own_application,
    queue_notice,
    user_may,
    who,
)
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

S = ApplicationStatus
ASSIGNABLE_STATUSES = (S.SUBMITTED, S.IN_ASSESSMENT, S.MORE_INFORMATION_REQUESTED, S.RESUBMITTED)


def assessor_assign(
    *, tenant, actor, access: TenantAccess, application: Application, assessor
) -> AssessorAssignment:
    """Ask an assessor (a person with ASSESS_AWARDS here, not of the applying organisation) to
    score the application. They declare any conflict of interest before they see it."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    own_application(tenant, application)
    if application.status not in ASSIGNABLE_STATUSES:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: assessors "
            "cannot be assigned now."
        )
    if not user_may(tenant, assessor, Perm.ASSESS_AWARDS):
        raise ValidationError({"assessor": "Choose a person with the assessor role here."})
    if user_may(
        tenant,
        assessor,
        Perm.VIEW_OWN_AWARD_APPLICATIONS,
        organisation_id=application.organisation_id,
    ):
        raise ValidationError(
            {"assessor": f"{assessor} works for {application.organisation.name}: choose another."}
        )
    try:
        with transaction.atomic():
            assignment = AssessorAssignment.objects.create(
                tenant=tenant, application=application, assessor=assessor, assigned_by=who(actor)
            )
    except IntegrityError:
        raise ValidationError({"assessor": f"{assessor} is already assigned."}) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.assessor_assigned",
        obj=application,
        changes={"assessor": assessor.email, "assignment": str(assignment.pk)},
    )
    if application.status == S.SUBMITTED:
        move(
            tenant=tenant,
            actor=actor,
            application=application,
            allowed_from=(S.SUBMITTED,),
            to_status=S.IN_ASSESSMENT,
            action="moved into assessment",
            reason="Assessors assigned",
            notice="assessment_started",
        )
    queue_notice(tenant, "assessor_assigned", assignment.pk)
    return assignment


def assessor_unassign(
    *, tenant, actor, access: TenantAccess, assignment: AssessorAssignment
) -> None:
    """Take an assessor off an application before they have scored anything."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    application = own_application(tenant, assignment.application)
    if assignment.scores.exists():
        raise ValidationError("This assessor has started scoring: their assignment stays.")
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.assessor_unassigned",
        obj=application,
        changes={"assessor": assignment.assessor.email},
    )
    assignment.delete()


def conflict_declare(
    *,
    tenant,
    actor,
    access: TenantAccess,
    assignment: AssessorAssignment,
    conflicted: bool,
    note: str = "",
) -> AssessorAssignment:
    """The assessor declares whether they have a conflict of interest. A declared conflict is
    final: they lose access and the programme team is told, to assign someone else."""
    access.require(Perm.ASSESS_AWARDS)
    own_application(tenant, assignment.application)
    if assignment.assessor_id != actor.pk:
        raise PermissionDenied("Only the assigned assessor can declare their interests.")
    if assignment.conflict == Conflict.CONFLICTED:
        raise ValidationError("You have declared a conflict of interest with this application.")
    if conflicted and not note.strip():
        raise ValidationError({"note": "Describe the conflict of interest."})
    new = Conflict.CONFLICTED if conflicted else Conflict.NONE
    if new == assignment.conflict:
        return assignment
    if not AssessorAssignment.objects.filter(
        pk=assignment.pk, tenant=tenant, conflict=assignment.conflict
    ).update(
        conflict=new,
        conflict_note=note.strip(),
        declared_at=timezone.now(),
        updated_at=timezone.now(),
    ):
        raise ValidationError("Your declaration has just changed. Reload the page.")
    old = assignment.conflict
    assignment.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_assignment.conflict_declared",
        obj=assignment,
        changes={"conflict": [old, new], "note": note.strip()},
    )
    if new == Conflict.CONFLICTED:
        queue_notice(tenant, "conflict_declared", assignment.pk)
    return assignment


def _score_value(value, lowest: int, highest: int) -> Decimal:
    try:
        score = Decimal(str(value).strip())
        if not score.is_finite() or score != score.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": f"Enter a score from {lowest} to {highest}."}) from None
    if not lowest <= score <= highest:
        raise ValidationError({"score": f"Enter a score from {lowest} to {highest}."})
    return score


def score_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: Application,
    criterion: Criterion,
    score,
    comment: str = "",
    private_note: str = "",
) -> Score:
    """An assigned assessor, clear of conflict, scores one criterion within the rubric's
    scale. `comment` may be quoted to the applicant; `private_note` never is."""
    access.require(Perm.ASSESS_AWARDS)
    own_application(tenant, application)
    assignment = cleared_assignment(tenant, application, actor)
    if application.status not in ASSESSABLE_STATUSES:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it cannot be "
            "scored now."
        )
    if criterion.pk not in {
        c.pk for c in applicable_criteria(tenant=tenant, application=application)
    }:
        raise ValidationError({"criterion": "That question is not part of this application."})
    version = application.version
    value = _score_value(score, version.rubric_min, version.rubric_max)
    saved, created = Score.objects.update_or_create(
        tenant=tenant,
        assignment=assignment,
        criterion=criterion,
        defaults={
            "score": value,
            "comment": comment.strip(),
            "private_note": private_note.strip(),
        },
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_score.saved",
        obj=saved,
        changes={"criterion": criterion.code, "score": str(value), "new": created},
    )
    return saved


def information_request(
    *, tenant, actor, access: TenantAccess, application: Application, request: str
) -> Application:
    """Send the application back to the applicant, saying what more is needed."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    own_application(tenant, application)
    if not request.strip():
        raise ValidationError({"request": "Say what more information the applicant must give."})
    return move(
        tenant=tenant,
        actor=actor,
        application=application,
        allowed_from=ASSESSABLE_STATUSES,
        to_status=S.MORE_INFORMATION_REQUESTED,
        action="sent back for more information",
        reason=request.strip(),
        notice="more_information_requested",
        information_requested=request.strip(),
    )
