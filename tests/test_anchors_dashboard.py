"""The performance dashboard: ranks, quartiles and the median on a small known data set,
sector peers, collective totals and their trend, disclosure (an anonymised member appears under
its label to everyone but its own organisation and the programme team), and a fixed number of
queries for 13 members × 20 metrics × 6 rounds."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anchors import services
from anchors.benchmarking import benchmark, quantile
from anchors.models import (
    MemberProfile,
    PillarMetric,
)
from anchors.selectors import member_list
from anchors.selectors.performance import dashboard, member_figures
from kvi.models import Metric
from kvi.value import proxy_set_load
from organisations.models import OrganisationType
from tenancy.context import tenant_context
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    bulk_dashboard_data,
    member,
    open_round,
    send_return,
)

pytestmark = pytest.mark.django_db

D = Decimal


# --- Benchmarking on known data -------------------------------------------------------------


def test_ranks_quartiles_and_spread_of_a_known_set():
    values = {"a": D(10), "b": D(20), "c": D(20), "d": D(40), "e": D(5)}
    higher = benchmark(values, "increase")
    assert {k: (s.rank, s.quartile, s.of) for k, s in higher.standings.items()} == {
        "d": (1, 1, 5),
        "b": (2, 2, 5),
        "c": (2, 2, 5),
        "a": (4, 4, 5),
        "e": (5, 4, 5),
    }
    assert (higher.median, higher.lower_quartile, higher.upper_quartile) == (D(20), D(10), D(20))
    assert higher.total == D(95) and higher.count == 5
    lower = benchmark(values, "decrease")
    assert {k: s.rank for k, s in lower.standings.items()} == {
        "e": 1,
        "a": 2,
        "b": 3,
        "c": 3,
        "d": 5,
    }
    assert lower.median == D(20)


def test_the_spread_of_an_even_set_interpolates():
    spread = benchmark({"w": D(1), "x": D(2), "y": D(3), "z": D(4)})
    assert (spread.median, spread.lower_quartile, spread.upper_quartile) == (
        D("2.5"),
        D("1.75"),
        D("3.25"),
    )
    assert quantile([D(7)], D("0.25")) == D(7)


def test_thirteen_members_fall_into_quartiles_of_three_three_three_and_four():
    values = {f"m{i}": D(100 - i) for i in range(13)}
    quartiles = [benchmark(values).standings[f"m{i}"].quartile for i in range(13)]
    assert quartiles == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4]


def test_no_figures_gives_an_empty_benchmark():
    empty = benchmark({})
    assert (empty.count, empty.median, empty.standings) == (0, None, {})


# --- The dashboard through the services -----------------------------------------------------


@pytest.fixture
def three_members(cast_a):
    """Members A (the cast's organisation, voluntary sector), B and C (NHS trusts; C chose
    anonymised), two accepted rounds and one return of round 2 not yet accepted."""
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
            period_end=date(2024, 3, 31),
        )
        send_return(cast_a, second, a, {"ANC-APPRENTICESHIPS": "6"})
        send_return(cast_a, second, b, {"ANC-APPRENTICESHIPS": "12"})
        send_return(cast_a, second, c, {"ANC-APPRENTICESHIPS": "100"}, accept=False)
        return charter, a, b, c, first, second


def _metric(charter, code):
    return PillarMetric.objects.get(charter=charter, metric__code=code)


def test_the_dashboard_ranks_benchmarks_and_totals_accepted_figures(cast_a, three_members):
    charter, a, b, c, first, second = three_members
    with tenant_context(cast_a.tenant.id):
        board = dashboard(
            tenant=cast_a.tenant,
            access=as_user(cast_a, cast_a.tenant_admin)["access"],
            charter=charter,
        )
        apprenticeships = _metric(charter, "ANC-APPRENTICESHIPS")
        members = {m.name: m for m in board.members}
        ma, mb, mc = (members[s.signatory.organisation.name] for s in (a, b, c))
        assert mc.named  # the programme team sees every member named
        bench = board.benchmarks[(apprenticeships.pk, first.pk)].overall
        assert {k: s.rank for k, s in bench.standings.items()} == {mb.key: 1, mc.key: 2, ma.key: 3}
        assert bench.median == D(7)
        assert board.standing(mc, apprenticeships.pk, first.pk).quartile == 3
        # Sector peers: B and C are NHS; A is compared with no one but itself.
        assert board.standing(mc, apprenticeships.pk, first.pk, peers=True).rank == 2
        assert board.standing(mc, apprenticeships.pk, first.pk, peers=True).of == 2
        assert board.standing(ma, apprenticeships.pk, first.pk, peers=True).rank == 1
        # Round 2: C's return is not accepted, so it is neither ranked nor counted.
        second_bench = board.benchmarks[(apprenticeships.pk, second.pk)].overall
        assert set(second_bench.standings) == {ma.key, mb.key}
        assert board.totals[apprenticeships.pk] == [(first, D(21)), (second, D(18))]
        assert _metric(charter, "ANC-LOCAL-SPEND-PCT").pk not in board.totals
        assert board.series(ma.key, apprenticeships.pk) == [(first, D(4)), (second, D(6))]
        assert board.series(mc.key, apprenticeships.pk) == [(first, D(7)), (second, None)]
        assert board.pillar_names["purchasing"] == "Purchasing locally and for social benefit"
        # No active proxy set: nothing is priced.
        assert [(v.reporting_round, v.gross) for v in board.value] == [
            (first, None),
            (second, None),
        ]


def test_the_collective_impact_is_monetised_with_the_active_proxy_set(cast_a, three_members):
    charter, _a, _b, _c, first, second = three_members
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        Metric.objects.filter(code="ANC-APPRENTICESHIPS").update(proxy_measure_code="APPRENTICE")
        Metric.objects.filter(code="ANC-LOCAL-SPEND-PCT").update(proxy_measure_code="APPRENTICE")
        proxy_set_load(
            **admin,
            uploaded_file=SimpleUploadedFile(
                "proxies.csv",
                b"Measure code,Unit,\xc2\xa3 per unit,Financial year,Deadweight %,Attribution %\n"
                b"APPRENTICE,person,2500,2023/24,20,0\n",
            ),
            name="Example proxies",
        )
        board = dashboard(tenant=cast_a.tenant, access=admin["access"], charter=charter)
        # 21 then 18 apprenticeships × £2,500, less 20% deadweight; the % metric is never priced.
        assert [(v.reporting_round, v.gross, v.net) for v in board.value] == [
            (first, D(52500), D(42000)),
            (second, D(45000), D(36000)),
        ]
        assert [m.quantity for m in board.value[0].priced] == [D(21)]


def test_an_anonymised_member_appears_under_its_label_to_other_members(cast_a, three_members):
    charter, a, b, c, first, _second = three_members
    with tenant_context(cast_a.tenant.id):
        label = MemberProfile.objects.get(signatory=c.signatory).anonymised_label
        c_name = c.signatory.organisation.name

        def names(user):
            access = as_user(cast_a, user)["access"]
            board = dashboard(tenant=cast_a.tenant, access=access, charter=charter)
            listed = member_list(tenant=cast_a.tenant, access=access, charter=charter)
            return board, {m.name for m in board.members}, {m.name for m in listed}

        for other in (a.admin, b.admin, cast_a.organisation_member, cast_a.assessor):
            board, on_board, listed = names(other)
            assert c_name not in on_board and label in on_board, other
            assert c_name not in listed and label in listed
            hidden = next(m for m in board.members if m.name == label)
            assert hidden.key == label and hidden.signatory_id is None and not hidden.named
            assert hidden.sector == "nhs"
            apprenticeships = _metric(charter, "ANC-APPRENTICESHIPS")
            assert board.standing(hidden, apprenticeships.pk, first.pk).rank == 2
            assert str(c.signatory.pk) not in {m.key for m in board.members}
        for insider in (c.admin, cast_a.tenant_admin):
            _board, on_board, listed = names(insider)
            assert c_name in on_board and label not in on_board
            assert c_name in listed
        # Without a person (the public, an API key): anonymised too.
        board = dashboard(tenant=cast_a.tenant, access=None, charter=charter)
        assert label in {m.name for m in board.members}


def test_a_member_sees_its_own_figures_over_rounds_including_unaccepted(cast_a, three_members):
    charter, a, _b, c, first, second = three_members
    with tenant_context(cast_a.tenant.id):
        apprenticeships = _metric(charter, "ANC-APPRENTICESHIPS")
        own = member_figures(
            tenant=cast_a.tenant, access=as_user(cast_a, c.admin)["access"], signatory=c.signatory
        )
        assert [(r, f.value if f else None) for r, f in own[apprenticeships.pk]] == [
            (first, D(7)),
            (second, D(100)),
        ]
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            member_figures(
                tenant=cast_a.tenant,
                access=as_user(cast_a, a.admin)["access"],
                signatory=c.signatory,
            )


# --- A fixed number of queries ---------------------------------------------------------------


def _queries_for_dashboard(cast, **sizes) -> tuple[int, object]:
    with tenant_context(cast.tenant.id):
        charter = bulk_dashboard_data(cast, **sizes)
        access = as_user(cast, cast.organisation_admin)["access"]
        with CaptureQueriesContext(connection) as queries:
            board = dashboard(tenant=cast.tenant, access=access, charter=charter)
            # Everything a page would read: every member's series, standings and totals.
            for m in board.members:
                for pm in board.pillar_metrics:
                    board.series(m.key, pm.pk)
                    for r in board.rounds:
                        board.standing(m, pm.pk, r.pk, peers=True)
            for pm in board.pillar_metrics:
                board.totals[pm.pk]
                str(pm.metric.name)
        return len(queries), board


def test_the_dashboard_reads_a_fixed_number_of_queries(cast_a, cast_b):
    small, small_board = _queries_for_dashboard(cast_a, members=2, metrics=2, rounds=1)
    large, board = _queries_for_dashboard(cast_b, members=13, metrics=20, rounds=6)
    assert len(board.members) == 13 and len(board.pillar_metrics) == 20 and len(board.rounds) == 6
    assert len(board.figures) == 13 * 20 * 6
    assert small == large <= 5
