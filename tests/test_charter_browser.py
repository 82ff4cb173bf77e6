"""The charter journey in a real browser: a tenant admin publishes a charter, an organisation
admin signs it with three pledges, the tenant admin approves, and the public register (signed
out) shows the organisation with the count up by one. People sign in by session cookie (the
sign-in itself is tested in test_browser.py)."""

from datetime import date

import pytest
from django.test import Client

from charters import services
from charters.models import CharterVersion, Signatory, SignatoryStatus, VersionStatus
from charters.services import Decision, PledgeInput, SigningInput
from organisations.models import OrganisationType, SizeBand
from tenancy.context import tenant_context
from tenancy.models import Role
from tenancy.permissions import TenantAccess, tenant_access_for
from tests import factories
from tests.browser import BROWSER_TESTS

pytestmark = BROWSER_TESTS


def _page_signed_in_as(browser, live_server, user):
    """A browser page whose session cookie belongs to `user` (two-factor set up for them)."""
    factories.give_totp(user)
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _signed_out_page(browser):
    return browser.new_context().new_page()


def _setup():
    """A programme with a draft charter (text and principles written), its tenant admin, and
    an organisation with its organisation admin."""
    tenant = factories.TenantFactory(
        name="Cheshire and Merseyside Health and Care Partnership", slug="cheshire-and-merseyside"
    )
    admin = factories.UserFactory(email="tess.admin@example.org")
    signer = factories.UserFactory(email="orla.admin@example.org")
    wirral = factories.OrganisationFactory(
        name="Wirral Community Health and Care NHS Foundation Trust",
        organisation_type=OrganisationType.NHS_TRUST,
        size_band=SizeBand.LARGE,
        registered_postcode="CH41 7ED",
        ods_code="RY7",
    )
    with tenant_context(tenant.id):
        factories.MembershipFactory(tenant=tenant, user=admin, role=Role.TENANT_ADMIN)
        factories.ParticipationFactory(tenant=tenant, organisation=wirral)
        factories.MembershipFactory(
            tenant=tenant, user=signer, role=Role.ORGANISATION_ADMIN, organisation=wirral
        )
        access = tenant_access_for(user=admin, tenant=tenant)
        charter = services.charter_create(
            tenant=tenant, actor=admin, access=access, title="Social Value Charter"
        )
        version = charter.versions.get()
        services.charter_version_update(
            tenant=tenant,
            actor=admin,
            access=access,
            version=version,
            definition="The economic, social and environmental good we do for our places.",
            ambition_social="Reduce health inequalities.",
        )
        for title in ("Pay the real living wage", "Buy local first"):
            services.principle_save(
                tenant=tenant, actor=admin, access=access, version=version, title=title
            )
    return tenant, admin, signer, wirral, charter


def _sign_and_approve_another(tenant, admin, charter):
    """One organisation already on the register before the journey's signature."""
    halton = factories.OrganisationFactory(
        name="Halton Borough Council", organisation_type=OrganisationType.LOCAL_AUTHORITY
    )
    with tenant_context(tenant.id):
        factories.ParticipationFactory(tenant=tenant, organisation=halton)
        signatory = services.charter_sign(
            tenant=tenant,
            actor=admin,
            access=TenantAccess(
                tenant_id=tenant.id,
                organisation_roles={halton.id: frozenset({Role.ORGANISATION_ADMIN})},
            ),
            version=charter.versions.get(status=VersionStatus.PUBLISHED),
            organisation=halton,
            data=SigningInput(
                signers=[{"name": "Stephen Young", "role": "Chief Executive"}],
                signed_on=date(2022, 9, 1),
                pledges=[PledgeInput(text="Buy from Halton firms.", theme_code="economic")],
            ),
        )
        services.signatory_decide(
            tenant=tenant,
            actor=admin,
            access=tenant_access_for(user=admin, tenant=tenant),
            signatory=signatory,
            decision=Decision.APPROVE,
        )


