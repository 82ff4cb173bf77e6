"""How a charter was made and how organisations commit to it, for the programme team: the
co-production record (engagement activities and who shaped each principle and theme) and the
tiers of commitment.

Thin: charters.selectors read, charters.services write (and check permissions again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from charters import selectors, services
from charters.forms.admin import EngagementForm, TierForm, date_initial
from charters.views.common import (
    charter_or_404,
    charter_with_versions_or_404,
    crumbs,
    latest_version,
    posted,
    readable_charter_or_404,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

# --- Co-production ---------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def engagement_list(request, charter_slug):
    tenant = request.tenant
    charter = readable_charter_or_404(request, charter_slug)
    version = latest_version(request, charter)
    principle_titles = {p.code: p.title for p in version.principles.all()}
    theme_titles = {t.code: t.name for t in version.themes.all()}
    activities = [
        (
            activity,
            [principle_titles.get(code, code) for code in activity.principle_codes],
            [theme_titles.get(code, code) for code in activity.theme_codes],
        )
        for activity in selectors.engagement_list(tenant=tenant, charter=charter)
    ]
    summary = selectors.engagement_summary(tenant=tenant, charter=charter, version=version)
    return render(
        request,
        "charters/admin/engagement_list.html",
        {
            "charter": charter,
            "version": version,
            "activities": activities,
            "people_total": sum(activity.people_count for activity, _, _ in activities),
            "principle_summary": summary[: len(principle_titles)],
            "theme_summary": summary[len(principle_titles) :],
            "can_manage": request.access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": crumbs(tenant, charter, ("Co-production", "")),
        },
    )


def _engagement_form_page(request, charter, engagement=None):
    tenant = request.tenant
    version = latest_version(request, charter)
    initial = None
    if engagement is not None:
        initial = {
            "held_on": date_initial(engagement.held_on),
            "kind": engagement.kind,
            "audience": engagement.audience,
            "people_count": engagement.people_count,
            "heard": engagement.heard,
            "principle_codes": engagement.principle_codes,
            "theme_codes": engagement.theme_codes,
        }
    form = EngagementForm(posted(request), initial=initial, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        principle_codes, theme_codes = list(data["principle_codes"]), list(data["theme_codes"])
        if engagement is not None:
            # Keep tags to principles and themes that the latest version no longer has.
            principle_codes += _codes_not_offered(engagement.principle_codes, form, "principle")
            theme_codes += _codes_not_offered(engagement.theme_codes, form, "theme")
        try:
            services.engagement_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                charter=charter,
                held_on=data["held_on"],
                kind=data["kind"],
                audience=data["audience"],
                people_count=data["people_count"],
                heard=data["heard"],
                principle_codes=principle_codes,
                theme_codes=theme_codes,
                engagement=engagement,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Engagement activity saved.")
            return redirect("engagement_list", tenant.slug, charter.slug)
    title = "Edit the engagement activity" if engagement else "Record an engagement activity"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": "Tick the principles and themes of the latest version that this activity "
            "shaped.",
            "submit_label": "Save activity",
            "cancel_url": reverse("engagement_list", args=[tenant.slug, charter.slug]),
            "breadcrumbs": crumbs(
                tenant,
                charter,
                ("Co-production", reverse("engagement_list", args=[tenant.slug, charter.slug])),
                (title, ""),
            ),
        },
    )


def _codes_not_offered(codes, form, prefix: str) -> list[str]:
    offered = {value for value, _ in form.fields[f"{prefix}_codes"].choices}
    return [code for code in codes if code not in offered]


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def engagement_create(request, charter_slug):
    charter = charter_with_versions_or_404(request.tenant, charter_slug)
    return _engagement_form_page(request, charter)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def engagement_edit(request, charter_slug, engagement_id):
    charter = charter_with_versions_or_404(request.tenant, charter_slug)
    engagement = (
        selectors.engagement_list(tenant=request.tenant, charter=charter)
        .filter(id=engagement_id)
        .first()
    )
    if engagement is None:
        raise Http404("No such engagement activity.")
    return _engagement_form_page(request, charter, engagement)


# --- Tiers -----------------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def tier_list(request, charter_slug):
    tenant = request.tenant
    charter = readable_charter_or_404(request, charter_slug)
    return render(
        request,
        "charters/admin/tier_list.html",
        {
            "charter": charter,
            "tiers": list(selectors.tier_list(tenant=tenant, charter=charter)),
            "can_manage": request.access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": crumbs(tenant, charter, ("Tiers", "")),
        },
    )


def _tier_form_page(request, charter, tier=None):
    tenant = request.tenant
    initial = None
    if tier is not None:
        initial = {
            "name": tier.name,
            "description": tier.description,
            "requires_panel": tier.requires_panel,
            "review_months": tier.review_months,
        }
    form = TierForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.tier_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                charter=charter,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                requires_panel=form.cleaned_data["requires_panel"],
                review_months=form.cleaned_data["review_months"],
                tier=tier,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Tier '{saved.name}' saved.")
            return redirect("tier_list", tenant.slug, charter.slug)
    title = f"Edit the tier {tier.name}" if tier else "Add a tier"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": None if tier else "New tiers go above the existing ones.",
            "submit_label": "Save tier",
            "cancel_url": reverse("tier_list", args=[tenant.slug, charter.slug]),
            "breadcrumbs": crumbs(
                tenant,
                charter,
                ("Tiers", reverse("tier_list", args=[tenant.slug, charter.slug])),
                (title, ""),
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_create(request, charter_slug):
    charter = charter_or_404(request.tenant, charter_slug)
    return _tier_form_page(request, charter)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_edit(request, charter_slug, tier_id):
    charter = charter_or_404(request.tenant, charter_slug)
    tier = selectors.tier_list(tenant=request.tenant, charter=charter).filter(id=tier_id).first()
    if tier is None:
        raise Http404("No such tier.")
    return _tier_form_page(request, charter, tier)
