"""Evidence files: stored privately with a checksum, judged from their content, capped per
file and per application with clear messages; replacing keeps the history; refused files
change nothing; and only those who may read the application may open its files."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from awards import selectors, services
from awards.models import EvidenceFile
from awards.services import evidence as evidence_module
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tests.awards_builders import (
    as_user,
    draft,
    open_scheme,
    other_organisation_admin,
    person,
    submitted,
)
from uploads.storage import exists_private, open_private

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def application_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        return draft(cast_a, scheme)


def _add(cast, user, application, file):
    return services.evidence_add(**as_user(cast, user), application=application, uploaded_file=file)


def test_a_file_is_stored_privately_with_its_checksum_and_audited(cast_a, application_a):
    with tenant_context(cast_a.tenant.id):
        evidence = _add(cast_a, cast_a.organisation_member, application_a, upload())
        assert (evidence.file_name, evidence.content_type, evidence.size) == (
            "plan.pdf",
            "application/pdf",
            len(PDF),
        )
        assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
        assert evidence.storage_key.startswith(f"{cast_a.tenant.id}/award-evidence/")
        with open_private(evidence.storage_key) as stored:
            assert stored.read() == PDF
        assert evidence.is_current and evidence.uploaded_by == cast_a.organisation_member
        audit = AuditEvent.objects.get(verb="award_application.evidence_added")
        assert audit.changes["sha256"] == evidence.sha256


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", EXE, "setup.pdf is not a type we accept, judged from its content"),
        ("empty.pdf", b"", "empty.pdf is empty."),
        ("photo.pdf", PNG + b"\x00" * 2000, "photo.pdf is larger than 1 KB"),
    ],
)
def test_refused_files_say_why_and_lose_nothing(
    cast_a, application_a, monkeypatch, name, content, message
):
    monkeypatch.setattr(evidence_module, "MAX_FILE_BYTES", 1024)
    with tenant_context(cast_a.tenant.id):
        kept = _add(cast_a, cast_a.organisation_admin, application_a, upload())
        with pytest.raises(ValidationError) as error:
            _add(cast_a, cast_a.organisation_admin, application_a, upload(name, content))
        assert message in error.value.message_dict["file"][0]
        with pytest.raises(ValidationError):
            services.evidence_replace(
                **as_user(cast_a, cast_a.organisation_admin),
                evidence=kept,
                uploaded_file=upload(name, content),
            )
        assert list(EvidenceFile.objects.all()) == [kept]
        kept.refresh_from_db()
        assert kept.is_current and exists_private(kept.storage_key)


def test_the_application_cap_counts_replaced_files_too(cast_a, application_a, monkeypatch):
    monkeypatch.setattr(evidence_module, "MAX_APPLICATION_BYTES", len(PDF) * 2 + 10)
    with tenant_context(cast_a.tenant.id):
        first = _add(cast_a, cast_a.organisation_admin, application_a, upload())
        services.evidence_replace(
            **as_user(cast_a, cast_a.organisation_admin),
            evidence=first,
            uploaded_file=upload("plan-v2.pdf"),
        )
        with pytest.raises(ValidationError) as error:
            _add(cast_a, cast_a.organisation_admin, application_a, upload("third.pdf"))
        assert "would take this application's files over" in error.value.message_dict["file"][0]
        assert "counting replaced files" in error.value.message_dict["file"][0]
        assert EvidenceFile.objects.count() == 2


def test_replacing_keeps_the_old_file_in_the_history(cast_a, application_a):
    with tenant_context(cast_a.tenant.id):
        applicant = as_user(cast_a, cast_a.organisation_admin)
        old = _add(cast_a, cast_a.organisation_admin, application_a, upload())
        new_content = PDF + b"% revised\n"
        new = services.evidence_replace(
            **applicant, evidence=old, uploaded_file=upload("plan-v2.pdf", new_content)
        )
        old.refresh_from_db()
        assert (old.is_current, new.is_current, new.replaces) == (False, True, old)
        assert exists_private(old.storage_key) and exists_private(new.storage_key)
        assert new.sha256 == hashlib.sha256(new_content).hexdigest() != old.sha256
        tenant = cast_a.tenant
        assert list(selectors.evidence_list(tenant=tenant, application=application_a)) == [new]
        assert list(
            selectors.evidence_list(tenant=tenant, application=application_a, history=True)
        ) == [old, new]
        with pytest.raises(ValidationError, match="already been replaced"):
            services.evidence_replace(**applicant, evidence=old, uploaded_file=upload())
        services.evidence_remove(**applicant, evidence=new)
        assert not selectors.evidence_list(tenant=tenant, application=application_a).exists()
        assert exists_private(new.storage_key)  # removed from the application, still kept


@pytest.mark.parametrize("who", ["assessor", "board_reporter", "tenant_admin", "outsider"])
def test_only_the_organisation_adds_files(cast_a, application_a, who):
    with tenant_context(cast_a.tenant.id):
        for user in (getattr(cast_a, who), other_organisation_admin(cast_a)):
            with pytest.raises(PermissionDenied):
                _add(cast_a, user, application_a, upload())
        assert not EvidenceFile.objects.exists()


def test_files_cannot_change_once_submitted(cast_a):
    with tenant_context(cast_a.tenant.id):
        application = submitted(cast_a, open_scheme(cast_a))
        with pytest.raises(ValidationError, match="submitted: its evidence cannot change"):
            _add(cast_a, cast_a.organisation_admin, application, upload())


def test_who_may_open_a_file(cast_a, cast_b, application_a):
    with tenant_context(cast_a.tenant.id):
        evidence = _add(cast_a, cast_a.organisation_admin, application_a, upload())
        services.application_submit(
            **as_user(cast_a, cast_a.organisation_admin), application=application_a
        )
        admin = as_user(cast_a, cast_a.tenant_admin)
        cleared, conflicted, undeclared, unassigned = (
            person(cast_a, Role.ASSESSOR) for _ in range(4)
        )
        for assessor in (cleared, conflicted, undeclared):
            services.assessor_assign(**admin, application=application_a, assessor=assessor)
        for assessor, conflict in ((cleared, False), (conflicted, True)):
            assignment = application_a.assignments.get(assessor=assessor)
            services.conflict_declare(
                **as_user(cast_a, assessor),
                assignment=assignment,
                conflicted=conflict,
                note="My sister is its finance director" if conflict else "",
            )

        def opens(user):
            return selectors.evidence_get_for_user(
                tenant=cast_a.tenant,
                access=as_user(cast_a, user)["access"],
                user=user,
                pk=evidence.pk,
            )

        for user in (
            cast_a.tenant_admin,
            cast_a.organisation_admin,
            cast_a.organisation_member,
            cleared,
        ):
            assert opens(user) == evidence, user
        for user in (
            conflicted,
            undeclared,
            unassigned,
            cast_a.board_reporter,
            cast_a.outsider,
            other_organisation_admin(cast_a),
        ):
            assert opens(user) is None, user
    with tenant_context(cast_b.tenant.id):
        for user in (cast_b.tenant_admin, cast_b.organisation_admin):
            assert (
                selectors.evidence_get_for_user(
                    tenant=cast_b.tenant,
                    access=as_user(cast_b, user)["access"],
                    user=user,
                    pk=evidence.pk,
                )
                is None
            )
