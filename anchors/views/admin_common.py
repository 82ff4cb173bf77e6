"""Look-ups, breadcrumbs and helpers shared by the programme team's anchor pages
(anchors.views.home, anchors.views.admin, anchors.views.admin_rounds)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from anchors.selectors import admin as admin_selectors
from anchors.views.common import crumbs as anchor_crumbs
from charters.models import Charter
from tenancy.permissions import Perm


def posted(request):
    return request.POST if request.method == "POST" else None


def writer(request) -> dict:
    return {"tenant": request.tenant, "actor": request.user, "access": request.access}


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do that."


def anchor_charter_or_404(request, charter_slug: str) -> Charter:
    """This tenant's anchor charter (versions prefetched). People outside the programme team
    find only charters with a published version."""
    charter = admin_selectors.anchor_charter_get(tenant=request.tenant, slug=charter_slug)
    if charter is None or not admin_selectors.readable_versions(charter, request.access):
        raise Http404("No such Anchor Institution Charter in this programme.")
    return charter


def crumbs(tenant, charter: Charter | None = None, *rest) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through Anchors (and the charter's priorities
    page, its landing) to `rest`."""
    if charter is not None:
        priorities = reverse("anchor_priorities", args=[tenant.slug, charter.slug])
        return anchor_crumbs(tenant, (charter.title, priorities), *rest)
    return anchor_crumbs(tenant, *rest)


def url(name: str, request, charter: Charter, *args) -> str:
    return reverse(name, args=[request.tenant.slug, charter.slug, *args])


def is_team(request) -> bool:
    return request.access.can(Perm.MANAGE_CHARTERS)
