"""The ONS postcode lookup (ONSPD or NSPL): loading a release, and resolving postcodes with it.

Headers drift between releases (`oslaua`, `laua`, `lad25cd`, `lad26cd`; `imd`, `imd20ind`,
`imd25ind`; `pcd`, `pcd7`, `pcds`; `icb`, `icb23cd`, `icb26cd`), so columns are found by stem and,
where several match, the newest year wins. A full file has about 2.7 million rows (1.5 GB): Arrow
reads it in blocks, converting only the needed columns, and each block is streamed into the table
with PostgreSQL COPY, in one transaction (a release loads whole or not at all).
"""

import os
import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, transaction

from kvi.models import DEPRIVATION_AREAS, DeprivationEdition, Postcode, PostcodeRelease

BLOCK_BYTES = 32 << 20  # the file is read and copied 32 MB at a time
ASCII_WHITESPACE_RE = r"[\t-\r\x1c-\x1f ]+"  # what Python's \s matches among ASCII characters

# A compact (no spaces) UK postcode: outward code (A9, A99, AA9, AA99, A9A, AA9A), then 9AA.
COMPACT_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
_WHITESPACE_RE = re.compile(r"\s+")

# Column stems. `year` (two digits) orders candidates: the newest wins, no year is oldest.
# The postcode column has no year; candidates are taken in the order of POSTCODE_PREFERENCE.
COLUMN_PATTERNS: dict[str, re.Pattern[str]] = {
    "postcode": re.compile(r"^pcd[s278]?$"),
    "district": re.compile(r"^(?:os)?la(?:ua|d(?P<year>\d{2})(?:cd)?)$"),
    "deprivation": re.compile(r"^imd(?:(?P<year>\d{2})(?:ind|rank)?)?$"),
    "doterm": re.compile(r"^doterm$"),
    "lsoa": re.compile(r"^lsoa(?P<year>\d{2})(?:cd)?$"),
    "icb": re.compile(r"^icb(?P<year>\d{2})?(?:cd)?$"),
}
POSTCODE_PREFERENCE = ("pcds", "pcd7", "pcd", "pcd8", "pcd2")
REQUIRED_COLUMNS = ("postcode", "district")


class PostcodeDirectoryError(ValueError):
    """The file cannot be loaded as a postcode directory (a message for the platform admin)."""


def normalise_postcode(value: str | None) -> str:
    """Upper case, all whitespace removed: " ch41 2ab " -> "CH412AB" ('' for blank)."""
    return _WHITESPACE_RE.sub("", value or "").upper()


def normalise_postcodes(values: pa.Array) -> pa.Array:
    """normalise_postcode() of each text, for many: by Arrow for ASCII texts (nearly all), by
    Python for the others (its whitespace is Unicode's, like the no-break space)."""
    compact = pc.utf8_upper(pc.replace_substring_regex(values, ASCII_WHITESPACE_RE, ""))
    others = ~pc.string_is_ascii(values).to_numpy(zero_copy_only=False)
    if others.any():
        texts = values.filter(pa.array(others)).to_pylist()
        python = pa.array([normalise_postcode(text) for text in texts], pa.string())
        compact = pc.replace_with_mask(compact, pa.array(others), python)
    return compact


def is_postcode(compact: str) -> bool:
    """Is this compact, upper-case value a well-formed UK postcode?"""
    return bool(COMPACT_POSTCODE_RE.match(compact))


