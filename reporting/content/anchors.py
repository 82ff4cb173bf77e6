"""Anchor charter figures as they stood at a report's data freeze: an organisation's latest
accepted return against the pillars, the charter's collective impact by pillar, and the Anchor
Assembly pack (the round the assembly reviews, member by member, with the open actions).

The same read as the anchors app's dashboard (anchors.selectors.performance.dashboard):
accepted returns only, benchmarked with anchors.benchmarking, members shown with their
disclosure applied as the public sees it (anchors.selectors.Viewer with no person: an
anonymised member shows its label, never its name, and its narrative is left out),
monetised with kvi.value. What the freeze adds: a return counts only when it was accepted
before the end of the freeze day, and an action counts as open when it was open then.
A fixed number of queries, whatever the number of members, metrics and rounds."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q

from anchors.benchmarking import benchmark
from anchors.models import (
    ActionStatus,
    AssemblyAction,
    MemberReturn,
    PillarNarrative,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)
from anchors.selectors import Viewer, member_column_paths, member_from_columns, pillar_metric_list
from charters.models import CharterKind, CharterVersion, Theme
from kvi.charts import format_value
from kvi.models import Unit
from kvi.periods import financial_year_of
from kvi.value import monetise
from reporting.content.common import Freeze, date_text, iso, money_text

PUBLIC = Viewer.of(None)


def _text(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_value(value, unit)


def _round_data(reporting_round: ReportingRound | None) -> dict | None:
    if reporting_round is None:
        return None
    return {
        "name": reporting_round.name,
        "period_start": iso(reporting_round.period_start),
        "period_end": iso(reporting_round.period_end),
        "period_text": f"{date_text(reporting_round.period_start)} to "
        f"{date_text(reporting_round.period_end)}",
    }


def _pillar_names(tenant, charter_id) -> dict[str, str]:
    """Pillar code -> name, from the charter's latest version (one query)."""
    latest = (
        CharterVersion.objects.filter(tenant=tenant, charter_id=charter_id)
        .order_by("-number")
        .values("id")[:1]
    )
    return dict(
        Theme.objects.filter(tenant=tenant, version__in=latest)
        .order_by("position")
        .values_list("code", "name")
    )


def _pillar_order(pillar_metrics, names: dict[str, str]) -> list[str]:
    codes = list(names)
    for pm in pillar_metrics:
        if pm.pillar_code not in codes:
            codes.append(pm.pillar_code)
    return codes


def _accepted_figures(tenant, freeze: Freeze, *, charter_id=None, round_ids=None):
    """(value, pillar metric id, round id, *member columns) of returns accepted before the
    freeze (one query)."""
    rows = ReturnFigure.objects.filter(
        tenant=tenant,
        member_return__status=ReturnStatus.ACCEPTED,
        member_return__accepted_at__lt=freeze.end,
    )
    if charter_id is not None:
        rows = rows.filter(member_return__round__charter_id=charter_id)
    if round_ids is not None:
        rows = rows.filter(member_return__round_id__in=list(round_ids))
    return rows.values_list(
        "value",
        "pillar_metric_id",
        "member_return__round_id",
        *member_column_paths("member_return__signatory__"),
    ).order_by("member_return__round_id", "pillar_metric_id", "member_return__signatory_id")


class _Figures:
    """Accepted figures by round, metric and member (members as the public sees them)."""

    def __init__(self, rows):
        self.by_round_metric: dict = defaultdict(dict)  # (round, pm) -> {member key: value}
        self.members: dict = {}  # member key -> MemberView
        self.rounds: set = set()
        for value, pm_id, round_id, *columns in rows:
            member = member_from_columns(PUBLIC, columns)
            self.members.setdefault(member.key, member)
            self.by_round_metric[(round_id, pm_id)][member.key] = value
            self.rounds.add(round_id)


