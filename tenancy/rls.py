"""The row-level security machinery: a migration operation and the per-transaction settings.

Every tenant-owned table gets, in the same migration that creates it:

    ENABLE and FORCE ROW LEVEL SECURITY
    policy tenant_isolation: rows whose tenant_id equals the `app.tenant_id` setting, for
        reading and for writing (USING and WITH CHECK)
    policy platform_read: SELECT only, while `app.platform_read` is 'on' (tenancy/platform.py)

The settings are transaction-local (`set_config(..., true)`), so a pooled connection never
carries a tenant from one request or task to the next. With no tenant set, the tenant tables
show no rows and refuse writes.
"""

from django.db import migrations

CURRENT_TENANT_SQL = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
CURRENT_USER_SQL = "(SELECT NULLIF(current_setting('app.user_id', true), '')::bigint)"
PLATFORM_READ_SQL = "((SELECT current_setting('app.platform_read', true)) = 'on')"


def enable_rls_sql(table: str, *, own_rows_column: str | None = None) -> list[str]:
    statements = [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY tenant_isolation ON "{table}" '
        f"USING (tenant_id = {CURRENT_TENANT_SQL}) WITH CHECK (tenant_id = {CURRENT_TENANT_SQL})",
        f'CREATE POLICY platform_read ON "{table}" FOR SELECT USING {PLATFORM_READ_SQL}',
    ]
    if own_rows_column:
        # A person may read their own rows across tenants (their memberships, for the tenant
        # switcher and sign-in rules), never write them outside the tenant.
        statements.append(
            f'CREATE POLICY own_rows ON "{table}" FOR SELECT '
            f'USING ("{own_rows_column}" = {CURRENT_USER_SQL})'
        )
    return statements


def disable_rls_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS own_rows ON "{table}"',
        f'DROP POLICY IF EXISTS platform_read ON "{table}"',
        f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class EnableRowLevelSecurity(migrations.operations.base.Operation):
    """Migration operation: `EnableRowLevelSecurity("membership")` after the model is created."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, own_rows_column: str | None = None):
        self.model_name = model_name
        self.own_rows_column = own_rows_column

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in enable_rls_sql(
            self._table(app_label, to_state), own_rows_column=self.own_rows_column
        ):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in disable_rls_sql(self._table(app_label, from_state)):
            schema_editor.execute(statement)

    def describe(self):
        return f"Enable row-level security on {self.model_name}"

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.own_rows_column:
            kwargs["own_rows_column"] = self.own_rows_column
        return self.__class__.__qualname__, [], kwargs
