"""The one audited path for reading across tenants."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from organisations.models import Participation
from tenancy.models import AuditEvent, Membership, PlatformReadEvent
from tenancy.platform import platform_read
from tenancy.selectors import platform_tenant_summary
from tests import factories

pytestmark = pytest.mark.django_db


def test_platform_admin_reads_every_tenant_and_the_opening_is_recorded(cast_a, cast_b):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    summary = {t.id: t for t in platform_tenant_summary(actor=admin)}
    assert summary[cast_a.tenant.id].people_count == 5
    assert summary[cast_b.tenant.id].organisation_count == 2
    event = PlatformReadEvent.objects.get()
    assert event.actor == admin
    assert event.reason == "Platform overview of tenants"


def test_outside_the_platform_path_no_tenant_rows_are_visible(cast_a, cast_b):
    assert Membership.objects.count() == 0
    assert Participation.objects.count() == 0


@pytest.mark.parametrize("role", ["tenant_admin", "assessor", "outsider"])
def test_people_who_are_not_platform_admins_are_refused(cast_a, role):
    person = getattr(cast_a, role)
    with pytest.raises(PermissionDenied):
        with platform_read(actor=person, reason="curious"):
            pass
    assert PlatformReadEvent.objects.count() == 0


def test_platform_read_cannot_write_tenant_rows(cast_a):
    admin = factories.UserFactory(is_superuser=True)
    with platform_read(actor=admin, reason="check"):
        assert Membership.objects.count() == 5
        assert Membership.objects.filter(tenant=cast_a.tenant).update(role="assessor") == 0
        with pytest.raises(DatabaseError):
            with transaction.atomic():
                AuditEvent.objects.create(
                    tenant=cast_a.tenant, verb="x", object_type="x", object_id="1"
                )
    assert Membership.objects.count() == 0  # the block is closed again


def test_platform_overview_page_is_for_platform_admins_only(client, cast_a, login):
    login(cast_a.tenant_admin)
    assert client.get("/platform/").status_code == 403
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    login(admin)
    response = client.get("/platform/")
    assert response.status_code == 200
    assert cast_a.tenant.name in response.content.decode()
