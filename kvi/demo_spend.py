"""Local spend in the demo (run from kvi.demo.build_demo): a small synthetic postcode directory and
Wirral Community Health and Care's spend ledger for April-September 2022, imported through the
real services.

The directory is "Demo postcode directory (synthetic, not ONS data)": about 500 made-up postcodes
in real postcode districts of Wirral, Cheshire East, Knowsley, St Helens, their neighbours and a
few places elsewhere in England, mapped to the real local authority district codes, written in
the ONSPD layout and loaded with kvi.postcodes.load_postcode_directory. IMD ranks are IoD2019-like
(1-32,844, leaning deprived or affluent by district); each postcode is terminated with chance 5%.
It is loaded only when no postcode directory is loaded at all: a real release wins and is used
instead (made-up postcodes that a real release does not hold then count as unresolved).

The ledger (total £25,000,000.00) has exactly 13.09% of its spend with suppliers in the local
area, 11.88% in Wirral (£2,970,000.00 of the £3,272,500.00 local), as in Wirral's board report;
three rows have postcodes that do not resolve (blank, not a postcode, not in the directory) and
one supplier's postcode is terminated. Wirral's organisation admin imports it, then feeds KVIs
(kvi.feeds) with it. Everything is seeded, so the same bytes every time; idempotent: a directory
or an import that exists is not made again.
"""

import csv
import hashlib
import io
import random
from calendar import monthrange
from datetime import date
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import NamedTuple

from django.core.files.base import ContentFile

from kvi import feeds, services
from kvi.models import (
    DEPRIVATION_AREAS,
    DeprivationEdition,
    LedgerStatus,
    LocalArea,
    PostcodeRelease,
    SpendLedgerImport,
)
from kvi.postcodes import load_postcode_directory
from kvi.selectors import latest_postcode_release

RELEASE_NAME = "Demo postcode directory (synthetic, not ONS data)"
DIRECTORY_FILE = "demo_postcode_directory_synthetic.csv"
LEDGER_FILE = "wchc_spend_ledger_2022-04_to_2022-09.csv"
SEED = 20_221_019  # the date of Wirral's mid-year report
IMD_AREAS = DEPRIVATION_AREAS[DeprivationEdition.IOD2019]  # 32,844 LSOAs
TERMINATED_SHARE = 0.05

# The ledger's money, in pence: 13.09% local, 11.88% in Wirral, the other three 1.21%.
TOTAL_PENCE = 2_500_000_000
WIRRAL_PENCE = 297_000_000
OTHER_LOCAL_PENCE = 30_250_000
TOTAL, LOCAL, WIRRAL = (
    Decimal(TOTAL_PENCE) / 100,
    Decimal(WIRRAL_PENCE + OTHER_LOCAL_PENCE) / 100,
    Decimal(WIRRAL_PENCE) / 100,
)
MONTHS = [date(2022, month, 1) for month in range(4, 10)]  # April-September 2022

# The ONSPD's columns (its older names, as in the ONS's files up to 2025), in its order.
ONSPD_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,"
    "npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,ru11ind,oac11,"
    "lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21"
).split(",")
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters used in a postcode's last two places
UNITS = 10 * len(UNIT_LETTERS) ** 2  # inward codes: a sector digit and two letters


class District(NamedTuple):
    """A local authority district: its real postcode districts, ICB and region, roughly where
    it is, how many postcodes each postcode district gets, and how its IMD deciles lean."""

    name: str
    outward: str
    icb: str
    region: str
    centre: tuple[float, float]
    per_outward: int
    decile_weights: tuple[int, ...]  # deciles 1 (most deprived) to 10


