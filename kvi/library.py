"""A framework version's metric library and crosswalks as CSV: export, and import into a draft.

Export: one row per metric (theme, sub-theme, code, name, definition, unit, direction,
aggregation, proxy measure, feed, organisation: blank for the tenant's own), and one row per
crosswalk (metric code, scheme, item code, item label), every cell spreadsheet-safe.

Import (kvi.library_checks reads and checks the file): a file with any bad row changes nothing
and every bad row is reported by row number and column. A good file updates metrics by code and
creates the missing ones (themes and sub-themes by name; positions follow the file's order), so
importing the same file twice leaves the same library, and importing an export reproduces it.
Draft versions only; MANAGE_FRAMEWORKS; every import and export is audited.
"""

from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kvi.library_checks import (
    CROSSWALK_COLUMNS,
    CROSSWALK_REQUIRED,
    LIBRARY_COLUMNS,
    LIBRARY_REQUIRED,
    RowError,
    check_crosswalks,
    check_library,
    read_csv,
    to_csv,
)
from kvi.models import Crosswalk, Framework, FrameworkStatus, FrameworkTheme, Metric, SubTheme
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

EXPORT_KINDS = ("library", "crosswalks")


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (`errors`)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def _check_framework(tenant, framework: Framework) -> None:
    if framework.tenant_id != tenant.id:
        raise ValidationError({"framework": "Choose one of this programme's frameworks."})


# --- Export ----------------------------------------------------------------------------------


def library_rows(*, tenant, framework: Framework) -> list[dict]:
    """One row per metric of the version, the tenant's and organisations' own, in the order the
    framework page shows them (one query)."""
    metrics = (
        Metric.objects.filter(tenant=tenant, framework=framework)
        .select_related("subtheme", "subtheme__theme", "organisation")
        .order_by(
            "subtheme__theme__position",
            "subtheme__theme__name",
            "subtheme__position",
            "subtheme__name",
            "position",
            "code",
        )
    )
    return [
        {
            "theme": metric.subtheme.theme.name,
            "sub_theme": metric.subtheme.name,
            "code": metric.code,
            "name": metric.name,
            "definition": metric.definition,
            "unit": metric.unit,
            "direction": metric.direction,
            "aggregation": metric.aggregation,
            "proxy_measure_code": metric.proxy_measure_code,
            "feed": metric.feed,
            "organisation": metric.organisation.name if metric.organisation else "",
        }
        for metric in metrics
    ]


def crosswalk_rows(*, tenant, framework: Framework) -> list[dict]:
    """One row per crosswalk of the version's metrics (one query)."""
    crosswalks = (
        Crosswalk.objects.filter(tenant=tenant, metric__framework=framework)
        .select_related("metric")
        .order_by("metric__code", "scheme", "item_code")
    )
    return [
        {
            "metric_code": crosswalk.metric.code,
            "scheme": crosswalk.scheme,
            "item_code": crosswalk.item_code,
            "item_label": crosswalk.item_label,
        }
        for crosswalk in crosswalks
    ]


