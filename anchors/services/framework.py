"""Writes for the anchor charter's evidence framework: the KVI engine metrics members report
under each pillar (`pillar_metric_add`; `pillar_metric_update` moves one to another pillar or
place, or in or out of the collective impact; `pillar_metric_remove` takes one out while no
accepted figure uses it), and the default set (`pillar_metrics_seed`), taken from the tenant's
published frameworks or made in a framework of its own."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, ProtectedError
from django.utils import timezone

from anchors.models import FigureQuery, MemberReturn, PillarMetric, ReturnFigure, ReturnStatus
from anchors.services.common import own, require_anchor_charter
from charters.models import Charter, Theme
from kvi import services as kvi_services
from kvi.models import CrosswalkScheme, Framework, FrameworkStatus, Metric, Unit
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record


@dataclass(frozen=True)
class MetricSpec:
    pillar_code: str
    code: str
    name: str
    definition: str
    unit: str
    direction: str
    aggregation: str
    in_collective_total: bool = False


# The evidence framework's default metrics (the examples). Percentages are never added
# up; counts, hours, £ and tCO2e reduced make the charter's collective impact.
DEFAULT_METRICS = [
    MetricSpec(
        "purchasing",
        "ANC-LOCAL-SPEND-PCT",
        "Spend with local suppliers (%)",
        "Share of the period's non-pay spend with suppliers whose postcode is in the area.",
        Unit.PERCENT,
        "increase",
        "average",
    ),
    MetricSpec(
        "purchasing",
        "ANC-LOCAL-SPEND",
        "Spend with local suppliers (£)",
        "Non-pay spend in the period with suppliers whose postcode is in the area.",
        Unit.POUNDS,
        "increase",
        "sum",
        True,
    ),
    MetricSpec(
        "purchasing",
        "ANC-SV-CONTRACTS",
        "Contracts with a social value weighting (%)",
        "Share of contracts awarded in the period with a social value weighting of 10% or more.",
        Unit.PERCENT,
        "increase",
        "average",
    ),
    MetricSpec(
        "buildings",
        "ANC-ESTATE-HOURS",
        "Community use of the estate (hours)",
        "Hours community groups used the member's buildings and spaces in the period.",
        Unit.HOURS,
        "increase",
        "sum",
        True,
    ),
    MetricSpec(
        "workforce",
        "ANC-LOCAL-EMPLOYED",
        "Local people employed",
        "People employed at the end of the period whose home postcode is in the area.",
        Unit.PEOPLE,
        "increase",
        "latest",
        True,
    ),
    MetricSpec(
        "workforce",
        "ANC-APPRENTICESHIPS",
        "Apprenticeships started",
        "Apprenticeships (levels 2 to 7) started in the period.",
        Unit.COUNT,
        "increase",
        "sum",
        True,
    ),
    MetricSpec(
        "workforce",
        "ANC-REAL-LIVING-WAGE",
        "Staff paid at least the Real Living Wage (%)",
        "Share of directly employed staff paid at least the Real Living Wage at the period end.",
        Unit.PERCENT,
        "increase",
        "latest",
    ),
    MetricSpec(
        "environment",
        "ANC-EMISSIONS-REDUCED",
        "Carbon emissions reduced (tCO2e)",
        "Scope 1 and 2 emissions reduced in the period against the member's baseline year.",
        Unit.TCO2E,
        "increase",
        "sum",
        True,
    ),
]
EVIDENCE_FRAMEWORK_NAME = "Anchor Institution Charter evidence framework"
SUMMABLE_UNITS = frozenset(Unit.values) - {Unit.PERCENT}


# --- Pillar metrics -------------------------------------------------------------------------


def pillar_metric_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    charter: Charter,
    pillar_code: str,
    metric: Metric,
    in_collective_total: bool = False,
) -> PillarMetric:
    """Add a KVI engine metric to the evidence framework under a pillar. A percentage is never
    added up into the collective impact."""
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, charter)
    own(tenant, metric, "This metric")
    pillar_codes = set(
        Theme.objects.filter(tenant=tenant, version__charter=charter).values_list("code", flat=True)
    )
    errors = {}
    if pillar_code not in pillar_codes:
        errors["pillar_code"] = "Choose one of the charter's pillars."
    if metric.organisation_id is not None:
        errors["metric"] = "Choose one of the programme's metrics, not an organisation's own."
    if in_collective_total and metric.unit not in SUMMABLE_UNITS:
        errors["in_collective_total"] = (
            f"{metric.name} is a percentage: percentages cannot be added up across members."
        )
    if PillarMetric.objects.filter(tenant=tenant, charter=charter, metric=metric).exists():
        errors["metric"] = f"{metric.name} is already in the evidence framework."
    if errors:
        raise ValidationError(errors)
    position = (
        PillarMetric.objects.filter(tenant=tenant, charter=charter).aggregate(m=Max("position"))[
            "m"
        ]
        or 0
    ) + 1
    pillar_metric = PillarMetric.objects.create(
        tenant=tenant,
        charter=charter,
        pillar_code=pillar_code,
        metric=metric,
        unit=metric.unit,
        in_collective_total=in_collective_total,
        position=position,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_pillar_metric.added",
        obj=pillar_metric,
        changes={"pillar": pillar_code, "metric": metric.code, "unit": metric.unit},
    )
    return pillar_metric


def _pillar_names(tenant, charter: Charter) -> dict[str, str]:
    """The charter's pillar codes (of every version) and their names, the latest version's."""
    return dict(
        Theme.objects.filter(tenant=tenant, version__charter=charter)
        .order_by("version__number")
        .values_list("code", "name")
    )


def pillar_metric_update(
    *,
    tenant,
    actor,
    access: TenantAccess,
    pillar_metric: PillarMetric,
    pillar_code: str,
    position: int,
    in_collective_total: bool,
) -> PillarMetric:
    """Move a metric of the evidence framework to another pillar, or to another place
    (`position`, from 1, among the metrics under its pillar), or in or out of the collective
    impact. Figures already reported stay with it."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, pillar_metric, "This metric")
    charter = pillar_metric.charter
    require_anchor_charter(tenant, charter)
    metric = pillar_metric.metric
    pillars = _pillar_names(tenant, charter)
    errors = {}
    if pillar_code not in pillars:
        errors["pillar_code"] = "Choose one of the charter's pillars."
    if in_collective_total and pillar_metric.unit not in SUMMABLE_UNITS:
        errors["in_collective_total"] = (
            f"{metric.name} is a percentage: percentages cannot be added up across members."
        )
    with transaction.atomic():
        others = list(
            PillarMetric.objects.select_for_update()
            .filter(tenant=tenant, charter=charter)
            .exclude(pk=pillar_metric.pk)
            .order_by("position", "created_at")
        )
        same = [m for m in others if m.pillar_code == pillar_code]
        if "pillar_code" not in errors and not 1 <= position <= len(same) + 1:
            errors["position"] = (
                f"Enter a number from 1 to {len(same) + 1}: there "
                f"{'is' if len(same) == 1 else 'are'} {len(same)} other metric"
                f"{'' if len(same) == 1 else 's'} under {pillars[pillar_code]}."
                if same
                else f"Enter 1: it is the only metric under {pillars[pillar_code]}."
            )
        if errors:
            raise ValidationError(errors)
        if position <= len(same):
            at = others.index(same[position - 1])
        else:
            at = others.index(same[-1]) + 1 if same else len(others)
        ordered = [*others[:at], pillar_metric, *others[at:]]
        old_position = pillar_metric.position
        changes: dict = {}
        if pillar_code != pillar_metric.pillar_code:
            changes["pillar"] = [pillar_metric.pillar_code, pillar_code]
        if in_collective_total != pillar_metric.in_collective_total:
            changes["in_collective_total"] = [
                pillar_metric.in_collective_total,
                in_collective_total,
            ]
        now = timezone.now()
        moved = []
        for number, item in enumerate(ordered, start=1):
            if item.position != number:
                item.position, item.updated_at = number, now
                if item.pk != pillar_metric.pk:
                    moved.append(item)
        PillarMetric.objects.bulk_update(moved, ["position", "updated_at"])
        if pillar_metric.position != old_position:
            changes["position"] = [old_position, pillar_metric.position]
        pillar_metric.pillar_code = pillar_code
        pillar_metric.in_collective_total = in_collective_total
        pillar_metric.save(
            update_fields=["pillar_code", "in_collective_total", "position", "updated_at"]
        )
    if changes:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_pillar_metric.changed",
            obj=pillar_metric,
            changes={"metric": metric.code, **changes},
        )
    return pillar_metric


