"""Decisions and awards: the tenant admin drafts a decision from the scores (the pass rule
and a feedback letter), edits it and sends it; an award follows an "awarded" decision, with a
verification code unique across the platform. Also revocation and expiry reminders.
"""

import secrets
from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.letters import feedback_letter
from awards.models import (
    ASSESSABLE_STATUSES,
    Application,
    Award,
    Decision,
    DecisionOutcome,
    DecisionStatus,
)
from awards.moderation import moderation
from awards.services.certificates import certificate_queue
from awards.services.common import move, own_application, queue_notice, who
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

# No 0/O, 1/I/L, U or V: a code read aloud or off a printed certificate is unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 12


def _assessed(tenant, application: Application):
    """The moderation with a complete result, or a refusal listing what is missing."""
    result = moderation(tenant=tenant, application=application)
    if result.missing:
        raise ValidationError(["The assessment is not complete:"] + result.missing)
    return result


def decision_draft(*, tenant, actor, access: TenantAccess, application: Application) -> Decision:
    """Draft (or draft again) the decision: the pass rule applied to the weighted scores and a
    feedback letter from the scores and the comments for the applicant."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    own_application(tenant, application)
    if application.status not in ASSESSABLE_STATUSES:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it cannot be "
            "decided now."
        )
    result = _assessed(tenant, application)
    outcome = DecisionOutcome.AWARDED if result.result.passed else DecisionOutcome.NOT_AWARDED
    letter = feedback_letter(application=application, moderation=result, outcome=outcome)
    existing = Decision.objects.filter(tenant=tenant, application=application).first()
    if existing is not None and existing.status != DecisionStatus.DRAFT:
        raise ValidationError("The decision on this application has already been sent.")
    fields = {
        "outcome": outcome,
        "score_percent": result.result.percent,
        "pass_mark_percent": result.result.pass_mark,
        "meets_pass_mark": result.result.passed,
        "override_reason": "",
        "category_codes": [],
        "feedback_letter": letter,
        "drafted_by": who(actor),
    }
    decision, _ = Decision.objects.update_or_create(
        tenant=tenant, application=application, status=DecisionStatus.DRAFT, defaults=fields
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_decision.drafted",
        obj=decision,
        changes={"outcome": outcome, "score_percent": str(result.result.percent)},
    )
    return decision


def decision_update(
    *,
    tenant,
    actor,
    access: TenantAccess,
    decision: Decision,
    outcome: str,
    feedback_letter: str,
    override_reason: str = "",
    category_codes: list[str] | None = None,
) -> Decision:
    """Edit a draft decision. An outcome other than the pass rule's needs a reason."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    application = own_application(tenant, decision.application)
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError("The decision has been sent: it can no longer change.")
    errors = {}
    if outcome not in DecisionOutcome.values:
        errors["outcome"] = "Choose awarded or not awarded."
    if not feedback_letter.strip():
        errors["feedback_letter"] = "Write the feedback letter."
    by_rule = DecisionOutcome.AWARDED if decision.meets_pass_mark else DecisionOutcome.NOT_AWARDED
    if outcome in DecisionOutcome.values and outcome != by_rule and not override_reason.strip():
        errors["override_reason"] = (
            f"The score is {decision.score_percent}% against a pass mark of "
            f"{decision.pass_mark_percent}%: say why the outcome differs."
        )
    codes = list(dict.fromkeys(category_codes or []))
    known = set(application.version.categories.values_list("code", flat=True))
    if set(codes) - known:
        errors["category_codes"] = "Choose categories of this award."
    elif codes and outcome != DecisionOutcome.AWARDED:
        errors["category_codes"] = "Categories apply only to an award."
    if errors:
        raise ValidationError(errors)
    changes = {
        "outcome": [decision.outcome, outcome],
        "letter_edited": decision.feedback_letter != feedback_letter.strip(),
        "override_reason": override_reason.strip(),
        "category_codes": codes,
    }
    Decision.objects.filter(pk=decision.pk, tenant=tenant).update(
        outcome=outcome,
        feedback_letter=feedback_letter.strip(),
        override_reason=override_reason.strip() if outcome != by_rule else "",
        category_codes=codes,
        updated_at=timezone.now(),
    )
    decision.refresh_from_db()
    audit_record(
        tenant=tenant, actor=actor, verb="award_decision.edited", obj=decision, changes=changes
    )
    return decision


