"""Award certificates: the PDF (A4 landscape, what it says, nothing fetched from the network),
produced once by the "pdf" task whatever happens to the worker, and the award pages (list,
detail with the certificate's progress, download, revoke, try again)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from awards import certificate_tasks as tasks
from awards.certificates import certificate_document, certificate_html
from awards.models import Award, CertificateStatus
from awards.services.certificates import certificate_retry
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.awards_builders import as_user, decided, open_scheme
from uploads import storage
from uploads.static_fetcher import STATIC_BASE, RefusedFetch, static_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def award_a(cast_a) -> Award:
    """An award of the cast's organisation (Bronze), its certificate not yet produced."""
    with tenant_context(cast_a.tenant.id):
        application = decided(cast_a, open_scheme(cast_a))
        return Award.objects.get(application=application)


def _state(cast, award) -> Award:
    with tenant_context(cast.tenant.id):
        return Award.objects.get(pk=award.pk)


def _run(cast, award) -> str:
    return tasks.produce_award_certificate(str(cast.tenant.id), str(award.pk))


def _folder(award) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / str(award.tenant_id) / "certificates"


def _files(award) -> list[str]:
    folder = _folder(award)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- The PDF -----------------------------------------------------------------------------


def test_the_certificate_says_who_holds_what_until_when_and_where_to_check(cast_a, award_a):
    with tenant_context(cast_a.tenant.id):
        award = Award.objects.select_related("tenant", "organisation", "version", "level").get(
            pk=award_a.pk
        )
        html = certificate_html(award)
    code = award.verification_code
    assert cast_a.organisation.name in html
    assert "Bronze" in html and "Social Value Award" in html
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in html
    assert award.awarded_on.strftime("%-d %B %Y") in html
    assert award.expires_on.strftime("%-d %B %Y") in html
    verify = settings.SITE_URL.rstrip("/") + reverse(
        "public_award_verify", args=[cast_a.tenant.slug]
    )
    assert verify in html
    assert "size: A4 landscape" in html
    assert "http://" not in html.replace(settings.SITE_URL, "").replace("http://www.w3.org", "")


def test_the_pdf_is_one_a4_landscape_page(cast_a, award_a):
    with tenant_context(cast_a.tenant.id):
        award = Award.objects.select_related("tenant", "organisation", "version", "level").get(
            pk=award_a.pk
        )
        document = certificate_document(award)
        assert _run(cast_a, award_a) == "produced"
    assert len(document.pages) == 1
    width_mm, height_mm = (
        round(v * 25.4 / 96) for v in (document.pages[0].width, document.pages[0].height)
    )
    assert (width_mm, height_mm) == (297, 210)
    pdf = (_folder(award_a) / f"{award_a.pk}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    "url",
    [
        "https://assets.nhs.uk/fonts/FrutigerLTW01-55Roman.woff2",
        "http://127.0.0.1:8000/static/css/app.css",
        "file:///etc/passwd",
        "ftp://example.org/logo.png",
        STATIC_BASE + "../../../etc/passwd",
        STATIC_BASE + "css/../../config/settings.py",
        STATIC_BASE + "no-such-file.png",
    ],
)
def test_the_pdf_fetcher_refuses_everything_but_the_projects_static_files(url):
    with pytest.raises(RefusedFetch):
        static_path(url)


def test_the_pdf_fetcher_serves_the_projects_static_files():
    assert static_path(STATIC_BASE + "css/app.css").endswith("static/css/app.css")
    assert static_path(STATIC_BASE + "nhsuk/assets/images/favicon.svg").endswith("favicon.svg")


# --- Produced once, whatever happens to the worker ----------------------------------------


def test_a_granted_award_queues_its_certificate_after_commit(
    cast_a, django_capture_on_commit_callbacks
):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        with django_capture_on_commit_callbacks(execute=True):
            application = decided(cast_a, scheme)
        award = Award.objects.get(application=application)
    assert award.certificate_status == CertificateStatus.READY
    assert award.certificate_key == f"{cast_a.tenant.id}/certificates/{award.pk}.pdf"
    assert _files(award) == [f"{award.pk}.pdf"]


