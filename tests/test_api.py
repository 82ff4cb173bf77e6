"""The partner API: keys, scopes, tenant binding, conventions and the first resources."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.base import TenantAPIView
from api.models import ApiKey
from organisations.models import Organisation
from tenancy.context import tenant_context
from tests import factories

pytestmark = pytest.mark.django_db


def _orgs_url(cast, suffix=""):
    return f"/api/v1/tenants/{cast.tenant.slug}/organisations/{suffix}"


def _get(client, url, key=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(url, **headers, **extra)


def test_a_partner_pages_through_all_organisations_of_its_tenant(client, cast_a, cast_b, issue_key):
    with tenant_context(cast_a.tenant.id):
        for _ in range(118):
            factories.ParticipationFactory(tenant=cast_a.tenant)
    key = issue_key(cast_a)
    seen, url = [], _orgs_url(cast_a) + "?page_size=50"
    while url:
        body = _get(client, url, key).json()
        assert body["count"] == 120
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 120
    assert str(cast_b.organisation.id) not in seen


def test_page_size_is_capped(client, cast_a, issue_key):
    key = issue_key(cast_a)
    body = _get(client, _orgs_url(cast_a) + "?page_size=100000", key).json()
    assert body["count"] == 2  # no error; the cap (200) applies silently


def test_updated_since_returns_only_what_changed(client, cast_a, issue_key):
    key = issue_key(cast_a)
    before = timezone.now()
    Organisation.objects.filter(pk=cast_a.other_organisation.pk).update(
        name="Renamed", updated_at=timezone.now() + timedelta(seconds=1)
    )
    body = _get(client, _orgs_url(cast_a), key, data={"updated_since": before.isoformat()}).json()
    assert [row["name"] for row in body["results"]] == ["Renamed"]


def test_detail_fields_and_etag(client, cast_a, issue_key):
    key = issue_key(cast_a)
    response = _get(client, _orgs_url(cast_a, f"{cast_a.organisation.id}/"), key)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(cast_a.organisation.id)
    assert body["participation"]["status"] == "active"
    assert body["postcode_district"] == "CH41"
    etag = response["ETag"]
    again = _get(
        client, _orgs_url(cast_a, f"{cast_a.organisation.id}/"), key, HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    assert again.content == b""


def test_filters_and_ordering(client, cast_a, issue_key):
    key = issue_key(cast_a)
    with tenant_context(cast_a.tenant.id):
        factories.ParticipationFactory(
            tenant=cast_a.tenant,
            organisation=factories.OrganisationFactory(
                name="Aardvark Council",
                organisation_type="local_authority",
                size_band="large",
                registered_postcode="CV1 2GN",
            ),
        )
    url = _orgs_url(cast_a)
    assert [
        r["name"]
        for r in _get(client, url, key, data={"organisation_type": "local_authority"}).json()[
            "results"
        ]
    ] == ["Aardvark Council"]
    assert _get(client, url, key, data={"place": "cv1"}).json()["count"] == 1
    assert _get(client, url, key, data={"size_band": "small"}).json()["count"] == 2
    names = [
        r["name"] for r in _get(client, url, key, data={"ordering": "-name"}).json()["results"]
    ]
    assert names == sorted(names, reverse=True)


def test_a_bad_filter_value_gets_a_consistent_error_body(client, cast_a, issue_key):
    key = issue_key(cast_a)
    response = _get(client, _orgs_url(cast_a), key, data={"organisation_type": "spaceship"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "organisation_type" in body["errors"]


def test_csv_export_of_the_whole_list_neutralises_formulas(client, cast_a, issue_key):
    key = issue_key(cast_a)
    Organisation.objects.filter(pk=cast_a.organisation.pk).update(name='=HYPERLINK("x")')
    response = _get(client, _orgs_url(cast_a), key, data={"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="organisations.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    assert '\'=HYPERLINK("x")' in {row["name"] for row in rows}
    assert "participation.status" in rows[0]


def test_a_key_without_the_scope_is_refused_403(client, cast_a, issue_key):
    key = issue_key(cast_a, scopes=["kvi:read"])
    response = _get(client, _orgs_url(cast_a), key)
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_no_key_a_bad_key_an_expired_key_and_a_revoked_key_are_refused_401(
    client, cast_a, issue_key
):
    assert client.get(_orgs_url(cast_a)).status_code == 401
    assert client.get(_orgs_url(cast_a))["WWW-Authenticate"].startswith("Bearer")
    assert _get(client, _orgs_url(cast_a), "svp_nothing_here").json()["code"] == "invalid_key"

    expired = issue_key(cast_a, expires_at=timezone.now() + timedelta(days=1))
    with tenant_context(cast_a.tenant.id):
        ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _get(client, _orgs_url(cast_a), expired)
    assert (response.status_code, response.json()["code"]) == (401, "expired_key")

    revoked = issue_key(cast_a)
    with tenant_context(cast_a.tenant.id):
        ApiKey.objects.filter(expires_at__isnull=True).update(revoked_at=timezone.now())
    response = _get(client, _orgs_url(cast_a), revoked)
    assert (response.status_code, response.json()["code"]) == (401, "revoked_key")


def test_a_key_of_tenant_a_cannot_reach_tenant_b(client, cast_a, cast_b, issue_key):
    key = issue_key(cast_a)
    # Tenant B's organisation id under tenant A's URL: not found.
    response = _get(client, _orgs_url(cast_a, f"{cast_b.organisation.id}/"), key)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # Tenant A's key under tenant B's URL: the key does not exist there.
    response = _get(client, _orgs_url(cast_b), key)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_key"


def test_a_key_restricted_to_some_organisations_sees_only_those(client, cast_a, issue_key):
    key = issue_key(cast_a, organisation_ids=[cast_a.organisation.id])
    body = _get(client, _orgs_url(cast_a), key).json()
    assert [row["id"] for row in body["results"]] == [str(cast_a.organisation.id)]
    hidden = _get(client, _orgs_url(cast_a, f"{cast_a.other_organisation.id}/"), key)
    assert hidden.status_code == 404


def test_throttling_answers_429_with_retry_after(client, cast_a, issue_key, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_key": "3/minute"}
    key = issue_key(cast_a)
    statuses = [_get(client, _orgs_url(cast_a), key).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = _get(client, _orgs_url(cast_a), key)
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Another key has its own allowance.
    assert _get(client, _orgs_url(cast_a), issue_key(cast_a)).status_code == 200


def test_last_use_is_recorded(client, cast_a, issue_key):
    key = issue_key(cast_a)
    _get(client, _orgs_url(cast_a), key)
    with tenant_context(cast_a.tenant.id):
        assert ApiKey.objects.get().last_used_at is not None


def test_people_use_the_api_with_their_session_and_roles(client, cast_a, cast_b, login):
    login(cast_a.organisation_member)
    assert client.get(_orgs_url(cast_a)).json()["count"] == 2
    assert client.get(_orgs_url(cast_b)).status_code == 403
    login(cast_a.outsider)
    assert client.get(_orgs_url(cast_a)).status_code == 403


def test_list_runs_a_fixed_number_of_queries_whatever_the_page_size(client, cast_a, issue_key):
    key = issue_key(cast_a)
    with tenant_context(cast_a.tenant.id):
        for _ in range(60):
            factories.ParticipationFactory(tenant=cast_a.tenant)

    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = _get(client, _orgs_url(cast_a) + f"?page_size={page_size}", key)
            assert response.status_code == 200
        return len(captured)

    queries(5)  # warm up: the first call of a minute records the key's last use
    assert queries(5) == queries(50) == queries(200)


def test_public_tenant_profiles_need_no_key(client, cast_a):
    listing = client.get("/api/v1/tenants/").json()
    assert cast_a.tenant.slug in [row["slug"] for row in listing["results"]]
    detail = client.get(f"/api/v1/tenants/{cast_a.tenant.slug}/")
    assert detail.status_code == 200
    assert detail.json()["name"] == cast_a.tenant.name
    assert (
        client.get(
            f"/api/v1/tenants/{cast_a.tenant.slug}/", HTTP_IF_NONE_MATCH=detail["ETag"]
        ).status_code
        == 304
    )
    missing = client.get("/api/v1/tenants/no-such-tenant/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_public_reads_are_throttled_more_strictly(client, cast_a, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "public": "2/minute"}
    statuses = [client.get("/api/v1/tenants/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_resource_views_cannot_replace_the_guards():
    with pytest.raises(TypeError, match="may not override get_permissions"):

        class Sneaky(TenantAPIView):  # noqa: F841
            def get_permissions(self):
                return []


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/tenants/{tenant_slug}/organisations/" in text
    assert "partnerKey" in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


def test_an_empty_format_parameter_is_refused(client, cast_a, issue_key):
    key = issue_key(cast_a)
    response = _get(client, _orgs_url(cast_a), key, data={"format": ""})
    assert response.status_code == 400
    assert "format" in response.json()["errors"]
