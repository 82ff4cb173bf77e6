"""Loading proxy sets (financial proxies: £ per unit of a measure) from a publisher's CSV, and
choosing which loaded version prices the tenant's figures.

Proxy sets are licensed by their publishers and never shipped with the platform: a tenant admin
loads their own. A file loads whole or not at all: every bad row is reported by its number
(counted from 1 after the header) and column, and nothing is saved. Loading a set under a name
already used makes the next version, which becomes the tenant's active set; the same file again
under the same name changes nothing.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from kvi import periods
from kvi.models import ProxySet, ProxyValue
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_upload
from uploads.tables import UnreadableTable, read_csv_text

PROXY_SET_MAX_BYTES = 5 * 1024 * 1024
_PLACES = Decimal("0.000001")  # as ProxyValue stores £ per unit
_PCT_PLACES = Decimal("0.0001")
_MAX_VALUE = Decimal("1e14")  # numeric(20, 6)

# Canonical column -> the headers (normalised by _header_key) that mean it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "measure_code": ("measure_code", "measure", "code", "measure_id"),
    "unit": ("unit", "units", "unit_of_measure"),
    "value_per_unit": (
        "value_per_unit",
        "gbp_per_unit",
        "per_unit",
        "proxy_value",
        "proxy_value_gbp",
        "value_gbp",
        "gbp",
        "value",
    ),
    "financial_year": ("financial_year", "year", "fy"),
    "source": ("source",),
    "licence": ("licence", "license"),
    "deadweight_pct": (
        "deadweight_pct",
        "deadweight",
        "deadweight_percent",
        "deadweight_percentage",
    ),
    "attribution_pct": (
        "attribution_pct",
        "attribution",
        "attribution_percent",
        "attribution_percentage",
    ),
    "dropoff_pct": ("dropoff_pct", "drop_off_pct", "dropoff", "drop_off", "drop_off_percent"),
}
REQUIRED_COLUMNS = ("measure_code", "unit", "value_per_unit", "financial_year")
COLUMN_LABELS = {
    "measure_code": "Measure code",
    "unit": "Unit",
    "value_per_unit": "£ per unit",
    "financial_year": "Financial year",
    "source": "Source",
    "licence": "Licence",
    "deadweight_pct": "Deadweight %",
    "attribution_pct": "Attribution %",
    "dropoff_pct": "Drop-off %",
}
_MAX_LENGTHS = {"measure_code": 60, "unit": 40, "source": 300, "licence": 300}


@dataclass(frozen=True)
class ProxyRowError:
    """Why the file was refused: a row (from 1 after the header) and column, or the whole file
    (row None)."""

    row: int | None
    column: str
    message: str


class ProxySetRefused(ValidationError):
    """The file was refused; `row_errors` lists every problem found. Nothing was saved."""

    def __init__(self, row_errors: list[ProxyRowError]):
        self.row_errors = row_errors
        count = len(row_errors)
        super().__init__(
            {
                "file": (
                    f"The file has {count} problem{'s' if count != 1 else ''}, listed below: "
                    "nothing was loaded. Correct the file and load it again."
                )
            }
        )


def _header_key(name: object) -> str:
    """Headers compared loosely: " Deadweight % " -> "deadweight_pct", "£ per unit" ->
    "gbp_per_unit", "Measure-code" -> "measure_code"."""
    text = str(name).strip().lstrip("\ufeff").lower().replace("£", " gbp ").replace("%", " pct ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _resolve_columns(headers: list[str]) -> tuple[dict[str, str], list[ProxyRowError]]:
    """Canonical column -> the file's header, and errors for missing or doubled columns."""
    found: dict[str, str] = {}
    errors = []
    for header in headers:
        key = _header_key(header)
        for column, aliases in COLUMNS.items():
            if key in aliases:
                if column in found:
                    errors.append(
                        ProxyRowError(
                            None,
                            str(header),
                            f"Two columns mean {COLUMN_LABELS[column]}: {found[column]!r} and "
                            f"{header!r}. Keep one.",
                        )
                    )
                else:
                    found[column] = str(header)
                break
    for column in REQUIRED_COLUMNS:
        if column not in found:
            errors.append(
                ProxyRowError(
                    None,
                    COLUMN_LABELS[column],
                    f"No {COLUMN_LABELS[column]} column in the header (the headers are: "
                    f"{', '.join(map(str, headers)) or 'none'}).",
                )
            )
    return found, errors