WIRRAL_LAD, CHESHIRE_EAST, KNOWSLEY, ST_HELENS = "E08000015", "E06000049", "E08000011", "E08000013"
LIVERPOOL, SEFTON, CHESHIRE_WEST = "E08000012", "E08000014", "E06000050"
MANCHESTER, BIRMINGHAM, COVENTRY, LEEDS, SOUTHWARK = (
    "E08000003", "E08000025", "E08000026", "E08000035", "E09000028",
)  # fmt: skip
CM_ICB, NORTH_WEST = "E54000008", "E12000002"
FLAT = (1,) * 10
DISTRICTS: dict[str, District] = {
    WIRRAL_LAD: District("Wirral", "CH41 CH42 CH43 CH44 CH45 CH46 CH47 CH48 CH49 CH60 CH61 CH62 "
        "CH63", CM_ICB, NORTH_WEST, (53.37, -3.08), 10, (4, 2, 2, 1, 1, 1, 1, 1, 2, 2)),
    CHESHIRE_EAST: District("Cheshire East", "CW1 CW2 CW4 CW5 CW10 CW11 CW12 SK9 SK10 SK11",
        CM_ICB, NORTH_WEST, (53.16, -2.30), 10, (0, 1, 1, 1, 1, 2, 2, 2, 3, 3)),
    KNOWSLEY: District("Knowsley", "L28 L32 L33 L34 L35 L36",
        CM_ICB, NORTH_WEST, (53.44, -2.85), 10, (6, 3, 2, 1, 1, 1, 0, 0, 0, 0)),
    ST_HELENS: District("St Helens", "WA9 WA10 WA11",
        CM_ICB, NORTH_WEST, (53.45, -2.73), 10, (3, 2, 2, 1, 1, 1, 1, 1, 0, 0)),
    LIVERPOOL: District("Liverpool", "L1 L3 L4 L5 L6 L7 L8 L15 L18",
        CM_ICB, NORTH_WEST, (53.41, -2.96), 6, (6, 2, 2, 1, 1, 1, 1, 1, 1, 0)),
    SEFTON: District("Sefton", "L20 L21 L22 L23 PR8 PR9",
        CM_ICB, NORTH_WEST, (53.50, -3.00), 6, (2, 1, 1, 1, 1, 1, 1, 2, 2, 1)),
    CHESHIRE_WEST: District("Cheshire West and Chester", "CH1 CH2 CH3 CH4 CH64 CH65 CH66 CW6 CW7 "
        "CW8 CW9", CM_ICB, NORTH_WEST, (53.20, -2.85), 6, (1, 1, 1, 1, 1, 2, 2, 2, 2, 2)),
    MANCHESTER: District("Manchester", "M1 M4 M13", "E54000057", NORTH_WEST, (53.48, -2.24), 4,
        FLAT),
    BIRMINGHAM: District("Birmingham", "B1 B5 B15", "E54000055", "E12000005", (52.48, -1.9), 4,
        FLAT),
    COVENTRY: District("Coventry", "CV1 CV2", "E54000018", "E12000005", (52.41, -1.51), 4, FLAT),
    LEEDS: District("Leeds", "LS1 LS2", "E54000054", "E12000003", (53.80, -1.55), 4, FLAT),
    SOUTHWARK: District("Southwark", "SE1", "E54000030", "E12000007", (51.50, -0.09), 4, FLAT),
}  # fmt: skip
LOCAL_LADS = (WIRRAL_LAD, CHESHIRE_EAST, KNOWSLEY, ST_HELENS)


class DemoPostcode(NamedTuple):
    pcds: str  # display form, "CH41 6WY"
    lad: str
    imd_rank: int
    terminated: bool


# --- The postcode directory ----------------------------------------------------------------


def directory_postcodes(seed: int = SEED) -> list[DemoPostcode]:
    """The directory's made-up postcodes, the same for the same seed, in pcd order."""
    rng = random.Random(seed)
    postcodes = []
    for lad, district in DISTRICTS.items():
        for outward in district.outward.split():
            for unit in sorted(rng.sample(range(UNITS), district.per_outward)):
                sector, letters = divmod(unit, len(UNIT_LETTERS) ** 2)
                first, second = divmod(letters, len(UNIT_LETTERS))
                inward = f"{sector}{UNIT_LETTERS[first]}{UNIT_LETTERS[second]}"
                decile = rng.choices(range(1, 11), weights=district.decile_weights)[0]
                postcodes.append(
                    DemoPostcode(
                        pcds=f"{outward} {inward}",
                        lad=lad,
                        imd_rank=rng.randint(*decile_ranks(decile)),
                        terminated=rng.random() < TERMINATED_SHARE,
                    )
                )
    return sorted(postcodes, key=lambda postcode: _pcd7(postcode.pcds))


