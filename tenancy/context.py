"""Setting the current tenant (and person) for the database, inside a transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from django.db import connection, transaction


def set_settings(**values: str) -> None:
    """`set_settings(tenant_id="…")` sets `app.tenant_id` for this transaction only."""
    names = list(values)
    select = ", ".join("set_config(%s, %s, true)" for _ in names)
    params: list[str] = []
    for name in names:
        params += [f"app.{name}", values[name]]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}", params)  # noqa: S608 - placeholders only


def get_settings(*names: str) -> tuple[str, ...]:
    select = ", ".join("coalesce(current_setting(%s, true), '')" for _ in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}", [f"app.{name}" for name in names])  # noqa: S608
        return tuple(cursor.fetchone())


def current_tenant_id() -> str:
    """The tenant id the database will filter on now ('' when none)."""
    return get_settings("tenant_id")[0]


@contextmanager
def tenant_context(tenant_id: UUID | str | None, *, user_id: int | None = None) -> Iterator[None]:
    """Run the block in a transaction whose row-level security context is this tenant.

    Nested use is fine: the previous context comes back when the block ends. On an exception, or
    when the block is marked for rollback, the transaction (or savepoint) rolls back and
    PostgreSQL reverts the settings with it.
    """
    with transaction.atomic():
        previous_tenant, previous_user = get_settings("tenant_id", "user_id")
        set_settings(tenant_id=str(tenant_id or ""), user_id=str(user_id or ""))
        yield
        if not transaction.get_connection().needs_rollback:
            # (When the block is being rolled back, PostgreSQL restores the settings itself.)
            set_settings(tenant_id=previous_tenant, user_id=previous_user)
