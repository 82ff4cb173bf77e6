"""Writes for KVIs and their measurements.

A measurement goes draft -> submitted -> validated, or submitted -> returned (with a reason).
Before its first submission it is changed freely (`measurement_record`); after it, only through
`measurement_correct`, which requires a reason, keeps the old and new figures in a
MeasurementRevision and sends the measurement back to "submitted" for validation. State changes
are compare-and-set. Every function takes `tenant`, the actor and their `access`, refuses with
PermissionDenied or ValidationError (naming the field) before writing, and records an audit event.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kvi import periods
from kvi.models import (
    Aggregation,
    FrameworkStatus,
    Frequency,
    Kvi,
    Measurement,
    MeasurementRevision,
    MeasurementStatus,
    Metric,
)
from kvi.spc import MIN_POINTS_FOR_FIRM_LIMITS, MIN_RUN_LENGTH
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

MS = MeasurementStatus

# The Measurement columns are numeric(20, 6): more decimal places would be rounded silently (and
# the same figure entered again would then look like a change); more whole digits overflow.
MAX_DECIMAL_PLACES = 6
MAX_WHOLE_DIGITS = 14


def _str(value) -> str | None:
    return None if value is None else str(value)


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) or isinstance(value, bool):
        errors[field] = "Enter an exact number (a Decimal), not a binary float."
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors[field] = f"Enter a number; {value!r} is not one."
        return None
    if not number.is_finite():
        errors[field] = "Enter a finite number."
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        errors[field] = f"{value} has more than {MAX_DECIMAL_PLACES} decimal places: round it."
        return None
    if abs(number) >= Decimal(10) ** MAX_WHOLE_DIGITS:
        errors[field] = f"{value} is too large for a KVI figure."
        return None
    return number


def period_message(period: date, frequency: str) -> str:
    """Why a date does not start a period of the KVI's frequency."""
    start = periods.period_start(period, frequency)
    return (
        f"{period.isoformat()} does not start a {frequency} period; a {frequency} KVI's periods "
        f"are recorded on their first day (this one: {start.isoformat()})."
    )


# --- KVIs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KviInput:
    code: str
    title: str
    metric: Metric
    frequency: str
    baseline_value: Decimal | None = None
    baseline_period: date | None = None
    target_value: Decimal | None = None
    target_financial_year: str = ""
    target_date: date | None = None
    owner_name: str = ""
    pledge: Any = None  # a charters.Pledge of the same organisation (kvi imports no charters)


def _require_kvi_permission(access: TenantAccess, organisation) -> None:
    if not (
        access.can(Perm.MANAGE_FRAMEWORKS)
        or access.can(Perm.EDIT_OWN_ORGANISATION, organisation_id=organisation.id)
    ):
        raise PermissionDenied("You may not set KVIs for this organisation.")


def _kvi_errors(*, tenant, organisation, data: KviInput, kvi: Kvi | None) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    code, title = data.code.strip().upper(), data.title.strip()
    if not code:
        errors["code"] = "Enter the KVI's code."
    elif (
        Kvi.objects.filter(tenant=tenant, organisation=organisation, code__iexact=code)
        .exclude(id__in=[kvi.pk] if kvi is not None else [])
        .exists()
    ):
        errors["code"] = f"This organisation already has a KVI with the code {code}."
    if not title:
        errors["title"] = 'Say what the KVI promises, e.g. "18% of supply-chain spend locally".'
    metric = data.metric
    if metric.tenant_id != tenant.id:
        errors["metric"] = "Choose one of this programme's metrics."
    elif metric.organisation_id not in (None, organisation.id):
        errors["metric"] = "That metric is another organisation's own."
    elif metric.framework.status != FrameworkStatus.PUBLISHED and (
        kvi is None or kvi.metric_id != metric.id
    ):
        errors["metric"] = "Choose a metric of the published framework."
    if data.frequency not in Frequency.values:
        errors["frequency"] = "Choose how often it is reported: monthly, quarterly or annual."
    baseline_value = _decimal(data.baseline_value, "baseline_value", errors)
    target_value = _decimal(data.target_value, "target_value", errors)
    if (baseline_value is None) != (data.baseline_period is None):
        errors.setdefault(
            "baseline_period", "Give the baseline's value and period together, or neither."
        )
    fy = data.target_financial_year.strip()
    if fy:
        try:
            periods.financial_year_start(fy)
        except ValueError as error:
            errors["target_financial_year"] = str(error)
    if fy and data.target_date is not None:
        errors["target_date"] = "Give either the financial year the target is due or a date."
    if target_value is not None and not fy and data.target_date is None:
        errors["target_financial_year"] = "Say when the target is due: a financial year or date."
    if target_value is None and (fy or data.target_date is not None):
        errors["target_value"] = "Enter the target's value."
    pledge = data.pledge
    if pledge is not None and (
        pledge.tenant_id != tenant.id or pledge.signatory.organisation_id != organisation.id
    ):
        errors["pledge"] = "Choose one of this organisation's pledges."
    fields = {
        "code": code,
        "title": title,
        "metric": metric,
        "frequency": data.frequency,
        "baseline_value": baseline_value,
        "baseline_period": data.baseline_period,
        "target_value": target_value,
        "target_financial_year": fy,
        "target_date": data.target_date,
        "owner_name": data.owner_name.strip(),
        "pledge": pledge,
    }
    return errors, fields


