"""Local spend from a supply-chain spend ledger: validating (kvi.ledger_reading) and aggregating.

A ledger is a CSV with the columns supplier_name, supplier_postcode, amount, payment_date and,
optionally, supplier_type (SME, VCSE, ...) and category. Real exports are messy: postcodes in any
case and spacing, amounts written "£12,345.67". Rows are numbered from 1 after the header.

A file with any error (an amount that is not a number, a date that does not exist, a missing
column) is refused whole, naming every bad row. Otherwise it gives, as exact Decimals: total
spend, local spend and its share (local ÷ all spend in the period, unresolved postcodes included
in the denominator), spend by district, by IMD decile of the supplier's postcode, by month, the
SME and VCSE shares, the rows whose postcode could not be resolved, and the rows whose postcode
is terminated (they still resolve: the directory keeps their geography).

Supplier rows are not kept: `LedgerResult.results_json()` holds aggregates only;
`row_notes_json()` holds row numbers and postcodes for the organisation to fix.
"""

import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kvi.ledger_reading import (
    Amounts,
    Dates,
    LedgerError,
    LedgerRows,
    read_amounts,
    read_dates,
    read_ledger,
    to_numpy,
)
from kvi.models import LocalArea, PostcodeRelease
from kvi.postcodes import is_postcode, normalise_postcodes, resolve_compact_postcodes

CENT = Decimal("0.01")
ZERO = Decimal("0.00")  # sums keep at least pennies: "0.00", not "0"

# Why a postcode did not resolve.
BLANK = "blank"
NOT_A_POSTCODE = "not_a_postcode"
NOT_FOUND = "not_found"
UNRESOLVED_REASONS = {
    BLANK: "No postcode",
    NOT_A_POSTCODE: "Not a UK postcode",
    NOT_FOUND: "Postcode not in the postcode directory",
}


@dataclass(frozen=True)
class UnresolvedRow:
    row: int
    postcode: str  # as written in the file, trimmed
    reason: str  # BLANK, NOT_A_POSTCODE or NOT_FOUND


@dataclass(frozen=True)
class TerminatedRow:
    row: int
    postcode: str


