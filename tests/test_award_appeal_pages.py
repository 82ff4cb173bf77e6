"""The appeal pages: the applicant appeals within the working days (with the deadline and the
days left shown, refused with a clear message after it), the programme team records appeals
received another way, sees every appeal with both clocks and appoints a panel not involved in
the assessment, and a panel member records the decision. Who is refused each page."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards.models import Appeal, AppealPanelMember, Award, Decision
from awards.working_days import add_working_days, is_bank_holiday, is_working_day
from tenancy.context import tenant_context
from tenancy.models import Role
from tests.awards_builders import (
    as_user,
    decided,
    open_scheme,
    other_organisation_admin,
    person,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


@pytest.fixture
def scheme_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return open_scheme(cast_a)


def refused(cast, scheme):
    """A Bronze application scored 50% and not awarded, the decision sent now."""
    with tenant_context(cast.tenant.id):
        return decided(cast, scheme, scores=(2, 2, 2))


@pytest.fixture
def refused_a(cast_a, scheme_a):
    return refused(cast_a, scheme_a)


def send_decision_on(cast, application, day: date):
    with tenant_context(cast.tenant.id):
        Decision.objects.filter(application=application).update(
            sent_at=datetime.combine(day, time(15, 30), tzinfo=LONDON)
        )


def sent_on_for_deadline(deadline: date, working_days: int = 10) -> date:
    """A day on which a decision sent has `deadline` as its last day to appeal."""
    for back in range(1, 60):
        day = deadline - timedelta(days=back)
        if add_working_days(day, working_days) == deadline:
            return day
    raise AssertionError(f"No sending day gives {deadline}")


def appeals(cast):
    with tenant_context(cast.tenant.id):
        return list(Appeal.objects.all())


def lodged(cast, application, reasons="Our evidence file was overlooked."):
    from awards import services

    with tenant_context(cast.tenant.id):
        return services.appeal_lodge(
            **as_user(cast, cast.organisation_admin), application=application, reasons=reasons
        )


def with_panel(cast, appeal, member=None):
    from awards import services

    with tenant_context(cast.tenant.id):
        member = member or person(cast, Role.ASSESSOR)
        services.appeal_panel_appoint(
            **as_user(cast, cast.tenant_admin), appeal=appeal, members=[member]
        )
        return member


# --- The appeal clock through the page (the must-hold line) ----------------------------------


def test_with_easter_in_the_window_the_10th_working_day_is_accepted_and_the_11th_refused(
    cast_a, refused_a, login
):
    """Decision sent Wednesday 16 April 2025: Good Friday, Easter Monday and the early May bank
    holiday fall inside the window, so the 10th working day is Friday 2 May and the 11th
    Tuesday 6 May. The programme team records appeals received by post on the day received,
    as the service's own test controls 'today'."""
    sent = date(2025, 4, 16)
    assert [d for d in (date(2025, 4, 18), date(2025, 4, 21)) if is_bank_holiday(d)]
    assert add_working_days(sent, 10) == date(2025, 5, 2)
    assert add_working_days(sent, 11) == date(2025, 5, 6) and is_bank_holiday(date(2025, 5, 5))
    send_decision_on(cast_a, refused_a, sent)
    client = login(cast_a.tenant_admin)
    path = url(cast_a, "appeal_lodge", refused_a.pk)
    page = client.get(path).content.decode()
    assert "Record an appeal" in page and "Friday 2 May 2025" in page

    late = client.post(path, {"received_on": "6/5/2025", "reasons": "We sent our evidence."})
    assert late.status_code == 200
    assert (
        "The time to appeal ended on 2 May 2025: an appeal must be lodged within 10 working "
        "days of the decision, sent on 16 April 2025." in late.content.decode()
    )
    assert appeals(cast_a) == []

    on_time = client.post(path, {"received_on": "2/5/2025", "reasons": "We sent our evidence."})
    assert on_time.status_code == 302 and on_time["Location"] == path
    (appeal,) = appeals(cast_a)
    assert (appeal.lodged_on, appeal.lodge_deadline) == (date(2025, 5, 2), date(2025, 5, 2))
    assert appeal.decision_due == date(2025, 6, 4)  # 21 working days, 5 and 26 May skipped
    assert "An appeal was lodged on 2 May 2025" in client.get(path).content.decode()