def decile_ranks(decile: int) -> tuple[int, int]:
    """The first and last IMD rank of a decile (decile = ceil(rank x 10 / 32,844))."""
    return (decile - 1) * IMD_AREAS // 10 + 1, decile * IMD_AREAS // 10


def _pcd7(pcds: str) -> str:
    """The ONSPD's 7-character form: outward code padded to 4, then the inward ("M1  1AE")."""
    outward, inward = pcds.split()
    return f"{outward:<4}{inward}"


def directory_csv(seed: int = SEED) -> bytes:
    """The directory as an ONSPD CSV (every column of the real file; those the demo does not
    need left blank, as in the shared sample)."""
    rng = random.Random(seed + 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ONSPD_HEADER, restval="")
    writer.writeheader()
    for postcode in directory_postcodes(seed):
        district = DISTRICTS[postcode.lad]
        outward, inward = postcode.pcds.split()
        introduced = rng.randrange(1980 * 12, 2021 * 12)  # months
        ended = rng.randrange(introduced + 1, 2022 * 12 + 3)
        writer.writerow(
            {
                "pcd": _pcd7(postcode.pcds),
                "pcd2": f"{outward:<4} {inward}",
                "pcds": postcode.pcds,
                "dointr": _yyyymm(introduced),
                "doterm": _yyyymm(ended) if postcode.terminated else "",
                "oslaua": postcode.lad,
                "usertype": "0",
                "osgrdind": "1",
                "ctry": "E92000001",
                "rgn": district.region,
                "lat": f"{district.centre[0] + rng.uniform(-0.06, 0.06):.6f}",
                "long": f"{district.centre[1] + rng.uniform(-0.08, 0.08):.6f}",
                "imd": str(postcode.imd_rank),
                "icb": district.icb,
            }
        )
    return out.getvalue().encode("utf-8")


def _yyyymm(months: int) -> str:
    year, month = divmod(months, 12)
    return f"{year}{month + 1:02d}"


def write_directory(path: str | Path, seed: int = SEED) -> Path:
    path = Path(path)
    path.write_bytes(directory_csv(seed))
    return path


def postcode_release() -> PostcodeRelease:
    """The release the demo ledger is imported against: the demo directory if loaded, else the
    latest loaded release (a real one wins), else the demo directory, loaded now."""
    demo = PostcodeRelease.objects.filter(name=RELEASE_NAME).first()
    if demo is not None:
        return demo
    latest = latest_postcode_release()
    if latest is not None:
        return latest
    with TemporaryDirectory() as folder:
        path = write_directory(Path(folder) / DIRECTORY_FILE)
        return load_postcode_directory(path, release_name=RELEASE_NAME)


# --- The spend ledger ----------------------------------------------------------------------


class Supplier(NamedTuple):
    name: str
    lad: str
    supplier_type: str  # SME, VCSE or Large
    category: str
    payments: int