def kvi_create(*, tenant, actor, access: TenantAccess, organisation, data: KviInput) -> Kvi:
    """An organisation's KVI (its admins, or the tenant's framework managers)."""
    _require_kvi_permission(access, organisation)
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError({"organisation": "This organisation is not in this programme."})
    errors, fields = _kvi_errors(tenant=tenant, organisation=organisation, data=data, kvi=None)
    if errors:
        raise ValidationError(errors)
    kvi = Kvi.objects.create(tenant=tenant, organisation=organisation, **fields)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="kvi.created",
        obj=kvi,
        changes={"code": kvi.code, "title": kvi.title, "metric": kvi.metric.code},
    )
    return kvi


def kvi_update(*, tenant, actor, access: TenantAccess, kvi: Kvi, data: KviInput) -> Kvi:
    """Change a KVI. Its frequency is fixed once it has measurements (their periods follow it)."""
    if kvi.tenant_id != tenant.id:
        raise ValidationError({"kvi": "Choose one of this programme's KVIs."})
    _require_kvi_permission(access, kvi.organisation)
    errors, fields = _kvi_errors(tenant=tenant, organisation=kvi.organisation, data=data, kvi=kvi)
    has_measurements = Measurement.objects.filter(tenant=tenant, kvi=kvi).exists()
    if fields["frequency"] != kvi.frequency and has_measurements:
        errors["frequency"] = "The KVI has measurements, so its frequency cannot change."
    if fields["metric"] != kvi.metric and has_measurements:
        errors["metric"] = "The KVI has measurements, so its metric cannot change."
    if errors:
        raise ValidationError(errors)
    changes = {
        key: [_str(getattr(kvi, key)), _str(value)]
        for key, value in fields.items()
        if getattr(kvi, key) != value
    }
    for key, value in fields.items():
        setattr(kvi, key, value)
    kvi.save()
    audit_record(tenant=tenant, actor=actor, verb="kvi.changed", obj=kvi, changes=changes)
    return kvi


# --- Measurements ---------------------------------------------------------------------------


def _figures(kvi: Kvi, value, numerator, denominator) -> tuple[dict, dict]:
    """Validated (value, numerator, denominator): a value, or a numerator and denominator."""
    errors: dict[str, str] = {}
    value = _decimal(value, "value", errors)
    numerator = _decimal(numerator, "numerator", errors)
    denominator = _decimal(denominator, "denominator", errors)
    if errors:
        return errors, {}
    ratio = kvi.metric.aggregation == Aggregation.RATIO
    if value is not None and (numerator is not None or denominator is not None):
        errors["value"] = "Enter a value, or a numerator and a denominator, not both."
    elif value is None and numerator is None and denominator is None:
        errors["numerator" if ratio else "value"] = (
            "Enter the numerator and the denominator." if ratio else "Enter the value."
        )
    elif value is not None and ratio:
        errors["numerator"] = (
            "This KVI combines as a ratio: enter its numerator and denominator, not a value."
        )
    elif value is None:
        if numerator is None:
            errors["numerator"] = "Enter the numerator."
        if denominator is None:
            errors["denominator"] = "Enter the denominator."
        elif denominator == 0:
            errors["denominator"] = "The denominator cannot be zero."
        elif denominator < 0:
            errors["denominator"] = "The denominator must be more than zero."
    return errors, {"value": value, "numerator": numerator, "denominator": denominator}


def _check_kvi(tenant, kvi: Kvi) -> None:
    if kvi.tenant_id != tenant.id:
        raise ValidationError({"kvi": "Choose one of this programme's KVIs."})


def _kvi_of(tenant, measurement: Measurement) -> Kvi:
    """The measurement's KVI, read in this tenant: another tenant's measurement is refused
    (row-level security hides its KVI anyway)."""
    kvi = None
    if measurement.tenant_id == tenant.id:
        kvi = Kvi.objects.filter(tenant=tenant, pk=measurement.kvi_id).first()
    if kvi is None:
        raise ValidationError({"measurement": "Choose one of this programme's figures."})
    return kvi


