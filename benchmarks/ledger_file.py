"""A 1,000,000-row supply-chain spend ledger for the benchmarks, written the way exports are.

The columns of the shared samples (`supplier_name, supplier_postcode, amount, payment_date,
supplier_type, category`), UTF-8, CRLF line ends, and their mess: postcodes in lower case,
without the space or padded with spaces; amounts as `£12,345.67`, `1,234.50`, credits as
`(250.25)` or `-250.25`; dates as `2022-06-11`, `11/06/2022` or `2022-6-3`; supplier types SME,
VCSE, Large, in any case. Payments over 2022/23 go to 40,000 suppliers (a few suppliers get most
of them); suppliers' postcodes come from the benchmark directory (benchmarks/onspd.py), about one
in seven local to Wirral's local area, a few terminated, and a few unresolvable (blank, not a
postcode, or not in the directory).

Generated once per (rows, seed, version), deterministically, with a facts file beside it (the
exact totals the import must give) for the benchmark to check.
"""

import csv
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from benchmarks import onspd

ROWS = 1_000_000
SUPPLIERS = 40_000
SEED = 20_221_001
VERSION = 1

LOCAL_DISTRICTS = ["E06000049", "E08000011", "E08000013", "E08000015"]  # Wirral's local area
FIRST_DAY = date(2022, 4, 1)
DAYS = 365  # 2022/23

NAME_WORDS = (
    "Acme Apex Atlas Beacon Birkenhead Copper Dee Greenway Harbour Heron Kestrel Lime Mersey "
    "Northwest Riverside Summit Willow Wirral Oak Meadow Castle Bridge Albion Crown Phoenix"
).split()
TRADES = [
    "Builders",
    "Catering",
    "Cleaning",
    "Consulting",
    "Facilities",
    "IT Services",
    "Laundry",
    "Medical Supplies",
    "Pharmacy",
    "Print",
    "Transport",
    "Waste",
    "Trust",
]
CATEGORIES = [
    "Builders",
    "Catering",
    "Cleaning",
    "Community Interest Company",
    "Consulting",
    "Laundry",
    "Medical Supplies",
    "Pharmacy",
    "Print",
    "Transport",
    "Trust",
    "Waste",
]
NOT_POSTCODES = ["N/A", "TBC", "UNKNOWN", "NOT A POSTCODE", "see invoice", "CH41"]
NOT_IN_DIRECTORY = ["ZZ99 9ZZ", "ZZ99 3VZ", "YO99 1AB", "XX1 1XX", "XY10 4AB"]


def file_name(rows: int = ROWS, seed: int = SEED) -> str:
    return f"spend_ledger_{rows}_seed{seed}_v{VERSION}{onspd.variant()}.csv"


def ensure(cache: Path | None = None, *, rows: int = ROWS, seed: int = SEED) -> Path:
    """The ledger file (and its facts file, `<name>.facts.json`), generated on first use."""
    cache = cache or onspd.default_cache()
    path = cache / file_name(rows, seed)
    if path.is_file() and facts_path(path).is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    facts = write(partial, rows=rows, seed=seed)
    facts_path(path).write_text(json.dumps(facts, indent=2) + "\n")
    partial.rename(path)
    return path


def facts_path(path: Path) -> Path:
    return path.with_suffix(".facts.json")


def facts(path: Path) -> dict:
    return json.loads(facts_path(path).read_text())


def _suppliers(rng: np.random.Generator, directory: onspd.Directory) -> dict[str, np.ndarray]:
    lad = directory.lad[directory.district]
    live = ~directory.terminated
    local_live = np.flatnonzero(live & np.isin(lad, LOCAL_DISTRICTS))
    wirral_live = np.flatnonzero(live & (lad == "E08000015"))
    any_live = np.flatnonzero(live)
    any_terminated = np.flatnonzero(directory.terminated)
    kind = rng.random(SUPPLIERS)
    postcode_row = np.where(
        kind < 0.10,
        rng.choice(wirral_live, SUPPLIERS),
        np.where(
            kind < 0.14,
            rng.choice(local_live, SUPPLIERS),
            np.where(
                kind < 0.985,
                rng.choice(any_live, SUPPLIERS),
                rng.choice(any_terminated, SUPPLIERS),
            ),
        ),
    )
    postcode = directory.pcds[postcode_row].astype(object)
    unresolved = rng.random(SUPPLIERS)
    postcode = np.where(unresolved < 0.003, "", postcode)
    postcode = np.where(
        (unresolved >= 0.003) & (unresolved < 0.005),
        rng.choice(NOT_POSTCODES, SUPPLIERS),
        postcode,
    )
    postcode = np.where(
        (unresolved >= 0.005) & (unresolved < 0.008),
        rng.choice(NOT_IN_DIRECTORY, SUPPLIERS),
        postcode,
    )
    resolved = unresolved >= 0.008
    names = [
        f"{NAME_WORDS[a]} {TRADES[b]} Ltd" if c > 0.03 else f"{NAME_WORDS[a]}, {NAME_WORDS[b]} & Co"
        for a, b, c in zip(
            rng.integers(0, len(NAME_WORDS), SUPPLIERS),
            rng.integers(0, len(TRADES), SUPPLIERS),
            rng.random(SUPPLIERS),
            strict=True,
        )
    ]
    supplier_type = rng.choice(["SME", "VCSE", "Large"], SUPPLIERS, p=[0.45, 0.08, 0.47])
    return {
        "name": np.array(names, dtype=object),
        "postcode": postcode,
        "local": resolved & np.isin(lad[postcode_row], LOCAL_DISTRICTS),
        "terminated": resolved & directory.terminated[postcode_row],
        "resolved": resolved,
        "type": supplier_type,
        "category": rng.choice(CATEGORIES, SUPPLIERS),
    }


