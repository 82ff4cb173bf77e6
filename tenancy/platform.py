"""The one path for reading across tenants (a platform-wide view).

    with platform_read(actor=request.user, reason="Platform overview"):
        counts = Membership.objects.values("tenant_id").annotate(...)

Only platform admins may open it; each opening is recorded as a PlatformReadEvent before any
row is read. Inside, the `platform_read` policies let SELECT see every tenant's rows; writes to
tenant tables still need a tenant and so are refused (the tenant is cleared for the block).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tenancy.context import get_settings, set_settings
from tenancy.models import PlatformReadEvent


@contextmanager
def platform_read(*, actor, reason: str) -> Iterator[None]:
    if not (actor and actor.is_authenticated and actor.is_platform_admin):
        raise PermissionDenied("Only platform admins may read across tenants.")
    PlatformReadEvent.objects.create(actor=actor, reason=reason[:200])
    with transaction.atomic():
        (previous_tenant,) = get_settings("tenant_id")
        set_settings(tenant_id="", platform_read="on")
        yield
        if not transaction.get_connection().needs_rollback:
            set_settings(tenant_id=previous_tenant, platform_read="")
