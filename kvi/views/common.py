"""Look-ups and breadcrumbs shared by the KVI pages. Each look-up raises Http404 when there is
nothing to show and PermissionDenied (403) when the person may not see it."""

from django.http import Http404
from django.urls import reverse

from organisations import selectors as organisation_selectors
from tenancy.permissions import Perm


def crumbs(tenant, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through "KVIs" to `rest`: (label, url) pairs, the
    current page's url empty."""
    return [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("KVIs", reverse("kvi_home", args=[tenant.slug])),
        *rest,
    ]


def organisation_or_404(request, organisation_id, perm: Perm = Perm.VIEW_OWN_KVIS):
    """An organisation taking part in this programme whose KVI pages this person may open:
    the programme team (VIEW_KVIS) may open any; organisation staff need `perm` for it."""
    participation = organisation_selectors.participation_get(
        tenant=request.tenant, organisation_id=organisation_id
    )
    if participation is None:
        raise Http404("No such organisation in this programme.")
    access = request.access
    if not (perm == Perm.VIEW_OWN_KVIS and access.can(Perm.VIEW_KVIS)):
        access.require(perm, organisation_id=organisation_id)
    return participation.organisation
