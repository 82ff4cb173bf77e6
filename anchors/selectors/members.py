"""Reads for a member's own anchor pages: its membership of an anchor charter (the charters
signature, its profile, the priorities it commits to and its returns), and the look-ups the
member and return pages share. Each look-up raises Http404 when there is nothing to show."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404

from anchors.models import (
    Disclosure,
    FigureQuery,
    MemberPriority,
    MemberProfile,
    MemberReturn,
    Priority,
    ReturnEvidence,
    RoundStatus,
)
from charters.models import (
    ACTIVE_SIGNATORY,
    ON_REGISTER,
    Charter,
    CharterKind,
    CharterVersion,
    Signatory,
    SignatoryStatus,
    Theme,
    VersionStatus,
)
from kvi.models import Unit
from organisations.models import Organisation
from tenancy.permissions import Perm, TenantAccess


def anchor_charter_or_404(tenant, charter_slug: str) -> Charter:
    charter = Charter.objects.filter(
        tenant=tenant, slug=charter_slug, kind=CharterKind.ANCHOR
    ).first()
    if charter is None:
        raise Http404("No such Anchor Institution Charter in this programme.")
    return charter


def published_version(*, tenant, charter: Charter) -> CharterVersion | None:
    return CharterVersion.objects.filter(
        tenant=tenant, charter=charter, status=VersionStatus.PUBLISHED
    ).first()


@dataclass
class PillarCommitments:
    name: str
    priorities: list[Priority]


@dataclass
class Membership:
    """One of the person's organisations and its membership of the charter (if any)."""

    organisation: Organisation
    signatory: Signatory | None
    profile: MemberProfile | None
    can_act: bool  # an organisation admin: SIGN_CHARTER for it
    commitments: list[PillarCommitments] = field(default_factory=list)
    returns: list[MemberReturn] = field(default_factory=list)

    @property
    def is_member(self) -> bool:
        return self.signatory is not None and self.signatory.status in ON_REGISTER

    @property
    def is_pending(self) -> bool:
        return self.signatory is not None and self.signatory.status in (
            SignatoryStatus.PENDING,
            SignatoryStatus.CHANGES_REQUESTED,
        )

    @property
    def may_join(self) -> bool:
        return self.can_act and (
            self.signatory is None or self.signatory.status not in ACTIVE_SIGNATORY
        )

    @property
    def may_reconfirm(self) -> bool:
        return (
            self.can_act
            and self.signatory is not None
            and self.signatory.status == SignatoryStatus.RECONFIRM
        )

    @property
    def disclosure_label(self) -> str:
        if self.profile is None:
            return Disclosure.NAMED.label
        return self.profile.get_disclosure_display()


def memberships(*, tenant, access: TenantAccess, charter: Charter) -> list[Membership]:
    """The person's organisations (those whose signature they may see) and each one's
    membership of the charter: four queries however many organisations."""
    organisation_ids = access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
    if not organisation_ids:
        return []
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids).order_by("name"))
    signatories = {
        s.organisation_id: s
        for s in Signatory.objects.filter(
            tenant=tenant, charter=charter, organisation_id__in=organisation_ids
        ).select_related("version", "organisation", "anchor_profile")
    }
    signatory_ids = [s.pk for s in signatories.values()]
    commitments: dict = {}
    for row in (
        MemberPriority.objects.filter(tenant=tenant, signatory_id__in=signatory_ids)
        .select_related("priority__pillar")
        .order_by("priority__pillar__position", "priority__position")
    ):
        pillars = commitments.setdefault(row.signatory_id, {})
        pillar = row.priority.pillar
        pillars.setdefault(pillar.pk, PillarCommitments(pillar.name, [])).priorities.append(
            row.priority
        )
    returns: dict = {}
    for member_return in (
        MemberReturn.objects.filter(tenant=tenant, signatory_id__in=signatory_ids)
        .exclude(round__status=RoundStatus.DRAFT)
        .select_related("round")
        .order_by("-round__period_start")
    ):
        returns.setdefault(member_return.signatory_id, []).append(member_return)
    result = []
    for organisation in organisations:
        signatory = signatories.get(organisation.pk)
        profile = getattr(signatory, "anchor_profile", None) if signatory else None
        result.append(
            Membership(
                organisation=organisation,
                signatory=signatory,
                profile=profile,
                can_act=access.can(Perm.SIGN_CHARTER, organisation_id=organisation.pk),
                commitments=list(commitments.get(signatory.pk, {}).values()) if signatory else [],
                returns=returns.get(signatory.pk, []) if signatory else [],
            )
        )
    return result


def member_signatory_or_404(*, tenant, charter: Charter, signatory_id) -> Signatory:
    signatory = (
        Signatory.objects.filter(tenant=tenant, charter=charter, pk=signatory_id)
        .select_related("organisation", "version", "charter")
        .first()
    )
    if signatory is None:
        raise Http404("No such member of this charter.")
    return signatory


def pillars_with_priorities(*, tenant, version_id) -> list[tuple[Theme, list[Priority]]]:
    """The pillars of a version, each with its principles and priorities (two queries)."""
    pillars = list(Theme.objects.filter(tenant=tenant, version_id=version_id).order_by("position"))
    by_pillar: dict = {p.pk: [] for p in pillars}
    for priority in Priority.objects.filter(tenant=tenant, version_id=version_id).order_by(
        "position", "text"
    ):
        by_pillar.setdefault(priority.pillar_id, []).append(priority)
    return [(p, by_pillar[p.pk]) for p in pillars]


def committed_codes(*, tenant, signatory: Signatory) -> list[str]:
    return list(
        MemberPriority.objects.filter(tenant=tenant, signatory=signatory).values_list(
            "priority__code", flat=True
        )
    )


def evidence_or_404(*, tenant, evidence_id) -> ReturnEvidence:
    evidence = (
        ReturnEvidence.objects.filter(tenant=tenant, pk=evidence_id)
        .select_related("member_return__round__charter", "member_return__signatory__organisation")
        .first()
    )
    if evidence is None:
        raise Http404("No such file.")
    return evidence


def query_or_404(*, tenant, query_id) -> FigureQuery:
    query = (
        FigureQuery.objects.filter(tenant=tenant, pk=query_id)
        .select_related(
            "figure__pillar_metric__metric",
            "figure__member_return__round__charter",
            "figure__member_return__signatory__organisation",
        )
        .first()
    )
    if query is None:
        raise Http404("No such query.")
    return query


def figure_text(value: Decimal | None, unit: str) -> str:
    """A figure as people write it: "£1,250,000", "13.09%", "21 apprenticeships" style."""
    if value is None:
        return ""
    number = f"{value.normalize():,f}"
    if unit == Unit.POUNDS:
        return f"£{number}"
    if unit == Unit.PERCENT:
        return f"{number}%"
    return f"{number} {unit}"
