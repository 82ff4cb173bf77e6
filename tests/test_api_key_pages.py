"""Tenant admins create, list, rotate and revoke partner keys in the browser."""

import pytest
from django.utils import timezone

from api.models import ApiKey
from tenancy.context import tenant_context
from tenancy.models import AuditEvent

pytestmark = pytest.mark.django_db


def _keys(cast):
    with tenant_context(cast.tenant.id):
        return list(ApiKey.objects.order_by("created_at"))


def test_a_tenant_admin_creates_a_key_sees_it_once_and_a_partner_uses_it(client, cast_a, login):
    login(cast_a.tenant_admin)
    response = client.post(
        f"/t/{cast_a.tenant.slug}/api-keys/new/",
        {
            "partner_name": "Wirral Council analytics",
            "scopes": ["organisations:read"],
            "organisations": [str(cast_a.organisation.id)],
            "expires_on": "31/3/2099",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/t/{cast_a.tenant.slug}/api-keys/").content.decode()
    secret = page.split('id="new-api-key" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("svp_")
    # Shown once: the next visit no longer has it.
    assert secret not in client.get(f"/t/{cast_a.tenant.slug}/api-keys/").content.decode()
    (key,) = _keys(cast_a)
    assert key.partner_name == "Wirral Council analytics"
    assert key.scopes == ["organisations:read"]
    assert key.organisation_ids == [cast_a.organisation.id]
    assert timezone.localtime(key.expires_at).date().isoformat() == "2099-03-31"
    assert secret.split("_")[2] not in key.secret_hash  # only the HMAC is stored
    client.logout()
    api = client.get(
        f"/api/v1/tenants/{cast_a.tenant.slug}/organisations/",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert api.json()["count"] == 1
    with tenant_context(cast_a.tenant.id):
        assert AuditEvent.objects.filter(verb="api_key.created").count() == 1


def test_bad_input_names_the_fields_and_creates_nothing(client, cast_a, login):
    login(cast_a.tenant_admin)
    response = client.post(
        f"/t/{cast_a.tenant.slug}/api-keys/new/", {"partner_name": "", "expires_on": "1/1/2000"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the name of the partner" in page
    assert "Choose at least one thing the key may do" in page
    assert "The expiry date must be in the future" in page
    assert _keys(cast_a) == []


def test_rotating_gives_a_new_secret_and_stops_the_old_one(client, cast_a, login, issue_key):
    old_secret = issue_key(cast_a)
    (old,) = _keys(cast_a)
    login(cast_a.tenant_admin)
    url = f"/t/{cast_a.tenant.slug}/api-keys/{old.id}/rotate/"
    assert "Rotate the key" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    page = client.get(f"/t/{cast_a.tenant.slug}/api-keys/").content.decode()
    new_secret = page.split('readonly value="')[1].split('"')[0]
    old_after, new = _keys(cast_a)
    assert old_after.revoked_at is not None and new.replaces_id == old.id
    assert new.scopes == old.scopes
    client.logout()
    orgs = f"/api/v1/tenants/{cast_a.tenant.slug}/organisations/"
    assert client.get(orgs, HTTP_AUTHORIZATION=f"Bearer {old_secret}").status_code == 401
    assert client.get(orgs, HTTP_AUTHORIZATION=f"Bearer {new_secret}").status_code == 200


def test_revoking_asks_first_and_the_key_stops_working(client, cast_a, login, issue_key):
    secret = issue_key(cast_a)
    (key,) = _keys(cast_a)
    login(cast_a.tenant_admin)
    url = f"/t/{cast_a.tenant.slug}/api-keys/{key.id}/revoke/"
    assert "This cannot be undone" in client.get(url).content.decode()
    client.post(url)
    assert _keys(cast_a)[0].revoked_at <= timezone.now()
    listing = client.get(f"/t/{cast_a.tenant.slug}/api-keys/").content.decode()
    assert "No active keys yet" in listing
    assert "Revoked" in client.get(f"/t/{cast_a.tenant.slug}/api-keys/?revoked=1").content.decode()
    client.logout()
    response = client.get(
        f"/api/v1/tenants/{cast_a.tenant.slug}/organisations/",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "role", ["assessor", "board_reporter", "organisation_admin", "organisation_member", "outsider"]
)
def test_only_tenant_admins_manage_keys(client, cast_a, login, issue_key, role):
    issue_key(cast_a)
    (key,) = _keys(cast_a)
    login(getattr(cast_a, role))
    base = f"/t/{cast_a.tenant.slug}/api-keys/"
    assert client.get(base).status_code == 403
    assert (
        client.post(base + "new/", {"partner_name": "x", "scopes": ["kvi:read"]}).status_code == 403
    )
    assert client.post(f"{base}{key.id}/revoke/").status_code == 403
    assert len(_keys(cast_a)) == 1 and _keys(cast_a)[0].revoked_at is None


def test_another_tenants_key_cannot_be_revoked(client, cast_a, cast_b, login, issue_key):
    issue_key(cast_b)
    (b_key,) = _keys(cast_b)
    login(cast_a.tenant_admin)
    assert client.post(f"/t/{cast_a.tenant.slug}/api-keys/{b_key.id}/revoke/").status_code == 404
    assert _keys(cast_b)[0].revoked_at is None