def imd_decile(rank: int | None, areas: int | None) -> int | None:
    """Decile = ceil(rank x 10 / N), N the number of areas the edition ranks (1 = most deprived)."""
    if rank is None or not areas:
        return None
    return -(-rank * 10 // areas)  # integer ceiling division


def edition_for_column(column: str) -> str:
    """imd25* -> IoD2025; every earlier English column (imd, imd19*, imd20ind) -> IoD2019."""
    match = COLUMN_PATTERNS["deprivation"].match(column)
    year = int(match.group("year")) if match and match.group("year") else 0
    return DeprivationEdition.IOD2025 if year >= 25 else DeprivationEdition.IOD2019


def resolve_columns(header: Iterable[str]) -> dict[str, str]:
    """Map our names (postcode, district, deprivation, doterm, lsoa, icb) to the file's columns.

    Matching is by stem on the lower-cased header; of several matches the newest year wins.
    Raises PostcodeDirectoryError when the postcode or district column is missing.
    """
    names = [str(name).strip().lstrip("\ufeff") for name in header]
    chosen: dict[str, str] = {}
    for field, pattern in COLUMN_PATTERNS.items():
        candidates = [name for name in names if pattern.match(name.lower())]
        if not candidates:
            continue
        if field == "postcode":
            candidates.sort(key=lambda name: POSTCODE_PREFERENCE.index(name.lower()))
            chosen[field] = candidates[0]
        else:
            chosen[field] = max(candidates, key=lambda name: _year(pattern, name))
    missing = [field for field in REQUIRED_COLUMNS if field not in chosen]
    if missing:
        raise PostcodeDirectoryError(
            f"No {' or '.join(missing)} column found in the file's header "
            "(expected e.g. pcd/pcds and oslaua/laua/lad25cd)."
        )
    return chosen


def _year(pattern: re.Pattern[str], name: str) -> int:
    match = pattern.match(name.lower())
    year = match.groupdict().get("year") if match else None
    return int(year) if year else -1


def load_postcode_directory(
    path: str | os.PathLike, *, release_name: str, deprivation_edition: str | None = None
) -> PostcodeRelease:
    """Load an ONSPD/NSPL CSV as a new release, all or nothing. Returns the release.

    The deprivation edition is inferred from the deprivation column (imd25* -> IoD2025, else
    IoD2019) unless given.
    """
    path = Path(path)
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    columns = resolve_columns(header)
    deprivation_column = columns.get("deprivation", "")
    edition = ""
    if deprivation_column:
        edition = deprivation_edition or edition_for_column(deprivation_column)
        if edition not in DEPRIVATION_AREAS:
            raise PostcodeDirectoryError(f"Unknown deprivation edition {edition!r}.")
    if PostcodeRelease.objects.filter(name=release_name).exists():
        raise PostcodeDirectoryError(f"A release called {release_name!r} is already loaded.")

    with transaction.atomic():
        release = PostcodeRelease.objects.create(
            name=release_name,
            source_file=path.name,
            postcode_column=columns["postcode"],
            district_column=columns["district"],
            deprivation_column=deprivation_column,
            deprivation_edition=edition,
            deprivation_areas=DEPRIVATION_AREAS.get(edition),
        )
        rows = _copy_rows(path, columns, release)
        release.rows = rows
        release.save(update_fields=["rows"])
    return release


def _copy_rows(path: Path, columns: dict[str, str], release: PostcodeRelease) -> int:
    """Stream the file into the postcode table with COPY; returns the number of rows loaded.

    Arrow reads the file in blocks (only the columns used are converted); each block is
    cleaned and written out as CSV for COPY while PostgreSQL takes in the one before."""
    table = Postcode._meta.db_table
    copy_sql = (
        f'COPY "{table}" (release_id, postcode, district, imd_rank, terminated, lsoa, icb) '  # noqa: S608
        "FROM STDIN (FORMAT csv, FORCE_NOT_NULL (postcode, district, lsoa, icb))"
    )
    used = list(dict.fromkeys(columns.values()))
    total = 0
    try:
        blocks = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
            convert_options=pacsv.ConvertOptions(
                include_columns=used, column_types=dict.fromkeys(used, pa.string())
            ),
        )
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for block in blocks:
                rows = _directory_rows(block, columns, release)
                total += rows.num_rows
                out = pa.BufferOutputStream()
                pacsv.write_csv(rows, out, write_options=pacsv.WriteOptions(include_header=False))
                copy.write(memoryview(out.getvalue()))
    except pa.ArrowInvalid as error:
        raise PostcodeDirectoryError(
            f"The file is not a CSV file that can be read: {error}"
        ) from error
    return total


