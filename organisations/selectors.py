"""Reads for the organisation directory, always through a tenant's participants."""

import re

from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from organisations.models import Organisation, Participation

OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def postcode_place_q(place: str, field: str = "organisation__registered_postcode") -> Q:
    """Organisations in a postcode area ("CH": CH1 to CH66, not CW) or district ("CH41": that
    outward code only, not CH4); anything else matches the start of the postcode."""
    compact = re.sub(r"\s+", "", place or "").upper()
    if not compact:
        return Q()
    if compact.isalpha() and len(compact) <= 2:
        return Q(**{f"{field}__regex": rf"^{compact}[0-9]"})
    if OUTWARD_CODE.match(compact):
        return Q(**{f"{field}__startswith": f"{compact} "})
    return Q(**{f"{field}__istartswith": " ".join(place.split())})


def participation_list(
    *,
    tenant,
    search: str = "",
    organisation_type: str = "",
    size_band: str = "",
    place: str = "",
    status: str = Participation.Status.ACTIVE,
) -> QuerySet[Participation]:
    """The tenant's participating organisations, filtered; organisation joined (one query)."""
    participations = Participation.objects.filter(tenant=tenant).select_related("organisation")
    if status:
        participations = participations.filter(status=status)
    if search:
        participations = participations.filter(
            Q(organisation__name__icontains=search)
            | Q(organisation__ods_code__iexact=search)
            | Q(organisation__companies_house_number__iexact=search)
            | Q(organisation__charity_number__iexact=search)
        )
    if organisation_type:
        participations = participations.filter(organisation__organisation_type=organisation_type)
    if size_band:
        participations = participations.filter(organisation__size_band=size_band)
    if place:
        participations = participations.filter(postcode_place_q(place))
    return participations.order_by("organisation__name", "id")


def participation_get(*, tenant, organisation_id) -> Participation | None:
    """The tenant's participation of one organisation, or None when it takes no part here."""
    return (
        Participation.objects.filter(tenant=tenant, organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )


def organisation_find_by_identifiers(
    *, ods_code: str = "", companies_house_number: str = "", charity_number: str = ""
) -> Organisation | None:
    """The directory's record for an organisation with any of these identifiers."""
    query = Q()
    if ods_code:
        query |= Q(ods_code=ods_code)
    if companies_house_number:
        query |= Q(companies_house_number=companies_house_number)
    if charity_number:
        query |= Q(charity_number=charity_number)
    if not query:
        return None
    return Organisation.objects.filter(query).first()


def participation_api_list(
    *, tenant, organisation_ids: list | None = None
) -> QuerySet[Participation]:
    """Participations for the API: organisation joined, `last_changed` = the later of the
    organisation's and the participation's update times (what `updated_since` filters on)."""
    participations = (
        Participation.objects.filter(tenant=tenant)
        .select_related("organisation")
        .annotate(last_changed=Greatest("updated_at", "organisation__updated_at"))
    )
    if organisation_ids is not None:
        participations = participations.filter(organisation_id__in=organisation_ids)
    return participations.order_by("organisation__name", "id")