def _removal_refused(metric: Metric, accepted: int | None) -> str:
    figures = "figures" if accepted is None else f"{accepted} figure{'' if accepted == 1 else 's'}"
    return (
        f"{metric.name} has {figures} in accepted returns: it cannot be removed from the "
        "evidence framework, or the dashboard would lose them."
    )


def pillar_metric_remove(
    *, tenant, actor, access: TenantAccess, pillar_metric: PillarMetric
) -> int:
    """Take a metric out of the evidence framework. Refused while an accepted return has a
    figure for it (the dashboard and the assemblies' packs count those); figures for it in
    returns not yet accepted are removed with it. Returns how many figures were removed."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, pillar_metric, "This metric")
    require_anchor_charter(tenant, pillar_metric.charter)
    metric = pillar_metric.metric
    figures = ReturnFigure.objects.filter(tenant=tenant, pillar_metric=pillar_metric)
    try:
        with transaction.atomic():
            accepted = figures.filter(member_return__status=ReturnStatus.ACCEPTED).count()
            if accepted:
                raise ValidationError(_removal_refused(metric, accepted))
            unaccepted = figures.exclude(member_return__status=ReturnStatus.ACCEPTED)
            return_ids = set(unaccepted.values_list("member_return_id", flat=True))
            # Their queries go with them; a figure of a return accepted meanwhile is protected.
            _count, deleted = unaccepted.delete()
            removed = deleted.get(ReturnFigure._meta.label, 0)
            PillarMetric.objects.filter(tenant=tenant, pk=pillar_metric.pk).delete()
            # A return queried only about this metric's figures waits for no answer any more.
            waiting = FigureQuery.objects.filter(
                tenant=tenant, figure__member_return=OuterRef("pk"), responded_at__isnull=True
            )
            MemberReturn.objects.filter(
                tenant=tenant, pk__in=return_ids, status=ReturnStatus.QUERIED
            ).filter(~Exists(waiting)).update(
                status=ReturnStatus.SUBMITTED, updated_at=timezone.now()
            )
            audit_record(
                tenant=tenant,
                actor=actor,
                verb="anchor_pillar_metric.removed",
                obj=pillar_metric,
                changes={
                    "metric": metric.code,
                    "pillar": pillar_metric.pillar_code,
                    "figures_removed": removed,
                },
            )
    except ProtectedError:
        raise ValidationError(_removal_refused(metric, None)) from None
    return removed


def _published_metrics(tenant) -> dict[str, Metric]:
    metrics = Metric.objects.filter(
        tenant=tenant,
        organisation__isnull=True,
        framework__status=FrameworkStatus.PUBLISHED,
    ).order_by("-framework__published_at")
    found: dict[str, Metric] = {}
    for metric in metrics:
        found.setdefault(metric.code.upper(), metric)
    return found


def _make_metrics(tenant, actor, access, charter: Charter, specs: list[MetricSpec]) -> None:
    """Put the missing default metrics in the tenant's anchor evidence framework (a new one, or
    a new version of it) and publish it (KVI engine services, so audited)."""
    admin = {"tenant": tenant, "actor": actor, "access": access}
    existing = (
        Framework.objects.filter(tenant=tenant, name=EVIDENCE_FRAMEWORK_NAME)
        .order_by("-version")
        .first()
    )
    if existing is None:
        framework = kvi_services.framework_create(
            **admin,
            name=EVIDENCE_FRAMEWORK_NAME,
            description=f"What members of {charter.title} report under each pillar.",
        )
    elif existing.status == FrameworkStatus.DRAFT:
        framework = existing
    else:
        framework = kvi_services.framework_new_version(**admin, framework=existing)
    names = dict(
        Theme.objects.filter(tenant=tenant, version__charter=charter).values_list("code", "name")
    )
    subthemes = {}
    for theme in framework.themes.prefetch_related("subthemes"):
        for subtheme in theme.subthemes.all():
            subthemes[theme.name] = subtheme
    for position, spec in enumerate(specs, start=1):
        theme_name = names.get(spec.pillar_code, spec.pillar_code)
        if theme_name not in subthemes:
            theme = kvi_services.theme_save(
                **admin, framework=framework, name=theme_name, position=len(subthemes) + 1
            )
            subthemes[theme_name] = kvi_services.subtheme_save(
                **admin, theme=theme, name="Anchor evidence"
            )
        metric = kvi_services.metric_save(
            **admin,
            subtheme=subthemes[theme_name],
            code=spec.code,
            name=spec.name,
            definition=spec.definition,
            unit=spec.unit,
            direction=spec.direction,
            aggregation=spec.aggregation,
            position=position,
        )
        kvi_services.crosswalk_add(
            **admin,
            metric=metric,
            scheme=CrosswalkScheme.ANCHOR_PILLAR,
            item_code=spec.pillar_code,
            item_label=theme_name,
        )
    kvi_services.framework_publish(**admin, framework=framework)


def pillar_metrics_seed(*, tenant, actor, access: TenantAccess, charter: Charter) -> int:
    """The default evidence framework: each default metric found by code among the tenant's
    published metrics, or made (and published) in the tenant's anchor evidence framework.
    Needs MANAGE_CHARTERS, and MANAGE_FRAMEWORKS when metrics have to be made. Metrics
    already in the charter's framework are left alone. Returns how many were added."""
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, charter)
    found = _published_metrics(tenant)
    missing = [spec for spec in DEFAULT_METRICS if spec.code not in found]
    if missing:
        access.require(Perm.MANAGE_FRAMEWORKS)
        _make_metrics(tenant, actor, access, charter, missing)
        found = _published_metrics(tenant)
    in_framework = set(
        PillarMetric.objects.filter(tenant=tenant, charter=charter).values_list(
            "metric__code", flat=True
        )
    )
    added = 0
    for spec in DEFAULT_METRICS:
        metric = found[spec.code]
        if metric.code in in_framework:
            continue
        if metric.unit != spec.unit:
            raise ValidationError(
                f"The programme's metric {metric.code} is measured in {metric.unit}, not "
                f"{spec.unit}: change it or add the anchor metrics by hand."
            )
        pillar_metric_add(
            tenant=tenant,
            actor=actor,
            access=access,
            charter=charter,
            pillar_code=spec.pillar_code,
            metric=metric,
            in_collective_total=spec.in_collective_total,
        )
        added += 1
    return added
