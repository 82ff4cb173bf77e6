"""Row-level security on the anchors tables: under tenant A's context, none of tenant B's
anchor rows can be read, changed or deleted, by the ORM or raw SQL, and none can be written for
B. (tests/test_rls.py checks every tenant table has its policy; this checks the anchors ones
one by one.)"""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from anchors.models import MemberReturn, ReportingRound
from tenancy.context import tenant_context
from tests.anchors_builders import one_row_of_each_anchor_model
from tests.rls_checks import assert_every_model_is_tenant_owned_and_guarded

pytestmark = pytest.mark.django_db


def _anchor_models():
    return list(apps.get_app_config("anchors").get_models())


def test_every_anchor_model_is_tenant_owned_and_guarded():
    assert_every_model_is_tenant_owned_and_guarded("anchors", 13)


def test_under_tenant_a_none_of_tenant_bs_anchor_rows_are_seen_or_changed(cast_a, cast_b):
    with tenant_context(cast_b.tenant.id):
        b_rows = one_row_of_each_anchor_model(cast_b)
    assert set(b_rows) == set(_anchor_models())
    with tenant_context(cast_a.tenant.id):
        for model, row in b_rows.items():
            assert row is not None, model
            assert not model.objects.filter(pk=row.pk).exists(), model
            assert not model.objects.filter(tenant_id=cast_b.tenant.id).exists(), model
            assert model.objects.filter(pk=row.pk).update(updated_at=row.updated_at) == 0
        with connection.cursor() as cursor:
            for model in _anchor_models():
                table = model._meta.db_table
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - model tables
                assert cursor.fetchone()[0] == 0, table
            cursor.execute(
                "UPDATE anchors_memberreturn SET status = 'draft' WHERE id = %s",
                [b_rows[MemberReturn].pk],
            )
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM anchors_returnfigure")
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                ReportingRound.objects.create(
                    tenant=cast_b.tenant,
                    charter_id=b_rows[ReportingRound].charter_id,
                    name="Sneaky",
                    period_start="2024-04-01",
                    period_end="2024-09-30",
                    opens_on="2024-10-01",
                    due_on="2024-11-01",
                )
    with tenant_context(cast_b.tenant.id):
        for model, row in b_rows.items():
            assert model.objects.filter(pk=row.pk).exists(), model
        assert MemberReturn.objects.get(pk=b_rows[MemberReturn].pk).status == "accepted"
