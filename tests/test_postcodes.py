"""The postcode directory: loading any release layout, normalising and resolving postcodes."""

import pytest

from kvi.models import DeprivationEdition, Postcode, PostcodeRelease
from kvi.postcodes import (
    PostcodeDirectoryError,
    imd_decile,
    is_postcode,
    load_postcode_directory,
    normalise_postcode,
    resolve_columns,
    resolve_postcodes,
)
from tests.postcode_files import (
    ONSPD_SAMPLE,
    require_shared_data,
    sample_rows,
    write_newest_layout,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    return sample_rows()


def _load_sample(name="ONSPD sample") -> PostcodeRelease:
    require_shared_data()
    return load_postcode_directory(ONSPD_SAMPLE, release_name=name)


def test_loading_the_sample_records_the_release_columns_and_edition(rows):
    release = _load_sample()
    assert release.source_file == "onspd_sample.csv"
    assert release.rows == len(rows) == 3800
    assert Postcode.objects.filter(release=release).count() == 3800
    assert (release.postcode_column, release.district_column) == ("pcds", "oslaua")
    assert release.deprivation_column == "imd"
    assert release.deprivation_edition == DeprivationEdition.IOD2019
    assert release.deprivation_areas == 32_844
    terminated = sum(1 for row in rows if row["doterm"].strip())
    assert Postcode.objects.filter(release=release, terminated=True).count() == terminated == 173


def test_every_sample_postcode_resolves_to_its_district_and_rank(rows):
    release = _load_sample()
    resolved = resolve_postcodes([row["pcds"] for row in rows], release=release)
    assert len(resolved) == 3800
    for row in rows:
        place = resolved[row["pcds"].replace(" ", "")]
        assert place.district == row["oslaua"]
        assert place.imd_rank == int(row["imd"])
        assert place.terminated is bool(row["doterm"].strip())


def test_newest_layout_resolves_the_same_postcodes_to_the_same_districts(rows, tmp_path):
    old = _load_sample()
    new = load_postcode_directory(write_newest_layout(tmp_path), release_name="ONSPD 2026 layout")
    assert new.district_column == "lad26cd"  # not the older lad25cd beside it
    assert new.deprivation_column == "imd25ind"
    assert new.postcode_column == "pcds"
    assert new.deprivation_edition == DeprivationEdition.IOD2025
    assert new.deprivation_areas == 33_755
    assert new.rows == 3800
    postcodes = [row["pcds"] for row in rows]
    by_old = resolve_postcodes(postcodes, release=old)
    by_new = resolve_postcodes(postcodes, release=new)
    assert by_new.keys() == by_old.keys()
    for postcode, place in by_new.items():
        assert place.district == by_old[postcode].district
        assert place.imd_rank == by_old[postcode].imd_rank
        assert place.terminated == by_old[postcode].terminated
        # Deciles follow each release's own edition.
        assert place.imd_decile == imd_decile(place.imd_rank, 33_755)
        assert by_old[postcode].imd_decile == imd_decile(place.imd_rank, 32_844)


def test_the_edition_can_be_given_rather_than_inferred(tmp_path):
    release = load_postcode_directory(
        write_newest_layout(tmp_path),
        release_name="Relabelled",
        deprivation_edition=DeprivationEdition.IOD2019,
    )
    assert (release.deprivation_edition, release.deprivation_areas) == ("IoD2019", 32_844)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["pcd", "pcd2", "pcds", "doterm", "oslaua", "imd", "lsoa11", "lsoa21", "icb"],
            {"postcode": "pcds", "district": "oslaua", "deprivation": "imd", "icb": "icb"},
        ),
        (
            ["pcd7", "pcd8", "laua", "imd20ind", "lsoa11cd", "lsoa21cd", "icb23cd"],
            {"postcode": "pcd7", "district": "laua", "deprivation": "imd20ind", "icb": "icb23cd"},
        ),
        (
            ["PCD7", "PCDS", "LAD25CD", "LAD26CD", "OSLAUA", "IMD20IND", "IMD25IND", "ICB26CD"],
            {"postcode": "PCDS", "district": "LAD26CD", "deprivation": "IMD25IND"},
        ),
    ],
)
def test_columns_resolve_by_stem_and_the_newest_year(header, expected):
    columns = resolve_columns(header)
    for field, column in expected.items():
        assert columns[field] == column
    if "lsoa21" in header or "lsoa21cd" in header:
        assert columns["lsoa"] in ("lsoa21", "lsoa21cd")


