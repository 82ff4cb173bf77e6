"""Row-level security on the reporting tables: under tenant A's context none of tenant B's
reports, versions, schedules or settings can be read, changed or written."""

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from reporting.models import Report
from tenancy.context import tenant_context
from tests.reporting_rows import one_row_of_each_reporting_model
from tests.rls_checks import assert_every_model_is_tenant_owned_and_guarded

pytestmark = pytest.mark.django_db


def test_every_reporting_model_is_tenant_owned_and_guarded():
    assert_every_model_is_tenant_owned_and_guarded("reporting", 4)


def test_under_tenant_a_none_of_tenant_bs_reporting_rows_are_seen_or_changed(cast_a, cast_b):
    with tenant_context(cast_b.tenant.id):
        b_rows = one_row_of_each_reporting_model(cast_b)
    with tenant_context(cast_a.tenant.id):
        for model, row in b_rows.items():
            assert not model.objects.filter(pk=row.pk).exists(), model
            assert model.objects.filter(pk=row.pk).update(updated_at=row.updated_at) == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM reporting_reportversion")
            assert cursor.fetchone()[0] == 0
            cursor.execute("DELETE FROM reporting_report")
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                Report.objects.create(
                    tenant=cast_b.tenant,
                    kind="system",
                    title="Sneaky",
                    period_end=date(2022, 9, 30),
                    data_freeze_date=date(2022, 10, 7),
                )
    with tenant_context(cast_b.tenant.id):
        for model, row in b_rows.items():
            assert model.objects.filter(pk=row.pk).exists(), model


def test_a_task_given_another_tenants_version_finds_nothing_and_writes_nothing(cast_a, cast_b):
    from reporting import tasks
    from reporting.models import ReportVersion
    from uploads import storage

    with tenant_context(cast_b.tenant.id):
        version = one_row_of_each_reporting_model(cast_b)[ReportVersion]
        ReportVersion.objects.filter(pk=version.pk).update(status="queued")
    # Tenant A's id with tenant B's version: the row is invisible under A's context.
    assert (
        tasks.report_version_produce(tenant_id=cast_a.tenant.id, version_id=version.pk) == "missing"
    )
    assert not storage.private_path(tasks.pdf_key(version)).exists()
    with tenant_context(cast_b.tenant.id):
        assert ReportVersion.objects.get(pk=version.pk).status == "queued"


def test_changes_to_a_report_are_audited_with_who_and_what(cast_a):
    from reporting import services
    from tenancy.models import AuditEvent
    from tenancy.permissions import tenant_access_for

    admin = cast_a.tenant_admin
    with tenant_context(cast_a.tenant.id):
        access = tenant_access_for(user=admin, tenant=cast_a.tenant)
        report = services.report_create(
            tenant=cast_a.tenant, actor=admin, access=access, kind="system"
        )
        services.report_update(
            tenant=cast_a.tenant,
            actor=admin,
            access=access,
            report=report,
            executive_summary="Signatories rose by a third.",
        )
        event = AuditEvent.objects.get(verb="report.updated", object_id=str(report.pk))
        assert event.actor == admin
        assert event.changes == {"executive_summary": ["", "Signatories rose by a third."]}
