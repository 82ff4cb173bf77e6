"""Email notices for award applications, assessment, decisions, appeals and awards (queued
after commit by the services), and the daily expiry reminders."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import NoReverseMatch

from awards.models import Appeal, Application, AssessorAssignment, Award, Conflict, Decision
from tenancy.models import Membership, Role, Tenant
from tenancy.tasks import TenantTask, queue_for_every_active_tenant, site_link

logger = logging.getLogger(__name__)

# kind -> (who is told, subject, what the email says). Audiences: tenant_admins,
# organisation_admins, organisation_people (admins and members), assessor (the one assigned),
# assessors (those assigned and clear of conflict), panel. Placeholders: {organisation},
# {scheme}, {level}, {reason}, {due}, {expires_on}, {letter}, {outcome}.
NOTICES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "application_submitted": (
        ("tenant_admins", "organisation_admins"),
        "{organisation} has applied for {level} of {scheme}",
        "{organisation}'s application for {level} of {scheme} has been submitted. A decision "
        "is due by {due}.",
    ),
    "application_resubmitted": (
        ("tenant_admins", "assessors"),
        "{organisation} has sent the information asked for",
        "{organisation} has resubmitted its application for {level} of {scheme}.\n\n{reason}",
    ),
    "application_withdrawn": (
        ("tenant_admins", "assessors"),
        "{organisation} has withdrawn its application",
        "{organisation} withdrew its application for {level} of {scheme}:\n\n{reason}",
    ),
    "assessment_started": (
        ("organisation_people",),
        "Your application for {level} is being assessed",
        "Assessors are now reading {organisation}'s application for {level} of {scheme}.",
    ),
    "more_information_requested": (
        ("organisation_people",),
        "More information is needed for your application for {level}",
        "The {scheme} team needs more information about {organisation}'s application for "
        "{level}:\n\n{reason}\n\nAdd it to the application and resubmit it.",
    ),
    "assessor_assigned": (
        ("assessor",),
        "Please assess {organisation}'s application for {level}",
        "You have been asked to assess {organisation}'s application for {level} of {scheme}. "
        "First declare whether you have any conflict of interest.",
    ),
    "conflict_declared": (
        ("tenant_admins",),
        "An assessor declared a conflict: {organisation}",
        "An assessor declared a conflict of interest with {organisation}'s application for "
        "{level} of {scheme}. Assign another assessor.",
    ),
    "decision_awarded": (
        ("organisation_people",),
        "{organisation} has been awarded {level} of {scheme}",
        "{letter}",
    ),
    "decision_not_awarded": (
        ("organisation_people",),
        "Your application for {level} of {scheme}",
        "{letter}",
    ),
    "appeal_lodged": (
        ("tenant_admins",),
        "{organisation} has appealed",
        "{organisation} appealed against the decision on its application for {level} of "
        "{scheme}. Appoint a panel: its decision is due by {due}.\n\n{reason}",
    ),
    "appeal_panel_appointed": (
        ("panel",),
        "Please sit on the appeal panel for {organisation}",
        "You are on the panel deciding {organisation}'s appeal about {level} of {scheme}. "
        "The panel's decision is due by {due}.",
    ),
    "appeal_decided": (
        ("organisation_people", "tenant_admins"),
        "The appeal panel has decided: {organisation}",
        "The panel decided {organisation}'s appeal about {level} of {scheme}: {outcome}.\n\n"
        "{reason}",
    ),
    "award_revoked": (
        ("organisation_admins",),
        "{organisation}'s {level} award has been revoked",
        "{organisation}'s {level} award of {scheme} has been revoked:\n\n{reason}",
    ),
    "award_expiring": (
        ("organisation_admins",),
        "{organisation}'s {level} award expires on {expires_on}",
        "{organisation}'s {level} award of {scheme} expires on {expires_on}. Start a renewal "
        "from your last application to keep it.",
    ),
}

OBJECT_MODELS: dict[str, type[Application | AssessorAssignment | Decision | Appeal | Award]] = {
    "assessor_assigned": AssessorAssignment,
    "conflict_declared": AssessorAssignment,
    "decision_awarded": Decision,
    "decision_not_awarded": Decision,
    "appeal_lodged": Appeal,
    "appeal_panel_appointed": Appeal,
    "appeal_decided": Appeal,
    "award_revoked": Award,
    "award_expiring": Award,
}


def _date(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _values(kind: str, obj, application: Application) -> dict[str, str]:
    values = {
        "organisation": application.organisation.name,
        "scheme": application.version.name,
        "level": application.level.name,
        "reason": "",
        "due": _date(application.decision_due),
        "expires_on": "",
        "letter": "",
        "outcome": "",
    }
    if isinstance(obj, Application):
        event = application.events.order_by("-created_at").first()
        values["reason"] = event.reason if event else ""
    elif isinstance(obj, Decision):
        values["letter"] = obj.feedback_letter
    elif isinstance(obj, Appeal):
        values["due"] = _date(obj.decision_due)
        values["reason"] = obj.panel_reasons or obj.reasons
        values["outcome"] = obj.get_outcome_display()
    elif isinstance(obj, Award):
        values["expires_on"] = _date(obj.expires_on)
        values["reason"] = obj.revoked_reason
    return values


def _page(kind: str, obj, application: Application) -> tuple[str, list]:
    """The page an email's link opens (a URL name and its arguments after the tenant slug):
    where the reader acts on the notice."""
    if kind == "assessor_assigned":  # first declare any conflict of interest
        return "assessment_declare", [obj.pk]
    if kind == "conflict_declared":  # assign another assessor
        return "application_assessors", [application.pk]
    if kind == "appeal_lodged":  # appoint a panel
        return "appeal_panel", [obj.pk]
    if kind == "appeal_panel_appointed":  # record the panel's decision
        return "appeal_decide", [obj.pk]
    if isinstance(obj, Award):  # revoked, expiring: the award (with "Renew")
        return "award_detail", [obj.pk]
    if kind == "decision_awarded":
        award = application.awards.order_by("-created_at").first()
        if award is not None:
            return "award_detail", [award.pk]
    # Everything else: the application (status, history, the decision letter, appeal link).
    return "application_detail", [application.pk]


def email_link(kind: str, obj, application: Application) -> str:
    """The full address for the email: the page from `_page`, or the awards landing page
    should that page not be routed."""
    name, args = _page(kind, obj, application)
    try:
        return site_link(name, application.tenant.slug, *args)
    except NoReverseMatch:
        logger.warning("Award email %s: no page named %s; linking the awards home", kind, name)
        return site_link("award_home", application.tenant.slug)


def _recipients(tenant_id, audiences, obj, application: Application) -> list[str]:
    emails: set[str] = set()
    memberships = Membership.objects.filter(tenant_id=tenant_id).select_related("user")
    for audience in audiences:
        if audience == "tenant_admins":
            users = [m.user for m in memberships.filter(role=Role.TENANT_ADMIN)]
        elif audience in ("organisation_admins", "organisation_people"):
            roles = [Role.ORGANISATION_ADMIN]
            if audience == "organisation_people":
                roles.append(Role.ORGANISATION_MEMBER)
            users = [
                m.user
                for m in memberships.filter(
                    role__in=roles, organisation_id=application.organisation_id
                )
            ]
        elif audience == "assessor":
            users = [obj.assessor]
        elif audience == "assessors":
            users = [
                a.assessor
                for a in application.assignments.filter(conflict=Conflict.NONE).select_related(
                    "assessor"
                )
            ]
        elif audience == "panel":
            users = [p.member for p in obj.panel.select_related("member")]
        else:
            raise ValueError(f"Unknown audience {audience}")
        emails |= {u.email for u in users if u.is_active}
    return sorted(emails)


@shared_task(base=TenantTask)
def send_award_email(tenant_id: str, kind: str, object_id: str) -> int:
    audiences, subject, body = NOTICES[kind]
    model = OBJECT_MODELS.get(kind, Application)
    obj = model.objects.get(id=object_id, tenant_id=tenant_id)
    application = obj if isinstance(obj, Application) else obj.application
    application = Application.objects.select_related(
        "organisation", "version", "level", "tenant"
    ).get(id=application.pk, tenant_id=tenant_id)
    values = _values(kind, obj, application)
    recipients = _recipients(tenant_id, audiences, obj, application)
    if not recipients:
        return 0
    link = email_link(kind, obj, application)
    return send_mail(
        subject=subject.format(**values),
        message=body.format(**values) + f"\n\n{link}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@shared_task
def queue_award_expiry_reminders() -> int:
    """Daily (Celery beat): one reminder task per active tenant."""
    return queue_for_every_active_tenant(send_award_expiry_reminders)


@shared_task(base=TenantTask)
def send_award_expiry_reminders(tenant_id: str) -> int:
    from awards.services import award_expiry_reminders_send

    return award_expiry_reminders_send(tenant=Tenant.objects.get(id=tenant_id))


# Tasks defined in other modules, imported here so Celery's autodiscovery registers them.
from awards.certificate_tasks import produce_award_certificate  # noqa: E402, F401
from awards.sharing_tasks import send_application_share_email  # noqa: E402, F401
