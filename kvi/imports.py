"""Bulk import of KVI measurements: checking rows, then applying them whole.

The file import (kvi.imports_files reads a CSV or XLSX, kvi.imports_jobs runs it in the
background) and the API's `kvi:write` both go through these two functions, so a figure pushed by
a partner's system is validated exactly like a row of an uploaded file.

`measurement_rows_check` reads every row and returns every problem, each with the row number the
person sees (spreadsheet row, header = 1; the API: list index) and the column. The figure rules
are kvi.measurements' own (`_figures`). `measurement_rows_apply` then writes the good rows in one
transaction: new figures are created, drafts that differ are changed, figures equal to what is
stored are left alone, so the same rows imported twice leave one copy and the second summary
says all unchanged. A figure already submitted, validated or returned is never changed by an
import: a different figure for it is an error (it is corrected in the browser, with a reason).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kvi.imports_values import (
    FIGURES,
    as_text,
    is_blank,
    number_text,
    parse_period,
    plain,
)
from kvi.measurements import _decimal, _figures, period_message
from kvi.models import Kvi, Measurement, MeasurementStatus
from kvi.periods import is_period_start
from tenancy.models import AuditEvent
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

MS = MeasurementStatus
MEASUREMENT_COLUMNS = ["kvi_code", "period", "value", "numerator", "denominator", "note", "source"]
SOURCE_MAX_LENGTH: int = Measurement._meta.get_field("source").max_length or 300
BATCH = 1000


@dataclass(frozen=True)
class RowError:
    """One problem: the row as the person sees it (0 = the whole file), the column ("" for the
    whole row) and what is wrong, in words they can act on."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class MeasurementRow:
    """A checked row: the figure of one KVI for one period, ready to apply."""

    row: int
    kvi: Kvi
    period: date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    source: str


# --- Checking ---------------------------------------------------------------------------------


@dataclass
class _Checked:
    """A row read as far as it goes: kvi and period when they are right, the figures when the
    whole row is right."""

    kvi: Kvi | None = None
    period: date | None = None
    row: MeasurementRow | None = None


def _check_record(number: int, record: dict, kvis: dict[str, Kvi], errors: list) -> _Checked:
    found = _Checked()
    row_errors: dict[str, str] = {}
    for key in record:
        if key not in MEASUREMENT_COLUMNS:
            errors.append(RowError(number, "", f'"{key}" is not a column of a measurement import.'))
    code = as_text(record.get("kvi_code")).upper()
    if not code:
        row_errors["kvi_code"] = "Enter the KVI code."
    elif (kvi := kvis.get(code)) is None:
        row_errors["kvi_code"] = f"This organisation has no KVI with the code {code}."
    elif kvi.metric.feed:
        row_errors["kvi_code"] = (
            f"{code}'s figures are worked out from uploads ({kvi.metric.get_feed_display()}), "
            "not imported."
        )
    else:
        found.kvi = kvi
    period, problem = parse_period(record.get("period"))
    if problem or period is None:
        row_errors["period"] = problem
    elif found.kvi is not None and not is_period_start(period, found.kvi.frequency):
        row_errors["period"] = period_message(period, found.kvi.frequency)
    else:
        found.period = period
    raw = {name: number_text(record.get(name)) for name in FIGURES}
    if found.kvi is not None:
        figure_errors, figures = _figures(
            found.kvi, raw["value"], raw["numerator"], raw["denominator"]
        )
    else:  # without the KVI, only whether each figure is a number can be checked
        figure_errors, figures = {}, {}
        for name in FIGURES:
            _decimal(raw[name], name, figure_errors)
    row_errors.update(figure_errors)
    note, source = as_text(record.get("note")), as_text(record.get("source"))
    if len(source) > SOURCE_MAX_LENGTH:
        row_errors["source"] = f"The source is too long: at most {SOURCE_MAX_LENGTH} characters."
    for column in MEASUREMENT_COLUMNS:
        if column in row_errors:
            errors.append(RowError(number, column, row_errors[column]))
    if not row_errors and found.kvi is not None and period is not None:
        found.row = MeasurementRow(
            row=number, kvi=found.kvi, period=period, note=note, source=source, **figures
        )
    return found


def _stored(tenant, kvi_ids, periods, *, lock: bool = False) -> dict[tuple, Measurement]:
    """The stored figures of these KVIs in these periods, by (kvi id, period): one query."""
    if not kvi_ids:
        return {}
    measurements = Measurement.objects.filter(
        tenant=tenant, kvi_id__in=set(kvi_ids), period__in=set(periods)
    )
    if lock:
        measurements = measurements.select_for_update()
    return {(m.kvi_id, m.period): m for m in measurements}


