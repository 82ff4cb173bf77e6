"""The reporting demo: Wirral's mid-year report for its public board of 19 October 2022 (with a
quarterly schedule to the board reporter), Cheshire and Merseyside's system report and the first
Anchor Assembly's pack, each with a first PDF asked for; safe to run again."""

from datetime import date

import pytest

from anchors import demo as anchors_demo
from awards import demo as awards_demo
from charters import demo as charters_demo
from kvi import demo as kvi_demo
from reporting import demo as reporting_demo
from reporting.models import Report, ReportKind, ReportSchedule, ReportVersion
from tenancy import demo as tenancy_demo
from tenancy.context import tenant_context
from tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def test_the_demo_prepares_three_papers_and_is_safe_to_run_again(monkeypatch):
    # The PDFs themselves are produced by the worker (tests/test_reporting_pdf.py renders them).
    monkeypatch.setattr("reporting.services._queue", lambda version: None)
    tenancy_demo.build_demo()
    charters_demo.build_demo()
    kvi_demo.build_demo()
    awards_demo.build_demo()
    anchors_demo.build_demo()
    reporting_demo.build_demo()
    reporting_demo.build_demo()
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    with tenant_context(tenant.id):
        reports = {r.kind: r for r in Report.objects.filter(tenant=tenant)}
        assert set(reports) == {ReportKind.ORGANISATION, ReportKind.SYSTEM, ReportKind.ASSEMBLY}
        wirral = reports[ReportKind.ORGANISATION]
        assert wirral.organisation.ods_code == "RY7"
        assert (wirral.meeting, wirral.meeting_date, wirral.agenda_item) == (
            "Public board",
            date(2022, 10, 19),
            "12",
        )
        assert wirral.lead_director == "Anthony Bennett, Chief Strategy Officer"
        assert wirral.action_required == "Assure"
        assert len(wirral.chart_kvi_ids) == 3
        assert reports[ReportKind.ASSEMBLY].assembly.held_on == date(2023, 7, 12)
        assert ReportVersion.objects.filter(tenant=tenant).count() == 3
        schedule = ReportSchedule.objects.get(tenant=tenant)
        assert schedule.report == wirral
        assert schedule.recipient.email == "board.reporter@demo.example"