# Made-up suppliers, by where they are (the first in Wirral has a terminated postcode).
SUPPLIERS = [
    Supplier("Oxton Mobility Aids Ltd", WIRRAL_LAD, "SME", "Medical Supplies", 6),
    Supplier("Birkenhead Medical Supplies Ltd", WIRRAL_LAD, "SME", "Medical Supplies", 12),
    Supplier("Wirral Community Transport", WIRRAL_LAD, "VCSE", "Transport", 8),
    Supplier("Wallasey Laundry Services Ltd", WIRRAL_LAD, "SME", "Laundry", 10),
    Supplier("Heswall Catering Company Ltd", WIRRAL_LAD, "SME", "Catering", 9),
    Supplier("Mersey Estates Maintenance Ltd", WIRRAL_LAD, "Large", "Facilities", 12),
    Supplier("West Kirby Print and Design", WIRRAL_LAD, "SME", "Print", 5),
    Supplier("Bebington Pharmacy Ltd", WIRRAL_LAD, "SME", "Pharmacy", 8),
    Supplier("Moreton IT Solutions Ltd", WIRRAL_LAD, "SME", "IT Services", 6),
    Supplier("Wirral Carers Hub CIC", WIRRAL_LAD, "VCSE", "Community Interest Company", 6),
    Supplier("Crewe Cleaning Services Ltd", CHESHIRE_EAST, "SME", "Cleaning", 6),
    Supplier("Macclesfield Clinical Consulting Ltd", CHESHIRE_EAST, "SME", "Consulting", 3),
    Supplier("Knowsley Waste Solutions Ltd", KNOWSLEY, "SME", "Waste", 6),
    Supplier("Huyton Community Hub CIC", KNOWSLEY, "VCSE", "Community Interest Company", 4),
    Supplier("St Helens Builders Ltd", ST_HELENS, "SME", "Builders", 4),
    Supplier("Liverpool Healthcare Logistics Ltd", LIVERPOOL, "Large", "Medical Supplies", 12),
    Supplier("Merseyside Facilities Management Ltd", LIVERPOOL, "Large", "Facilities", 12),
    Supplier("Southport Catering Ltd", SEFTON, "SME", "Catering", 8),
    Supplier("Bootle Print Works Ltd", SEFTON, "SME", "Print", 6),
    Supplier("Chester Consulting Partnership LLP", CHESHIRE_WEST, "SME", "Consulting", 5),
    Supplier("Ellesmere Port Laundry Ltd", CHESHIRE_WEST, "Large", "Laundry", 10),
    Supplier("National Medical Distribution plc", BIRMINGHAM, "Large", "Medical Supplies", 12),
    Supplier("Northern Pharmaceuticals Ltd", MANCHESTER, "Large", "Pharmacy", 12),
    Supplier("Manchester Digital Health Ltd", MANCHESTER, "SME", "IT Services", 6),
    Supplier("Capital IT Services plc", SOUTHWARK, "Large", "IT Services", 9),
    Supplier("Midlands Clinical Staffing Ltd", COVENTRY, "Large", "Staffing", 12),
    Supplier("Yorkshire Clinical Waste Ltd", LEEDS, "Large", "Waste", 9),
]
LEDGER_COLUMNS = (
    "supplier_name",
    "supplier_postcode",
    "amount",
    "payment_date",
    "supplier_type",
    "category",
)
SIZE_WEIGHT = {"Large": 6, "SME": 2, "VCSE": 1}
# Rows whose postcode does not resolve (their spend counts in the total, in no area):
# (supplier, postcode as written or None for one made up in Wirral, type, category, pence).
UNRESOLVED: list[tuple[str, str | None, str, str, int]] = [
    ("Harbour Joinery Ltd", "", "SME", "Builders", 184_000),
    ("Coastal Couriers", "TBC", "SME", "Transport", 61_250),
    ("New Ferry Garden Services", None, "VCSE", "Facilities", 427_500),
]


def ledger_rows(seed: int = SEED) -> list[dict[str, str]]:
    """The ledger's rows (in payment-date order), with the money split exactly (see the
    module)."""
    rng = random.Random(seed + 2)
    directory = directory_postcodes(seed)
    live: dict[str, list[str]] = {lad: [] for lad in DISTRICTS}
    for entry in directory:
        if not entry.terminated:
            live[entry.lad].append(entry.pcds)
    places = {
        lad: rng.sample(live[lad], sum(1 for s in SUPPLIERS if s.lad == lad)) for lad in DISTRICTS
    }
    terminated = [p.pcds for p in directory if p.terminated and p.lad == WIRRAL_LAD]
    places[WIRRAL_LAD][:1] = terminated[:1] or places[WIRRAL_LAD][:1]

    payments: list[tuple[Supplier, str, int]] = []  # supplier, postcode, weight
    for supplier in SUPPLIERS:
        postcode = places[supplier.lad].pop(0)
        size = SIZE_WEIGHT[supplier.supplier_type]
        payments += [
            (supplier, postcode, size * rng.randint(50, 150)) for _ in range(supplier.payments)
        ]
    unresolved_pence = sum(pence for *_, pence in UNRESOLVED)
    buckets = [
        ([p for p in payments if p[0].lad == WIRRAL_LAD], WIRRAL_PENCE),
        (
            [p for p in payments if p[0].lad in LOCAL_LADS and p[0].lad != WIRRAL_LAD],
            OTHER_LOCAL_PENCE,
        ),
        (
            [p for p in payments if p[0].lad not in LOCAL_LADS],
            TOTAL_PENCE - WIRRAL_PENCE - OTHER_LOCAL_PENCE - unresolved_pence,
        ),
    ]
    rows = []
    for bucket, pence in buckets:
        amounts = split_exactly(pence, [weight for *_, weight in bucket])
        for index, ((supplier, postcode, _weight), amount) in enumerate(
            zip(bucket, amounts, strict=True)
        ):
            rows.append(_row(supplier, postcode, amount, _payment_date(rng, index)))
    known = {entry.pcds for entry in directory}
    for index, (name, written, supplier_type, category, pence) in enumerate(UNRESOLVED):
        postcode = written if written is not None else _unknown_wirral_postcode(known)
        supplier = Supplier(name, "", supplier_type, category, 1)
        rows.append(_row(supplier, postcode, pence, _payment_date(rng, index * 2 + 1)))
    return sorted(rows, key=lambda row: (row["payment_date"], row["supplier_name"]))


