"""Charters for the programme team: the list, creating a charter, a charter's overview, starting
a new version and related charters. Everyone with a role may read charters that have been
published; tenant admins see drafts and do the rest.

Thin: charters.selectors read, charters.services write (and check permissions again)."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from charters import selectors, services
from charters.forms.admin import CharterForm, CharterLinkForm
from charters.models import ACTIVE_SIGNATORY, Charter, CharterVersion, VersionStatus
from charters.views.common import (
    charter_or_404,
    charter_with_versions_or_404,
    crumbs,
    error_text,
    posted,
    published_of,
    readable_charter_or_404,
    to_version,
)
from charters.views.signatories import EXPORT_FORMATS, EXPORTS
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@dataclass
class CharterRow:
    charter: Charter
    latest: CharterVersion
    published: CharterVersion | None
    signatures: list = field(default_factory=list)
    can_sign: bool = False


def _can_sign(access, published: CharterVersion | None, own_signatures) -> bool:
    """Whether this person may sign the charter for an organisation that has not yet."""
    signed = {s.organisation_id for s in own_signatures if s.status in ACTIVE_SIGNATORY}
    signing_for = set(access.organisations_with(Perm.SIGN_CHARTER))
    return published is not None and bool(signing_for - signed)


@tenant_view(Perm.VIEW_CHARTERS)
def charter_list(request):
    tenant, access = request.tenant, request.access
    manager = access.can(Perm.MANAGE_CHARTERS)
    own_organisations = access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
    signatures: dict = {}
    if own_organisations:
        for signature in selectors.organisation_signatures(
            tenant=tenant, organisation_ids=own_organisations
        ):
            signatures.setdefault(signature.charter_id, []).append(signature)
    rows = []
    for charter in selectors.charter_list(tenant=tenant):
        versions = list(charter.versions.all())
        published = published_of(versions)
        if published is None and not manager:
            continue
        own = signatures.get(charter.id, [])
        rows.append(
            CharterRow(
                charter=charter,
                latest=versions[0],
                published=published,
                signatures=own,
                can_sign=_can_sign(access, published, own),
            )
        )
    return render(
        request,
        "charters/admin/charter_list.html",
        {
            "rows": rows,
            "can_manage": manager,
            "breadcrumbs": crumbs(tenant)[:1] + [("Charters", "")],
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_create(request):
    tenant = request.tenant
    form = CharterForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.charter_create(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                title=form.cleaned_data["title"],
                has_tiers=form.cleaned_data["has_tiers"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{charter.title} created. Version 1 is a draft: add its text and principles.",
            )
            return redirect("version_detail", tenant.slug, charter.slug, 1)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Create a charter",
            "intro": "Version 1 starts as a draft with the Social Value Quality Mark health "
            "themes, which you can change.",
            "submit_label": "Create charter",
            "cancel_url": reverse("charter_list", args=[tenant.slug]),
            "breadcrumbs": crumbs(tenant, None, ("Create a charter", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
def charter_detail(request, charter_slug):
    tenant, access = request.tenant, request.access
    charter = readable_charter_or_404(request, charter_slug)
    manager = access.can(Perm.MANAGE_CHARTERS)
    versions = list(charter.versions.all())
    published = published_of(versions)
    latest = versions[0]
    context = {
        "charter": charter,
        "versions": versions,
        "latest": latest,
        "published": published,
        "can_manage": manager,
        "register_count": selectors.register_count(tenant=tenant, charter=charter),
        "links": list(selectors.charter_links(tenant=tenant, charter=charter)),
        "breadcrumbs": crumbs(tenant, None, (charter.title, "")),
    }
    if manager:
        context.update(
            can_start_version=latest.status
            not in (*services.EDITABLE_STATUSES, VersionStatus.ENDORSED),
            pending_count=selectors.pending_signatures(tenant=tenant, charter=charter).count(),
            open_applications=selectors.tier_application_list(
                tenant=tenant, charter=charter
            ).count(),
            exports=[(what, file_format) for what in EXPORTS for file_format in EXPORT_FORMATS],
        )
    own_organisations = access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
    if own_organisations:
        own = list(
            selectors.signatory_list(
                tenant=tenant, charter=charter, organisation_ids=own_organisations
            )
        )
        context.update(own_signatures=own, can_sign=_can_sign(access, published, own))
    return render(request, "charters/admin/charter_detail.html", context)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_new_version(request, charter_slug):
    tenant = request.tenant
    charter = charter_with_versions_or_404(tenant, charter_slug)
    latest = charter.versions.all()[0]
    if request.method == "POST":
        try:
            version = services.charter_new_version(
                tenant=tenant, actor=request.user, access=request.access, charter=charter
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("charter_detail", tenant.slug, charter.slug)
        messages.success(
            request,
            f"Version {version.number} started as a draft, copied from version {latest.number}.",
        )
        return to_version(tenant, charter, version)
    return render(
        request,
        "charters/admin/new_version_confirm.html",
        {
            "charter": charter,
            "latest": latest,
            "next_number": latest.number + 1,
            "breadcrumbs": crumbs(tenant, charter, ("Start a new version", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_link_create(request, charter_slug):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    others = [c for c in selectors.charter_list(tenant=tenant) if c.id != charter.id]
    form = CharterLinkForm(posted(request), other_charters=others)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.charter_link_add(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                charter=charter,
                title=form.cleaned_data["title"],
                related_charter=form.cleaned_data["related_charter"],
                url=form.cleaned_data["url"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{link.title} added to the related charters.")
            return redirect("charter_detail", tenant.slug, charter.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add a related charter",
            "intro": "Choose another of this programme's charters, or give the web address of "
            "one published elsewhere.",
            "submit_label": "Add related charter",
            "cancel_url": reverse("charter_detail", args=[tenant.slug, charter.slug]),
            "breadcrumbs": crumbs(tenant, charter, ("Add a related charter", "")),
        },
    )
