"""An Anchor Assembly's progress pack from the assembly's page (/t/<tenant>/reports/assemblies/
<id>/pack/): the programme team prepares it once (a confirmation, then a draft assembly report)
and is taken to it after that; a board reporter may too; an organisation's admins and
members are refused with a clear message and nothing changes; another programme's assembly is
not found. And what the printable page of the anchors app used to show, now in the PDF pack's
inputs: a pack before any accepted return, and a fixed number of queries however many members
and assemblies."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anchors import services as anchor_services
from reporting.content import report_inputs
from reporting.documents import report_html
from reporting.models import Report, ReportKind
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests import anchors_builders as ab
from tests.reporting_builders import report

pytestmark = pytest.mark.django_db

TITLE = "Anchor Assembly progress pack: 12 July 2023"
REFUSED = "You do not have permission to see or prepare the Anchor Assembly progress pack."


def _url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _assembly(cast, held_on=date(2023, 7, 12), title="First Anchor Assembly", charter=None):
    with tenant_context(cast.tenant.id):
        return anchor_services.assembly_create(
            **ab.as_user(cast, cast.tenant_admin),
            charter=charter or ab.anchor_charter(cast),
            held_on=held_on,
            title=title,
        )


def _reports(cast) -> list[Report]:
    with tenant_context(cast.tenant.id):
        return list(Report.objects.order_by("created_at"))


# --- Preparing the pack ------------------------------------------------------------------------


def test_the_programme_team_prepares_the_pack_then_is_taken_to_it(client, login, cast_a):
    assembly = _assembly(cast_a)
    pack = _url(cast_a, "report_assembly_pack", assembly.pk)
    assert pack == f"/t/{cast_a.tenant.slug}/reports/assemblies/{assembly.pk}/pack/"
    login(cast_a.tenant_admin)

    page = _page(client.get(pack))
    assert "<h1" in page and "Prepare the progress pack</h1>" in page
    assert "This assembly has no progress pack yet." in page
    assert TITLE in page
    assert re.search(r'<button class="nhsuk-button"[^>]*>Prepare the progress pack</button>', page)
    assert f'href="{_url(cast_a, "anchor_assembly_detail", assembly.pk)}">Cancel</a>' in page
    assert _reports(cast_a) == []  # looking changes nothing

    response = client.post(pack)
    [made] = _reports(cast_a)
    assert response.status_code == 302
    assert response.url == _url(cast_a, "report_edit", made.pk)
    assert made.kind == ReportKind.ASSEMBLY
    assert made.assembly_id == assembly.pk and made.organisation_id is None
    assert made.title == TITLE
    assert made.meeting == "First Anchor Assembly"
    assert made.meeting_date == date(2023, 7, 12)
    assert made.created_by_id == cast_a.tenant_admin.pk
    with tenant_context(cast_a.tenant.id):
        assert AuditEvent.objects.filter(verb="report.created", object_id=str(made.pk)).exists()
    assert f"{TITLE} started." in _page(client.get(response.url))

    # The second visit goes to the pack; pressing the button again makes no second one.
    response = client.get(pack)
    assert response.status_code == 302
    assert response.url == _url(cast_a, "report_detail", made.pk)
    response = client.post(pack)
    assert response.status_code == 302
    assert response.url == _url(cast_a, "report_detail", made.pk)
    assert _reports(cast_a) == [made]


def test_a_pack_started_from_the_reports_page_is_the_one_opened(client, login, cast_a):
    assembly = _assembly(cast_a)
    # Another assembly's pack is not this one's.
    other = _assembly(cast_a, date(2024, 1, 17), "Second", charter=assembly.charter)
    with tenant_context(cast_a.tenant.id):
        older = report(cast_a, kind=ReportKind.ASSEMBLY, assembly=assembly, title="Old pack")
        newer = report(cast_a, kind=ReportKind.ASSEMBLY, assembly=assembly, title="New pack")
        Report.objects.filter(pk=older.pk).update(created_at=newer.created_at - timedelta(days=1))
    login(cast_a.board_reporter)
    response = client.get(_url(cast_a, "report_assembly_pack", assembly.pk))
    assert response.status_code == 302
    assert response.url == _url(cast_a, "report_detail", newer.pk)
    page = _page(client.get(_url(cast_a, "report_assembly_pack", other.pk)))
    assert "Anchor Assembly progress pack: 17 January 2024" in page


def test_a_board_reporter_may_prepare_the_pack(client, login, cast_a):
    assembly = _assembly(cast_a)
    login(cast_a.board_reporter)
    pack = _url(cast_a, "report_assembly_pack", assembly.pk)
    assert "Prepare the progress pack" in _page(client.get(pack))
    response = client.post(pack)
    [made] = _reports(cast_a)
    assert response.url == _url(cast_a, "report_edit", made.pk)
    assert made.created_by_id == cast_a.board_reporter.pk and made.title == TITLE
    assert client.get(pack).url == _url(cast_a, "report_detail", made.pk)


@pytest.mark.parametrize("role", ["organisation_admin", "organisation_member", "assessor"])
def test_others_are_refused_with_a_clear_message_and_nothing_changes(client, login, cast_a, role):
    assembly = _assembly(cast_a)
    pack = _url(cast_a, "report_assembly_pack", assembly.pk)
    login(getattr(cast_a, role))
    for response in (client.get(pack), client.post(pack)):
        assert response.status_code == 403
        assert REFUSED in response.content.decode()
    assert _reports(cast_a) == []
    # Nor are they taken to a pack once the programme team has prepared it.
    with tenant_context(cast_a.tenant.id):
        report(cast_a, kind=ReportKind.ASSEMBLY, assembly=assembly, title=TITLE)
    for response in (client.get(pack), client.post(pack)):
        assert response.status_code == 403
    assert len(_reports(cast_a)) == 1


def test_another_programmes_assembly_is_not_found(client, login, cast_a, cast_b):
    assembly = _assembly(cast_a)
    # Bravo's admin on Bravo's address with Alpha's assembly: not found, nothing made.
    login(cast_b.tenant_admin)
    for response in (
        client.get(_url(cast_b, "report_assembly_pack", assembly.pk)),
        client.post(_url(cast_b, "report_assembly_pack", assembly.pk)),
    ):
        assert response.status_code == 404
    # On Alpha's address they have no role; nor does an outsider.
    assert client.get(_url(cast_a, "report_assembly_pack", assembly.pk)).status_code == 403
    login(cast_a.outsider)
    assert client.post(_url(cast_a, "report_assembly_pack", assembly.pk)).status_code == 403
    assert _reports(cast_a) == [] and _reports(cast_b) == []
    # An unknown assembly: not found.
    login(cast_a.tenant_admin)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(_url(cast_a, "report_assembly_pack", unknown)).status_code == 404
    # Signed out: to the sign-in page.
    client.logout()
    response = client.get(_url(cast_a, "report_assembly_pack", assembly.pk))
    assert response.status_code == 302 and "login" in response.url


# --- What the pack shows (once the printable page's) -------------------------------------------


def test_a_pack_before_any_accepted_return_says_so(cast_a):
    assembly = _assembly(cast_a)
    with tenant_context(cast_a.tenant.id):
        anchor_services.assembly_action_add(
            **ab.as_user(cast_a, cast_a.tenant_admin),
            assembly=assembly,
            text="Agree a shared social value weighting",
            owner_name="Programme team",
        )
        inputs = report_inputs(
            report(cast_a, kind=ReportKind.ASSEMBLY, assembly=assembly, title=TITLE)
        )
    data = inputs["data"]
    assert data["impact"] is None and data["members"] == [] and data["anonymised_count"] == 0
    assert [a["text"] for a in data["open_actions"]] == ["Agree a shared social value weighting"]
    html = report_html(inputs)
    assert "No return had been accepted by the data freeze." in html
    assert "No member's return had been accepted by the data freeze." in html
    assert "Agree a shared social value weighting" in html


def _count_queries(paper) -> int:
    with CaptureQueriesContext(connection) as captured:
        report_inputs(paper)
    return len(captured)


def test_the_pack_runs_a_fixed_number_of_queries(cast_a):
    """The same number of queries with 2 members and 2 assemblies as with 7 and 6."""
    with tenant_context(cast_a.tenant.id):
        admin = ab.as_user(cast_a, cast_a.tenant_admin)
        charter = ab.anchor_charter(cast_a)
        members = [ab.member(cast_a, charter, cast_a.organisation), ab.member(cast_a, charter)]
        anchor_services.member_profile_update(
            **ab.as_user(cast_a, members[1].admin),
            signatory=members[1].signatory,
            disclosure="anonymised",
        )
        reviewed = ab.open_round(cast_a, charter)
        for n, m in enumerate(members):
            ab.send_return(cast_a, reviewed, m, {"ANC-APPRENTICESHIPS": str(n + 4)})

        def assemblies(start, count, owners):
            made = []
            for n in range(count):
                assembly = anchor_services.assembly_create(
                    **admin,
                    charter=charter,
                    held_on=start + timedelta(days=182 * n),
                    title=f"Anchor Assembly {start.year}-{n + 1}",
                )
                for m in owners:
                    anchor_services.assembly_action_add(
                        **admin,
                        assembly=assembly,
                        text=f"Report on local spend ({m.signatory.organisation.name})",
                        owner_signatory=m.signatory,
                        owner_name="Lead",
                    )
                made.append(assembly)
            return made

        measured = assemblies(date(2023, 7, 12), 2, members)[-1]
        paper = report(cast_a, kind=ReportKind.ASSEMBLY, assembly=measured, title=TITLE)
        paper = Report.objects.select_related("tenant", "assembly__charter").get(pk=paper.pk)
        few = _count_queries(paper)

        more = [ab.member(cast_a, charter) for _ in range(5)]
        anchor_services.round_returns_add_missing(**admin, reporting_round=reviewed)
        for n, m in enumerate(more):
            ab.send_return(cast_a, reviewed, m, {"ANC-APPRENTICESHIPS": str(n + 2)})
        # Earlier than the measured assembly: their open actions are carried to it.
        assemblies(date(2021, 1, 5), 4, members + more)
        paper = Report.objects.select_related("tenant", "assembly__charter").get(pk=paper.pk)
        many = _count_queries(paper)
        data = report_inputs(paper)["data"]
    assert many == few
    assert few <= 25
    assert len(data["members"]) == 7 and data["anonymised_count"] == 1
    assert len(data["open_actions"]) == 2 + 2 + 7 * 4
    assert any(
        line["rank"].endswith("of 7") for p in data["members"][0]["pillars"] for line in p["lines"]
    )
