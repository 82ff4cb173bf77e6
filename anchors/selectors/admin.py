"""Reads for the programme team's anchor pages (anchors.views.home and anchors.views.admin)
that anchors.selectors does not have: the anchor charter by its slug, the versions whose
priorities a person may see, a priority, the programme's metrics that can join the evidence
framework, a metric of the framework with its figures counted, every signatory of the charter
(searched by organisation name) with its sector, disclosure and commitments, a round and its
returns outstanding, a figure, an assembly's attendee or action, and what the landing page
shows a member.

Each takes `tenant` explicitly and decides its own select_related/annotations, so the
templates trigger no queries."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet

from anchors.models import (
    AssemblyAction,
    AssemblyAttendee,
    MemberReturn,
    PillarMetric,
    Priority,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)
from anchors.models.returns import OUTSTANDING
from charters.models import (
    ON_REGISTER,
    Charter,
    CharterKind,
    CharterVersion,
    Signatory,
    SignatoryStatus,
    VersionStatus,
)
from kvi.models import FrameworkStatus, Metric
from organisations.models import Sector, sector_of
from tenancy.permissions import Perm, TenantAccess

# Versions everyone with a role may read (charters.views.common.READABLE_BY_ALL).
READABLE_BY_ALL = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
EDITABLE_VERSION = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)


def anchor_charter_get(*, tenant, slug: str) -> Charter | None:
    """The tenant's anchor charter with this slug, its versions (newest first) prefetched."""
    return (
        Charter.objects.filter(tenant=tenant, slug=slug, kind=CharterKind.ANCHOR)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=CharterVersion.objects.filter(tenant=tenant).order_by("-number"),
            )
        )
        .first()
    )


def anchor_charters(*, tenant) -> list[Charter]:
    """The tenant's anchor charters (title order), versions newest first (two queries)."""
    return list(
        Charter.objects.filter(tenant=tenant, kind=CharterKind.ANCHOR)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=CharterVersion.objects.filter(tenant=tenant).order_by("-number"),
            )
        )
        .order_by("title")
    )


def readable_versions(charter: Charter, access: TenantAccess) -> list[CharterVersion]:
    """The charter's versions (prefetched, newest first) this person may read."""
    team = access.can(Perm.MANAGE_CHARTERS)
    return [v for v in charter.versions.all() if team or v.status in READABLE_BY_ALL]


def default_version(versions: list[CharterVersion], *, team: bool) -> CharterVersion | None:
    """The version a page shows first: for the programme team the draft being worked on when
    there is one; otherwise the published version, else the newest."""
    if team:
        editable = next((v for v in versions if v.status in EDITABLE_VERSION), None)
        if editable is not None:
            return editable
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    return published or (versions[0] if versions else None)


def priority_get(*, tenant, charter: Charter, pk) -> Priority | None:
    return (
        Priority.objects.filter(tenant=tenant, pk=pk, version__charter=charter)
        .select_related("version", "pillar")
        .annotate(commitment_count=Count("commitments"))
        .first()
    )


def addable_metrics(*, tenant, charter: Charter) -> QuerySet[Metric]:
    """The programme's own metrics (not an organisation's) in published frameworks that are
    not yet in the charter's evidence framework."""
    return (
        Metric.objects.filter(
            tenant=tenant,
            organisation__isnull=True,
            framework__status=FrameworkStatus.PUBLISHED,
        )
        .exclude(
            pk__in=PillarMetric.objects.filter(tenant=tenant, charter=charter).values("metric_id")
        )
        .select_related("framework")
        .order_by("framework__name", "position", "code")
    )


def metric_get(*, tenant, pk) -> Metric | None:
    return Metric.objects.filter(tenant=tenant, pk=pk).first()


def pillar_metric_get(*, tenant, charter: Charter, pk) -> PillarMetric | None:
    """A metric of the charter's evidence framework, with its KVI metric, how many figures in
    accepted returns use it (`accepted_figures`) and how many in returns not yet accepted
    (`other_figures`): one query."""
    accepted = Q(figures__member_return__status=ReturnStatus.ACCEPTED)
    return (
        PillarMetric.objects.filter(tenant=tenant, charter=charter, pk=pk)
        .select_related("metric", "charter")
        .annotate(
            accepted_figures=Count("figures", filter=accepted),
            other_figures=Count("figures", filter=~accepted),
        )
        .first()
    )


