"""A member's own Anchor Institution Charter pages: its membership (joining, leaving and
re-confirming are the charters signing pages, linked from here), the priorities it commits to
and whether other members see its figures named or anonymised. Thin: anchors.selectors.members
reads, anchors.services writes and refuses (shown as form errors, or 403)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from anchors import services
from anchors.forms.members import DisclosureForm, PrioritiesForm
from anchors.models import MemberProfile
from anchors.selectors import members as member_selectors
from anchors.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


def membership_url(tenant, charter) -> str:
    return reverse("anchor_membership", args=[tenant.slug, charter.slug])


def membership_crumbs(tenant, charter, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    return crumbs(tenant, ("Our membership", membership_url(tenant, charter)), *rest)


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_membership(request, charter_slug):
    tenant, access = request.tenant, request.access
    charter = member_selectors.anchor_charter_or_404(tenant, charter_slug)
    rows = member_selectors.memberships(tenant=tenant, access=access, charter=charter)
    if not rows:
        raise PermissionDenied(
            "This page is for people of an organisation: it shows their organisation's "
            "membership of the charter."
        )
    return render(
        request,
        "anchors/members/membership.html",
        {
            "charter": charter,
            "memberships": rows,
            "published": member_selectors.published_version(tenant=tenant, charter=charter),
            "breadcrumbs": crumbs(tenant, ("Our membership", "")),
        },
    )


def _own_member(request, charter_slug, signatory_id, *, to: str):
    """The charter and the member, for its organisation admins only (403 for anyone else)."""
    charter = member_selectors.anchor_charter_or_404(request.tenant, charter_slug)
    signatory = member_selectors.member_signatory_or_404(
        tenant=request.tenant, charter=charter, signatory_id=signatory_id
    )
    if not request.access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied(
            f"Only an organisation admin of {signatory.organisation.name} can {to}."
        )
    return charter, signatory


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_member_priorities(request, charter_slug, signatory_id):
    tenant = request.tenant
    charter, signatory = _own_member(
        request, charter_slug, signatory_id, to="choose the priorities it commits to"
    )
    pillars = member_selectors.pillars_with_priorities(
        tenant=tenant, version_id=signatory.version_id
    )
    chosen = set(member_selectors.committed_codes(tenant=tenant, signatory=signatory))
    initial = {
        f"pillar_{pillar.code}": [p.code for p in priorities if p.code in chosen]
        for pillar, priorities in pillars
    }
    form = PrioritiesForm(
        request.POST if request.method == "POST" else None, pillars=pillars, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.member_priorities_set(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                signatory=signatory,
                priority_codes=form.priority_codes,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{signatory.organisation.name} now commits to {len(rows)} "
                f"priorit{'y' if len(rows) == 1 else 'ies'} of {charter.title}.",
            )
            return redirect(membership_url(tenant, charter))
    return render(
        request,
        "anchors/members/priorities.html",
        {
            "form": form,
            "charter": charter,
            "signatory": signatory,
            "has_priorities": bool(form.pillar_fields),
            "cancel_url": membership_url(tenant, charter),
            "breadcrumbs": membership_crumbs(tenant, charter, ("Priorities", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_member_disclosure(request, charter_slug, signatory_id):
    tenant = request.tenant
    charter, signatory = _own_member(
        request, charter_slug, signatory_id, to="choose how other members see its figures"
    )
    profile = MemberProfile.objects.filter(tenant=tenant, signatory=signatory).first()
    initial = {
        "disclosure": profile.disclosure if profile else "named",
        "sector_override": profile.sector_override if profile else "",
    }
    form = DisclosureForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.member_profile_update(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                signatory=signatory,
                disclosure=form.cleaned_data["disclosure"],
                sector_override=form.cleaned_data["sector_override"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if profile.disclosure == "anonymised":
                text = (
                    f"Other members now see {signatory.organisation.name}'s figures as "
                    f"{profile.anonymised_label}."
                )
            else:
                text = f"Other members now see {signatory.organisation.name}'s figures by name."
            messages.success(request, text)
            return redirect(membership_url(tenant, charter))
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "How other members see your figures",
            "caption": signatory.organisation.name,
            "submit_label": "Save",
            "cancel_url": membership_url(tenant, charter),
            "breadcrumbs": membership_crumbs(tenant, charter, ("Disclosure", "")),
        },
    )


urlpatterns = [
    path("<slug:charter_slug>/membership/", anchor_membership, name="anchor_membership"),
    path(
        "<slug:charter_slug>/membership/<uuid:signatory_id>/priorities/",
        anchor_member_priorities,
        name="anchor_member_priorities",
    ),
    path(
        "<slug:charter_slug>/membership/<uuid:signatory_id>/disclosure/",
        anchor_member_disclosure,
        name="anchor_member_disclosure",
    ),
]
