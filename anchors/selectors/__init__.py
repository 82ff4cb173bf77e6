"""Reads for the anchors app: the evidence framework, rounds and returns, members (with their
disclosure applied), the performance dashboard, and assemblies.
The submodules hold the reads of one audience's pages: `admin` (the programme team) and
`members` (a member's own pages).

Disclosure (decided here, one rule for pages, API and exports): a member that chose
"anonymised" appears under its anonymised label ("Member C") to everyone except people of its
own organisation (VIEW_OWN_SIGNATURE for it) and the programme team (MANAGE_CHARTERS), who see
its name. Its figures still count in benchmarks and collective totals, and its sector still
shows (sector peers are compared separately). A member without a profile yet is named (the
default). Anonymised members are keyed by their label, never by an id, so nothing in a page or
an API answer links them back to the organisation.

Benchmarks and collective totals count accepted returns only.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet

from anchors.benchmarking import Benchmark, benchmark
from anchors.models import (
    ActionStatus,
    Assembly,
    AssemblyAction,
    Disclosure,
    FigureQuery,
    MemberReturn,
    PillarMetric,
    Priority,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
    anonymised_label,
)
from charters.models import ON_REGISTER, Charter, CharterKind, CharterVersion, Signatory, Theme
from kvi.models import Unit
from kvi.periods import financial_year_of
from kvi.value import MonetisedValue, active_proxy_values, monetise
from organisations.models import Sector, sector_of
from tenancy.permissions import Perm, TenantAccess

# --- Who is looking ------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whom the viewer sees named: the programme team sees everyone; others their own
    organisations and the members that chose to be named."""

    programme_team: bool
    own_organisations: frozenset[UUID]

    @classmethod
    def of(cls, access: TenantAccess | None) -> "Viewer":
        if access is None:  # the public, an API key without a person
            return cls(False, frozenset())
        return cls(
            programme_team=access.can(Perm.MANAGE_CHARTERS),
            own_organisations=frozenset(access.organisations_with(Perm.VIEW_OWN_SIGNATURE)),
        )

    def sees_named(self, *, organisation_id, disclosure: str | None) -> bool:
        return (
            self.programme_team
            or organisation_id in self.own_organisations
            or disclosure != Disclosure.ANONYMISED
        )


@dataclass(frozen=True)
class MemberView:
    """A member as one viewer may see it."""

    key: str  # the signatory id when named, the label when anonymised
    name: str  # the organisation's name, or "Member C"
    sector: str
    named: bool
    is_own: bool
    signatory_id: UUID | None  # None when anonymised to this viewer

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label


def member_view(
    viewer: Viewer,
    *,
    signatory_id,
    organisation_id,
    organisation_name: str,
    organisation_type: str,
    disclosure: str | None,
    sector_override: str | None,
    anonymised_number: int | None,
) -> MemberView:
    sector = sector_override or sector_of(organisation_type)
    is_own = organisation_id in viewer.own_organisations
    if viewer.sees_named(organisation_id=organisation_id, disclosure=disclosure):
        return MemberView(str(signatory_id), organisation_name, sector, True, is_own, signatory_id)
    label = anonymised_label(anonymised_number or 0)
    return MemberView(label, label, sector, False, is_own, None)


_MEMBER_VALUES = {
    "signatory_id": "id",
    "organisation_id": "organisation_id",
    "organisation_name": "organisation__name",
    "organisation_type": "organisation__organisation_type",
    "disclosure": "anchor_profile__disclosure",
    "sector_override": "anchor_profile__sector_override",
    "anonymised_number": "anchor_profile__anonymised_number",
}


def _paths(prefix: str) -> list[str]:
    """The member's columns, for values_list, in _MEMBER_VALUES order."""
    return [f"{prefix}{path}" for path in _MEMBER_VALUES.values()]


def _member_row(viewer: Viewer, row) -> MemberView:
    return member_view(viewer, **dict(zip(_MEMBER_VALUES, row, strict=True)))


# --- The charter and its framework ---------------------------------------------------------


def anchor_charter_list(*, tenant) -> QuerySet[Charter]:
    return Charter.objects.filter(tenant=tenant, kind=CharterKind.ANCHOR).order_by("title")


def current_version(*, tenant, charter: Charter) -> CharterVersion | None:
    """The published version, else the latest."""
    versions = CharterVersion.objects.filter(tenant=tenant, charter=charter)
    return versions.filter(status="published").first() or versions.order_by("-number").first()


def pillars_with_priorities(*, tenant, version: CharterVersion) -> list[Theme]:
    """The version's pillars, each with `.priority_list` (two queries)."""
    return list(
        Theme.objects.filter(tenant=tenant, version=version)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "anchor_priorities",
                queryset=Priority.objects.filter(tenant=tenant).order_by("position"),
                to_attr="priority_list",
            )
        )
    )


