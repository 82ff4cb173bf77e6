"""A member's return pages: figures per pillar metric (typed, or taken from the member's KVIs),
a narrative per pillar, evidence files (add, download, remove after confirming), sending it
(confirmation), answering a query and correcting the figure. The must-hold refusals through the
pages: a late return is flagged, a figure in the wrong unit is refused naming the field, and a
return for a closed round is refused with a clear message. Who may do what, another tenant, and
a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anchors import services
from anchors.models import FigureQuery, MemberReturn, ReturnEvidence, ReturnStatus
from kvi import services as kvi_services
from tenancy.context import tenant_context
from tests.anchors_builders import (
    PDF,
    anchor_charter,
    as_user,
    member,
    open_round,
    pdf,
    return_of,
    send_return,
)

pytestmark = pytest.mark.django_db
D = Decimal
WRONG_UNIT = "Spend with local suppliers (£) is reported in £, not %: enter the figure in £."
CLOSED = (
    "The 2023/24 H1 round has closed: returns can no longer be sent or changed. Ask the "
    "programme team if you need to report."
)


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def text_of(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&amp;", "&")


@pytest.fixture
def charter_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return anchor_charter(cast_a)


@pytest.fixture
def member_a(cast_a, charter_a):
    with tenant_context(cast_a.tenant.id):
        return member(cast_a, charter_a, cast_a.organisation)


@pytest.fixture
def round_a(cast_a, charter_a, member_a):
    with tenant_context(cast_a.tenant.id):
        return open_round(cast_a, charter_a)


@pytest.fixture
def return_a(cast_a, round_a, member_a):
    with tenant_context(cast_a.tenant.id):
        return return_of(round_a, member_a.signatory)


def _figures(cast, member_return) -> dict:
    with tenant_context(cast.tenant.id):
        return dict(member_return.figures.values_list("pillar_metric__metric__code", "value"))


def _status(cast, member_return) -> MemberReturn:
    with tenant_context(cast.tenant.id):
        return MemberReturn.objects.get(pk=member_return.pk)


def test_a_member_fills_in_and_sends_its_return_with_an_evidence_file(cast_a, return_a, login):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_return", return_a.pk)
    page = client.get(path)
    assert page.status_code == 200
    text = text_of(page)
    assert "Return for 2023/24 H1" in text and "Not started" in text
    for heading in ("Purchasing", "Reducing environmental impact"):
        assert heading.lower() in text.lower()
    assert 'name="figure_ANC-LOCAL-SPEND"' in text and "In £." in text
    assert "No evidence files yet." in text
    saved = client.post(
        path,
        {
            "figure_ANC-LOCAL-SPEND": "£1,250,000",
            "figure_ANC-LOCAL-SPEND-PCT": "13.09%",
            "figure_ANC-APPRENTICESHIPS": "21",
            "unit_ANC-APPRENTICESHIPS": "count",
            "narrative_purchasing": "More spend with Wirral firms.",
        },
    )
    assert saved.status_code == 302
    assert _figures(cast_a, return_a) == {
        "ANC-LOCAL-SPEND": D("1250000"),
        "ANC-LOCAL-SPEND-PCT": D("13.09"),
        "ANC-APPRENTICESHIPS": D("21"),
    }
    page = text_of(client.get(path))
    assert "Your return has been saved" in page and 'value="1250000"' in page
    assert "More spend with Wirral firms." in page
    # Saving again without changes keeps the figures; clearing one removes it.
    client.post(path, {"figure_ANC-LOCAL-SPEND": "1250000", "figure_ANC-APPRENTICESHIPS": "21"})
    assert set(_figures(cast_a, return_a)) == {"ANC-LOCAL-SPEND", "ANC-APPRENTICESHIPS"}

    add = url(cast_a, "anchor_return_evidence_add", return_a.pk)
    assert "20 MB" in text_of(client.get(add))
    added = client.post(
        add, {"file": pdf("ledger.pdf"), "pillar_code": "purchasing", "description": "Ledger"}
    )
    assert added.status_code == 302
    with tenant_context(cast_a.tenant.id):
        evidence = ReturnEvidence.objects.get(member_return=return_a)
    assert (evidence.file_name, evidence.pillar_code) == ("ledger.pdf", "purchasing")
    page = text_of(client.get(path))
    download = url(cast_a, "anchor_return_evidence_download", evidence.pk)
    assert download in page and "Ledger" in page
    got = client.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Disposition"].startswith("attachment")

    submit = url(cast_a, "anchor_return_submit", return_a.pk)
    confirm = text_of(client.get(submit))
    assert "Send the return for 2023/24 H1?" in confirm and "2 figures" in confirm
    assert "recorded as late" not in confirm
    sent = client.post(submit)
    assert sent.status_code == 302
    after = text_of(client.get(sent.url))
    assert "has been sent to the programme team" in after and "Submitted" in after
    assert "recorded as late" not in after
    member_return = _status(cast_a, return_a)
    assert member_return.status == ReturnStatus.SUBMITTED and not member_return.submitted_late
    # Sent: the figures are shown, not a form, and the file can no longer be removed.
    assert 'name="figure_ANC-LOCAL-SPEND"' not in after and "£1,250,000" in after
    assert url(cast_a, "anchor_return_evidence_remove", evidence.pk) not in after
    assert "already been sent" in text_of(client.get(submit, follow=True))


def test_a_figure_in_the_wrong_unit_is_refused_naming_the_field(cast_a, return_a, login):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_return", return_a.pk)
    response = client.post(
        path,
        {"figure_ANC-LOCAL-SPEND": "12%", "figure_ANC-APPRENTICESHIPS": "4"},
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "There is a problem" in text
    assert WRONG_UNIT in text
    assert 'href="#id_figure_ANC-LOCAL-SPEND"' in text  # the summary links to the field
    assert "nhsuk-form-group--error" in text
    assert _figures(cast_a, return_a) == {}  # one wrong figure saves nothing
    # A page shown in another unit (a stale form) is refused the same way.
    stale = client.post(path, {"figure_ANC-LOCAL-SPEND": "1000", "unit_ANC-LOCAL-SPEND": "tCO2e"})
    assert "is reported in £, not tCO2e" in text_of(stale)
    other = client.post(path, {"figure_ANC-APPRENTICESHIPS": "4 people"})
    assert "Apprenticeships started is reported in count, not people" in text_of(other)
    not_a_number = client.post(path, {"figure_ANC-APPRENTICESHIPS": "lots"})
    assert "Apprenticeships started: enter a number." in text_of(not_a_number)
    assert _figures(cast_a, return_a) == {}


def test_a_late_return_is_flagged_through_the_pages(cast_a, charter_a, member_a, login):
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        reporting_round = open_round(
            cast_a, charter_a, opens_on=today - timedelta(days=40), due_on=today - timedelta(days=2)
        )
        member_return = return_of(reporting_round, member_a.signatory)
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_return", member_return.pk)
    assert "This return is late" in text_of(client.get(path))
    client.post(path, {"figure_ANC-APPRENTICESHIPS": "3"})
    submit = url(cast_a, "anchor_return_submit", member_return.pk)
    confirm = text_of(client.get(submit))
    assert "it will be recorded as late" in confirm
    sent = client.post(submit)
    assert sent.status_code == 302
    page = text_of(client.get(sent.url))
    due = reporting_round.due_on
    assert (
        f"Your return was sent after it was due on {due:%-d %B %Y}: it is recorded as late." in page
    )
    assert "Late</strong>" in page
    assert _status(cast_a, member_return).submitted_late


def test_a_return_for_a_closed_round_is_refused_through_the_pages(
    cast_a, round_a, return_a, member_a, login
):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_return", return_a.pk)
    client.post(path, {"figure_ANC-APPRENTICESHIPS": "3"})
    with tenant_context(cast_a.tenant.id):
        services.round_close(**as_user(cast_a, cast_a.tenant_admin), reporting_round=round_a)
    page = text_of(client.get(path))
    assert CLOSED in page and 'name="figure_ANC-APPRENTICESHIPS"' not in page
    submit = url(cast_a, "anchor_return_submit", return_a.pk)
    confirm = client.get(submit)
    assert confirm.status_code == 200
    assert CLOSED in text_of(confirm) and "Send the return</button>" not in text_of(confirm)
    refused = client.post(submit)
    assert refused.status_code == 200
    assert "There is a problem" in text_of(refused) and CLOSED in text_of(refused)
    changed = client.post(path, {"figure_ANC-APPRENTICESHIPS": "4"})
    assert changed.status_code == 200 and CLOSED in text_of(changed)
    add = client.post(url(cast_a, "anchor_return_evidence_add", return_a.pk), {"file": pdf()})
    assert CLOSED in text_of(add)
    member_return = _status(cast_a, return_a)
    assert member_return.status == ReturnStatus.DRAFT
    assert _figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(3)}


def test_a_member_answers_a_query_and_corrects_the_figure(cast_a, round_a, member_a, login):
    with tenant_context(cast_a.tenant.id):
        member_return = send_return(
            cast_a, round_a, member_a, {"ANC-LOCAL-SPEND": "1250000"}, accept=False
        )
        figure = member_return.figures.get()
        query = services.figure_query_raise(
            **as_user(cast_a, cast_a.tenant_admin),
            figure=figure,
            text="Is this the whole year or the half-year?",
        )
    client = login(cast_a.organisation_admin)
    page = text_of(client.get(url(cast_a, "anchor_return", member_return.pk)))
    respond = url(cast_a, "anchor_query_respond", query.pk)
    assert "Is this the whole year or the half-year?" in page and respond in page
    form = text_of(client.get(respond))
    assert "£1,250,000" in form and "in £" in form
    blank = client.post(respond, {"response": "", "corrected_value": ""})
    assert "Answer the programme team's question." in text_of(blank)
    wrong = client.post(respond, {"response": "Half-year.", "corrected_value": "625000 tCO2e"})
    assert wrong.status_code == 200
    assert "Spend with local suppliers (£) is reported in £, not tCO2e" in text_of(wrong)
    assert 'href="#id_corrected_value"' in text_of(wrong)
    answered = client.post(
        respond,
        {"response": "It was the year: the half-year is £625,000.", "corrected_value": "£625,000"},
    )
    assert answered.status_code == 302
    after = text_of(client.get(answered.url))
    assert "Spend with local suppliers (£) is now £625,000 (was £1,250,000)." in after
    assert "corrected from £1,250,000 to £625,000" in after
    assert _figures(cast_a, member_return) == {"ANC-LOCAL-SPEND": D(625000)}
    assert _status(cast_a, member_return).status == ReturnStatus.SUBMITTED
    with tenant_context(cast_a.tenant.id):
        assert FigureQuery.objects.get(pk=query.pk).responded_at is not None
    again = client.get(respond, follow=True)
    assert "already been answered" in text_of(again)


def test_figures_are_taken_from_the_members_kvis(cast_a, charter_a, return_a, member_a, login):
    client = login(cast_a.organisation_admin)
    from_kvis = url(cast_a, "anchor_return_from_kvis", return_a.pk)
    none = client.post(from_kvis, follow=True)
    assert "None of your KVIs had figures" in text_of(none)
    with tenant_context(cast_a.tenant.id):
        metric = charter_a.anchor_metrics.get(metric__code="ANC-APPRENTICESHIPS").metric
        kvi = kvi_services.kvi_create(
            **as_user(cast_a, cast_a.tenant_admin),
            organisation=cast_a.organisation,
            data=kvi_services.KviInput(
                code="APP", title="Apprenticeships", metric=metric, frequency="quarterly"
            ),
        )
        for period, value in ((date(2023, 4, 1), 5), (date(2023, 7, 1), 7)):
            measurement = kvi_services.measurement_record(
                **as_user(cast_a, member_a.admin), kvi=kvi, period=period, value=D(value)
            )
            kvi_services.measurement_submit(
                **as_user(cast_a, member_a.admin), measurement=measurement
            )
    taken = client.post(from_kvis, follow=True)
    assert "1 figure taken from your KVIs: Apprenticeships started" in text_of(taken)
    assert _figures(cast_a, return_a) == {"ANC-APPRENTICESHIPS": D(12)}
    # Saving the page unchanged keeps the figure's KVI source.
    client.post(url(cast_a, "anchor_return", return_a.pk), {"figure_ANC-APPRENTICESHIPS": "12"})
    with tenant_context(cast_a.tenant.id):
        assert return_a.figures.get().source == "kvi"
    assert client.get(from_kvis).status_code == 405


def test_an_evidence_file_is_removed_after_confirming_and_bad_files_are_refused(
    cast_a, return_a, member_a, login
):
    with tenant_context(cast_a.tenant.id):
        evidence = services.return_evidence_add(
            **as_user(cast_a, member_a.admin), member_return=return_a, uploaded_file=pdf("a.pdf")
        )
    client = login(cast_a.organisation_admin)
    add = url(cast_a, "anchor_return_evidence_add", return_a.pk)
    assert "Choose a file." in text_of(client.post(add, {}))
    exe = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    assert "report.pdf is not a type we accept" in text_of(client.post(add, {"file": exe}))
    remove = url(cast_a, "anchor_return_evidence_remove", evidence.pk)
    assert "Remove a.pdf?" in text_of(client.get(remove))
    with tenant_context(cast_a.tenant.id):
        assert ReturnEvidence.objects.filter(pk=evidence.pk).exists()
    removed = client.post(remove)
    assert removed.status_code == 302
    assert "a.pdf removed from the return." in text_of(client.get(removed.url))
    with tenant_context(cast_a.tenant.id):
        assert not ReturnEvidence.objects.filter(member_return=return_a).exists()


def test_who_may_see_and_change_a_return(cast_a, cast_b, charter_a, return_a, member_a, login):
    with tenant_context(cast_a.tenant.id):
        evidence = services.return_evidence_add(
            **as_user(cast_a, member_a.admin), member_return=return_a, uploaded_file=pdf()
        )
        other = member(cast_a, charter_a, cast_a.other_organisation)
    path = url(cast_a, "anchor_return", return_a.pk)
    # Staff of the member read it (no form) and may download, but may not change anything.
    staff = login(cast_a.organisation_member)
    page = staff.get(path)
    assert page.status_code == 200 and 'name="figure_ANC-LOCAL-SPEND"' not in text_of(page)
    assert staff.get(url(cast_a, "anchor_return_evidence_download", evidence.pk)).status_code == 200
    assert staff.post(path, {"figure_ANC-APPRENTICESHIPS": "3"}).status_code == 403
    assert staff.get(url(cast_a, "anchor_return_submit", return_a.pk)).status_code == 403
    assert staff.get(url(cast_a, "anchor_return_evidence_remove", evidence.pk)).status_code == 403
    # The programme team reads it.
    assert login(cast_a.tenant_admin).get(path).status_code == 200
    # Another member's admin, a board reporter and another tenant's people: refused.
    for user in (other.admin, cast_a.board_reporter):
        client = login(user)
        assert client.get(path).status_code == 403
        assert client.post(path, {"figure_ANC-APPRENTICESHIPS": "3"}).status_code == 403
        assert (
            client.get(url(cast_a, "anchor_return_evidence_download", evidence.pk)).status_code
            == 403
        )
        assert client.post(url(cast_a, "anchor_return_submit", return_a.pk)).status_code == 403
    outsider = login(cast_b.organisation_admin)
    assert outsider.get(path).status_code in (403, 404)
    assert outsider.get(url(cast_b, "anchor_return", return_a.pk)).status_code in (403, 404)
    assert outsider.get(
        url(cast_b, "anchor_return_evidence_download", evidence.pk)
    ).status_code in (403, 404)
    assert (
        outsider.get(url(cast_b, "anchor_return_evidence_remove", evidence.pk)).status_code == 404
    )
    assert _figures(cast_a, return_a) == {}
    assert _status(cast_a, return_a).status == ReturnStatus.NOT_STARTED


def test_the_return_page_reads_a_fixed_number_of_queries(
    cast_a, round_a, return_a, member_a, login, django_assert_max_num_queries
):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_return", return_a.pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    client.post(path, {"figure_ANC-APPRENTICESHIPS": "3", "narrative_purchasing": "Some."})
    with tenant_context(cast_a.tenant.id):
        services.return_evidence_add(
            **as_user(cast_a, member_a.admin), member_return=return_a, uploaded_file=pdf()
        )
    small = count()
    client.post(
        path,
        {
            "figure_ANC-APPRENTICESHIPS": "3",
            "figure_ANC-LOCAL-SPEND": "1000",
            "figure_ANC-LOCAL-SPEND-PCT": "10",
            "figure_ANC-ESTATE-HOURS": "120",
            "figure_ANC-EMISSIONS-REDUCED": "40",
            "narrative_purchasing": "More.",
            "narrative_workforce": "Staff.",
            "narrative_environment": "Boilers.",
        },
    )
    with tenant_context(cast_a.tenant.id):
        for name in ("b.pdf", "c.pdf"):
            services.return_evidence_add(
                **as_user(cast_a, member_a.admin), member_return=return_a, uploaded_file=pdf(name)
            )
    assert len(_figures(cast_a, return_a)) == 5
    assert count() == small
    # Sent and queried: the read-only page with its queries is also fixed.
    with tenant_context(cast_a.tenant.id):
        sent = services.return_submit(**as_user(cast_a, member_a.admin), member_return=return_a)
        for figure in sent.figures.all()[:1]:
            services.figure_query_raise(
                **as_user(cast_a, cast_a.tenant_admin), figure=figure, text="Sure?"
            )
    read_only = count()
    with tenant_context(cast_a.tenant.id):
        for figure in sent.figures.all()[1:]:
            services.figure_query_raise(
                **as_user(cast_a, cast_a.tenant_admin), figure=figure, text="Really?"
            )
    assert count() == read_only
    with django_assert_max_num_queries(max(small, read_only)):
        client.get(path)


def test_a_figure_carries_a_note_and_changing_only_the_note_keeps_the_figure(
    cast_a, return_a, login
):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_return", return_a.pk)
    assert "Note on Apprenticeships started (optional)" in text_of(client.get(path))
    client.post(
        path,
        {
            "figure_ANC-APPRENTICESHIPS": "21",
            "note_ANC-APPRENTICESHIPS": "Levels 2 to 4, from the HR system.",
        },
    )
    with tenant_context(cast_a.tenant.id):
        figure = return_a.figures.get(pillar_metric__metric__code="ANC-APPRENTICESHIPS")
    assert (figure.value, figure.note) == (D("21"), "Levels 2 to 4, from the HR system.")
    client.post(
        path,
        {"figure_ANC-APPRENTICESHIPS": "21", "note_ANC-APPRENTICESHIPS": "Levels 2 to 4."},
    )
    with tenant_context(cast_a.tenant.id):
        figure.refresh_from_db()
    assert (figure.value, figure.note) == (D("21"), "Levels 2 to 4.")
    too_long = client.post(
        path, {"figure_ANC-APPRENTICESHIPS": "21", "note_ANC-APPRENTICESHIPS": "x" * 2001}
    )
    assert "use at most 2,000 characters" in text_of(too_long)
