"""Writes for social value frameworks: versions, themes, sub-themes, metrics and crosswalks.

A framework version is edited while it is a draft; publishing it supersedes the version before,
and `framework_new_version` copies a version (themes, sub-themes, metrics, crosswalks) into the
next draft. An organisation may add its own metrics to its tenant's published framework (the
only change a published version accepts). Every function takes `tenant`, the actor and their
`access`, refuses before writing, and records an audit event.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kvi.models import (
    Aggregation,
    Crosswalk,
    CrosswalkScheme,
    Direction,
    Framework,
    FrameworkStatus,
    FrameworkTheme,
    Metric,
    MetricFeed,
    SubTheme,
    Unit,
)
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record


def _require_draft(framework: Framework) -> None:
    if framework.status != FrameworkStatus.DRAFT:
        raise ValidationError(
            f"{framework} is {framework.get_status_display().lower()}: only a draft version "
            "can be changed. Copy it to a new version first."
        )


def _check_tenant(tenant, obj, field: str) -> None:
    if obj.tenant_id != tenant.id:
        raise ValidationError({field: "Choose one of this programme's."})


# --- Framework versions ---------------------------------------------------------------------


def framework_create(
    *, tenant, actor, access: TenantAccess, name: str, description: str = ""
) -> Framework:
    """A new framework: version 1, draft."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the framework's name."})
    if Framework.objects.filter(tenant=tenant, name__iexact=name).exists():
        raise ValidationError(
            {"name": f"There is already a framework called {name}: make a new version of it."}
        )
    framework = Framework.objects.create(
        tenant=tenant, name=name, version=1, description=description.strip()
    )
    audit_record(
        tenant=tenant, actor=actor, verb="framework.created", obj=framework, changes={"name": name}
    )
    return framework


def framework_publish(*, tenant, actor, access: TenantAccess, framework: Framework) -> Framework:
    """Publish a draft version; the version published before it becomes superseded."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_tenant(tenant, framework, "framework")
    if not Metric.objects.filter(tenant=tenant, framework=framework).exists():
        raise ValidationError({"metrics": "Add at least one metric before publishing."})
    now = timezone.now()
    with transaction.atomic():
        superseded = list(
            Framework.objects.filter(
                tenant=tenant, name=framework.name, status=FrameworkStatus.PUBLISHED
            ).values_list("pk", flat=True)
        )
        Framework.objects.filter(pk__in=superseded, status=FrameworkStatus.PUBLISHED).update(
            status=FrameworkStatus.SUPERSEDED, updated_at=now
        )
        if not Framework.objects.filter(pk=framework.pk, status=FrameworkStatus.DRAFT).update(
            status=FrameworkStatus.PUBLISHED, published_at=now, updated_at=now
        ):
            raise ValidationError("Only a draft version can be published.")
    framework.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="framework.published",
        obj=framework,
        changes={"version": framework.version, "superseded": [str(pk) for pk in superseded]},
    )
    return framework


def framework_new_version(
    *, tenant, actor, access: TenantAccess, framework: Framework
) -> Framework:
    """Copy a version (themes, sub-themes, metrics, organisations' own metrics, crosswalks) into
    the next version, a draft. KVIs stay on the metrics of the version they were set on."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_tenant(tenant, framework, "framework")
    if Framework.objects.filter(
        tenant=tenant, name=framework.name, status=FrameworkStatus.DRAFT
    ).exists():
        raise ValidationError(
            {"framework": f"{framework.name} already has a draft version: change that one."}
        )
    with transaction.atomic():
        latest = Framework.objects.filter(tenant=tenant, name=framework.name).aggregate(
            Max("version")
        )["version__max"]
        copy = Framework.objects.create(
            tenant=tenant,
            name=framework.name,
            version=latest + 1,
            description=framework.description,
            copied_from=framework,
        )
        subtheme_map: dict = {}
        for theme in FrameworkTheme.objects.filter(tenant=tenant, framework=framework):
            new_theme = FrameworkTheme.objects.create(
                tenant=tenant, framework=copy, name=theme.name, position=theme.position
            )
            for subtheme in SubTheme.objects.filter(tenant=tenant, theme=theme):
                subtheme_map[subtheme.pk] = SubTheme.objects.create(
                    tenant=tenant,
                    theme=new_theme,
                    name=subtheme.name,
                    description=subtheme.description,
                    position=subtheme.position,
                )
        metric_map: dict = {}
        for metric in Metric.objects.filter(tenant=tenant, framework=framework):
            old_pk = metric.pk
            metric.pk = None
            metric.id = None
            metric._state.adding = True
            metric.framework = copy
            metric.subtheme = subtheme_map[metric.subtheme_id]
            metric.save()
            metric_map[old_pk] = metric
        Crosswalk.objects.bulk_create(
            Crosswalk(
                tenant=tenant,
                metric=metric_map[crosswalk.metric_id],
                scheme=crosswalk.scheme,
                item_code=crosswalk.item_code,
                item_label=crosswalk.item_label,
            )
            for crosswalk in Crosswalk.objects.filter(tenant=tenant, metric__framework=framework)
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="framework.version_created",
        obj=copy,
        changes={"copied_from": str(framework.pk), "version": copy.version},
    )
    return copy


# --- Themes and sub-themes ------------------------------------------------------------------


def theme_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    framework: Framework,
    name: str,
    position: int = 0,
    theme: FrameworkTheme | None = None,
) -> FrameworkTheme:
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_tenant(tenant, framework, "framework")
    _require_draft(framework)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the theme's name."})
    clash = FrameworkTheme.objects.filter(tenant=tenant, framework=framework, name__iexact=name)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise ValidationError({"name": f"This framework already has a theme called {name}."})
    if theme is None:
        theme = FrameworkTheme.objects.create(
            tenant=tenant, framework=framework, name=name, position=position
        )
        verb = "framework_theme.created"
    else:
        theme.name, theme.position = name, position
        theme.save(update_fields=["name", "position", "updated_at"])
        verb = "framework_theme.changed"
    audit_record(tenant=tenant, actor=actor, verb=verb, obj=theme, changes={"name": name})
    return theme