def test_a_second_run_finds_it_ready_and_does_nothing(cast_a, award_a):
    with tenant_context(cast_a.tenant.id):
        assert _run(cast_a, award_a) == "produced"
    first = _state(cast_a, award_a)
    mtime = (_folder(award_a) / f"{award_a.pk}.pdf").stat().st_mtime_ns
    with tenant_context(cast_a.tenant.id):
        assert _run(cast_a, award_a) == "skipped"
    again = _state(cast_a, award_a)
    assert again.certificate_produced_at == first.certificate_produced_at
    assert (
        again.certificate_sha256
        == first.certificate_sha256
        == storage.sha256_of(first.certificate_key)
    )
    assert (_folder(award_a) / f"{award_a.pk}.pdf").stat().st_mtime_ns == mtime
    assert _files(award_a) == [f"{award_a.pk}.pdf"]
    with tenant_context(cast_a.tenant.id):
        produced = AuditEvent.objects.filter(
            verb="award.certificate_produced", object_id=str(award_a.pk)
        )
        assert produced.count() == 1


class Crash(BaseException):
    """Stands for the worker dying: not an Exception, so nothing catches it."""


def test_a_crash_after_the_rename_but_before_the_commit_reuses_the_file(
    cast_a, award_a, monkeypatch
):
    original = storage.fsync_directory

    def crash_after_publishing(path):
        original(path)
        raise Crash

    monkeypatch.setattr(storage, "fsync_directory", crash_after_publishing)
    with pytest.raises(Crash), tenant_context(cast_a.tenant.id):
        _run(cast_a, award_a)
    assert _state(cast_a, award_a).certificate_status == CertificateStatus.PENDING
    assert _files(award_a) == [f"{award_a.pk}.pdf"]  # whole: published by the rename
    stored = (_folder(award_a) / f"{award_a.pk}.pdf").read_bytes()

    monkeypatch.setattr(storage, "fsync_directory", original)
    with tenant_context(cast_a.tenant.id):
        assert _run(cast_a, award_a) == "reused"
    award = _state(cast_a, award_a)
    assert award.certificate_status == CertificateStatus.READY
    assert (_folder(award_a) / f"{award_a.pk}.pdf").read_bytes() == stored
    assert award.certificate_sha256 == storage.sha256_of(award.certificate_key)
    assert _files(award_a) == [f"{award_a.pk}.pdf"]


