"""Writes for award schemes: create, edit a draft version, its areas, levels, criteria,
categories and windows, copy to a new version, open, close and archive.

Only a draft version can change. Applications point at their version, so copying a scheme to
a new version and opening it leaves every application already made exactly as it was.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from awards.models import (
    DEFAULT_AREAS,
    ApplicationWindow,
    AreasRule,
    AwardCategory,
    AwardScheme,
    Criterion,
    SchemeArea,
    SchemeLevel,
    SchemeStatus,
    SchemeVersion,
)
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

VERSION_FIELDS = (
    "name",
    "description",
    "areas_rule",
    "rubric_min",
    "rubric_max",
    "rubric_descriptors",
    "pass_mark_percent",
    "decision_working_days",
    "appeal_working_days",
    "appeal_decision_working_days",
    "reminder_months",
    "change_summary",
)
# version status -> the statuses it may move to
VERSION_MOVES: dict[str, tuple[str, ...]] = {
    SchemeStatus.DRAFT: (SchemeStatus.OPEN,),
    SchemeStatus.OPEN: (SchemeStatus.CLOSED,),
    SchemeStatus.CLOSED: (SchemeStatus.OPEN, SchemeStatus.ARCHIVED),
    SchemeStatus.ARCHIVED: (),
}


def unique_code(queryset, field: str, text: str, fallback: str, limit: int = 50) -> str:
    base = slugify(text)[:limit] or fallback
    value, n = base, 1
    while queryset.filter(**{field: value}).exists():
        n += 1
        value = f"{base}-{n}"
    return value


def require_draft(version: SchemeVersion) -> None:
    if version.status != SchemeStatus.DRAFT:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: it can no "
            "longer change. Copy it to a new version instead."
        )


def scheme_create(
    *,
    tenant,
    actor,
    access: TenantAccess,
    name: str,
    areas: list[tuple[str, str]] | None = None,
    areas_rule: str = AreasRule.CHOOSE,
) -> AwardScheme:
    """A scheme with version 1 in draft and its areas (by default Cheshire and Merseyside's
    four: environmental, social, economic, innovation)."""
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    if not name.strip():
        raise ValidationError({"name": "Enter the award's name."})
    if areas_rule not in AreasRule.values:
        raise ValidationError({"areas_rule": "Choose whether applicants cover every area."})
    scheme = AwardScheme.objects.create(
        tenant=tenant,
        slug=unique_code(AwardScheme.objects.filter(tenant=tenant), "slug", name, "award", 70),
        name=name.strip(),
        created_by=actor,
    )
    version = SchemeVersion.objects.create(
        tenant=tenant,
        scheme=scheme,
        number=1,
        name=scheme.name,
        areas_rule=areas_rule,
        created_by=actor,
    )
    SchemeArea.objects.bulk_create(
        SchemeArea(tenant=tenant, version=version, code=code, name=label, position=position)
        for position, (code, label) in enumerate(areas or DEFAULT_AREAS, start=1)
    )
    audit_record(
        tenant=tenant, actor=actor, verb="award_scheme.created", obj=scheme, changes={"name": name}
    )
    return scheme


def _version_errors(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if "name" in values and not str(values["name"]).strip():
        errors["name"] = "Enter the award's name."
    if "areas_rule" in values and values["areas_rule"] not in AreasRule.values:
        errors["areas_rule"] = "Choose whether applicants cover every area."
    low, high = values["rubric_min"], values["rubric_max"]
    if high <= low:
        errors["rubric_max"] = "The highest score must be above the lowest."
    for key in values.get("rubric_descriptors") or {}:
        if not str(key).isdigit() or not low <= int(key) <= high:
            errors["rubric_descriptors"] = (
                f"Describe only scores from {low} to {high} ('{key}' is not one of them)."
            )
    try:
        mark = Decimal(str(values["pass_mark_percent"]))
        if not Decimal(0) <= mark <= Decimal(100) or mark != mark.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["pass_mark_percent"] = "Enter a pass mark from 0 to 100, at most 2 decimal places."
    for name in ("decision_working_days", "appeal_working_days", "appeal_decision_working_days"):
        if not 1 <= int(values[name]) <= 250:
            errors[name] = "Enter a number of working days from 1 to 250."
    months = values.get("reminder_months") or []
    if any(not 1 <= int(m) <= 60 for m in months):
        errors["reminder_months"] = "Give reminder months from 1 to 60."
    return errors


def scheme_version_update(
    *, tenant, actor, access: TenantAccess, version: SchemeVersion, **changes: Any
) -> SchemeVersion:
    """Change a draft version's settings (VERSION_FIELDS)."""
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    require_draft(version)
    unknown = set(changes) - set(VERSION_FIELDS)
    if unknown:
        raise ValueError(f"Not scheme version fields: {sorted(unknown)}")
    values = {name: getattr(version, name) for name in VERSION_FIELDS} | changes
    errors = _version_errors(values)
    if errors:
        raise ValidationError(errors)
    if "reminder_months" in changes:
        changes["reminder_months"] = sorted(
            {int(m) for m in changes["reminder_months"]}, reverse=True
        )
    if "pass_mark_percent" in changes:
        changes["pass_mark_percent"] = Decimal(str(changes["pass_mark_percent"]))
    diff = {}
    for name, value in changes.items():
        if getattr(version, name) != value:
            diff[name] = [str(getattr(version, name)), str(value)]
            setattr(version, name, value)
    if diff:
        version.save()
        audit_record(
            tenant=tenant, actor=actor, verb="scheme_version.updated", obj=version, changes=diff
        )
    return version


