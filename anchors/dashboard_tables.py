"""The performance dashboard as tables: what the pages, the CSV/XLSX download and the API show,
shaped from one `anchors.selectors.performance.dashboard` read (no further queries).

Disclosure is already applied in the Dashboard: each member is a `MemberView` whose `name` is
its label ("Member C") and whose `key` is that label when the viewer may not see it named, so
nothing built here can name it.
"""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from anchors.benchmarking import Benchmark, Standing
from anchors.models import PillarMetric, ReportingRound
from anchors.selectors import MemberView, Viewer, member_view
from anchors.selectors.performance import Dashboard
from charters.models import Signatory
from organisations.models import Sector


@dataclass(frozen=True)
class BenchmarkRow:
    member: MemberView
    standing: Standing
    peers: Standing | None  # among the member's sector peers


def benchmark_rows(board: Dashboard, pm: PillarMetric, reporting_round) -> list[BenchmarkRow]:
    """The members with an accepted figure for the metric in the round, best first."""
    metric_round = board.benchmarks.get((pm.pk, reporting_round.pk))
    if metric_round is None:
        return []
    by_key = {m.key: m for m in board.members}
    rows = []
    for key, standing in metric_round.overall.standings.items():
        member = by_key[key]
        peer_bench = metric_round.by_sector.get(member.sector)
        rows.append(
            BenchmarkRow(member, standing, peer_bench.standings.get(key) if peer_bench else None)
        )
    return sorted(rows, key=lambda row: (row.standing.rank, row.member.name))


@dataclass(frozen=True)
class SectorBenchmark:
    sector: str
    label: str
    benchmark: Benchmark


def sector_benchmarks(board: Dashboard, pm: PillarMetric, reporting_round) -> list[SectorBenchmark]:
    metric_round = board.benchmarks.get((pm.pk, reporting_round.pk))
    if metric_round is None:
        return []
    return sorted(
        (
            SectorBenchmark(sector, Sector(sector).label, bench)
            for sector, bench in metric_round.by_sector.items()
        ),
        key=lambda s: s.label,
    )


@dataclass(frozen=True)
class OwnStanding:
    member: MemberView
    pillar_metric: PillarMetric
    standing: Standing | None
    peers: Standing | None


def own_standings(board: Dashboard, reporting_round) -> list[OwnStanding]:
    """For each of the viewer's own members, its standing on every metric in the round."""
    return [
        OwnStanding(
            member,
            pm,
            board.standing(member, pm.pk, reporting_round.pk),
            board.standing(member, pm.pk, reporting_round.pk, peers=True),
        )
        for member in board.members
        if member.is_own
        for pm in board.pillar_metrics
    ]


@dataclass(frozen=True)
class CollectiveLine:
    pillar_metric: PillarMetric
    totals: list[tuple[ReportingRound, Decimal | None]]

    @property
    def latest(self) -> Decimal | None:
        values = [value for _r, value in self.totals if value is not None]
        return values[-1] if values else None

    @property
    def change(self) -> Decimal | None:
        """The latest total less the one before (None with fewer than two)."""
        values = [value for _r, value in self.totals if value is not None]
        return values[-1] - values[-2] if len(values) > 1 else None


def collective_lines(board: Dashboard) -> list[CollectiveLine]:
    return [
        CollectiveLine(pm, board.totals[pm.pk])
        for pm in board.pillar_metrics
        if pm.pk in board.totals
    ]


def figure_rows(
    board: Dashboard, *, round_id: UUID | None = None, metric_code: str | None = None
) -> list[dict]:
    """Every accepted figure as one row (round oldest first, then metric, then rank), with its
    benchmark: the long table of the download and the API."""
    rows = []
    for reporting_round in board.rounds:
        if round_id is not None and reporting_round.pk != round_id:
            continue
        for pm in board.pillar_metrics:
            if metric_code is not None and pm.metric.code != metric_code:
                continue
            metric_round = board.benchmarks[(pm.pk, reporting_round.pk)]
            overall = metric_round.overall
            for row in benchmark_rows(board, pm, reporting_round):
                peers = metric_round.by_sector.get(row.member.sector)
                rows.append(
                    {
                        "round": reporting_round,
                        "pillar_metric": pm,
                        "pillar": board.pillar_names.get(pm.pillar_code, pm.pillar_code),
                        "member": row.member,
                        "value": row.standing.value,
                        "rank": row.standing.rank,
                        "of": row.standing.of,
                        "quartile": row.standing.quartile,
                        "median": overall.median,
                        "lower_quartile": overall.lower_quartile,
                        "upper_quartile": overall.upper_quartile,
                        "sector_rank": row.peers.rank if row.peers else None,
                        "sector_of": row.peers.of if row.peers else None,
                        "sector_median": peers.median if peers else None,
                    }
                )
    return rows


def aggregate_rows(
    board: Dashboard, *, round_id: UUID | None = None, metric_code: str | None = None
) -> list[dict]:
    """Per round and metric: how many members reported and the spread; the total for metrics
    that add up to the collective impact."""
    rows = []
    for reporting_round in board.rounds:
        if round_id is not None and reporting_round.pk != round_id:
            continue
        for pm in board.pillar_metrics:
            if metric_code is not None and pm.metric.code != metric_code:
                continue
            overall = board.benchmarks[(pm.pk, reporting_round.pk)].overall
            rows.append(
                {
                    "round": reporting_round,
                    "pillar_metric": pm,
                    "pillar": board.pillar_names.get(pm.pillar_code, pm.pillar_code),
                    "members_reporting": overall.count,
                    "total": overall.total if pm.in_collective_total and overall.count else None,
                    "median": overall.median,
                    "lower_quartile": overall.lower_quartile,
                    "upper_quartile": overall.upper_quartile,
                }
            )
    return rows


def member_as_seen(viewer: Viewer, signatory: Signatory) -> MemberView:
    """A signatory (read with its organisation and anchor profile) as the viewer may see it."""
    profile = getattr(signatory, "anchor_profile", None)
    return member_view(
        viewer,
        signatory_id=signatory.pk,
        organisation_id=signatory.organisation_id,
        organisation_name=signatory.organisation.name,
        organisation_type=signatory.organisation.organisation_type,
        disclosure=profile.disclosure if profile else None,
        sector_override=profile.sector_override if profile else None,
        anonymised_number=profile.anonymised_number if profile else None,
    )


def signatory_for_figures(*, tenant, charter, pk) -> Signatory | None:
    """A member (any status) of the anchor charter, with its organisation and profile."""
    return (
        Signatory.objects.filter(tenant=tenant, charter=charter, pk=pk)
        .select_related("organisation", "anchor_profile")
        .first()
    )
