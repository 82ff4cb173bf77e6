"""The reads behind the round and return pages: who may see a return and change it, the
return's page data, the round's returns with counts, the pillars with their priorities."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anchors import services
from anchors.selectors import (
    current_version,
    outstanding_returns,
    pillars_with_priorities,
    return_detail,
    return_get_for_user,
    round_list,
    round_returns,
)
from tenancy.context import tenant_context
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    member,
    open_round,
    return_of,
    send_return,
)

pytestmark = pytest.mark.django_db


def test_who_may_see_and_change_a_return(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        other = member(cast_a, charter)
        member_return = return_of(open_round(cast_a, charter), m.signatory)

        def get(user):
            return return_get_for_user(
                tenant=cast_a.tenant, access=as_user(cast_a, user)["access"], pk=member_return.pk
            )

        assert get(m.admin) == (member_return, True)
        assert get(cast_a.organisation_member) == (member_return, False)
        assert get(cast_a.tenant_admin) == (member_return, False)
        for user in (other.admin, cast_a.assessor, cast_a.outsider):
            with pytest.raises(PermissionDenied):
                get(user)
        assert set(outstanding_returns(tenant=cast_a.tenant, charter=charter)) == {
            member_return,
            return_of(member_return.round, other.signatory),
        }


def test_the_return_page_and_round_page_data(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        other = member(cast_a, charter)
        reporting_round = open_round(cast_a, charter)
        member_return = send_return(
            cast_a, reporting_round, m, {"ANC-APPRENTICESHIPS": "4"}, accept=False
        )
        figure = member_return.figures.get()
        services.figure_query_raise(**admin, figure=figure, text="Only four?")
        member_return, _can_edit = return_get_for_user(
            tenant=cast_a.tenant, access=admin["access"], pk=member_return.pk
        )
        with CaptureQueriesContext(connection) as queries:
            detail = return_detail(tenant=cast_a.tenant, member_return=member_return)
        assert len(queries) == 6
        assert [p.code for p in detail.pillars][:1] == ["purchasing"]
        workforce = {
            line.pillar_metric.metric.code: line.figure
            for line in detail.lines_by_pillar["workforce"]
        }
        assert (
            workforce["ANC-APPRENTICESHIPS"] == figure and workforce["ANC-LOCAL-EMPLOYED"] is None
        )
        assert detail.narratives == {"purchasing": "We moved more spend to local firms."}
        assert [q.text for q in detail.open_queries] == ["Only four?"]

        rounds = list(round_list(tenant=cast_a.tenant, charter=charter))
        assert [(r.return_count, r.queried_count, r.not_started_count) for r in rounds] == [
            (2, 1, 1)
        ]
        returns = {
            r.signatory_id: (r.figure_count, r.open_queries)
            for r in round_returns(
                tenant=cast_a.tenant, access=admin["access"], reporting_round=reporting_round
            )
        }
        assert returns == {m.signatory.pk: (1, 1), other.signatory.pk: (0, 0)}
        with pytest.raises(PermissionDenied):
            round_returns(
                tenant=cast_a.tenant,
                access=as_user(cast_a, m.admin)["access"],
                reporting_round=reporting_round,
            )


def test_pillars_with_their_priorities(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        version = current_version(tenant=cast_a.tenant, charter=charter)
        pillars = pillars_with_priorities(tenant=cast_a.tenant, version=version)
        assert [p.code for p in pillars] == [
            "purchasing",
            "buildings",
            "workforce",
            "partners",
            "environment",
        ]
        workforce = next(p for p in pillars if p.code == "workforce")
        assert [p.code for p in workforce.priority_list] == [
            "real-living-wage",
            "employ-locally-first",
            "apprenticeships",
        ]