def split_exactly(pence: int, weights: list[int]) -> list[int]:
    """`pence` split in proportion to whole-number `weights`, summing exactly to `pence` (the
    odd pennies go to the largest remainders)."""
    whole = sum(weights)
    shares = [pence * weight // whole for weight in weights]
    short = pence - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(pence * weights[i] % whole), i))
    for index in by_remainder[:short]:
        shares[index] += 1
    return shares


def _payment_date(rng: random.Random, index: int) -> date:
    """A weekday in the month `index` picks (so every month has payments)."""
    month = MONTHS[index % len(MONTHS)]
    days = monthrange(month.year, month.month)[1]
    weekdays = [d for d in range(1, days + 1) if date(month.year, month.month, d).weekday() < 5]
    return month.replace(day=rng.choice(weekdays))


def _unknown_wirral_postcode(known: set[str]) -> str:
    """A well-formed Wirral postcode that is not in the demo directory."""
    for letters in ("ZZ", "ZY", "YZ", "YY"):
        candidate = f"CH62 9{letters}"
        if candidate not in known:
            return candidate
    raise AssertionError("every candidate is in the directory")  # pragma: no cover


def _row(supplier: Supplier, postcode: str, pence: int, paid: date) -> dict[str, str]:
    return {
        "supplier_name": supplier.name,
        "supplier_postcode": postcode,
        "amount": f"{pence // 100}.{pence % 100:02d}",
        "payment_date": paid.isoformat(),
        "supplier_type": supplier.supplier_type,
        "category": supplier.category,
    }


def ledger_csv(seed: int = SEED) -> bytes:
    """The ledger as the CSV an organisation uploads."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LEDGER_COLUMNS)
    writer.writeheader()
    writer.writerows(ledger_rows(seed))
    return out.getvalue().encode("utf-8")


# --- Building it -----------------------------------------------------------------------------


def build_spend_demo(
    *, tenant, organisation, org_admin, local_area_name: str
) -> SpendLedgerImport | None:
    """Import the demo ledger as the organisation's admin (`org_admin`: user and access) against
    the tenant's local area, loading the demo directory first if none is loaded, then feed the
    organisation's KVIs with it. Nothing is done when the import exists (or there is no local
    area). Run inside the tenant's context."""
    local_area = (
        LocalArea.objects.filter(tenant=tenant, name=local_area_name).first()
        or LocalArea.objects.filter(tenant=tenant).order_by("created_at").first()
    )
    if local_area is None:
        return None
    data = ledger_csv()
    existing = SpendLedgerImport.objects.filter(
        tenant=tenant, organisation=organisation, file_sha256=hashlib.sha256(data).hexdigest()
    ).first()
    if existing is not None:
        return existing
    user, access = org_admin
    ledger = services.spend_ledger_import(
        tenant=tenant,
        actor=user,
        access=access,
        organisation=organisation,
        uploaded_file=ContentFile(data, name=LEDGER_FILE),
        local_area=local_area,
        release=postcode_release(),
    )
    if ledger.status == LedgerStatus.IMPORTED:
        feeds.ledger_feed(tenant=tenant, actor=user, access=access, ledger=ledger)
    return ledger
