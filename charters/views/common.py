"""Look-ups, breadcrumbs and small helpers shared by the charter views (the programme team's
pages, the organisation's signing pages and the public pages). Each look-up raises Http404 when
there is nothing to show."""

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from charters import selectors
from charters.models import Charter, CharterVersion, VersionStatus
from tenancy.permissions import Perm

# Versions everyone with a role, and the public, may read; tenant admins also see drafts.
READABLE_BY_ALL = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


# --- Look-ups --------------------------------------------------------------------------------


def charter_or_404(tenant, charter_slug: str) -> Charter:
    charter = selectors.charter_get(tenant=tenant, slug=charter_slug)
    if charter is None:
        raise Http404("No such charter in this programme.")
    return charter


def charter_with_versions_or_404(tenant, charter_slug: str) -> Charter:
    """The charter with its versions (newest first) prefetched: two queries."""
    charter = selectors.charter_list(tenant=tenant).filter(slug=charter_slug).first()
    if charter is None:
        raise Http404("No such charter in this programme.")
    return charter


def published_of(versions) -> CharterVersion | None:
    """The published version among a charter's versions (already read), if there is one."""
    return next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)


def may_read(access, version: CharterVersion) -> bool:
    return access.can(Perm.MANAGE_CHARTERS) or version.status in READABLE_BY_ALL


def readable_charter_or_404(request, charter_slug: str) -> Charter:
    """The charter with its versions; people who cannot manage charters see only charters
    that have been published."""
    charter = charter_with_versions_or_404(request.tenant, charter_slug)
    if not request.access.can(Perm.MANAGE_CHARTERS) and not any(
        version.status in READABLE_BY_ALL for version in charter.versions.all()
    ):
        raise Http404("This charter has not been published yet.")
    return charter


def version_or_404(request, charter: Charter, number: int) -> CharterVersion:
    """A version of the charter (principles, themes and history prefetched) that this person
    may read."""
    version = selectors.version_get(tenant=request.tenant, charter=charter, number=number)
    if version is None or not may_read(request.access, version):
        raise Http404("No such version of this charter.")
    return version


def latest_version(request, charter: Charter) -> CharterVersion:
    """The newest version this person may read, with its principles and themes (the
    charter's versions prefetched)."""
    latest = next(v for v in charter.versions.all() if may_read(request.access, v))
    return selectors.version_get(tenant=request.tenant, charter=charter, number=latest.number)


# --- Breadcrumbs, redirects and form data ------------------------------------------------------


def crumbs(tenant, charter: Charter | None = None, *rest) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through Charters (and the charter) to `rest`:
    (label, url) pairs, the current page's url empty."""
    trail = [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("Charters", reverse("charter_list", args=[tenant.slug])),
    ]
    if charter is not None:
        trail.append((charter.title, reverse("charter_detail", args=[tenant.slug, charter.slug])))
    return trail + list(rest)


def to_version(tenant, charter: Charter, version: CharterVersion):
    return redirect("version_detail", tenant.slug, charter.slug, version.number)


def posted(request):
    """The form data of a POST (even an empty one), or None to show an unbound form."""
    return request.POST if request.method == "POST" else None


def error_text(error) -> str:
    """A service's ValidationError as one message."""
    return " ".join(error.messages)


# --- Pledges ---------------------------------------------------------------------------------


def pledge_groups(pledges) -> list[dict]:
    """Pledges grouped under their principle or theme: principles first, in the charter's
    order, then themes. Each group: {"kind", "title", "pledges"}. Principle and theme must
    be joined (no queries here)."""
    groups: dict[tuple, dict] = {}
    for pledge in pledges:
        if pledge.principle_id:
            key = (0, pledge.principle.position, pledge.principle.title, pledge.principle_id)
            kind, title = "Principle", pledge.principle.title
        else:
            key = (1, pledge.theme.position, pledge.theme.name, pledge.theme_id)
            kind, title = "Theme", pledge.theme.name
        groups.setdefault(key, {"kind": kind, "title": title, "pledges": []})
        groups[key]["pledges"].append(pledge)
    return [groups[key] for key in sorted(groups, key=lambda k: k[:3])]
