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