def test_the_applicant_on_the_10th_working_day_is_accepted_and_on_the_11th_refused(
    cast_a, scheme_a, login
):
    """'Today' is real here: the decisions are dated so that today is the last day to appeal
    (the first working day from today) for one, and the day after it for the other."""
    today = timezone.localdate()
    last_day = today
    while not is_working_day(last_day):
        last_day += timedelta(days=1)
    passed_day = today - timedelta(days=1)
    while not is_working_day(passed_day):
        passed_day -= timedelta(days=1)
    in_time, too_late = refused(cast_a, scheme_a), refused(cast_a, scheme_a)
    send_decision_on(cast_a, in_time, sent_on_for_deadline(last_day))
    send_decision_on(cast_a, too_late, sent_on_for_deadline(passed_day))
    client = login(cast_a.organisation_admin)

    late_path = url(cast_a, "appeal_lodge", too_late.pk)
    page = client.get(late_path).content.decode()
    assert "The time to appeal has passed" in page and "<textarea" not in page
    refusal = client.post(late_path, {"reasons": "Please look again."}).content.decode()
    assert f"The time to appeal ended on {passed_day:%-d %B %Y}" in refusal
    assert appeals(cast_a) == []

    path = url(cast_a, "appeal_lodge", in_time.pk)
    page = client.get(path).content.decode()
    assert f"{last_day:%A %-d %B %Y}" in page
    assert ("Due today" in page) == (last_day == today)
    empty = client.post(path, {"reasons": "   "}).content.decode()
    assert "There is a problem" in empty and "Give your reasons for appealing." in empty
    assert appeals(cast_a) == []
    response = client.post(path, {"reasons": "The assessors missed our evidence file."})
    assert response.status_code == 302
    (appeal,) = appeals(cast_a)
    assert appeal.lodged_on == today and appeal.lodged_by == cast_a.organisation_admin
    assert appeal.lodge_deadline == last_day


def test_the_applicant_sees_the_deadline_and_the_working_days_left(cast_a, refused_a, login):
    today = timezone.localdate()
    send_decision_on(cast_a, refused_a, today)
    page = login(cast_a.organisation_admin).get(url(cast_a, "appeal_lodge", refused_a.pk))
    html = page.content.decode()
    deadline = add_working_days(today, 10)
    assert page.status_code == 200
    assert f"{deadline:%A %-d %B %Y}" in html and "10 working days left" in html
    assert "Why are you appealing?" in html and "Day the appeal was received" not in html


def test_an_award_or_an_undecided_application_cannot_be_appealed(cast_a, scheme_a, login):
    with tenant_context(cast_a.tenant.id):
        awarded = decided(cast_a, scheme_a)
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "appeal_lodge", awarded.pk)
    assert "Only a decision not to award can be appealed" in client.get(path).content.decode()
    response = client.post(path, {"reasons": "More, please."})
    assert "Only a decision not to award can be appealed." in response.content.decode()
    assert appeals(cast_a) == []


def test_who_may_not_appeal(cast_a, cast_b, refused_a, login):
    path = url(cast_a, "appeal_lodge", refused_a.pk)
    with tenant_context(cast_a.tenant.id):
        other_admin = other_organisation_admin(cast_a)
    # The organisation's member (not admin) and the assessor may read it but not appeal.
    for user in (cast_a.organisation_member, cast_a.assessor):
        assert login(user).post(path, {"reasons": "X"}).status_code == 403
    # Another organisation, the board reporter and someone with no role here.
    assert login(other_admin).get(path).status_code == 404
    assert login(cast_a.board_reporter).get(path).status_code == 404
    assert login(cast_a.outsider).get(path).status_code == 403
    # Another tenant's admin, at their own tenant's address with this application's id.
    assert (
        login(cast_b.tenant_admin).get(url(cast_b, "appeal_lodge", refused_a.pk)).status_code == 404
    )
    assert (
        login(cast_b.tenant_admin).post(url(cast_b, "appeal_lodge", refused_a.pk)).status_code
        == 404
    )
    assert appeals(cast_a) == []