def _metric_line(pm, bench, before) -> dict:
    total = bench.total if pm.in_collective_total and bench.count else None
    previous = None
    if before is not None and pm.in_collective_total and before.count:
        previous = before.total
    change = ""
    if total is not None and previous is not None:
        difference = total - previous
        text = format_value(difference, pm.unit)
        change = "no change" if difference == 0 else (text if difference < 0 else f"+{text}")
    return {
        "metric": pm.metric.name,
        "code": pm.metric.code,
        "unit": pm.unit,
        "in_collective_total": pm.in_collective_total,
        "members_reporting": bench.count,
        "median": _text(bench.median, pm.unit) if bench.count else "—",
        "total": _text(total, pm.unit) if total is not None else "",
        "previous_total": _text(previous, pm.unit) if previous is not None else "",
        "change": change,
    }


def _round_value(pillar_metrics, figures: _Figures, reporting_round, proxies) -> tuple:
    """(gross, net) of the round's members' figures priced with the proxies (None, None when
    nothing could be priced), as the anchors dashboard prices them."""
    year = financial_year_of(reporting_round.period_start)
    priced = []
    for pm in pillar_metrics:
        if not pm.metric.proxy_measure_code or pm.metric.unit == Unit.PERCENT:
            continue
        values = figures.by_round_metric.get((reporting_round.pk, pm.pk), {})
        if not values:
            continue
        money = monetise(
            quantity=sum(values.values(), Decimal(0)),
            unit=pm.unit,
            financial_year=year,
            measure_code=pm.metric.proxy_measure_code,
            proxies=proxies,
        )
        if money is not None:
            priced.append(money)
    if not priced:
        return None, None
    return sum(m.gross for m in priced), sum(m.net for m in priced)


def _impact(
    tenant, charter, reporting_round, previous, figures, proxies
) -> tuple[dict, list, dict]:
    """The charter's collective impact in a round: every metric by pillar with how many
    members reported it, the median, the collective total and its change since the round
    before; and the monetised value."""
    pillar_metrics = list(pillar_metric_list(tenant=tenant, charter=charter))
    names = _pillar_names(tenant, charter.pk)
    by_pillar: dict[str, list] = defaultdict(list)
    for pm in pillar_metrics:
        values = figures.by_round_metric.get((reporting_round.pk, pm.pk), {})
        before = None
        if previous is not None:
            before = benchmark(
                figures.by_round_metric.get((previous.pk, pm.pk), {}), pm.metric.direction
            )
        by_pillar[pm.pillar_code].append(
            _metric_line(pm, benchmark(values, pm.metric.direction), before)
        )
    gross, net = _round_value(pillar_metrics, figures, reporting_round, proxies)
    reporting = {
        key
        for (round_id, _pm), values in figures.by_round_metric.items()
        if round_id == reporting_round.pk
        for key in values
    }
    return (
        {
            "charter": charter.title,
            "round": _round_data(reporting_round),
            "previous_round": _round_data(previous),
            "members_reporting": len(reporting),
            "pillars": [
                {"code": code, "name": names.get(code, code), "metrics": by_pillar.get(code, [])}
                for code in _pillar_order(pillar_metrics, names)
            ],
            "value_gross": money_text(gross),
            "value_net": money_text(net),
        },
        pillar_metrics,
        names,
    )


def _rounds(tenant, charter, *, period_end: date | None) -> list[ReportingRound]:
    rounds = ReportingRound.objects.filter(tenant=tenant, charter=charter).exclude(
        status=RoundStatus.DRAFT
    )
    if period_end is not None:
        rounds = rounds.filter(period_end__lte=period_end)
    return list(rounds.order_by("period_start"))


