"""Template variables for the page shell: current tenant, the person's tenants, nav flags."""

from tenancy.selectors import tenants_for_user


def tenancy(request) -> dict:
    tenant = getattr(request, "tenant", None)
    access = getattr(request, "access", None)
    user = getattr(request, "user", None)
    return {
        "current_tenant": tenant,
        "perms_here": access.flags() if access is not None and tenant is not None else {},
        "user_tenants": (
            (lambda: tenants_for_user(user=user)) if user and user.is_authenticated else []
        ),
    }
