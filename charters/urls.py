"""Charter pages. Signed-in pages live under /t/<tenant>/charters/; public pages (no login)
under /t/<tenant>/public/charters/ (see config/urls.py)."""

from django.urls import path

from charters.views import charters, coproduction, public, signatories, signing, versions

urlpatterns = [
    # Tenant admins (and, read-only, everyone with a role): drafting and running charters
    path("", charters.charter_list, name="charter_list"),
    path("new/", charters.charter_create, name="charter_create"),
    path("<slug:charter_slug>/", charters.charter_detail, name="charter_detail"),
    path(
        "<slug:charter_slug>/new-version/", charters.charter_new_version, name="charter_new_version"
    ),
    path(
        "<slug:charter_slug>/links/new/", charters.charter_link_create, name="charter_link_create"
    ),
    path(
        "<slug:charter_slug>/versions/<int:number>/", versions.version_detail, name="version_detail"
    ),
    path(
        "<slug:charter_slug>/versions/<int:number>/edit/",
        versions.version_edit,
        name="version_edit",
    ),
    path(
        "<slug:charter_slug>/versions/<int:number>/move/",
        versions.version_move,
        name="version_move",
    ),
    path(
        "<slug:charter_slug>/versions/<int:number>/changes/",
        versions.version_changes,
        name="version_changes",
    ),
    path(
        "<slug:charter_slug>/versions/<int:number>/<str:kind>/new/",
        versions.version_item_create,
        name="version_item_create",
    ),  # kind: "principles" or "themes"
    path(
        "<slug:charter_slug>/versions/<int:number>/<str:kind>/<uuid:item_id>/edit/",
        versions.version_item_edit,
        name="version_item_edit",
    ),
    path(
        "<slug:charter_slug>/versions/<int:number>/<str:kind>/<uuid:item_id>/remove/",
        versions.version_item_remove,
        name="version_item_remove",
    ),
    path("<slug:charter_slug>/engagement/", coproduction.engagement_list, name="engagement_list"),
    path(
        "<slug:charter_slug>/engagement/new/",
        coproduction.engagement_create,
        name="engagement_create",
    ),
    path(
        "<slug:charter_slug>/engagement/<uuid:engagement_id>/edit/",
        coproduction.engagement_edit,
        name="engagement_edit",
    ),
    path("<slug:charter_slug>/tiers/", coproduction.tier_list, name="tier_list"),
    path("<slug:charter_slug>/tiers/new/", coproduction.tier_create, name="tier_create"),
    path(
        "<slug:charter_slug>/tiers/<uuid:tier_id>/edit/", coproduction.tier_edit, name="tier_edit"
    ),
    path("<slug:charter_slug>/dashboard/", signatories.charter_dashboard, name="charter_dashboard"),
    path("<slug:charter_slug>/signatories/", signatories.signatory_list, name="signatory_list"),
    path(
        "<slug:charter_slug>/signatories/<uuid:signatory_id>/",
        signatories.signatory_review,
        name="signatory_review",
    ),
    path(
        "<slug:charter_slug>/tier-applications/",
        signatories.tier_application_list,
        name="tier_application_list",
    ),
    path(
        "<slug:charter_slug>/tier-applications/<uuid:application_id>/",
        signatories.tier_application_review,
        name="tier_application_review",
    ),
    path(
        "<slug:charter_slug>/export/<str:what>.<str:file_format>",
        signatories.charter_export,
        name="charter_export",
    ),  # what: "register" or "pledges"; file_format: "csv" or "xlsx"
    # Organisation admins: signing, re-confirming, withdrawing, reviewing pledges, moving up a tier
    path("<slug:charter_slug>/sign/", signing.charter_sign, name="charter_sign"),
    path(
        "<slug:charter_slug>/signature/<uuid:organisation_id>/",
        signing.signature_detail,
        name="signature_detail",
    ),
    path(
        "<slug:charter_slug>/signature/<uuid:organisation_id>/edit/",
        signing.signature_resubmit,
        name="signature_resubmit",
    ),
    path(
        "<slug:charter_slug>/signature/<uuid:organisation_id>/withdraw/",
        signing.signature_withdraw,
        name="signature_withdraw",
    ),
    path(
        "<slug:charter_slug>/signature/<uuid:organisation_id>/reconfirm/",
        signing.signature_reconfirm,
        name="signature_reconfirm",
    ),
    path(
        "<slug:charter_slug>/signature/<uuid:organisation_id>/reviewed/",
        signing.signature_pledges_reviewed,
        name="signature_pledges_reviewed",
    ),
    path(
        "<slug:charter_slug>/signature/<uuid:organisation_id>/tier/",
        signing.tier_apply,
        name="tier_apply",
    ),
]

public_urlpatterns = [
    path("", public.public_charter_list, name="public_charter_list"),
    path("<slug:charter_slug>/", public.public_charter, name="public_charter"),
    path(
        "<slug:charter_slug>/versions/<int:number>/",
        public.public_version,
        name="public_version",
    ),
    path("<slug:charter_slug>/register/", public.public_register, name="public_register"),
    path(
        "<slug:charter_slug>/register/<uuid:organisation_id>/",
        public.public_signatory,
        name="public_signatory",
    ),
]