def subtheme_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    theme: FrameworkTheme,
    name: str,
    description: str = "",
    position: int = 0,
    subtheme: SubTheme | None = None,
) -> SubTheme:
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_tenant(tenant, theme, "theme")
    _require_draft(theme.framework)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the sub-theme's name."})
    clash = SubTheme.objects.filter(tenant=tenant, theme=theme, name__iexact=name)
    if subtheme is not None:
        clash = clash.exclude(pk=subtheme.pk)
    if clash.exists():
        raise ValidationError({"name": f"This theme already has a sub-theme called {name}."})
    if subtheme is None:
        subtheme = SubTheme.objects.create(
            tenant=tenant,
            theme=theme,
            name=name,
            description=description.strip(),
            position=position,
        )
        verb = "subtheme.created"
    else:
        subtheme.name, subtheme.description = name, description.strip()
        subtheme.position = position
        subtheme.save(update_fields=["name", "description", "position", "updated_at"])
        verb = "subtheme.changed"
    audit_record(tenant=tenant, actor=actor, verb=verb, obj=subtheme, changes={"name": name})
    return subtheme


# --- Metrics --------------------------------------------------------------------------------


def _require_metric_permission(*, tenant, access: TenantAccess, organisation, framework) -> None:
    if organisation is None:
        access.require(Perm.MANAGE_FRAMEWORKS)
        _require_draft(framework)
        return
    if not (
        access.can(Perm.MANAGE_FRAMEWORKS)
        or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.id)
    ):
        raise PermissionDenied("You may not add metrics for this organisation.")
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError({"organisation": "This organisation is not in this programme."})
    if framework.status == FrameworkStatus.SUPERSEDED:
        raise ValidationError(
            {"framework": "This version has been superseded: add metrics to the current one."}
        )