def pillar_metric_list(*, tenant, charter: Charter) -> QuerySet[PillarMetric]:
    return (
        PillarMetric.objects.filter(tenant=tenant, charter=charter)
        .select_related("metric")
        .order_by("position")
    )


def member_list(*, tenant, access: TenantAccess | None, charter: Charter) -> list[MemberView]:
    """The charter's members (on the register) as the viewer may see them (one query)."""
    viewer = Viewer.of(access)
    rows = (
        Signatory.objects.filter(tenant=tenant, charter=charter, status__in=ON_REGISTER)
        .order_by("organisation__name")
        .values_list(*_paths(""))
    )
    members = [_member_row(viewer, row) for row in rows]
    return sorted(members, key=lambda m: (not m.named, m.name))


# --- Rounds and returns --------------------------------------------------------------------


def round_list(*, tenant, charter: Charter) -> QuerySet[ReportingRound]:
    """Rounds, newest first, with counts of returns by status (one query)."""
    counts = {
        f"{status}_count": Count("returns", filter=Q(returns__status=status))
        for status in ReturnStatus.values
    }
    return (
        ReportingRound.objects.filter(tenant=tenant, charter=charter)
        .annotate(
            return_count=Count("returns"),
            late_count=Count("returns", filter=Q(returns__submitted_late=True)),
            **counts,
        )
        .order_by("-period_start")
    )


