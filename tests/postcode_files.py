"""Test data for local spend: the shared sample files (../shared/data) and variants of them."""

import csv
import json
from pathlib import Path

import pytest
from django.conf import settings

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
ONSPD_SAMPLE = SHARED_DATA / "onspd_sample.csv"
CLEAN_LEDGER = SHARED_DATA / "spend_ledger_2022_h1.csv"
MESSY_LEDGER = SHARED_DATA / "spend_ledger_2022_h1_messy.csv"
ERRORS_LEDGER = SHARED_DATA / "spend_ledger_with_errors.csv"
FACTS_FILE = SHARED_DATA / "spend_ledger_facts.json"

# The sample's older ONSPD names -> the newest layout's names.
NEWEST_LAYOUT = {
    "pcd": "pcd7",
    "pcd2": "pcd8",
    "oslaua": "lad26cd",
    "imd": "imd25ind",
    "icb": "icb26cd",
    "lsoa21": "lsoa21cd",
}


def require_shared_data() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"The shared sample data folder {SHARED_DATA} is not present on this machine.")


def facts() -> dict:
    require_shared_data()
    return json.loads(FACTS_FILE.read_text())


def sample_rows() -> list[dict[str, str]]:
    require_shared_data()
    with ONSPD_SAMPLE.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_newest_layout(directory: Path, *, decoy_district_column: str = "lad25cd") -> Path:
    """The sample with its headers renamed to the newest layout, plus an older-year district
    column full of a wrong code (the loader must take the newest year, lad26cd)."""
    require_shared_data()
    rows = sample_rows()
    path = directory / "onspd_newest_layout.csv"
    header = [NEWEST_LAYOUT.get(name, name) for name in rows[0]] + [decoy_district_column]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([*row.values(), "E99999999"])
    return path


def write_fixed_errors_ledger(directory: Path) -> Path:
    """spend_ledger_with_errors.csv with rows 12 (amount) and 24 (date) corrected; the other
    problems (unresolved and terminated postcodes) are left for the import to report."""
    require_shared_data()
    lines = ERRORS_LEDGER.read_bytes().split(b"\r\n")
    assert b"twelve pounds" in lines[12] and b"2022-13-45" in lines[24]
    lines[12] = lines[12].replace(b"twelve pounds", b"12.00")
    lines[24] = lines[24].replace(b"2022-13-45", b"2022-09-13")
    path = directory / "spend_ledger_fixed.csv"
    path.write_bytes(b"\r\n".join(lines))
    return path
