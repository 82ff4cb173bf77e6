"""Local spend from a supply-chain spend ledger: reading, validating and aggregating.

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
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO

import pandas as pd

from kvi.models import LocalArea, PostcodeRelease
from kvi.postcodes import is_postcode, normalise_postcode, resolve_postcodes

REQUIRED_COLUMNS = ("supplier_name", "supplier_postcode", "amount", "payment_date")
OPTIONAL_COLUMNS = ("supplier_type", "category")
ENCODINGS = ("utf-8-sig", "cp1252")  # UTF-8 (with or without BOM), else Excel's Windows-1252

_AMOUNT_NOISE_RE = r"[£,\s]"
_NUMBER_RE = r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$"
_ISO_DATE_RE = r"^\d{4}-\d{1,2}-\d{1,2}$"
_UK_DATE_RE = r"^\d{1,2}/\d{1,2}/\d{4}$"

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
class LedgerError:
    """A reason to refuse the file: a row and column, or the whole file (row None)."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


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
    frame, file_error = _read(source)
    if file_error:
        result.errors.append(file_error)
        return result
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        result.errors.extend(
            LedgerError(None, column, f"The file has no {column} column.") for column in missing
        )
        return result
    # Lines left wholly blank are not rows of the ledger (but keep the numbering).
    frame = frame[frame.ne("").any(axis=1)]
    if frame.empty:
        result.errors.append(LedgerError(None, "", "The file has no rows after the header."))
        return result

    amounts_text, amount_errors = _validate_amounts(frame)
    dates, date_errors = _validate_dates(frame)
    result.errors = sorted(amount_errors + date_errors, key=lambda e: (e.row, e.column))
    if result.errors:
        return result
    _aggregate(result, frame, amounts_text, dates)
    return result


def _read(source) -> tuple[pd.DataFrame, LedgerError | None]:
    """The whole file as text columns with normalised headers, row N at index N."""
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as handle:
            return _read(handle)
    last_problem = ""
    for encoding in ENCODINGS:
        source.seek(0)
        try:
            with warnings.catch_warnings():
                # A row with more fields than the header is an error, not a warning.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    source,
                    dtype=str,
                    keep_default_na=False,
                    skip_blank_lines=False,
                    index_col=False,
                    encoding=encoding,
                )
        except UnicodeDecodeError as exc:
            last_problem = f"The file is not readable text ({exc.reason})."
            continue
        except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
            return pd.DataFrame(), LedgerError(None, "", f"The file is not a valid CSV: {exc}")
        except pd.errors.EmptyDataError:
            return pd.DataFrame(), LedgerError(None, "", "The file is empty.")
        frame.columns = [_column_name(name) for name in frame.columns]
        frame = frame.fillna("")
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        return frame, None
    return pd.DataFrame(), LedgerError(None, "", last_problem)


def _column_name(name: str) -> str:
    """Header names compared loosely: " Supplier Postcode " -> "supplier_postcode"."""
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def _validate_amounts(frame: pd.DataFrame) -> tuple[pd.Series, list[LedgerError]]:
    raw = frame["amount"].str.strip()
    # "(1,234.50)" is how accounting exports write a negative amount (a credit).
    negative = raw.str.match(r"^\(.*\)$")
    cleaned = raw.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    cleaned = cleaned.str.replace(_AMOUNT_NOISE_RE, "", regex=True)
    cleaned = cleaned.where(~negative, "-" + cleaned)
    bad = ~cleaned.str.match(_NUMBER_RE)
    errors = [
        LedgerError(
            int(row),
            "amount",
            f"Enter the amount as a number, like 12345.67 (found “{value}”)"
            if value
            else "The amount is missing",
        )
        for row, value in raw[bad].items()
    ]
    return cleaned, errors


def _validate_dates(frame: pd.DataFrame) -> tuple[pd.Series, list[LedgerError]]:
    raw = frame["payment_date"].str.strip()
    iso = pd.to_datetime(raw.where(raw.str.match(_ISO_DATE_RE)), format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(raw.where(raw.str.match(_UK_DATE_RE)), format="%d/%m/%Y", errors="coerce")
    dates = iso.fillna(uk)
    errors = []
    for row, value in raw[dates.isna()].items():
        if not value:
            message = "The payment date is missing"
        elif re.match(_ISO_DATE_RE, value) or re.match(_UK_DATE_RE, value):
            message = f"“{value}” is not a date that exists"
        else:
            message = f"Enter the payment date like 2022-04-30 or 30/04/2022 (found “{value}”)"
        errors.append(LedgerError(int(row), "payment_date", message))
    return dates, errors


def _aggregate(
    result: LedgerResult, frame: pd.DataFrame, amounts_text: pd.Series, dates: pd.Series
) -> None:
    # Plain lists: iterating pandas string columns row by row is several times slower.
    raw_postcodes = frame["supplier_postcode"].str.strip().tolist()
    normalised = {value: normalise_postcode(value) for value in set(raw_postcodes)}
    compact = [normalised[value] for value in raw_postcodes]
    resolved = resolve_postcodes(set(normalised.values()), release=result.release)
    local_districts = set(result.local_area.district_codes)
    if "supplier_type" in frame.columns:
        kinds = frame["supplier_type"].str.upper()
        is_sme = kinds.str.contains(r"\bSME\b", regex=True).tolist()
        is_vcse = kinds.str.contains(r"\bVCSE\b", regex=True).tolist()
    else:
        is_sme = is_vcse = [False] * len(frame)
    months = dates.dt.to_period("M").dt.start_time.dt.date.tolist()

    by_district: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_decile: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    month_total: dict[date, Decimal] = defaultdict(lambda: ZERO)
    month_local: dict[date, Decimal] = defaultdict(lambda: ZERO)
    rows = zip(
        frame.index.tolist(),
        raw_postcodes,
        compact,
        amounts_text.tolist(),
        months,
        is_sme,
        is_vcse,
        strict=True,
    )
    for row, written, postcode, amount_text, month, sme, vcse in rows:
        amount = Decimal(amount_text)
        result.total += amount
        month_total[month] += amount
        if sme:
            result.sme += amount
        if vcse:
            result.vcse += amount
        place = resolved.get(postcode)
        if place is None:
            reason = (
                BLANK if not postcode else NOT_FOUND if is_postcode(postcode) else NOT_A_POSTCODE
            )
            result.unresolved.append(UnresolvedRow(int(row), written, reason))
            result.unresolved_spend += amount
            by_decile[None] += amount
            continue
        by_district[place.district] += amount
        by_decile[place.imd_decile] += amount
        if place.district in local_districts:
            result.local += amount
            month_local[month] += amount
        if place.terminated:
            result.terminated.append(TerminatedRow(int(row), written))

    result.rows = len(frame)
    result.period_start = dates.min().date()
    result.period_end = dates.max().date()
    result.by_district = dict(by_district)
    result.by_decile = dict(by_decile)
    result.by_month = {
        month: (total, month_local.get(month, ZERO)) for month, total in month_total.items()
    }
