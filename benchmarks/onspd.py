"""A full-size postcode directory for the benchmarks: 2,700,000 rows in the ONSPD layout.

Every column of the real file (`pcd, pcd2, pcds, dointr, doterm, ..., oslaua, ..., imd, ..., icb,
oa21, lsoa21, msoa21`), values quoted as ONS quotes them, CRLF line ends, sorted by `pcd`.
Postcodes are well formed and unique, about a third terminated; districts map to local
authority codes (the sample's districts to the sample's codes: CH41 to Wirral, E08000015, ...),
and output areas nest in LSOAs and MSOAs, each LSOA with one IMD rank. When the shared sample
(onspd_sample.csv) is present, its 3,800 rows are in the file with their values.

Generated once per (rows, seed, version), deterministically, into a cache folder; `ensure()`
returns the path. `directory_postcodes()` gives the postcodes without writing the file (the
ledger generator draws its suppliers from them).
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

ROWS = 2_700_000
SEED = 20_251_124
VERSION = 1
CHUNK_ROWS = 300_000

HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,"
    "npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,ru11ind,oac11,"
    "lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21"
).split(",")

UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the 20 letters used in the last two places

# The sample's districts and their local authority (and ICB) codes.
KNOWN_DISTRICTS = {
    ("E06000049", "E54000008"): "CW1 CW10 CW11 CW12 CW2 CW4 CW5 SK10 SK11 SK9",
    ("E06000050", "E54000008"): "CH1 CH2 CH3 CH4 CH64 CH65 CH66",
    ("E07000222", "E54000018"): "CV31 CV32 CV34 CV35",
    ("E08000003", "E54000057"): "M1 M13 M14 M20 M4",
    ("E08000011", "E54000008"): "L32 L33 L34 L35 L36",
    ("E08000012", "E54000008"): "L1 L15 L18 L3 L4 L5 L6 L7 L8",
    ("E08000013", "E54000008"): "WA10 WA11 WA9",
    ("E08000014", "E54000008"): "L20 L21 L22 L23 PR8 PR9",
    ("E08000015", "E54000008"): "CH41 CH42 CH43 CH44 CH45 CH46 CH47 CH48 CH49 CH60 CH61 CH62 CH63",
    ("E08000025", "E54000055"): "B1 B15 B5",
    ("E08000026", "E54000018"): "CV1 CV2 CV3 CV4 CV5 CV6",
    ("E08000027", "E54000062"): "DY1 DY2 DY3 DY5",
    ("E08000028", "E54000062"): "B66 B67 B68 B69 B70 B71",
    ("E08000030", "E54000062"): "WS1 WS2 WS3 WS4 WS5",
    ("E08000031", "E54000062"): "WV1 WV10 WV11 WV2 WV3 WV4",
    ("E09000028", "E54000030"): "SE1 SE15 SE5",
}

# Postcode areas: how many numbered districts each has (roughly), and the country.
SCOTTISH = "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split()
WELSH = "CF LD LL NP SA".split()
AREA_DISTRICTS = {
    "AB": 56, "AL": 10, "B": 99, "BA": 22, "BB": 18, "BD": 24, "BH": 25, "BL": 9, "BN": 45,
    "BR": 8, "BS": 49, "BT": 94, "CA": 28, "CB": 25, "CF": 83, "CH": 66, "CM": 24, "CO": 16,
    "CR": 9, "CT": 21, "CV": 47, "CW": 12, "DA": 18, "DD": 11, "DE": 75, "DG": 16, "DH": 9,
    "DL": 17, "DN": 41, "DT": 11, "DY": 14, "E": 20, "EH": 55, "EN": 11, "EX": 39, "FK": 21,
    "FY": 8, "G": 84, "GL": 56, "GU": 52, "HA": 9, "HD": 9, "HG": 5, "HP": 27, "HR": 9,
    "HS": 9, "HU": 20, "HX": 7, "IG": 11, "IP": 33, "IV": 63, "KA": 30, "KT": 24, "KW": 17,
    "KY": 16, "L": 40, "LA": 23, "LD": 8, "LE": 67, "LL": 78, "LN": 13, "LS": 29, "LU": 7,
    "M": 50, "ME": 20, "MK": 46, "ML": 12, "N": 22, "NE": 88, "NG": 34, "NN": 18, "NP": 44,
    "NR": 35, "NW": 11, "OL": 16, "OX": 49, "PA": 80, "PE": 38, "PH": 50, "PL": 35, "PO": 41,
    "PR": 26, "RG": 45, "RH": 20, "RM": 20, "S": 99, "SA": 73, "SE": 28, "SG": 19, "SK": 23,
    "SL": 9, "SM": 7, "SN": 26, "SO": 53, "SP": 11, "SR": 9, "SS": 17, "ST": 21, "SW": 20,
    "SY": 25, "TA": 24, "TD": 15, "TF": 13, "TN": 40, "TQ": 14, "TR": 27, "TS": 29, "TW": 20,
    "UB": 11, "W": 14, "WA": 16, "WD": 25, "WF": 17, "WN": 8, "WR": 15, "WS": 15, "WV": 16,
    "YO": 62, "ZE": 3,
}  # fmt: skip
LONDON_LETTERED = (
    "EC1A EC1M EC1N EC1R EC1V EC1Y EC2A EC2M EC2N EC2R EC2V EC2Y EC3A EC3M EC3N EC3R EC3V EC4A "
    "EC4M EC4N EC4R EC4V EC4Y WC1A WC1B WC1E WC1H WC1N WC1R WC1V WC1X WC2A WC2B WC2E WC2H WC2N "
    "WC2R W1A W1B W1C W1D W1F W1G W1H W1J W1K W1S W1T W1U W1W SW1A SW1E SW1H SW1P SW1V SW1W "
    "SW1X SW1Y N1C N1P E1W"
).split()

# Country codes, and the ranges the IMD of each nation ranks.
COUNTRY = {"E": "E92000001", "W": "W92000004", "S": "S92000003", "N": "N92000002"}
IMD_AREAS = {"E": 32_844, "W": 1_909, "S": 6_976, "N": 890}
LAT_LONG_BOX = {  # south, north, west, east
    "E": (50.2, 55.6, -5.4, 1.6),
    "W": (51.4, 53.3, -4.9, -3.0),
    "S": (55.0, 58.6, -6.0, -2.0),
    "N": (54.1, 55.2, -7.9, -5.6),
}


def default_cache() -> Path:
    return Path(__file__).resolve().parent.parent / ".devdata" / "bench"


def sample_path() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "onspd_sample.csv"


def file_name(rows: int = ROWS, seed: int = SEED) -> str:
    """Named by what makes it: the rows, the seed, this generator's version, the sample."""
    return f"onspd_{rows}_seed{seed}_v{VERSION}{variant()}.csv"


