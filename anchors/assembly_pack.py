"""The Anchor Assembly's progress pack: the accepted returns of the round the assembly reviews
(by default the latest round with accepted returns), member by member with disclosure applied
for the viewer (anchors.selectors.Viewer), the collective impact against the round before, and
the actions still open. A printable HTML page for now; the reporting app's PDF pipeline can
render the same context later.

Reads only; a fixed number of queries however many members, metrics and rounds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from anchors import selectors
from anchors.models import (
    ActionStatus,
    Assembly,
    PillarMetric,
    PillarNarrative,
    ReportingRound,
    ReturnStatus,
)
from anchors.selectors import performance
from anchors.services import latest_reviewed_round
from kvi.charts import format_value
from tenancy.permissions import TenantAccess


def _text(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_value(value, unit)


@dataclass
class PackLine:
    pillar_metric: PillarMetric
    value: Decimal | None
    standing: object | None  # anchors.benchmarking Standing (rank, quartile, of)

    @property
    def text(self) -> str:
        return _text(self.value, self.pillar_metric.unit)


@dataclass
class PackMemberPillar:
    code: str
    name: str
    lines: list[PackLine]
    narrative: str  # only for members named to the viewer


@dataclass
class PackMember:
    member: selectors.MemberView
    pillars: list[PackMemberPillar]


@dataclass
class PackMetric:
    """One metric across members in the round, with the round before for the trend."""

    pillar_metric: PillarMetric
    count: int
    median: Decimal | None
    total: Decimal | None  # None unless the metric is in the collective total
    previous_total: Decimal | None

    @property
    def median_text(self) -> str:
        return _text(self.median, self.pillar_metric.unit)

    @property
    def total_text(self) -> str:
        return _text(self.total, self.pillar_metric.unit)

    @property
    def change_text(self) -> str:
        """The change in the collective total since the round before ("" when unknown)."""
        if self.total is None or self.previous_total is None:
            return ""
        change = self.total - self.previous_total
        if change == 0:
            return "no change"
        text = format_value(change, self.pillar_metric.unit)
        return text if change < 0 else f"+{text}"


@dataclass
class Pack:
    assembly: Assembly
    reporting_round: ReportingRound | None
    previous_round: ReportingRound | None
    pillars: list[tuple[str, str, list[PackMetric]]]  # (code, name, metrics) in order
    members: list[PackMember]
    anonymised_count: int
    value_gross: Decimal | None
    value_net: Decimal | None
    open_actions: list = field(default_factory=list)  # this assembly's, then carried ones

    @property
    def totals(self) -> list[PackMetric]:
        """The metrics in the collective total, with a total this round."""
        return [m for _c, _n, metrics in self.pillars for m in metrics if m.total is not None]

    @property
    def value_text(self) -> str:
        return _text(self.value_gross, "£")

    @property
    def value_net_text(self) -> str:
        return _text(self.value_net, "£")


def assembly_pack(*, tenant, access: TenantAccess, assembly: Assembly) -> Pack:
    """Everything the progress pack shows, for this viewer."""
    reporting_round = assembly.round or latest_reviewed_round(
        tenant=tenant, charter=assembly.charter
    )
    board = performance.dashboard(tenant=tenant, access=access, charter=assembly.charter)
    rounds = board.rounds
    previous = None
    if reporting_round is not None and reporting_round in rounds:
        index = rounds.index(reporting_round)
        previous = rounds[index - 1] if index > 0 else None
    pillar_codes = []
    for pm in board.pillar_metrics:
        if pm.pillar_code not in pillar_codes:
            pillar_codes.append(pm.pillar_code)
    names = {code: board.pillar_names.get(code, code) for code in pillar_codes}

    metrics_by_pillar: dict[str, list[PackMetric]] = defaultdict(list)
    members: list[PackMember] = []
    value_gross = value_net = None
    if reporting_round is not None and reporting_round in rounds:
        for pm in board.pillar_metrics:
            bench = board.benchmarks[(pm.pk, reporting_round.pk)].overall
            before = board.benchmarks[(pm.pk, previous.pk)].overall if previous else None
            metrics_by_pillar[pm.pillar_code].append(
                PackMetric(
                    pm,
                    bench.count,
                    bench.median,
                    bench.total if pm.in_collective_total and bench.count else None,
                    before.total if pm.in_collective_total and before and before.count else None,
                )
            )
        narratives = _narratives(tenant, access, reporting_round)
        for member in board.members:
            lines: dict[str, list[PackLine]] = defaultdict(list)
            reported = False
            for pm in board.pillar_metrics:
                value = board.figures.get((member.key, pm.pk, reporting_round.pk))
                reported = reported or value is not None
                lines[pm.pillar_code].append(
                    PackLine(pm, value, board.standing(member, pm.pk, reporting_round.pk))
                )
            if not reported:
                continue
            said = narratives.get(member.signatory_id, {}) if member.named else {}
            members.append(
                PackMember(
                    member,
                    [
                        PackMemberPillar(code, names[code], lines[code], said.get(code, ""))
                        for code in pillar_codes
                    ],
                )
            )
        priced = next((v for v in board.value if v.reporting_round == reporting_round), None)
        if priced is not None:
            value_gross, value_net = priced.gross, priced.net
    detail = selectors.assembly_detail(tenant=tenant, assembly=assembly)
    open_actions = [a for a in detail["actions"] if a.status == ActionStatus.OPEN]
    return Pack(
        assembly=assembly,
        reporting_round=reporting_round,
        previous_round=previous,
        pillars=[(code, names[code], metrics_by_pillar.get(code, [])) for code in pillar_codes],
        members=members,
        anonymised_count=sum(1 for m in members if not m.member.named),
        value_gross=value_gross,
        value_net=value_net,
        open_actions=open_actions + detail["carried"],
    )


def _narratives(tenant, access, reporting_round) -> dict:
    """signatory id -> {pillar code: text} of the round's accepted returns (one query).
    Only members named to the viewer show theirs (a narrative would give an anonymised member
    away); the caller applies that."""
    rows = PillarNarrative.objects.filter(
        tenant=tenant,
        member_return__round=reporting_round,
        member_return__status=ReturnStatus.ACCEPTED,
    ).values_list("member_return__signatory_id", "pillar_code", "text")
    found: dict = defaultdict(dict)
    for signatory_id, pillar_code, text in rows:
        if text.strip():
            found[signatory_id][pillar_code] = text
    return found