def pillar_position(*, tenant, pillar_metric: PillarMetric) -> int:
    """Its place (from 1) among the metrics under its pillar."""
    return (
        PillarMetric.objects.filter(
            tenant=tenant,
            charter=pillar_metric.charter_id,
            pillar_code=pillar_metric.pillar_code,
            position__lt=pillar_metric.position,
        ).count()
        + 1
    )


@dataclass(frozen=True)
class MemberRow:
    """A signatory of the anchor charter as the programme team sees it."""

    signatory: Signatory
    sector: str
    disclosure: str  # "" when the member has no profile yet (named, the default)
    label: str  # its anonymised label, "" without a profile
    priority_count: int

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label

    @property
    def on_register(self) -> bool:
        return self.signatory.status in ON_REGISTER

    @property
    def joined_on(self):
        return self.signatory.approved_on


MEMBER_FILTERS = {
    "members": ("Members", ON_REGISTER),
    "waiting": (
        "Waiting for approval",
        (SignatoryStatus.PENDING, SignatoryStatus.CHANGES_REQUESTED),
    ),
    "left": ("Left or rejected", (SignatoryStatus.WITHDRAWN, SignatoryStatus.REJECTED)),
}


def _signatories(tenant, charter: Charter, search: str) -> QuerySet[Signatory]:
    signatories = Signatory.objects.filter(tenant=tenant, charter=charter)
    if search.strip():
        signatories = signatories.filter(organisation__name__icontains=search.strip())
    return signatories


def member_rows_queryset(
    *, tenant, charter: Charter, show: str = "", search: str = ""
) -> QuerySet[Signatory]:
    """Signatories of the charter (of `show`, a MEMBER_FILTERS key; all when blank; whose
    organisation's name contains `search`, any case) with their organisation, profile and
    number of priorities committed: one query per page."""
    signatories = _signatories(tenant, charter, search)
    if show in MEMBER_FILTERS:
        signatories = signatories.filter(status__in=MEMBER_FILTERS[show][1])
    return (
        signatories.select_related("organisation", "anchor_profile", "version")
        .annotate(priority_count=Count("anchor_priorities", distinct=True))
        .order_by("organisation__name", "-signed_on")
    )


def member_row(signatory: Signatory) -> MemberRow:
    # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    profile = getattr(signatory, "anchor_profile", None)
    sector = (profile.sector_override if profile else "") or sector_of(
        signatory.organisation.organisation_type
    )
    return MemberRow(
        signatory=signatory,
        sector=sector,
        disclosure=profile.disclosure if profile else "",
        label=profile.anonymised_label if profile else "",
        priority_count=getattr(signatory, "priority_count", 0),
    )


def member_counts(*, tenant, charter: Charter, search: str = "") -> dict[str, int]:
    """How many signatories (whose organisation's name contains `search`) there are under each
    MEMBER_FILTERS key (one query)."""
    counts = _signatories(tenant, charter, search).aggregate(
        **{
            key: Count("id", filter=Q(status__in=states))
            for key, (_, states) in MEMBER_FILTERS.items()
        },
        all=Count("id"),
    )
    return counts


def round_get(*, tenant, pk) -> ReportingRound | None:
    """A round of one of the tenant's anchor charters, with its charter."""
    return (
        ReportingRound.objects.filter(tenant=tenant, pk=pk, charter__kind=CharterKind.ANCHOR)
        .select_related("charter")
        .first()
    )


def round_outstanding_returns(*, tenant, reporting_round: ReportingRound) -> list[MemberReturn]:
    """The round's returns not yet sent (not started or a draft), with their organisation, by
    organisation name (one query)."""
    return list(
        MemberReturn.objects.filter(tenant=tenant, round=reporting_round, status__in=OUTSTANDING)
        .select_related("signatory__organisation")
        .order_by("signatory__organisation__name")
    )


def figure_get(*, tenant, member_return: MemberReturn, pk) -> ReturnFigure | None:
    return (
        ReturnFigure.objects.filter(tenant=tenant, member_return=member_return, pk=pk)
        .select_related("pillar_metric__metric")
        .first()
    )


