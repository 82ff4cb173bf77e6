"""The Anchor Institution Charter landing page (/t/<tenant>/anchors/) and making the anchor
charter.

- The programme team (MANAGE_CHARTERS): make the anchor charter when there is none, then for
  each: its text and versions (the charters pages), priorities, evidence framework, members,
  reporting rounds, dashboard and assemblies, with what is waiting for them.
- People of a member organisation (VIEW_OWN_SIGNATURE): their membership, their current
  return and the dashboard.
- Everyone else with a role: the published charter and the dashboard.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from anchors import services
from anchors.forms.admin import AnchorCharterForm
from anchors.selectors import admin as admin_selectors
from anchors.views.admin_common import crumbs, error_text, is_team, posted, writer
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_home(request):
    tenant = request.tenant
    team = is_team(request)
    charters = [
        c
        for c in admin_selectors.anchor_charters(tenant=tenant)
        if admin_selectors.readable_versions(c, request.access)
    ]
    summary = admin_selectors.programme_summary(tenant=tenant, charters=charters) if team else {}
    own = admin_selectors.memberships(tenant=tenant, access=request.access, charters=charters)
    cards = []
    for charter in charters:
        versions = admin_selectors.readable_versions(charter, request.access)
        cards.append(
            {
                "charter": charter,
                "version": admin_selectors.default_version(versions, team=team),
                "published": next((v for v in versions if v.status == "published"), None),
                "summary": summary.get(charter.pk),
                "memberships": own.get(charter.pk, []),
            }
        )
    return render(
        request,
        "anchors/admin/home.html",
        {
            "cards": cards,
            "team": team,
            "can_sign": request.access.can_for_any_organisation(Perm.SIGN_CHARTER),
            "breadcrumbs": crumbs(tenant)[:1] + [("Anchor Institution Charter", "")],
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_charter_create(request):
    tenant = request.tenant
    back = reverse("anchor_home", args=[tenant.slug])
    form = AnchorCharterForm(posted(request), initial={"with_metrics": True})
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.anchor_charter_create(**writer(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                f"{charter.title} made: version 1 is a draft with the five pillars and the "
                "default principles and priorities. Write its text, then endorse and publish "
                "it from the charter's page.",
            )
            return redirect(back)
    title = "Make the Anchor Institution Charter"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "intro": "The charter starts as a draft with the five pillars (purchasing, buildings "
            "and spaces, quality work, local partners, environmental impact) and the usual "
            "principles and priorities under them, all of which you can change.",
            "submit_label": "Make the charter",
            "cancel_url": back,
            "breadcrumbs": crumbs(tenant, None, (title, "")),
        },
    )


urlpatterns: list = [
    path("", anchor_home, name="anchor_home"),
    path("new/", anchor_charter_create, name="anchor_charter_create"),
]