def collective_impact(*, tenant, freeze: Freeze, period_end: date, proxies: dict) -> list[dict]:
    """Each anchor charter's collective impact by pillar in its latest round (ending by
    `period_end`) with returns accepted before the freeze, against the round before."""
    from charters.models import Charter

    result = []
    charters = Charter.objects.filter(tenant=tenant, kind=CharterKind.ANCHOR).order_by("title")
    for charter in charters:  # a programme has one anchor charter, rarely two
        rounds = _rounds(tenant, charter, period_end=period_end)
        figures = _Figures(_accepted_figures(tenant, freeze, round_ids=[r.pk for r in rounds]))
        reported = [r for r in rounds if r.pk in figures.rounds]
        if not reported:
            continue
        latest = reported[-1]
        index = rounds.index(latest)
        previous = rounds[index - 1] if index > 0 else None
        impact, _metrics, _names = _impact(tenant, charter, latest, previous, figures, proxies)
        result.append(impact)
    return result


def organisation_return(*, tenant, organisation, freeze: Freeze, period_end: date) -> dict | None:
    """The organisation's latest return accepted before the freeze, in a round ending by
    `period_end`: its figures and narrative under each pillar. Five queries."""
    member_return = (
        MemberReturn.objects.filter(
            tenant=tenant,
            signatory__organisation=organisation,
            signatory__charter__kind=CharterKind.ANCHOR,
            status=ReturnStatus.ACCEPTED,
            accepted_at__lt=freeze.end,
            round__period_end__lte=period_end,
        )
        .select_related("round", "round__charter")
        .order_by("-round__period_end", "round__charter__title")
        .first()
    )
    if member_return is None:
        return None
    charter = member_return.round.charter
    pillar_metrics = list(pillar_metric_list(tenant=tenant, charter=charter))
    names = _pillar_names(tenant, charter.pk)
    values = dict(
        ReturnFigure.objects.filter(tenant=tenant, member_return=member_return).values_list(
            "pillar_metric_id", "value"
        )
    )
    narratives = dict(
        PillarNarrative.objects.filter(tenant=tenant, member_return=member_return).values_list(
            "pillar_code", "text"
        )
    )
    lines: dict[str, list] = defaultdict(list)
    for pm in pillar_metrics:
        lines[pm.pillar_code].append(
            {"metric": pm.metric.name, "value": _text(values.get(pm.pk), pm.unit)}
        )
    accepted_at = member_return.accepted_at
    accepted_on = accepted_at.astimezone(freeze.end.tzinfo).date() if accepted_at else None
    return {
        "charter": charter.title,
        "round": _round_data(member_return.round),
        "accepted_on": iso(accepted_on),
        "accepted_on_text": date_text(accepted_on),
        "pillars": [
            {
                "code": code,
                "name": names.get(code, code),
                "lines": lines.get(code, []),
                "narrative": narratives.get(code, "").strip(),
            }
            for code in _pillar_order(pillar_metrics, names)
        ],
    }


# --- The Anchor Assembly pack ------------------------------------------------------------------


def _open_actions(tenant, assembly, freeze: Freeze) -> list[dict]:
    """The assembly's actions and those carried from earlier assemblies of the charter that
    were open at the freeze: owner shown as the public sees the member. One query."""
    open_then = Q(status=ActionStatus.OPEN) | Q(status=ActionStatus.DONE, done_on__gt=freeze.day)
    rows = (
        AssemblyAction.objects.filter(tenant=tenant, created_at__lt=freeze.end)
        .filter(
            Q(assembly=assembly)
            | Q(assembly__charter=assembly.charter_id, assembly__held_on__lt=assembly.held_on)
        )
        .filter(open_then)
        .order_by("due_on", "created_at", "id")
        .values_list(
            "text",
            "owner_name",
            "due_on",
            "assembly_id",
            "assembly__title",
            "assembly__held_on",
            "owner_signatory_id",
            *member_column_paths("owner_signatory__"),
        )  # fmt: skip
    )
    actions = []
    for text, owner_name, due_on, assembly_id, title, held_on, owner_id, *columns in rows:
        if owner_id is not None:
            member = member_from_columns(PUBLIC, columns)
            owner = member.name + (f" ({owner_name})" if owner_name and member.named else "")
        else:
            owner = owner_name
        actions.append(
            {
                "text": text,
                "owner": owner,
                "due_on": iso(due_on),
                "due_on_text": date_text(due_on) if due_on else "No date",
                "overdue": due_on is not None and due_on < assembly.held_on,
                "from": "This assembly"
                if assembly_id == assembly.pk
                else f"{title}, {date_text(held_on)}",
            }
        )
    return actions