def assembly_attendee_get(*, tenant, pk) -> AssemblyAttendee | None:
    """An attendee of one of the tenant's assemblies, with its assembly, charter and member."""
    return (
        AssemblyAttendee.objects.filter(tenant=tenant, pk=pk)
        .select_related("assembly__charter", "assembly__round", "signatory__organisation")
        .first()
    )


def assembly_action_get(*, tenant, pk) -> AssemblyAction | None:
    """An action of one of the tenant's assemblies, with its assembly, charter and owner."""
    return (
        AssemblyAction.objects.filter(tenant=tenant, pk=pk)
        .select_related("assembly__charter", "assembly__round", "owner_signatory__organisation")
        .first()
    )


# --- What the landing page shows ------------------------------------------------------------


@dataclass
class Membership:
    """An organisation of the viewer's on an anchor charter: its signature (or None) and its
    return in an open round, if any."""

    organisation_id: UUID
    organisation_name: str
    signatory: Signatory | None
    current_return: MemberReturn | None


def memberships(*, tenant, access: TenantAccess, charters: list[Charter]) -> dict[UUID, list]:
    """Per charter id: the viewer's organisations (VIEW_OWN_SIGNATURE) with their latest
    signature and open-round return (two queries, however many charters)."""
    organisation_ids = access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
    if not organisation_ids or not charters:
        return {c.pk: [] for c in charters}
    from organisations.models import Organisation

    names = dict(
        Organisation.objects.filter(pk__in=organisation_ids)
        .order_by("name")
        .values_list("id", "name")
    )
    signatures: dict[tuple, Signatory] = {}
    for signatory in (
        Signatory.objects.filter(
            tenant=tenant,
            charter__in=[c.pk for c in charters],
            organisation_id__in=organisation_ids,
        )
        .select_related("organisation")
        .order_by("signed_on", "created_at")
    ):
        signatures[(signatory.charter_id, signatory.organisation_id)] = signatory  # latest wins
    returns: dict[UUID, MemberReturn] = {}
    for member_return in (
        MemberReturn.objects.filter(
            tenant=tenant,
            signatory__in=[s.pk for s in signatures.values()],
            round__status=RoundStatus.OPEN,
        )
        .select_related("round")
        .order_by("round__period_start")
    ):
        returns[member_return.signatory_id] = member_return  # the latest open round's
    result: dict[UUID, list] = {}
    for charter in charters:
        rows = []
        for organisation_id, name in names.items():
            found = signatures.get((charter.pk, organisation_id))
            rows.append(
                Membership(
                    organisation_id=organisation_id,
                    organisation_name=name,
                    signatory=found,
                    current_return=returns.get(found.pk) if found else None,
                )
            )
        result[charter.pk] = rows
    return result


def programme_summary(*, tenant, charters: list[Charter]) -> dict[UUID, dict]:
    """Per charter id, for the programme team: members, signatures waiting for approval,
    metrics, open rounds and returns waiting for review (one query each, however many
    charters)."""
    ids = [c.pk for c in charters]
    summary = {
        pk: {"members": 0, "waiting": 0, "metrics": 0, "open_rounds": 0, "to_review": 0}
        for pk in ids
    }
    if not ids:
        return summary
    for row in (
        Signatory.objects.filter(tenant=tenant, charter__in=ids)
        .values("charter_id")
        .annotate(
            members=Count("id", filter=Q(status__in=ON_REGISTER)),
            waiting=Count(
                "id",
                filter=Q(status__in=[SignatoryStatus.PENDING, SignatoryStatus.CHANGES_REQUESTED]),
            ),
        )
        .order_by()
    ):
        summary[row["charter_id"]].update(members=row["members"], waiting=row["waiting"])
    for metric_row in (
        PillarMetric.objects.filter(tenant=tenant, charter__in=ids)
        .values("charter_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        summary[metric_row["charter_id"]]["metrics"] = metric_row["n"]
    for round_row in (
        ReportingRound.objects.filter(tenant=tenant, charter__in=ids)
        .values("charter_id")
        .annotate(
            open_rounds=Count("id", filter=Q(status=RoundStatus.OPEN), distinct=True),
            to_review=Count("returns", filter=Q(returns__status="submitted")),
        )
        .order_by()
    ):
        summary[round_row["charter_id"]].update(
            open_rounds=round_row["open_rounds"], to_review=round_row["to_review"]
        )
    return summary