@dataclass
class LedgerResult:
    """What a ledger gave. When `errors` is not empty the file is refused and the figures are
    empty. Money is Decimal, summed exactly; percentages are exact until `percent()` rounds."""

    release: PostcodeRelease
    local_area: LocalArea
    errors: list[LedgerError] = field(default_factory=list)
    rows: int = 0
    period_start: date | None = None
    period_end: date | None = None
    total: Decimal = ZERO
    local: Decimal = ZERO
    unresolved_spend: Decimal = ZERO
    sme: Decimal = ZERO
    vcse: Decimal = ZERO
    by_district: dict[str, Decimal] = field(default_factory=dict)
    by_decile: dict[int | None, Decimal] = field(default_factory=dict)
    by_month: dict[date, tuple[Decimal, Decimal]] = field(default_factory=dict)  # total, local
    unresolved: list[UnresolvedRow] = field(default_factory=list)
    terminated: list[TerminatedRow] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    def share(self, part: Decimal, whole: Decimal | None = None) -> Decimal | None:
        """Exact percentage of `whole` (default: total spend); None when there is no spend."""
        whole = self.total if whole is None else whole
        return part * 100 / whole if whole else None

    def percent(self, part: Decimal, whole: Decimal | None = None) -> str | None:
        """The share rounded to 2 decimal places for display, e.g. "13.09"."""
        exact = self.share(part, whole)
        return str(exact.quantize(CENT, rounding=ROUND_HALF_UP)) if exact is not None else None

    @property
    def local_percent(self) -> str | None:
        return self.percent(self.local)

    def results_json(self) -> dict:
        """Aggregates only (no supplier rows): safe to report beyond the organisation."""
        if self.refused:
            return {}
        local_districts = set(self.local_area.district_codes)
        by_district = sorted(self.by_district.items(), key=lambda item: (-item[1], item[0]))
        by_decile = sorted(self.by_decile.items(), key=lambda item: (item[0] is None, item[0]))
        return {
            "rows": self.rows,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "release": self.release.name,
            "deprivation_edition": self.release.deprivation_edition,
            "deprivation_areas": self.release.deprivation_areas,
            "local_area": self.local_area.name,
            "local_districts": sorted(local_districts),
            "total_spend": str(self.total),
            "local_spend": str(self.local),
            "local_percent": self.percent(self.local),
            "unresolved_spend": str(self.unresolved_spend),
            "unresolved_percent": self.percent(self.unresolved_spend),
            "unresolved_rows": len(self.unresolved),
            "terminated_rows": len(self.terminated),
            "sme_spend": str(self.sme),
            "sme_percent": self.percent(self.sme),
            "vcse_spend": str(self.vcse),
            "vcse_percent": self.percent(self.vcse),
            "by_district": [
                {
                    "district": district,
                    "local": district in local_districts,
                    "spend": str(spend),
                    "percent": self.percent(spend),
                }
                for district, spend in by_district
            ],
            "by_imd_decile": [
                {"decile": decile, "spend": str(spend), "percent": self.percent(spend)}
                for decile, spend in by_decile
            ],
            "by_month": [
                {
                    "month": month.isoformat(),
                    "spend": str(total),
                    "local_spend": str(local),
                    "local_percent": self.percent(local, total),
                }
                for month, (total, local) in sorted(self.by_month.items())
            ],
        }

    def row_notes_json(self) -> dict:
        """Rows for the organisation to look at; kept with the organisation only."""
        return {
            "unresolved": [
                {"row": r.row, "postcode": r.postcode, "reason": r.reason} for r in self.unresolved
            ],
            "terminated": [{"row": r.row, "postcode": r.postcode} for r in self.terminated],
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def analyse_ledger(
    source: str | os.PathLike | IO[bytes], *, release: PostcodeRelease, local_area: LocalArea
) -> LedgerResult:
    """Read, validate and aggregate a spend ledger (a path or a binary file object)."""
    result = LedgerResult(release=release, local_area=local_area)
    ledger, result.errors = read_ledger(source)
    if ledger is None:
        return result
    amounts, amount_errors = read_amounts(ledger.column("amount"), ledger.rows)
    dates, date_errors = read_dates(ledger.column("payment_date"), ledger.rows)
    result.errors = sorted(amount_errors + date_errors, key=lambda e: (e.row, e.column))
    if amounts is not None and not result.errors:
        _aggregate(result, ledger, amounts, dates)
    return result


# --- Aggregating -------------------------------------------------------------------------------


def _aggregate(result: LedgerResult, ledger: LedgerRows, amounts: Amounts, dates: Dates) -> None:
    rows = ledger.rows
    places = _places(ledger.column("supplier_postcode"), result)
    codes = places.codes
    found, local = places.found[codes], places.local[codes]
    if ledger.has("supplier_type"):
        kinds = pc.dictionary_encode(ledger.column("supplier_type"))
        upper, kind = pc.utf8_upper(kinds.dictionary).to_pylist(), to_numpy(kinds.indices)
        is_sme = np.array([re.search(r"\bSME\b", text) is not None for text in upper])[kind]
        is_vcse = np.array([re.search(r"\bVCSE\b", text) is not None for text in upper])[kind]
    else:
        is_sme = is_vcse = np.zeros(len(rows), dtype=bool)
    month_starts = dates.values.dt.to_period("M").dt.start_time.dt.date
    months = sorted(set(month_starts))
    month = np.array([months.index(start) for start in month_starts])[dates.codes]

    money = _Money(amounts)
    result.total = money.total()
    result.sme = money.total(is_sme)
    result.vcse = money.total(is_vcse)
    result.unresolved_spend = money.total(~found)
    result.local = money.total(local)
    by_district = money.by(places.district[codes], found)
    result.by_district = {places.districts[key]: spend for key, spend in by_district.items()}
    # Decile 0 is none: the postcode did not resolve, or is not in England.
    by_decile = money.by(places.decile[codes])
    result.by_decile = {key or None: spend for key, spend in by_decile.items()}
    month_total, month_local = money.by(month), money.by(month, local)
    result.by_month = {
        months[key]: (total, month_local.get(key, ZERO)) for key, total in month_total.items()
    }
    reasons = {code: _unresolved_reason(places.compact[code]) for code in set(codes[~found])}
    result.unresolved = [
        UnresolvedRow(int(rows[i]), places.written[codes[i]], reasons[codes[i]])
        for i in np.flatnonzero(~found)
    ]
    result.terminated = [
        TerminatedRow(int(rows[i]), places.written[codes[i]])
        for i in np.flatnonzero(places.terminated[codes])
    ]
    result.rows = len(rows)
    result.period_start = dates.values.min().date()
    result.period_end = dates.values.max().date()


def _unresolved_reason(postcode: str) -> str:
    return BLANK if not postcode else NOT_FOUND if is_postcode(postcode) else NOT_A_POSTCODE


@dataclass(frozen=True)
class _Places:
    """Where the suppliers are: for each distinct postcode text, its place (district -1 when
    it does not resolve); `codes` gives each row's text."""

    codes: np.ndarray
    written: list[str]  # as written, trimmed
    compact: list[str]  # normalised
    districts: list[str]  # the districts found, which `district` indexes
    district: np.ndarray
    decile: np.ndarray  # 1 to 10, 0 for none
    local: np.ndarray
    terminated: np.ndarray

    @property
    def found(self) -> np.ndarray:
        return self.district >= 0


def _places(column: pa.Array, result: LedgerResult) -> _Places:
    # Each distinct text is cleaned and looked up once (a ledger repeats its suppliers).
    encoded = pc.dictionary_encode(column)
    texts = pc.utf8_trim_whitespace(encoded.dictionary)
    written = texts.to_pylist()
    compact = normalise_postcodes(texts).to_pylist()
    resolved = resolve_compact_postcodes(
        {postcode for postcode in compact if is_postcode(postcode)}, release=result.release
    )
    local_districts = set(result.local_area.district_codes)
    districts: dict[str, int] = {}
    district = np.full(len(compact), -1)
    decile = np.zeros(len(compact), dtype=np.int64)
    local = np.zeros(len(compact), dtype=bool)
    terminated = np.zeros(len(compact), dtype=bool)
    for index, postcode in enumerate(compact):
        place = resolved.get(postcode)
        if place is not None:
            district[index] = districts.setdefault(place.district, len(districts))
            decile[index] = place.imd_decile or 0
            local[index] = place.district in local_districts
            terminated[index] = place.terminated
    return _Places(
        to_numpy(encoded.indices), written, compact, list(districts), district, decile, local,
        terminated,
    )  # fmt: skip


class _Money:
    """Exact sums of the amounts, as the Decimals adding them up one by one would give."""

    def __init__(self, amounts: Amounts):
        self.amounts = amounts

    def total(self, where: np.ndarray | None = None) -> Decimal:
        units, places = self.amounts.units, self.amounts.places
        if where is not None:
            units, places = units[where], places[where]
        return self._decimal(units.sum(), places.max()) if len(units) else ZERO

    def by(self, keys: np.ndarray, where: np.ndarray | None = None) -> dict[int, Decimal]:
        """Sums by key (small whole numbers), for the keys that have rows."""
        units, places = self.amounts.units, self.amounts.places
        if where is not None:
            keys, units, places = keys[where], units[where], places[where]
        size = int(keys.max()) + 1 if len(keys) else 0
        sums = np.zeros(size, dtype=units.dtype)
        most_places = np.zeros(size, dtype=places.dtype)
        np.add.at(sums, keys, units)
        np.maximum.at(most_places, keys, places)
        return {
            int(key): self._decimal(sums[key], most_places[key])
            for key in np.flatnonzero(np.bincount(keys, minlength=size))
        }

    def _decimal(self, units, places) -> Decimal:
        # Sum of terms with p decimal places or fewer: exactly representable with p places.
        places = max(2, int(places))
        return Decimal(f"{int(units) // 10 ** (self.amounts.scale - places)}E-{places}")
