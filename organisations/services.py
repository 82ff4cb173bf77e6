"""Writes for organisations and their participation in tenants."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organisations.models import Organisation, Participation
from organisations.selectors import organisation_find_by_identifiers
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

ORGANISATION_FIELDS = (
    "name",
    "organisation_type",
    "size_band",
    "registered_postcode",
    "ods_code",
    "companies_house_number",
    "charity_number",
    "website",
)


@dataclass(frozen=True)
class OrganisationDetails:
    """Validated organisation fields (forms and serializers normalise identifiers first)."""

    name: str
    organisation_type: str
    size_band: str = ""
    registered_postcode: str = ""
    ods_code: str = ""
    companies_house_number: str = ""
    charity_number: str = ""
    website: str = ""


def participation_ensure(*, tenant, organisation: Organisation, actor) -> Participation:
    participation, created = Participation.objects.get_or_create(
        tenant=tenant,
        organisation=organisation,
        defaults={"joined_on": timezone.localdate()},
    )
    if created:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="participation.created",
            obj=participation,
            changes={"organisation": organisation.name},
        )
    elif participation.status != Participation.Status.ACTIVE:
        Participation.objects.filter(pk=participation.pk).update(
            status=Participation.Status.ACTIVE, updated_at=timezone.now()
        )
        audit_record(tenant=tenant, actor=actor, verb="participation.rejoined", obj=participation)
    return participation


def organisation_add_to_tenant(
    *, tenant, actor, access: TenantAccess, details: OrganisationDetails
) -> Participation:
    """Add an organisation to the tenant's programme, reusing the directory's record when one
    already exists with the same identifier (organisations take part in several tenants)."""
    access.require(Perm.MANAGE_ORGANISATIONS)
    organisation = organisation_find_by_identifiers(
        ods_code=details.ods_code,
        companies_house_number=details.companies_house_number,
        charity_number=details.charity_number,
    )
    if organisation is None:
        organisation = Organisation.objects.create(
            **{name: getattr(details, name) for name in ORGANISATION_FIELDS}
        )
    elif Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError(
            {"name": f"{organisation.name} already takes part in this programme."}
        )
    return participation_ensure(tenant=tenant, organisation=organisation, actor=actor)


def organisation_update(
    *, tenant, actor, access: TenantAccess, organisation: Organisation, details: OrganisationDetails
) -> Organisation:
    """Edit the directory record; allowed to tenant admins and the organisation's own admins,
    and only for an organisation taking part in this tenant."""
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise PermissionDenied("That organisation does not take part in this programme.")
    if not (
        access.can(Perm.MANAGE_ORGANISATIONS)
        or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.id)
    ):
        raise PermissionDenied("You may not edit this organisation.")
    _refuse_identifier_clash(organisation=organisation, details=details)
    changes = {}
    for name in ORGANISATION_FIELDS:
        old, new = getattr(organisation, name), getattr(details, name)
        if old != new:
            changes[name] = [old, new]
            setattr(organisation, name, new)
    if changes:
        organisation.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="organisation.updated",
            obj=organisation,
            changes=changes,
        )
    return organisation


def _refuse_identifier_clash(*, organisation: Organisation, details: OrganisationDetails) -> None:
    errors = {}
    for name, label in (
        ("ods_code", "ODS code"),
        ("companies_house_number", "Companies House number"),
        ("charity_number", "Charity Commission number"),
    ):
        value = getattr(details, name)
        if (
            value
            and Organisation.objects.filter(**{name: value}).exclude(pk=organisation.pk).exists()
        ):
            errors[name] = f"Another organisation already has this {label}."
    if errors:
        raise ValidationError(errors)
