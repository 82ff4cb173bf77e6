"""The anchors demo: Cheshire and Merseyside's Anchor Institution Charter with 13 member
institutions across sectors (two anonymised), three reporting rounds with accepted returns and
the first Anchor Assembly on 12 July 2023; safe to run again."""

from datetime import date

import pytest

from anchors import demo as anchors_demo
from anchors.demo_data import ANCHOR_TITLE
from anchors.models import (
    Assembly,
    AssemblyAction,
    AssemblyAttendee,
    MemberProfile,
    MemberReturn,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)
from anchors.selectors.performance import dashboard
from charters import demo as charters_demo
from charters.models import Charter, CharterKind, Signatory, SignatoryStatus
from organisations.models import Participation, sector_of
from tenancy import demo as tenancy_demo
from tenancy.context import tenant_context
from tenancy.models import Tenant
from tenancy.permissions import tenant_access_for

pytestmark = pytest.mark.django_db


def _build():
    tenancy_demo.build_demo()
    charters_demo.build_demo()
    anchors_demo.build_demo()


def _counts(tenant):
    with tenant_context(tenant.id):
        return {
            model.__name__: model.objects.count()
            for model in (
                Charter,
                Signatory,
                MemberProfile,
                ReportingRound,
                MemberReturn,
                ReturnFigure,
                Assembly,
                AssemblyAttendee,
                AssemblyAction,
                Participation,
            )
        }


def test_anchor_demo_builds_the_charter_members_rounds_and_assembly():
    _build()
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    first = _counts(tenant)
    anchors_demo.build_demo()
    assert _counts(tenant) == first  # idempotent
    assert first["Participation"] == 87  # the institutions were already taking part

    with tenant_context(tenant.id):
        charter = Charter.objects.get(kind=CharterKind.ANCHOR)
        assert charter.title == ANCHOR_TITLE
        version = charter.versions.get()
        assert version.status == "published"
        assert version.endorsing_body == "Cheshire and Merseyside Health and Care Partnership"
        assert version.endorsed_on.year == 2021

        members = list(
            Signatory.objects.filter(charter=charter, status=SignatoryStatus.SIGNED)
            .select_related("organisation", "anchor_profile")
            .order_by("signed_on")
        )
        assert len(members) == 13
        sectors = {sector_of(m.organisation.organisation_type) for m in members}
        assert {"nhs", "public", "voluntary", "private"} <= sectors
        assert sum(m.anchor_profile.disclosure == "anonymised" for m in members) == 2
        wirral = next(m for m in members if m.organisation.ods_code == "RY7")
        assert wirral.signed_on == date(2022, 9, 15)
        assert all(m.signed_on < date(2022, 10, 3) for m in members)  # before the first round

        rounds = list(ReportingRound.objects.filter(charter=charter).order_by("period_start"))
        assert [r.name for r in rounds] == ["2022/23 H1", "2022/23 H2", "2023/24 H1"]
        for reporting_round in rounds:
            assert reporting_round.status == RoundStatus.CLOSED
            returns = MemberReturn.objects.filter(round=reporting_round)
            assert returns.count() == 13
            assert set(returns.values_list("status", flat=True)) == {ReturnStatus.ACCEPTED}
            assert all(r.submitted_at.date() < date(2024, 1, 1) for r in returns)
        assert MemberReturn.objects.filter(submitted_late=True).count() == 1

        assembly = Assembly.objects.get(charter=charter)
        assert assembly.held_on == date(2023, 7, 12)
        assert assembly.round.name == "2022/23 H2"
        assert assembly.minutes and "Progress" in assembly.agenda
        attendees = list(assembly.attendees.all())
        assert len([a for a in attendees if a.signatory_id]) == 11
        assert any(a.signatory_id is None for a in attendees)  # a guest
        actions = list(assembly.actions.all())
        assert len(actions) == 4
        assert {a.status for a in actions} == {"open", "done"}
        assert all(a.due_on >= assembly.held_on for a in actions)

        # The collective impact grows round on round.
        board = dashboard(
            tenant=tenant,
            access=tenant_access_for(user=_admin(), tenant=tenant),
            charter=charter,
        )
        spend = next(pm for pm in board.pillar_metrics if pm.metric.code == "ANC-LOCAL-SPEND")
        totals = [total for _round, total in board.totals[spend.pk]]
        assert totals == sorted(totals) and totals[0] > 0
        assert all(board.benchmarks[(spend.pk, r.pk)].overall.count == 13 for r in board.rounds)


def _admin():
    from accounts.models import User

    return User.objects.get(email="tenant.admin@demo.example")


def test_demo_pack_shows_anonymised_members_by_label():
    """The first assembly's progress pack (a PDF board report of the reporting app), as the
    programme team prepares it from the assembly's page."""
    from reporting import services as report_services
    from reporting.content import report_inputs
    from reporting.documents import report_html
    from reporting.models import ReportKind

    _build()
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    with tenant_context(tenant.id):
        assembly = Assembly.objects.get(held_on=date(2023, 7, 12))
        hidden = list(
            MemberProfile.objects.filter(disclosure="anonymised").select_related(
                "signatory__organisation"
            )
        )
        admin = _admin()
        pack = report_services.report_create(
            tenant=tenant,
            actor=admin,
            access=tenant_access_for(user=admin, tenant=tenant),
            kind=ReportKind.ASSEMBLY,
            assembly=assembly,
            title="Anchor Assembly progress pack: 12 July 2023",
        )
        inputs = report_inputs(pack)
    assert inputs["data"]["impact"]["round"]["name"] == "2022/23 H2"
    assert inputs["data"]["anonymised_count"] == 2
    text = report_html(inputs)
    assert "Wirral Community Health and Care NHS Foundation Trust" in text
    assert "2022/23 H2" in text and "2 members chose to be anonymised" in text
    for profile in hidden:
        assert profile.anonymised_label in text
        # Named neither in the figures nor elsewhere in the pack (an action an anonymised
        # member owns shows its label).
        assert profile.signatory.organisation.name not in text
