"""A board report's inputs (reporting.content.report_inputs): what each kind of report holds,
the data freeze (figures entered or corrected after it do not change the inputs), a bounded
number of queries, and tenant isolation."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anchors import services as anchor_services
from awards.models import Award
from charters.models import Signatory
from kvi import services as kvi_services
from kvi.models import Kvi, Measurement
from kvi.services import KviInput
from reporting.content import inputs_sha256, report_inputs
from reporting.models import ReportingSettings, ReportKind
from tenancy.context import tenant_context
from tests import anchors_builders as ab
from tests import factories
from tests.award_held_builders import more_awards
from tests.awards_builders import open_scheme
from tests.reporting_builders import (
    as_user,
    backdate,
    kvi_setup,
    many_kvis,
    months,
    report,
    standard_figures,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _rows(inputs) -> dict:
    return {row["code"]: row for theme in inputs["data"]["kvis"]["themes"] for row in theme["rows"]}


@pytest.fixture
def setup_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_setup(cast_a)
        standard_figures(setup)
        yield setup


# --- An organisation's report --------------------------------------------------------------


def test_organisation_inputs_hold_the_cover_sheet_framework_kvis_charts_and_value(cast_a, setup_a):
    with tenant_context(cast_a.tenant.id):
        ReportingSettings.objects.create(
            tenant=cast_a.tenant, actions=["Approve", "Discuss", "Assure", "Note", "Information"]
        )
        paper = report(
            cast_a,
            chart_kvi_ids=[str(setup_a.kvis["SPEND"].pk)],
            narratives={"Economic": "Local spend is up.", "Unused": ""},
        )
        inputs = report_inputs(paper)
    assert json.loads(json.dumps(inputs)) == inputs  # JSON-safe
    cover = inputs["report"]
    assert cover["kind"] == "organisation"
    assert cover["organisation"] == cast_a.organisation.name
    assert cover["tenant"] == cast_a.tenant.name
    assert cover["meeting"] == "Public board"
    assert cover["meeting_date_text"] == "19 October 2022"
    assert cover["period_end_text"] == "30 September 2022"
    assert cover["lead_director"] == "Anthony Bennett, Chief Strategy Officer"
    assert cover["action_required"] == "Assure"
    assert cover["action_choices"][-1] == "Information"
    assert cover["narratives"] == {"Economic": "Local spend is up."}

    data = inputs["data"]
    framework = data["framework"]
    assert framework["name"] == "Social value framework"
    assert [t["name"] for t in framework["themes"]] == ["Economic", "Wellbeing"]
    assert framework["themes"][1]["subthemes"][0]["metrics"] == [
        {"code": "CRISIS", "name": "Crisis responses", "own": False},
        {"code": "VOLUNTEER", "name": "Volunteer hours", "own": False},
    ]

    kvis = data["kvis"]
    assert (kvis["financial_year"], kvis["previous_financial_year"]) == ("2022/23", "2021/22")
    assert [t["name"] for t in kvis["themes"]] == ["Economic", "Wellbeing"]
    assert kvis["themes"][0]["narrative"] == "Local spend is up."
    rows = _rows(inputs)
    spend = rows["SPEND"]
    assert (spend["previous_year"], spend["year_to_date"]) == ("10%", "13%")
    assert spend["target"] == "18% in 2022/23"
    assert (spend["status"], spend["status_label"]) == ("off_track", "Off track")
    assert spend["variation"] in ("improvement_high", "common_cause")
    assert rows["HOURS"]["year_to_date"] == "480 hours"  # six months of 80, summed
    assert rows["HOURS"]["previous_year"] == "960 hours"

    [chart] = data["charts"]
    assert chart["code"] == "SPEND" and chart["unit"] == "%"
    assert len(chart["spc"]["points"]) == 18
    assert Decimal(chart["spc"]["points"][-1]["value"]) == 13

    assert data["standing"]["charters"] == [] and data["standing"]["awards"] == []
    assert data["anchor_return"] is None
    value = data["value"]
    assert value["proxy_set"] is None and value["themes"] == []
    assert {line["kvi"] for line in value["unpriced"]} == {
        "CRISIS 50 crisis responses a month",
        "HOURS 1,000 volunteer hours a year",
    }


def test_the_same_data_gives_the_same_inputs(cast_a, setup_a):
    with tenant_context(cast_a.tenant.id):
        paper = report(cast_a, chart_kvi_ids=[str(k.pk) for k in setup_a.kvis.values()])
        first = report_inputs(paper)
        second = report_inputs(paper)
    assert first == second
    assert inputs_sha256(first) == inputs_sha256(second)


def test_standing_shows_charters_awards_and_anchor_membership_with_dates(cast_a, setup_a):
    charter = factories.published_charter(cast_a, title="Social Value Charter")
    with tenant_context(cast_a.tenant.id):
        from charters import services as charter_services

        signatory = charter_services.charter_sign(
            **as_user(cast_a, cast_a.organisation_admin),
            version=charter.versions.get(status="published"),
            organisation=cast_a.organisation,
            data=factories.signing_input("Buy local"),
        )
        charter_services.signatory_decide(
            **as_user(cast_a, cast_a.tenant_admin), signatory=signatory, decision="approve"
        )
        anchor = ab.anchor_charter(cast_a)
        ab.join(cast_a, anchor)
        Signatory.objects.filter(tenant=cast_a.tenant).update(
            signed_on=date(2022, 9, 15), approved_on=date(2022, 9, 20)
        )
        scheme = open_scheme(cast_a)
        [award] = more_awards(cast_a, scheme, 1)
        Award.objects.filter(pk=award.pk).update(
            organisation=cast_a.organisation,
            awarded_on=date(2021, 3, 10),
            expires_on=date(2026, 3, 10),
        )
        # Signed after the period end: not in the paper's standing.
        late = factories.published_charter(cast_a, title="Prevention Pledge")
        inputs = report_inputs(report(cast_a))
    standing = inputs["data"]["standing"]
    assert [(c["charter"], c["signed_on_text"], c["is_anchor"]) for c in standing["charters"]] == [
        ("Cheshire and Merseyside Anchor Institution Charter", "15 September 2022", True),
        ("Social Value Charter", "15 September 2022", False),
    ]
    assert late.title not in json.dumps(inputs)
    [held] = standing["awards"]
    assert (held["awarded_on_text"], held["status"], held["current"]) == (
        "10 March 2021",
        "Held",
        True,
    )
    assert standing["anchor_member"] is True


def test_the_organisations_latest_accepted_anchor_return_is_shown_against_the_pillars(cast_a):
    with tenant_context(cast_a.tenant.id):
        anchor = ab.anchor_charter(cast_a)
        me = ab.member(cast_a, anchor, cast_a.organisation)
        first = ab.open_round(
            cast_a, anchor, name="2022/23 H1", period_start=date(2022, 4, 1),
            period_end=date(2022, 9, 30),
        )  # fmt: skip
        ab.send_return(cast_a, first, me, {"ANC-ESTATE-HOURS": "120"})
        later = ab.open_round(
            cast_a, anchor, name="2022/23 H2", period_start=date(2022, 10, 1),
            period_end=date(2023, 3, 31),
        )  # fmt: skip
        ab.send_return(cast_a, later, me, {"ANC-ESTATE-HOURS": "999"})
        inputs = report_inputs(report(cast_a))
    ret = inputs["data"]["anchor_return"]
    assert ret["round"]["name"] == "2022/23 H1"  # the round ending by the period end
    buildings = next(p for p in ret["pillars"] if p["code"] == "buildings")
    assert buildings["lines"][0] == {
        "metric": "Community use of the estate (hours)",
        "value": "120 hours",
    }
    purchasing = next(p for p in ret["pillars"] if p["code"] == "purchasing")
    assert purchasing["narrative"] == "We moved more spend to local firms."


def test_a_proxy_set_in_force_at_the_freeze_prices_the_year_to_date(cast_a, setup_a):
    from kvi.value import proxy_set_load

    with tenant_context(cast_a.tenant.id):
        metric = setup_a.metrics["VOLUNTEER"]
        metric.proxy_measure_code = "VOL-HOUR"
        metric.save()
        csv = (
            "measure_code,unit,financial_year,value_per_unit,deadweight_pct,attribution_pct\n"
            "VOL-HOUR,hour,2022/23,10.00,10,0\n"
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        proxy_set_load(
            **as_user(cast_a, cast_a.tenant_admin),
            name="Test proxies",
            uploaded_file=SimpleUploadedFile("proxies.csv", csv.encode()),
            source="Made up",
            licence="None",
        )
        inputs = report_inputs(report(cast_a))
    value = inputs["data"]["value"]
    assert value["proxy_set"] == "Test proxies v1"
    [theme] = value["themes"]
    assert theme["name"] == "Wellbeing"
    assert theme["lines"][0]["quantity"] == "480 hours"
    assert (theme["gross"], theme["net"]) == ("£4,800", "£4,320")
    assert value["total_gross"] == "£4,800"


# --- The data freeze ---------------------------------------------------------------------------


def test_figures_entered_or_corrected_after_the_freeze_do_not_change_the_inputs(cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_setup(cast_a)
        for period in months(date(2022, 4, 1), 5):  # April - August 2022
            setup.record("SPEND", period, numerator=D(130), denominator=D(1000))
            setup.record("HOURS", period, value=D(80))
        april_hours = Measurement.objects.get(kvi=setup.kvis["HOURS"], period=date(2022, 4, 1))
        draft = kvi_services.measurement_record(
            **as_user(cast_a, cast_a.organisation_member),
            kvi=setup.kvis["CRISIS"],
            period=date(2022, 4, 1),
            value=D(99),
        )
        pending = setup.record("CRISIS", date(2022, 5, 1), validate=False, value=D(60))
        backdate(cast_a.tenant, days=10)
        freeze = timezone.localdate() - timedelta(days=5)
        paper = report(cast_a, data_freeze_date=freeze, chart_kvi_ids=[str(setup.kvis["SPEND"].pk)])
        before = report_inputs(paper)

        # After the freeze: a new figure, a correction, a draft submitted, a figure returned,
        # a changed target and a new KVI.
        setup.record("SPEND", date(2022, 9, 1), numerator=D(500), denominator=D(1000))
        setup.correct(april_hours, value=D(800))
        kvi_services.measurement_submit(
            **as_user(cast_a, cast_a.organisation_member), measurement=draft
        )
        kvi_services.measurement_return(
            **as_user(cast_a, cast_a.organisation_admin), measurement=pending, reason="Check"
        )
        org_admin = as_user(cast_a, cast_a.organisation_admin)
        spend = Kvi.objects.select_related("metric").get(pk=setup.kvis["SPEND"].pk)
        kvi_services.kvi_update(
            **org_admin,
            kvi=spend,
            data=KviInput(
                code=spend.code,
                title="25% of spend with local firms",
                metric=spend.metric,
                frequency="monthly",
                target_value=D("25"),
                target_financial_year="2022/23",
            ),
        )
        kvi_services.kvi_create(
            **org_admin,
            organisation=cast_a.organisation,
            data=KviInput(
                code="NEW", title="A KVI set after the freeze", metric=setup.metrics["CRISIS"],
                frequency="monthly",
            ),
        )  # fmt: skip
        after = report_inputs(paper)
        # The same report frozen today sees all of it (so the comparison above is not vacuous).
        today = report_inputs(report(cast_a, data_freeze_date=timezone.localdate()))

    assert after == before
    rows = _rows(before)
    assert rows["SPEND"]["year_to_date"] == "13%" and rows["SPEND"]["target"] == "18% in 2022/23"
    assert rows["HOURS"]["year_to_date"] == "400 hours"
    assert rows["CRISIS"]["year_to_date"] == "60 people"  # the draft did not count
    now = _rows(today)
    assert now["SPEND"]["year_to_date"] == "19.17%"  # 1,150 of 6,000
    assert now["SPEND"]["target"] == "25% in 2022/23"
    assert now["HOURS"]["year_to_date"] == "1,120 hours"
    assert now["CRISIS"]["year_to_date"] == "99 people"  # submitted; the returned one is out
    assert "NEW" in now


def test_anchor_returns_accepted_after_the_freeze_are_left_out(cast_a):
    with tenant_context(cast_a.tenant.id):
        anchor = ab.anchor_charter(cast_a)
        me = ab.member(cast_a, anchor, cast_a.organisation)
        other = ab.member(cast_a, anchor)
        reporting_round = ab.open_round(
            cast_a, anchor, name="2022/23 H1", period_start=date(2022, 4, 1),
            period_end=date(2022, 9, 30),
        )  # fmt: skip
        ab.send_return(cast_a, reporting_round, me, {"ANC-ESTATE-HOURS": "100"})
        ab.send_return(cast_a, reporting_round, other, {"ANC-ESTATE-HOURS": "50"}, accept=False)
        from anchors.models import MemberReturn

        MemberReturn.objects.filter(tenant=cast_a.tenant).update(
            accepted_at=timezone.now() - timedelta(days=10)
        )
        freeze = timezone.localdate() - timedelta(days=5)
        system = report(cast_a, kind=ReportKind.SYSTEM, organisation=None, data_freeze_date=freeze)
        before = report_inputs(system)
        anchor_services.return_accept(
            **as_user(cast_a, cast_a.tenant_admin),
            member_return=ab.return_of(reporting_round, other.signatory),
        )
        after = report_inputs(system)
    assert after == before
    [impact] = before["data"]["anchor_impact"]
    assert impact["members_reporting"] == 1
    estate = next(
        m for p in impact["pillars"] for m in p["metrics"] if m["code"] == "ANC-ESTATE-HOURS"
    )
    assert estate["total"] == "100 hours"


# --- Queries -----------------------------------------------------------------------------------


def _queries(paper) -> int:
    with CaptureQueriesContext(connection) as captured:
        report_inputs(paper)
    return len(captured)


@pytest.mark.parametrize("kind", [ReportKind.ORGANISATION, ReportKind.SYSTEM])
def test_the_number_of_queries_does_not_grow_with_the_number_of_kvis(cast_a, setup_a, kind):
    with tenant_context(cast_a.tenant.id):
        few = many_kvis(setup_a, 2)
        paper = report(
            cast_a,
            kind=kind,
            organisation=cast_a.organisation if kind == ReportKind.ORGANISATION else None,
            chart_kvi_ids=[str(k.pk) for k in few],
        )
        paper = type(paper).objects.select_related("tenant", "organisation").get(pk=paper.pk)
        handful = _queries(paper)
        more = many_kvis(setup_a, 40, organisation=cast_a.organisation)
        more_org = factories.ParticipationFactory(tenant=cast_a.tenant).organisation
        many_kvis(setup_a, 10, organisation=more_org)
        paper.chart_kvi_ids = [str(k.pk) for k in few + more[:10]]
        paper.save()
        many = _queries(paper)
        inputs = report_inputs(paper)
    assert many == handful
    assert many <= 25
    if kind == ReportKind.ORGANISATION:
        assert inputs["data"]["kvis"]["count"] == 3 + 2 + 40
        assert len(inputs["data"]["charts"]) == 12
    else:
        assert inputs["data"]["kvi_totals"]["totals"]["kvis"] == 3 + 2 + 40 + 10


# --- Tenant isolation --------------------------------------------------------------------------


def test_a_report_never_includes_another_tenants_rows_even_when_ids_are_mixed(
    cast_a, cast_b, setup_a
):
    with tenant_context(cast_b.tenant.id):
        setup_b = kvi_setup(cast_b)
        setup_b.kvis["SPEND"].title = "BRAVO SECRET KVI"
        setup_b.kvis["SPEND"].save()
        setup_b.record("SPEND", date(2022, 4, 1), numerator=D(1), denominator=D(2))
        b_ids = [str(k.pk) for k in setup_b.kvis.values()]
    with tenant_context(cast_a.tenant.id):
        mixed = report(cast_a, chart_kvi_ids=[str(setup_a.kvis["SPEND"].pk), *b_ids])
        own = report_inputs(mixed)
        # Tenant A's report pointed at tenant B's organisation finds none of B's KVIs.
        crossed = report_inputs(report(cast_a, organisation=cast_b.organisation))
        system = report_inputs(report(cast_a, kind=ReportKind.SYSTEM, organisation=None))
    assert [c["code"] for c in own["data"]["charts"]] == ["SPEND"]
    for inputs in (own, crossed, system):
        text = json.dumps(inputs)
        assert "BRAVO SECRET KVI" not in text
        assert not any(b_id in text for b_id in b_ids)
    # The organisations directory is shared: only the report's own heading names B's.
    assert crossed["data"]["kvis"]["count"] == 0 and crossed["data"]["framework"] is not None
    assert cast_b.organisation.name not in json.dumps(own)
    assert cast_b.organisation.name not in json.dumps(system)


# --- System report -----------------------------------------------------------------------------


def test_system_inputs_hold_signatories_awards_anchor_impact_kvi_totals_and_value(cast_a, setup_a):
    charter = factories.published_charter(cast_a, title="Social Value Charter")
    with tenant_context(cast_a.tenant.id):
        from charters import services as charter_services

        for organisation in (cast_a.organisation, cast_a.other_organisation):
            admin = ab.person(cast_a, "organisation_admin", organisation)
            signatory = charter_services.charter_sign(
                **as_user(cast_a, admin),
                version=charter.versions.get(status="published"),
                organisation=organisation,
                data=factories.signing_input("Buy local"),
            )
            charter_services.signatory_decide(
                **as_user(cast_a, cast_a.tenant_admin), signatory=signatory, decision="approve"
            )
        Signatory.objects.filter(organisation=cast_a.organisation).update(
            signed_on=date(2021, 5, 1)
        )
        Signatory.objects.filter(organisation=cast_a.other_organisation).update(
            signed_on=date(2022, 8, 1)
        )
        scheme = open_scheme(cast_a)
        soon, later = more_awards(cast_a, scheme, 2)
        Award.objects.filter(pk=soon.pk).update(
            awarded_on=date(2018, 1, 1), expires_on=date(2023, 1, 31)
        )
        Award.objects.filter(pk=later.pk).update(
            awarded_on=date(2021, 1, 1), expires_on=date(2026, 1, 1)
        )
        anchor = ab.anchor_charter(cast_a)
        me = ab.member(cast_a, anchor, cast_a.organisation)
        first = ab.open_round(
            cast_a, anchor, name="2021/22 H2", period_start=date(2021, 10, 1),
            period_end=date(2022, 3, 31),
        )  # fmt: skip
        ab.send_return(cast_a, first, me, {"ANC-ESTATE-HOURS": "80"})
        second = ab.open_round(
            cast_a, anchor, name="2022/23 H1", period_start=date(2022, 4, 1),
            period_end=date(2022, 9, 30),
        )  # fmt: skip
        ab.send_return(cast_a, second, me, {"ANC-ESTATE-HOURS": "100"})
        inputs = report_inputs(report(cast_a, kind=ReportKind.SYSTEM, organisation=None))
    data = inputs["data"]
    [social] = [
        c for c in data["signatories"]["charters"] if c["charter"] == "Social Value Charter"
    ]
    assert social["total"] == 2
    assert [(y["year"], y["quarters"], y["cumulative"]) for y in social["by_year"]] == [
        ("2021/22", [1, 0, 0, 0], 1),
        ("2022/23", [0, 1, 0, 0], 2),
    ]
    assert sum(row["count"] for row in social["by_sector"]) == 2
    awards = data["awards"]
    assert awards["held_total"] == 2
    assert [a["organisation"] for a in awards["expiring"]] == [soon.organisation.name]
    assert awards["expiring"][0]["expires_on_text"] == "31 January 2023"
    [impact] = data["anchor_impact"]
    assert impact["round"]["name"] == "2022/23 H1"
    assert impact["previous_round"]["name"] == "2021/22 H2"
    estate = next(
        m for p in impact["pillars"] for m in p["metrics"] if m["code"] == "ANC-ESTATE-HOURS"
    )
    assert (estate["total"], estate["previous_total"], estate["change"]) == (
        "100 hours",
        "80 hours",
        "+20 hours",
    )
    totals = data["kvi_totals"]
    assert totals["financial_year"] == "2022/23"
    assert totals["totals"]["kvis"] == 3
    assert [o["name"] for o in totals["organisations"]] == [cast_a.organisation.name]
    assert {t["name"]: t["kvis"] for t in totals["themes"]} == {"Economic": 1, "Wellbeing": 2}
    assert data["value"]["by_organisation"] == []


# --- Anchor Assembly pack --------------------------------------------------------------------


def test_assembly_inputs_hold_the_pack_as_the_public_sees_it(cast_a):
    with tenant_context(cast_a.tenant.id):
        anchor = ab.anchor_charter(cast_a)
        named = ab.member(cast_a, anchor, cast_a.organisation)
        hidden = ab.member(cast_a, anchor)
        anchor_services.member_profile_update(
            **as_user(cast_a, hidden.admin), signatory=hidden.signatory, disclosure="anonymised"
        )
        reporting_round = ab.open_round(cast_a, anchor)
        ab.send_return(cast_a, reporting_round, named, {"ANC-ESTATE-HOURS": "100"})
        ab.send_return(cast_a, reporting_round, hidden, {"ANC-ESTATE-HOURS": "40"})
        admin = as_user(cast_a, cast_a.tenant_admin)
        assembly = anchor_services.assembly_create(
            **admin, charter=anchor, held_on=date(2023, 12, 12), title="Second Anchor Assembly"
        )
        anchor_services.assembly_action_add(
            **admin, assembly=assembly, text="Share the pipeline", owner_signatory=hidden.signatory,
            owner_name="Hidden Person",
        )  # fmt: skip
        anchor_services.assembly_action_add(
            **admin, assembly=assembly, text="Write the report", owner_name="Ann Chair"
        )
        label = hidden.signatory.anchor_profile.anonymised_label
        hidden_name = hidden.signatory.organisation.name
        paper = report(
            cast_a, kind=ReportKind.ASSEMBLY, organisation=None, assembly=assembly,
            title="Anchor Assembly pack",
        )  # fmt: skip
        inputs = report_inputs(paper)
    data = inputs["data"]
    # Disclosure as the public sees it: the anonymised member under its label only, without its
    # narrative or its owner's name; named members first.
    assert hidden_name not in json.dumps(inputs)
    assert "Hidden Person" not in json.dumps(inputs)
    assert [(m["name"], m["named"]) for m in data["members"]] == [
        (cast_a.organisation.name, True),
        (label, False),
    ]
    assert label.startswith("Member ")
    assert data["anonymised_count"] == 1
    named_entry, anonymised = data["members"]
    assert all(not p["narrative"] for p in anonymised["pillars"])
    assert [p["narrative"] for p in named_entry["pillars"] if p["narrative"]] == [
        "We moved more spend to local firms."
    ]
    # Each member's figure and rank among the members reporting the metric (more is better).
    reported = {
        m["name"]: (line["value"], line["rank"])
        for m in data["members"]
        for p in m["pillars"]
        for line in p["lines"]
        if line["value"] != "—"
    }
    assert reported == {
        cast_a.organisation.name: ("100 hours", "1 of 2"),
        label: ("40 hours", "2 of 2"),
    }
    # The collective impact of the round reviewed: only the metric reported has a total.
    assert data["impact"]["round"]["name"] == reporting_round.name
    assert data["impact"]["previous_round"] is None
    assert data["impact"]["members_reporting"] == 2
    totals = {
        m["code"]: m["total"] for p in data["impact"]["pillars"] for m in p["metrics"] if m["total"]
    }
    assert totals == {"ANC-ESTATE-HOURS": "140 hours"}
    # Open actions: an anonymised member owns an action under its label.
    assert [(a["text"], a["owner"], a["from"]) for a in data["open_actions"]] == [
        ("Share the pipeline", label, "This assembly"),
        ("Write the report", "Ann Chair", "This assembly"),
    ]
