"""The way in to the KVI pages: the programme team goes to the overview across organisations;
organisation staff go to their organisation's KVI dashboard (or choose, if they have several)."""

from django.shortcuts import redirect, render
from django.urls import path

from kvi.views.common import crumbs
from organisations import selectors as organisation_selectors
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


@tenant_view()
def kvi_home(request):
    tenant, access = request.tenant, request.access
    if access.can(Perm.VIEW_KVIS):
        return redirect("kvi_overview", tenant.slug)
    organisation_ids = access.organisations_with(Perm.VIEW_OWN_KVIS)
    access.require(Perm.VIEW_OWN_KVIS, organisation_id=next(iter(organisation_ids), None))
    if len(organisation_ids) == 1:
        return redirect("kvi_dashboard", tenant.slug, organisation_ids[0])
    participations = organisation_selectors.participation_list(tenant=tenant).filter(
        organisation_id__in=organisation_ids
    )
    return render(
        request,
        "kvi/home.html",
        {"participations": participations, "breadcrumbs": crumbs(tenant)[:1] + [("KVIs", "")]},
    )


urlpatterns = [path("", kvi_home, name="kvi_home")]
