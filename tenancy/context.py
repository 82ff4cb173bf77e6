"""Setting the current tenant (and person) for the database, inside a transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from django.db import connection, transaction


def _set(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _get(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [name])
        return cursor.fetchone()[0]


def current_tenant_id() -> str:
    """The tenant id the database will filter on now ('' when none)."""
    return _get("app.tenant_id")


@contextmanager
def tenant_context(tenant_id: UUID | str | None, *, user_id: int | None = None) -> Iterator[None]:
    """Run the block in a transaction whose row-level security context is this tenant.

    Nested use is fine: the previous context comes back when the block ends. On an exception, or
    when the block is marked for rollback, the transaction (or savepoint) rolls back and
    PostgreSQL reverts the settings with it.
    """
    with transaction.atomic():
        previous = (_get("app.tenant_id"), _get("app.user_id"))
        _set("app.tenant_id", str(tenant_id) if tenant_id else "")
        _set("app.user_id", str(user_id) if user_id else "")
        yield
        if not transaction.get_connection().needs_rollback:
            # (When the block is being rolled back, PostgreSQL restores the settings itself.)
            _set("app.tenant_id", previous[0])
            _set("app.user_id", previous[1])
