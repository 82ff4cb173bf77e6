"""Test set-up: PostgreSQL as the application role, and a cast per tenant.

pytest-django creates and migrates the test database as the owner role (row-level security lives
in the migrations); the tests themselves then connect as the application role, which is subject
to row-level security, exactly like the web and the workers.
"""

import os
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql

from config.celery import app as celery_app
from organisations.models import Organisation
from tenancy.context import tenant_context
from tenancy.models import Role, Tenant
from tests import factories

# The `browser` fixture for the Playwright tests.
pytest_plugins = ["tests.browser"]


def _switch_default_connection(credentials: dict) -> None:
    connection = connections["default"]
    connection.close()
    connection.settings_dict["USER"] = credentials["USER"]
    connection.settings_dict["PASSWORD"] = credentials.get("PASSWORD", "")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    _switch_default_connection(settings.OWNER_DATABASE)
    # A test database of this run's own, so two runs on one server never collide.
    test_settings = connections["default"].settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = f"test_{connections['default'].settings_dict['NAME']}_{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_app_role", stdout=open("/dev/null", "w"))
        # Test database only: transactional tests (the browser tests) empty the tables with
        # TRUNCATE between tests, which the application role is otherwise never granted.
        with connections["default"].cursor() as cursor:
            cursor.execute(
                sql.SQL("GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}")
                .format(sql.Identifier(settings.APP_DATABASE["USER"]))
                .as_string(cursor.connection)
            )
    _switch_default_connection(settings.APP_DATABASE)
    yield
    # Back to the owner so pytest-django can drop the test database.
    _switch_default_connection(settings.OWNER_DATABASE)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Tasks run in the test's process and transaction (no worker needed); the health test
    # starts a real worker against the real Redis.
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test its own cache namespace in the real Redis (throttle counters, used TOTP codes),
    # without flushing anything another process uses.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Cast:
    """One tenant and a person in each role, plus an outsider with no role."""

    tenant: Tenant
    organisation: Organisation
    other_organisation: Organisation
    tenant_admin: Any  # the project's user model
    assessor: Any
    board_reporter: Any
    organisation_admin: Any
    organisation_member: Any
    outsider: Any


def _build_cast(name: str) -> Cast:
    tenant = factories.TenantFactory(name=f"{name} partnership")
    with tenant_context(tenant.id):
        organisation = factories.ParticipationFactory(tenant=tenant).organisation
        other = factories.ParticipationFactory(tenant=tenant).organisation

        def person(role, organisation=None):
            user = factories.UserFactory()
            factories.MembershipFactory(
                tenant=tenant, user=user, role=role, organisation=organisation
            )
            return user

        return Cast(
            tenant=tenant,
            organisation=organisation,
            other_organisation=other,
            tenant_admin=person(Role.TENANT_ADMIN),
            assessor=person(Role.ASSESSOR),
            board_reporter=person(Role.BOARD_REPORTER),
            organisation_admin=person(Role.ORGANISATION_ADMIN, organisation),
            organisation_member=person(Role.ORGANISATION_MEMBER, organisation),
            outsider=factories.UserFactory(),
        )


@pytest.fixture
def cast_a(db) -> Cast:
    return _build_cast("Alpha")


@pytest.fixture
def cast_b(db) -> Cast:
    return _build_cast("Bravo")


@pytest.fixture
def issue_key(db):
    """Create a partner API key for a cast's tenant; returns the secret key string."""

    def _issue(cast, scopes=("organisations:read",), **options) -> str:
        from api.services import api_key_create
        from tenancy.permissions import tenant_access_for

        with tenant_context(cast.tenant.id):
            access = tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant)
            issued = api_key_create(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=access,
                partner_name=options.pop("partner_name", "Council analytics"),
                scopes=list(scopes),
                expires_at=options.pop("expires_at", None),
                **options,
            )
        return issued.secret_key

    return _issue


@pytest.fixture
def login(client):
    """Sign a person in by session (the sign-in itself is tested elsewhere); two-factor set-up
    is done for them so the MFA rule does not redirect."""

    def _login(user, *, with_totp: bool = True):
        if with_totp:
            factories.give_totp(user)
        client.force_login(user)
        return client

    return _login
