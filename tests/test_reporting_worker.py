"""The report PDF task whatever happens to the worker: a real worker process killed with SIGKILL
while laying out pages or while writing the file leaves no PDF under the version's key; the
task run again (a redelivery: acks_late + reject_on_worker_lost) ends the request with exactly
one PDF. While a worker holds a version, a duplicated delivery does nothing."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reporting import tasks
from reporting.models import Report, ReportKind, ReportVersion, VersionStatus
from tenancy.context import tenant_context
from uploads import storage

CHILD = """
import sys, time
from pathlib import Path
import django
django.setup()
from reporting import tasks

tenant_id, version_id, signal_file, stage = sys.argv[1:5]

def hang():
    Path(signal_file).write_text(stage)
    time.sleep(120)  # killed here

if stage == "layout":
    progress = tasks._progress
    def progress_then_hang(tenant, version, percent, message):
        progress(tenant, version, percent, message)
        if message == "Laying out the pages":
            hang()
    tasks._progress = progress_then_hang
else:
    def half_then_hang(data, size=65536):
        yield data[: len(data) // 2]
        hang()
        yield data[len(data) // 2 :]
    tasks.chunks_of = half_then_hang
tasks.generate_report_pdf(tenant_id, version_id)
"""


def _database_url() -> str:
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _version(cast) -> ReportVersion:
    with tenant_context(cast.tenant.id):
        report = Report.objects.create(
            tenant=cast.tenant,
            kind=ReportKind.SYSTEM,
            title="Social value system report",
            period_end=date(2022, 9, 30),
            data_freeze_date=date(2030, 1, 1),
            meeting="Partnership board",
            executive_summary="Killed and retried.",
        )
        return ReportVersion.objects.create(tenant=cast.tenant, report=report, number=1)


def _state(cast, version) -> ReportVersion:
    with tenant_context(cast.tenant.id):
        return ReportVersion.objects.get(pk=version.pk)


def _files(version) -> list[str]:
    folder = storage.private_path(tasks.pdf_key(version)).parent
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _start_worker(cast, version, signal_file: Path, stage: str) -> subprocess.Popen:
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(cast.tenant.id),
            str(version.pk),
            str(signal_file),
            stage,
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_APP_URL": _database_url(),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "CONN_MAX_AGE": "0",
        },
    )
    deadline = time.monotonic() + 90
    while not signal_file.exists():
        assert child.poll() is None, "the worker ended before it reached the stage"
        assert time.monotonic() < deadline, "the worker never reached the stage"
        time.sleep(0.05)
    return child


def _kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["layout", "write"])
def test_a_worker_killed_mid_generation_ends_with_exactly_one_pdf_after_the_retry(
    cast_a, tmp_path, stage
):
    version = _version(cast_a)
    child = _start_worker(cast_a, version, tmp_path / "reached", stage)
    try:
        running = _state(cast_a, version)
        assert running.status == VersionStatus.RUNNING  # the browser sees it being produced
        assert running.attempts == 1
        # A duplicated delivery while the worker holds the version does nothing.
        assert tasks.report_version_produce(tenant_id=cast_a.tenant.id, version_id=version.pk) == (
            "busy"
        )
        if stage == "write":
            assert len(storage.leftovers(tasks.pdf_key(version))) == 1  # half a temporary file
    finally:
        _kill(child)
    assert f"{version.pk}.pdf" not in _files(version)  # nothing under the key

    # The redelivered task: one PDF, the temporary file gone, the version ready.
    assert tasks.generate_report_pdf(str(cast_a.tenant.id), str(version.pk)) == "produced"
    assert _files(version) == [f"{version.pk}.pdf"]
    done = _state(cast_a, version)
    assert done.status == VersionStatus.READY
    assert done.attempts == 2
    assert done.sha256 == storage.sha256_of(done.storage_key)
    assert done.page_count >= 1
    pdf = storage.private_path(done.storage_key).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    # Delivered once more: nothing changes.
    assert tasks.generate_report_pdf(str(cast_a.tenant.id), str(version.pk)) == "skipped"
    assert _files(version) == [f"{version.pk}.pdf"]
    assert _state(cast_a, version).finished_at == done.finished_at


@pytest.mark.django_db(transaction=True)
def test_a_file_stored_by_a_worker_that_died_before_marking_it_ready_is_reused(cast_a):
    version = _version(cast_a)
    assert tasks.generate_report_pdf(str(cast_a.tenant.id), str(version.pk)) == "produced"
    first = _state(cast_a, version)
    # As if the worker died after the rename and before its last commit.
    with tenant_context(cast_a.tenant.id):
        ReportVersion.objects.filter(pk=version.pk).update(status=VersionStatus.RUNNING)
    assert tasks.generate_report_pdf(str(cast_a.tenant.id), str(version.pk)) == "reused"
    again = _state(cast_a, version)
    assert again.status == VersionStatus.READY
    assert again.sha256 == first.sha256
    assert again.page_count == first.page_count
    assert _files(version) == [f"{version.pk}.pdf"]