def measurement_record(
    *,
    tenant,
    actor,
    access: TenantAccess,
    kvi: Kvi,
    period: date,
    value=None,
    numerator=None,
    denominator=None,
    note: str = "",
    source: str = "",
) -> Measurement:
    """Enter a KVI's figure for a period (the period's first day), or change it while it is a
    draft. Once submitted, a figure changes only through `measurement_correct`."""
    _check_kvi(tenant, kvi)
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=kvi.organisation_id)
    errors: dict[str, str] = {}
    if not isinstance(period, date):
        errors["period"] = "Enter the period as a date (its first day)."
    elif not periods.is_period_start(period, kvi.frequency):
        errors["period"] = period_message(period, kvi.frequency)
    figure_errors, figures = _figures(kvi, value, numerator, denominator)
    errors.update(figure_errors)
    if errors:
        raise ValidationError(errors)
    fields = {**figures, "note": note.strip(), "source": source.strip()}
    with transaction.atomic():
        existing = (
            Measurement.objects.select_for_update()
            .filter(tenant=tenant, kvi=kvi, period=period)
            .first()
        )
        if existing is None:
            measurement = Measurement.objects.create(
                tenant=tenant,
                kvi=kvi,
                period=period,
                status=MS.DRAFT,
                entered_by=actor if actor is not None and actor.is_authenticated else None,
                **fields,
            )
            verb = "measurement.recorded"
            changes: dict[str, object] = {k: _str(v) for k, v in figures.items()}
            changes["period"] = period.isoformat()
        else:
            if existing.status != MS.DRAFT:
                raise ValidationError(
                    {
                        "period": f"The figure for {period.isoformat()} is already "
                        f"{existing.get_status_display().lower()}: correct it, giving a reason."
                    }
                )
            changes = {
                key: [_str(getattr(existing, key)), _str(new)]
                for key, new in fields.items()
                if getattr(existing, key) != new
            }
            if not Measurement.objects.filter(pk=existing.pk, status=MS.DRAFT).update(
                **fields, updated_at=timezone.now()
            ):
                raise ValidationError("The figure changed while you were editing it.")
            measurement = existing
            measurement.refresh_from_db()
            verb = "measurement.changed"
    audit_record(tenant=tenant, actor=actor, verb=verb, obj=measurement, changes=changes)
    return measurement


def measurement_submit(
    *, tenant, actor, access: TenantAccess, measurement: Measurement
) -> Measurement:
    """Send a draft figure to the organisation admin for validation."""
    kvi = _kvi_of(tenant, measurement)
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=kvi.organisation_id)
    now = timezone.now()
    if not Measurement.objects.filter(pk=measurement.pk, status=MS.DRAFT).update(
        status=MS.SUBMITTED, submitted_at=now, updated_at=now
    ):
        raise ValidationError("Only a draft figure can be submitted.")
    measurement.refresh_from_db()
    audit_record(tenant=tenant, actor=actor, verb="measurement.submitted", obj=measurement)
    return measurement


def measurement_validate(
    *, tenant, actor, access: TenantAccess, measurement: Measurement
) -> Measurement:
    """The organisation admin accepts a submitted figure."""
    kvi = _kvi_of(tenant, measurement)
    access.require(Perm.VALIDATE_MEASUREMENTS, organisation_id=kvi.organisation_id)
    now = timezone.now()
    if not Measurement.objects.filter(pk=measurement.pk, status=MS.SUBMITTED).update(
        status=MS.VALIDATED,
        validated_by=actor if actor is not None and actor.is_authenticated else None,
        validated_at=now,
        return_reason="",
        updated_at=now,
    ):
        raise ValidationError("Only a submitted figure can be validated.")
    measurement.refresh_from_db()
    audit_record(tenant=tenant, actor=actor, verb="measurement.validated", obj=measurement)
    return measurement


def measurement_return(
    *, tenant, actor, access: TenantAccess, measurement: Measurement, reason: str
) -> Measurement:
    """The organisation admin sends a submitted figure back, saying why. It is then corrected
    (with a reason) and comes back as submitted."""
    kvi = _kvi_of(tenant, measurement)
    access.require(Perm.VALIDATE_MEASUREMENTS, organisation_id=kvi.organisation_id)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the figure is being returned."})
    if not Measurement.objects.filter(pk=measurement.pk, status=MS.SUBMITTED).update(
        status=MS.RETURNED, return_reason=reason, updated_at=timezone.now()
    ):
        raise ValidationError("Only a submitted figure can be returned.")
    measurement.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="measurement.returned",
        obj=measurement,
        changes={"reason": reason},
    )
    from kvi.tasks import send_measurement_returned_email  # (the tasks import the services)

    send_measurement_returned_email.delay_on_commit(str(tenant.id), str(measurement.pk))
    return measurement