def _same(stored: Measurement, row: MeasurementRow, *, with_text: bool) -> bool:
    same = all(getattr(stored, name) == getattr(row, name) for name in FIGURES)
    if with_text:
        return same and stored.note == row.note and stored.source == row.source
    return same


def _figure_text(source) -> str:
    if source.value is not None:
        return plain(source.value)
    return f"{plain(source.numerator)} / {plain(source.denominator)}"


def _conflict(stored: Measurement, row: MeasurementRow) -> RowError:
    return RowError(
        row.row,
        "",
        f"The figure of {row.kvi.code} for {row.period.isoformat()} is already "
        f"{stored.get_status_display().lower()} as {_figure_text(stored)}; this row gives "
        f"{_figure_text(row)}. Correct it on the KVI's page, giving a reason.",
    )


@dataclass
class Plan:
    """What applying the rows would do, against the stored figures."""

    new: list[MeasurementRow]
    changed: list[tuple[MeasurementRow, Measurement]]
    unchanged: int
    conflicts: list[RowError]

    def counts(self) -> dict:
        return {"created": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged}


def plan(rows: list[MeasurementRow], stored: dict[tuple, Measurement]) -> Plan:
    """New figures, drafts to change, figures left alone, and figures that may not change.

    A draft is compared with its note and source too; a submitted, validated or returned figure
    by its figures only (the import leaves its note alone)."""
    result = Plan(new=[], changed=[], unchanged=0, conflicts=[])
    for row in rows:
        existing = stored.get((row.kvi.pk, row.period))
        if existing is None:
            result.new.append(row)
        elif _same(existing, row, with_text=existing.status == MS.DRAFT):
            result.unchanged += 1
        elif existing.status == MS.DRAFT:
            result.changed.append((row, existing))
        else:
            result.conflicts.append(_conflict(existing, row))
    return result


def check_rows(
    *,
    tenant,
    access: TenantAccess,
    organisation,
    records: list[dict],
    first_row: int = 2,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[MeasurementRow], list[RowError], Plan]:
    """`measurement_rows_check`, also giving the plan against the stored figures and calling
    `progress(rows_done)` every BATCH rows."""
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=organisation.id)
    kvis = {
        kvi.code.upper(): kvi
        for kvi in Kvi.objects.filter(tenant=tenant, organisation=organisation).select_related(
            "metric"
        )
    }
    rows: list[MeasurementRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple, int] = {}
    for index, record in enumerate(records):
        number = first_row + index
        if progress is not None and index and index % BATCH == 0:
            progress(index)
        if not isinstance(record, dict):
            errors.append(RowError(number, "", "Each row must be a set of named columns."))
            continue
        if all(is_blank(value) for value in record.values()):
            continue  # a blank spreadsheet row
        found = _check_record(number, record, kvis, errors)
        if found.kvi is not None and found.period is not None:
            key = (found.kvi.pk, found.period)
            if key in first_seen:
                errors.append(
                    RowError(
                        number,
                        "period",
                        f"Row {first_seen[key]} already gives {found.kvi.code}'s figure for "
                        f"{found.period.isoformat()}: give each KVI's period once.",
                    )
                )
                continue
            first_seen[key] = number
        if found.row is not None:
            rows.append(found.row)
    stored = _stored(tenant, [r.kvi.pk for r in rows], [r.period for r in rows])
    result = plan(rows, stored)
    errors.extend(result.conflicts)
    errors.sort(key=lambda error: (error.row, _column_order(error.column)))
    if progress is not None:
        progress(len(records))
    bad = {error.row for error in errors}
    return [row for row in rows if row.row not in bad], errors, result


def _column_order(column: str) -> int:
    return MEASUREMENT_COLUMNS.index(column) + 1 if column in MEASUREMENT_COLUMNS else 0


def measurement_rows_check(
    *, tenant, access, organisation, records: list[dict], first_row: int = 2
) -> tuple[list[MeasurementRow], list[RowError]]:
    """Check every record (column -> raw value: text or None from files, JSON values from the
    API) and return the good rows and ALL the problems, each naming its row and column: unknown
    KVI code (for this organisation), a period that is not a date or not the first day of a
    period of the KVI's frequency, text where a number belongs, a denominator of zero, a value
    mixed with a ratio, a ratio KVI without numerator and denominator, the same KVI and period
    twice, a figure already submitted or validated that differs. Records with no values at all
    (blank spreadsheet rows) are skipped. PermissionDenied without RECORD_MEASUREMENTS for the
    organisation."""
    rows, errors, _ = check_rows(
        tenant=tenant,
        access=access,
        organisation=organisation,
        records=records,
        first_row=first_row,
    )
    return rows, errors