def test_a_file_without_a_district_column_is_refused_and_loads_nothing(tmp_path):
    path = tmp_path / "no_district.csv"
    path.write_text("pcds,imd\nCH41 2AB,100\n")
    with pytest.raises(PostcodeDirectoryError, match="district"):
        load_postcode_directory(path, release_name="Broken")
    assert not PostcodeRelease.objects.exists()


def test_ranks_beyond_the_edition_refuse_the_whole_file(tmp_path, rows):
    path = tmp_path / "wrong_edition.csv"
    lines = ONSPD_SAMPLE.read_text().splitlines()
    header = lines[0].split(",")
    last = lines[-1].split(",")
    last[header.index("imd")] = "33000"  # an IoD2025 rank, in a file labelled IoD2019
    path.write_text("\n".join([*lines[:-1], ",".join(last)]) + "\n")
    with pytest.raises(PostcodeDirectoryError, match="32,844"):
        load_postcode_directory(path, release_name="Mislabelled")
    assert not PostcodeRelease.objects.exists()
    assert not Postcode.objects.exists()


def test_a_release_name_loads_once():
    _load_sample("ONSPD November 2025")
    with pytest.raises(PostcodeDirectoryError, match="already loaded"):
        _load_sample("ONSPD November 2025")
    assert PostcodeRelease.objects.count() == 1


@pytest.mark.parametrize(
    "written", ["CH41 6WY", "ch41 6wy", "ch416wy", "  CH41 6WY  ", "CH41\t6WY", " c h 4 1 6 w y "]
)
def test_postcodes_match_however_they_are_written(written):
    release = _load_sample()
    assert normalise_postcode(written) == "CH416WY"
    assert resolve_postcodes([written], release=release)["CH416WY"].district == "E08000015"


@pytest.mark.parametrize("value", ["W1A0AX", "EC1A1BB", "M11AE", "B338TH", "CR26XH", "CW103FX"])
def test_well_formed_postcodes(value):
    assert is_postcode(value)


@pytest.mark.parametrize("value", ["", "NOTAPOSTCODE", "CH41", "12345", "CH4162WY", "CHH412AB"])
def test_malformed_postcodes(value):
    assert not is_postcode(value)


def test_unknown_blank_and_malformed_postcodes_do_not_resolve():
    release = _load_sample()
    assert resolve_postcodes(["ZZ99 9ZZ", "", "NOT A POSTCODE", None], release=release) == {}


def test_a_terminated_postcode_still_resolves_to_its_district(rows):
    release = _load_sample()
    row = next(row for row in rows if row["doterm"].strip())
    place = resolve_postcodes([row["pcds"].lower()], release=release)[row["pcd"].replace(" ", "")]
    assert place.terminated is True
    assert place.district == row["oslaua"]
    assert place.imd_rank == int(row["imd"])


@pytest.mark.parametrize(
    ("rank", "areas", "decile"),
    [
        (1, 32_844, 1),
        (3_284, 32_844, 1),  # ranks 1 to 3,284: the most deprived tenth (README)
        (3_285, 32_844, 2),
        (16_422, 32_844, 5),
        (16_423, 32_844, 6),
        (32_844, 32_844, 10),
        (3_375, 33_755, 1),
        (3_376, 33_755, 2),
        (33_755, 33_755, 10),
        (None, 32_844, None),
    ],
)
def test_imd_deciles(rank, areas, decile):
    assert imd_decile(rank, areas) == decile


def test_resolved_deciles_follow_the_edition(rows):
    release = _load_sample()
    resolved = resolve_postcodes([row["pcds"] for row in rows], release=release)
    deciles = {place.imd_decile for place in resolved.values()}
    assert deciles <= set(range(1, 11))
    row = next(row for row in rows if int(row["imd"]) <= 3_284)
    assert resolved[row["pcds"].replace(" ", "")].imd_decile == 1