def _messy_postcodes(rng: np.random.Generator, written: np.ndarray) -> list[str]:
    style = rng.random(len(written))
    out = []
    for value, how in zip(written.tolist(), style.tolist(), strict=True):
        if how < 0.55 or not value:
            out.append(value)
        elif how < 0.70:
            out.append(value.lower())
        elif how < 0.85:
            out.append(value.replace(" ", ""))
        elif how < 0.95:
            out.append(f" {value}  ")
        else:
            out.append(value.replace(" ", "").lower())
    return out


def _messy_amounts(rng: np.random.Generator, pennies: np.ndarray) -> list[str]:
    style = rng.random(len(pennies))
    out = []
    for value, how in zip(pennies.tolist(), style.tolist(), strict=True):
        pounds, pence = divmod(abs(value), 100)
        if value < 0:
            out.append(f"({pounds:,}.{pence:02d})" if how < 0.5 else f"-{pounds}.{pence:02d}")
        elif how < 0.70:
            out.append(f"{pounds}.{pence:02d}")
        elif how < 0.95:
            out.append(f"£{pounds:,}.{pence:02d}")
        elif how < 0.98:
            out.append(f"{pounds:,}.{pence:02d}")
        else:
            out.append(f" {pounds}.{pence:02d} ")
    return out


def _messy_dates(rng: np.random.Generator, days: np.ndarray) -> list[str]:
    style = rng.random(len(days))
    out = []
    for offset, how in zip(days.tolist(), style.tolist(), strict=True):
        day = FIRST_DAY + timedelta(days=offset)
        if how < 0.80:
            out.append(day.isoformat())
        elif how < 0.95:
            out.append(f"{day.day:02d}/{day.month:02d}/{day.year}")
        else:
            out.append(f"{day.year}-{day.month}-{day.day}")
    return out


def _messy_types(rng: np.random.Generator, kinds: np.ndarray) -> list[str]:
    style = rng.random(len(kinds))
    return [
        "" if how < 0.03 else kind.lower() if how < 0.10 else kind
        for kind, how in zip(kinds.tolist(), style.tolist(), strict=True)
    ]


def write(path: Path, *, rows: int = ROWS, seed: int = SEED) -> dict:
    """Write the ledger; return its facts (exact totals, unresolved and terminated rows)."""
    rng = np.random.default_rng(seed)
    directory = onspd.directory_postcodes()
    suppliers = _suppliers(rng, directory)
    # A few suppliers get most payments (Zipf-like), the rest a long tail.
    supplier = (rng.zipf(1.25, rows) - 1) % SUPPLIERS
    supplier = rng.permutation(SUPPLIERS)[supplier]
    pennies = np.round(rng.lognormal(mean=10.4, sigma=1.6, size=rows)).astype(np.int64) + 1
    pennies = np.minimum(pennies, 250_000_000)
    credit = rng.random(rows) < 0.01
    pennies = np.where(credit, -pennies // 10, pennies)
    days = rng.integers(0, DAYS, rows)

    types = _messy_types(rng, suppliers["type"][supplier])
    columns = [
        suppliers["name"][supplier].tolist(),
        _messy_postcodes(rng, suppliers["postcode"][supplier]),
        _messy_amounts(rng, pennies),
        _messy_dates(rng, days),
        types,
        suppliers["category"][supplier].tolist(),
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(
            ["supplier_name", "supplier_postcode", "amount", "payment_date", "supplier_type"]
            + ["category"]
        )
        writer.writerows(zip(*columns, strict=True))

    cents = Decimal("0.01")
    kinds = np.char.upper(np.array(types))
    return {
        "rows": rows,
        "total_spend": str(Decimal(int(pennies.sum())) * cents),
        "local_spend": str(Decimal(int(pennies[suppliers["local"][supplier]].sum())) * cents),
        "sme_spend": str(Decimal(int(pennies[kinds == "SME"].sum())) * cents),
        "vcse_spend": str(Decimal(int(pennies[kinds == "VCSE"].sum())) * cents),
        "unresolved_rows": int((~suppliers["resolved"][supplier]).sum()),
        "terminated_rows": int(suppliers["terminated"][supplier].sum()),
        "local_districts": LOCAL_DISTRICTS,
        "period_start": (FIRST_DAY + timedelta(days=int(days.min()))).isoformat(),
        "period_end": (FIRST_DAY + timedelta(days=int(days.max()))).isoformat(),
    }


if __name__ == "__main__":
    print(ensure())
