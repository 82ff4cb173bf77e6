"""The email a colleague gets when an application is shared with them (queued after commit by
awards.services.sharing). Celery registers it through the import in awards/tasks.py."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from awards.models import Application
from tenancy.tasks import TenantTask, site_link


@shared_task(base=TenantTask)
def send_application_share_email(
    tenant_id: str, application_id: str, colleague_id: str, sender_id: str, note: str
) -> int:
    application = Application.objects.select_related(
        "organisation", "version", "level", "tenant"
    ).get(id=application_id, tenant_id=tenant_id)
    users = {
        str(pk): user
        for pk, user in get_user_model().objects.in_bulk([colleague_id, sender_id]).items()
    }
    colleague, sender = users.get(colleague_id), users.get(sender_id)
    if colleague is None or not colleague.is_active:
        return 0
    link = site_link("application_detail", application.tenant.slug, application.pk)
    who = str(sender) if sender is not None else "A colleague"
    body = (
        f"{who} has shared {application.organisation.name}'s application for "
        f"{application.level.name} of {application.version.name} with you.\n\n"
        + (f"{note}\n\n" if note else "")
        + f"Open it here:\n{link}\n"
    )
    return send_mail(
        subject=f"{who} shared an award application with you",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[colleague.email],
    )