@transaction.atomic
def decision_send(*, tenant, actor, access: TenantAccess, decision: Decision) -> Decision:
    """Record the decision and send the letter: the application becomes awarded (and the award
    is made) or not awarded. Refused when the scores changed since the draft."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    application = own_application(tenant, decision.application)
    result = _assessed(tenant, application)
    if result.result.percent != decision.score_percent:
        raise ValidationError(
            f"The scores have changed since the letter was drafted ({decision.score_percent}% "
            f"then, {result.result.percent}% now): draft the decision again."
        )
    now = timezone.now()
    if not Decision.objects.filter(
        pk=decision.pk, tenant=tenant, status=DecisionStatus.DRAFT
    ).update(status=DecisionStatus.SENT, decided_by=who(actor), decided_at=now, sent_at=now):
        raise ValidationError("This decision has already been sent.")
    decision.refresh_from_db()
    move(
        tenant=tenant,
        actor=actor,
        application=application,
        allowed_from=ASSESSABLE_STATUSES,
        to_status=decision.outcome,
        action="decided",
        reason=f"Scored {decision.score_percent}% (pass mark {decision.pass_mark_percent}%)"
        + (f". {decision.override_reason}" if decision.override_reason else ""),
        decided_at=now,
    )
    if decision.outcome == DecisionOutcome.AWARDED:
        award_grant(
            tenant=tenant,
            actor=actor,
            application=application,
            awarded_on=timezone.localdate(now),
            category_codes=decision.category_codes,
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_decision.sent",
        obj=decision,
        changes={"outcome": decision.outcome, "score_percent": str(decision.score_percent)},
    )
    queue_notice(tenant, f"decision_{decision.outcome}", decision.pk)
    return decision


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def award_grant(
    *, tenant, actor, application: Application, awarded_on: date, category_codes: list[str]
) -> Award:
    """The award an awarded application earns (called by decision_send and appeal_decide):
    valid for the level's years, with a fresh verification code. Its certificate is produced
    by a task queued after commit."""
    level = application.level
    for _attempt in range(5):
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    tenant=tenant,
                    organisation_id=application.organisation_id,
                    application=application,
                    scheme_id=application.scheme_id,
                    version_id=application.version_id,
                    level=level,
                    awarded_on=awarded_on,
                    expires_on=awarded_on + relativedelta(years=level.validity_years),
                    category_codes=list(category_codes),
                    verification_code=new_verification_code(),
                )
            break
        except IntegrityError:
            if Award.objects.filter(tenant=tenant, application=application).exists():
                raise ValidationError("This application already has its award.") from None
    else:  # pragma: no cover - 29^12 codes: five collisions in a row do not happen
        raise RuntimeError("Could not find an unused verification code")
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award.granted",
        obj=award,
        changes={
            "level": level.name,
            "awarded_on": str(award.awarded_on),
            "expires_on": str(award.expires_on),
        },
    )
    certificate_queue(tenant, award)  # the certificate PDF, once the award is committed
    return award


def award_revoke(*, tenant, actor, access: TenantAccess, award: Award, reason: str) -> Award:
    """End an award early, e.g. when the organisation can no longer evidence an area."""
    access.require(Perm.MANAGE_AWARD_APPLICATIONS)
    if award.tenant_id != tenant.id:
        raise ValidationError("This award is not part of this programme.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the award is revoked."})
    if not Award.objects.filter(pk=award.pk, tenant=tenant, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason.strip(), updated_at=timezone.now()
    ):
        raise ValidationError("This award has already been revoked.")
    award.refresh_from_db()
    audit_record(
        tenant=tenant, actor=actor, verb="award.revoked", obj=award, changes={"reason": reason}
    )
    queue_notice(tenant, "award_revoked", award.pk)
    return award


def award_expiry_reminders_send(*, tenant, today: date | None = None) -> int:
    """Remind holders before their award expires, at the months their scheme sets (default
    12, 6 and 1). Each reminder goes once; a late run sends only the latest one due. Daily."""
    today = today or timezone.localdate()
    sent = 0
    awards = Award.objects.filter(
        tenant=tenant,
        revoked_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + relativedelta(months=60),
    ).select_related("version")
    for award in awards:
        due = [
            months
            for months in award.version.reminder_months
            if months not in award.reminded_months
            and today >= award.expires_on - relativedelta(months=months)
        ]
        if not due:
            continue
        if Award.objects.filter(pk=award.pk, reminded_months=award.reminded_months).update(
            reminded_months=sorted(set(award.reminded_months) | set(due), reverse=True)
        ):
            queue_notice(tenant, "award_expiring", award.pk)
            sent += 1
    return sent
