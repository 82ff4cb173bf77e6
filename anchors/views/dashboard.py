"""The anchor charter's performance dashboard: the collective impact and its trend, each metric
benchmarked per round (rank, quartile, median, sector peers separately), the viewer's own
standing, each member's figures over the rounds, and the CSV/XLSX download.

Everyone with a role in the programme (VIEW_CHARTERS) sees it, disclosure applied by
anchors.selectors.performance.dashboard: an anonymised member is its label, and has no figures page
reachable by id. Thin: anchors.selectors and anchors.dashboard_tables read; a fixed number of
queries however many members, metrics and rounds.
"""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse

from anchors import dashboard_tables as tables
from anchors import exports, selectors
from anchors.dashboard_charts import benchmark_bars_svg, trend_chart_svg
from anchors.models import ReturnStatus
from anchors.selectors import performance
from anchors.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm


def anchor_charter_or_404(request, charter_slug):
    charter = selectors.anchor_charter_list(tenant=request.tenant).filter(slug=charter_slug).first()
    if charter is None:
        raise Http404("There is no anchor charter at this address.")
    return charter


class DashboardChoiceForm(forms.Form):
    """Which round and metric to benchmark (GET; both optional)."""

    round = forms.ChoiceField(label="Reporting round", required=False)
    metric = forms.ChoiceField(label="Metric", required=False)

    def __init__(self, data, *, board):
        super().__init__(data)
        self.fields["round"].choices = [(str(r.pk), r.name) for r in reversed(board.rounds)]
        self.fields["metric"].choices = [
            (
                str(pm.pk),
                f"{board.pillar_names.get(pm.pillar_code, pm.pillar_code)}: {pm.metric.name}",
            )
            for pm in board.pillar_metrics
        ]
        self.fields["round"].error_messages["invalid_choice"] = (
            "Choose a reporting round from the list"
        )
        self.fields["metric"].error_messages["invalid_choice"] = "Choose a metric from the list"


