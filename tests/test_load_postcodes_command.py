"""The platform admin's command that loads a postcode directory release."""

import pytest
from django.core.management import CommandError, call_command

from kvi.models import Postcode, PostcodeRelease
from tests.postcode_files import ONSPD_SAMPLE, require_shared_data

pytestmark = pytest.mark.django_db


def test_load_postcodes_loads_a_release_once(capsys):
    require_shared_data()
    call_command("load_postcodes", str(ONSPD_SAMPLE), "--release", "ONSPD sample")
    release = PostcodeRelease.objects.get(name="ONSPD sample")
    assert Postcode.objects.filter(release=release).count() == release.rows > 0
    assert "Loaded" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_postcodes", str(ONSPD_SAMPLE), "--release", "ONSPD sample")
    assert PostcodeRelease.objects.count() == 1


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("load_postcodes", str(tmp_path / "nope.csv"), "--release", "x")
