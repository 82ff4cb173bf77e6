"""The evidence pages of an application: adding a file, replacing one (the old one stays in the
history), removing one after a confirmation page, and downloading one (attachment, nosniff,
permission checked on every download). Refused files (an .exe renamed .pdf, one over the cap,
an empty one) get clear messages and nothing already uploaded is lost; a conflicted assessor,
an applicant of another organisation and a user of another tenant cannot open the files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.models import Application, EvidenceFile
from awards.services import evidence as evidence_module
from tenancy.context import tenant_context
from tenancy.models import Role
from tests.awards_builders import (
    as_user,
    draft,
    open_scheme,
    other_organisation_admin,
    person,
)
from uploads.storage import exists_private

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PDF_2 = b"%PDF-1.7\n2 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def upload(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


@pytest.fixture
def application_a(cast_a, scheme_a):
    with tenant_context(cast_a.tenant.id):
        return draft(cast_a, scheme_a)


@pytest.fixture
def evidence_a(cast_a, application_a):
    with tenant_context(cast_a.tenant.id):
        return services.evidence_add(
            **as_user(cast_a, cast_a.organisation_admin),
            application=application_a,
            uploaded_file=upload("plan.pdf"),
        )


def _files(cast, application):
    with tenant_context(cast.tenant.id):
        return list(
            EvidenceFile.objects.filter(application=application)
            .order_by("created_at")
            .values_list("file_name", "is_current")
        )


def test_an_applicant_adds_a_file_and_downloads_it(cast_a, scheme_a, application_a, login):
    client = login(cast_a.organisation_member)
    path = url(cast_a, "award_evidence_add", application_a.pk)
    page = client.get(path)
    assert page.status_code == 200 and "20 MB" in page.content.decode()
    response = client.post(
        path,
        {
            "file": upload("volunteering.pdf"),
            "criterion": str(scheme_a.social.pk),
            "description": "Volunteering log",
        },
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        added = EvidenceFile.objects.get(application=application_a)
    assert (added.file_name, added.criterion_id, added.description) == (
        "volunteering.pdf",
        scheme_a.social.pk,
        "Volunteering log",
    )
    detail = client.get(url(cast_a, "application_detail", application_a.pk)).content.decode()
    download_path = url(cast_a, "award_evidence_download", added.pk)
    assert download_path in detail and "Volunteering log" in detail
    download = client.get(download_path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"


def test_a_missing_file_is_asked_for(cast_a, application_a, login):
    response = login(cast_a.organisation_admin).post(
        url(cast_a, "award_evidence_add", application_a.pk), {"description": "x"}
    )
    assert response.status_code == 200
    assert "Choose a file." in response.content.decode()


def test_refused_files_get_clear_messages_and_nothing_uploaded_is_lost(
    cast_a, application_a, evidence_a, login, monkeypatch
):
    client = login(cast_a.organisation_admin)
    add = url(cast_a, "award_evidence_add", application_a.pk)
    renamed = client.post(add, {"file": upload("report.pdf", EXE)})
    assert renamed.status_code == 200
    text = renamed.content.decode()
    assert "There is a problem" in text
    assert "report.pdf is not a type we accept, judged from its content" in text
    empty = client.post(add, {"file": upload("blank.pdf", b"")})
    assert "blank.pdf is empty." in empty.content.decode()
    replace = url(cast_a, "award_evidence_replace", evidence_a.pk)
    refused_replacement = client.post(replace, {"file": upload("new.pdf", EXE)})
    assert "new.pdf is not a type we accept" in refused_replacement.content.decode()
    monkeypatch.setattr(evidence_module, "MAX_FILE_BYTES", len(PDF) - 1)
    big = client.post(add, {"file": upload("big.pdf")})
    assert "big.pdf is larger than" in big.content.decode()
    assert "choose a smaller file" in big.content.decode()
    too_big_replacement = client.post(replace, {"file": upload("big-v2.pdf")})
    assert "big-v2.pdf is larger than" in too_big_replacement.content.decode()
    assert _files(cast_a, application_a) == [("plan.pdf", True)]
    assert exists_private(evidence_a.storage_key)
    download = client.get(url(cast_a, "award_evidence_download", evidence_a.pk))
    assert b"".join(download.streaming_content) == PDF


def test_replacing_keeps_the_old_file_in_the_history(cast_a, application_a, evidence_a, login):
    client = login(cast_a.organisation_member)
    path = url(cast_a, "award_evidence_replace", evidence_a.pk)
    assert "stays in the application's history" in client.get(path).content.decode()
    response = client.post(path, {"file": upload("plan-v2.pdf", PDF_2)})
    assert response.status_code == 302
    assert _files(cast_a, application_a) == [("plan.pdf", False), ("plan-v2.pdf", True)]
    detail = client.get(url(cast_a, "application_detail", application_a.pk))
    assert [f.file_name for f in detail.context["current_files"]] == ["plan-v2.pdf"]
    assert [f.file_name for f in detail.context["past_files"]] == ["plan.pdf"]
    old = client.get(url(cast_a, "award_evidence_download", evidence_a.pk))
    assert b"".join(old.streaming_content) == PDF
    again = client.get(path)
    assert again.status_code == 302  # already replaced: back to the application


def test_removing_asks_first_and_keeps_the_file_in_the_history(
    cast_a, application_a, evidence_a, login
):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "award_evidence_remove", evidence_a.pk)
    page = client.get(path)
    assert "Remove plan.pdf?" in page.content.decode()
    assert _files(cast_a, application_a) == [("plan.pdf", True)]
    assert client.post(path).status_code == 302
    assert _files(cast_a, application_a) == [("plan.pdf", False)]
    assert exists_private(evidence_a.storage_key)


def test_evidence_cannot_change_once_submitted_or_by_others(
    cast_a, cast_b, application_a, evidence_a, login
):
    with tenant_context(cast_a.tenant.id):
        other_admin = other_organisation_admin(cast_a)
    pages = [
        url(cast_a, "award_evidence_add", application_a.pk),
        url(cast_a, "award_evidence_replace", evidence_a.pk),
        url(cast_a, "award_evidence_remove", evidence_a.pk),
    ]
    for path in pages:
        assert login(cast_a.tenant_admin).post(path, {"file": upload()}).status_code == 403
        assert login(other_admin).post(path, {"file": upload()}).status_code == 404
        assert login(cast_b.organisation_admin).post(path, {"file": upload()}).status_code == 403
    with tenant_context(cast_a.tenant.id):
        services.application_submit(
            **as_user(cast_a, cast_a.organisation_admin), application=application_a
        )
    client = login(cast_a.organisation_admin)
    for path in pages:
        response = client.post(path, {"file": upload("late.pdf")})
        assert response["Location"].startswith(url(cast_a, "application_detail", application_a.pk))
    assert _files(cast_a, application_a) == [("plan.pdf", True)]


def test_who_may_open_the_files(cast_a, cast_b, application_a, evidence_a, login):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        services.application_submit(**applicant, application=application_a)
        admin = as_user(cast_a, cast_a.tenant_admin)
        conflicted = person(cast_a, Role.ASSESSOR)
        undeclared = person(cast_a, Role.ASSESSOR)
        for assessor in (cast_a.assessor, conflicted, undeclared):
            assignment = services.assessor_assign(
                **admin, application=application_a, assessor=assessor
            )
            if assessor is not undeclared:
                services.conflict_declare(
                    **as_user(cast_a, assessor),
                    assignment=assignment,
                    conflicted=assessor is conflicted,
                    note="I chair their board." if assessor is conflicted else "",
                )
        other_admin = other_organisation_admin(cast_a)
        assert Application.objects.get(pk=application_a.pk).status == "in_assessment"
    download = url(cast_a, "award_evidence_download", evidence_a.pk)
    detail = url(cast_a, "application_detail", application_a.pk)
    for who in (cast_a.organisation_member, cast_a.tenant_admin, cast_a.assessor):
        assert login(who).get(download).status_code == 200
    for who in (conflicted, other_admin):
        assert login(who).get(download).status_code == 404
        assert login(who).get(detail).status_code == 404
    assert login(undeclared).get(download).status_code == 404
    assert login(cast_b.tenant_admin).get(download).status_code == 403
    assert login(cast_b.tenant_admin).get(detail).status_code == 403
    # The same file's address under tenant B's own programme finds nothing there either.
    elsewhere = reverse("award_evidence_download", args=[cast_b.tenant.slug, evidence_a.pk])
    assert login(cast_b.tenant_admin).get(elsewhere).status_code == 404