def _default_round(board):
    """The latest round with an accepted figure, else the latest round."""
    reported = {round_id for (_key, _pm, round_id) in board.figures}
    for reporting_round in reversed(board.rounds):
        if reporting_round.pk in reported:
            return reporting_round
    return board.rounds[-1] if board.rounds else None


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_dashboard(request, charter_slug):
    charter = anchor_charter_or_404(request, charter_slug)
    board = performance.dashboard(tenant=request.tenant, access=request.access, charter=charter)
    choice = DashboardChoiceForm(request.GET or None, board=board)
    chosen = choice.cleaned_data if choice.is_valid() else {}
    rounds = {str(r.pk): r for r in board.rounds}
    metrics = {str(pm.pk): pm for pm in board.pillar_metrics}
    reporting_round = rounds.get(chosen.get("round") or "") or _default_round(board)
    pillar_metric = metrics.get(chosen.get("metric") or "") or (
        board.pillar_metrics[0] if board.pillar_metrics else None
    )
    context = {
        "charter": charter,
        "board": board,
        "choice": choice,
        "reporting_round": reporting_round,
        "pillar_metric": pillar_metric,
        "programme_team": request.access.can(Perm.MANAGE_CHARTERS),
        "breadcrumbs": crumbs(request.tenant, ("Performance dashboard", None)),
        "collective": [],
        "value_trend": [],
    }
    if board.rounds:
        collective = tables.collective_lines(board)
        context["collective"] = [
            {
                "line": line,
                "chart": trend_chart_svg(
                    line.totals,
                    title=f"Collective {line.pillar_metric.metric.name} by round",
                    unit=line.pillar_metric.unit,
                    direction=line.pillar_metric.metric.direction,
                    chart_id=f"collective-{n}",
                ),
            }
            for n, line in enumerate(collective)
        ]
        context["value_chart"] = trend_chart_svg(
            [(v.reporting_round, v.net) for v in board.value],
            title="Monetised social value (net) by round",
            unit="£",
            direction="increase",
            chart_id="collective-value",
        )
        context["priced"] = any(v.gross is not None for v in board.value)
    if reporting_round is not None and pillar_metric is not None:
        rows = tables.benchmark_rows(board, pillar_metric, reporting_round)
        metric_round = board.benchmarks[(pillar_metric.pk, reporting_round.pk)]
        context.update(
            rows=rows,
            overall=metric_round.overall,
            sectors=tables.sector_benchmarks(board, pillar_metric, reporting_round),
            bars=benchmark_bars_svg(
                [(row.member.name, row.standing.value, row.member.is_own) for row in rows],
                title=f"{pillar_metric.metric.name}, {reporting_round.name}: members, best first",
                unit=pillar_metric.unit,
                median=metric_round.overall.median,
            ),
            own=tables.own_standings(board, reporting_round),
        )
    return render(request, "anchors/dashboard/dashboard.html", context)


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_dashboard_export(request, charter_slug, file_format="csv"):
    charter = anchor_charter_or_404(request, charter_slug)
    board = performance.dashboard(tenant=request.tenant, access=request.access, charter=charter)
    return exports.dashboard_download(
        board, file_format=file_format, tenant_slug=request.tenant.slug
    )


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_member_figures(request, charter_slug, signatory_id):
    """One member's figures over the rounds. Its own organisation and the programme team see
    every return it sent (with the status); others see its accepted figures when it is named.
    A member anonymised to the viewer is not found (its id must not lead to it)."""
    charter = anchor_charter_or_404(request, charter_slug)
    signatory = tables.signatory_for_figures(
        tenant=request.tenant, charter=charter, pk=signatory_id
    )
    viewer = selectors.Viewer.of(request.access)
    member = tables.member_as_seen(viewer, signatory) if signatory else None
    if member is None or not member.named:
        raise Http404("There is no member at this address.")
    board = performance.dashboard(tenant=request.tenant, access=request.access, charter=charter)
    sees_returns = viewer.programme_team or member.is_own
    own_figures = (
        performance.member_figures(
            tenant=request.tenant, access=request.access, signatory=signatory
        )
        if sees_returns
        else {}
    )
    metrics = []
    for n, pm in enumerate(board.pillar_metrics):
        series = board.series(member.key, pm.pk)
        cells = []
        for index, (reporting_round, accepted) in enumerate(series):
            figure = own_figures[pm.pk][index][1] if sees_returns else None
            cells.append(
                {
                    "round": reporting_round,
                    "accepted": accepted,
                    "figure": figure,
                    "status": figure.member_return.get_status_display()
                    if figure is not None and figure.member_return.status != ReturnStatus.ACCEPTED
                    else "",
                    "standing": board.standing(member, pm.pk, reporting_round.pk),
                    "peers": board.standing(member, pm.pk, reporting_round.pk, peers=True),
                }
            )
        reported = any(value is not None for _r, value in series)
        metrics.append(
            {
                "pillar_metric": pm,
                "pillar": board.pillar_names.get(pm.pillar_code, pm.pillar_code),
                "cells": cells,
                "chart": trend_chart_svg(
                    series,
                    title=f"{member.name}: {pm.metric.name} by round (accepted figures)",
                    unit=pm.unit,
                    direction=pm.metric.direction,
                    chart_id=f"member-metric-{n}",
                )
                if reported
                else "",
                "shown": reported or any(c["figure"] is not None for c in cells),
            }
        )
    return render(
        request,
        "anchors/dashboard/member_figures.html",
        {
            "charter": charter,
            "board": board,
            "member": member,
            "sees_returns": sees_returns,
            "metrics": [m for m in metrics if m["shown"]],
            "breadcrumbs": crumbs(
                request.tenant,
                (
                    "Performance dashboard",
                    reverse("anchor_dashboard", args=[request.tenant.slug, charter.slug]),
                ),
                (member.name, None),
            ),
        },
    )


urlpatterns = [
    path("<slug:charter_slug>/dashboard/", anchor_dashboard, name="anchor_dashboard"),
    path(
        "<slug:charter_slug>/dashboard.csv",
        anchor_dashboard_export,
        {"file_format": "csv"},
        name="anchor_dashboard_export",
    ),
    path(
        "<slug:charter_slug>/dashboard.xlsx",
        anchor_dashboard_export,
        {"file_format": "xlsx"},
        name="anchor_dashboard_export_xlsx",
    ),
    path(
        "<slug:charter_slug>/members/<uuid:signatory_id>/figures/",
        anchor_member_figures,
        name="anchor_member_figures",
    ),
]