# --- Applying ---------------------------------------------------------------------------------


def _event(tenant, who, verb: str, measurement: Measurement, changes: dict) -> AuditEvent:
    """The event `audit_record` writes for this change (written in bulk here)."""
    return AuditEvent(
        tenant=tenant,
        actor=who,
        verb=verb,
        object_type=Measurement._meta.label_lower,
        object_id=str(measurement.pk),
        changes=changes,
    )


def _str(value) -> str | None:
    return None if value is None else str(value)


def measurement_rows_apply(
    *, tenant, actor, access, organisation, rows: list[MeasurementRow], submit: bool = True
) -> dict:
    """Write checked rows in one transaction: new figures created, drafts that differ changed,
    figures equal to what is stored left alone; with `submit`, the new and changed figures are
    submitted for validation. Returns {"created", "changed", "unchanged"}. Refuses the whole
    batch (ValidationError) when a figure was submitted or entered by someone else since the
    rows were checked. Audited: the events the measurement services record for each figure
    ("measurement.recorded", ".changed", ".submitted") and one "measurements.imported"."""
    access.require(Perm.RECORD_MEASUREMENTS, organisation_id=organisation.id)
    keys = set()
    for row in rows:
        if row.kvi.tenant_id != tenant.id or row.kvi.organisation_id != organisation.id:
            raise PermissionDenied("A row names another organisation's KVI.")
        if (row.kvi.pk, row.period) in keys:
            raise ValidationError(f"Row {row.row} repeats a KVI and period given earlier.")
        keys.add((row.kvi.pk, row.period))
    now = timezone.now()
    who = actor if actor is not None and actor.is_authenticated else None
    status = MS.SUBMITTED if submit else MS.DRAFT
    try:
        with transaction.atomic():
            stored = _stored(tenant, [r.kvi.pk for r in rows], [r.period for r in rows], lock=True)
            result = plan(rows, stored)
            if result.conflicts:
                raise ValidationError(
                    [f"Row {error.row}: {error.message}" for error in result.conflicts]
                )
            events = _write(tenant, who, result, status=status, now=now)
            AuditEvent.objects.bulk_create(events, batch_size=BATCH)
            summary = result.counts()
            audit_record(
                tenant=tenant,
                actor=actor,
                verb="measurements.imported",
                obj=organisation,
                changes={**summary, "rows": len(rows), "submitted": submit},
            )
    except IntegrityError as error:
        raise ValidationError(
            "Someone entered some of these figures at the same time: check the rows again."
        ) from error
    return summary


def _write(tenant, who, result: Plan, *, status: str, now) -> list[AuditEvent]:
    submitted = status == MS.SUBMITTED
    events: list[AuditEvent] = []
    created = []
    for row in result.new:
        figures = {name: getattr(row, name) for name in FIGURES}
        measurement = Measurement(
            tenant=tenant,
            kvi=row.kvi,
            period=row.period,
            note=row.note,
            source=row.source,
            status=status,
            entered_by=who,
            submitted_at=now if submitted else None,
            **figures,
        )
        created.append(measurement)
        changes: dict[str, object] = {name: _str(number) for name, number in figures.items()}
        events.append(
            _event(
                tenant,
                who,
                "measurement.recorded",
                measurement,
                changes | {"period": row.period.isoformat(), "imported": True},
            )
        )
        if submitted:
            events.append(_event(tenant, who, "measurement.submitted", measurement, {}))
    Measurement.objects.bulk_create(created, batch_size=BATCH)
    changed = []
    for row, measurement in result.changed:
        changes = {
            name: [_str(getattr(measurement, name)), _str(getattr(row, name))]
            for name in (*FIGURES, "note", "source")
            if getattr(measurement, name) != getattr(row, name)
        }
        for name in (*FIGURES, "note", "source"):
            setattr(measurement, name, getattr(row, name))
        measurement.updated_at = now
        if submitted:
            measurement.status, measurement.submitted_at = MS.SUBMITTED, now
        changed.append(measurement)
        events.append(
            _event(tenant, who, "measurement.changed", measurement, changes | {"imported": True})
        )
        if submitted:
            events.append(_event(tenant, who, "measurement.submitted", measurement, {}))
    Measurement.objects.bulk_update(
        changed,
        [*FIGURES, "note", "source", "status", "submitted_at", "updated_at"],
        batch_size=BATCH,
    )
    return events
