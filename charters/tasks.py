"""Email notices for charter signatures and tier applications (queued after commit)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from charters.models import Signatory, TierApplication
from tenancy.models import Membership, Role, Tenant
from tenancy.tasks import TenantTask, queue_for_every_active_tenant, site_link

# kind -> (who is told, subject, what the email says). Placeholders: {organisation},
# {charter}, {reason}, {tier}.
NOTICES: dict[str, tuple[str, str, str]] = {
    "signature_submitted": (
        "tenant_admins",
        "{organisation} has signed {charter}",
        "{organisation} has signed {charter} with its pledges. It is waiting for your approval.",
    ),
    "signature_approve": (
        "organisation_admins",
        "Your signature of {charter} is approved",
        "{organisation} now appears on the public register of {charter}.",
    ),
    "signature_request_changes": (
        "organisation_admins",
        "Changes asked for: {charter}",
        "The programme team asked for changes to {organisation}'s signature of {charter}:\n\n"
        "{reason}",
    ),
    "signature_reject": (
        "organisation_admins",
        "Your signature of {charter} was not approved",
        "The programme team did not approve {organisation}'s signature of {charter}:\n\n{reason}",
    ),
    "signature_withdrawn": (
        "tenant_admins",
        "{organisation} has withdrawn from {charter}",
        "{organisation} withdrew its signature of {charter}:\n\n{reason}",
    ),
    "reconfirm_requested": (
        "organisation_admins",
        "Please re-confirm your signature of {charter}",
        "A new version of {charter} has been published. Please read it and re-confirm "
        "{organisation}'s signature and pledges.",
    ),
    "pledge_review_due": (
        "organisation_admins",
        "Time to review your pledges under {charter}",
        "{organisation}'s pledges under {charter} are due for their yearly review. Please "
        "check they still describe what you will do, then confirm the review.",
    ),
    "tier_application_submitted": (
        "tenant_admins",
        "{organisation} applies to become {tier}",
        "{organisation} has applied to move up to {tier} under {charter}.",
    ),
    "tier_application_to_panel": (
        "organisation_admins",
        "Your application to become {tier} is with the panel",
        "{organisation}'s application to become {tier} under {charter} has gone to the "
        "assessment panel.",
    ),
    "tier_application_approve": (
        "organisation_admins",
        "{organisation} is now {tier}",
        "{organisation}'s application to become {tier} under {charter} was approved.",
    ),
    "tier_application_reject": (
        "organisation_admins",
        "Your application to become {tier} was not approved",
        "{organisation}'s application to become {tier} under {charter} was not approved:\n\n"
        "{reason}",
    ),
}


def _recipients(tenant_id, audience: str, organisation_id) -> list[str]:
    memberships = Membership.objects.filter(tenant_id=tenant_id).select_related("user")
    if audience == "tenant_admins":
        memberships = memberships.filter(role=Role.TENANT_ADMIN)
    else:
        memberships = memberships.filter(
            role=Role.ORGANISATION_ADMIN, organisation_id=organisation_id
        )
    return sorted({m.user.email for m in memberships if m.user.is_active})


@shared_task(base=TenantTask)
def send_charter_email(tenant_id: str, kind: str, object_id: str) -> int:
    audience, subject, body = NOTICES[kind]
    if kind.startswith("tier_application"):
        application = TierApplication.objects.select_related(
            "signatory__organisation", "signatory__charter", "signatory__tenant", "to_tier"
        ).get(id=object_id, tenant_id=tenant_id)
        signatory, reason, tier = (
            application.signatory,
            application.decision_reason,
            application.to_tier.name,
        )
    else:
        signatory = Signatory.objects.select_related("organisation", "charter", "tenant").get(
            id=object_id, tenant_id=tenant_id
        )
        reason, tier = signatory.decision_reason, signatory.tier.name if signatory.tier_id else ""
    values = {
        "organisation": signatory.organisation.name,
        "charter": signatory.charter.title,
        "reason": reason,
        "tier": tier,
    }
    link = site_link("charter_detail", signatory.tenant.slug, signatory.charter.slug)
    recipients = _recipients(tenant_id, audience, signatory.organisation_id)
    if not recipients:
        return 0
    return send_mail(
        subject=subject.format(**values),
        message=body.format(**values) + f"\n\n{link}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@shared_task
def queue_pledge_review_reminders() -> int:
    """Daily (Celery beat): one reminder task per active tenant."""
    return queue_for_every_active_tenant(send_pledge_review_reminders)


@shared_task(base=TenantTask)
def send_pledge_review_reminders(tenant_id: str) -> int:
    from charters.services import pledge_review_reminders_send

    return pledge_review_reminders_send(tenant=Tenant.objects.get(id=tenant_id))