def variant() -> str:
    return "" if sample_path().is_file() else "_without_sample"


@dataclass
class Directory:
    """The directory's postcodes in file order, with what the ledger generator needs."""

    pcds: np.ndarray  # display form, "CH41 6WY"
    district: np.ndarray  # index into `outward`
    outward: np.ndarray  # outward codes
    lad: np.ndarray  # per outward code: local authority district code
    icb: np.ndarray  # per outward code: ICB code
    country: np.ndarray  # per outward code: E, W, S or N
    terminated: np.ndarray  # bool per postcode
    sample_row: np.ndarray  # per postcode: the sample's row number, or -1


def _sample_rows() -> list[dict[str, str]]:
    path = sample_path()
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == HEADER, "the sample's layout changed"
        return list(reader)


def _outward_codes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    known = {code: lad for lad, codes in KNOWN_DISTRICTS.items() for code in codes.split()}
    codes = set(LONDON_LETTERED) | set(known)
    for area, count in AREA_DISTRICTS.items():
        if area in ("EC", "WC"):
            continue
        codes.update(f"{area}{number}" for number in range(1, count + 1))
    outward = np.array(sorted(codes))
    english_lads = [f"E06{n:06d}" for n in range(1, 67)]
    english_lads += [f"E07{n:06d}" for n in range(8, 247)]
    english_lads += [f"E08{n:06d}" for n in range(1, 38)] + [f"E09{n:06d}" for n in range(1, 34)]
    taken = {lad for lad, _icb in KNOWN_DISTRICTS}
    pools = {
        "E": [lad for lad in english_lads if lad not in taken],
        "W": [f"W06{n:06d}" for n in range(1, 23)],
        "S": [f"S12{n:06d}" for n in range(5, 50)],
        "N": [f"N09{n:06d}" for n in range(1, 12)],
    }
    country = np.array([_nation(code) for code in outward])
    lad, icb = [], []
    for code, nation in zip(outward, country, strict=True):
        if code in known:
            lad.append(known[code][0])
            icb.append(known[code][1])
            continue
        lad.append(pools[nation][rng.integers(len(pools[nation]))])
        icb.append(f"E54{rng.integers(8, 65):06d}" if nation == "E" else f"{nation}99999999")
    return outward, country, np.array(list(zip(lad, icb, strict=True)))