# --- The list ---------------------------------------------------------------------------------


def test_the_programme_team_sees_every_appeal_with_both_clocks(cast_a, scheme_a, login):
    first = refused(cast_a, scheme_a)
    appeal = lodged(cast_a, first)
    waiting = refused(cast_a, scheme_a)  # not yet appealed: its time is running
    page = login(cast_a.tenant_admin).get(url(cast_a, "appeal_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Decisions open to appeal" in html and "10 working days left" in html
    assert url(cast_a, "appeal_lodge", waiting.pk) in html
    assert "on the last day to appeal" not in html
    assert "10 working days before the last day" in html
    assert f"due {appeal.decision_due:%-d %B %Y}" in html and "21 working days left" in html
    assert "Appoint a panel" in html and "Not appointed" in html
    filtered = login(cast_a.tenant_admin).get(url(cast_a, "appeal_list"), {"status": "decided"})
    assert "No appeals match" in filtered.content.decode()
    searched = login(cast_a.tenant_admin).get(
        url(cast_a, "appeal_list"), {"q": cast_a.organisation.name[:5]}
    )
    assert cast_a.organisation.name in searched.content.decode()


def test_a_panel_member_sees_only_their_appeals(cast_a, scheme_a, login):
    theirs = lodged(cast_a, refused(cast_a, scheme_a))
    member = with_panel(cast_a, theirs)
    other = lodged(cast_a, refused(cast_a, scheme_a))
    with_panel(cast_a, other)
    page = login(member).get(url(cast_a, "appeal_list"))
    assert [row["appeal"].pk for row in page.context["rows"]] == [theirs.pk]
    html = page.content.decode()
    assert url(cast_a, "appeal_decide", theirs.pk) in html
    assert "Decisions open to appeal" not in html and "Appoint a panel" not in html
    assert login(cast_a.assessor).get(url(cast_a, "appeal_list")).context["rows"] == []


def test_the_list_is_refused_to_applicants_and_outsiders(cast_a, login):
    for user in (cast_a.organisation_admin, cast_a.organisation_member, cast_a.board_reporter):
        assert login(user).get(url(cast_a, "appeal_list")).status_code == 403
    assert login(cast_a.outsider).get(url(cast_a, "appeal_list")).status_code == 403


def test_the_list_takes_a_fixed_number_of_queries(
    cast_a, scheme_a, login, django_assert_max_num_queries
):
    with_panel(cast_a, lodged(cast_a, refused(cast_a, scheme_a)))
    refused(cast_a, scheme_a)
    client = login(cast_a.tenant_admin)
    with CaptureQueriesContext(connection) as queries:
        small = client.get(url(cast_a, "appeal_list"))
    for _ in range(3):
        with_panel(cast_a, lodged(cast_a, refused(cast_a, scheme_a)))
        refused(cast_a, scheme_a)
    with django_assert_max_num_queries(len(queries)):
        large = client.get(url(cast_a, "appeal_list"))
    assert [len(r.context["rows"]) for r in (small, large)] == [1, 4]
    assert [len(r.context["open_rows"]) for r in (small, large)] == [1, 4]


# --- The panel --------------------------------------------------------------------------------


def test_the_programme_team_appoints_a_panel_not_involved_in_the_assessment(
    cast_a, refused_a, login
):
    appeal = lodged(cast_a, refused_a)
    with tenant_context(cast_a.tenant.id):
        fresh = person(cast_a, Role.ASSESSOR)
    client = login(cast_a.tenant_admin)
    path = url(cast_a, "appeal_panel", appeal.pk)
    page = client.get(path).content.decode()
    assert f"{cast_a.assessor}" in page and "took part in the assessment" in page
    refused_page = client.post(path, {"members": [str(fresh.pk), str(cast_a.assessor.pk)]})
    assert refused_page.status_code == 200
    assert (
        f"{cast_a.assessor} took part in the assessment: choose someone not involved."
        in refused_page.content.decode()
    )
    nobody = client.post(path, {}).content.decode()
    assert "Choose at least one panel member." in nobody
    forged = client.post(path, {"members": [str(cast_a.organisation_admin.pk)]})
    assert "Choose people from the list." in forged.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert not AppealPanelMember.objects.exists()
    done = client.post(path, {"members": [str(fresh.pk)]})
    assert done.status_code == 302 and done["Location"] == url(cast_a, "appeal_list")
    with tenant_context(cast_a.tenant.id):
        assert [p.member for p in AppealPanelMember.objects.all()] == [fresh]
    listed = client.get(url(cast_a, "appeal_list")).content.decode()
    assert str(fresh) in listed and "Change the panel" in listed


def test_only_the_programme_team_appoints_panels(cast_a, cast_b, refused_a, login):
    appeal = lodged(cast_a, refused_a)
    member = with_panel(cast_a, appeal)
    path = url(cast_a, "appeal_panel", appeal.pk)
    assert login(member).get(path).status_code == 403
    for user in (cast_a.assessor, cast_a.organisation_admin):
        assert login(user).get(path).status_code == 404
    assert login(cast_a.outsider).get(path).status_code == 403
    assert login(cast_b.tenant_admin).get(url(cast_b, "appeal_panel", appeal.pk)).status_code == (
        404
    )


# --- The decision -----------------------------------------------------------------------------


def test_a_panel_member_allows_the_appeal_and_the_award_is_made(cast_a, refused_a, login):
    appeal = lodged(cast_a, refused_a)
    member = with_panel(cast_a, appeal)
    client = login(member)
    path = url(cast_a, "appeal_decide", appeal.pk)
    page = client.get(path).content.decode()
    assert "Our evidence file was overlooked." in page and "Record the decision" in page
    bad = client.post(path, {"outcome": "maybe", "reasons": ""}).content.decode()
    assert "Give the panel&#x27;s reasons." in bad or "Give the panel's reasons." in bad
    assert "Select a valid choice" in bad or "Choose whether" in bad
    with tenant_context(cast_a.tenant.id):
        assert not Award.objects.exists()
    done = client.post(path, {"outcome": "allowed", "reasons": "The file showed 600 hours."})
    assert done.status_code == 302
    with tenant_context(cast_a.tenant.id):
        appeal.refresh_from_db()
        refused_a.refresh_from_db()
        assert (appeal.outcome, refused_a.status) == ("allowed", "awarded")
        assert Award.objects.filter(application=refused_a).exists()
    again = client.get(path).content.decode()
    assert "The panel decided this appeal" in again and "<textarea" not in again
    again_post = client.post(path, {"outcome": "dismissed", "reasons": "No"})
    assert "This appeal has already been decided." in again_post.content.decode()


def test_only_a_panel_member_decides(cast_a, cast_b, refused_a, login):
    appeal = lodged(cast_a, refused_a)
    with_panel(cast_a, appeal)
    path = url(cast_a, "appeal_decide", appeal.pk)
    data = {"outcome": "allowed", "reasons": "Yes"}
    assert login(cast_a.tenant_admin).post(path, data).status_code == 403
    for user in (cast_a.assessor, cast_a.organisation_admin):
        assert login(user).post(path, data).status_code == 404
    assert (
        login(cast_b.tenant_admin).post(url(cast_b, "appeal_decide", appeal.pk), data).status_code
        == 404
    )
    with tenant_context(cast_a.tenant.id):
        appeal.refresh_from_db()
        assert appeal.status == "lodged"