def library_export(*, tenant, actor, access: TenantAccess, framework: Framework, kind: str) -> str:
    """The version's metric library (`kind` "library") or its crosswalks ("crosswalks") as
    CSV text."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_framework(tenant, framework)
    if kind == "library":
        rows = library_rows(tenant=tenant, framework=framework)
        text = to_csv(rows, LIBRARY_COLUMNS)
    elif kind == "crosswalks":
        rows = crosswalk_rows(tenant=tenant, framework=framework)
        text = to_csv(rows, CROSSWALK_COLUMNS)
    else:
        raise ValueError(f"Unknown export: {kind}")
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"framework.{kind}_exported",
        obj=framework,
        changes={"rows": len(rows)},
    )
    return text


# --- Import ----------------------------------------------------------------------------------


def _start_import(*, tenant, access: TenantAccess, framework: Framework) -> None:
    access.require(Perm.MANAGE_FRAMEWORKS)
    _check_framework(tenant, framework)
    if framework.status != FrameworkStatus.DRAFT:
        raise ValidationError(
            f"{framework} is {framework.get_status_display().lower()}: import into a draft "
            "version (start a new version first)."
        )


def _lock_draft(tenant, framework: Framework) -> Framework:
    """The framework row, locked against a second import at the same moment, still a draft."""
    locked = Framework.objects.select_for_update().get(tenant=tenant, pk=framework.pk)
    if locked.status != FrameworkStatus.DRAFT:
        raise ValidationError(f"{locked} was published meanwhile: import into a draft version.")
    return locked


def _audit_import(*, tenant, actor, framework, verb: str, checked, result: ImportResult) -> None:
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=verb,
        obj=framework,
        changes={
            "file_name": checked.file_name,
            "file_sha256": checked.sha256,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )


def _organisations_by_key(tenant) -> dict[str, list]:
    """The programme's organisations by name and by ODS code, compared without case."""
    keys: dict[str, list] = {}
    participations = Participation.objects.filter(tenant=tenant).select_related("organisation")
    for participation in participations:
        organisation = participation.organisation
        keys.setdefault(organisation.name.casefold(), []).append(organisation)
        if organisation.ods_code:
            keys.setdefault(organisation.ods_code.casefold(), []).append(organisation)
    return keys


def _save_groups(model, existing: dict, wanted: dict, make, now) -> dict:
    """Themes or sub-themes by key: `wanted` {key: (name, position)}; existing ones take the
    file's name and position, missing ones are made with `make(key, name, position)`."""
    to_create, to_update = [], []
    for key, (name, position) in wanted.items():
        item = existing.get(key)
        if item is None:
            existing[key] = make(key, name, position)
            to_create.append(existing[key])
        elif (item.name, item.position) != (name, position):
            item.name, item.position, item.updated_at = name, position, now
            to_update.append(item)
    model.objects.bulk_create(to_create)
    model.objects.bulk_update(to_update, ["name", "position", "updated_at"])
    return existing


METRIC_FIELDS = [
    "subtheme_id",
    "name",
    "definition",
    "unit",
    "direction",
    "aggregation",
    "proxy_measure_code",
    "feed",
    "organisation_id",
    "position",
]


def _write_library(tenant, framework: Framework, rows: list[dict], result: ImportResult) -> None:
    now = timezone.now()
    theme_order: dict[str, tuple] = {}
    for row in rows:
        theme_order.setdefault(row["theme"].casefold(), (row["theme"], len(theme_order)))
    themes = _save_groups(
        FrameworkTheme,
        {
            t.name.casefold(): t
            for t in FrameworkTheme.objects.filter(tenant=tenant, framework=framework)
        },
        theme_order,
        lambda key, name, position: FrameworkTheme(
            tenant=tenant, framework=framework, name=name, position=position
        ),
        now,
    )
    sub_order: dict[tuple, tuple] = {}
    siblings: dict = {}
    for row in rows:
        theme_id = themes[row["theme"].casefold()].pk
        key = (theme_id, row["sub_theme"].casefold())
        if key not in sub_order:
            sub_order[key] = (row["sub_theme"], siblings.get(theme_id, 0))
            siblings[theme_id] = siblings.get(theme_id, 0) + 1
    subthemes = _save_groups(
        SubTheme,
        {
            (s.theme_id, s.name.casefold()): s
            for s in SubTheme.objects.filter(tenant=tenant, theme__framework=framework)
        },
        sub_order,
        lambda key, name, position: SubTheme(
            tenant=tenant, theme_id=key[0], name=name, position=position
        ),
        now,
    )
    metrics = {m.code.upper(): m for m in Metric.objects.filter(tenant=tenant, framework=framework)}
    to_create, to_update = [], []
    for position, row in enumerate(rows, start=1):
        theme_id = themes[row["theme"].casefold()].pk
        values = {
            "subtheme_id": subthemes[(theme_id, row["sub_theme"].casefold())].pk,
            **{name: row[name] for name in METRIC_FIELDS[1:8]},
            "organisation_id": row["organisation"].pk if row["organisation"] else None,
            "position": position,
        }
        metric = metrics.get(row["code"])
        if metric is None:
            to_create.append(Metric(tenant=tenant, framework=framework, code=row["code"], **values))
            result.created.append(row["code"])
        elif changed := [name for name in METRIC_FIELDS if getattr(metric, name) != values[name]]:
            for name in changed:
                setattr(metric, name, values[name])
            metric.updated_at = now
            to_update.append(metric)
            result.updated.append(row["code"])
        else:
            result.unchanged += 1
    Metric.objects.bulk_create(to_create)
    Metric.objects.bulk_update(to_update, [*METRIC_FIELDS, "updated_at"])


