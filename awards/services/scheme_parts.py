"""Writes for the parts of a draft scheme version: areas, levels, criteria (questions with
their weights), award categories and application windows. Each is audited; only a draft version
changes."""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from awards.models import (
    ApplicationWindow,
    AwardCategory,
    Criterion,
    SchemeArea,
    SchemeLevel,
    SchemeVersion,
)
from awards.services.schemes import require_draft, unique_code
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record


def _save_item(tenant, actor, item, verb: str, label: str):
    item.save()
    audit_record(tenant=tenant, actor=actor, verb=verb, obj=item, changes={"name": label})
    return item


def area_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: SchemeVersion,
    name: str,
    description: str = "",
    area: SchemeArea | None = None,
) -> SchemeArea:
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    require_draft(version)
    if not name.strip():
        raise ValidationError({"name": "Enter the area's name."})
    if area is None:
        area = SchemeArea(
            tenant=tenant,
            version=version,
            position=version.areas.count() + 1,
            code=unique_code(version.areas, "code", name, "area"),
        )
    area.name, area.description = name.strip(), description.strip()
    return _save_item(tenant, actor, area, "scheme_area.saved", area.name)


@dataclass
class LevelInput:
    name: str
    requirements: str = ""
    minimum_areas: int = 1
    minimum_commitments: int = 0
    kvis_per_commitment: int = 0
    validity_years: int = 5
    tracking_months: int | None = None


def level_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: SchemeVersion,
    data: LevelInput,
    level: SchemeLevel | None = None,
) -> SchemeLevel:
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    require_draft(version)
    errors = {}
    if not data.name.strip():
        errors["name"] = "Enter the level's name."
    area_count = version.areas.count()
    if not 0 <= data.minimum_areas <= area_count:
        errors["minimum_areas"] = f"Enter a number of areas from 0 to {area_count}."
    if not 1 <= data.validity_years <= 10:
        errors["validity_years"] = "Enter a validity from 1 to 10 years."
    if data.tracking_months is not None and not 1 <= data.tracking_months <= 60:
        errors["tracking_months"] = "Enter a tracking period from 1 to 60 months."
    if errors:
        raise ValidationError(errors)
    if level is None:
        level = SchemeLevel(
            tenant=tenant,
            version=version,
            position=version.levels.count() + 1,
            code=unique_code(version.levels, "code", data.name, "level"),
        )
    for field in fields(LevelInput):
        value = getattr(data, field.name)
        setattr(level, field.name, value.strip() if isinstance(value, str) else value)
    return _save_item(tenant, actor, level, "scheme_level.saved", level.name)


@dataclass
class CriterionInput:
    text: str
    area: SchemeArea | None = None
    level: SchemeLevel | None = None
    evidence_expected: str = ""
    word_limit: int | None = None
    weight: Decimal = Decimal(1)


def criterion_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: SchemeVersion,
    data: CriterionInput,
    criterion: Criterion | None = None,
) -> Criterion:
    """A question for one area (or all) and one level (or all), with its weight."""
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    require_draft(version)
    errors = {}
    if not data.text.strip():
        errors["text"] = "Enter the question."
    if data.area is not None and data.area.version_id != version.pk:
        errors["area"] = "Choose one of this version's areas."
    if data.level is not None and data.level.version_id != version.pk:
        errors["level"] = "Choose one of this version's levels."
    if data.word_limit is not None and not 10 <= data.word_limit <= 5000:
        errors["word_limit"] = "Enter a word limit from 10 to 5,000, or leave it empty."
    try:
        weight = Decimal(str(data.weight))
        if not Decimal("0.01") <= weight <= Decimal(1000) or weight != weight.quantize(
            Decimal("0.01")
        ):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["weight"] = "Enter a weight above 0, at most 1,000, with at most 2 decimal places."
    if errors:
        raise ValidationError(errors)
    if criterion is None:
        criterion = Criterion(
            tenant=tenant,
            version=version,
            position=version.criteria.count() + 1,
            code=unique_code(version.criteria, "code", data.text[:40], "question"),
        )
    criterion.text, criterion.evidence_expected = data.text.strip(), data.evidence_expected.strip()
    criterion.area, criterion.level = data.area, data.level
    criterion.word_limit, criterion.weight = data.word_limit, weight
    return _save_item(tenant, actor, criterion, "criterion.saved", criterion.code)


def category_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: SchemeVersion,
    name: str,
    category: AwardCategory | None = None,
) -> AwardCategory:
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    require_draft(version)
    if not name.strip():
        raise ValidationError({"name": "Enter the category's name."})
    if category is None:
        category = AwardCategory(
            tenant=tenant,
            version=version,
            position=version.categories.count() + 1,
            code=unique_code(version.categories, "code", name, "category"),
        )
    category.name = name.strip()
    return _save_item(tenant, actor, category, "award_category.saved", category.name)


def window_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: SchemeVersion,
    opens_on: date,
    closes_on: date,
    name: str = "",
    window: ApplicationWindow | None = None,
) -> ApplicationWindow:
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    require_draft(version)
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The window must close on or after it opens."})
    if window is None:
        window = ApplicationWindow(tenant=tenant, version=version)
    window.name, window.opens_on, window.closes_on = name.strip(), opens_on, closes_on
    return _save_item(tenant, actor, window, "application_window.saved", str(window))


def scheme_item_remove(*, tenant, actor, access: TenantAccess, item) -> None:
    """Remove an area, level, criterion, category or window from a draft version."""
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    if not isinstance(
        item, SchemeArea | SchemeLevel | Criterion | AwardCategory | ApplicationWindow
    ):
        raise ValueError("Not a part of a scheme version")
    require_draft(item.version)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"{item._meta.model_name}.removed",
        obj=item,
        changes={"code": getattr(item, "code", str(item))},
    )
    item.delete()
