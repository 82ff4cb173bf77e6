"""Evidence files on figures: adding (type judged from content, size caps per file and per
figure), downloading (permission checked again, attachment, nosniff), removing from drafts only,
the audit trail, and who is refused: other organisations' staff, outsiders and tenant B."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvi import evidence, services
from kvi.models import Measurement, MeasurementEvidence, MeasurementStatus
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.test_kvi_pages import KviData, _access, other_organisation_member, url
from uploads.storage import exists_private

pytestmark = pytest.mark.django_db
D = Decimal
MS = MeasurementStatus
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="rota.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def data_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return KviData(cast_a)


def _draft(data, value="58", period=date(2022, 4, 1)):
    with tenant_context(data.cast.tenant.id):
        return data.record("CRISIS", period, value=D(value), submit=False)


def _add(cast, who, measurement, upload):
    with tenant_context(cast.tenant.id):
        return evidence.measurement_evidence_add(
            tenant=cast.tenant,
            actor=who,
            access=_access(cast, who),
            measurement=measurement,
            uploaded_file=upload,
        )


# --- The service -----------------------------------------------------------------------------


def test_a_member_adds_evidence_stored_privately_and_audited(data_a):
    cast = data_a.cast
    measurement = _draft(data_a)
    added = _add(cast, cast.organisation_member, measurement, pdf())
    assert (added.file_name, added.content_type, added.size) == (
        "rota.pdf",
        "application/pdf",
        len(PDF),
    )
    assert added.storage_key.startswith(f"{cast.tenant.id}/kvi-evidence/")
    assert exists_private(added.storage_key)
    with tenant_context(cast.tenant.id):
        event = AuditEvent.objects.get(verb="measurement.evidence_added")
    assert event.object_id == str(measurement.pk)
    assert event.changes["file_name"] == "rota.pdf" and event.actor == cast.organisation_member


def test_files_are_judged_from_their_content_and_size(data_a, monkeypatch):
    cast = data_a.cast
    measurement = _draft(data_a)
    member = cast.organisation_member
    with pytest.raises(ValidationError) as error:
        _add(cast, member, measurement, pdf("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100))
    assert "report.pdf is not a type we accept" in error.value.message_dict["file"][0]
    # A PNG named .pdf is still a PNG: accepted as what it is.
    added = _add(cast, member, measurement, pdf("photo.pdf", PNG))
    assert added.content_type == "image/png"
    too_big = pdf("big.pdf", PDF + b"0" * (evidence.MAX_FILE_BYTES - len(PDF) + 1))
    with pytest.raises(ValidationError) as error:
        _add(cast, member, measurement, too_big)
    assert error.value.message_dict["file"] == [
        "big.pdf is larger than 10 MB: choose a smaller file."
    ]
    with pytest.raises(ValidationError) as error:
        _add(cast, member, measurement, pdf("empty.pdf", b""))
    assert error.value.message_dict["file"] == ["empty.pdf is empty."]
    # 50 MB per figure (a smaller cap here, the same rule).
    monkeypatch.setattr(evidence, "MAX_MEASUREMENT_BYTES", len(PNG) + len(PDF) + 10)
    _add(cast, member, measurement, pdf())
    with pytest.raises(ValidationError) as error:
        _add(cast, member, measurement, pdf("more.pdf"))
    assert "would take this figure's evidence over" in error.value.message_dict["file"][0]
    with tenant_context(cast.tenant.id):
        assert MeasurementEvidence.objects.count() == 2


def test_who_may_add_evidence(data_a, cast_b):
    cast = data_a.cast
    measurement = _draft(data_a)
    for who in (
        cast.board_reporter,
        cast.tenant_admin,
        cast.assessor,
        other_organisation_member(cast),
    ):
        with pytest.raises(PermissionDenied):
            _add(cast, who, measurement, pdf())
    # Tenant B's admin, in tenant B's context, cannot reach tenant A's figure.
    with tenant_context(cast_b.tenant.id), pytest.raises(ValidationError):
        evidence.measurement_evidence_add(
            tenant=cast_b.tenant,
            actor=cast_b.organisation_admin,
            access=_access(cast_b, cast_b.organisation_admin),
            measurement=measurement,
            uploaded_file=pdf(),
        )
    with tenant_context(cast.tenant.id):
        assert not MeasurementEvidence.objects.exists()


def test_evidence_is_removed_from_drafts_only(data_a, django_capture_on_commit_callbacks):
    cast = data_a.cast
    member = cast.organisation_member
    measurement = _draft(data_a)
    added = _add(cast, member, measurement, pdf())
    kept = _add(cast, member, measurement, pdf("kept.pdf"))
    with tenant_context(cast.tenant.id), django_capture_on_commit_callbacks(execute=True):
        evidence.measurement_evidence_remove(
            tenant=cast.tenant, actor=member, access=_access(cast, member), evidence=added
        )
    assert not exists_private(added.storage_key)
    with tenant_context(cast.tenant.id):
        assert list(MeasurementEvidence.objects.values_list("file_name", flat=True)) == ["kept.pdf"]
        assert AuditEvent.objects.filter(verb="measurement.evidence_removed").count() == 1
        # Once the figure is submitted, its evidence stays.
        services.measurement_submit(
            tenant=cast.tenant, actor=member, access=_access(cast, member), measurement=measurement
        )
        with pytest.raises(ValidationError, match="its evidence stays"):
            evidence.measurement_evidence_remove(
                tenant=cast.tenant, actor=member, access=_access(cast, member), evidence=kept
            )
        assert MeasurementEvidence.objects.count() == 1
    assert exists_private(kept.storage_key)


# --- The pages -------------------------------------------------------------------------------


def test_a_figure_is_entered_with_its_evidence_and_a_refused_file_saves_nothing(data_a, login):
    cast = data_a.cast
    kvi = data_a.kvis["CRISIS"]
    client = login(cast.organisation_member)
    path = url(cast, "measurement_enter", kvi.pk)
    bad = SimpleUploadedFile("rota.pdf", b"MZ\x90\x00" + b"\x00" * 50)
    response = client.post(
        path, {"period": "2024-04-01", "value": "58", "action": "submit", "file": bad}
    )
    assert response.status_code == 200
    assert "rota.pdf is not a type we accept" in response.context["form"].errors["file"][0]
    assert response.context["form"]["value"].value() == "58"  # what was typed is kept
    with tenant_context(cast.tenant.id):
        assert not Measurement.objects.exists()
        assert not AuditEvent.objects.filter(verb__startswith="measurement.").exists()
    response = client.post(
        path, {"period": "2024-04-01", "value": "58", "action": "submit", "file": pdf()}
    )
    assert response.status_code == 302
    with tenant_context(cast.tenant.id):
        measurement = Measurement.objects.get()
        assert measurement.status == MS.SUBMITTED
        assert measurement.evidence.get().file_name == "rota.pdf"
    page = client.get(url(cast, "measurement_detail", measurement.pk)).content.decode()
    assert "rota.pdf" in page
    # Submitted: the file can no longer be removed.
    assert "Remove" not in page


def test_evidence_page_adds_a_file_and_explains_refusals(data_a, login):
    cast = data_a.cast
    measurement = _draft(data_a)
    client = login(cast.organisation_member)
    path = url(cast, "evidence_add", measurement.pk)
    assert client.get(path).status_code == 200
    response = client.post(path, {})
    assert response.context["form"].errors["file"] == ["Choose a file."]
    response = client.post(path, {"file": pdf("notes.pdf", b"\x00\x01\x02binary")})
    assert "notes.pdf is not a type we accept" in response.content.decode()
    response = client.post(path, {"file": pdf()})
    assert response["Location"] == url(cast, "measurement_detail", measurement.pk)
    assert login(cast.board_reporter).get(path).status_code == 404  # a draft: not theirs to see


def test_download_rechecks_permission(data_a, cast_b, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        measurement = data_a.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
    added = _add(cast, cast.organisation_member, measurement, pdf())
    path = url(cast, "evidence_download", added.pk)
    for who in (cast.organisation_member, cast.organisation_admin, cast.board_reporter):
        response = login(who).get(path)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="rota.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
    assert login(other_organisation_member(cast)).get(path).status_code == 404
    assert login(cast.outsider).get(path).status_code == 403
    assert login(cast_b.tenant_admin).get(path).status_code == 403
    path_b = reverse("evidence_download", args=[cast_b.tenant.slug, added.pk])
    assert login(cast_b.tenant_admin).get(path_b).status_code == 404
    assert login(cast_b.organisation_member).get(path_b).status_code == 404


def test_evidence_of_a_draft_is_hidden_from_the_programme_team(data_a, login):
    cast = data_a.cast
    added = _add(cast, cast.organisation_member, _draft(data_a), pdf())
    assert (
        login(cast.board_reporter).get(url(cast, "evidence_download", added.pk)).status_code == 404
    )
    assert (
        login(cast.organisation_member).get(url(cast, "evidence_download", added.pk)).status_code
        == 200
    )


def test_remove_page_confirms_then_removes_and_refuses_others(
    data_a, cast_b, login, django_capture_on_commit_callbacks
):
    cast = data_a.cast
    measurement = _draft(data_a)
    added = _add(cast, cast.organisation_member, measurement, pdf())
    path = url(cast, "evidence_remove", added.pk)
    assert login(other_organisation_member(cast)).post(path).status_code == 404
    assert login(cast_b.organisation_admin).post(path).status_code == 403
    assert login(cast.outsider).post(path).status_code == 403
    client = login(cast.organisation_member)
    page = client.get(path)
    assert "Remove rota.pdf?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response["Location"] == url(cast, "measurement_detail", measurement.pk)
    assert not exists_private(added.storage_key)
    with tenant_context(cast.tenant.id):
        assert not MeasurementEvidence.objects.exists()


def test_remove_page_says_why_a_submitted_figures_file_stays(data_a, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        measurement = data_a.record("CRISIS", date(2022, 4, 1), value=D("58"))
    added = _add(cast, cast.organisation_member, measurement, pdf())
    client = login(cast.organisation_admin)
    page = client.get(url(cast, "evidence_remove", added.pk)).content.decode()
    assert "The figure is validated, so its evidence stays" in page
    assert "Remove the file" not in page
    response = client.post(url(cast, "evidence_remove", added.pk), follow=True)
    assert "its evidence stays" in response.content.decode()
    with tenant_context(cast.tenant.id):
        assert MeasurementEvidence.objects.count() == 1
    assert (
        login(cast.board_reporter).post(url(cast, "evidence_remove", added.pk)).status_code == 403
    )


def test_figure_page_takes_a_fixed_number_of_queries(data_a, login, django_assert_max_num_queries):
    cast = data_a.cast
    measurement = _draft(data_a)
    _add(cast, cast.organisation_member, measurement, pdf())
    client = login(cast.organisation_member)
    path = url(cast, "measurement_detail", measurement.pk)
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get(path).context["evidence_files"]) == 1
    with tenant_context(cast.tenant.id):
        services.measurement_submit(
            tenant=cast.tenant,
            actor=cast.organisation_member,
            access=_access(cast, cast.organisation_member),
            measurement=measurement,
        )
    for n in range(6):
        _add(cast, cast.organisation_admin, measurement, pdf(f"more-{n}.pdf"))
        with tenant_context(cast.tenant.id):
            measurement.refresh_from_db()
            services.measurement_correct(
                tenant=cast.tenant,
                actor=cast.organisation_admin,
                access=_access(cast, cast.organisation_admin),
                measurement=measurement,
                value=D(60 + n),
                reason=f"Recount {n}",
            )
    with django_assert_max_num_queries(len(queries)):
        response = client.get(path)
    assert len(response.context["evidence_files"]) == 7
    assert len(response.context["revisions"]) == 6
