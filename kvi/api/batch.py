"""Pushing a batch of measurements through the API (scope `kvi:write`).

The batch is read here only as far as its shape (an organisation and a list of objects whose
fields are text, numbers or null); every figure is then checked and saved by kvi.imports, the
same functions a file import uses. Errors come back together, each keyed by the item's index
and column (`measurements[3].period`), and nothing is saved unless every item is good.
"""

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import transaction
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from api.models import ApiKey
from kvi.imports import MEASUREMENT_COLUMNS, measurement_rows_apply, measurement_rows_check
from organisations.selectors import participation_api_list
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

MAX_ITEMS = 1000
TEXT_FIELDS = ("kvi_code", "period", "note", "source")
FIGURE_FIELDS = ("value", "numerator", "denominator")


class DecimalJSONParser(JSONParser):
    """JSON with numbers read as exact decimals (1309.5 stays 1309.5, never a binary float)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            return json.loads(stream.read().decode(encoding), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise ParseError(f"The body is not valid JSON: {error}") from None


def request_body(request):
    """The parsed body; one over settings.DATA_UPLOAD_MAX_MEMORY_SIZE is refused as such."""
    try:
        return request.data
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"The body is too large: send at most {limit:,} bytes at a time."
        raise ParseError(message) from None


@dataclass(frozen=True)
class PartnerAccess(TenantAccess):
    """What a partner key with `kvi:write` may do: record measurements for the organisations it
    was given (`grants`: (permission, organisation id) pairs), like the organisation's staff,
    and nothing else."""

    grants: frozenset = field(default_factory=frozenset)

    def can(self, perm: Perm, *, organisation_id=None) -> bool:
        return (perm, organisation_id) in self.grants

    def can_for_any_organisation(self, perm: Perm) -> bool:
        return any(granted == perm for granted, _ in self.grants)

    def organisations_with(self, perm: Perm) -> list:
        return [organisation for granted, organisation in self.grants if granted == perm]


def batch_access(request, organisation) -> TenantAccess:
    """The access the batch is checked with: a key records for the organisation (the key's
    organisation restriction was checked already); a person has their roles."""
    if isinstance(request.auth, ApiKey):
        return PartnerAccess(
            tenant_id=request.auth.tenant_id,
            grants=frozenset({(Perm.RECORD_MEASUREMENTS, organisation.id)}),
        )
    return request._request.access


class _Errors(dict):
    def add(self, key: str, message: str) -> None:
        messages = self.setdefault(key, [])
        if message not in messages:
            messages.append(message)


def _item_key(index: int, column: str = "") -> str:
    return f"measurements[{index}].{column}" if column else f"measurements[{index}]"


def _organisation(request, raw, errors: _Errors):
    """The organisation named in the batch, if it takes part and the caller may push for it."""
    try:
        organisation_id = uuid.UUID(str(raw))
    except ValueError:
        errors.add("organisation", "Give the organisation's id (a UUID), as in the KVIs.")
        return None
    if isinstance(request.auth, ApiKey) and request.auth.organisation_ids:
        if organisation_id not in request.auth.organisation_ids:
            raise PermissionDenied("This API key may not push figures for this organisation.")
    participation = participation_api_list(
        tenant=request._request.tenant, organisation_ids=[organisation_id]
    ).first()
    if participation is None:
        errors.add("organisation", "No organisation with this id takes part in this programme.")
        return None
    return participation.organisation


def _records(items: list, errors: _Errors) -> list:
    """The items as import records; a field of the wrong type is reported and left out."""
    records: list = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.add(_item_key(index), "Each measurement must be an object.")
            records.append(None)
            continue
        record = {}
        for name, raw in item.items():
            if name not in MEASUREMENT_COLUMNS:
                errors.add(
                    _item_key(index, name),
                    f"Unknown field: use {', '.join(MEASUREMENT_COLUMNS)}.",
                )
            elif raw is not None and name in TEXT_FIELDS and not isinstance(raw, str):
                errors.add(_item_key(index, name), "Give this as text.")
            elif (
                raw is not None
                and name in FIGURE_FIELDS
                and (isinstance(raw, bool) or not isinstance(raw, str | int | Decimal))
            ):
                errors.add(_item_key(index, name), "Give a number, as a JSON number or text.")
            else:
                record[name] = raw
        if not any(raw is not None and str(raw).strip() for raw in item.values()):
            errors.add(
                _item_key(index), "This measurement is empty: give kvi_code, period and its figure."
            )
        records.append(record)
    return records


def measurement_batch_save(request, data) -> dict:
    """Check the whole batch and save it, or raise ValidationError with every problem.
    Returns {"created", "changed", "unchanged"}."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError(
            {"non_field_errors": 'Send an object: {"organisation": …, "measurements": [...]}.'}
        )
    for name in data:
        if name not in ("organisation", "measurements"):
            errors.add(name, "Unknown field: send organisation and measurements.")
    organisation = None
    if data.get("organisation") is None:
        errors.add("organisation", "Give the organisation whose KVIs these figures are.")
    else:
        organisation = _organisation(request, data["organisation"], errors)
    items = data.get("measurements")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        errors.add("measurements", f"Give a list of 1 to {MAX_ITEMS:,} measurements.")
        raise ValidationError(dict(errors))
    records = _records(items, errors)
    if organisation is None:
        raise ValidationError(dict(errors))
    tenant = request._request.tenant
    access = batch_access(request, organisation)
    # Items that are not objects were reported above; the import skips them as blank rows.
    rows, row_errors = measurement_rows_check(
        tenant=tenant,
        access=access,
        organisation=organisation,
        records=[record if record is not None else {} for record in records],
        first_row=0,
    )
    for error in row_errors:
        if not 0 <= error.row < len(records):
            errors.add("measurements", error.message)
            continue
        key = _item_key(error.row, error.column)
        if records[error.row] is None or (error.column and key in errors):
            continue  # already reported with the item's own shape
        errors.add(key, error.message)
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=_error_order)))
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    with transaction.atomic():
        summary = measurement_rows_apply(
            tenant=tenant,
            actor=None if api_key else request.user,
            access=access,
            organisation=organisation,
            rows=rows,
        )
        if api_key is not None:
            audit_record(
                tenant=tenant,
                actor=None,
                verb="api_key.measurements_pushed",
                obj=api_key,
                changes={
                    "partner": api_key.partner_name,
                    "organisation": str(organisation.id),
                    **summary,
                },
            )
    return summary


def _error_order(item) -> tuple:
    """Top-level fields first, then the items by index."""
    key = item[0]
    if not key.startswith("measurements["):
        return (-1, key)
    index = int(key[len("measurements[") : key.index("]")])
    return (index, key)