def measurement_correct(
    *,
    tenant,
    actor,
    access: TenantAccess,
    measurement: Measurement,
    reason: str,
    value=None,
    numerator=None,
    denominator=None,
    note: str | None = None,
) -> tuple[Measurement, MeasurementRevision]:
    """Change a figure that has been submitted (submitted, validated or returned): the reason is
    required, a revision keeps who, when, the old and the new figures, and the figure goes back
    to "submitted" to be validated again."""
    kvi = _kvi_of(tenant, measurement)
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=kvi.organisation_id)
    reason = reason.strip()
    errors, figures = _figures(kvi, value, numerator, denominator)
    if not reason:
        errors["reason"] = "Say why the figure is being corrected."
    if errors:
        raise ValidationError(errors)
    if measurement.status == MS.DRAFT:
        raise ValidationError("This figure is still a draft: change it directly.")
    old = {
        "value": measurement.value,
        "numerator": measurement.numerator,
        "denominator": measurement.denominator,
    }
    now = timezone.now()
    who = actor if actor is not None and actor.is_authenticated else None
    updates = {
        **figures,
        "status": MS.SUBMITTED,
        "submitted_at": now,
        "validated_by": None,
        "validated_at": None,
        "updated_at": now,
    }
    if note is not None:
        updates["note"] = note.strip()
    with transaction.atomic():
        # Compare-and-set on the status and the figures read: a concurrent correction makes
        # this one fail rather than overwrite it unseen.
        if not Measurement.objects.filter(
            pk=measurement.pk, status=measurement.status, **old
        ).update(**updates):
            raise ValidationError("The figure changed while you were correcting it: reload it.")
        revision = MeasurementRevision.objects.create(
            tenant=tenant,
            measurement=measurement,
            changed_by=who,
            changed_at=now,
            old_status=measurement.status,
            old_value=old["value"],
            old_numerator=old["numerator"],
            old_denominator=old["denominator"],
            new_value=figures["value"],
            new_numerator=figures["numerator"],
            new_denominator=figures["denominator"],
            reason=reason,
        )
    measurement.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="measurement.corrected",
        obj=measurement,
        changes={
            "reason": reason,
            "revision": str(revision.pk),
            **{key: [_str(old[key]), _str(figures[key])] for key in old},
        },
    )
    return measurement, revision


# --- SPC chart settings of a KVI ------------------------------------------------------------


def kvi_spc_settings_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    kvi: Kvi,
    baseline_points: int | None,
    rebase_at: list[date],
    screen_outliers: bool,
    shift_length: int = 7,
    trend_length: int = 7,
) -> Kvi:
    """Change how the KVI's SPC chart is calculated (a fixed baseline, rebase points after a
    known change, outlier screening, run lengths), checked by kvi.spc's own rules."""
    if kvi.tenant_id != tenant.id:
        raise ValidationError({"kvi": "Choose one of this programme's KVIs."})
    _require_kvi_permission(access, kvi.organisation)
    errors: dict[str, str] = {}
    if baseline_points is not None and baseline_points < MIN_POINTS_FOR_FIRM_LIMITS:
        errors["baseline_points"] = (
            f"Fix limits on at least {MIN_POINTS_FOR_FIRM_LIMITS} points, or leave it empty to "
            "use every point."
        )
    for name, length in (("shift_length", shift_length), ("trend_length", trend_length)):
        if length < MIN_RUN_LENGTH:
            errors[name] = f"A run must be at least {MIN_RUN_LENGTH} points long."
    bad = [d for d in rebase_at if not periods.is_period_start(d, kvi.frequency)]
    if bad:
        errors["rebase_at"] = (
            f"Rebase at the first day of a {kvi.frequency} period; not: "
            + ", ".join(d.isoformat() for d in bad)
        )
    if errors:
        raise ValidationError(errors)
    fields = {
        "spc_baseline_points": baseline_points,
        "spc_rebase_at": sorted(set(rebase_at)),
        "spc_screen_outliers": bool(screen_outliers),
        "spc_shift_length": shift_length,
        "spc_trend_length": trend_length,
    }
    changes = {
        key: [_str(getattr(kvi, key)), _str(value)]
        for key, value in fields.items()
        if getattr(kvi, key) != value
    }
    for key, value in fields.items():
        setattr(kvi, key, value)
    kvi.save(update_fields=[*fields, "updated_at"])
    audit_record(
        tenant=tenant, actor=actor, verb="kvi.spc_settings_changed", obj=kvi, changes=changes
    )
    return kvi
