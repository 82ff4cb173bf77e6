"""Reads for the applicant pages (awards/views/applications.py and its companions): one row by
its id with what the pages need joined, awards held by a person's organisations, and the
colleagues an application can be shared with. Permission is decided by
awards.selectors.application_get_for_user; these only fetch."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from awards.models import (
    LIVE_STATUSES,
    Application,
    Award,
    Commitment,
    EvidenceFile,
    SchemeStatus,
    SchemeVersion,
)
from tenancy.models import Membership
from tenancy.permissions import ORGANISATION_PERMISSIONS, Perm

APPLICATION_JOINS = (
    "application__organisation",
    "application__version",
    "application__level",
    "application__scheme",
)


def awards_held_for(*, tenant, organisation_ids) -> QuerySet[Award]:
    """Awards held by any of these organisations, newest first: one query."""
    return (
        Award.objects.filter(tenant=tenant, organisation_id__in=list(organisation_ids))
        .select_related("organisation", "level", "version", "scheme")
        .order_by("-awarded_on", "-created_at")
    )


def award_get(*, tenant, pk) -> Award | None:
    return (
        Award.objects.filter(tenant=tenant, pk=pk)
        .select_related("organisation", "level", "version", "scheme", "application")
        .first()
    )


def open_version_of_scheme(*, tenant, scheme_id) -> SchemeVersion | None:
    """The scheme's version taking applications, with its levels and areas."""
    return (
        SchemeVersion.objects.filter(tenant=tenant, scheme_id=scheme_id, status=SchemeStatus.OPEN)
        .select_related("scheme")
        .prefetch_related("levels", "areas")
        .first()
    )


def commitment_get(*, tenant, pk) -> Commitment | None:
    """A commitment with its area and application (organisation, version, level) joined."""
    return (
        Commitment.objects.filter(tenant=tenant, pk=pk)
        .select_related("area", *APPLICATION_JOINS)
        .prefetch_related("kvi_links")
        .first()
    )


def evidence_get(*, tenant, pk) -> EvidenceFile | None:
    """An evidence file with its question, uploader and application joined."""
    return (
        EvidenceFile.objects.filter(tenant=tenant, pk=pk)
        .select_related("criterion", "uploaded_by", *APPLICATION_JOINS)
        .first()
    )


def roles_with(perm: Perm) -> list[str]:
    """The organisation roles that grant `perm` for their organisation."""
    return sorted(role for role, perms in ORGANISATION_PERMISSIONS.items() if perm in perms)


@dataclass(frozen=True)
class Colleague:
    user: Any
    may_submit: bool  # an organisation admin: may submit and withdraw too


def application_colleagues(*, tenant, organisation_id) -> list[Colleague]:
    """The people of the organisation who may work on its applications, each once (saying
    whether they may also submit), by name. One query."""
    memberships = (
        Membership.objects.filter(
            tenant=tenant,
            organisation_id=organisation_id,
            role__in=roles_with(Perm.EDIT_AWARD_APPLICATION),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    submitters = set(roles_with(Perm.APPLY_FOR_AWARD))
    people: dict = {}
    for membership in memberships:
        earlier = people.get(membership.user_id)
        may_submit = membership.role in submitters or (earlier is not None and earlier[1])
        people[membership.user_id] = (membership.user, may_submit)
    return [Colleague(user, may_submit) for user, may_submit in people.values()]


def applying_organisations(*, tenant, organisation_ids) -> list:
    """The organisations (taking part in the programme) among `organisation_ids`, by name."""
    from organisations.selectors import participation_list

    return [
        p.organisation
        for p in participation_list(tenant=tenant).filter(
            organisation_id__in=list(organisation_ids)
        )
    ]


def live_applications_for(*, tenant, organisation_ids) -> QuerySet[Application]:
    """The organisations' applications not yet decided or withdrawn (at most one per scheme
    each): one query."""
    return Application.objects.filter(
        tenant=tenant, organisation_id__in=list(organisation_ids), status__in=LIVE_STATUSES
    ).select_related("organisation", "level", "version")
