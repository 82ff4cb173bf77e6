"""The award API: public schemes, holders and verification (no key, throttled per address) and
applications' status with a key of scope `awards:read` (tenant-bound, organisation-restricted),
with query counts that do not grow with rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from awards import services
from awards.models import Award
from tenancy.context import tenant_context
from tests.award_held_builders import more_awards
from tests.awards_builders import as_user, decided, draft, open_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


@pytest.fixture
def award_a(cast_a, scheme_a) -> Award:
    with tenant_context(cast_a.tenant.id):
        return Award.objects.get(application=decided(cast_a, scheme_a))


def _slug(cast, scheme) -> str:
    with tenant_context(cast.tenant.id):
        return scheme.version.scheme.slug


def _base(cast) -> str:
    return f"/api/v1/tenants/{cast.tenant.slug}/"


def _get(client, url, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(url, params, **headers)


# --- Schemes ---------------------------------------------------------------------------------


def test_schemes_are_public_with_their_open_version(client, cast_a, scheme_a):
    response = _get(client, _base(cast_a) + "public/award-schemes/")
    assert response.status_code == 200
    (scheme,) = response.json()["results"]
    assert scheme["slug"] == _slug(cast_a, scheme_a)
    version = scheme["version"]
    assert version["status"] == "open"
    assert [level["name"] for level in version["levels"]] == ["Bronze", "Level 1"]
    assert {area["code"] for area in version["areas"]} == {
        "environmental",
        "social",
        "economic",
        "innovation",
    }
    assert version["categories"] == [{"code": "environment", "name": "Environment"}]
    assert "criteria" not in version


def test_a_scheme_in_full_with_its_questions_and_an_etag(client, cast_a, scheme_a):
    url = _base(cast_a) + f"public/award-schemes/{_slug(cast_a, scheme_a)}/"
    response = _get(client, url)
    assert response.status_code == 200
    criteria = response.json()["version"]["criteria"]
    assert len(criteria) == 4
    economic = next(c for c in criteria if c["area"] == "economic")
    assert economic["level"] == scheme_a.bronze.code
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert _get(client, _base(cast_a) + "public/award-schemes/nope/").status_code == 404


def test_draft_schemes_are_not_public(client, cast_a):
    with tenant_context(cast_a.tenant.id):
        services.scheme_create(**as_user(cast_a, cast_a.tenant_admin), name="Draft award")
    response = _get(client, _base(cast_a) + "public/award-schemes/")
    assert response.json()["results"] == []
    assert _get(client, _base(cast_a) + "public/award-schemes/draft-award/").status_code == 404


def test_another_tenants_schemes_are_not_listed(client, cast_a, cast_b, scheme_a):
    assert _get(client, _base(cast_b) + "public/award-schemes/").json()["results"] == []


# --- Holders ---------------------------------------------------------------------------------


def test_holders_are_public_current_only_and_searchable(client, cast_a, scheme_a, award_a):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        more_awards(
            cast_a,
            scheme_a,
            1,
            name_prefix="Lapsed",
            awarded_on=today - timedelta(days=2000),
            expires_on=today - timedelta(days=1),
        )
        more_awards(cast_a, scheme_a, 2, name_prefix="Wirral")
    url = _base(cast_a) + "public/award-holders/"
    names = [r["organisation"]["name"] for r in _get(client, url).json()["results"]]
    assert cast_a.organisation.name in names
    assert "Wirral 000 Trust" in names and "Lapsed 000 Trust" not in names
    found = _get(client, url, q="wirral 001").json()["results"]
    assert [r["organisation"]["name"] for r in found] == ["Wirral 001 Trust"]
    assert found[0]["level"] == "Bronze" and "verification_code" not in found[0]
    assert _get(client, url, ordering="nonsense").status_code == 400


def test_the_holders_list_runs_a_fixed_number_of_queries(
    client, cast_a, scheme_a, award_a, django_assert_max_num_queries
):
    url = _base(cast_a) + "public/award-holders/"
    with django_assert_max_num_queries(8) as few:
        assert _get(client, url).status_code == 200
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = _get(client, url).json()
    assert body["count"] == 41


# --- Verification ------------------------------------------------------------------------------


def _verify(cast) -> str:
    return _base(cast) + "public/award-verification/"


def test_verify_by_code_keyless(client, cast_a, award_a):
    code = award_a.verification_code
    body = _get(client, _verify(cast_a) + f"codes/{code[:4]}-{code[4:8]}-{code[8:]}/".lower())
    body = body.json()
    assert body["is_current"] is True
    assert body["award_status"] == "current"
    assert body["organisation"]["name"] == cast_a.organisation.name
    assert body["level"] == "Bronze"
    assert body["expires_on"] == award_a.expires_on.isoformat()
    assert body["verification_code"] == f"{code[:4]}-{code[4:8]}-{code[8:]}"


def test_verify_by_organisation_name_or_id(client, cast_a, scheme_a, award_a):
    url = _verify(cast_a) + "organisations/"
    body = _get(client, url, name=cast_a.organisation.name.upper()).json()
    assert body["is_current"] is True and body["verification_code"] is None
    body = _get(client, url + f"{cast_a.organisation.id}/").json()
    assert body["level"] == "Bronze"
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 2, name_prefix="Wirral")
    response = _get(client, url, name="Wirral")
    assert response.status_code == 404
    assert "2 organisations' names contain it" in response.json()["message"]
    response = _get(client, url + f"{cast_a.other_organisation.id}/")
    assert response.status_code == 404
    assert response.json()["message"] == "This organisation holds no award of this programme."


def test_verify_answers_clearly_for_unknown_codes_and_bad_input(client, cast_a, award_a):
    response = _get(client, _verify(cast_a) + "codes/ABCD-EFGH-JKMN/")
    assert response.status_code == 404
    assert "No award of this programme has this verification code." in response.json()["message"]
    assert _get(client, _verify(cast_a) + "codes/%3Cscript%3E/").status_code == 404
    response = _get(client, _verify(cast_a) + "organisations/", name="Nowhere Ltd")
    assert response.status_code == 404
    assert "No organisation of that name" in response.json()["message"]
    assert _get(client, _verify(cast_a) + "organisations/").status_code == 404
    assert _get(client, _verify(cast_a) + "organisations/not-a-uuid/").status_code == 404


def test_verify_a_revoked_award(client, cast_a, award_a):
    with tenant_context(cast_a.tenant.id):
        services.award_revoke(
            **as_user(cast_a, cast_a.tenant_admin), award=award_a, reason="Evidence withdrawn"
        )
    body = _get(client, _verify(cast_a) + f"codes/{award_a.verification_code}/").json()
    assert body["is_current"] is False
    assert body["award_status"] == "revoked"
    assert body["revoked_on"] == timezone.localdate().isoformat()


def test_a_code_of_another_tenant_is_unknown_here(client, cast_a, cast_b, award_a):
    response = _get(client, _verify(cast_b) + f"codes/{award_a.verification_code}/")
    assert response.status_code == 404


def test_verification_is_throttled_per_address(client, cast_a, award_a, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "public": "3/minute"}
    url = _verify(cast_a) + f"codes/{award_a.verification_code}/"
    statuses = [_get(client, url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = _get(client, _verify(cast_a) + "organisations/", name="Guessing names")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Another address still gets through.
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200


# --- Applications' status (awards:read) ------------------------------------------------------


def test_applications_status_with_an_awards_read_key(client, cast_a, scheme_a, award_a, issue_key):
    key = issue_key(cast_a, scopes=["awards:read"])
    response = _get(client, _base(cast_a) + "award-applications/", key)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == str(award_a.application_id)
    assert row["application_status"] == "awarded"
    assert row["organisation"]["name"] == cast_a.organisation.name
    assert row["scheme"] == _slug(cast_a, scheme_a)
    filtered = _get(client, _base(cast_a) + "award-applications/", key, status="draft")
    assert filtered.json()["results"] == []


def test_a_key_without_the_scope_or_without_a_key_is_refused(client, cast_a, award_a, issue_key):
    url = _base(cast_a) + "award-applications/"
    assert _get(client, url).status_code == 401
    key = issue_key(cast_a, scopes=["charters:read"])
    response = _get(client, url, key)
    assert response.status_code == 403
    assert response.json()["code"] == "missing_scope"


def test_another_tenants_key_cannot_read_this_tenants_applications(
    client, cast_a, cast_b, award_a, issue_key
):
    key_b = issue_key(cast_b, scopes=["awards:read"])
    response = _get(client, _base(cast_a) + "award-applications/", key_b)
    assert response.status_code in (401, 403, 404)
    assert str(award_a.application_id) not in response.content.decode()
    # Under its own tenant, the key sees none of cast_a's applications.
    own = _get(client, _base(cast_b) + "award-applications/", key_b)
    assert own.status_code == 200 and own.json()["results"] == []


def test_a_key_restricted_to_an_organisation_sees_only_its_applications(
    client, cast_a, scheme_a, award_a, issue_key
):
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 2)
    url = _base(cast_a) + "award-applications/"
    key = issue_key(cast_a, scopes=["awards:read"], organisation_ids=[cast_a.other_organisation.id])
    assert _get(client, url, key).json()["results"] == []
    key = issue_key(cast_a, scopes=["awards:read"], organisation_ids=[cast_a.organisation.id])
    rows = _get(client, url, key).json()["results"]
    assert [r["id"] for r in rows] == [str(award_a.application_id)]


def test_the_applications_list_runs_a_fixed_number_of_queries(
    client, cast_a, scheme_a, issue_key, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        draft(cast_a, scheme_a, complete=False)
    key = issue_key(cast_a, scopes=["awards:read"])
    url = _base(cast_a) + "award-applications/"
    _get(client, url, key)
    with django_assert_max_num_queries(10) as few:
        assert _get(client, url, key).json()["count"] == 1
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _get(client, url, key).json()["count"] == 31


def test_the_schema_documents_the_award_resources(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/tenants/{tenant_slug}/public/award-schemes/",
        "/api/v1/tenants/{tenant_slug}/public/award-schemes/{scheme_slug}/",
        "/api/v1/tenants/{tenant_slug}/public/award-holders/",
        "/api/v1/tenants/{tenant_slug}/public/award-verification/codes/{code}/",
        "/api/v1/tenants/{tenant_slug}/public/award-verification/organisations/",
        "/api/v1/tenants/{tenant_slug}/public/award-verification/organisations/{organisation_id}/",
        "/api/v1/tenants/{tenant_slug}/award-applications/",
    ):
        assert path in schema


def test_the_schemes_list_runs_a_fixed_number_of_queries(
    client, cast_a, scheme_a, django_assert_max_num_queries
):
    url = _base(cast_a) + "public/award-schemes/"
    with django_assert_max_num_queries(14) as few:
        assert _get(client, url).json()["count"] == 1
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        for name in ("Green award", "Fair work award"):
            scheme = services.scheme_create(**admin, name=name)
            version = scheme.versions.get()
            services.level_save(**admin, version=version, data=services.LevelInput(name="Gold"))
            services.criterion_save(
                **admin, version=version, data=services.CriterionInput(text="What do you do?")
            )
            services.scheme_version_move(**admin, version=version, to_status="open")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert _get(client, url).json()["count"] == 3
