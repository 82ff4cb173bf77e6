"""Reads for the KVI engine: postcode releases, local areas and spend-ledger imports."""

from django.db.models import QuerySet

from kvi.models import LocalArea, PostcodeRelease, SpendLedgerImport
from tenancy.permissions import Perm, TenantAccess


def latest_postcode_release() -> PostcodeRelease | None:
    """The most recently loaded postcode directory (shared by every tenant)."""
    return PostcodeRelease.objects.order_by("-loaded_at", "-id").first()


def postcode_release_list() -> QuerySet[PostcodeRelease]:
    return PostcodeRelease.objects.order_by("-loaded_at", "-id")


def local_area_list(*, tenant) -> QuerySet[LocalArea]:
    return LocalArea.objects.filter(tenant=tenant).order_by("name")


def spend_ledger_import_list(
    *, tenant, access: TenantAccess, organisation=None
) -> QuerySet[SpendLedgerImport]:
    """The imports this person may see, newest first: every organisation's for those who manage
    organisations, else those of the organisations they administer (which may be none).

    Each import carries `row_notes` (row numbers and postcodes), so this is for the
    organisation's own pages; tenant-wide figures read `results` only.
    """
    imports = SpendLedgerImport.objects.filter(tenant=tenant).select_related(
        "organisation", "release", "local_area", "uploaded_by"
    )
    if not access.can(Perm.MANAGE_ORGANISATIONS):
        imports = imports.filter(
            organisation_id__in=access.organisations_with(Perm.EDIT_OWN_ORGANISATION)
        )
    if organisation is not None:
        imports = imports.filter(organisation=organisation)
    return imports.order_by("-created_at")


def spend_ledger_import_get(*, tenant, access: TenantAccess, pk) -> SpendLedgerImport | None:
    return spend_ledger_import_list(tenant=tenant, access=access).filter(pk=pk).first()
