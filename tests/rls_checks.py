"""What the per-app row-level security tests share: every model of an app is tenant-owned and
its table has row-level security forced with the one `tenant_isolation` policy."""

from django.apps import apps
from django.db import connection

from tenancy.models import TenantOwnedModel


def assert_every_model_is_tenant_owned_and_guarded(app_label: str, count: int) -> None:
    models = list(apps.get_app_config(app_label).get_models())
    assert len(models) == count
    with connection.cursor() as cursor:
        for model in models:
            assert issubclass(model, TenantOwnedModel), model
            table = model._meta.db_table
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass",
                [table],
            )
            assert cursor.fetchone() == (True, True), table
            cursor.execute(
                "SELECT count(*) FROM pg_policies WHERE tablename = %s "
                "AND policyname = 'tenant_isolation'",
                [table],
            )
            assert cursor.fetchone()[0] == 1, table