def scheme_version_copy(
    *, tenant, actor, access: TenantAccess, version: SchemeVersion, change_summary: str = ""
) -> SchemeVersion:
    """A new draft version with the same settings, areas, levels, criteria, categories and
    windows (codes kept). Applications already made stay on their own version."""
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    if SchemeVersion.objects.filter(
        tenant=tenant, scheme=version.scheme_id, status=SchemeStatus.DRAFT
    ).exists():
        raise ValidationError("This award already has a draft version: edit that one instead.")
    latest = (
        SchemeVersion.objects.filter(tenant=tenant, scheme=version.scheme_id)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    copy = SchemeVersion.objects.create(
        tenant=tenant,
        scheme_id=version.scheme_id,
        number=(latest or 0) + 1,
        based_on=version,
        created_by=actor,
        **{name: getattr(version, name) for name in VERSION_FIELDS if name != "change_summary"},
        change_summary=change_summary.strip(),
    )
    areas = {
        a.pk: SchemeArea.objects.create(
            tenant=tenant,
            version=copy,
            **{k: getattr(a, k) for k in ("code", "name", "description", "position")},
        )
        for a in version.areas.all()
    }
    level_fields = [
        "code",
        "name",
        "position",
        "requirements",
        "minimum_areas",
        "minimum_commitments",
        "kvis_per_commitment",
        "validity_years",
        "tracking_months",
    ]
    levels = {
        lv.pk: SchemeLevel.objects.create(
            tenant=tenant, version=copy, **{k: getattr(lv, k) for k in level_fields}
        )
        for lv in version.levels.all()
    }
    criterion_fields = ("code", "text", "evidence_expected", "word_limit", "weight", "position")
    Criterion.objects.bulk_create(
        Criterion(
            tenant=tenant,
            version=copy,
            area=areas.get(c.area_id) if c.area_id else None,
            level=levels.get(c.level_id) if c.level_id else None,
            **{k: getattr(c, k) for k in criterion_fields},
        )
        for c in version.criteria.all()
    )
    AwardCategory.objects.bulk_create(
        AwardCategory(tenant=tenant, version=copy, code=c.code, name=c.name, position=c.position)
        for c in version.categories.all()
    )
    ApplicationWindow.objects.bulk_create(
        ApplicationWindow(
            tenant=tenant, version=copy, name=w.name, opens_on=w.opens_on, closes_on=w.closes_on
        )
        for w in version.windows.all()
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="scheme_version.copied",
        obj=copy,
        changes={"number": copy.number, "from": version.number},
    )
    return copy


def _openable_errors(version: SchemeVersion) -> list[str]:
    missing = []
    if not version.areas.exists():
        missing.append("at least one area")
    if not version.levels.exists():
        missing.append("at least one level")
    for level in version.levels.all():
        if not version.criteria.filter(Q(level__isnull=True) | Q(level=level)).exists():
            missing.append(f"a question for {level.name}")
    return missing


def scheme_version_move(
    *, tenant, actor, access: TenantAccess, version: SchemeVersion, to_status: str, note: str = ""
) -> SchemeVersion:
    """Open a draft (or reopen a closed) version, close an open one, archive a closed one.
    Opening a version closes the scheme's other open version: new applications use the new
    one, applications already made keep theirs."""
    access.require(Perm.MANAGE_AWARD_SCHEMES)
    if to_status not in VERSION_MOVES.get(version.status, ()):
        raise ValidationError(
            f"A {version.get_status_display().lower()} version cannot become "
            f"{SchemeStatus(to_status).label.lower()}."
        )
    now = timezone.now()
    updates: dict[str, Any] = {"status": to_status, "updated_at": now}
    if to_status == SchemeStatus.OPEN:
        missing = _openable_errors(version)
        if missing:
            raise ValidationError("Before opening, add " + ", ".join(missing) + ".")
        updates["opened_at"] = now
        for other in SchemeVersion.objects.filter(
            tenant=tenant, scheme=version.scheme_id, status=SchemeStatus.OPEN
        ).exclude(pk=version.pk):
            scheme_version_move(
                tenant=tenant,
                actor=actor,
                access=access,
                version=other,
                to_status=SchemeStatus.CLOSED,
                note=f"Replaced by version {version.number}",
            )
    if to_status == SchemeStatus.CLOSED:
        updates["closed_at"] = now
    from_status = version.status
    if not SchemeVersion.objects.filter(pk=version.pk, tenant=tenant, status=from_status).update(
        **updates
    ):
        raise ValidationError("Someone else has just changed this version. Reload it.")
    version.refresh_from_db()
    if to_status == SchemeStatus.OPEN:
        AwardScheme.objects.filter(pk=version.scheme_id, tenant=tenant).update(
            name=version.name, updated_at=now
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="scheme_version.moved",
        obj=version,
        changes={"status": [from_status, to_status], "note": note},
    )
    return version