def library_import(
    *, tenant, actor, access: TenantAccess, framework: Framework, uploaded_file: IO[bytes]
) -> ImportResult:
    """Import a metric library CSV into a draft version: all or nothing, by metric code.
    Refuses the file as a whole with ValidationError (not a CSV, a column missing); bad rows
    come back in the result's `errors`, and then nothing has changed."""
    _start_import(tenant=tenant, access=access, framework=framework)
    frame, checked = read_csv(uploaded_file, columns=LIBRARY_COLUMNS, required=LIBRARY_REQUIRED)
    rows, errors = check_library(frame, _organisations_by_key(tenant))
    result = ImportResult(rows=len(rows), errors=errors)
    if errors:
        return result
    with transaction.atomic():
        framework = _lock_draft(tenant, framework)
        _write_library(tenant, framework, rows, result)
        _audit_import(
            tenant=tenant,
            actor=actor,
            framework=framework,
            verb="framework.library_imported",
            checked=checked,
            result=result,
        )
    return result


def _write_crosswalks(tenant, framework: Framework, rows: list[dict], result: ImportResult):
    now = timezone.now()
    existing = {
        (c.metric_id, c.scheme, c.item_code.casefold()): c
        for c in Crosswalk.objects.filter(tenant=tenant, metric__framework=framework)
    }
    to_create, to_update = [], []
    for row in rows:
        metric, scheme, item_code, label = (
            row["metric"],
            row["scheme"],
            row["item_code"],
            row["item_label"],
        )
        name = f"{metric.code} {scheme} {item_code}"
        crosswalk = existing.get((metric.pk, scheme, item_code.casefold()))
        if crosswalk is None:
            to_create.append(
                Crosswalk(
                    tenant=tenant,
                    metric=metric,
                    scheme=scheme,
                    item_code=item_code,
                    item_label=label,
                )
            )
            result.created.append(name)
        elif (crosswalk.item_code, crosswalk.item_label) != (item_code, label):
            crosswalk.item_code, crosswalk.item_label, crosswalk.updated_at = item_code, label, now
            to_update.append(crosswalk)
            result.updated.append(name)
        else:
            result.unchanged += 1
    Crosswalk.objects.bulk_create(to_create)
    Crosswalk.objects.bulk_update(to_update, ["item_code", "item_label", "updated_at"])


def crosswalk_import(
    *, tenant, actor, access: TenantAccess, framework: Framework, uploaded_file: IO[bytes]
) -> ImportResult:
    """Import a crosswalks CSV into a draft version: all or nothing. A mapping already there
    (metric, scheme, item code) keeps its one row and takes the file's label."""
    _start_import(tenant=tenant, access=access, framework=framework)
    frame, checked = read_csv(uploaded_file, columns=CROSSWALK_COLUMNS, required=CROSSWALK_REQUIRED)
    metrics = {m.code.upper(): m for m in Metric.objects.filter(tenant=tenant, framework=framework)}
    rows, errors = check_crosswalks(frame, metrics)
    result = ImportResult(rows=len(rows), errors=errors)
    if errors:
        return result
    with transaction.atomic():
        framework = _lock_draft(tenant, framework)
        _write_crosswalks(tenant, framework, rows, result)
        _audit_import(
            tenant=tenant,
            actor=actor,
            framework=framework,
            verb="framework.crosswalks_imported",
            checked=checked,
            result=result,
        )
    return result
