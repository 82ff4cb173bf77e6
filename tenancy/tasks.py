"""Background work for tenancy, and the base class every tenant task uses."""

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from tenancy.context import tenant_context
from tenancy.models import Invitation, Tenant


class TenantTask(DjangoTask):
    """Tasks take `tenant_id` as their first argument; the body runs in that tenant's context,
    inside one transaction, exactly like a web request."""

    def __call__(self, tenant_id, *args, **kwargs):
        if not Tenant.objects.filter(id=tenant_id, is_active=True).exists():
            raise ValueError(f"No active tenant {tenant_id}")
        with tenant_context(tenant_id):
            return super().__call__(tenant_id, *args, **kwargs)


def queue_for_every_active_tenant(task) -> int:
    """For a beat task: queue `task` once per active tenant (its tenant id the only argument).
    Returns how many were queued."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("id", flat=True))
    for tenant_id in tenant_ids:
        task.delay(str(tenant_id))
    return len(tenant_ids)


def site_link(url_name: str, *args) -> str:
    """The full address of a page, for emails: SITE_URL plus the page's path."""
    return settings.SITE_URL.rstrip("/") + reverse(url_name, args=list(args))


@shared_task(base=TenantTask)
def send_invitation_email(tenant_id: str, invitation_id: str, token: str) -> str:
    invitation = Invitation.objects.select_related("tenant", "organisation", "invited_by").get(
        id=invitation_id, tenant_id=tenant_id
    )
    if invitation.status != Invitation.Status.PENDING:
        return "skipped"
    context = {
        "invitation": invitation,
        "accept_url": site_link("invitation_accept", invitation.tenant.slug, token),
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=f"You are invited to {invitation.tenant.name}",
        message=render_to_string("emails/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return "sent"
