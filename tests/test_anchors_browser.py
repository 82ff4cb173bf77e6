"""The Anchor Institution Charter's must-hold journey in a real browser (issue 7): the tenant
admin makes and opens a reporting round on the programme team's round pages; a member's
organisation admin enters its figures and a narrative, adds one evidence file and sends the
return; the tenant admin queries one figure on the review page; the member answers and corrects
it; the tenant admin accepts the return; and the performance dashboard ranks the member on that
metric, its collective total including the corrected figure.

The charter, its pillar metrics and its members are set up by the services (their pages are
tested in test_anchor_admin_pages and test_anchor_member_pages), and so is the second member's
accepted return, so that a rank means something. People sign in by session cookie (the sign-in
itself is tested in test_browser.py); Celery runs eagerly in the tests."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from anchors.models import FigureQuery, MemberReturn, ReportingRound, ReturnStatus, RoundStatus
from anchors.selectors import performance
from organisations.models import Organisation, OrganisationType
from tenancy.context import tenant_context
from tests import factories
from tests.anchors_builders import PDF, access, anchor_charter, member, return_of, send_return
from tests.browser import BROWSER_TESTS

pytestmark = BROWSER_TESTS
ROUND = "2023/24 H1"
APPRENTICESHIPS = "Apprenticeships started"
LOCAL_SPEND = "Spend with local suppliers (£)"
PURCHASING = "Purchasing locally and for social benefit"


def _page_signed_in_as(browser, live_server, user):
    """A browser page whose session cookie belongs to `user` (two-factor set up for them)."""
    factories.give_totp(user)
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _d(day) -> str:
    """A date as the round form takes it: 1/4/2023."""
    return f"{day.day}/{day.month}/{day.year}"


def _figures(cast, member_return) -> dict:
    with tenant_context(cast.tenant.id):
        return {
            code: f"{value.normalize():f}"
            for code, value in member_return.figures.values_list(
                "pillar_metric__metric__code", "value"
            )
        }


def _status(cast, member_return) -> str:
    with tenant_context(cast.tenant.id):
        return MemberReturn.objects.get(pk=member_return.pk).status


@pytest.mark.django_db(transaction=True)
def test_open_a_round_send_query_correct_accept_and_see_the_rank_on_the_dashboard(
    live_server, browser, cast_a
):
    cast = cast_a
    with tenant_context(cast.tenant.id):
        charter = anchor_charter(cast)  # published, with the default evidence framework
        alder = member(cast, charter, cast.organisation)  # its admin: cast.organisation_admin
        birch = member(cast, charter, sector_type=OrganisationType.NHS_TRUST)
        # Distinct names, so that no name is part of another.
        for m, name in ((alder, "Alder Health Charity"), (birch, "Birch Hospital")):
            Organisation.objects.filter(pk=m.signatory.organisation_id).update(name=name)
    base = f"{live_server.url}/t/{cast.tenant.slug}/anchors"
    today = timezone.localdate()

    # 1. The tenant admin makes the round on the round pages and opens it.
    admin = _page_signed_in_as(browser, live_server, cast.tenant_admin)
    admin.goto(f"{base}/")
    admin.get_by_role("link", name=f"See rounds of {charter.title}").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Reporting rounds")
    admin.get_by_role("link", name="Make a reporting round").click()
    admin.get_by_label("Name of the round").fill(ROUND)
    admin.get_by_label("Start of the period it covers").fill("1/4/2023")
    admin.get_by_label("End of the period").fill("30/9/2023")
    admin.get_by_label("Date it opens to members").fill(_d(today))
    admin.get_by_label("Date returns are due").fill(_d(today + timedelta(days=30)))
    admin.get_by_role("button", name="Make round").click()
    expect(admin.get_by_text(f"{ROUND} made as a draft")).to_be_visible()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(ROUND)
    admin.get_by_role("link", name="Open the round").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(f"Open {ROUND}?")
    admin.get_by_role("button", name="Open the round").click()
    expect(admin.get_by_text(f"{ROUND} is open: 2 members asked for a return")).to_be_visible()
    expect(admin.get_by_role("row", name=re.compile("Alder Health Charity"))).to_contain_text(
        "Not started"
    )
    round_detail_url = admin.url
    with tenant_context(cast.tenant.id):
        reporting_round = ReportingRound.objects.get(charter=charter)
        assert reporting_round.name == ROUND
        assert reporting_round.status == RoundStatus.OPEN
        assert set(reporting_round.returns.values_list("status", flat=True)) == {
            ReturnStatus.NOT_STARTED
        }
        assert reporting_round.returns.count() == 2
        alder_return = return_of(reporting_round, alder.signatory)
        # The other member's return, accepted: 10 apprenticeships, £900,000 spent locally.
        send_return(
            cast,
            reporting_round,
            birch,
            {"ANC-APPRENTICESHIPS": "10", "ANC-LOCAL-SPEND": "900000"},
        )

    # 2. The member's organisation admin fills in the return, adds one file and sends it.
    alder_page = _page_signed_in_as(browser, live_server, alder.admin)
    alder_page.goto(f"{base}/")
    alder_page.get_by_role("link", name="Go to your return").click()
    expect(alder_page.get_by_role("heading", level=1)).to_contain_text(f"Return for {ROUND}")
    expect(alder_page.locator("#status")).to_contain_text("Not started")
    alder_page.get_by_role("textbox", name=f"{APPRENTICESHIPS} (optional)", exact=True).fill("4")
    alder_page.get_by_role("textbox", name=f"{LOCAL_SPEND} (optional)", exact=True).fill(
        "£1,250,000"
    )
    alder_page.get_by_label(f"{PURCHASING}: your progress").fill(
        "We moved our catering contract to a supplier in Birkenhead."
    )
    alder_page.get_by_role("button", name="Save the return").click()
    expect(alder_page.get_by_text("Your return has been saved")).to_be_visible()
    expect(alder_page.locator("#status")).to_contain_text("Draft")
    assert _figures(cast, alder_return) == {
        "ANC-APPRENTICESHIPS": "4",
        "ANC-LOCAL-SPEND": "1250000",
    }

    alder_page.get_by_role("link", name="Add an evidence file").click()
    expect(alder_page.get_by_role("heading", level=1)).to_contain_text("Add an evidence file")
    # NHS.UK's file upload component turns the input into a labelled button that opens the
    # file chooser.
    with alder_page.expect_file_chooser() as chooser:
        alder_page.get_by_label("Evidence file", exact=True).click()
    chooser.value.set_files(
        files=[{"name": "local-spend-analysis.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    alder_page.get_by_label("Which pillar does it evidence?").select_option(label=PURCHASING)
    alder_page.get_by_label("What is it?").fill("Local spend analysis, April to September 2023")
    alder_page.get_by_role("button", name="Add the file").click()
    expect(alder_page.get_by_text("local-spend-analysis.pdf added to the return.")).to_be_visible()
    expect(
        alder_page.get_by_role("link", name="local-spend-analysis.pdf", exact=True)
    ).to_be_visible()

    alder_page.get_by_role("link", name="Send the return").click()
    expect(alder_page.get_by_role("heading", level=1)).to_contain_text(
        f"Send the return for {ROUND}?"
    )
    expect(alder_page.get_by_text("The return has 2 figures.")).to_be_visible()
    alder_page.get_by_role("button", name="Send the return").click()
    expect(
        alder_page.get_by_text(f"Your return for {ROUND} has been sent to the programme team.")
    ).to_be_visible()
    expect(alder_page.locator("#status")).to_contain_text("Submitted")
    assert _status(cast, alder_return) == ReturnStatus.SUBMITTED
    with tenant_context(cast.tenant.id):
        sent = MemberReturn.objects.get(pk=alder_return.pk)
        assert sent.submitted_at is not None and not sent.submitted_late
        assert list(sent.evidence.values_list("file_name", "pillar_code")) == [
            ("local-spend-analysis.pdf", "purchasing")
        ]
        assert sent.narratives.get(pillar_code="purchasing").text.startswith("We moved")

    # 3. The tenant admin reviews it and queries the apprenticeships figure.
    admin.goto(round_detail_url)
    expect(admin.get_by_role("row", name=re.compile("Alder Health Charity"))).to_contain_text(
        "Submitted"
    )
    admin.get_by_role("link", name="Alder Health Charity").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Alder Health Charity's return")
    expect(admin.get_by_role("row", name=re.compile(APPRENTICESHIPS))).to_contain_text("4 count")
    expect(admin.get_by_role("row", name=re.compile(re.escape(LOCAL_SPEND)))).to_contain_text(
        "£1,250,000"
    )
    expect(admin.get_by_text("We moved our catering contract")).to_be_visible()
    expect(admin.get_by_role("link", name="local-spend-analysis.pdf", exact=True)).to_be_visible()
    admin.get_by_role("link", name=re.compile(f"^Query this figure\\W+{APPRENTICESHIPS}$")).click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Query apprenticeships started")
    admin.get_by_label("Your question about this figure").fill(
        "4 seems low: your workforce plan lists 14 starts. Which is right?"
    )
    admin.get_by_role("button", name="Send query").click()
    expect(
        admin.get_by_text(f"Query sent to Alder Health Charity about {APPRENTICESHIPS}.")
    ).to_be_visible()
    expect(admin.get_by_text("Waiting for an answer")).to_be_visible()
    expect(admin.get_by_role("link", name="Accept the return")).to_have_count(0)
    assert _status(cast, alder_return) == ReturnStatus.QUERIED
    with tenant_context(cast.tenant.id):
        query = FigureQuery.objects.get(figure__member_return=alder_return)
        assert query.figure.pillar_metric.metric.code == "ANC-APPRENTICESHIPS"
        assert query.responded_at is None

    # 4. The member answers the query and corrects the figure.
    alder_page.reload()
    expect(alder_page.locator("#status")).to_contain_text("Queried")
    expect(alder_page.locator("#queries")).to_contain_text("4 seems low")
    alder_page.get_by_role("link", name="Answer this query").click()
    expect(alder_page.get_by_role("heading", level=1)).to_contain_text("Answer a query")
    expect(alder_page.locator("#question")).to_contain_text("4 seems low")
    alder_page.get_by_label("Your answer").fill("You are right: 14 apprentices started.")
    alder_page.get_by_label("Corrected figure").fill("14")
    alder_page.get_by_role("button", name="Send the answer").click()
    expect(
        alder_page.get_by_text(f"{APPRENTICESHIPS} is now 14 count (was 4 count).")
    ).to_be_visible()
    expect(alder_page.locator("#status")).to_contain_text("Submitted")
    assert _status(cast, alder_return) == ReturnStatus.SUBMITTED
    assert _figures(cast, alder_return)["ANC-APPRENTICESHIPS"] == "14"
    with tenant_context(cast.tenant.id):
        query.refresh_from_db()
        assert (query.old_value, query.new_value) == (4, 14)
        assert query.response == "You are right: 14 apprentices started."

    # 5. The tenant admin sees the answer and the change, and accepts the return.
    admin.reload()
    expect(admin.get_by_role("row", name=re.compile(APPRENTICESHIPS))).to_contain_text(
        "(changed from 4 count to 14 count)"
    )
    admin.get_by_role("link", name="Accept the return").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Accept this return?")
    admin.get_by_role("button", name="Accept the return").click()
    expect(admin.get_by_text(f"Alder Health Charity's return for {ROUND} accepted")).to_be_visible()
    assert _status(cast, alder_return) == ReturnStatus.ACCEPTED
    with tenant_context(cast.tenant.id):
        accepted = MemberReturn.objects.get(pk=alder_return.pk)
        assert accepted.accepted_at is not None
        assert FigureQuery.objects.get(pk=query.pk).resolved_at is not None

    # 6. On the performance dashboard the member ranks first on apprenticeships (14 against
    # Birch's 10) and the collective total is 24: the corrected figure, not the 4 first sent.
    alder_page.goto(f"{base}/")
    alder_page.get_by_role("link", name="Performance dashboard").click()
    expect(alder_page.get_by_role("heading", level=1)).to_contain_text("Performance dashboard")
    alder_page.get_by_label("Reporting round", exact=True).select_option(label=ROUND)
    alder_page.get_by_label("Metric", exact=True).select_option(
        label=f"Widening access to quality work: {APPRENTICESHIPS}"
    )
    alder_page.get_by_role("button", name="Show").click()
    expect(alder_page.locator("#benchmark-heading")).to_contain_text(
        f"{APPRENTICESHIPS} (count), {ROUND}"
    )
    ranked = alder_page.locator("#benchmark")
    expect(ranked.get_by_role("row", name=re.compile("Alder Health Charity"))).to_contain_text(
        "1 of 2"
    )
    expect(ranked.get_by_role("row", name=re.compile("Birch Hospital"))).to_contain_text("2 of 2")
    spread = alder_page.locator("#benchmark-spread")
    expect(spread.get_by_role("term").filter(has_text="Collective total")).to_be_visible()
    expect(spread).to_contain_text(re.compile(r"Collective total\s*24\b"))
    # The collective impact table: one round, so the first cell is its total.
    collective_row = alder_page.locator("#collective").get_by_role(
        "row", name=re.compile(f"^{APPRENTICESHIPS}")
    )
    expect(collective_row.get_by_role("cell").first).to_have_text("24")
    expect(
        alder_page.locator("#own-standing").get_by_role("row", name=re.compile(APPRENTICESHIPS))
    ).to_contain_text("1 of 2")
    # The same from the database: the accepted figures, ranked and added up.
    with tenant_context(cast.tenant.id):
        board = performance.dashboard(
            tenant=cast.tenant, access=access(cast, cast.tenant_admin), charter=charter
        )
        apprenticeships = charter.anchor_metrics.get(metric__code="ANC-APPRENTICESHIPS")
        overall = board.benchmarks[(apprenticeships.pk, reporting_round.pk)].overall
        assert overall.total == 24
        alder_view, birch_view = (
            next(v for v in board.members if v.signatory_id == m.signatory.pk)
            for m in (alder, birch)
        )
        assert overall.standings[alder_view.key].rank == 1
        assert overall.standings[birch_view.key].rank == 2