def metric_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    subtheme: SubTheme,
    code: str,
    name: str,
    definition: str,
    unit: str,
    direction: str,
    aggregation: str,
    proxy_measure_code: str = "",
    organisation=None,
    position: int = 0,
    metric: Metric | None = None,
    feed: str | None = None,
) -> Metric:
    """Create or change a metric. With `organisation`, the organisation's own metric, which its
    admins may add to the published framework; without, the tenant's (draft versions only).
    `feed` None keeps a metric's feed (a new metric's figures are entered)."""
    _check_tenant(tenant, subtheme, "subtheme")
    framework = subtheme.theme.framework
    if metric is not None:
        _check_tenant(tenant, metric, "metric")
        organisation = metric.organisation
        if metric.framework_id != framework.pk:
            raise ValidationError({"subtheme": "Choose a sub-theme of this framework version."})
    _require_metric_permission(
        tenant=tenant, access=access, organisation=organisation, framework=framework
    )
    code, name, definition = code.strip().upper(), name.strip(), definition.strip()
    errors = {}
    if not code:
        errors["code"] = "Enter the metric's code."
    elif (
        Metric.objects.filter(tenant=tenant, framework=framework, code__iexact=code)
        .exclude(pk__in=[metric.pk] if metric is not None else [])
        .exists()
    ):
        errors["code"] = f"This framework version already has a metric with the code {code}."
    if not name:
        errors["name"] = "Enter the metric's name."
    if not definition:
        errors["definition"] = "Say exactly what the metric counts."
    if unit not in Unit.values:
        errors["unit"] = f"Choose a unit: {', '.join(Unit.values)}."
    if direction not in Direction.values:
        errors["direction"] = "Choose whether higher or lower is better (or neither)."
    if aggregation not in Aggregation.values:
        errors["aggregation"] = "Choose how periods combine: sum, average, latest or ratio."
    if feed is not None and feed not in MetricFeed.values:
        errors["feed"] = "Choose where the figures come from."
    if errors:
        raise ValidationError(errors)
    fields = {
        "subtheme": subtheme,
        "code": code,
        "name": name,
        "definition": definition,
        "unit": unit,
        "direction": direction,
        "aggregation": aggregation,
        "proxy_measure_code": proxy_measure_code.strip(),
        "position": position,
        "feed": feed if feed is not None else getattr(metric, "feed", MetricFeed.ENTERED),
    }
    changes: dict[str, object]
    if metric is None:
        metric = Metric.objects.create(
            tenant=tenant, framework=framework, organisation=organisation, **fields
        )
        verb, changes = "metric.created", {"code": code, "name": name}
    else:
        changes = {
            key: [str(getattr(metric, key)), str(value)]
            for key, value in fields.items()
            if getattr(metric, key) != value
        }
        for key, value in fields.items():
            setattr(metric, key, value)
        metric.save()
        verb = "metric.changed"
    audit_record(tenant=tenant, actor=actor, verb=verb, obj=metric, changes=changes)
    return metric


def crosswalk_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    metric: Metric,
    scheme: str,
    item_code: str,
    item_label: str = "",
) -> Crosswalk:
    """Map a metric to an item of another framework (PPN 06/20, PPN 002, TOMs, SVQM, ...)."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_tenant(tenant, metric, "metric")
    item_code = item_code.strip()
    errors = {}
    if scheme not in CrosswalkScheme.values:
        errors["scheme"] = f"Choose a scheme: {', '.join(CrosswalkScheme.values)}."
    if not item_code:
        errors["item_code"] = "Enter the item's code in that scheme."
    elif Crosswalk.objects.filter(
        tenant=tenant, metric=metric, scheme=scheme, item_code__iexact=item_code
    ).exists():
        errors["item_code"] = "This metric is already mapped to that item."
    if errors:
        raise ValidationError(errors)
    crosswalk = Crosswalk.objects.create(
        tenant=tenant,
        metric=metric,
        scheme=scheme,
        item_code=item_code,
        item_label=item_label.strip(),
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="crosswalk.added",
        obj=crosswalk,
        changes={"metric": metric.code, "scheme": scheme, "item_code": item_code},
    )
    return crosswalk


# --- Removing parts of a draft --------------------------------------------------------------


def framework_item_remove(
    *, tenant, actor, access: TenantAccess, item: FrameworkTheme | SubTheme | Metric | Crosswalk
) -> None:
    """Remove a theme, sub-theme, metric or crosswalk from a draft version (a theme or sub-theme
    with what is under it). Refused when a KVI is set on a metric that would go."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_tenant(tenant, item, "item")
    metrics = Metric.objects.filter(tenant=tenant)
    if isinstance(item, FrameworkTheme):
        framework, metrics = item.framework, metrics.filter(subtheme__theme=item)
    elif isinstance(item, SubTheme):
        framework, metrics = item.theme.framework, metrics.filter(subtheme=item)
    elif isinstance(item, Metric):
        framework, metrics = item.framework, metrics.filter(pk=item.pk)
    else:
        framework, metrics = item.metric.framework, metrics.none()
    _require_draft(framework)
    if metrics.filter(kvis__isnull=False).exists():
        raise ValidationError(f"{item} cannot be removed: organisations have set KVIs on it.")
    changes = {"name": str(item), "codes": sorted(metrics.values_list("code", flat=True))}
    verb = f"{item._meta.model_name}.removed"
    with transaction.atomic():
        audit_record(tenant=tenant, actor=actor, verb=verb, obj=item, changes=changes)
        item.delete()
