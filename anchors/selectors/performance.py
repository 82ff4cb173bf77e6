"""The performance dashboard of an anchor charter, read once per page: every member's accepted
figures by metric and round, each metric's benchmark per round (rank, quartile, median, sector
peers), collective totals and monetised value, with each member's disclosure applied
(anchors.selectors.Viewer). Also a member's own figures over rounds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied

from anchors.benchmarking import Benchmark, benchmark
from anchors.models import (
    PillarMetric,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)
from anchors.selectors import (
    MemberView,
    Viewer,
    member_column_paths,
    member_from_columns,
    pillar_metric_list,
)
from charters.models import Charter, CharterVersion, Signatory, Theme
from kvi.models import Unit
from kvi.periods import financial_year_of
from kvi.value import MonetisedValue, active_proxy_values, monetise
from tenancy.permissions import Perm, TenantAccess

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
        *member_column_paths("member_return__signatory__"),
    )
    members: dict[str, MemberView] = {}
    by_signatory: dict[UUID, MemberView] = {}
    figures: dict[tuple[str, UUID, UUID], Decimal] = {}
    for value, pillar_metric_id, round_id, *member_columns in rows:
        signatory_id = member_columns[0]
        member = by_signatory.get(signatory_id)
        if member is None:
            member = by_signatory[signatory_id] = member_from_columns(viewer, member_columns)
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
