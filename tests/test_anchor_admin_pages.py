"""The programme team's Anchor Institution Charter pages: the landing page (making the anchor
charter; what members and others see), pillars with principles and priorities, the evidence
framework, the member list, reporting rounds (make, open and close after a confirmation, the
returns with their status and late flag) and the review of a return (query one figure, accept
the return). Everyone else is refused; another programme's charter, rounds and returns are not
found; bad input and the services' refusals show as clear messages; lists run fixed queries."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from anchors import services
from anchors.models import (
    FigureQuery,
    MemberReturn,
    PillarMetric,
    Priority,
    ReportingRound,
    ReturnStatus,
    RoundStatus,
)
from charters.models import Charter, CharterKind
from tenancy.context import tenant_context
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    member,
    open_round,
    pdf,
    return_of,
    send_return,
)

pytestmark = pytest.mark.django_db

REFUSED = ["assessor", "board_reporter", "organisation_admin", "organisation_member"]


def _in(cast, fn):
    with tenant_context(cast.tenant.id):
        return fn()


def _url(cast, rest=""):
    return f"/t/{cast.tenant.slug}/anchors/{rest}"


def _c(cast, charter, rest=""):
    return _url(cast, f"{charter.slug}/{rest}")


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}-error">(.*?)</span>\s*\n?(.*?)</span>', page, re.S)
    assert match, f"no error shown on {field}"
    return unescape(match.group(2).strip())


@pytest.fixture
def charter_a(cast_a):
    return _in(cast_a, lambda: anchor_charter(cast_a))


@pytest.fixture
def member_a(cast_a, charter_a):
    return _in(cast_a, lambda: member(cast_a, charter_a, cast_a.organisation))


def _sent_round(cast, charter, m, *, late=False):
    """An open round in which member `m` has sent (not accepted) a return with two figures
    and a file; `late`: sent after the due date."""

    def build():
        today = timezone.localdate()
        dates = {"opens_on": today - timedelta(days=40), "due_on": today - timedelta(days=1)}
        reporting_round = open_round(cast, charter, **(dates if late else {}))
        services.return_evidence_add(
            **as_user(cast, m.admin),
            member_return=return_of(reporting_round, m.signatory),
            uploaded_file=pdf("ledger.pdf"),
        )
        send_return(
            cast,
            reporting_round,
            m,
            {
                "ANC-LOCAL-SPEND-PCT": "13.09",
                "ANC-LOCAL-SPEND": "1250000",
                "ANC-APPRENTICESHIPS": "21",
            },
            accept=False,
        )
        return reporting_round, return_of(reporting_round, m.signatory)

    return _in(cast, build)


# --- The landing page and making the charter ------------------------------------------------


def test_the_programme_team_makes_the_anchor_charter_from_the_landing_page(cast_a, login):
    client = login(cast_a.tenant_admin)
    page = _text(client.get(_url(cast_a)))
    assert "There is no Anchor Institution Charter in this programme yet." in page
    assert _url(cast_a, "new/") in page
    response = client.post(_url(cast_a, "new/"), {"title": " "})
    page = response.content.decode()
    assert "There is a problem" in page
    assert _field_error(page, "title") == "Enter the charter's title."
    assert _in(cast_a, lambda: Charter.objects.count()) == 0
    response = client.post(
        _url(cast_a, "new/"), {"title": "Wirral Anchor Charter", "with_metrics": "on"}
    )
    assert response.status_code == 302 and response.url == _url(cast_a)
    charter = _in(cast_a, lambda: Charter.objects.get())
    assert charter.kind == CharterKind.ANCHOR
    assert _in(cast_a, lambda: PillarMetric.objects.filter(charter=charter).count()) == len(
        services.DEFAULT_METRICS
    )
    page = _text(client.get(_url(cast_a)))
    assert "Wirral Anchor Charter made: version 1 is a draft" in page
    assert "Version 1 is draft" in page
    assert f"/t/{cast_a.tenant.slug}/charters/{charter.slug}/" in page  # its text and versions
    for rest in ["priorities/", "framework/", "members/", "rounds/", "dashboard/", "assemblies/"]:
        assert _c(cast_a, charter, rest) in page, rest
    # A draft charter is not shown to others.
    page = _text(login(cast_a.board_reporter).get(_url(cast_a)))
    assert "has not published an Anchor Institution Charter yet" in page
    assert "Wirral Anchor Charter" not in page


def test_a_member_sees_its_membership_and_current_return_and_others_the_charter(
    cast_a, charter_a, member_a, login
):
    reporting_round = _in(cast_a, lambda: open_round(cast_a, charter_a))
    member_return = _in(cast_a, lambda: return_of(reporting_round, member_a.signatory))
    page = _text(login(cast_a.organisation_member).get(_url(cast_a)))
    assert charter_a.title in page and "Signed" in page
    assert _c(cast_a, charter_a, "membership/") in page
    assert f"Your return for {reporting_round.name} is" in page and "Not started" in page
    assert _url(cast_a, f"returns/{member_return.pk}/") in page
    assert _c(cast_a, charter_a, "dashboard/") in page
    assert _c(cast_a, charter_a, "members/") not in page
    assert _c(cast_a, charter_a, "rounds/") not in page
    # Someone with no organisation: the charter and the dashboard only.
    page = _text(login(cast_a.board_reporter).get(_url(cast_a)))
    assert charter_a.title in page and _c(cast_a, charter_a, "dashboard/") in page
    assert "membership/" not in page and "Make the Anchor Institution Charter" not in page


def test_an_organisation_not_yet_a_member_is_offered_the_charters_sign_page(
    cast_a, charter_a, login
):
    page = _text(login(cast_a.organisation_admin).get(_url(cast_a)))
    assert "is not a member yet" in page
    assert f"/t/{cast_a.tenant.slug}/charters/{charter_a.slug}/sign/" in page


# --- Priorities and the evidence framework ---------------------------------------------------


def test_the_programme_team_adds_changes_and_removes_priorities_on_a_draft(cast_a, login):
    charter = _in(cast_a, lambda: anchor_charter(cast_a, publish=False))
    version = _in(cast_a, lambda: charter.versions.get())
    workforce = _in(cast_a, lambda: version.themes.get(code="workforce"))
    client = login(cast_a.tenant_admin)
    page = _text(client.get(_c(cast_a, charter, "priorities/")))
    assert "Pay the real living wage" in page and "environmental impact" in page.lower()
    add = _c(cast_a, charter, f"priorities/versions/{version.number}/new/")
    assert add in page
    response = client.post(add, {"pillar": "", "kind": "", "text": ""})
    page = response.content.decode()
    assert _field_error(page, "pillar") == "Choose the pillar it comes under."
    assert _field_error(page, "text") == "Enter the principle or priority."
    response = client.post(
        add, {"pillar": str(workforce.pk), "kind": "priority", "text": "Offer work placements"}
    )
    assert response.status_code == 302
    added = _in(cast_a, lambda: Priority.objects.get(text="Offer work placements"))
    assert added.pillar_id == workforce.pk
    edit = _c(cast_a, charter, f"priorities/{added.pk}/edit/")
    response = client.post(
        edit, {"pillar": str(workforce.pk), "kind": "principle", "text": "Offer placements"}
    )
    assert response.status_code == 302
    assert _in(cast_a, lambda: Priority.objects.get(pk=added.pk).kind) == "principle"
    remove = _c(cast_a, charter, f"priorities/{added.pk}/remove/")
    page = _text(client.get(remove))
    assert "Remove 'Offer placements'?" in page
    assert _in(cast_a, lambda: Priority.objects.filter(pk=added.pk).exists())
    client.post(remove)
    assert not _in(cast_a, lambda: Priority.objects.filter(pk=added.pk).exists())


def test_a_published_versions_priorities_no_longer_change(cast_a, charter_a, member_a, login):
    def commit():
        services.member_priorities_set(
            **as_user(cast_a, member_a.admin),
            signatory=member_a.signatory,
            priority_codes=["real-living-wage"],
        )
        return Priority.objects.get(code="real-living-wage")

    priority = _in(cast_a, commit)
    client = login(cast_a.tenant_admin)
    page = _text(client.get(_c(cast_a, charter_a, "priorities/")))
    assert "its priorities can no longer change" in page
    response = client.get(_c(cast_a, charter_a, f"priorities/{priority.pk}/edit/"), follow=True)
    assert "Version 1 is published: its priorities can no longer change." in _text(response)
    page = _text(client.get(_c(cast_a, charter_a, f"priorities/{priority.pk}/remove/")))
    assert "1 member committed to this priority: it cannot be removed." in page
    response = client.post(_c(cast_a, charter_a, f"priorities/{priority.pk}/remove/"), follow=True)
    assert "Version 1 is published" in _text(response)
    assert _in(cast_a, lambda: Priority.objects.filter(pk=priority.pk).exists())


def test_the_evidence_framework_lists_metrics_and_refuses_bad_additions(cast_a, login):
    charter = _in(cast_a, lambda: anchor_charter(cast_a, publish=False, with_metrics=False))
    client = login(cast_a.tenant_admin)
    page = _text(client.get(_c(cast_a, charter, "framework/")))
    assert "There are no metrics in the evidence framework yet." in page
    seed = _c(cast_a, charter, "framework/defaults/")
    assert "Add the default metrics?" in _text(client.get(seed))
    page = _text(client.post(seed, follow=True))
    assert f"{len(services.DEFAULT_METRICS)} default metrics added." in page
    assert "Apprenticeships started" in page and "tCO2e" in page and "Added up" in page
    assert "Add the default metrics" not in page.split("Evidence framework", 2)[2].split("<h2")[0]
    # Nothing left to add: the form says so against the metric.
    add = _c(cast_a, charter, "framework/add/")
    page = client.post(add, {"pillar_code": "", "metric": ""}).content.decode()
    assert _field_error(page, "pillar_code") == "Choose the pillar members report it under."
    assert _field_error(page, "metric") == "Choose the metric members report."


def test_a_percentage_cannot_count_in_the_collective_impact(cast_a, login):
    def build():
        charter = anchor_charter(cast_a, publish=False)
        pm = PillarMetric.objects.get(charter=charter, metric__code="ANC-LOCAL-SPEND-PCT")
        metric = pm.metric
        pm.delete()
        return charter, metric

    charter, metric = _in(cast_a, build)
    client = login(cast_a.tenant_admin)
    add = _c(cast_a, charter, "framework/add/")
    assert metric.name in _text(client.get(add))
    page = client.post(
        add, {"pillar_code": "purchasing", "metric": str(metric.pk), "in_collective_total": "on"}
    ).content.decode()
    assert "percentages cannot be added up" in _field_error(page, "in_collective_total")
    response = client.post(add, {"pillar_code": "purchasing", "metric": str(metric.pk)})
    assert response.status_code == 302
    assert _in(cast_a, lambda: PillarMetric.objects.filter(metric=metric).exists())


# --- Members ----------------------------------------------------------------------------------


def test_the_member_list_shows_sector_status_disclosure_priorities_and_joining(
    cast_a, charter_a, member_a, login
):
    def build():
        services.member_priorities_set(
            **as_user(cast_a, member_a.admin),
            signatory=member_a.signatory,
            priority_codes=["real-living-wage", "net-zero-2040"],
        )
        profile = services.member_profile_update(
            **as_user(cast_a, member_a.admin), signatory=member_a.signatory, disclosure="anonymised"
        )
        from tests.anchors_builders import join

        waiting = join(cast_a, charter_a, cast_a.other_organisation, approve=False)
        return profile, waiting

    profile, waiting = _in(cast_a, build)
    client = login(cast_a.tenant_admin)
    page = _text(client.get(_c(cast_a, charter_a, "members/")))
    assert "2 organisations" in page
    assert cast_a.organisation.name in page and cast_a.other_organisation.name in page
    assert f"Anonymised, as {profile.anonymised_label}" in page
    assert "Waiting for approval" in page
    charters = f"/t/{cast_a.tenant.slug}/charters/{charter_a.slug}/signatories/"
    assert f"{charters}{waiting.pk}/" in page  # approval happens on the charters' review page
    assert _c(cast_a, charter_a, f"members/{member_a.signatory.pk}/figures/") in page
    assert f"{timezone.localdate():%-d %b %Y}" in page
    page = _text(client.get(_c(cast_a, charter_a, "members/?show=waiting")))
    assert "1 organisation" in page and cast_a.organisation.name not in page
    page = _text(client.get(_c(cast_a, charter_a, "members/?show=left")))
    assert "No organisations here." in page


# --- Rounds and returns -----------------------------------------------------------------------


def test_the_programme_team_makes_opens_and_closes_a_round(
    cast_a, charter_a, member_a, login, django_capture_on_commit_callbacks, mailoutbox
):
    client = login(cast_a.tenant_admin)
    page = _text(client.get(_c(cast_a, charter_a, "rounds/")))
    assert "There are no reporting rounds yet." in page
    new = _c(cast_a, charter_a, "rounds/new/")
    page = client.get(new).content.decode()
    assert re.search(r'name="name"[^>]*value="\d{4}/\d\d H[12]"', page)  # next half-year
    data = {
        "name": "2023/24 H1",
        "period_start": "1/4/2023",
        "period_end": "30/9/2023",
        "opens_on": "1/10/2023",
        "due_on": "1/9/2023",
    }
    page = client.post(new, data).content.decode()
    assert _field_error(page, "due_on") == "Returns must be due after the round opens."
    page = client.post(new, data | {"due_on": "31/2/2023"}).content.decode()
    assert "Enter the date returns are due as day/month/year" in _field_error(page, "due_on")
    today = timezone.localdate()
    data |= {"opens_on": f"{today:%d/%m/%Y}", "due_on": f"{today + timedelta(days=30):%d/%m/%Y}"}
    response = client.post(new, data)
    reporting_round = _in(cast_a, lambda: ReportingRound.objects.get())
    detail = _url(cast_a, f"rounds/{reporting_round.pk}/")
    assert response.url == detail
    # The same name again is refused by the service, against the field.
    page = client.post(
        new, data | {"period_start": "1/10/2023", "period_end": "31/3/2024"}
    ).content.decode()
    assert _field_error(page, "name") == "There is already a round called 2023/24 H1."
    page = _text(client.get(detail))
    assert "Draft" in page and "Open the round" in page
    page = _text(client.get(detail + "open/"))
    assert "Open 2023/24 H1?" in page
    assert _in(cast_a, lambda: ReportingRound.objects.get().status) == RoundStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        page = _text(client.post(detail + "open/", follow=True))
    assert "2023/24 H1 is open: 1 member asked for a return and emailed." in page
    assert cast_a.organisation.name in page and "Not started" in page
    assert len(mailoutbox) == 1
    # Opening again: refused with a message, nothing changes.
    page = _text(client.get(detail + "open/", follow=True))
    assert "2023/24 H1 is open: only a draft round can be opened." in page
    page = _text(client.get(detail + "close/"))
    assert "1 return not sent" in page and "they can no longer send one" in page
    page = _text(client.post(detail + "close/", follow=True))
    assert "2023/24 H1 is closed" in page
    assert _in(cast_a, lambda: ReportingRound.objects.get().status) == RoundStatus.CLOSED
    page = _text(client.post(detail + "close/", follow=True))
    assert "only an open round can be closed" in page


def test_a_round_shows_each_return_with_its_status_and_late_flag(
    cast_a, charter_a, member_a, login
):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a, late=True)
    other = _in(cast_a, lambda: member(cast_a, charter_a))
    page = _text(login(cast_a.tenant_admin).get(_url(cast_a, f"rounds/{reporting_round.pk}/")))
    assert "Submitted" in page and "Late" in page
    assert _url(cast_a, f"returns/{member_return.pk}/review/") in page
    # A member that joined after the round opened gets a return when asked.
    assert other.signatory.organisation.name not in page
    client = login(cast_a.tenant_admin)
    page = _text(
        client.post(_url(cast_a, f"rounds/{reporting_round.pk}/add-missing/"), follow=True)
    )
    assert "1 more member asked for a return." in page
    assert other.signatory.organisation.name in page and "Overdue" in page
    page = _text(client.get(_c(cast_a, charter_a, "rounds/")))
    assert "2: 0 accepted, 1 to review, 0 queried, 1 not sent, 1 late" in page


def test_the_programme_team_queries_one_figure_then_accepts_the_return(
    cast_a, charter_a, member_a, login, django_capture_on_commit_callbacks, mailoutbox
):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a)
    figure = _in(
        cast_a, lambda: member_return.figures.get(pillar_metric__metric__code="ANC-APPRENTICESHIPS")
    )
    client = login(cast_a.tenant_admin)
    review = _url(cast_a, f"returns/{member_return.pk}/review/")
    page = _text(client.get(review))
    assert f"{cast_a.organisation.name}'s return" in page
    assert "13.09%" in page and "21 count" in page and "£1,250,000" in page
    assert "We moved more spend to local firms." in page and "ledger.pdf" in page
    evidence = _in(cast_a, lambda: member_return.evidence.get())
    assert _url(cast_a, f"return-evidence/{evidence.pk}/") in page
    query = _url(cast_a, f"returns/{member_return.pk}/figures/{figure.pk}/query/")
    assert query in page
    page = client.post(query, {"text": "  "}).content.decode()
    assert _field_error(page, "text") == "Say what you want to know about the figure."
    with django_capture_on_commit_callbacks(execute=True):
        page = _text(client.post(query, {"text": "Is 21 starts right?"}, follow=True))
    assert "Query sent to" in page and "Is 21 starts right?" in page
    assert "Waiting for an answer" in page
    assert _in(cast_a, lambda: MemberReturn.objects.get(pk=member_return.pk).status) == "queried"
    assert len(mailoutbox) == 1
    # Accepting with a query open: refused with a clear message.
    accept = _url(cast_a, f"returns/{member_return.pk}/accept/")
    page = _text(client.get(accept, follow=True))
    assert "This return has queries waiting for answers: it cannot be accepted yet." in page
    page = _text(client.post(accept, follow=True))
    assert "cannot be accepted yet" in page

    def answer():
        services.figure_query_respond(
            **as_user(cast_a, member_a.admin),
            query=FigureQuery.objects.get(),
            response="It was 12.",
            corrected_value="12",
        )

    _in(cast_a, answer)
    page = _text(client.get(review))
    assert "changed from 21 count to 12 count" in page and "12 count" in page
    assert "Accept this return?" in _text(client.get(accept))
    page = _text(client.post(accept, follow=True))
    assert "return for 2023/24 H1 accepted" in page
    assert _in(cast_a, lambda: MemberReturn.objects.get(pk=member_return.pk).status) == (
        ReturnStatus.ACCEPTED
    )
    # An accepted return can no longer be queried.
    assert query not in page
    page = client.post(query, {"text": "One more?"}).content.decode()
    assert "only a submitted return can be queried" in unescape(page)
    assert _in(cast_a, lambda: FigureQuery.objects.count()) == 1


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", REFUSED)
def test_everyone_but_the_programme_team_is_refused_its_pages(
    cast_a, charter_a, member_a, login, who
):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a)
    figure = _in(cast_a, lambda: member_return.figures.first())
    priority = _in(cast_a, lambda: Priority.objects.first())
    client = login(getattr(cast_a, who))
    # Everyone with a role reads the landing page, the priorities and the framework.
    for url in [
        _url(cast_a),
        _c(cast_a, charter_a, "priorities/"),
        _c(cast_a, charter_a, "framework/"),
    ]:
        assert client.get(url).status_code == 200, url
    page = _text(client.get(_c(cast_a, charter_a, "framework/")))
    assert "Add a metric" not in page
    r, m = reporting_round.pk, member_return.pk
    for url in [
        _url(cast_a, "new/"),
        _c(cast_a, charter_a, "priorities/versions/1/new/"),
        _c(cast_a, charter_a, f"priorities/{priority.pk}/edit/"),
        _c(cast_a, charter_a, f"priorities/{priority.pk}/remove/"),
        _c(cast_a, charter_a, "framework/add/"),
        _c(cast_a, charter_a, "framework/defaults/"),
        _c(cast_a, charter_a, "members/"),
        _c(cast_a, charter_a, "rounds/"),
        _c(cast_a, charter_a, "rounds/new/"),
        _url(cast_a, f"rounds/{r}/"),
        _url(cast_a, f"rounds/{r}/close/"),
        _url(cast_a, f"returns/{m}/review/"),
        _url(cast_a, f"returns/{m}/accept/"),
        _url(cast_a, f"returns/{m}/figures/{figure.pk}/query/"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(_url(cast_a, "new/"), {"title": "Mine"}).status_code == 403
    assert client.post(_url(cast_a, f"rounds/{r}/close/")).status_code == 403
    assert client.post(_url(cast_a, f"rounds/{r}/add-missing/")).status_code == 403
    assert client.post(_url(cast_a, f"returns/{m}/accept/")).status_code == 403
    assert (
        client.post(
            _url(cast_a, f"returns/{m}/figures/{figure.pk}/query/"), {"text": "Why?"}
        ).status_code
        == 403
    )
    assert (
        client.post(_c(cast_a, charter_a, f"priorities/{priority.pk}/remove/")).status_code == 403
    )
    assert _in(cast_a, lambda: Charter.objects.count()) == 1
    assert _in(cast_a, lambda: ReportingRound.objects.get().status) == RoundStatus.OPEN
    assert _in(cast_a, lambda: MemberReturn.objects.get(pk=m).status) == ReturnStatus.SUBMITTED
    assert _in(cast_a, lambda: FigureQuery.objects.count()) == 0
    assert _in(cast_a, lambda: Priority.objects.filter(pk=priority.pk).exists())


def test_people_without_a_role_are_refused_and_signed_out_people_sent_to_sign_in(
    cast_a, charter_a, client, login
):
    response = client.get(_c(cast_a, charter_a, "members/"))
    assert response.status_code == 302 and "login" in response.url
    client = login(cast_a.outsider)
    assert client.get(_url(cast_a)).status_code == 403
    assert client.get(_c(cast_a, charter_a, "priorities/")).status_code == 403


def test_another_programmes_admin_cannot_reach_the_charter_rounds_or_returns(
    cast_a, cast_b, charter_a, member_a, login
):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a)
    figure = _in(cast_a, lambda: member_return.figures.first())
    priority = _in(cast_a, lambda: Priority.objects.first())
    client = login(cast_b.tenant_admin)
    r, m = reporting_round.pk, member_return.pk
    # Through their own programme's address: not found.
    for url in [
        _c(cast_b, charter_a, "priorities/"),
        _c(cast_b, charter_a, f"priorities/{priority.pk}/edit/"),
        _c(cast_b, charter_a, "framework/"),
        _c(cast_b, charter_a, "members/"),
        _c(cast_b, charter_a, "rounds/"),
        _url(cast_b, f"rounds/{r}/"),
        _url(cast_b, f"rounds/{r}/close/"),
        _url(cast_b, f"returns/{m}/review/"),
        _url(cast_b, f"returns/{m}/accept/"),
        _url(cast_b, f"returns/{m}/figures/{figure.pk}/query/"),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(_url(cast_b, f"rounds/{r}/close/")).status_code == 404
    assert client.post(_url(cast_b, f"returns/{m}/accept/")).status_code == 404
    assert charter_a.title not in _text(client.get(_url(cast_b)))
    # Through the other programme's address: not a member there.
    assert client.get(_url(cast_a, f"returns/{m}/review/")).status_code == 403
    assert client.post(_url(cast_a, f"rounds/{r}/close/")).status_code == 403
    assert _in(cast_a, lambda: ReportingRound.objects.get().status) == RoundStatus.OPEN
    assert _in(cast_a, lambda: MemberReturn.objects.get(pk=m).status) == ReturnStatus.SUBMITTED


def test_a_figure_of_another_return_is_not_found(cast_a, charter_a, member_a, login):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a)
    other = _in(cast_a, lambda: member(cast_a, charter_a))

    def build():
        second = open_round(
            cast_a,
            charter_a,
            name="2023/24 H2",
            period_start=reporting_round.period_end + timedelta(days=1),
            period_end=reporting_round.period_end + timedelta(days=183),
        )
        sent = send_return(cast_a, second, other, {"ANC-APPRENTICESHIPS": "3"}, accept=False)
        return sent.figures.get()

    foreign = _in(cast_a, build)
    client = login(cast_a.tenant_admin)
    url = _url(cast_a, f"returns/{member_return.pk}/figures/{foreign.pk}/query/")
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Why?"}).status_code == 404
    assert _in(cast_a, lambda: FigureQuery.objects.count()) == 0


# --- Fixed queries ----------------------------------------------------------------------------


def _grow(cast, charter, reporting_round, n):
    """n more members (anonymised, one priority each) with returns in the round, and one
    more draft round."""

    def build():
        for _ in range(n):
            m = member(cast, charter)
            services.member_priorities_set(
                **as_user(cast, m.admin), signatory=m.signatory, priority_codes=["real-living-wage"]
            )
            services.member_profile_update(
                **as_user(cast, m.admin), signatory=m.signatory, disclosure="anonymised"
            )
        services.round_returns_add_missing(
            **as_user(cast, cast.tenant_admin), reporting_round=reporting_round
        )
        later = ReportingRound.objects.count()
        services.round_create(
            **as_user(cast, cast.tenant_admin),
            charter=charter,
            name=f"Later {later}",
            period_start=reporting_round.period_start + timedelta(days=200 * later),
            period_end=reporting_round.period_end + timedelta(days=200 * later),
            opens_on=reporting_round.opens_on,
            due_on=reporting_round.due_on,
        )

    _in(cast, build)


@pytest.mark.parametrize(
    "page",
    [
        "",
        "{charter}/members/",
        "{charter}/rounds/",
        "rounds/{round}/",
        "{charter}/priorities/",
        "{charter}/framework/",
    ],
)
def test_the_lists_run_a_fixed_number_of_queries(
    cast_a, charter_a, member_a, login, django_assert_max_num_queries, page
):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a)
    client = login(cast_a.tenant_admin)
    url = _url(cast_a, page.format(charter=charter_a.slug, round=reporting_round.pk))
    client.get(url)  # warm the session
    counts = []
    for more in (1, 6):
        _grow(cast_a, charter_a, reporting_round, more)
        with django_assert_max_num_queries(20) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_review_page_runs_a_fixed_number_of_queries(
    cast_a, charter_a, member_a, login, django_assert_max_num_queries
):
    reporting_round, member_return = _sent_round(cast_a, charter_a, member_a)
    client = login(cast_a.tenant_admin)
    review = _url(cast_a, f"returns/{member_return.pk}/review/")
    client.get(review)
    counts = []
    for text in ("Why?", "And this?"):

        def ask(text=text):
            for figure in member_return.figures.all():
                services.figure_query_raise(
                    **as_user(cast_a, cast_a.tenant_admin), figure=figure, text=text
                )

        _in(cast_a, ask)
        with django_assert_max_num_queries(22) as captured:
            response = client.get(review)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
    assert "And this?" in _text(response)