def round_returns(*, tenant, access: TenantAccess, reporting_round: ReportingRound):
    """Every return of a round, for the programme team (one query)."""
    access.require(Perm.MANAGE_CHARTERS)
    return (
        MemberReturn.objects.filter(tenant=tenant, round=reporting_round)
        .select_related("signatory__organisation", "signatory__anchor_profile", "submitted_by")
        .annotate(
            figure_count=Count("figures", distinct=True),
            open_queries=Count(
                "figures__queries",
                filter=Q(figures__queries__responded_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("signatory__organisation__name")
    )


def return_get_for_user(*, tenant, access: TenantAccess, pk) -> tuple[MemberReturn, bool]:
    """A return the person may see (the programme team, or people of the member's
    organisation), and whether they may change it now."""
    member_return = (
        MemberReturn.objects.filter(tenant=tenant, pk=pk)
        .select_related("round__charter", "signatory__organisation", "signatory__version")
        .first()
    )
    if member_return is None:
        raise PermissionDenied("No such return.")
    organisation_id = member_return.signatory.organisation_id
    if not (
        access.can(Perm.MANAGE_CHARTERS)
        or access.can(Perm.VIEW_OWN_SIGNATURE, organisation_id=organisation_id)
    ):
        raise PermissionDenied("You may not see this return.")
    can_edit = (
        access.can(Perm.SIGN_CHARTER, organisation_id=organisation_id)
        and member_return.round.status == RoundStatus.OPEN
        and member_return.status in (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT)
    )
    return member_return, can_edit


@dataclass
class ReturnLine:
    """One metric of a return, with the figure when there is one."""

    pillar_metric: PillarMetric
    figure: ReturnFigure | None


@dataclass
class ReturnDetail:
    member_return: MemberReturn
    pillars: list[Theme]
    lines_by_pillar: dict[str, list[ReturnLine]]
    narratives: dict[str, str]
    evidence: list
    open_queries: list[FigureQuery]


def return_detail(*, tenant, member_return: MemberReturn) -> ReturnDetail:
    """Everything a return's page shows, in six queries (read the return with
    return_get_for_user, which brings its round, charter and organisation)."""
    metrics = list(
        PillarMetric.objects.filter(tenant=tenant, charter=member_return.round.charter_id)
        .select_related("metric")
        .order_by("position")
    )
    figures = {
        f.pillar_metric_id: f
        for f in ReturnFigure.objects.filter(
            tenant=tenant, member_return=member_return
        ).prefetch_related(
            Prefetch(
                "queries",
                queryset=FigureQuery.objects.filter(tenant=tenant).order_by("raised_at"),
                to_attr="query_list",
            )
        )
    }
    lines: dict[str, list[ReturnLine]] = defaultdict(list)
    for pm in metrics:
        lines[pm.pillar_code].append(ReturnLine(pm, figures.get(pm.pk)))
    pillars = list(
        Theme.objects.filter(tenant=tenant, version=member_return.signatory.version_id).order_by(
            "position"
        )
    )
    return ReturnDetail(
        member_return=member_return,
        pillars=pillars,
        lines_by_pillar=dict(lines),
        narratives=dict(member_return.narratives.values_list("pillar_code", "text")),
        evidence=list(member_return.evidence.order_by("created_at")),
        open_queries=[q for f in figures.values() for q in f.query_list if q.responded_at is None],
    )


# --- The performance dashboard -------------------------------------------------------------


@dataclass
class MetricRound:
    """One metric in one round: all members, and each sector's members separately."""

    overall: Benchmark
    by_sector: dict[str, Benchmark]


@dataclass(frozen=True)
class RoundValue:
    """A round's monetised social value (None: nothing could be priced), and what was priced."""

    reporting_round: ReportingRound
    gross: Decimal | None
    net: Decimal | None
    priced: tuple[MonetisedValue, ...] = ()


@dataclass
class Dashboard:
    charter: Charter
    rounds: list[ReportingRound]  # oldest first
    pillar_metrics: list[PillarMetric]
    pillar_names: dict[str, str]
    members: list[MemberView]
    # (member key, pillar metric id, round id) -> accepted figure
    figures: dict[tuple[str, UUID, UUID], Decimal] = field(default_factory=dict)
    benchmarks: dict[tuple[UUID, UUID], MetricRound] = field(default_factory=dict)
    # pillar metric id -> [(round, total or None)] for metrics in the collective total
    totals: dict[UUID, list[tuple[ReportingRound, Decimal | None]]] = field(default_factory=dict)
    # Monetised social value per round: every accepted figure of a metric with a proxy measure
    # priced with the tenant's active proxy set for the round's financial year (kvi.value).
    value: list[RoundValue] = field(default_factory=list)

    def series(
        self, member_key: str, pillar_metric_id
    ) -> list[tuple[ReportingRound, Decimal | None]]:
        """A member's figures for a metric over the rounds (None: no accepted figure)."""
        return [(r, self.figures.get((member_key, pillar_metric_id, r.pk))) for r in self.rounds]

    def standing(self, member: MemberView, pillar_metric_id, round_id, *, peers: bool = False):
        """The member's Standing (rank, quartile, of) among all members or its sector peers."""
        metric_round = self.benchmarks.get((pillar_metric_id, round_id))
        if metric_round is None:
            return None
        bench = metric_round.by_sector.get(member.sector) if peers else metric_round.overall
        return bench.standings.get(member.key) if bench else None


def dashboard(*, tenant, access: TenantAccess | None, charter: Charter) -> Dashboard:
    """The performance dashboard of an anchor charter: each member's accepted figures over the
    rounds, each metric benchmarked per round across members and across sector peers, and the
    collective totals and monetised social value with their trend, disclosure applied for the
    viewer. Five queries, however many members, metrics and rounds."""
    if access is not None:
        access.require(Perm.VIEW_CHARTERS)
    viewer = Viewer.of(access)
    rounds = list(
        ReportingRound.objects.filter(tenant=tenant, charter=charter)
        .exclude(status=RoundStatus.DRAFT)
        .order_by("period_start")
    )
    pillar_metrics = list(pillar_metric_list(tenant=tenant, charter=charter))
    version = (
        CharterVersion.objects.filter(tenant=tenant, charter=charter)
        .order_by("-number")
        .values_list("id", flat=True)
    )
    pillar_names = dict(
        Theme.objects.filter(tenant=tenant, version__in=version[:1])
        .order_by("position")
        .values_list("code", "name")
    )
    rows = ReturnFigure.objects.filter(
        tenant=tenant,
        member_return__round__charter=charter,
        member_return__status=ReturnStatus.ACCEPTED,
    ).values_list(
        "value",
        "pillar_metric_id",
        "member_return__round_id",
        *_paths("member_return__signatory__"),
    )
    members: dict[str, MemberView] = {}
    by_signatory: dict[UUID, MemberView] = {}
    figures: dict[tuple[str, UUID, UUID], Decimal] = {}
    for value, pillar_metric_id, round_id, *member_columns in rows:
        signatory_id = member_columns[0]
        member = by_signatory.get(signatory_id)
        if member is None:
            member = by_signatory[signatory_id] = _member_row(viewer, member_columns)
            members[member.key] = member
        figures[(member.key, pillar_metric_id, round_id)] = value
    board = Dashboard(
        charter=charter,
        rounds=rounds,
        pillar_metrics=pillar_metrics,
        pillar_names=pillar_names,
        members=sorted(members.values(), key=lambda m: (not m.is_own, not m.named, m.name)),
        figures=figures,
    )
    _benchmark(board)
    board.value = _monetise(board, active_proxy_values(tenant=tenant))
    return board


def _monetise(board: Dashboard, proxies: dict) -> list[RoundValue]:
    """Each round's members' accepted figures × the proxy of the metric's measure for the
    round's financial year. Figures add up before pricing (a proxy is linear), and "%" is
    never priced. Uses no query: the proxies are read once."""
    priceable = [
        pm
        for pm in board.pillar_metrics
        if pm.metric.proxy_measure_code and pm.metric.unit != Unit.PERCENT
    ]
    values = []
    for reporting_round in board.rounds:
        year = financial_year_of(reporting_round.period_start)
        priced = []
        for pm in priceable:
            bench = board.benchmarks[(pm.pk, reporting_round.pk)].overall
            if not bench.count:
                continue
            money = monetise(
                quantity=bench.total,
                unit=pm.unit,
                financial_year=year,
                measure_code=pm.metric.proxy_measure_code,
                proxies=proxies,
            )
            if money is not None:
                priced.append(money)
        values.append(
            RoundValue(
                reporting_round,
                sum((m.gross for m in priced), Decimal(0)) if priced else None,
                sum((m.net for m in priced), Decimal(0)) if priced else None,
                tuple(priced),
            )
        )
    return values


def _benchmark(board: Dashboard) -> None:
    by_metric_round: dict[tuple[UUID, UUID], dict[str, Decimal]] = defaultdict(dict)
    for (member_key, pm_id, round_id), value in board.figures.items():
        by_metric_round[(pm_id, round_id)][member_key] = value
    sectors = {m.key: m.sector for m in board.members}
    for pm in board.pillar_metrics:
        for reporting_round in board.rounds:
            values = by_metric_round.get((pm.pk, reporting_round.pk), {})
            grouped: dict[str, dict[str, Decimal]] = defaultdict(dict)
            for key, value in values.items():
                grouped[sectors[key]][key] = value
            board.benchmarks[(pm.pk, reporting_round.pk)] = MetricRound(
                overall=benchmark(values, pm.metric.direction),
                by_sector={
                    sector: benchmark(group, pm.metric.direction)
                    for sector, group in grouped.items()
                },
            )
        if pm.in_collective_total:
            board.totals[pm.pk] = [
                (
                    r,
                    board.benchmarks[(pm.pk, r.pk)].overall.total
                    if board.benchmarks[(pm.pk, r.pk)].overall.count
                    else None,
                )
                for r in board.rounds
            ]


def member_figures(
    *, tenant, access: TenantAccess, signatory: Signatory
) -> dict[UUID, list[tuple[ReportingRound, ReturnFigure | None]]]:
    """One member's figures over the rounds, per pillar metric, for its own organisation or
    the programme team: every return it sent (not only accepted ones), with the status."""
    if not (
        access.can(Perm.MANAGE_CHARTERS)
        or access.can(Perm.VIEW_OWN_SIGNATURE, organisation_id=signatory.organisation_id)
    ):
        raise PermissionDenied("You may not see this member's returns.")
    rounds = list(
        ReportingRound.objects.filter(tenant=tenant, charter=signatory.charter_id)
        .exclude(status=RoundStatus.DRAFT)
        .order_by("period_start")
    )
    figures = {
        (f.pillar_metric_id, f.member_return.round_id): f
        for f in ReturnFigure.objects.filter(
            tenant=tenant, member_return__signatory=signatory
        ).select_related("member_return")
    }
    metrics = pillar_metric_list(tenant=tenant, charter=signatory.charter)
    return {pm.pk: [(r, figures.get((pm.pk, r.pk))) for r in rounds] for pm in metrics}


# --- Assemblies ----------------------------------------------------------------------------


def assembly_list(*, tenant, charter: Charter) -> QuerySet[Assembly]:
    return (
        Assembly.objects.filter(tenant=tenant, charter=charter)
        .select_related("round")
        .annotate(
            open_actions=Count(
                "actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True
            ),
            attendee_count=Count("attendees", distinct=True),
        )
        .order_by("-held_on")
    )


def assembly_carried_actions(*, tenant, assembly: Assembly) -> QuerySet[AssemblyAction]:
    """Actions of earlier assemblies of the charter still open: followed up at this one."""
    return (
        AssemblyAction.objects.filter(
            tenant=tenant,
            assembly__charter=assembly.charter_id,
            assembly__held_on__lt=assembly.held_on,
            status=ActionStatus.OPEN,
        )
        .select_related("assembly", "owner_signatory__organisation")
        .order_by("due_on", "created_at")
    )


def assembly_detail(*, tenant, assembly: Assembly) -> dict:
    """An assembly with its attendees, its own actions and the open actions carried to it."""
    return {
        "assembly": assembly,
        "attendees": list(
            assembly.attendees.select_related("signatory__organisation").order_by("name")
        ),
        "actions": list(
            assembly.actions.select_related("owner_signatory__organisation").order_by(
                "due_on", "created_at"
            )
        ),
        "carried": list(assembly_carried_actions(tenant=tenant, assembly=assembly)),
    }


def outstanding_returns(*, tenant, charter: Charter) -> Iterable[MemberReturn]:
    """Returns not yet sent in the charter's open rounds."""
    return MemberReturn.objects.filter(
        tenant=tenant,
        round__charter=charter,
        round__status=RoundStatus.OPEN,
        status__in=[ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT],
    ).select_related("round", "signatory__organisation")
