"""The data part of each kind of report: an organisation's social value report, the system
report and the Anchor Assembly pack. Each reads the tenant's data as it stood at the report's
freeze (reporting.content.common.Freeze) in a fixed number of queries."""

from collections import Counter
from datetime import date

from kvi.models import Framework, FrameworkStatus
from kvi.selectors import framework_tree
from reporting.content import anchors, kvis, standing
from reporting.content.common import Freeze, date_text, iso, proxies_at_freeze


def _as_at(period_end: date, freeze: Freeze) -> date:
    """The day standing (signatures, awards) is read at: the period end, or the freeze day
    when that comes first."""
    return min(period_end, freeze.day)


def framework_table(*, tenant, organisation, freeze: Freeze, kvi_list) -> dict | None:
    """The social value framework the organisation's KVIs belong to (the most used; without
    KVIs, the tenant's published framework): themes -> sub-themes -> metrics (the tenant's
    and the organisation's own). Six queries at most."""
    used = Counter(kvi.metric.framework_id for kvi in kvi_list)
    framework_id = used.most_common(1)[0][0] if used else None
    if framework_id is None:
        framework_id = (
            Framework.objects.filter(
                tenant=tenant, status=FrameworkStatus.PUBLISHED, created_at__lt=freeze.end
            )
            .order_by("name")
            .values_list("id", flat=True)
            .first()
        )
    if framework_id is None:
        return None
    framework = framework_tree(tenant=tenant, framework_id=framework_id, organisation=organisation)
    if framework is None:
        return None
    themes = []
    for theme in framework.themes.all():
        subthemes = []
        for subtheme in theme.subthemes.all():
            metrics = [m for m in subtheme.metrics.all() if m.created_at < freeze.end]
            subthemes.append(
                {
                    "name": subtheme.name,
                    "description": subtheme.description,
                    "metrics": [
                        {"code": m.code, "name": m.name, "own": m.organisation_id is not None}
                        for m in metrics
                    ],
                }
            )
        themes.append({"name": theme.name, "subthemes": subthemes})
    return {"name": framework.name, "version": framework.version, "themes": themes}


def organisation_data(report, freeze: Freeze) -> dict:
    tenant, organisation, period_end = report.tenant, report.organisation, report.period_end
    if organisation is None:
        raise ValueError("An organisation report needs its organisation.")
    figures = kvis.figures_for(
        tenant=tenant, freeze=freeze, as_of=period_end, organisation=organisation
    )
    year, last_year = kvis.financial_years(period_end)
    by_id = {str(item.kvi.pk): item for item in figures}
    charts = [
        kvis.chart_data(by_id[kvi_id])
        for kvi_id in dict.fromkeys(str(k) for k in report.chart_kvi_ids or [])
        if kvi_id in by_id
    ]
    proxy_set, proxies = proxies_at_freeze(tenant=tenant, freeze=freeze)
    return {
        "framework": framework_table(
            tenant=tenant,
            organisation=organisation,
            freeze=freeze,
            kvi_list=[item.kvi for item in figures],
        ),
        "kvis": {
            "financial_year": year,
            "previous_financial_year": last_year,
            "as_of": iso(period_end),
            "as_of_text": date_text(period_end),
            "count": len(figures),
            "themes": kvis.kvi_table(figures, report.narratives or {}),
        },
        "charts": charts,
        "standing": standing.organisation_standing(
            tenant=tenant,
            organisation=organisation,
            freeze=freeze,
            as_at=_as_at(period_end, freeze),
        ),
        "anchor_return": anchors.organisation_return(
            tenant=tenant, organisation=organisation, freeze=freeze, period_end=period_end
        ),
        "value": kvis.value_by_theme(
            figures, financial_year=year, proxies=proxies, proxy_set=proxy_set
        ),
    }


def system_data(report, freeze: Freeze) -> dict:
    tenant, period_end = report.tenant, report.period_end
    as_at = _as_at(period_end, freeze)
    figures = kvis.figures_for(tenant=tenant, freeze=freeze, as_of=period_end)
    year, _last_year = kvis.financial_years(period_end)
    proxy_set, proxies = proxies_at_freeze(tenant=tenant, freeze=freeze)
    totals = kvis.totals_across(figures, financial_year=year, proxies=proxies, proxy_set=proxy_set)
    return {
        "signatories": standing.signatories_over_time(tenant=tenant, freeze=freeze, as_at=as_at),
        "awards": standing.awards_summary(tenant=tenant, freeze=freeze, as_at=as_at),
        "anchor_impact": anchors.collective_impact(
            tenant=tenant, freeze=freeze, period_end=period_end, proxies=proxies
        ),
        "kvi_totals": totals,
        "value": {
            "financial_year": year,
            "proxy_set": proxy_set,
            "by_theme": kvis.value_by_theme(
                figures, financial_year=year, proxies=proxies, proxy_set=proxy_set
            ),
            "by_organisation": [
                {"name": row["name"], "gross": row["gross"], "net": row["net"]}
                for row in totals["organisations"]
                if row["priced"]
            ],
        },
    }


def assembly_data(report, freeze: Freeze) -> dict:
    if report.assembly is None:
        raise ValueError("An Anchor Assembly pack needs its assembly.")
    _proxy_set, proxies = proxies_at_freeze(tenant=report.tenant, freeze=freeze)
    return anchors.assembly_pack(
        tenant=report.tenant, assembly=report.assembly, freeze=freeze, proxies=proxies
    )
