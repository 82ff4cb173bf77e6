"""Schemathesis against the live OpenAPI schema: every documented operation, many generated
inputs, no 5xx, and every response matching the schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from api.scopes import Scope
from charters import services as charter_services
from tenancy.context import tenant_context
from tenancy.permissions import tenant_access_for
from tests import factories


@pytest.fixture
def keep_test_connection():
    """Django's WSGI handler closes the database connection after each request; the test's
    transaction lives on that connection, so (like Django's test client) keep it open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, cast_a, issue_key, settings, keep_test_connection):
    settings.API_THROTTLE_RATES = {name: "100000/minute" for name in settings.API_THROTTLE_RATES}
    with tenant_context(cast_a.tenant.id):
        for _ in range(3):
            factories.ParticipationFactory(tenant=cast_a.tenant)
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        signatory = charter_services.charter_sign(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=tenant_access_for(user=cast_a.organisation_admin, tenant=cast_a.tenant),
            version=charter.versions.get(),
            organisation=cast_a.organisation,
            data=factories.signing_input("Pay the real living wage"),
        )
        charter_services.signatory_decide(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant),
            signatory=signatory,
            decision="approve",
        )
    key = issue_key(cast_a, scopes=[scope.value for scope in Scope])
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    schema.config.update(
        headers={"Authorization": f"Bearer {key}"},
        # Real ids, so the generated calls reach real rows as well as made-up ones.
        parameters={"path.tenant_slug": cast_a.tenant.slug, "path.charter_slug": charter.slug},
    )
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=60,
    derandomize=True,  # the same inputs on every run, so CI is repeatable
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_conforms_to_the_schema(case):
    case.call_and_validate()
