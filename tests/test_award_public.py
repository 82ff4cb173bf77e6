"""The public award pages, signed out: the list of current holders (paginated, searchable, a
fixed number of queries) and "verify an award" by code or by organisation name."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import Award
from tenancy.context import tenant_context
from tests.award_held_builders import more_awards
from tests.awards_builders import as_user, decided, open_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


@pytest.fixture
def award_a(cast_a, scheme_a) -> Award:
    with tenant_context(cast_a.tenant.id):
        return Award.objects.get(application=decided(cast_a, scheme_a))


def _holders(cast):
    return reverse("public_award_holders", args=[cast.tenant.slug])


def _verify(cast):
    return reverse("public_award_verify", args=[cast.tenant.slug])


def _dashed(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


# --- Holders ---------------------------------------------------------------------------------


def test_the_holders_list_signed_out_shows_current_awards_only(client, cast_a, scheme_a, award_a):
    with tenant_context(cast_a.tenant.id):
        today = timezone.localdate()
        (expired,) = more_awards(
            cast_a,
            scheme_a,
            1,
            name_prefix="Lapsed",
            awarded_on=today - timedelta(days=2000),
            expires_on=today - timedelta(days=1),
        )
    response = client.get(_holders(cast_a))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    page = response.content.decode()
    assert cast_a.organisation.name in page
    assert "Lapsed 000 Trust" not in page
    assert "1 current award" in page


def test_the_holders_list_is_searchable(client, cast_a, scheme_a, award_a):
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 3)
    page = client.get(_holders(cast_a), {"q": "holder 001"}).content.decode()
    assert "Holder 001 Trust" in page and "Holder 002 Trust" not in page
    page = client.get(_holders(cast_a), {"q": "Nobody at all"}).content.decode()
    assert "No organisation matching “Nobody at all” holds a current award." in page


def test_the_holders_list_is_paginated_in_a_fixed_number_of_queries(
    client, cast_a, scheme_a, award_a, django_assert_max_num_queries
):
    client.get(_holders(cast_a))
    with django_assert_max_num_queries(8) as few:
        client.get(_holders(cast_a))
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(_holders(cast_a)).content.decode()
    assert "(page 1 of 2)" in page
    page = client.get(_holders(cast_a), {"page": 2}).content.decode()
    assert "(page 2 of 2)" in page


def test_another_programmes_holders_are_not_listed(client, cast_a, cast_b, award_a):
    page = client.get(_holders(cast_b)).content.decode()
    assert cast_a.organisation.name not in page
    assert "No organisation holds a current award yet." in page


def test_no_programme_at_the_address_is_404(client):
    assert client.get("/t/no-such-programme/public/awards/").status_code == 404
    assert client.get("/t/no-such-programme/public/awards/verify/").status_code == 404


# --- Verify ----------------------------------------------------------------------------------


def test_a_code_checks_as_current_signed_out(client, cast_a, award_a):
    response = client.get(_verify(cast_a), {"code": _dashed(award_a.verification_code).lower()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Current award" in page
    assert f"{cast_a.organisation.name} holds Bronze of Social Value Award" in page
    assert _dashed(award_a.verification_code) in page
    assert award_a.expires_on.strftime("%-d %B %Y") in page


def test_an_unknown_code_is_clearly_answered(client, cast_a, award_a):
    page = client.get(_verify(cast_a), {"code": "ABCD-EFGH-JKMN"}).content.decode()
    assert "No award has this code" in page
    assert "ABCD-EFGH-JKMN" in page


def test_bad_input_gets_a_clear_message(client, cast_a, award_a):
    page = client.get(_verify(cast_a), {"code": "", "organisation": ""}).content.decode()
    assert "There is a problem" in page
    assert "Enter a verification code or the name of an organisation" in page
    page = client.get(_verify(cast_a), {"code": "ABCD<script>"}).content.decode()
    assert "using letters and numbers only" in page
    assert "ABCD<script>" not in page


def test_a_code_of_another_programme_is_unknown_here(client, cast_a, cast_b, award_a):
    page = client.get(_verify(cast_b), {"code": award_a.verification_code}).content.decode()
    assert "No award has this code" in page


def test_a_revoked_award_checks_as_revoked(client, cast_a, award_a):
    with tenant_context(cast_a.tenant.id):
        services.award_revoke(
            **as_user(cast_a, cast_a.tenant_admin), award=award_a, reason="Evidence withdrawn"
        )
    page = client.get(_verify(cast_a), {"code": award_a.verification_code}).content.decode()
    assert "This award has been revoked" in page
    assert "does not hold a current award" in page
    assert cast_a.organisation.name not in client.get(_holders(cast_a)).content.decode()


def test_an_expired_award_checks_as_expired(client, cast_a, scheme_a):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        (award,) = more_awards(
            cast_a,
            scheme_a,
            1,
            name_prefix="Lapsed",
            awarded_on=today - timedelta(days=2000),
            expires_on=today - timedelta(days=10),
        )
    page = client.get(_verify(cast_a), {"code": award.verification_code}).content.decode()
    assert "This award has expired" in page
    assert (today - timedelta(days=10)).strftime("%-d %B %Y") in page


def test_verify_by_organisation_name(client, cast_a, scheme_a, award_a):
    page = client.get(_verify(cast_a), {"organisation": cast_a.organisation.name}).content.decode()
    assert "Current award" in page and "Bronze" in page
    with tenant_context(cast_a.tenant.id):
        more_awards(cast_a, scheme_a, 3, name_prefix="Wirral")
    page = client.get(_verify(cast_a), {"organisation": "wirral"}).content.decode()
    assert "3 organisations match “wirral”" in page
    for i in range(3):
        assert f"Wirral {i:03d} Trust" in page
    page = client.get(_verify(cast_a), {"organisation": "Nowhere Ltd"}).content.decode()
    assert "No organisation called “Nowhere Ltd” holds or has held an award" in page


def test_verify_by_organisation_id_from_the_list(client, cast_a, award_a):
    url = _verify(cast_a)
    page = client.get(url, {"organisation_id": str(cast_a.organisation.id)}).content.decode()
    assert "Current award" in page
    assert client.get(url, {"organisation_id": "not-a-uuid"}).status_code == 404
    other = str(cast_a.other_organisation.id)  # takes part, holds no award
    assert client.get(url, {"organisation_id": other}).status_code == 404


def test_the_verify_page_signed_in_works_too_and_is_not_shared_cached(
    client, login, cast_a, award_a
):
    login(cast_a.organisation_member)
    response = client.get(_verify(cast_a), {"code": award_a.verification_code})
    assert "Current award" in response.content.decode()
    assert "private" in response["Cache-Control"]