def assembly_pack(*, tenant, assembly, freeze: Freeze, proxies: dict) -> dict:
    """The Anchor Assembly pack at the freeze: the round the assembly reviews (its own, else
    the latest with returns accepted before the freeze), the collective impact by pillar
    against the round before, each member that reported (named, or under its anonymised
    label) with its figures, rank and, for named members, its narrative; and the open
    actions."""
    charter = assembly.charter
    rounds = _rounds(tenant, charter, period_end=None)
    figures = _Figures(_accepted_figures(tenant, freeze, round_ids=[r.pk for r in rounds]))
    reporting_round = assembly.round if assembly.round in rounds else None
    if reporting_round is None:
        reported = [r for r in rounds if r.pk in figures.rounds]
        reporting_round = reported[-1] if reported else None
    data = {
        "assembly": assembly.title,
        "held_on": iso(assembly.held_on),
        "held_on_text": date_text(assembly.held_on),
        "charter": charter.title,
        "impact": None,
        "members": [],
        "anonymised_count": 0,
        "open_actions": _open_actions(tenant, assembly, freeze),
    }
    if reporting_round is None:
        return data
    index = rounds.index(reporting_round)
    previous = rounds[index - 1] if index > 0 else None
    impact, pillar_metrics, names = _impact(
        tenant, charter, reporting_round, previous, figures, proxies
    )
    data["impact"] = impact
    narratives: dict = defaultdict(dict)
    for signatory_id, code, text in PillarNarrative.objects.filter(
        tenant=tenant,
        member_return__round=reporting_round,
        member_return__status=ReturnStatus.ACCEPTED,
        member_return__accepted_at__lt=freeze.end,
    ).values_list("member_return__signatory_id", "pillar_code", "text"):
        if text.strip():
            narratives[signatory_id][code] = text.strip()
    reported_keys = {
        key
        for (round_id, _pm), values in figures.by_round_metric.items()
        if round_id == reporting_round.pk
        for key in values
    }
    members = sorted(
        (figures.members[key] for key in reported_keys), key=lambda m: (not m.named, m.name)
    )
    order = _pillar_order(pillar_metrics, names)
    values_of = {
        pm.pk: figures.by_round_metric.get((reporting_round.pk, pm.pk), {}) for pm in pillar_metrics
    }
    standings = {
        pm.pk: benchmark(values_of[pm.pk], pm.metric.direction).standings for pm in pillar_metrics
    }
    for member in members:
        said = narratives.get(member.signatory_id, {}) if member.named else {}
        lines: dict[str, list] = defaultdict(list)
        for pm in pillar_metrics:
            value = values_of[pm.pk].get(member.key)
            standing = standings[pm.pk].get(member.key)
            lines[pm.pillar_code].append(
                {
                    "metric": pm.metric.name,
                    "value": _text(value, pm.unit),
                    "rank": f"{standing.rank} of {standing.of}" if standing else "",
                }
            )
        data["members"].append(
            {
                "name": member.name,
                "named": member.named,
                "sector": member.sector_label,
                "pillars": [
                    {
                        "code": code,
                        "name": names.get(code, code),
                        "lines": lines.get(code, []),
                        "narrative": said.get(code, ""),
                    }
                    for code in order
                ],
            }
        )
    data["anonymised_count"] = sum(1 for m in members if not m.named)
    return data
