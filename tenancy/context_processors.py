"""Template variables for the page shell: current tenant, the person's tenants, nav flags."""

from django.utils.functional import SimpleLazyObject

from tenancy.selectors import tenants_for_user


def tenancy(request) -> dict:
    tenant = getattr(request, "tenant", None)
    access = getattr(request, "access", None)
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "current_tenant": tenant,
        "perms_here": access.flags() if access is not None and tenant is not None else {},
        # Read once, and only by pages that show it.
        "user_tenants": SimpleLazyObject(lambda: tenants_for_user(user=user) if signed_in else []),
    }