@pytest.mark.django_db(transaction=True)
def test_publish_sign_approve_and_the_public_register_counts_one_more(live_server, browser):
    tenant, admin, signer, wirral, charter = _setup()
    base = f"{live_server.url}/t/{tenant.slug}"
    public_register = f"{base}/public/charters/{charter.slug}/register/"

    # 1. The tenant admin publishes version 1: draft -> endorsed (body and date) -> published.
    admin_page = _page_signed_in_as(browser, live_server, admin)
    admin_page.goto(f"{base}/charters/{charter.slug}/versions/1/move/")
    admin_page.get_by_label("Endorsed", exact=True).check()
    admin_page.get_by_label("Endorsing body").fill(
        "Cheshire and Merseyside Integrated Care Partnership"
    )
    admin_page.get_by_label("Date endorsed").fill("12/7/2022")
    admin_page.get_by_role("button", name="Move version 1").click()
    assert admin_page.get_by_text("Version 1 is now endorsed").is_visible()
    admin_page.goto(f"{base}/charters/{charter.slug}/versions/1/move/")
    admin_page.get_by_label("Published", exact=True).check()
    admin_page.get_by_role("button", name="Move version 1").click()
    assert admin_page.get_by_text("Version 1 is now published").is_visible()
    with tenant_context(tenant.id):
        version = CharterVersion.objects.get(charter=charter, number=1)
    assert version.status == VersionStatus.PUBLISHED
    assert version.endorsing_body == "Cheshire and Merseyside Integrated Care Partnership"
    assert version.endorsed_on == date(2022, 7, 12)

    _sign_and_approve_another(tenant, admin, charter)
    public = _signed_out_page(browser)
    public.goto(public_register)
    assert public.locator("#register-count").inner_text() == "1 organisation has signed"
    assert public.get_by_role("link", name=wirral.name).count() == 0

    # 2. The organisation admin signs with three pledges, checking the answers first.
    page = _page_signed_in_as(browser, live_server, signer)
    page.goto(f"{base}/charters/{charter.slug}/sign/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign Social Value Charter"
    person_1 = page.get_by_role("group", name="Person 1")
    person_1.get_by_label("Full name").fill("Sir David Henshaw")
    person_1.get_by_label("Role").fill("Chair")
    person_2 = page.get_by_role("group", name="Person 2")
    person_2.get_by_label("Full name").fill("Karen Howell")
    person_2.get_by_label("Role").fill("Chief Executive")
    page.get_by_label("Date signed").fill("01/09/2022")
    pledges = [
        (
            "Principle: Pay the real living wage",
            "Pay all staff at least the real living wage.",
            "100% of staff by April 2023",
        ),
        (
            "Principle: Buy local first",
            "Spend more with firms in Cheshire East, Knowsley, St Helens and Wirral.",
            "18% of supply-chain expenditure with local firms in 2022/23",
        ),
        ("Theme: Employment and volunteering", "Run NHS careers sessions with schools.", ""),
    ]
    for n, (heading, text, target) in enumerate(pledges, start=1):
        group = page.get_by_role("group", name=f"Pledge {n}")
        group.get_by_label("Principle or theme").select_option(label=heading)
        group.get_by_label("Pledge, in your own words").fill(text)
        if target:
            group.get_by_label("Measurable target").fill(target)
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers before sending"
    assert page.get_by_text("Sir David Henshaw, Chair").is_visible()
    assert page.get_by_text(
        "18% of supply-chain expenditure with local firms in 2022/23"
    ).is_visible()
    page.get_by_role("button", name="Sign and send for approval").click()
    assert page.get_by_text("sent for approval").is_visible()
    assert page.locator(".nhsuk-tag").first.inner_text() == "Waiting for approval"
    with tenant_context(tenant.id):
        signatory = Signatory.objects.get(organisation=wirral)
        assert signatory.status == SignatoryStatus.PENDING
        assert signatory.pledges.count() == 3

    # Waiting for approval: not on the register yet. (Each signed-out visit is a new browser:
    # the public pages may be cached for five minutes.)
    public = _signed_out_page(browser)
    public.goto(public_register)
    assert public.locator("#register-count").inner_text() == "1 organisation has signed"

    # 3. The tenant admin approves.
    admin_page.goto(f"{base}/charters/{charter.slug}/signatories/{signatory.id}/")
    admin_page.get_by_label("Approve", exact=True).check()
    admin_page.get_by_role("button", name="Send decision").click()
    with tenant_context(tenant.id):
        signatory.refresh_from_db()
    assert signatory.status == SignatoryStatus.SIGNED

    # 4. Signed out, the register counts one more and shows the organisation and its pledges.
    public = _signed_out_page(browser)
    public.goto(public_register)
    assert public.locator("#register-count").inner_text() == "2 organisations have signed"
    public.get_by_role("link", name=wirral.name).click()
    assert public.get_by_role("heading", level=1).inner_text() == wirral.name
    assert public.get_by_text("Run NHS careers sessions with schools.").is_visible()
    assert public.get_by_text("Sir David Henshaw, Chair").is_visible()
    public.goto(f"{base}/public/charters/{charter.slug}/")
    assert public.get_by_text("2 organisations have signed").is_visible()
