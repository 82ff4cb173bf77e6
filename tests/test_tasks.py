"""Celery tasks run in their tenant's context, like requests."""

import pytest
from celery import shared_task
from django.core import mail

from tenancy.context import current_tenant_id, tenant_context
from tenancy.models import Invitation, Role
from tenancy.permissions import tenant_access_for
from tenancy.services import invitation_create
from tenancy.tasks import TenantTask, send_invitation_email

pytestmark = pytest.mark.django_db


@shared_task(base=TenantTask)
def _count_invitations(tenant_id):
    return {"tenant": current_tenant_id(), "invitations": Invitation.objects.count()}


def _invite(cast, email="new.person@example.org"):
    with tenant_context(cast.tenant.id):
        access = tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant)
        return invitation_create(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=access,
            email=email,
            role=Role.ASSESSOR,
        )


def test_a_task_sees_only_its_tenant(cast_a, cast_b):
    _invite(cast_a)
    _invite(cast_b)
    _invite(cast_b, email="second@example.org")
    result = _count_invitations.apply(args=[str(cast_b.tenant.id)]).get()
    assert result == {"tenant": str(cast_b.tenant.id), "invitations": 2}
    assert current_tenant_id() == ""


def test_a_task_for_an_unknown_tenant_fails():
    with pytest.raises(ValueError, match="No active tenant"):
        _count_invitations.apply(args=["00000000-0000-0000-0000-000000000000"]).get()


def test_a_task_cannot_load_another_tenants_invitation(
    cast_a, cast_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation, token = _invite(cast_b)
    with pytest.raises(Invitation.DoesNotExist):
        send_invitation_email.apply(args=[str(cast_a.tenant.id), str(invitation.id), token]).get()
    assert mail.outbox == []


def test_invitation_email_is_sent_after_commit_with_the_link(
    cast_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(cast_a)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert f"/t/{cast_a.tenant.slug}/join/{token}/" in message.body
    assert cast_a.tenant.name in message.subject
