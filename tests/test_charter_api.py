"""The charter API: charters and versions, signatories and pledges (scope charters:read), and the
public register (no key, open data)."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from charters import services
from charters.models import Signatory, SignatoryStatus
from charters.services import Decision, PledgeInput, SigningInput
from organisations.models import Organisation
from tenancy.context import tenant_context
from tenancy.models import Role
from tenancy.permissions import TenantAccess, tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def _url(cast, suffix=""):
    return f"/api/v1/tenants/{cast.tenant.slug}/charters/{suffix}"


def _register_url(cast, charter):
    return f"/api/v1/tenants/{cast.tenant.slug}/public/charters/{charter.slug}/register/"


def _get(client, url, key=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(url, **headers, **extra)


def _key(cast, issue_key, **options):
    return issue_key(cast, scopes=["charters:read"], **options)


def _sign(cast, charter, organisation, *, signed_on=None, pledges=None, approve=True):
    """Sign as the organisation's admin (services, so audited), then approve as tenant admin."""
    with tenant_context(cast.tenant.id):
        version = charter.versions.get(status="published")
        signatory = services.charter_sign(
            tenant=cast.tenant,
            actor=None,
            access=TenantAccess(
                tenant_id=cast.tenant.id,
                organisation_roles={organisation.id: frozenset({Role.ORGANISATION_ADMIN})},
            ),
            version=version,
            organisation=organisation,
            data=SigningInput(
                signers=[
                    {"name": "Ann Chair", "role": "Chair"},
                    {"name": "Bo Chief", "role": "Chief Executive"},
                ],
                signed_on=signed_on or timezone.localdate(),
                pledges=pledges
                or [
                    PledgeInput(text="Buy from local firms first", principle_code="buy-local"),
                    PledgeInput(
                        text="Offer 20 work placements a year",
                        theme_code="employment-and-volunteering",
                        target="20 placements in 2026/27",
                    ),
                ],
            ),
        )
        if approve:
            services.signatory_decide(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant),
                signatory=signatory,
                decision=Decision.APPROVE,
            )
        signatory.refresh_from_db()
        return signatory


@pytest.fixture
def charter_a(cast_a):
    """Tenant A's published charter: the organisation signed and approved, the other
    organisation waiting for approval."""
    Organisation.objects.filter(pk=cast_a.organisation.pk).update(
        name="Alder Health Charity",
        companies_house_number="01234567",
        charity_number="1098765",
        ods_code="RY7",
        organisation_type="vcse",
        size_band="small",
        registered_postcode="CH41 7ED",
    )
    Organisation.objects.filter(pk=cast_a.other_organisation.pk).update(
        name="Birch Builders", organisation_type="business", size_band="medium"
    )
    cast_a.organisation.refresh_from_db()
    cast_a.other_organisation.refresh_from_db()
    charter = factories.published_charter(cast_a, principles=("Buy local", "Pay fairly"))
    _sign(cast_a, charter, cast_a.organisation, signed_on=date(2025, 3, 14))
    _sign(cast_a, charter, cast_a.other_organisation, signed_on=date(2025, 6, 1), approve=False)
    return charter


# --- Charters and versions ---------------------------------------------------------------------


