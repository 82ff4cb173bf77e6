"""Writes for applications, by the applying organisation: start (or renew), choose areas,
answer, commit, link KVIs, submit, resubmit and withdraw.

Anyone of the organisation with EDIT_AWARD_APPLICATION may work on a draft (the form is shared
with colleagues); submitting, resubmitting and withdrawing need APPLY_FOR_AWARD (the
organisation's admins). Each save is one small write: an answer saved unchanged writes nothing,
and answer edits are audited at most once per person and answer every AUDIT_QUIET_PERIOD.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from awards.models import (
    LIVE_STATUSES,
    Application,
    ApplicationAnswer,
    ApplicationEvent,
    ApplicationStatus,
    AreasRule,
    Award,
    Commitment,
    CommitmentKvi,
    Criterion,
    SchemeArea,
    SchemeLevel,
    SchemeStatus,
    SchemeVersion,
)
from awards.rules import applicable_criteria, application_missing, word_count
from awards.services.common import (
    move,
    own_application,
    require_applicant,
    require_editable,
    who,
)
from awards.working_days import add_working_days
from tenancy.models import AuditEvent
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

S = ApplicationStatus
AUDIT_QUIET_PERIOD = timedelta(minutes=15)


def _check_window(tenant, version: SchemeVersion, today: date, doing: str) -> None:
    windows = list(version.windows.filter(tenant=tenant).order_by("opens_on"))
    if not windows or any(w.opens_on <= today <= w.closes_on for w in windows):
        return
    upcoming = [w for w in windows if w.opens_on > today]
    if upcoming:
        raise ValidationError(
            f"Applications cannot be {doing} now: the next window opens on "
            f"{upcoming[0].opens_on:%-d %B %Y}."
        )
    raise ValidationError(
        f"Applications cannot be {doing} now: the last window closed on "
        f"{windows[-1].closes_on:%-d %B %Y}."
    )


def _area_codes(version: SchemeVersion, requested: list[str] | None) -> list[str]:
    codes = list(version.areas.order_by("position").values_list("code", flat=True))
    if version.areas_rule == AreasRule.ALL:
        return codes
    requested = list(dict.fromkeys(requested or []))
    unknown = [code for code in requested if code not in codes]
    if unknown:
        raise ValidationError({"area_codes": "Choose areas of this award."})
    return [code for code in codes if code in requested]


def application_start(
    *,
    tenant,
    actor,
    access: TenantAccess,
    organisation,
    version: SchemeVersion,
    level: SchemeLevel,
    area_codes: list[str] | None = None,
    renew: Award | None = None,
) -> Application:
    """A draft application for a level of an open version. With `renew`, an award the
    organisation holds, it starts from that award's application: answers, commitments and
    KVI links follow their questions and areas by code."""
    if not access.can(Perm.APPLY_FOR_AWARD, organisation_id=organisation.id):
        raise PermissionDenied(f"Only an organisation admin of {organisation.name} can apply.")
    if version.tenant_id != tenant.id or version.status != SchemeStatus.OPEN:
        raise ValidationError({"version": "This award is not open for applications."})
    if level.version_id != version.pk:
        raise ValidationError({"level": "Choose one of this award's levels."})
    if renew is not None and (
        renew.tenant_id != tenant.id or renew.organisation_id != organisation.id
    ):
        raise PermissionDenied("That award is not one of this organisation's.")
    today = timezone.localdate()
    _check_window(tenant, version, today, "started")
    if renew is not None and area_codes is None:
        area_codes = renew.application.area_codes
    codes = _area_codes(version, area_codes)
    live = Application.objects.filter(
        tenant=tenant, scheme=version.scheme_id, organisation=organisation, status__in=LIVE_STATUSES
    ).first()
    if live is not None:
        raise ValidationError(
            f"{organisation.name} already has an application for this award "
            f"({live.get_status_display().lower()}): continue or withdraw that one."
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                tenant=tenant,
                scheme_id=version.scheme_id,
                version=version,
                level=level,
                organisation=organisation,
                area_codes=codes,
                started_by=who(actor),
                renewal_of=renew,
                tracking_starts_on=today if level.tracking_months else None,
            )
    except IntegrityError:
        raise ValidationError(
            f"{organisation.name} already has an application for this award."
        ) from None
    if renew is not None:
        _copy_from(tenant, renew.application, application, actor)
    ApplicationEvent.objects.create(
        tenant=tenant, application=application, to_status=S.DRAFT, actor=who(actor)
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.started",
        obj=application,
        changes={
            "level": level.name,
            "version": version.number,
            "renews": str(renew.pk) if renew else "",
        },
    )
    return application


def _copy_from(tenant, source: Application, target: Application, actor) -> None:
    criteria = {c.code: c for c in Criterion.objects.filter(tenant=tenant, version=target.version)}
    ApplicationAnswer.objects.bulk_create(
        ApplicationAnswer(
            tenant=tenant,
            application=target,
            criterion=criteria[answer.criterion.code],
            text=answer.text,
            word_count=answer.word_count,
            updated_by=who(actor),
        )
        for answer in source.answers.select_related("criterion")
        if answer.criterion.code in criteria
    )
    areas = {a.code: a for a in SchemeArea.objects.filter(tenant=tenant, version=target.version)}
    for old in source.commitments.select_related("area").prefetch_related("kvi_links"):
        if old.area.code not in areas:
            continue
        new = Commitment.objects.create(
            tenant=tenant,
            application=target,
            area=areas[old.area.code],
            text=old.text,
            position=old.position,
        )
        CommitmentKvi.objects.bulk_create(
            CommitmentKvi(tenant=tenant, commitment=new, kvi_id=link.kvi_id)
            for link in old.kvi_links.all()
        )


def application_areas_choose(
    *, tenant, actor, access: TenantAccess, application: Application, area_codes: list[str]
) -> Application:
    own_application(tenant, application)
    require_applicant(access, application)
    require_editable(application)
    if application.version.areas_rule == AreasRule.ALL:
        raise ValidationError({"area_codes": "This award covers every area: there is no choice."})
    codes = _area_codes(application.version, area_codes)
    if codes != application.area_codes:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="award_application.areas_chosen",
            obj=application,
            changes={"area_codes": [application.area_codes, codes]},
        )
        Application.objects.filter(pk=application.pk, tenant=tenant).update(
            area_codes=codes, updated_at=timezone.now()
        )
        application.area_codes = codes
    return application


def answer_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: Application,
    criterion: Criterion,
    text: str,
) -> ApplicationAnswer:
    """Save one answer as the applicant types (autosave). Over the word limit is kept, and
    reported as missing until shortened."""
    own_application(tenant, application)
    require_applicant(access, application)
    require_editable(application)
    if criterion.pk not in {
        c.pk for c in applicable_criteria(tenant=tenant, application=application)
    }:
        raise ValidationError({"criterion": "That question is not part of this application."})
    text = text.replace("\r\n", "\n").strip()
    # Autosave and the page's own button can save the same answer at once: the application's
    # row lock makes the second wait for the first, then update the answer it created.
    Application.objects.select_for_update().filter(tenant=tenant, pk=application.pk).exists()
    answer = ApplicationAnswer.objects.filter(
        tenant=tenant, application=application, criterion=criterion
    ).first()
    if answer is not None and answer.text == text:
        return answer
    words = word_count(text)
    if answer is None:
        answer = ApplicationAnswer.objects.create(
            tenant=tenant,
            application=application,
            criterion=criterion,
            text=text,
            word_count=words,
            updated_by=who(actor),
        )
    else:
        ApplicationAnswer.objects.filter(pk=answer.pk).update(
            text=text, word_count=words, updated_by=who(actor), updated_at=timezone.now()
        )
        answer.text, answer.word_count = text, words
    recent = AuditEvent.objects.filter(
        tenant=tenant,
        actor=who(actor),
        verb="award_application.answer_edited",
        object_type=answer._meta.label_lower,
        object_id=str(answer.pk),
        created_at__gte=timezone.now() - AUDIT_QUIET_PERIOD,
    ).exists()
    if not recent:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="award_application.answer_edited",
            obj=answer,
            changes={"criterion": criterion.code, "words": words},
        )
    return answer


def _refuse_if_missing(tenant, application: Application) -> None:
    missing = application_missing(tenant=tenant, application=application)
    if missing:
        raise ValidationError([item.message for item in missing])


def application_submit(
    *, tenant, actor, access: TenantAccess, application: Application
) -> Application:
    """Send a complete draft to the programme team. Refuses, listing every missing item, while
    anything is missing; sets the decision due date from the scheme's service level."""
    own_application(tenant, application)
    require_applicant(access, application, Perm.APPLY_FOR_AWARD)
    if application.status != S.DRAFT:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: only a draft "
            "can be submitted."
        )
    _check_window(tenant, application.version, timezone.localdate(), "submitted")
    _refuse_if_missing(tenant, application)
    today = timezone.localdate()
    return move(
        tenant=tenant,
        actor=actor,
        application=application,
        allowed_from=(S.DRAFT,),
        to_status=S.SUBMITTED,
        action="submitted",
        notice="application_submitted",
        submitted_at=timezone.now(),
        decision_due=add_working_days(today, application.version.decision_working_days),
    )


