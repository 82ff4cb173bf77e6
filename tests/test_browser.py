"""Journeys in a real browser: Playwright driving Debian's Chromium against a live server."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tenancy.context import tenant_context
from tenancy.models import Role
from tests import factories
from tests.browser import BROWSER_TESTS

pytestmark = BROWSER_TESTS


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.django_db(transaction=True)
def test_tenant_admin_signs_in_with_a_totp_code_and_reaches_the_tenant_home(live_server, page):
    tenant = factories.TenantFactory(
        name="Cheshire and Merseyside Health and Care Partnership", slug="cheshire-and-merseyside"
    )
    admin = factories.UserFactory(email="tess.admin@example.org")
    factories.give_totp(admin)
    with tenant_context(tenant.id):
        factories.MembershipFactory(tenant=tenant, user=admin, role=Role.TENANT_ADMIN)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("tess.admin@example.org")
    page.get_by_label("Password").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Second step: the authenticator code.
    page.get_by_label("Code", exact=True).fill(_current_code(factories.TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name=tenant.name).first.click()
    assert page.url == f"{live_server.url}/t/cheshire-and-merseyside/"
    assert page.get_by_role("heading", level=1).inner_text() == tenant.name


@pytest.mark.django_db(transaction=True)
def test_a_wrong_totp_code_is_refused_with_an_error_summary(live_server, page):
    admin = factories.UserFactory(email="wrong.code@example.org")
    factories.give_totp(admin)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("wrong.code@example.org")
    page.get_by_label("Password").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("There is a problem").is_visible()
    assert "/accounts/2fa/authenticate/" in page.url
