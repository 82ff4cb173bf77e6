"""Reads of the anchor API that the pages do not need: charters with their pillars,
priorities and evidence framework, for many charters at once."""

from django.db.models import Prefetch

from anchors.models import PillarMetric, Priority
from charters.models import CharterVersion, Theme


def charter_payloads(*, tenant, charters) -> list[dict]:
    """Each charter with its current version's pillars and priorities and its evidence
    framework. Four queries, however many charters."""
    charters = list(charters)
    ids = [c.pk for c in charters]
    current: dict = {}
    for version in CharterVersion.objects.filter(tenant=tenant, charter__in=ids).order_by(
        "-number"
    ):
        chosen = current.get(version.charter_id)
        if chosen is None or (version.status == "published" and chosen.status != "published"):
            current[version.charter_id] = version
    themes = (
        Theme.objects.filter(tenant=tenant, version__in=[v.pk for v in current.values()])
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "anchor_priorities",
                queryset=Priority.objects.filter(tenant=tenant).order_by("position"),
                to_attr="priority_list",
            )
        )
    )
    pillars: dict = {}
    for theme in themes:
        pillars.setdefault(theme.version_id, []).append(
            {
                "code": theme.code,
                "name": theme.name,
                "priorities": [
                    {"code": p.code, "text": p.text, "kind": p.kind} for p in theme.priority_list
                ],
            }
        )
    metrics: dict = {}
    for pm in (
        PillarMetric.objects.filter(tenant=tenant, charter__in=ids)
        .select_related("metric")
        .order_by("position")
    ):
        metrics.setdefault(pm.charter_id, []).append(
            {
                "code": pm.metric.code,
                "name": pm.metric.name,
                "pillar": pm.pillar_code,
                "unit": pm.unit,
                "direction": pm.metric.direction,
                "in_collective_total": pm.in_collective_total,
            }
        )
    payloads = []
    for charter in charters:
        chosen = current.get(charter.pk)
        payloads.append(
            {
                "slug": charter.slug,
                "title": charter.title,
                "current_version": {"number": chosen.number, "status": chosen.status}
                if chosen
                else None,
                "pillars": pillars.get(chosen.pk, []) if chosen else [],
                "metrics": metrics.get(charter.pk, []),
                "updated_at": charter.updated_at,
            }
        )
    return payloads
