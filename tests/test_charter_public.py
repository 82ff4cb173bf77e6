"""The public charter pages: no sign-in, cacheable, searchable, and a fixed number of queries
whatever the number of signatories."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charters import services
from charters.models import Pledge, Signatory, SignatoryStatus, VersionStatus
from charters.services import Decision, PledgeInput, SigningInput
from organisations.models import Organisation, OrganisationType, Participation, SizeBand
from tenancy.context import tenant_context
from tenancy.models import Role
from tenancy.permissions import TenantAccess, tenant_access_for
from tests import factories
from tests.test_charter_signing import publish, publish_next_version

pytestmark = pytest.mark.django_db


def _base(cast, charter):
    return f"/t/{cast.tenant.slug}/public/charters/{charter.slug}/"


def _sign(cast, charter, organisation, *, signed_on, decision=Decision.APPROVE, tier=None):
    """Sign for `organisation` (as its admin would) and decide it as the tenant admin."""
    admin_of_it = TenantAccess(
        tenant_id=cast.tenant.id,
        organisation_roles={organisation.id: frozenset({Role.ORGANISATION_ADMIN})},
    )
    with tenant_context(cast.tenant.id):
        factories.ParticipationFactory(tenant=cast.tenant, organisation=organisation)
        version = charter.versions.get(status=VersionStatus.PUBLISHED)
        signatory = services.charter_sign(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=admin_of_it,
            version=version,
            organisation=organisation,
            data=SigningInput(
                signers=[{"name": "Jo Bloggs", "role": "Chief Executive"}],
                signed_on=signed_on,
                pledges=[
                    PledgeInput(
                        text=f"{organisation.name} pays the real living wage.",
                        principle_code="pay-the-real-living-wage",
                        target="100% of staff by 2024",
                    ),
                    PledgeInput(text="Plant trees.", theme_code="environmental"),
                ],
            ),
            tier=tier,
        )
        if decision:
            admin = tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant)
            services.signatory_decide(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=admin,
                signatory=signatory,
                decision=decision,
                reason="" if decision == Decision.APPROVE else "Not in our area.",
            )
        return signatory


@pytest.fixture
def register(cast_a):
    """A published charter with three signatories on the register and three that are not."""
    charter = publish(cast_a)
    orgs = {
        "wirral": factories.OrganisationFactory(
            name="Wirral Community Health and Care",
            organisation_type=OrganisationType.NHS_TRUST,
            size_band=SizeBand.LARGE,
            registered_postcode="CH41 7ED",
        ),
        "halton": factories.OrganisationFactory(
            name="Halton Borough Council",
            organisation_type=OrganisationType.LOCAL_AUTHORITY,
            size_band=SizeBand.LARGE,
            registered_postcode="WA8 7QF",
        ),
        "wellbeing": factories.OrganisationFactory(
            name="Wellbeing Enterprises",
            organisation_type=OrganisationType.VCSE,
            size_band=SizeBand.SMALL,
            registered_postcode="WA7 2AB",
        ),
        "pending": factories.OrganisationFactory(name="Pending Pharmacy"),
        "withdrawn": factories.OrganisationFactory(name="Withdrawn Works"),
        "rejected": factories.OrganisationFactory(name="Rejected Retail"),
    }
    _sign(cast_a, charter, orgs["wirral"], signed_on=date(2022, 9, 1))
    _sign(cast_a, charter, orgs["halton"], signed_on=date(2022, 7, 12))
    _sign(cast_a, charter, orgs["wellbeing"], signed_on=date(2023, 3, 1))
    _sign(cast_a, charter, orgs["pending"], signed_on=date(2023, 1, 1), decision=None)
    _sign(cast_a, charter, orgs["rejected"], signed_on=date(2023, 1, 1), decision=Decision.REJECT)
    withdrawn = _sign(cast_a, charter, orgs["withdrawn"], signed_on=date(2023, 1, 1))
    with tenant_context(cast_a.tenant.id):
        services.signatory_withdraw(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=TenantAccess(
                tenant_id=cast_a.tenant.id,
                organisation_roles={orgs["withdrawn"].id: frozenset({Role.ORGANISATION_ADMIN})},
            ),
            signatory=withdrawn,
            reason="Closing down.",
        )
    return charter, orgs


def _names(page: str, orgs) -> set[str]:
    return {key for key, organisation in orgs.items() if organisation.name in page}


def test_the_public_pages_work_signed_out_and_are_cacheable(cast_a, client, register):
    charter, orgs = register
    base = _base(cast_a, charter)
    for url in (
        f"/t/{cast_a.tenant.slug}/public/charters/",
        base,
        f"{base}versions/1/",
        f"{base}register/",
        f"{base}register/{orgs['wirral'].id}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert cache_control == {"public", "max-age=300"}, url


def test_the_charter_page_shows_the_text_the_endorsement_and_the_live_count(
    cast_a, client, register
):
    charter, orgs = register
    page = client.get(_base(cast_a, charter)).content.decode()
    assert charter.title in page
    assert "What social value means here" in page
    assert "The good we do for our places beyond our core service." in page
    assert "Pay the real living wage" in page and "Buy local first" in page
    assert "Health and wellbeing" in page  # the themes
    assert "Integrated Care Partnership" in page
    assert "3 organisations have signed" in page
    assert f'href="{_base(cast_a, charter)}register/"' in page
    listing = client.get(f"/t/{cast_a.tenant.slug}/public/charters/").content.decode()
    assert "3 organisations have signed" in listing


def test_the_register_lists_only_organisations_on_it(cast_a, client, register):
    charter, orgs = register
    page = client.get(f"{_base(cast_a, charter)}register/").content.decode()
    assert "3 organisations have signed" in page
    assert _names(page, orgs) == {"wirral", "halton", "wellbeing"}
    assert "NHS trust" in page and "Other public sector" in page and "CH41" in page
    for hidden in ("pending", "withdrawn", "rejected"):
        profile = client.get(f"{_base(cast_a, charter)}register/{orgs[hidden].id}/")
        assert profile.status_code == 404, hidden


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "wirral"}, {"wirral"}),
        ({"sector": "nhs"}, {"wirral"}),
        ({"sector": "voluntary"}, {"wellbeing"}),
        ({"organisation_type": "local_authority"}, {"halton"}),
        ({"size_band": "large"}, {"wirral", "halton"}),
        ({"place": "wa"}, {"halton", "wellbeing"}),
        ({"place": "WA8"}, {"halton"}),
        ({"signed_from": "01/08/2022"}, {"wirral", "wellbeing"}),
        ({"signed_to": "01/08/2022"}, {"halton"}),
        ({"signed_from": "01/08/2022", "signed_to": "31/12/2022"}, {"wirral"}),
        ({"size_band": "large", "place": "CH"}, {"wirral"}),
        ({"q": "nobody"}, set()),
    ],
)
def test_search_and_filters_narrow_the_register(cast_a, client, register, query, expected):
    charter, orgs = register
    response = client.get(f"{_base(cast_a, charter)}register/", query)
    assert response.status_code == 200
    page = response.content.decode()
    assert _names(page, orgs) == expected
    n = len(expected)
    assert (
        f"{n} of 3 organisations that have signed match{'es' if n == 1 else ''} your search" in page
    )
    if not expected:
        assert "No organisations match your search." in page


def test_a_wrong_filter_date_is_shown_and_ignored(cast_a, client, register):
    charter, orgs = register
    page = client.get(
        f"{_base(cast_a, charter)}register/", {"signed_from": "32/13/2022", "q": "halton"}
    ).content.decode()
    assert "There is a problem" in page
    assert "Signed on or after must be a real date" in page
    assert _names(page, orgs) == {"halton"}


def test_the_tier_filter_appears_only_for_charters_with_tiers(cast_a, client, register):
    charter, orgs = register
    url = f"{_base(cast_a, charter)}register/"
    assert 'name="tier"' not in client.get(url).content.decode()
    with tenant_context(cast_a.tenant.id):
        access = tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant)
        advocate = services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            charter=charter,
            name="Advocate",
        )
    _sign(
        cast_a,
        charter,
        factories.OrganisationFactory(name="Advocate Housing"),
        signed_on=date(2023, 5, 1),
        tier=advocate,
    )
    page = client.get(url, {"tier": str(advocate.id)}).content.decode()
    assert 'name="tier"' in page
    assert "Advocate Housing" in page
    assert _names(page, orgs) == set()
    assert "1 of 4 organisations that have signed matches your search" in page


def test_a_signatory_profile_shows_signers_and_pledges_grouped(cast_a, client, register):
    charter, orgs = register
    page = client.get(f"{_base(cast_a, charter)}register/{orgs['wirral'].id}/").content.decode()
    assert "Wirral Community Health and Care" in page
    assert "NHS trust" in page and "CH41" in page
    assert "Jo Bloggs, Chief Executive" in page
    assert "1 September 2022" in page
    assert "Wirral Community Health and Care pays the real living wage." in page
    assert "100% of staff by 2024" in page
    # Grouped: the principle first, then the theme.
    assert page.index("Pay the real living wage") < page.index("Environmental")


def test_unpublished_and_other_tenants_charters_are_not_found(cast_a, cast_b, client, register):
    charter, orgs = register
    assert client.get(f"/t/{cast_b.tenant.slug}/public/charters/{charter.slug}/").status_code == 404
    assert (
        client.get(f"/t/{cast_b.tenant.slug}/public/charters/{charter.slug}/register/").status_code
        == 404
    )
    assert (
        client.get(
            f"/t/{cast_b.tenant.slug}/public/charters/{charter.slug}/register/{orgs['wirral'].id}/"
        ).status_code
        == 404
    )
    assert client.get(f"/t/{cast_b.tenant.slug}/public/charters/").status_code == 404
    assert client.get(f"/t/no-such-programme/public/charters/{charter.slug}/").status_code == 404
    # A draft charter and a draft version are not public.
    with tenant_context(cast_a.tenant.id):
        access = tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant)
        draft = services.charter_create(
            tenant=cast_a.tenant, actor=cast_a.tenant_admin, access=access, title="Draft charter"
        )
        services.charter_new_version(
            tenant=cast_a.tenant, actor=cast_a.tenant_admin, access=access, charter=charter
        )
    assert client.get(_base(cast_a, draft)).status_code == 404
    assert client.get(f"{_base(cast_a, draft)}register/").status_code == 404
    assert client.get(f"{_base(cast_a, charter)}versions/2/").status_code == 404
    assert client.get(f"{_base(cast_a, charter)}versions/9/").status_code == 404


def test_an_earlier_version_stays_readable_with_a_link_to_the_current_one(cast_a, client, register):
    charter, orgs = register
    publish_next_version(cast_a, charter, definition="Version two's definition.")
    current = client.get(_base(cast_a, charter)).content.decode()
    assert "Version two&#x27;s definition." in current
    assert f'href="{_base(cast_a, charter)}versions/1/"' in current
    # Everyone signed has been asked to re-confirm, and stays on the register meanwhile.
    assert "3 organisations have signed" in current
    old = client.get(f"{_base(cast_a, charter)}versions/1/").content.decode()
    assert "This version has been replaced" in old
    assert "The good we do for our places beyond our core service." in old
    register_page = client.get(f"{_base(cast_a, charter)}register/").content.decode()
    assert "asked to re-confirm" in register_page


# --- A fixed number of queries --------------------------------------------------------------


def _bulk_signatories(cast, charter, count: int, start: int = 0) -> None:
    """`count` organisations on the register, each with one pledge (bulk, to stay fast)."""
    with tenant_context(cast.tenant.id):
        version = charter.versions.get(status=VersionStatus.PUBLISHED)
        theme = version.themes.get(code="economic")
        tier = charter.tiers.get(position=1)
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Bulk organisation {start + n:04d}",
                organisation_type=list(OrganisationType.values)[n % len(OrganisationType.values)],
                size_band=SizeBand.SMALL,
                registered_postcode=f"L{n % 30} 1AA",
            )
            for n in range(count)
        )
        Participation.objects.bulk_create(
            Participation(tenant=cast.tenant, organisation=o, joined_on=timezone.localdate())
            for o in organisations
        )
        signatories = Signatory.objects.bulk_create(
            Signatory(
                tenant=cast.tenant,
                charter=charter,
                organisation=o,
                version=version,
                tier=tier,
                status=SignatoryStatus.SIGNED,
                signers=[{"name": "A Person", "role": "Chair"}],
                signed_on=date(2023, 1, 1),
            )
            for o in organisations
        )
        Pledge.objects.bulk_create(
            Pledge(tenant=cast.tenant, signatory=s, version=version, theme=theme, text="Buy local.")
            for s in signatories
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


def test_the_public_register_of_500_runs_the_same_queries_as_of_5(cast_a, client):
    charter = publish(cast_a)
    _bulk_signatories(cast_a, charter, 5)
    base = _base(cast_a, charter)
    urls = [
        f"{base}register/",
        f"{base}register/?sector=nhs&place=L",
        base,
        f"/t/{cast_a.tenant.slug}/public/charters/",
    ]
    small = [_queries(client, url) for url in urls]
    assert "5 organisations have signed" in client.get(base).content.decode()

    _bulk_signatories(cast_a, charter, 495, start=5)
    large = [_queries(client, url) for url in urls]
    assert large == small, (small, large)
    page = client.get(f"{base}register/").content.decode()
    assert "500 organisations have signed" in page
    assert page.count('<tr class="nhsuk-table__row">') == 1 + 50  # header + a page of 50
    assert 'aria-label="Page 10"' in page
    assert _queries(client, f"{base}register/?page=10") == small[0]


def test_the_charter_list_of_4_charters_runs_the_same_queries_as_of_1(cast_a, client):
    url = f"/t/{cast_a.tenant.slug}/public/charters/"
    first = publish(cast_a)
    _bulk_signatories(cast_a, first, 3)
    small = _queries(client, url)

    for n, count in enumerate((1, 2, 4), start=1):
        charter = publish(cast_a, title=f"Charter number {n + 1}")
        _bulk_signatories(cast_a, charter, count, start=100 * n)
    assert _queries(client, url) == small
    page = client.get(url).content.decode()
    assert page.count("See the register") == 4
    for signed in (
        "3 organisations have signed",
        "1 organisation has signed",
        "2 organisations have signed",
        "4 organisations have signed",
    ):
        assert page.count(signed) == 1, signed


def test_a_signatory_profile_runs_the_same_queries_with_many_pledges(cast_a, client, register):
    charter, orgs = register
    url = f"{_base(cast_a, charter)}register/{orgs['wirral'].id}/"
    small = _queries(client, url)
    with tenant_context(cast_a.tenant.id):
        signatory = Signatory.objects.get(organisation=orgs["wirral"])
        theme = signatory.version.themes.get(code="leadership")
        Pledge.objects.bulk_create(
            Pledge(
                tenant=cast_a.tenant,
                signatory=signatory,
                version=signatory.version,
                theme=theme,
                text=f"Pledge {n}",
                position=10 + n,
            )
            for n in range(40)
        )
    assert _queries(client, url) == small