def test_a_crash_while_writing_leaves_no_file_under_the_key(cast_a, award_a, monkeypatch):
    def half_then_crash(data, size=storage.CHUNK_SIZE):
        yield data[: len(data) // 2]
        raise Crash

    monkeypatch.setattr(tasks, "chunks_of", half_then_crash)
    with pytest.raises(Crash), tenant_context(cast_a.tenant.id):
        _run(cast_a, award_a)
    assert _files(award_a) == []
    assert _state(cast_a, award_a).certificate_status == CertificateStatus.PENDING


CHILD = """
import sys, time
from pathlib import Path
import django
django.setup()
from awards import certificate_tasks as tasks
from uploads import storage

tenant_id, award_id, signal_file = sys.argv[1:4]

def half_then_hang(data, size=storage.CHUNK_SIZE):
    yield data[: len(data) // 2]
    Path(signal_file).write_text("writing")
    time.sleep(120)  # killed here, mid-write
    yield data[len(data) // 2 :]

tasks.chunks_of = half_then_hang
tasks.produce_award_certificate(tenant_id, award_id)
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_write_leaves_no_half_written_certificate_and_a_rerun_makes_one(
    cast_a, tmp_path, monkeypatch
):
    """A real worker process, killed with SIGKILL while writing the PDF: the key holds
    nothing, the award is still waiting, and the next run produces exactly one certificate."""
    # Here commits are real: keep the award's own task from running in this process.
    monkeypatch.setattr("awards.services.decisions.certificate_queue", lambda tenant, award: None)
    with tenant_context(cast_a.tenant.id):
        application = decided(cast_a, open_scheme(cast_a))
        award = Award.objects.get(application=application)
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if db["PASSWORD"]
        else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    signal_file = tmp_path / "writing"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(cast_a.tenant.id), str(award.pk), str(signal_file)],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_APP_URL": database_url,
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "CONN_MAX_AGE": "0",
        },
    )
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists():
            assert child.poll() is None, "the worker ended before it started writing"
            assert time.monotonic() < deadline, "the worker never started writing"
            time.sleep(0.05)
        partial = storage.leftovers(tasks.certificate_key(award))
        assert len(partial) == 1  # the temporary file it was writing
        assert _files(award) == [partial[0].name]
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # Nothing under the key, nothing committed.
    assert not (_folder(award) / f"{award.pk}.pdf").exists()
    assert _state(cast_a, award).certificate_status == CertificateStatus.PENDING

    # The task runs again (a redelivery: acks_late + reject_on_worker_lost): one certificate.
    assert _run(cast_a, award) == "produced"
    assert _files(award) == [f"{award.pk}.pdf"]  # the half-written temporary file is gone
    done = _state(cast_a, award)
    assert done.certificate_status == CertificateStatus.READY
    pdf = (_folder(award) / f"{award.pk}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert done.certificate_sha256 == storage.sha256_of(done.certificate_key)
    # And once more: nothing changes.
    assert _run(cast_a, award) == "skipped"
    assert _state(cast_a, award).certificate_produced_at == done.certificate_produced_at
    assert _files(award) == [f"{award.pk}.pdf"]


def test_a_failure_is_recorded_with_a_reason_and_can_be_tried_again(
    cast_a, award_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(award):
        raise OSError("No space left on device")

    monkeypatch.setattr(tasks, "certificate_pdf", broken)
    with tenant_context(cast_a.tenant.id):
        assert _run(cast_a, award_a) == "failed"
        award = Award.objects.get(pk=award_a.pk)
        assert award.certificate_status == CertificateStatus.FAILED
        assert "Try again" in tasks.certificate_failure_reason(tenant=cast_a.tenant, award=award)
    assert _files(award_a) == []

    monkeypatch.undo()
    with tenant_context(cast_a.tenant.id):
        with django_capture_on_commit_callbacks(execute=True):
            certificate_retry(**as_user(cast_a, cast_a.tenant_admin), award=award)
        award.refresh_from_db()
    assert award.certificate_status == CertificateStatus.READY
    assert _files(award_a) == [f"{award_a.pk}.pdf"]


def test_only_a_failed_certificate_can_be_tried_again_and_only_by_the_right_people(cast_a, award_a):
    from django.core.exceptions import PermissionDenied, ValidationError

    with tenant_context(cast_a.tenant.id):
        with pytest.raises(ValidationError, match="waiting to be produced"):
            certificate_retry(**as_user(cast_a, cast_a.tenant_admin), award=award_a)
        Award.objects.filter(pk=award_a.pk).update(certificate_status=CertificateStatus.FAILED)
        for user in (cast_a.assessor, cast_a.organisation_member, cast_a.board_reporter):
            with pytest.raises(PermissionDenied):
                certificate_retry(**as_user(cast_a, user), award=award_a)
        assert Award.objects.get(pk=award_a.pk).certificate_status == CertificateStatus.FAILED


# --- The pages of awards held ----------------------------------------------------------------


def _page(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def _ready(cast, award) -> Award:
    with tenant_context(cast.tenant.id):
        _run(cast, award)
    return _state(cast, award)


def test_the_holder_sees_the_award_and_downloads_the_certificate(client, login, cast_a, award_a):
    award = _ready(cast_a, award_a)
    login(cast_a.organisation_member)
    page = client.get(_page(cast_a, "award_detail", award.pk)).content.decode()
    assert "Download the certificate (PDF)" in page
    assert "Revoke this award" not in page
    code = award.verification_code
    assert f"{code[:4]}-{code[4:8]}-{code[8:]}" in page
    response = client.get(_page(cast_a, "certificate_download", award.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(body).hexdigest() == award.certificate_sha256


def test_a_certificate_being_produced_shows_its_progress_and_refreshes(
    client, login, cast_a, award_a
):
    login(cast_a.tenant_admin)
    page = client.get(_page(cast_a, "award_detail", award_a.pk)).content.decode()
    assert "Being produced" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "Download the certificate" not in page
    assert client.get(_page(cast_a, "certificate_download", award_a.pk)).status_code == 404


def test_a_failed_certificate_shows_why_and_the_team_tries_again(
    client, login, cast_a, award_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "certificate_pdf", lambda award: 1 / 0)
    with tenant_context(cast_a.tenant.id):
        assert _run(cast_a, award_a) == "failed"
    monkeypatch.undo()
    login(cast_a.tenant_admin)
    page = client.get(_page(cast_a, "award_detail", award_a.pk)).content.decode()
    assert "The certificate could not be produced" in page
    assert "Something went wrong while producing the certificate" in page
    assert "Try again" in page and "refresh" not in page.split("</head>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_page(cast_a, "certificate_retry", award_a.pk))
    assert response.status_code == 302
    assert _state(cast_a, award_a).certificate_status == CertificateStatus.READY
    page = client.get(_page(cast_a, "award_detail", award_a.pk)).content.decode()
    assert "Download the certificate (PDF)" in page


@pytest.mark.parametrize("who", ["assessor", "board_reporter", "outsider"])
def test_people_outside_the_team_and_the_holder_cannot_open_or_download(
    client, login, cast_a, award_a, who
):
    _ready(cast_a, award_a)
    login(getattr(cast_a, who))
    detail = client.get(_page(cast_a, "award_detail", award_a.pk))
    download = client.get(_page(cast_a, "certificate_download", award_a.pk))
    assert detail.status_code in (403, 404)
    assert download.status_code in (403, 404)
    assert client.get(_page(cast_a, "award_list")).status_code == 403


def test_another_organisations_admin_cannot_see_the_award(client, login, cast_a, award_a):
    _ready(cast_a, award_a)
    with tenant_context(cast_a.tenant.id):
        from tests.awards_builders import other_organisation_admin

        other = other_organisation_admin(cast_a)
    login(other)
    assert client.get(_page(cast_a, "award_detail", award_a.pk)).status_code == 404
    assert client.get(_page(cast_a, "certificate_download", award_a.pk)).status_code == 404
    page = client.get(_page(cast_a, "award_list")).content.decode()
    assert cast_a.organisation.name not in page
    assert "Your organisation does not hold an award yet." in page


def test_another_tenants_admin_gets_404(client, login, cast_a, cast_b, award_a):
    _ready(cast_a, award_a)
    login(cast_b.tenant_admin)
    for name in ("award_detail", "certificate_download", "award_revoke"):
        assert client.get(_page(cast_b, name, award_a.pk)).status_code == 404
    # And under cast_a's address, cast_b's admin has no role there.
    assert client.get(_page(cast_a, "award_detail", award_a.pk)).status_code in (403, 404)


def test_the_team_revokes_an_award_after_confirming_with_a_reason(client, login, cast_a, award_a):
    login(cast_a.tenant_admin)
    url = _page(cast_a, "award_revoke", award_a.pk)
    page = client.get(url).content.decode()
    assert "Are you sure you want to revoke" in page
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Say why the award is revoked." in response.content.decode()
    assert _state(cast_a, award_a).revoked_at is None
    response = client.post(url, {"reason": "No longer evidences the social area."})
    assert response.status_code == 302
    award = _state(cast_a, award_a)
    assert award.revoked_reason == "No longer evidences the social area."
    page = client.get(_page(cast_a, "award_detail", award.pk)).content.decode()
    assert "This award has been revoked" in page and "Revoke this award" not in page


def test_only_the_programme_team_may_revoke(client, login, cast_a, award_a):
    for user in (cast_a.organisation_admin, cast_a.assessor):
        login(user)
        url = _page(cast_a, "award_revoke", award_a.pk)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "Because"}).status_code == 403
    assert _state(cast_a, award_a).revoked_at is None


def test_the_award_list_searches_filters_and_runs_a_fixed_number_of_queries(
    client, login, cast_a, award_a, django_assert_max_num_queries
):
    from tests.award_held_builders import more_awards

    login(cast_a.tenant_admin)
    url = _page(cast_a, "award_list")
    client.get(url)  # warm up (session, MFA check)
    with django_assert_max_num_queries(16) as few:
        assert client.get(url).status_code == 200
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, _scheme_of(award_a), 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "31 awards (page 1 of 2)" in page
    page = client.get(url, {"q": "Holder 007"}).content.decode()
    assert "Holder 007 Trust" in page and "Holder 008 Trust" not in page
    page = client.get(url, {"state": "revoked"}).content.decode()
    assert "No awards match your search." in page
    page = client.get(url, {"state": "nonsense"}).content.decode()
    assert "Choose which awards to show from the list" in page


def _scheme_of(award):
    from types import SimpleNamespace

    return SimpleNamespace(version=award.version, bronze=award.level)