def _read(uploaded_file: IO[bytes]) -> tuple[pd.DataFrame | None, ProxyRowError | None]:
    """The file as text cells, row N (from 1 after the header) at index N."""
    try:
        frame = read_csv_text(uploaded_file)
    except UnreadableTable as error:
        return None, ProxyRowError(None, "", str(error))
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame, None


def _number(text: str) -> Decimal | None:
    cleaned = text.replace("£", "").replace(",", "").replace("%", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _parse_rows(frame: pd.DataFrame, columns: dict[str, str]):
    """The rows as ProxyValue field dicts, and every problem found (all rows are checked)."""
    errors: list[ProxyRowError] = []
    rows: list[dict] = []
    first_row_of: dict[tuple[str, str], int] = {}

    def cell(record: dict, column: str) -> str:
        header = columns.get(column)
        return str(record[header]).strip() if header is not None else ""

    for number, record in zip(frame.index, frame.to_dict("records"), strict=True):
        if not any(str(value).strip() for value in record.values()):
            continue  # a blank line
        problems_before = len(errors)

        def refuse(column: str, message: str, number: int = number) -> None:
            header = columns.get(column, COLUMN_LABELS[column])
            errors.append(ProxyRowError(number, header, message))

        values: dict = {}
        for column in ("measure_code", "unit", "source", "licence"):
            text = cell(record, column)
            if column in REQUIRED_COLUMNS and not text:
                refuse(column, f"Enter the {COLUMN_LABELS[column].lower()}.")
            elif len(text) > _MAX_LENGTHS[column]:
                refuse(column, f"Too long: at most {_MAX_LENGTHS[column]} characters.")
            values[column] = text
        text = cell(record, "value_per_unit")
        amount = _number(text)
        if not text:
            refuse("value_per_unit", "Enter the value in £ per unit.")
        elif amount is None:
            refuse("value_per_unit", f"{text!r} is not a number.")
        elif amount < 0:
            refuse("value_per_unit", f"{text} is negative: a proxy value is £0 or more.")
        elif amount >= _MAX_VALUE:
            refuse("value_per_unit", f"{text} is too large.")
        else:
            values["value_per_unit"] = amount.quantize(_PLACES)
        year = cell(record, "financial_year")
        try:
            periods.financial_year_start(year)
        except ValueError as exc:
            refuse(
                "financial_year", str(exc) if year else "Enter the financial year, e.g. 2022/23."
            )
        values["financial_year"] = year
        for column in ("deadweight_pct", "attribution_pct", "dropoff_pct"):
            text = cell(record, column)
            share = Decimal(0) if not text else _number(text)
            if share is None:
                refuse(column, f"{text!r} is not a number.")
            elif not Decimal(0) <= share <= Decimal(100):
                refuse(column, f"{text} is outside 0–100: give a percentage, e.g. 25.")
            else:
                values[column] = share.quantize(_PCT_PLACES)
        if len(errors) > problems_before:
            continue
        key = (values["measure_code"], year)
        if key in first_row_of:
            refuse(
                "measure_code",
                f"{key[0]} for {year} is already on row {first_row_of[key]}: give each measure "
                "one value per financial year.",
            )
            continue
        first_row_of[key] = number
        rows.append(values)
    return rows, errors


def parse_proxy_file(uploaded_file: IO[bytes]) -> list[dict]:
    """The rows of a proxy-set CSV as ProxyValue fields; ProxySetRefused listing every problem."""
    frame, problem = _read(uploaded_file)
    if frame is None:
        raise ProxySetRefused([problem or ProxyRowError(None, "", "The file cannot be read.")])
    columns, errors = _resolve_columns(list(frame.columns))
    if errors:
        raise ProxySetRefused(errors)
    rows, errors = _parse_rows(frame, columns)
    if errors:
        raise ProxySetRefused(errors)
    if not rows:
        raise ProxySetRefused([ProxyRowError(None, "", "The file has no rows after the header.")])
    return rows


def _switch_active(*, tenant, proxy_set: ProxySet) -> tuple[bool, ProxySet | None]:
    """Make `proxy_set` the tenant's active set, inside the caller's transaction, by
    compare-and-set: (whether it was switched on, the set that was active before it)."""
    previous = (
        ProxySet.objects.select_for_update()
        .filter(tenant=tenant, is_active=True)
        .exclude(pk=proxy_set.pk)
        .first()
    )
    if previous is not None:
        ProxySet.objects.filter(tenant=tenant, pk=previous.pk, is_active=True).update(
            is_active=False
        )
    switched = ProxySet.objects.filter(tenant=tenant, pk=proxy_set.pk, is_active=False).update(
        is_active=True
    )
    proxy_set.is_active = True
    return bool(switched), previous


def _mark(proxy_set: ProxySet, *, created: bool) -> ProxySet:
    """Say on the returned set whether this load made it (False: the file was loaded before)."""
    setattr(proxy_set, "created", created)  # noqa: B010 (not a model field)
    return proxy_set


def _actor_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def proxy_set_load(
    *,
    tenant,
    actor,
    access: TenantAccess,
    uploaded_file: IO[bytes],
    name: str,
    source: str = "",
    licence: str = "",
) -> ProxySet:
    """Load a proxy set from CSV (columns: measure code, unit, £ per unit, financial year,
    source, licence, deadweight %, attribution %, optional drop-off %; headers matched loosely).
    All or nothing: a ProxySetRefused lists every bad row. The next version of `name` becomes
    the active set; the same file under the same name again returns the existing version and
    changes nothing. The returned set's `created` attribute says which happened."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    name, source, licence = name.strip(), source.strip(), licence.strip()
    errors: dict[str, str | list[str]] = {}
    if not name:
        errors["name"] = "Enter a name for the proxy set, e.g. the publisher's name and edition."
    elif len(name) > 200:
        errors["name"] = "The name is too long: at most 200 characters."
    if len(source) > 300:
        errors["source"] = "Too long: at most 300 characters."
    if len(licence) > 300:
        errors["licence"] = "Too long: at most 300 characters."
    try:
        checked = check_upload(
            uploaded_file, allowed_types=[FileType.CSV], max_bytes=PROXY_SET_MAX_BYTES
        )
    except ValidationError as exc:
        errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)

    existing = ProxySet.objects.filter(tenant=tenant, name=name, file_sha256=checked.sha256)
    if (same := existing.order_by("-version").first()) is not None:
        _mark(same, created=False)
        return same
    rows = parse_proxy_file(uploaded_file)
    try:
        with transaction.atomic():
            last = ProxySet.objects.filter(tenant=tenant, name=name).aggregate(v=Max("version"))
            proxy_set = ProxySet.objects.create(
                tenant=tenant,
                name=name,
                version=(last["v"] or 0) + 1,
                source=source,
                licence=licence,
                file_name=checked.file_name,
                file_sha256=checked.sha256,
                is_active=False,
                loaded_by=_actor_or_none(actor),
            )
            ProxyValue.objects.bulk_create(
                [ProxyValue(tenant=tenant, proxy_set=proxy_set, **row) for row in rows],
                batch_size=1000,
            )
            _, previous = _switch_active(tenant=tenant, proxy_set=proxy_set)
    except IntegrityError:
        # Someone loaded a version of this set, or switched the active set, at the same moment.
        same = existing.order_by("-version").first()
        if same is not None:
            _mark(same, created=False)
            return same
        raise ValidationError(
            {"file": "Another version was loaded at the same moment: load the file again."}
        ) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="proxy_set.loaded",
        obj=proxy_set,
        changes={
            "name": name,
            "version": proxy_set.version,
            "file_name": checked.file_name,
            "file_sha256": checked.sha256,
            "source": source,
            "licence": licence,
            "values": len(rows),
            "is_active": [False, True],
            "previous_active": str(previous) if previous is not None else None,
        },
    )
    _mark(proxy_set, created=True)
    _queue_refresh(tenant)
    return proxy_set


def proxy_set_activate(*, tenant, actor, access: TenantAccess, proxy_set: ProxySet) -> ProxySet:
    """Make this version the one that prices the tenant's figures (the active set before it
    stops being active). Already active: nothing changes."""
    access.require(Perm.MANAGE_FRAMEWORKS)
    if proxy_set.tenant_id != tenant.id:
        raise ValidationError("Choose one of this programme's proxy sets.")
    try:
        with transaction.atomic():
            switched, previous = _switch_active(tenant=tenant, proxy_set=proxy_set)
    except IntegrityError:
        raise ValidationError(
            "Another version was made active at the same moment: look at the list and try again."
        ) from None
    if switched:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="proxy_set.activated",
            obj=proxy_set,
            changes={
                "is_active": [False, True],
                "previous_active": str(previous) if previous is not None else None,
            },
        )
        _queue_refresh(tenant)
    return proxy_set


def _queue_refresh(tenant) -> None:
    """A new active set reprices every KVI: work the figures out in the background now rather
    than on the next overview (kvi.rollup)."""
    from kvi.tasks import refresh_kvi_year_figures  # (the tasks import the services)

    refresh_kvi_year_figures.delay_on_commit(str(tenant.id))
