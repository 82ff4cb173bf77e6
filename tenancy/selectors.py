"""Reads for tenants, memberships and invitations."""

from django.db.models import QuerySet

from tenancy.models import Invitation, Membership, Role, Tenant


def tenants_for_user(*, user) -> list[Tenant]:
    """The person's tenants, each with `role_labels`; relies on the `own_rows` membership policy.

    Two queries whatever the number of tenants.
    """
    memberships = list(
        Membership.objects.filter(user=user).values_list("tenant_id", "role").order_by("role")
    )
    tenant_ids = {tenant_id for tenant_id, _ in memberships}
    tenants = list(Tenant.objects.filter(id__in=tenant_ids, is_active=True).order_by("name"))
    labels = dict(Role.choices)
    for tenant in tenants:
        tenant.role_labels = sorted(  # type: ignore[attr-defined]  # shown by the home page
            {labels[role] for tenant_id, role in memberships if tenant_id == tenant.id}
        )
    return tenants


def membership_list(
    *, tenant, organisation_ids: list | None = None, search: str = ""
) -> QuerySet[Membership]:
    """People in the tenant (optionally only those of some organisations), user and org joined."""
    memberships = Membership.objects.filter(tenant=tenant).select_related("user", "organisation")
    if organisation_ids is not None:
        memberships = memberships.filter(organisation_id__in=organisation_ids)
    if search:
        memberships = memberships.filter(user__email__icontains=search) | memberships.filter(
            user__full_name__icontains=search
        )
    return memberships.order_by("user__email", "role")


def invitation_list(
    *, tenant, organisation_ids: list | None = None, status: str = ""
) -> QuerySet[Invitation]:
    invitations = Invitation.objects.filter(tenant=tenant).select_related(
        "organisation", "invited_by"
    )
    if organisation_ids is not None:
        invitations = invitations.filter(organisation_id__in=organisation_ids)
    if status:
        invitations = invitations.filter(status=status)
    return invitations.order_by("-created_at")


def invitation_get_by_token(*, tenant, token: str) -> Invitation | None:
    from tenancy.services import hash_token

    return (
        Invitation.objects.filter(tenant=tenant, token_hash=hash_token(token))
        .select_related("organisation", "invited_by")
        .first()
    )


def user_requires_mfa(*, user, tenant=None) -> bool:
    """Platform admins, tenant admins and assessors (anywhere), and every member of a tenant
    that requires it, must use two-factor authentication."""
    if user.is_platform_admin:
        return True
    roles_and_tenants = Membership.objects.filter(user=user).values_list(
        "role", "tenant__require_mfa_for_all"
    )
    return any(
        role in (Role.TENANT_ADMIN, Role.ASSESSOR) or tenant_requires
        for role, tenant_requires in roles_and_tenants
    )


def platform_tenant_summary(*, actor) -> list[Tenant]:
    """Every tenant with its member and organisation counts: a cross-tenant read, so it goes
    through `platform_read`, which checks the actor and records the opening."""
    from django.db.models import Count

    from organisations.models import Participation
    from tenancy.platform import platform_read

    with platform_read(actor=actor, reason="Platform overview of tenants"):
        tenants = list(Tenant.objects.order_by("name"))
        people = dict(
            Membership.objects.values("tenant_id")
            .annotate(n=Count("user_id", distinct=True))
            .values_list("tenant_id", "n")
        )
        organisations = dict(
            Participation.objects.values("tenant_id")
            .annotate(n=Count("id"))
            .values_list("tenant_id", "n")
        )
    for tenant in tenants:
        tenant.people_count = people.get(tenant.id, 0)  # type: ignore[attr-defined]
        tenant.organisation_count = organisations.get(tenant.id, 0)  # type: ignore[attr-defined]
    return tenants


def tenant_public_list() -> QuerySet[Tenant]:
    return (
        Tenant.objects.filter(is_active=True).select_related("host_organisation").order_by("name")
    )
