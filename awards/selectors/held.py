"""Reads for awards held: who may see which awards, the lists behind the award pages and the
public pages, and organisations to verify by name. Each list is one query (organisation,
version and level joined), whatever the number of rows."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from awards.models import Award
from tenancy.permissions import Perm, TenantAccess

# Filters of the award list.
CURRENT, EXPIRED, REVOKED = "current", "expired", "revoked"
STATE_CHOICES = [
    ("", "All awards"),
    (CURRENT, "Current"),
    (EXPIRED, "Expired"),
    (REVOKED, "Revoked"),
]


def award_scope(access: TenantAccess) -> list | None:
    """None when the person sees every award of the programme (the programme team), else the
    organisations whose awards they see (their people); an empty list: none."""
    if access.can(Perm.MANAGE_AWARD_APPLICATIONS) or access.can(Perm.MANAGE_AWARD_SCHEMES):
        return None
    return access.organisations_with(Perm.VIEW_OWN_AWARD_APPLICATIONS)


def award_list(
    *, tenant, access: TenantAccess, q: str = "", state: str = "", today: date | None = None
) -> QuerySet[Award]:
    """The awards this person may see, by organisation name then newest; searchable by
    organisation name and filtered by state. One query."""
    today = today or timezone.localdate()
    awards = Award.objects.filter(tenant=tenant).select_related("organisation", "version", "level")
    scope = award_scope(access)
    if scope is not None:
        awards = awards.filter(organisation_id__in=scope)
    if q:
        awards = awards.filter(organisation__name__icontains=q)
    if state == CURRENT:
        awards = awards.filter(
            revoked_at__isnull=True, awarded_on__lte=today, expires_on__gte=today
        )
    elif state == EXPIRED:
        awards = awards.filter(revoked_at__isnull=True, expires_on__lt=today)
    elif state == REVOKED:
        awards = awards.filter(revoked_at__isnull=False)
    return awards.order_by("organisation__name", "-awarded_on", "-created_at")


def award_get_for_user(*, tenant, access: TenantAccess, pk) -> Award | None:
    """The award, if this person may see it (else None: a 404), with what its page shows."""
    scope = award_scope(access)
    if scope is not None and not scope:
        return None
    awards = Award.objects.filter(tenant=tenant, pk=pk)
    if scope is not None:
        awards = awards.filter(organisation_id__in=scope)
    return (
        awards.select_related("organisation", "version", "level", "application", "tenant")
        .prefetch_related("version__categories")
        .first()
    )


def may_download_certificate(access: TenantAccess, award: Award) -> bool:
    """The programme team and the holder organisation's people."""
    return award_scope(access) is None or access.can(
        Perm.VIEW_OWN_AWARD_APPLICATIONS, organisation_id=award.organisation_id
    )


def category_names(award: Award) -> list[str]:
    """The award's categories by name (the version's categories prefetched)."""
    names = {c.code: c.name for c in award.version.categories.all()}
    return [names.get(code, code) for code in award.category_codes]


def public_holders(*, tenant, q: str = "", today: date | None = None) -> QuerySet[Award]:
    """Current awards for the public list, searchable by organisation name. One query."""
    from awards.verification import award_holders

    holders = award_holders(tenant=tenant, today=today)
    if q:
        holders = holders.filter(organisation__name__icontains=q)
    return holders


def organisations_with_awards(*, tenant, name: str, limit: int = 20) -> list[dict]:
    """Organisations that hold or have held an award of the programme and whose name contains
    `name` (or is it, ignoring case): [{"id", "name"}], exact matches first. One query."""
    name = (name or "").strip()
    if not name:
        return []
    rows = (
        Award.objects.filter(tenant=tenant)
        .filter(Q(organisation__name__icontains=name))
        .values("organisation_id", "organisation__name")
        .distinct()
        .order_by("organisation__name")[: limit + 1]
    )
    found = [{"id": r["organisation_id"], "name": r["organisation__name"]} for r in rows]
    exact = [o for o in found if str(o["name"]).casefold() == name.casefold()]
    return exact or found


def organisation_with_awards(*, tenant, organisation_id) -> dict | None:
    row = (
        Award.objects.filter(tenant=tenant, organisation_id=organisation_id)
        .values("organisation_id", "organisation__name")
        .first()
    )
    return {"id": row["organisation_id"], "name": row["organisation__name"]} if row else None
