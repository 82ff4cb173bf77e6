"""Email notices for reporting rounds, returns and queries (queued after commit by the
services), and the daily reminders for returns outstanding."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from anchors.models import FigureQuery, MemberReturn
from tenancy.models import Membership, Role, Tenant
from tenancy.tasks import TenantTask, queue_for_every_active_tenant, site_link

# kind -> (who is told, subject, what the email says). Audiences: tenant_admins,
# organisation_admins (of the member). Placeholders: {organisation}, {charter}, {round},
# {due}, {metric}, {text}, {late}.
NOTICES: dict[str, tuple[str, str, str]] = {
    "round_opened": (
        "organisation_admins",
        "{charter}: your {round} return is open",
        "The {round} reporting round of {charter} is open. Please send {organisation}'s return "
        "(figures, a narrative per pillar and evidence) by {due}.",
    ),
    "return_submitted": (
        "tenant_admins",
        "{organisation} has sent its {round} return",
        "{organisation} has sent its {round} return for {charter}.{late}",
    ),
    "figure_queried": (
        "organisation_admins",
        "A question about your {round} return",
        "The programme team has a question about {organisation}'s figure for {metric} in the "
        "{round} return:\n\n{text}\n\nPlease answer it, correcting the figure if it was wrong.",
    ),
    "query_answered": (
        "tenant_admins",
        "{organisation} has answered your question",
        "{organisation} answered your question about {metric} in its {round} return:\n\n{text}",
    ),
    "return_accepted": (
        "organisation_admins",
        "Your {round} return is accepted",
        "The programme team has accepted {organisation}'s {round} return for {charter}. Its "
        "figures now count in the dashboard.",
    ),
    "return_reminder": (
        "organisation_admins",
        "Reminder: your {round} return is due by {due}",
        "{organisation}'s {round} return for {charter} is due by {due} and has not been sent yet.",
    ),
}


def _date(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _recipients(tenant_id, audience: str, organisation_id) -> list[str]:
    memberships = Membership.objects.filter(tenant_id=tenant_id).select_related("user")
    if audience == "tenant_admins":
        memberships = memberships.filter(role=Role.TENANT_ADMIN)
    else:
        memberships = memberships.filter(
            role=Role.ORGANISATION_ADMIN, organisation_id=organisation_id
        )
    return sorted({m.user.email for m in memberships if m.user.is_active})


def _link(member_return: MemberReturn) -> str:
    return site_link("anchor_return", member_return.tenant.slug, member_return.pk)


@shared_task(base=TenantTask)
def send_anchor_email(tenant_id: str, kind: str, object_id: str) -> int:
    audience, subject, body = NOTICES[kind]
    text, metric = "", ""
    if kind in ("figure_queried", "query_answered"):
        query = FigureQuery.objects.select_related("figure__pillar_metric__metric").get(
            id=object_id, tenant_id=tenant_id
        )
        return_id = str(query.figure.member_return_id)
        metric = query.figure.pillar_metric.metric.name
        text = query.text if kind == "figure_queried" else query.response
    else:
        return_id = object_id
    member_return = MemberReturn.objects.select_related(
        "round__charter", "signatory__organisation", "tenant"
    ).get(id=return_id, tenant_id=tenant_id)
    values = {
        "organisation": member_return.signatory.organisation.name,
        "charter": member_return.round.charter.title,
        "round": member_return.round.name,
        "due": _date(member_return.round.due_on),
        "metric": metric,
        "text": text,
        "late": " It was sent after the due date and is recorded as late."
        if member_return.submitted_late
        else "",
    }
    recipients = _recipients(tenant_id, audience, member_return.signatory.organisation_id)
    if not recipients:
        return 0
    return send_mail(
        subject=subject.format(**values),
        message=body.format(**values) + f"\n\n{_link(member_return)}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@shared_task
def queue_return_reminders() -> int:
    """Daily (Celery beat): one reminder task per active tenant."""
    return queue_for_every_active_tenant(send_return_reminders)


@shared_task(base=TenantTask)
def send_return_reminders(tenant_id: str) -> int:
    from anchors.services import return_reminders_send

    return return_reminders_send(tenant=Tenant.objects.get(id=tenant_id))