def _directory_rows(
    block: pa.RecordBatch, columns: dict[str, str], release: PostcodeRelease
) -> pa.Table:
    """A block of the file as rows of the postcode table (rows without a postcode dropped)."""

    def text(field: str) -> pa.Array:
        if field not in columns:
            return pa.repeat("", block.num_rows)
        return pc.utf8_trim_whitespace(block.column(columns[field]))

    postcode = normalise_postcodes(block.column(columns["postcode"]))
    rank_text = text("deprivation")
    blank = pc.equal(rank_text, "")
    if pc.all(pc.or_(blank, pc.match_substring_regex(rank_text, r"^\d{1,18}$"))).as_py():
        rank = pc.cast(pc.if_else(blank, pa.scalar(None, pa.string()), rank_text), pa.int64())
    else:  # as pandas reads numbers: what it cannot read is no rank
        rank = pa.array(pd.to_numeric(rank_text.to_pandas(), errors="coerce").astype("Int64"))
    areas = release.deprivation_areas
    if areas and pc.any(pc.greater(rank, areas)).as_py():
        raise PostcodeDirectoryError(
            f"{columns['deprivation']} has ranks above {areas:,}, the number of areas "
            f"{release.deprivation_edition} ranks: is the edition right?"
        )
    rows = pa.table(
        {
            "release_id": pa.repeat(release.id, block.num_rows),
            "postcode": postcode,
            "district": text("district"),
            "imd_rank": pc.if_else(pc.greater(rank, 0), rank, pa.scalar(None, pa.int64())),
            "terminated": pc.not_equal(text("doterm"), ""),
            "lsoa": text("lsoa"),
            "icb": text("icb"),
        }
    )
    return rows.filter(pc.not_equal(postcode, ""))


class Resolved(NamedTuple):
    """Where a postcode is, by one release: its district and deprivation."""

    district: str
    imd_rank: int | None
    imd_decile: int | None
    terminated: bool


def resolve_postcodes(postcodes: Iterable[str], *, release: PostcodeRelease) -> dict[str, Resolved]:
    """Resolve many postcodes in one query. Keys are normalised postcodes ("CH412AB"); postcodes
    that are blank, malformed or not in the release are absent.

    Deciles are given for English postcodes only (district codes starting E): IMD ranks are
    national, and the release's edition ranks England's areas.
    """
    wanted = {postcode for postcode in map(normalise_postcode, postcodes) if is_postcode(postcode)}
    return resolve_compact_postcodes(wanted, release=release)


def resolve_compact_postcodes(
    postcodes: Collection[str], *, release: PostcodeRelease
) -> dict[str, Resolved]:
    """resolve_postcodes() for postcodes already normalised and well formed (is_postcode)."""
    if not postcodes:
        return {}
    # One primary-key probe per postcode, in key order: the plan does not depend on the table's
    # statistics, which lag behind the load of a new release. (Postcodes hold no spaces: one
    # string of them is much quicker to send than an array.)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wanted.postcode, found.district, found.imd_rank, found.terminated "
            "FROM unnest(string_to_array(%s, ' ')) AS wanted (postcode) CROSS JOIN LATERAL ("
            f"  SELECT district, imd_rank, terminated FROM {Postcode._meta.db_table} "  # noqa: S608
            "   WHERE release_id = %s AND postcode = wanted.postcode LIMIT 1"
            ") AS found",
            [" ".join(sorted(postcodes)), release.id],
        )
        rows = cursor.fetchall()
    areas = release.deprivation_areas
    return {
        postcode: Resolved(
            district,
            rank,
            imd_decile(rank, areas) if district.startswith("E") else None,
            terminated,
        )
        for postcode, district, rank, terminated in rows
    }
