"""Workforce counts: validation (all or nothing, problems by row, person-level data refused),
saving and replacing a period's return, representativeness against the local population, the
pages, who may upload, isolation and query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kvi.models import WorkforceReturn
from kvi.workforce import read_workforce_counts, workforce_return_save, workforce_shares
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tests import factories
from tests.test_kvi_feeds import COUNTS, access_of, make_local_area, save_return, upload

pytestmark = pytest.mark.django_db
D = Decimal
HEADER = b"category,group,wte\n"


def _problems(content: bytes) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        read_workforce_counts(upload(content))
    return refused.value.message_dict["file"]


def _url(cast, path="", organisation=None):
    organisation = organisation or cast.organisation
    return f"/t/{cast.tenant.slug}/kvis/organisations/{organisation.pk}/workforce/{path}"


def _count(cast, model=WorkforceReturn, **filters):
    with tenant_context(cast.tenant.id):
        return model.objects.filter(**filters).count()


# --- Reading a counts file ---------------------------------------------------------------------


def test_counts_are_read_with_their_total():
    counts = read_workforce_counts(upload(COUNTS))
    assert counts.total_wte == D("865.0")
    assert counts.counts["disability"] == {
        "Yes": D("41.2"),
        "No": D("790.0"),
        "Not declared": D("33.8"),
    }
    assert counts.counts["imd_quintile"]["Not known"] == D("24")
    assert counts.as_json()["ethnicity"]["Asian"] == "50"


def test_every_bad_row_is_named():
    problems = _problems(
        HEADER + b"disability,Yes,10\n"
        b"age,30-39,5\n"
        b"disability,No,ten\n"
        b"disability,Not declared,-1\n"
        b"imd_quintile,6,3\n"
        b"disability,Maybe,1\n"
        b"ethnicity,,2\n"
        b"disability,yes,4\n"
    )
    assert problems == [
        "Row 2, category: “age” is not a category we count: use disability, ethnicity, "
        "imd_quintile or imd_decile.",
        "Row 3, wte: Enter the WTE as a number, like 41.2 (found “ten”).",
        "Row 4, wte: The WTE cannot be negative (found -1).",
        "Row 5, group: “6” is not an IMD quintile: use a number from 1 (most deprived) to 5, "
        "or Not known.",
        "Row 6, group: “Maybe” is not a disability group: use Yes, No or Not declared.",
        "Row 7, group: Enter the group.",
        "Row 8, group: disability “Yes” is already counted on row 1.",
    ]


@pytest.mark.parametrize(
    "header", ["NHS number", "Name", "date_of_birth", "Postcode", "Employee Number", "email"]
)
def test_a_column_of_person_level_data_refuses_the_file(header):
    content = f"category,group,wte,{header}\ndisability,Yes,1,x\n".encode()
    problems = _problems(content)
    assert problems == [
        f"The file has a column “{header}” that looks like information about individual "
        "people. Upload counts only, with the columns category, group and wte: nothing was "
        "saved."
    ]


@pytest.mark.parametrize("group", ["CH41 2AB", "943 476 5919", "12/03/1980"])
def test_a_group_that_looks_like_a_person_is_refused(group):
    (problem,) = _problems(HEADER + f"ethnicity,{group},1\n".encode())
    assert problem.startswith(f"Row 1, group: “{group}” looks like information about a person")


def test_missing_and_unknown_columns_empty_files_and_disagreeing_totals_are_refused():
    assert _problems(b"category,wte,notes\ndisability,1,x\n") == [
        "The file has no group column.",
        "The file has a column “notes” that is not used: a counts file has only the columns "
        "category, group and wte.",
    ]
    assert _problems(b"") == ["The file is empty."]
    assert _problems(HEADER) == ["The file has no rows after the header."]
    (problem,) = _problems(HEADER + b"disability,Yes,10\ndisability,No,90\nethnicity,White,95\n")
    assert problem.startswith("The categories count different totals (disability 100 WTE, ")
    assert _problems(HEADER + b"disability,Yes,1\n" * 1001)[0].startswith(
        "The file has 1,001 rows."
    )


# --- Saving returns ------------------------------------------------------------------------------


def test_a_return_is_saved_and_the_same_file_again_changes_nothing(cast_a):
    workforce_return, outcome, _ = save_return(cast_a)
    assert outcome == "created"
    assert workforce_return.counts["disability"]["Yes"] == "41.2"
    assert workforce_return.total_wte == D("865")
    again, outcome, _ = save_return(cast_a, name="renamed.csv")
    assert (again.pk, outcome, again.file_name) == (
        workforce_return.pk,
        "unchanged",
        "workforce.csv",
    )
    assert _count(cast_a) == 1
    assert _count(cast_a, AuditEvent, verb__startswith="workforce_return.") == 1


def test_a_new_file_for_the_period_replaces_it_recording_old_and_new_totals(cast_a):
    first, _, _ = save_return(cast_a)
    bigger = (
        COUNTS.replace(b"disability,No,790.0", b"disability,No,800.0")
        .replace(b"ethnicity,White British,700", b"ethnicity,White British,710")
        .replace(b"imd_quintile,3,250", b"imd_quintile,3,260")
    )
    replaced, outcome, _ = save_return(cast_a, bigger, name="v2.csv")
    assert (replaced.pk, outcome, replaced.total_wte) == (first.pk, "replaced", D("875"))
    with tenant_context(cast_a.tenant.id):
        event = AuditEvent.objects.get(verb="workforce_return.replaced")
    assert event.changes["total_wte"] == ["865.000000", "875.0"]
    assert event.changes["file_name"] == ["workforce.csv", "v2.csv"]
    # Another period is another return.
    save_return(cast_a, period=date(2022, 5, 1))
    assert _count(cast_a) == 2


def test_a_refused_file_saves_nothing_and_only_admins_upload(cast_a):
    with pytest.raises(ValidationError):
        save_return(cast_a, HEADER + b"disability,Yes,abc\n")
    for who in (cast_a.organisation_member, cast_a.tenant_admin, cast_a.board_reporter):
        with tenant_context(cast_a.tenant.id), pytest.raises(PermissionDenied):
            workforce_return_save(
                tenant=cast_a.tenant,
                actor=who,
                access=access_of(cast_a, who),
                organisation=cast_a.organisation,
                period=date(2022, 4, 1),
                uploaded_file=upload(COUNTS),
            )
    assert _count(cast_a) == 0


# --- Representativeness ------------------------------------------------------------------------

POPULATION = {
    "disability": {"Yes": "20.0", "No": "80.0"},
    "ethnicity": {"White British": "90.0", "Asian": "4.0", "Black": "2.5"},
    "imd_quintile": {"1": "32.4", "2": "20", "3": "18", "4": "15", "5": "14.6"},
}


def test_shares_are_compared_with_the_local_population(cast_a):
    workforce_return, _, _ = save_return(cast_a)
    shares = {c.category: c for c in workforce_shares(workforce_return, POPULATION)}
    yes = shares["disability"].groups[0]
    # 41.2 of 865 WTE = 4.763%; 20% of the population: 15.2 points under, a ratio of 0.24.
    assert (yes.group, yes.percent, yes.population_percent) == ("Yes", D("4.8"), D("20.0"))
    assert (yes.gap, yes.ratio) == (D("-15.2"), D("0.24"))
    not_declared = shares["disability"].groups[2]
    assert (not_declared.population_percent, not_declared.gap) == (None, None)
    asian = next(g for g in shares["ethnicity"].groups if g.group == "Asian")
    assert (asian.percent, asian.gap, asian.ratio) == (D("5.8"), D("1.8"), D("1.45"))
    quintile_1 = shares["imd_quintile"].groups[0]
    assert (quintile_1.group, quintile_1.percent, quintile_1.gap) == ("1", D("13.9"), D("-18.5"))
    assert all(c.has_population for c in shares.values())
    assert not any(c.has_population for c in workforce_shares(workforce_return, {}))


def test_deciles_are_compared_as_quintiles_when_the_population_is_by_quintile(cast_a):
    deciles = HEADER + b"imd_decile,1,10\nimd_decile,2,20\nimd_decile,3,70\n"
    workforce_return, _, _ = save_return(cast_a, deciles)
    quintiles, deciles_shares = workforce_shares(workforce_return, POPULATION)
    assert deciles_shares.category == "imd_decile" and not deciles_shares.has_population
    assert quintiles.label.endswith("(worked out from the deciles)")
    first = quintiles.groups[0]
    assert (first.group, first.wte, first.percent, first.gap) == ("1", D(30), D("30.0"), D("-2.4"))
    assert [g.group for g in quintiles.groups] == ["1", "2", "3", "4", "5"]


# --- Pages ---------------------------------------------------------------------------------------


def test_the_organisation_admin_uploads_counts_and_sees_representativeness(cast_a, login):
    make_local_area(cast_a, population=POPULATION)
    client = login(cast_a.organisation_admin)
    assert client.get(_url(cast_a, "upload/")).status_code == 200
    response = client.post(
        _url(cast_a, "upload/"), {"month": "4", "year": "2022", "file": upload(COUNTS)}
    )
    with tenant_context(cast_a.tenant.id):
        workforce_return = WorkforceReturn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, f"{workforce_return.pk}/")
    assert workforce_return.period == date(2022, 4, 1)
    page = client.get(response["Location"]).content.decode()
    assert "Workforce counts for April 2022 saved." in page
    for fact in ("Workforce from April 2022", "865", "4.8%", "20.0%", "-15.2", "0.24", "Asian"):
        assert fact in page, fact
    assert "no local population figures set" not in page
    listing = client.get(_url(cast_a)).content.decode()
    assert "April 2022" in listing and "1 return" in listing


def test_without_population_figures_the_page_says_so(cast_a, login):
    make_local_area(cast_a)
    workforce_return, _, _ = save_return(cast_a)
    page = login(cast_a.board_reporter).get(_url(cast_a, f"{workforce_return.pk}/"))
    assert page.status_code == 200
    assert "no local population figures set" in page.content.decode()


def test_a_bad_file_shows_its_rows_on_the_form_and_saves_nothing(cast_a, login):
    client = login(cast_a.organisation_admin)
    response = client.post(
        _url(cast_a, "upload/"),
        {
            "month": "4",
            "year": "2022",
            "file": upload(HEADER + b"disability,Yes,abc\nreligion,None,3\n"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Row 1, wte: Enter the WTE as a number, like 41.2 (found “abc”)." in page
    assert "Row 2, category: “religion” is not a category we count" in page
    assert _count(cast_a) == 0
    response = client.post(_url(cast_a, "upload/"), {"month": "", "year": "twenty"})
    page = response.content.decode()
    assert "Choose the month the counts are for." in page
    assert "Enter the year as four digits, like 2022." in page
    assert "Choose the file of workforce counts." in page


def _other_org_admin(cast):
    user = factories.UserFactory()
    with tenant_context(cast.tenant.id):
        factories.MembershipFactory(
            tenant=cast.tenant,
            user=user,
            role=Role.ORGANISATION_ADMIN,
            organisation=cast.other_organisation,
        )
    return user


@pytest.mark.parametrize(
    "who",
    ["organisation_member", "board_reporter", "tenant_admin", "other_org_admin", "outsider", "b"],
)
def test_only_the_organisation_admin_may_upload(cast_a, cast_b, login, who):
    user = {"other_org_admin": _other_org_admin(cast_a), "b": cast_b.organisation_admin}.get(
        who
    ) or getattr(cast_a, who)
    client = login(user)
    assert client.get(_url(cast_a, "upload/")).status_code == 403
    response = client.post(
        _url(cast_a, "upload/"), {"month": "4", "year": "2022", "file": upload(COUNTS)}
    )
    assert response.status_code == 403
    assert _count(cast_a) == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organisation_member", 200),
        ("board_reporter", 200),
        ("other_org_admin", 403),
        ("outsider", 403),
        ("b", 403),
    ],
)
def test_who_may_see_the_returns(cast_a, cast_b, login, who, status):
    workforce_return, _, _ = save_return(cast_a)
    user = {"other_org_admin": _other_org_admin(cast_a), "b": cast_b.tenant_admin}.get(
        who
    ) or getattr(cast_a, who)
    client = login(user)
    assert client.get(_url(cast_a)).status_code == status
    assert client.get(_url(cast_a, f"{workforce_return.pk}/")).status_code == status


def test_tenant_b_cannot_reach_tenant_a_returns_through_its_own_address(cast_a, cast_b, login):
    workforce_return, _, _ = save_return(cast_a)
    client = login(cast_b.tenant_admin)
    b_base = f"/t/{cast_b.tenant.slug}/kvis/organisations/"
    assert client.get(f"{b_base}{cast_a.organisation.pk}/workforce/").status_code == 404
    own = f"{b_base}{cast_b.organisation.pk}/workforce/{workforce_return.pk}/"
    assert client.get(own).status_code == 404


def test_the_list_takes_the_same_number_of_queries_whatever_its_length(
    cast_a, login, django_assert_max_num_queries
):
    client = login(cast_a.organisation_admin)
    counts = []
    for months in ((4,), (5, 6, 7, 8, 9)):
        for month in months:
            save_return(cast_a, period=date(2022, month, 1), name=f"m{month}.csv")
        with django_assert_max_num_queries(15) as queries:
            page = client.get(_url(cast_a))
        assert page.status_code == 200
        counts.append(len(queries))
    assert "6 returns" in page.content.decode()
    assert counts[0] == counts[1]
