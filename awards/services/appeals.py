"""Appeals: an unsuccessful applicant appeals within the scheme's working days of the decision
being sent (default 10; weekends and bank holidays not counted); the tenant admin appoints a
panel of people not involved in the assessment, which decides within its own working days
(default 21). An allowed appeal makes the award.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.models import (
    Appeal,
    AppealOutcome,
    AppealPanelMember,
    AppealStatus,
    Application,
    ApplicationStatus,
    AssessorAssignment,
    Decision,
    DecisionOutcome,
    DecisionStatus,
)
from awards.services.common import move, own_application, queue_notice, user_may, who
from awards.services.decisions import award_grant
from awards.working_days import add_working_days
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record


def appeal_deadline(decision: Decision) -> date:
    """The last day an appeal against a sent decision may be lodged."""
    sent_on = timezone.localdate(decision.sent_at)
    return add_working_days(sent_on, decision.application.version.appeal_working_days)


def appeal_lodge(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: Application,
    reasons: str,
    received_on: date | None = None,
) -> Appeal:
    """The organisation's admin appeals against a "not awarded" decision, with reasons. The
    programme team may record an appeal that reached them another way, giving the day it was
    received (`received_on`); the clock is judged on that day."""
    own_application(tenant, application)
    if received_on is not None:
        access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    elif not access.can(Perm.APPLY_FOR_AWARD, organisation_id=application.organisation_id):
        raise PermissionDenied(
            f"Only an organisation admin of {application.organisation.name} can appeal."
        )
    today = timezone.localdate()
    lodged_on = received_on or today
    if lodged_on > today:
        raise ValidationError({"received_on": "The day received cannot be in the future."})
    decision = Decision.objects.filter(
        tenant=tenant, application=application, status=DecisionStatus.SENT
    ).first()
    if (
        application.status != ApplicationStatus.NOT_AWARDED
        or decision is None
        or decision.outcome != DecisionOutcome.NOT_AWARDED
    ):
        raise ValidationError("Only a decision not to award can be appealed.")
    if not reasons.strip():
        raise ValidationError({"reasons": "Give your reasons for appealing."})
    sent_on = timezone.localdate(decision.sent_at)
    deadline = add_working_days(sent_on, application.version.appeal_working_days)
    if lodged_on < sent_on:
        raise ValidationError({"received_on": "An appeal cannot come before the decision."})
    if lodged_on > deadline:
        raise ValidationError(
            f"The time to appeal ended on {deadline:%-d %B %Y}: an appeal must be lodged within "
            f"{application.version.appeal_working_days} working days of the decision, sent on "
            f"{sent_on:%-d %B %Y}."
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                tenant=tenant,
                application=application,
                decision=decision,
                reasons=reasons.strip(),
                lodged_by=who(actor),
                lodged_on=lodged_on,
                lodge_deadline=deadline,
                decision_due=add_working_days(
                    lodged_on, application.version.appeal_decision_working_days
                ),
            )
    except IntegrityError:
        raise ValidationError("This decision has already been appealed.") from None
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_appeal.lodged",
        obj=appeal,
        changes={"lodged_on": str(lodged_on), "deadline": str(deadline)},
    )
    queue_notice(tenant, "appeal_lodged", appeal.pk)
    return appeal


def _involved(tenant, appeal: Appeal) -> set:
    """People who took part in the assessment or the decision appealed against."""
    involved = set(
        AssessorAssignment.objects.filter(
            tenant=tenant, application=appeal.application_id
        ).values_list("assessor_id", flat=True)
    )
    if appeal.decision.decided_by_id:
        involved.add(appeal.decision.decided_by_id)
    return involved


@transaction.atomic
def appeal_panel_appoint(
    *, tenant, actor, access: TenantAccess, appeal: Appeal, members: list
) -> list[AppealPanelMember]:
    """Appoint (or replace) the panel: assessors or programme staff here, none of whom
    assessed the application, decided it, or works for the applicant."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    application = own_application(tenant, appeal.application)
    if appeal.status != AppealStatus.LODGED:
        raise ValidationError("This appeal has been decided.")
    people = list({m.pk: m for m in members}.values())
    if not people:
        raise ValidationError({"members": "Choose at least one panel member."})
    involved = _involved(tenant, appeal)
    for person in people:
        if person.pk in involved:
            raise ValidationError(
                {"members": f"{person} took part in the assessment: choose someone not involved."}
            )
        if not (
            user_may(tenant, person, Perm.ASSESS_AWARDS)
            or user_may(tenant, person, Perm.MANAGE_AWARD_APPLICATIONS)
        ):
            raise ValidationError(
                {"members": f"{person} is not an assessor or programme admin here."}
            )
        if user_may(
            tenant,
            person,
            Perm.VIEW_OWN_AWARD_APPLICATIONS,
            organisation_id=application.organisation_id,
        ):
            raise ValidationError(
                {"members": f"{person} works for {application.organisation.name}."}
            )
    AppealPanelMember.objects.filter(tenant=tenant, appeal=appeal).delete()
    panel = AppealPanelMember.objects.bulk_create(
        AppealPanelMember(tenant=tenant, appeal=appeal, member=person, appointed_by=who(actor))
        for person in people
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_appeal.panel_appointed",
        obj=appeal,
        changes={"members": [person.email for person in people]},
    )
    queue_notice(tenant, "appeal_panel_appointed", appeal.pk)
    return panel


@transaction.atomic
def appeal_decide(
    *, tenant, actor, access: TenantAccess, appeal: Appeal, outcome: str, reasons: str
) -> Appeal:
    """A panel member records the panel's decision. Allowed: the application is awarded and
    the award made; dismissed: the decision stands."""
    application = own_application(tenant, appeal.application)
    if not AppealPanelMember.objects.filter(tenant=tenant, appeal=appeal, member=actor).exists():
        raise PermissionDenied("Only a member of the appeal panel can record its decision.")
    if actor.pk in _involved(tenant, appeal):
        raise PermissionDenied("You took part in the assessment of this application.")
    errors = {}
    if outcome not in AppealOutcome.values:
        errors["outcome"] = "Choose whether the appeal is allowed or dismissed."
    if not reasons.strip():
        errors["reasons"] = "Give the panel's reasons."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if not Appeal.objects.filter(pk=appeal.pk, tenant=tenant, status=AppealStatus.LODGED).update(
        status=AppealStatus.DECIDED,
        outcome=outcome,
        panel_reasons=reasons.strip(),
        decided_by=who(actor),
        decided_at=now,
        updated_at=now,
    ):
        raise ValidationError("This appeal has already been decided.")
    appeal.refresh_from_db()
    if outcome == AppealOutcome.ALLOWED:
        move(
            tenant=tenant,
            actor=actor,
            application=application,
            allowed_from=(ApplicationStatus.NOT_AWARDED,),
            to_status=ApplicationStatus.AWARDED,
            action="awarded on appeal",
            reason=f"Appeal allowed: {reasons.strip()}",
            decided_at=now,
        )
        award_grant(
            tenant=tenant,
            actor=actor,
            application=application,
            awarded_on=timezone.localdate(now),
            category_codes=[],
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"award_appeal.{outcome}",
        obj=appeal,
        changes={"reasons": reasons.strip()},
    )
    queue_notice(tenant, "appeal_decided", appeal.pk)
    return appeal