def application_resubmit(
    *, tenant, actor, access: TenantAccess, application: Application, note: str = ""
) -> Application:
    """Send the application back to the assessors with the information asked for."""
    own_application(tenant, application)
    require_applicant(access, application, Perm.APPLY_FOR_AWARD)
    if application.status != S.MORE_INFORMATION_REQUESTED:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: only one sent "
            "back for more information can be resubmitted."
        )
    _refuse_if_missing(tenant, application)
    today = timezone.localdate()
    return move(
        tenant=tenant,
        actor=actor,
        application=application,
        allowed_from=(S.MORE_INFORMATION_REQUESTED,),
        to_status=S.RESUBMITTED,
        action="resubmitted",
        reason=note.strip(),
        notice="application_resubmitted",
        decision_due=add_working_days(today, application.version.decision_working_days),
    )


def application_withdraw(
    *, tenant, actor, access: TenantAccess, application: Application, reason: str
) -> Application:
    """Withdraw at any point before a decision, saying why."""
    own_application(tenant, application)
    require_applicant(access, application, Perm.APPLY_FOR_AWARD)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the organisation is withdrawing."})
    return move(
        tenant=tenant,
        actor=actor,
        application=application,
        allowed_from=LIVE_STATUSES,
        to_status=S.WITHDRAWN,
        action="withdrawn",
        reason=reason.strip(),
        notice="application_withdrawn",
    )
