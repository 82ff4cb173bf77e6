"""The anchor dashboard pages: benchmarking per metric and round (rank, quartile, median,
sector peers), the collective impact and its trend, each member's figures over the rounds, the
CSV/XLSX download, disclosure everywhere (an anonymised member appears in other members'
benchmarks under its label, never its name), who is refused, and a fixed number of queries for
13 members × 20 metrics × 6 rounds."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from anchors import services
from anchors.models import MemberProfile
from organisations.models import Organisation, OrganisationType
from tenancy.context import tenant_context
from tests import factories
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    bulk_dashboard_data,
    member,
    open_round,
    send_return,
)

pytestmark = pytest.mark.django_db


def _url(cast, charter, suffix="dashboard/"):
    return f"/t/{cast.tenant.slug}/anchors/{charter.slug}/{suffix}"


@pytest.fixture
def board_a(cast_a):
    return build_board(cast_a)


def build_board(cast_a):
    """Members A (the cast's organisation, voluntary), B and C (NHS trusts; C anonymised), two
    accepted rounds; C's second return is submitted but not accepted."""
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        a = member(cast_a, charter, cast_a.organisation)
        b = member(cast_a, charter, sector_type=OrganisationType.NHS_TRUST)
        c = member(cast_a, charter, sector_type=OrganisationType.NHS_TRUST)
        services.member_profile_update(
            **as_user(cast_a, c.admin), signatory=c.signatory, disclosure="anonymised"
        )
        first = open_round(cast_a, charter)
        send_return(cast_a, first, a, {"ANC-APPRENTICESHIPS": "4", "ANC-LOCAL-SPEND-PCT": "20"})
        send_return(cast_a, first, b, {"ANC-APPRENTICESHIPS": "10", "ANC-LOCAL-SPEND-PCT": "11"})
        send_return(cast_a, first, c, {"ANC-APPRENTICESHIPS": "7", "ANC-LOCAL-SPEND-PCT": "15"})
        second = open_round(
            cast_a,
            charter,
            name="2023/24 H2",
            period_start=date(2023, 10, 1),
            period_end=date(2023, 3, 31).replace(year=2024),
        )
        send_return(cast_a, second, a, {"ANC-APPRENTICESHIPS": "6"})
        send_return(cast_a, second, b, {"ANC-APPRENTICESHIPS": "12"})
        send_return(cast_a, second, c, {"ANC-APPRENTICESHIPS": "100"}, accept=False)
        # Distinct names, so that no name is part of another ("Organisation 3" of "... 31").
        for m, name in ((a, "Alder Health Charity"), (b, "Birch Hospital"), (c, "Cedar Trust")):
            Organisation.objects.filter(pk=m.signatory.organisation_id).update(name=name)
            m.signatory.organisation.refresh_from_db()
        label = MemberProfile.objects.get(signatory=c.signatory).anonymised_label
        apprenticeships = charter.anchor_metrics.get(metric__code="ANC-APPRENTICESHIPS")
        return {
            "charter": charter,
            "a": a,
            "b": b,
            "c": c,
            "first": first,
            "second": second,
            "label": label,
            "c_name": c.signatory.organisation.name,
            "apprenticeships": apprenticeships,
        }


def _choose(data, round_key="first"):
    return {"round": str(data[round_key].pk), "metric": str(data["apprenticeships"].pk)}


def test_the_programme_team_sees_ranks_medians_peers_and_the_collective_total(
    client, login, cast_a, board_a
):
    login(cast_a.tenant_admin)
    response = client.get(_url(cast_a, board_a["charter"]), _choose(board_a))
    assert response.status_code == 200
    page = response.content.decode()
    benchmark = page[page.index('id="benchmark"') : page.index('id="sector-peers"')]
    # B 10, C 7, A 4 apprenticeships: ranked best first, every member named for the team.
    names = [board_a[k].signatory.organisation.name for k in ("b", "c", "a")]
    positions = [benchmark.index(name) for name in names]
    assert positions == sorted(positions)
    assert "1 of 3" in benchmark and "3 of 3" in benchmark
    assert board_a["label"] not in page
    spread = page[page.index('id="benchmark-spread"') :]
    assert "Median" in spread and ">7<" in spread.replace("</dd>", "<")
    # Sector peers: C ranks 2 of 2 among NHS trusts.
    assert "2 of 2" in benchmark
    assert "NHS" in page[page.index('id="sector-peers"') :]
    # The collective total by round: 21 then 18 apprenticeships (C's round-2 figure not yet
    # accepted), with the change and the KVI engine's SVG charts.
    collective = page[page.index('id="collective"') : page.index('id="collective-charts"')]
    assert ">21<" in collective and ">18<" in collective and "-3" in collective
    assert 'class="spc-chart"' in page and 'class="anchor-bars"' in page
    assert 'role="img"' in page


def test_a_member_sees_its_own_standing_and_the_download_links(client, login, cast_a, board_a):
    login(board_a["a"].admin)
    page = client.get(_url(cast_a, board_a["charter"]), _choose(board_a)).content.decode()
    own = page[page.index('id="own-standing"') :]
    assert board_a["a"].signatory.organisation.name in own
    assert "3 of 3" in own and "1 of 1" in own  # last overall, alone among voluntary peers
    assert "dashboard.csv" in page and "dashboard.xlsx" in page


def test_an_anonymised_member_appears_under_its_label_in_pages_and_exports(
    client, login, cast_a, board_a
):
    """Must hold: a member that chose "anonymised" appears in other members' benchmarks without
    its name, in pages and exports."""
    charter, label, c_name = board_a["charter"], board_a["label"], board_a["c_name"]
    c_id = str(board_a["c"].signatory.pk)
    for other in (
        board_a["a"].admin,
        board_a["b"].admin,
        cast_a.organisation_member,
        cast_a.assessor,
    ):
        client.logout()
        login(other)
        page = client.get(_url(cast_a, charter), _choose(board_a)).content.decode()
        benchmark = page[page.index('id="benchmark"') : page.index('id="sector-peers"')]
        assert label in benchmark and "2 of 3" in benchmark
        assert c_name not in page and c_id not in page
        assert label in page[page.index('id="benchmark-chart"') :]  # the chart's bars too
        # Its figures page is not found by id.
        assert client.get(_url(cast_a, charter, f"members/{c_id}/figures/")).status_code == 404
        # Exports.
        text = client.get(_url(cast_a, charter, "dashboard.csv")).content.decode()
        rows = list(csv.reader(io.StringIO(text)))
        assert any(label in row for row in rows)
        assert c_name not in text and c_id not in text
        book = load_workbook(
            io.BytesIO(client.get(_url(cast_a, charter, "dashboard.xlsx")).content)
        )
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        assert label in cells and not any(c_name in c or c_id in c for c in cells)
    # Its own people and the programme team see its name.
    for insider in (board_a["c"].admin, cast_a.tenant_admin):
        client.logout()
        login(insider)
        page = client.get(_url(cast_a, charter), _choose(board_a)).content.decode()
        assert c_name in page and label not in page
        assert client.get(_url(cast_a, charter, f"members/{c_id}/figures/")).status_code == 200


def test_a_member_sees_its_figures_over_rounds_including_those_not_yet_accepted(
    client, login, cast_a, board_a
):
    charter, c = board_a["charter"], board_a["c"]
    login(c.admin)
    response = client.get(_url(cast_a, charter, f"members/{c.signatory.pk}/figures/"))
    page = response.content.decode()
    table = page[page.index('id="member-figures"') :]
    assert ">100<" not in table and "100" in table and "Submitted" in table
    assert "2 of 3" in table  # round 1: rank among all members
    assert 'class="spc-chart"' in page


def test_another_member_sees_a_named_member_s_accepted_figures_only(client, login, cast_a, board_a):
    charter, b = board_a["charter"], board_a["b"]
    login(board_a["a"].admin)
    page = client.get(_url(cast_a, charter, f"members/{b.signatory.pk}/figures/")).content.decode()
    assert b.signatory.organisation.name in page
    assert "1 of 3" in page and "Submitted" not in page


def test_refused_people_and_other_tenants(client, login, cast_a, cast_b, board_a):
    charter = board_a["charter"]
    urls = [
        _url(cast_a, charter),
        _url(cast_a, charter, "dashboard.csv"),
        _url(cast_a, charter, "dashboard.xlsx"),
        _url(cast_a, charter, f"members/{board_a['b'].signatory.pk}/figures/"),
    ]
    for user in (cast_a.outsider, cast_b.tenant_admin, cast_b.organisation_admin):
        client.logout()
        login(user)
        for url in urls:
            assert client.get(url).status_code in (403, 404), (user, url)
    client.logout()
    assert client.get(urls[0]).status_code == 302  # signed out: to the sign-in page
    # Tenant B's own admin, under tenant B's address, does not find tenant A's charter.
    login(cast_b.tenant_admin)
    assert client.get(_url(cast_b, charter)).status_code == 404


def test_unknown_and_non_anchor_charters_are_not_found(client, login, cast_a, board_a):
    login(cast_a.tenant_admin)
    social_value = factories.published_charter(cast_a)
    assert client.get(_url(cast_a, social_value)).status_code == 404
    assert client.get(f"/t/{cast_a.tenant.slug}/anchors/no-such/dashboard/").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert (
        client.get(_url(cast_a, board_a["charter"], f"members/{missing}/figures/")).status_code
        == 404
    )


def test_a_bad_choice_is_explained_and_the_page_still_shows(client, login, cast_a, board_a):
    login(cast_a.tenant_admin)
    response = client.get(
        _url(cast_a, board_a["charter"]), {"round": "nonsense", "metric": "also-nonsense"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose a reporting round from the list" in page
    assert "Choose a metric from the list" in page
    assert 'id="benchmark-heading"' in page  # the defaults are shown


def test_a_charter_without_rounds_shows_an_empty_state(client, login, cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
    login(cast_a.organisation_member)
    page = client.get(_url(cast_a, charter)).content.decode()
    assert 'id="no-rounds"' in page
    text = client.get(_url(cast_a, charter, "dashboard.csv")).content.decode()
    assert text.splitlines()[0].startswith("Round,")


def test_the_export_neutralises_formulas_and_keeps_numbers(client, login, cast_a, board_a):
    Organisation.objects.filter(pk=board_a["b"].signatory.organisation_id).update(
        name="=HYPERLINK(1)"
    )
    login(cast_a.tenant_admin)
    response = client.get(_url(cast_a, board_a["charter"], "dashboard.csv"))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    b_rows = [
        row
        for row in rows
        if len(row) > 8 and row[6] == "'=HYPERLINK(1)" and row[3] == "ANC-APPRENTICESHIPS"
    ]
    assert b_rows and b_rows[0][8] == "10" and b_rows[0][9] == "1"
    book = load_workbook(
        io.BytesIO(client.get(_url(cast_a, board_a["charter"], "dashboard.xlsx")).content)
    )
    assert book.sheetnames == ["Figures", "Collective totals", "Monetised value"]
    values = [
        row
        for row in book["Figures"].iter_rows(values_only=True)
        if row[6] == "'=HYPERLINK(1)" and row[3] == "ANC-APPRENTICESHIPS"
    ]
    assert values and values[0][8] == 10


# --- A fixed number of queries ---------------------------------------------------------------


def _page_queries(client, login, cast, **sizes) -> tuple[list[int], int]:
    with tenant_context(cast.tenant.id):
        charter = bulk_dashboard_data(cast, **sizes)
        signatory_id = (
            charter.signatories.order_by("organisation__name")
            .filter(anchor_profile__disclosure="named")
            .values_list("pk", flat=True)
            .first()
        )
    login(cast.tenant_admin)
    counts = []
    size = 0
    for suffix in (
        "dashboard/",
        "dashboard.csv",
        "dashboard.xlsx",
        f"members/{signatory_id}/figures/",
    ):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(cast, charter, suffix))
        assert response.status_code == 200
        counts.append(len(queries))
        size += len(response.content)
    return counts, size


def test_the_dashboard_pages_run_a_fixed_number_of_queries(client, login, cast_a, cast_b):
    """Must hold: the dashboard for 13 members × 20 metrics × 6 rounds renders with a fixed
    number of queries (the same as for 2 members × 2 metrics × 1 round)."""
    small, _ = _page_queries(client, login, cast_a, members=2, metrics=2, rounds=1)
    client.logout()
    large, large_size = _page_queries(client, login, cast_b, members=13, metrics=20, rounds=6)
    assert small == large
    # The page itself reads 6 (the charter, then the dashboard's 5); the rest are the session,
    # the tenant, roles, two-factor and the navigation, read by every page.
    assert large[0] <= 20 and large[3] <= 25, large
    assert large_size > 10_000
