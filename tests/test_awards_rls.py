"""Row-level security on the awards tables: under tenant A's context, none of tenant B's award
rows can be read, changed or deleted, by the ORM or raw SQL, and none can be written for B."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from awards.models import Application, AwardScheme
from tenancy.context import tenant_context
from tests.awards_builders import one_row_of_each_award_model
from tests.rls_checks import assert_every_model_is_tenant_owned_and_guarded

pytestmark = pytest.mark.django_db


def _award_tables() -> list[str]:
    return [m._meta.db_table for m in apps.get_app_config("awards").get_models()]


def test_every_award_model_is_tenant_owned_and_guarded():
    assert_every_model_is_tenant_owned_and_guarded("awards", 19)


def test_under_tenant_a_none_of_tenant_bs_award_rows_are_seen_or_changed(cast_a, cast_b):
    with tenant_context(cast_b.tenant.id):
        b_rows = one_row_of_each_award_model(cast_b)
    assert set(b_rows) == set(apps.get_app_config("awards").get_models())
    with tenant_context(cast_a.tenant.id):
        for model, row in b_rows.items():
            assert row is not None, model
            assert not model.objects.filter(pk=row.pk).exists(), model
            assert not model.objects.filter(tenant_id=cast_b.tenant.id).exists(), model
            assert model.objects.filter(pk=row.pk).update(updated_at=row.updated_at) == 0
        with connection.cursor() as cursor:
            for table in _award_tables():
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - model tables
                assert cursor.fetchone()[0] == 0, table
            cursor.execute(
                "UPDATE awards_application SET status = 'withdrawn' WHERE id = %s",
                [b_rows[Application].pk],
            )
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM awards_award")
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                AwardScheme.objects.create(tenant=cast_b.tenant, slug="sneaky", name="Sneaky")
    with tenant_context(cast_b.tenant.id):
        for model, row in b_rows.items():
            assert model.objects.filter(pk=row.pk).exists(), model
        assert Application.objects.get(pk=b_rows[Application].pk).status == "awarded"
