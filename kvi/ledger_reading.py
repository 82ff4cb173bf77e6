"""Reading a spend ledger file (kvi.ledger): the CSV as text columns, then its amounts and
payment dates checked and read exactly, with an error naming each bad row.

Arrow reads the usual file (UTF-8, rows as wide as the header, no blank lines between rows);
pandas reads anything else, numbering rows across blank lines and saying what is wrong. The
amounts follow Python's rules (its \\s and \\d are Unicode's): Arrow applies them to ASCII text,
where its regular expressions agree with Python's, and Python to the few other texts.
"""

import io
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from uploads.tables import UnreadableTable, read_csv_text

REQUIRED_COLUMNS = ("supplier_name", "supplier_postcode", "amount", "payment_date")
OPTIONAL_COLUMNS = ("supplier_type", "category")

_AMOUNT_NOISE_RE = r"[£,\s]"
_ASCII_AMOUNT_NOISE_RE = r"[£,\t-\r\x1c-\x1f ]"  # the same for Arrow, in ASCII text (and £)
_CREDIT_RE = r"^\((.*)\)$"
_NUMBER_RE = r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$"
_ISO_DATE_RE = r"^\d{4}-\d{1,2}-\d{1,2}$"
_UK_DATE_RE = r"^\d{1,2}/\d{1,2}/\d{4}$"


@dataclass(frozen=True)
class LedgerError:
    """A reason to refuse the file: a row and column, or the whole file (row None)."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class LedgerRows:
    """The ledger's rows as text columns (normalised headers), without wholly blank lines;
    `rows` numbers them as the file does (from 1 after the header)."""

    table: pa.Table
    rows: np.ndarray

    def column(self, name: str) -> pa.Array:
        return self.table[name].combine_chunks()

    def has(self, name: str) -> bool:
        return name in self.table.column_names


def read_ledger(
    source: str | os.PathLike | IO[bytes],
) -> tuple[LedgerRows | None, list[LedgerError]]:
    """The file's rows, or the errors that refuse the whole file."""
    table, file_error = _read(source)
    if file_error:
        return None, [file_error]
    missing = [column for column in REQUIRED_COLUMNS if column not in table.column_names]
    if missing:
        return None, [
            LedgerError(None, column, f"The file has no {column} column.") for column in missing
        ]
    # Lines left wholly blank are not rows of the ledger (but keep the numbering).
    filled = np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        filled |= to_numpy(pc.not_equal(column, ""))
    if not filled.any():
        return None, [LedgerError(None, "", "The file has no rows after the header.")]
    if not filled.all():
        table = table.filter(pa.array(filled))
    return LedgerRows(table, np.flatnonzero(filled) + 1), []


def _read(source) -> tuple[pa.Table, LedgerError | None]:
    """The whole file as text columns with normalised headers, in file order."""
    if isinstance(source, str | os.PathLike):
        data = Path(source).read_bytes()
    else:
        source.seek(0)
        data = source.read()
    table = _read_with_arrow(data)
    if table is None:
        frame, error = _read_with_pandas(io.BytesIO(data))
        if error:
            return pa.table({}), error
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    names = [_column_name(name) for name in _numbered_repeats(table.column_names)]
    for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        if names.count(name) > 1:
            return table, LedgerError(None, name, f"The file has more than one {name} column.")
    return table.rename_columns(names), None


def _read_with_arrow(data: bytes) -> pa.Table | None:
    """Arrow's reader, for files in the usual shape: UTF-8, every row as wide as the header, no
    blank line between rows. None for anything else: pandas reads those, numbering rows across
    blank lines and saying what is wrong."""
    end = len(data)
    while end and data[end - 1] in b"\r\n":  # blank lines at the end are fine
        end -= 1
    blank_line = data.find(b"\n\n", 0, end) >= 0 or data.find(b"\n\r\n", 0, end) >= 0
    if not end or data[:1] in b"\r\n" or blank_line:
        return None
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            # One thread: quoted values may hold line breaks, which makes splitting the file
            # between threads slow; on two cores one thread is as quick and leaves one free.
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(default_column_type=pa.string()),
        )
    except pa.ArrowInvalid:
        return None


def _read_with_pandas(source: IO[bytes]) -> tuple[pd.DataFrame, LedgerError | None]:
    try:
        return read_csv_text(source), None
    except UnreadableTable as error:
        return pd.DataFrame(), LedgerError(None, "", str(error))


def _numbered_repeats(names: list[str]) -> list[str]:
    """Repeated header names numbered as pandas numbers them: amount, amount.1, ..."""
    seen: set[str] = set()
    numbered = []
    for name in names:
        candidate, number = name, 0
        while candidate in seen:
            number += 1
            candidate = f"{name}.{number}"
        seen.add(candidate)
        numbered.append(candidate)
    return numbered


def _column_name(name: str) -> str:
    """Header names compared loosely: " Supplier Postcode " -> "supplier_postcode"."""
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def to_numpy(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)


# --- Validating: amounts and dates ------------------------------------------------------------


@dataclass(frozen=True)
class Amounts:
    """Every row's amount, exactly: a whole number of 10^-scale pounds, and the decimal places
    it was written with (a Decimal sum keeps the most places of its terms)."""

    units: np.ndarray  # int64, or Python ints where int64 could overflow
    places: np.ndarray
    scale: int


@dataclass(frozen=True)
class Dates:
    """The payment dates: the distinct ones, and each row's."""

    values: pd.Series  # each distinct payment date (Timestamps)
    codes: np.ndarray  # each row's index into `values`