def _nation(outward: str) -> str:
    """E, W, S or N (Northern Ireland) for an outward code (roughly: by its area)."""
    area = outward[:2] if outward[1].isalpha() else outward[:1]
    return "N" if area == "BT" else "S" if area in SCOTTISH else "W" if area in WELSH else "E"


def directory_postcodes(rows: int = ROWS, seed: int = SEED) -> Directory:
    """The directory's postcodes (deterministic for rows and seed), sorted by pcd."""
    rng = np.random.default_rng(seed)
    outward, country, lad_icb = _outward_codes(rng)
    samples = _sample_rows()
    sample_pcds = [row["pcds"] for row in samples]
    wanted = rows - len(samples)
    # Candidates: every unit of 2-9 sectors per district, 400 units a sector.
    sectors_per_district = rng.integers(2, 10, size=len(outward))
    sector_district = np.repeat(np.arange(len(outward)), sectors_per_district)
    sector_digit = np.concatenate(
        [rng.choice(10, size=count, replace=False) for count in sectors_per_district]
    )
    candidates = len(sector_district) * 400
    size = min(candidates, wanted + len(samples) + 1000)
    chosen = rng.choice(candidates, size=size, replace=False)
    sector, unit = np.divmod(chosen, 400)
    letters = np.array(list(UNIT_LETTERS))
    inward = pc.binary_join_element_wise(
        pa.array(sector_digit[sector].astype(str)),
        pa.array(letters[unit // 20]),
        pa.array(letters[unit % 20]),
        "",
    )
    district = sector_district[sector]
    pcds = pc.binary_join_element_wise(pa.array(outward[district]), inward, " ")
    keep = pc.invert(pc.is_in(pcds, value_set=pa.array(sample_pcds, pa.string())))
    pcds = np.array(pcds.filter(keep).to_pylist()[:wanted], dtype=object)
    district = district[keep.to_numpy(zero_copy_only=False)][:wanted]
    if len(pcds) < wanted:
        raise ValueError(f"Only {len(pcds):,} candidate postcodes for {wanted:,} rows.")

    index = {code: number for number, code in enumerate(outward)}
    sample_district = np.array([index[pcd.split()[0]] for pcd in sample_pcds], dtype=np.int64)
    pcds = np.concatenate([pcds, np.array(sample_pcds, dtype=object)])
    district = np.concatenate([district, sample_district])
    sample_row = np.concatenate([np.full(wanted, -1), np.arange(len(samples))])
    sample_terminated = np.array([bool(row["doterm"]) for row in samples], dtype=bool)
    terminated = np.concatenate([rng.random(wanted) < 0.32, sample_terminated])

    order = np.argsort(_pcd7(pcds), kind="stable")
    return Directory(
        pcds=pcds[order],
        district=district[order],
        outward=outward,
        lad=lad_icb[:, 0],
        icb=lad_icb[:, 1],
        country=country,
        terminated=terminated[order],
        sample_row=sample_row[order],
    )


def _pcd7(pcds: np.ndarray) -> np.ndarray:
    """The 7-character form: outward code padded to 4, then the inward code ("M1  1AE")."""
    return np.array([f"{out:<4}{inward}" for out, inward in (value.split(" ") for value in pcds)])


def ensure(cache: Path | None = None, *, rows: int = ROWS, seed: int = SEED) -> Path:
    """The directory file, generated on first use."""
    cache = cache or default_cache()
    path = cache / file_name(rows, seed)
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    write(partial, rows=rows, seed=seed)
    partial.rename(path)
    return path


def write(path: Path, *, rows: int = ROWS, seed: int = SEED) -> None:
    directory = directory_postcodes(rows, seed)
    samples = _sample_rows()
    rng = np.random.default_rng(seed + 1)
    per_district = _district_attributes(directory, rng)
    options = pacsv.WriteOptions(
        include_header=True, quoting_style="all_valid", quoting_header="none", eol="\r\n"
    )
    schema = pa.schema([(name, pa.string()) for name in HEADER])
    with pacsv.CSVWriter(path, schema, write_options=options) as writer:
        for start in range(0, len(directory.pcds), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, len(directory.pcds))
            columns = _chunk(directory, per_district, samples, start, stop, rng)
            writer.write_table(pa.table([columns[name] for name in HEADER], schema=schema))


def _district_attributes(directory: Directory, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per outward code: a centre, and the codes of the areas it sits in."""
    count = len(directory.outward)
    nation = directory.country
    lad = directory.lad

    def code(prefix: str, low: int, high: int, *, english_only: bool = True) -> np.ndarray:
        numbers = rng.integers(low, high, size=count)
        codes = np.array(
            [f"{n}{prefix}{value:06d}" for n, value in zip(nation, numbers, strict=True)]
        )
        if english_only:
            codes = np.where(nation == "E", codes, np.char.add(nation, "99999999"))
        return codes

    region = np.array([f"E12{value:06d}" for value in rng.integers(1, 10, size=count)])
    two_tier = np.char.startswith(lad.astype(str), "E07")
    south, north, west, east = (np.array([LAT_LONG_BOX[n][i] for n in nation]) for i in range(4))
    return {
        "lat": rng.uniform(south, north),
        "long": rng.uniform(west, east),
        "oscty": np.where(two_tier, code("10", 2, 35), np.char.add(nation, "99999999")),
        "ced": np.where(two_tier, code("58", 1, 1800), np.char.add(nation, "99999999")),
        "oshlthau": code("18", 10, 20),
        "nhser": code("40", 3, 12),
        "rgn": np.where(nation == "E", region, np.char.add(nation, "99999999")),
        "pcon": code("14", 1001, 1544, english_only=False),
        "eer": np.where(nation == "E", np.char.replace(region, "E12", "E15"), code("15", 1, 4)),
        "teclec": code("24", 1, 40),
        "ttwa": code("30", 1, 230, english_only=False),
        "pct": code("16", 1, 150),
        "itl": np.array([f"TL{chr(67 + v % 10)}{v % 9 + 1}{v % 7 + 1}" for v in range(count)]),
        "sicbl": code("38", 1, 260),
        "lep1": code("37", 1, 39),
        "pfa": code("23", 1, 44, english_only=False),
        "calncv": code("56", 1, 44),
    }


def _padded(prefix: pa.Array | str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _yyyymm(months: np.ndarray) -> pa.Array:
    """Months counted from January 1980 -> "YYYYMM"."""
    year, month = np.divmod(months, 12)
    return pc.cast(pa.array((1980 + year) * 100 + month + 1), pa.string())


def _chunk(directory, per_district, samples, start, stop, rng) -> dict[str, pa.Array]:
    size = stop - start
    rows = np.arange(start, stop)
    district = directory.district[start:stop]
    nation = directory.country[district]
    nation_arr = pa.array(nation)
    pcds = directory.pcds[start:stop]
    pcd7 = _pcd7(pcds)
    outward = [value.split(" ")[0] for value in pcds]
    pcd8 = [f"{out:<4} {value.split(' ')[1]}" for out, value in zip(outward, pcds, strict=True)]

    def take(name: str) -> pa.Array:
        return pa.array(per_district[name][district])

    def area_code(kind: str, per: int, offset: int = 0) -> pa.Array:
        return _padded(pc.binary_join_element_wise(nation_arr, kind, ""), rows // per + offset, 6)

    # Introduced: a third on the 1980 start, the rest spread to 2025; a third terminated since.
    last_month = 45 * 12 + 10
    introduced = np.where(rng.random(size) < 0.34, 0, rng.integers(0, last_month - 1, size))
    ended = introduced + 1 + (rng.random(size) * (last_month - introduced - 1)).astype(int)
    terminated = directory.terminated[start:stop]
    no_grid = terminated & (rng.random(size) < 0.05)
    lat = per_district["lat"][district] + rng.normal(0, 0.03, size)
    long = per_district["long"][district] + rng.normal(0, 0.05, size)
    easting = np.clip((long + 7.6) * 68_000, 0, 700_000).astype(int)
    northing = np.clip((lat - 49.8) * 111_000, 0, 1_250_000).astype(int)
    lsoa = rows // 72
    areas = np.array([IMD_AREAS[n] for n in "EWSN"])
    # One IMD rank per LSOA: a hash of the LSOA number, within the nation's range.
    nation_index = np.searchsorted(np.array(list("ENSW")), nation)
    nation_index = np.array([0, 3, 2, 1])[nation_index]  # E, N, S, W -> E, W, S, N order
    imd = (lsoa * 2_654_435_761 % 4_294_967_291) % areas[nation_index] + 1
    ward_letters = np.array(list("ABCDEFGHJK"))
    statsward = [
        f"{d % 99:02d}{chr(65 + d % 26)}{chr(65 + d // 26 % 26)}{ward_letters[r // 400 % 10]}A"
        for d, r in zip(district, rows, strict=True)
    ]
    columns: dict[str, pa.Array] = {
        "pcd": pa.array(pcd7),
        "pcd2": pa.array(pcd8),
        "pcds": pa.array(pcds, pa.string()),
        "dointr": _yyyymm(introduced),
        "doterm": pc.if_else(pa.array(terminated), _yyyymm(ended), pa.nulls(size, pa.string())),
        "oscty": take("oscty"),
        "ced": take("ced"),
        "oslaua": pa.array(directory.lad[district]),
        "osward": area_code("05", 300, 1000),
        "parish": pc.if_else(
            pa.array((rows // 900) % 3 == 0), area_code("04", 900), area_code("43", 9000, 1000)
        ),
        "usertype": pa.array(np.where(rng.random(size) < 0.07, "1", "0")),
        "oseast1m": pc.if_else(pa.array(no_grid), None, pc.cast(pa.array(easting), pa.string())),
        "osnrth1m": pc.if_else(
            pa.array(no_grid), None, pc.utf8_lpad(pc.cast(pa.array(northing), pa.string()), 7, "0")
        ),
        "osgrdind": pa.array(np.where(no_grid, "9", np.where(rng.random(size) < 0.9, "1", "2"))),
        "oshlthau": take("oshlthau"),
        "nhser": take("nhser"),
        "ctry": pa.array(np.array([COUNTRY[n] for n in "EWSN"])[nation_index]),
        "rgn": take("rgn"),
        "streg": pa.array(np.full(size, "0")),
        "pcon": take("pcon"),
        "eer": take("eer"),
        "teclec": take("teclec"),
        "ttwa": take("ttwa"),
        "pct": take("pct"),
        "itl": take("itl"),
        "statsward": pa.array(statsward),
        "oa01": pc.binary_join_element_wise(
            pa.array(statsward), _padded("", rows // 15 % 10_000, 4), ""
        ),
        "casward": pa.array(statsward),
        "npark": pa.array(np.where((district % 40) == 7, "E26000004", nation + "99999999")),
        "lsoa01": area_code("01", 75),
        "msoa01": area_code("02", 380),
        "ur01ind": pa.array(np.array(list("ABCDEF"))[rng.integers(0, 6, size)]),
        "oac01": pa.array([f"{1 + r % 7}{chr(65 + r % 3)}{1 + r % 2}" for r in (rows // 15) % 97]),
        "oa11": area_code("00", 14, 1),
        "lsoa11": area_code("01", 71, 1),
        "msoa11": area_code("02", 360, 1),
        "wz11": area_code("33", 30),
        "sicbl": take("sicbl"),
        "bua11": area_code("34", 2000),
        "buasd11": pc.if_else(
            pa.array(rows // 2000 % 2 == 0), area_code("35", 4000), pa.array(nation + "99999999")
        ),
        "ru11ind": pa.array(
            np.array(["A1", "B1", "C1", "C1", "C1", "D1", "E1", "F1"])[(rows // 14) % 8]
        ),  # fmt: skip
        "oac11": pa.array([f"{1 + r % 8}{chr(65 + r % 4)}{1 + r % 3}" for r in (rows // 14) % 101]),
        "lat": pa.array(np.where(no_grid, "99.999999", np.char.mod("%.6f", lat))),
        "long": pa.array(np.where(no_grid, "0.000000", np.char.mod("%.6f", long))),
        "lep1": take("lep1"),
        "lep2": pa.array(nation + "99999999"),
        "pfa": take("pfa"),
        "imd": pc.cast(pa.array(imd), pa.string()),
        "calncv": take("calncv"),
        "icb": pa.array(directory.icb[district]),
        "oa21": area_code("00", 14),
        "lsoa21": area_code("01", 72),
        "msoa21": area_code("02", 365),
    }
    return _with_sample_values(columns, directory.sample_row[start:stop], samples)


def _with_sample_values(columns, sample_row: np.ndarray, samples) -> dict[str, pa.Array]:
    """The sample's own values (where it has one) for the sample's postcodes."""
    positions = np.flatnonzero(sample_row >= 0)
    if not len(positions):
        return columns
    mask = pa.array(sample_row >= 0)
    for name in HEADER:
        values = [samples[i][name] for i in sample_row[positions]]
        if not any(values):
            continue
        full = np.full(len(sample_row), None, dtype=object)
        full[positions] = [value or None for value in values]
        given = pa.array(full, pa.string())
        use = pc.and_(mask, pc.is_valid(given))
        if name == "doterm":  # blank in the sample means live: keep it blank
            use = mask
        columns[name] = pc.if_else(use, given, columns[name])
    return columns


if __name__ == "__main__":
    print(ensure())