def test_charter_list_and_detail_show_versions_tiers_and_links(
    client, cast_a, charter_a, issue_key
):
    with tenant_context(cast_a.tenant.id):
        services.charter_link_add(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant),
            charter=charter_a,
            title="Anchor Institution Charter",
            url="https://example.org/anchor-charter",
        )
    key = _key(cast_a, issue_key)
    body = _get(client, _url(cast_a), key).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["slug"] == charter_a.slug
    assert row["title"] == "Our Social Value Charter"
    assert row["has_tiers"] is False
    assert row["current_version"] == 1
    [version] = row["versions"]
    assert version["number"] == 1
    assert version["status"] == "published"
    assert version["endorsing_body"] == "Integrated Care Partnership"
    assert version["endorsed_on"] == timezone.localdate().isoformat()
    assert version["published_at"] is not None
    assert [(t["name"], t["position"]) for t in row["tiers"]] == [("Signatory", 1)]
    assert row["links"] == [
        {
            "title": "Anchor Institution Charter",
            "url": "https://example.org/anchor-charter",
            "related_charter": None,
        }
    ]

    detail = _get(client, _url(cast_a, f"{charter_a.slug}/"), key)
    assert detail.status_code == 200
    assert detail.json() == row
    again = _get(client, _url(cast_a, f"{charter_a.slug}/"), key, HTTP_IF_NONE_MATCH=detail["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_charter_changed_since_is_listed_and_an_unchanged_one_is_not(
    client, cast_a, charter_a, issue_key
):
    key = _key(cast_a, issue_key)
    later = timezone.now() + timedelta(seconds=5)
    assert (
        _get(client, _url(cast_a), key, data={"updated_since": later.isoformat()}).json()["count"]
        == 0
    )
    with tenant_context(cast_a.tenant.id):
        # A new draft version changes the charter as a whole.
        charter_a.versions.filter(number=1).update(updated_at=later + timedelta(seconds=1))
    body = _get(client, _url(cast_a), key, data={"updated_since": later.isoformat()}).json()
    assert [row["slug"] for row in body["results"]] == [charter_a.slug]


def test_a_version_in_full_without_the_people_who_moved_it(client, cast_a, charter_a, issue_key):
    key = _key(cast_a, issue_key)
    response = _get(client, _url(cast_a, f"{charter_a.slug}/versions/1/"), key)
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 1
    assert body["status"] == "published"
    assert body["definition"] == "The good we do for our places beyond our core service."
    assert body["commitments_intro"] == "In order to meet these ambitions, we will ..."
    assert [(p["code"], p["title"]) for p in body["principles"]] == [
        ("buy-local", "Buy local"),
        ("pay-fairly", "Pay fairly"),
    ]
    assert [t["code"] for t in body["themes"]][:2] == [
        "health-and-wellbeing",
        "education-and-skills",
    ]
    assert len(body["themes"]) == 7
    assert [
        (t["from_status"], t["to_status"], t["endorsing_body"]) for t in body["transitions"]
    ] == [("draft", "endorsed", "Integrated Care Partnership"), ("endorsed", "published", "")]
    assert set(body["transitions"][0]) == {
        "from_status",
        "to_status",
        "at",
        "endorsing_body",
        "endorsed_on",
    }
    text = response.content.decode()
    assert cast_a.tenant_admin.email not in text
    assert cast_a.tenant_admin.full_name not in text
    assert (
        _get(
            client,
            _url(cast_a, f"{charter_a.slug}/versions/1/"),
            key,
            HTTP_IF_NONE_MATCH=response["ETag"],
        ).status_code
        == 304
    )
    missing = _get(client, _url(cast_a, f"{charter_a.slug}/versions/2/"), key)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    huge = _get(client, _url(cast_a, f"{charter_a.slug}/versions/99999999999/"), key)
    assert huge.status_code == 404


def test_an_unknown_charter_is_a_json_404(client, cast_a, charter_a, issue_key):
    key = _key(cast_a, issue_key)
    for suffix in ("nothing/", "nothing/versions/1/", "nothing/signatories/", "nothing/pledges/"):
        response = _get(client, _url(cast_a, suffix), key)
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "not_found"


# --- Signatories -------------------------------------------------------------------------------


def test_signatories_in_every_state_with_organisation_identifiers_and_signers(
    client, cast_a, charter_a, issue_key
):
    key = _key(cast_a, issue_key)
    body = _get(client, _url(cast_a, f"{charter_a.slug}/signatories/"), key).json()
    assert body["count"] == 2
    alder, birch = body["results"]
    assert alder["organisation"] == {
        "id": str(cast_a.organisation.id),
        "name": "Alder Health Charity",
        "organisation_type": "vcse",
        "sector": "voluntary",
        "size_band": "small",
        "postcode_district": "CH41",
        "ods_code": "RY7",
        "org_ids": ["GB-COH-01234567", "GB-CHC-1098765"],
    }
    assert alder["status"] == "signed"
    assert alder["version"] == 1
    assert alder["tier"] == "Signatory"
    assert alder["signed_on"] == "2025-03-14"
    assert alder["approved_on"] == timezone.localdate().isoformat()
    assert alder["signers"] == [
        {"name": "Ann Chair", "role": "Chair"},
        {"name": "Bo Chief", "role": "Chief Executive"},
    ]
    assert alder["updated_at"]
    assert (birch["organisation"]["name"], birch["status"], birch["approved_on"]) == (
        "Birch Builders",
        "pending",
        None,
    )


def test_signatory_filters_and_ordering(client, cast_a, charter_a, issue_key):
    key = _key(cast_a, issue_key)
    url = _url(cast_a, f"{charter_a.slug}/signatories/")

    def names(**params):
        response = _get(client, url, key, data=params)
        assert response.status_code == 200, response.json()
        return [row["organisation"]["name"] for row in response.json()["results"]]

    with tenant_context(cast_a.tenant.id):
        tier_id = str(charter_a.tiers.get().id)
    assert names(status="pending") == ["Birch Builders"]
    assert names(sector="voluntary") == ["Alder Health Charity"]
    assert names(sector="private") == ["Birch Builders"]
    assert names(organisation_type="business") == ["Birch Builders"]
    assert names(size_band="small") == ["Alder Health Charity"]
    assert names(place="ch41") == ["Alder Health Charity", "Birch Builders"]
    assert names(place="L3") == []
    assert names(tier=tier_id) == ["Alder Health Charity", "Birch Builders"]
    assert names(signed_from="2025-04-01") == ["Birch Builders"]
    assert names(signed_to="2025-03-14") == ["Alder Health Charity"]
    assert names(ordering="-name") == ["Birch Builders", "Alder Health Charity"]
    assert names(ordering="-signed_on") == ["Birch Builders", "Alder Health Charity"]
    for bad in ({"status": "asleep"}, {"tier": "not-a-uuid"}, {"signed_from": "yesterday"}):
        response = _get(client, url, key, data=bad)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert set(response.json()["errors"]) == set(bad)


def test_signatories_changed_since(client, cast_a, charter_a, issue_key):
    key = _key(cast_a, issue_key)
    url = _url(cast_a, f"{charter_a.slug}/signatories/")
    since = timezone.now() + timedelta(seconds=5)
    assert _get(client, url, key, data={"updated_since": since.isoformat()}).json()["count"] == 0
    # A renamed organisation counts as a change of its signature's row.
    Organisation.objects.filter(pk=cast_a.other_organisation.pk).update(
        name="Birch Builders Ltd", updated_at=since + timedelta(seconds=1)
    )
    body = _get(client, url, key, data={"updated_since": since.isoformat()}).json()
    assert [row["organisation"]["name"] for row in body["results"]] == ["Birch Builders Ltd"]


def test_signatories_as_csv(client, cast_a, charter_a, issue_key):
    Organisation.objects.filter(pk=cast_a.organisation.pk).update(name="=cmd|' /C calc'!A0")
    key = _key(cast_a, issue_key)
    response = _get(
        client, _url(cast_a, f"{charter_a.slug}/signatories/"), key, data={"format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="signatories.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["organisation.name"] for row in rows} == {"'=cmd|' /C calc'!A0", "Birch Builders"}
    assert {row["status"] for row in rows} == {"signed", "pending"}


def test_signatory_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    client, cast_a, charter_a, issue_key
):
    for _ in range(40):
        with tenant_context(cast_a.tenant.id):
            organisation = factories.ParticipationFactory(tenant=cast_a.tenant).organisation
        _sign(cast_a, charter_a, organisation)
    key = _key(cast_a, issue_key)

    def queries(resource: str, page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = _get(
                client, _url(cast_a, f"{charter_a.slug}/{resource}/?page_size={page_size}"), key
            )
            assert response.status_code == 200
            assert len(response.json()["results"]) == min(page_size, response.json()["count"])
        return len(captured)

    queries("signatories", 5)  # warm up: the first call of a minute records the key's last use
    assert queries("signatories", 5) == queries("signatories", 50) == queries("signatories", 200)
    assert queries("pledges", 5) == queries("pledges", 50) == queries("pledges", 200)


def test_charter_list_runs_a_fixed_number_of_queries(client, cast_a, charter_a, issue_key):
    key = _key(cast_a, issue_key)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _get(client, _url(cast_a), key).status_code == 200
        return len(captured)

    queries()  # warm up: the first call of a minute records the key's last use
    before = queries()
    factories.published_charter(cast_a, title="Second charter")
    factories.published_charter(cast_a, title="Third charter")
    assert _get(client, _url(cast_a), key).json()["count"] == 3
    assert queries() == before


# --- Pledges -----------------------------------------------------------------------------------


def test_pledges_of_signatories_on_the_register(client, cast_a, charter_a, issue_key):
    key = _key(cast_a, issue_key)
    url = _url(cast_a, f"{charter_a.slug}/pledges/")
    body = _get(client, url, key).json()
    # Birch Builders is still waiting for approval: its pledges are not public yet.
    assert body["count"] == 2
    first, second = body["results"]
    assert first["organisation"] == {
        "id": str(cast_a.organisation.id),
        "name": "Alder Health Charity",
    }
    assert first["principle"] == {"code": "buy-local", "title": "Buy local"}
    assert first["theme"] is None
    assert first["text"] == "Buy from local firms first"
    assert first["target"] == ""
    assert first["version"] == 1
    assert second["principle"] is None
    assert second["theme"] == {
        "code": "employment-and-volunteering",
        "name": "Employment and volunteering",
    }
    assert second["target"] == "20 placements in 2026/27"

    def texts(**params):
        return [row["text"] for row in _get(client, url, key, data=params).json()["results"]]

    assert texts(principle="buy-local") == ["Buy from local firms first"]
    assert texts(theme="employment-and-volunteering") == ["Offer 20 work placements a year"]
    assert texts(theme="nothing-like-this") == []
    assert texts(organisation=str(cast_a.other_organisation.id)) == []
    assert len(texts(organisation=str(cast_a.organisation.id))) == 2
    since = (timezone.now() + timedelta(seconds=5)).isoformat()
    assert texts(updated_since=since) == []


# --- Who may read what -------------------------------------------------------------------------


def test_a_key_without_charters_read_is_refused_403(client, cast_a, charter_a, issue_key):
    key = issue_key(cast_a, scopes=["organisations:read"])
    for suffix in (
        "",
        f"{charter_a.slug}/",
        f"{charter_a.slug}/versions/1/",
        f"{charter_a.slug}/signatories/",
        f"{charter_a.slug}/pledges/",
    ):
        response = _get(client, _url(cast_a, suffix), key)
        assert response.status_code == 403, suffix
        assert response.json()["code"] == "missing_scope"


def test_a_key_of_tenant_a_never_sees_tenant_b(client, cast_a, cast_b, charter_a, issue_key):
    charter_b = factories.published_charter(cast_b, title="Bravo Charter")
    _sign(cast_b, charter_b, cast_b.organisation)
    key = _key(cast_a, issue_key)
    assert [row["slug"] for row in _get(client, _url(cast_a), key).json()["results"]] == [
        charter_a.slug
    ]
    for suffix in (
        f"{charter_b.slug}/",
        f"{charter_b.slug}/versions/1/",
        f"{charter_b.slug}/signatories/",
        f"{charter_b.slug}/pledges/",
    ):
        response = _get(client, _url(cast_a, suffix), key)
        assert response.status_code == 404, suffix
    # The same key under tenant B's URL: the key does not exist there.
    assert _get(client, _url(cast_b), key).status_code == 401
    # Tenant A's lists never carry tenant B's signatories.
    listed = _get(client, _url(cast_a, f"{charter_a.slug}/signatories/"), key).json()
    assert str(cast_b.organisation.id) not in {
        row["organisation"]["id"] for row in listed["results"]
    }


def test_a_key_restricted_to_one_organisation_sees_only_its_signature_and_pledges(
    client, cast_a, charter_a, issue_key
):
    key = _key(cast_a, issue_key, organisation_ids=[cast_a.other_organisation.id])
    signatories = _get(client, _url(cast_a, f"{charter_a.slug}/signatories/"), key).json()
    assert [row["organisation"]["name"] for row in signatories["results"]] == ["Birch Builders"]
    pledges = _get(client, _url(cast_a, f"{charter_a.slug}/pledges/"), key).json()
    assert pledges["count"] == 0  # its signature is not approved yet
    # The charter itself belongs to the programme: still readable.
    assert _get(client, _url(cast_a, f"{charter_a.slug}/"), key).status_code == 200


def test_people_read_charters_with_their_session(client, cast_a, cast_b, charter_a, login):
    url = _url(cast_a, f"{charter_a.slug}/signatories/")

    def listed():
        return [(r["organisation"]["name"], r["status"]) for r in client.get(url).json()["results"]]

    login(cast_a.tenant_admin)
    assert listed() == [("Alder Health Charity", "signed"), ("Birch Builders", "pending")]
    # Others see the register and their own organisation's signature, not other pending ones.
    login(cast_a.organisation_member)
    assert listed() == [("Alder Health Charity", "signed")]
    with tenant_context(cast_a.tenant.id):
        factories.MembershipFactory(
            tenant=cast_a.tenant,
            user=cast_a.outsider,
            role=Role.ORGANISATION_ADMIN,
            organisation=cast_a.other_organisation,
        )
    login(cast_a.outsider)
    assert listed() == [("Alder Health Charity", "signed"), ("Birch Builders", "pending")]
    login(cast_b.tenant_admin)
    assert client.get(_url(cast_a)).status_code == 403


# --- The public register -----------------------------------------------------------------------


def test_the_public_register_needs_no_key_and_carries_identifiers_and_the_licence(
    client, cast_a, charter_a
):
    response = client.get(_register_url(cast_a, charter_a))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1  # Birch Builders waits for approval: not on the register
    [entry] = body["results"]
    assert entry["organisation"]["name"] == "Alder Health Charity"
    assert entry["organisation"]["org_ids"] == ["GB-COH-01234567", "GB-CHC-1098765"]
    assert entry["organisation"]["ods_code"] == "RY7"
    assert entry["status"] == "signed"
    assert entry["version"] == 1
    assert entry["signers"][0] == {"name": "Ann Chair", "role": "Chair"}
    assert body["licence"] == {
        "name": "Open Government Licence v3.0",
        "url": LICENCE_URL,
        "attribution": (
            f"Contains public sector information published by {cast_a.tenant.name}, licensed "
            "under the Open Government Licence v3.0."
        ),
    }
    filtered = client.get(_register_url(cast_a, charter_a), {"sector": "private"}).json()
    assert filtered["count"] == 0
    assert client.get(_register_url(cast_a, charter_a), {"sector": "x"}).status_code == 400
    as_csv = client.get(_register_url(cast_a, charter_a), {"format": "csv"})
    assert as_csv["Content-Disposition"] == 'attachment; filename="register.csv"'
    [row] = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert row["organisation.org_ids"] == "GB-COH-01234567; GB-CHC-1098765"


def test_the_public_register_of_a_withdrawn_signatory_or_an_unpublished_charter(
    client, cast_a, charter_a
):
    with tenant_context(cast_a.tenant.id):
        signatory = Signatory.objects.get(organisation=cast_a.organisation)
        services.signatory_withdraw(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=tenant_access_for(user=cast_a.organisation_admin, tenant=cast_a.tenant),
            signatory=signatory,
            reason="Closing down",
        )
        assert Signatory.objects.get(pk=signatory.pk).status == SignatoryStatus.WITHDRAWN
        draft = services.charter_create(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=tenant_access_for(user=cast_a.tenant_admin, tenant=cast_a.tenant),
            title="Draft charter",
        )
    assert client.get(_register_url(cast_a, charter_a)).json()["count"] == 0
    unpublished = client.get(_register_url(cast_a, draft))
    assert unpublished.status_code == 404
    assert unpublished.json()["code"] == "not_found"
    nowhere = client.get(
        f"/api/v1/tenants/no-such-tenant/public/charters/{charter_a.slug}/register/"
    )
    assert nowhere.status_code == 404
    assert nowhere.json()["code"] == "not_found"


def test_the_public_register_is_throttled(client, cast_a, charter_a, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "public": "2/minute"}
    statuses = [client.get(_register_url(cast_a, charter_a)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get(_register_url(cast_a, charter_a))
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_the_public_register_runs_a_fixed_number_of_queries(client, cast_a, charter_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_register_url(cast_a, charter_a)).status_code == 200
        return len(captured)

    before = queries()
    for _ in range(20):
        with tenant_context(cast_a.tenant.id):
            organisation = factories.ParticipationFactory(tenant=cast_a.tenant).organisation
        _sign(cast_a, charter_a, organisation)
    assert queries() == before
