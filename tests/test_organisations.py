"""Organisations: identifiers checked, the list searchable and filterable, roles enforced."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation, OrganisationType, Participation
from organisations.validators import (
    normalise_charity_number,
    normalise_companies_house_number,
    normalise_ods_code,
    normalise_postcode,
)
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests import factories


@pytest.mark.parametrize(
    ("value", "expected"), [("ry7", "RY7"), (" QYG ", "QYG"), ("RY7A1", "RY7A1")]
)
def test_ods_codes_are_normalised(value, expected):
    assert normalise_ods_code(value) == expected


@pytest.mark.parametrize("value", ["R7", "RY7A", "RY-7", "ABCDEFGHIJ", ""])
def test_wrong_ods_codes_are_refused(value):
    with pytest.raises(ValidationError, match="ODS code"):
        normalise_ods_code(value)


def test_an_nhs_trust_needs_a_three_character_r_or_t_code():
    assert normalise_ods_code("TAJ", organisation_type="nhs_trust") == "TAJ"
    with pytest.raises(ValidationError, match="starts with R or T"):
        normalise_ods_code("QYG", organisation_type="nhs_trust")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01234567", "01234567"),
        ("1234567", "01234567"),
        ("sc123456", "SC123456"),
        ("OC 301234", "OC301234"),
    ],
)
def test_companies_house_numbers_are_normalised(value, expected):
    assert normalise_companies_house_number(value) == expected


@pytest.mark.parametrize("value", ["123456789", "XX123456", "SC12345", "ABCDEFGH"])
def test_wrong_companies_house_numbers_are_refused(value):
    with pytest.raises(ValidationError, match="Companies House number"):
        normalise_companies_house_number(value)


def test_charity_numbers_and_postcodes():
    assert normalise_charity_number("1123456") == "1123456"
    with pytest.raises(ValidationError):
        normalise_charity_number("12AB")
    assert normalise_postcode("ch412ab") == "CH41 2AB"
    with pytest.raises(ValidationError):
        normalise_postcode("not a postcode")


@pytest.mark.django_db
def test_tenant_admin_adds_an_organisation_and_it_is_audited(cast_a, login):
    client = login(cast_a.tenant_admin)
    response = client.post(
        f"/t/{cast_a.tenant.slug}/organisations/new/",
        {
            "name": "Wirral Trust",
            "organisation_type": "nhs_trust",
            "ods_code": "ry7",
            "registered_postcode": "ch41 7ed",
            "size_band": "large",
        },
    )
    organisation = Organisation.objects.get(ods_code="RY7")
    assert response.status_code == 302
    assert response["Location"] == f"/t/{cast_a.tenant.slug}/organisations/{organisation.id}/"
    assert organisation.registered_postcode == "CH41 7ED"
    with tenant_context(cast_a.tenant.id):
        assert Participation.objects.filter(organisation=organisation).exists()
        assert AuditEvent.objects.filter(
            verb="participation.created", object_id__isnull=False
        ).exists()


@pytest.mark.django_db
def test_a_wrong_ods_or_companies_house_number_gets_a_clear_message_and_saves_nothing(
    cast_a, login
):
    client = login(cast_a.tenant_admin)
    before = Organisation.objects.count()
    response = client.post(
        f"/t/{cast_a.tenant.slug}/organisations/new/",
        {
            "name": "Wirral Trust",
            "organisation_type": "nhs_trust",
            "ods_code": "QYG1",
            "companies_house_number": "XX123",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "ODS code" in page and "Companies House number of 8 characters" in page
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_an_organisation_already_in_the_directory_is_reused_not_duplicated(cast_a, cast_b, login):
    factories.OrganisationFactory(
        name="Shared Trust", organisation_type="nhs_trust", ods_code="RY7"
    )
    client = login(cast_b.tenant_admin)
    response = client.post(
        f"/t/{cast_b.tenant.slug}/organisations/new/",
        {"name": "Shared Trust", "organisation_type": "nhs_trust", "ods_code": "RY7"},
    )
    assert response.status_code == 302
    assert Organisation.objects.filter(ods_code="RY7").count() == 1
    again = client.post(
        f"/t/{cast_b.tenant.slug}/organisations/new/",
        {"name": "Shared Trust", "organisation_type": "nhs_trust", "ods_code": "RY7"},
    )
    assert again.status_code == 200
    assert "already takes part in this programme" in again.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["assessor", "board_reporter", "organisation_admin", "organisation_member", "outsider"]
)
def test_only_tenant_admins_add_organisations(cast_a, login, role):
    client = login(getattr(cast_a, role))
    before = Organisation.objects.count()
    response = client.post(
        f"/t/{cast_a.tenant.slug}/organisations/new/",
        {"name": "Sneaky", "organisation_type": "vcse"},
    )
    assert response.status_code == 403
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_an_organisation_admin_edits_their_own_organisation_only(cast_a, login):
    client = login(cast_a.organisation_admin)
    own = f"/t/{cast_a.tenant.slug}/organisations/{cast_a.organisation.id}/edit/"
    other = f"/t/{cast_a.tenant.slug}/organisations/{cast_a.other_organisation.id}/edit/"
    response = client.post(own, {"name": "Renamed", "organisation_type": "vcse"})
    assert response.status_code == 302
    cast_a.organisation.refresh_from_db()
    assert cast_a.organisation.name == "Renamed"
    assert client.post(other, {"name": "Hijacked", "organisation_type": "vcse"}).status_code == 403
    cast_a.other_organisation.refresh_from_db()
    assert cast_a.other_organisation.name != "Hijacked"


@pytest.mark.django_db
def test_list_search_filter_and_pagination(cast_a, login):
    with tenant_context(cast_a.tenant.id):
        for n in range(30):
            factories.ParticipationFactory(
                tenant=cast_a.tenant,
                organisation=factories.OrganisationFactory(
                    name=f"Council {n:02}",
                    organisation_type=OrganisationType.LOCAL_AUTHORITY,
                    registered_postcode="CV1 2GN",
                ),
            )
    client = login(cast_a.board_reporter)
    url = f"/t/{cast_a.tenant.slug}/organisations/"
    page_one = client.get(url, {"organisation_type": "local_authority"})
    assert page_one.context["page_obj"].paginator.count == 30
    assert len(page_one.context["page_obj"].object_list) == 25
    page_two = client.get(url, {"organisation_type": "local_authority", "page": 2})
    assert [p.organisation.name for p in page_two.context["page_obj"]] == [
        f"Council {n}" for n in range(25, 30)
    ]
    assert client.get(url, {"q": "council 07"}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"place": "cv1"}).context["page_obj"].paginator.count == 30
    empty = client.get(url, {"q": "no such thing"})
    assert "No organisations match these filters" in empty.content.decode()


@pytest.mark.django_db
def test_list_runs_a_fixed_number_of_queries(cast_a, login):
    client = login(cast_a.tenant_admin)
    url = f"/t/{cast_a.tenant.slug}/organisations/"

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count_queries()
    with tenant_context(cast_a.tenant.id):
        for _ in range(20):
            factories.ParticipationFactory(tenant=cast_a.tenant)
    assert count_queries() == small


@pytest.mark.django_db
def test_another_tenants_organisation_is_not_found(cast_a, cast_b, login):
    client = login(cast_a.tenant_admin)
    response = client.get(f"/t/{cast_a.tenant.slug}/organisations/{cast_b.organisation.id}/")
    assert response.status_code == 404
    listed = client.get(f"/t/{cast_a.tenant.slug}/organisations/").content.decode()
    assert cast_b.organisation.name not in listed
    assert cast_a.organisation.name in listed


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("CH", {"CH41 2AB", "CH4 7HS"}),
        ("ch41", {"CH41 2AB"}),
        ("CH4", {"CH4 7HS"}),
        ("CW", {"CW1 2AB"}),
        ("CH41 2", {"CH41 2AB"}),
        ("", {"CH41 2AB", "CH4 7HS", "CW1 2AB"}),
    ],
)
def test_place_means_a_postcode_area_or_district(db, place, expected):
    from organisations.selectors import postcode_place_q

    for postcode in ("CH41 2AB", "CH4 7HS", "CW1 2AB"):
        factories.OrganisationFactory(registered_postcode=postcode)
    found = Organisation.objects.filter(postcode_place_q(place, field="registered_postcode"))
    assert set(found.values_list("registered_postcode", flat=True)) == expected
