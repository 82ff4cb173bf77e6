"""Benchmark set-up: the test suite's database (created per run, used as the application role
with row-level security on), the generated data files, and the full-size postcode directory.

`make bench` runs these; `make test` does not (pytest's testpaths is tests/). The data is
generated once into .devdata/bench/ and reused. The directory is loaded once per run, timed,
by the `bench_directory` fixture: the postcode benchmark checks that load, the ledger benchmark
resolves against it.
"""

import io
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks import ledger_file, onspd
from kvi.models import PostcodeRelease

# The test suite's database set-up and casts (tests/conftest.py), for the benchmarks too.
from tests.conftest import (  # noqa: F401
    _test_settings,
    cast_a,
    cast_b,
    django_db_modify_db_settings,
    django_db_setup,
    issue_key,
    login,
)

RELEASE_NAME = "ONSPD benchmark (generated, 2.7 million rows)"


@dataclass(frozen=True)
class DirectoryLoad:
    path: Path
    release: PostcodeRelease
    seconds: float  # wall-clock time of `manage.py load_postcodes`


def pytest_collection_modifyitems(items):
    """The benchmarks that use the loaded directory first: a transactional test (the overview's)
    empties every table when it ends."""
    items.sort(key=lambda item: "bench_directory" not in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def ledger_path() -> Path:
    return ledger_file.ensure()


@pytest.fixture(scope="session")
def bench_directory(django_db_setup, django_db_blocker) -> DirectoryLoad:  # noqa: F811
    """The 2.7-million-row directory, loaded with the platform admin's command (timed)."""
    path = onspd.ensure()
    with django_db_blocker.unblock():
        started = time.perf_counter()
        call_command("load_postcodes", str(path), "--release", RELEASE_NAME, stdout=io.StringIO())
        seconds = time.perf_counter() - started
        release = PostcodeRelease.objects.get(name=RELEASE_NAME)
    return DirectoryLoad(path=path, release=release, seconds=seconds)