def read_amounts(column: pa.Array, rows: np.ndarray) -> tuple[Amounts | None, list[LedgerError]]:
    """The amounts, read exactly, or an error for each one that is not a number."""
    raw = pc.utf8_trim_whitespace(column)
    cleaned, unusual = _clean_amounts(raw)
    valid = to_numpy(pc.match_substring_regex(cleaned, _NUMBER_RE))
    valid[unusual] = [re.match(_NUMBER_RE, text) is not None for text in _texts(cleaned, unusual)]
    bad = np.flatnonzero(~valid)
    if len(bad):
        return None, [
            LedgerError(
                int(rows[index]),
                "amount",
                f"Enter the amount as a number, like 12345.67 (found “{value}”)"
                if value
                else "The amount is missing",
            )
            for index, value in zip(bad, _texts(raw, bad), strict=True)
        ]
    return _amounts(cleaned, by_python=len(unusual) > 0), []


def _clean_amount(text: str) -> str:
    """An amount without its noise (£, commas, spaces), a credit "(12.50)" as "-12.50"."""
    credit = re.match(_CREDIT_RE, text)
    cleaned = re.sub(_AMOUNT_NOISE_RE, "", credit.group(1) if credit else text)
    return f"-{cleaned}" if credit else cleaned


def _clean_amounts(raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """_clean_amount() of each text, by Arrow; the texts with characters other than ASCII and £
    (where Python's \\s and \\d are Unicode's, unlike Arrow's) by Python, and their rows."""
    cleaned = pc.replace_substring_regex(raw, _ASCII_AMOUNT_NOISE_RE, "")
    credit = pc.match_substring_regex(raw, _CREDIT_RE)
    if pc.any(credit).as_py():
        inner = pc.utf8_slice_codeunits(raw.filter(credit), 1, -1)
        inner = pc.replace_substring_regex(inner, _ASCII_AMOUNT_NOISE_RE, "")
        cleaned = pc.replace_with_mask(cleaned, credit, pc.binary_join_element_wise("-", inner, ""))
    unusual = np.flatnonzero(~to_numpy(pc.string_is_ascii(cleaned)))
    if len(unusual):
        by_python = [_clean_amount(text) for text in _texts(raw, unusual)]
        mask = np.zeros(len(raw), dtype=bool)
        mask[unusual] = True
        cleaned = pc.replace_with_mask(cleaned, pa.array(mask), pa.array(by_python, pa.string()))
    return cleaned, unusual


def _amounts(cleaned: pa.Array, *, by_python: bool) -> Amounts:
    """Valid cleaned amounts ([sign] digits [. digits]) as exact whole numbers of units."""
    if by_python:  # Unicode digits among them: Decimal reads those
        terms = [Decimal(text).as_tuple() for text in cleaned.to_pylist()]
        places = np.array([max(0, -int(term.exponent)) for term in terms])
        scale = max(2, int(places.max()))
        units = np.array(
            [
                (-1) ** term.sign
                * int("".join(map(str, term.digits)))
                * 10 ** (scale + int(term.exponent))
                for term in terms
            ],
            dtype=object,
        )
        return Amounts(units, places, scale)
    minus = to_numpy(pc.starts_with(cleaned, "-"))
    unsigned = pc.utf8_ltrim(cleaned, characters="+-")
    point = to_numpy(pc.find_substring(unsigned, "."))
    length = to_numpy(pc.utf8_length(unsigned))
    places = np.where(point >= 0, length - point - 1, 0)
    digits = pc.replace_substring(unsigned, ".", "")
    scale = max(2, int(places.max()))
    if int((length - (point >= 0) + scale - places).max()) <= 18:  # each fits in an int64
        units = to_numpy(pc.cast(digits, pa.int64())) * 10 ** (scale - places)
    else:
        pairs = zip(digits.to_pylist(), places.tolist(), strict=True)
        units = np.array([int(text) * 10 ** (scale - p) for text, p in pairs], dtype=object)
    units = np.where(minus, -units, units)
    if int(np.abs(units).max()) * len(units) >= 2**63:  # a sum could overflow an int64
        units = units.astype(object)
    return Amounts(units, places, scale)


def _texts(array: pa.Array, indices: np.ndarray) -> list[str]:
    return array.take(pa.array(indices, pa.int64())).to_pylist()


def read_dates(column: pa.Array, rows: np.ndarray) -> tuple[Dates, list[LedgerError]]:
    """The payment dates (2022-04-30 or 30/04/2022), and an error for each one that is not a
    date. Each distinct text is read once (a ledger has a few hundred different dates)."""
    encoded = pc.dictionary_encode(column)
    raw = encoded.dictionary.to_pandas().str.strip()
    iso = pd.to_datetime(raw.where(raw.str.match(_ISO_DATE_RE)), format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(raw.where(raw.str.match(_UK_DATE_RE)), format="%d/%m/%Y", errors="coerce")
    dates = Dates(iso.fillna(uk), to_numpy(encoded.indices))
    errors = []
    for index in np.flatnonzero(dates.values.isna().to_numpy()[dates.codes]):
        value = raw.iloc[dates.codes[index]]
        if not value:
            message = "The payment date is missing"
        elif re.match(_ISO_DATE_RE, value) or re.match(_UK_DATE_RE, value):
            message = f"“{value}” is not a date that exists"
        else:
            message = f"Enter the payment date like 2022-04-30 or 30/04/2022 (found “{value}”)"
        errors.append(LedgerError(int(rows[index]), "payment_date", message))
    return dates, errors
