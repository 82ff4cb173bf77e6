"""The programme team's anchor pages, the gaps closed after the first build: changing an
assembly's title, date and round and removing its attendees and actions (after a confirmation);
changing a reporting round's dates and sending reminders now to members with returns
outstanding; changing and removing a metric of the evidence framework; searching the member
list a page at a time. Every action is audited, refused to everyone but the programme team and
not found from another programme; bad input gets a clear message naming the field."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anchors import services
from anchors.models import (
    Assembly,
    AssemblyAction,
    AssemblyAttendee,
    FigureQuery,
    MemberReturn,
    PillarMetric,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
)
from anchors.selectors import assembly_detail
from anchors.views import admin as admin_views
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests import factories
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    member,
    open_round,
    return_of,
    send_return,
)

pytestmark = pytest.mark.django_db

# Roles other than the programme team: a member's organisation admin and a plain member of
# its organisation among them.
REFUSED = ["organisation_admin", "organisation_member", "assessor", "board_reporter"]


def _in(cast, fn):
    with tenant_context(cast.tenant.id):
        return fn()


def _url(cast, rest=""):
    return f"/t/{cast.tenant.slug}/anchors/{rest}"


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}-error">(.*?)</span>\s*\n?(.*?)</span>', page, re.S)
    assert match, f"no error shown on {field}"
    return unescape(match.group(2).strip())


def _audits(cast, verb):
    return _in(cast, lambda: list(AuditEvent.objects.filter(verb=verb).order_by("created_at")))


def _d(value: date) -> str:
    return f"{value.day}/{value.month}/{value.year}"


@pytest.fixture
def charter_a(cast_a):
    return _in(cast_a, lambda: anchor_charter(cast_a))


@pytest.fixture
def member_a(cast_a, charter_a):
    return _in(cast_a, lambda: member(cast_a, charter_a, cast_a.organisation))


# --- Assemblies ---------------------------------------------------------------------------------


def _two_rounds(cast, charter, m):
    """A closed round with `m`'s accepted return, and an open round after it."""

    def build():
        first = open_round(cast, charter)
        send_return(cast, first, m, {"ANC-APPRENTICESHIPS": "4"})
        services.round_close(**as_user(cast, cast.tenant_admin), reporting_round=first)
        second = open_round(
            cast,
            charter,
            name="2023/24 H2",
            period_start=date(2023, 10, 1),
            period_end=date(2024, 3, 31),
        )
        return first, second

    return _in(cast, build)


@pytest.fixture
def assembly_a(cast_a, charter_a, member_a):
    """An assembly with an attendee for the member, a guest and two actions."""

    def build():
        admin = as_user(cast_a, cast_a.tenant_admin)
        assembly = services.assembly_create(
            **admin, charter=charter_a, held_on=date(2023, 7, 12), title="First Anchor Assembly"
        )
        services.assembly_attendee_add(
            **admin,
            assembly=assembly,
            name="Ann Chair",
            role="Chief Executive",
            signatory=member_a.signatory,
        )
        services.assembly_attendee_add(**admin, assembly=assembly, name="Guest Speaker")
        services.assembly_action_add(
            **admin,
            assembly=assembly,
            text="Share the procurement pipeline",
            owner_signatory=member_a.signatory,
            due_on=date(2023, 10, 1),
        )
        services.assembly_action_add(
            **admin, assembly=assembly, text="Circulate the minutes", owner_name="Programme team"
        )
        return assembly

    return _in(cast_a, build)


def test_the_programme_team_changes_an_assemblys_title_date_and_round(
    cast_a, charter_a, member_a, assembly_a, login
):
    first, second = _two_rounds(cast_a, charter_a, member_a)
    _in(
        cast_a,
        lambda: services.assembly_create(
            **as_user(cast_a, cast_a.tenant_admin),
            charter=charter_a,
            held_on=date(2023, 9, 20),
            title="Second Anchor Assembly",
        ),
    )
    client = login(cast_a.tenant_admin)
    base = _url(cast_a, f"assemblies/{assembly_a.pk}/")
    page = _text(client.get(base))
    assert base + "edit/" in page and "Change the title, date or round reviewed" in page
    page = client.get(base + "edit/").content.decode()
    assert 'value="First Anchor Assembly"' in page and 'value="12/7/2023"' in page
    assert first.name in page and second.name in page
    good = {
        "title": "Anchor Assembly, July 2023",
        "held_on": "13/7/2023",
        "round": str(second.pk),
        "agenda": "1. Welcome",
        "minutes": "Members agreed the spend analysis.",
    }
    # Bad input: each message names its field; nothing changes.
    page = client.post(base + "edit/", good | {"title": " ", "held_on": "31/2/2023"})
    page = page.content.decode()
    assert "There is a problem" in page
    assert _field_error(page, "title") == "Enter the assembly's title."
    assert _field_error(page, "held_on") == "Enter the date as day/month/year, like 12/7/2023."
    page = client.post(base + "edit/", good | {"held_on": "20/9/2023"}).content.decode()
    assert _field_error(page, "held_on") == "There is already an assembly on that day."
    page = client.post(base + "edit/", good | {"held_on": "2/10/2023"}).content.decode()
    assert _field_error(page, "held_on") == (
        "1 action of this assembly is due before 2 October 2023: an action cannot be due "
        "before its assembly. Choose an earlier date, or remove that action first."
    )
    page = client.post(base + "edit/", good | {"round": "not-a-round"}).content.decode()
    assert "Select a valid choice" in _field_error(page, "round")
    unchanged = _in(cast_a, lambda: Assembly.objects.get(pk=assembly_a.pk))
    # Added before any round had accepted returns, it reviewed none.
    assert (unchanged.title, unchanged.held_on, unchanged.round_id) == (
        "First Anchor Assembly",
        date(2023, 7, 12),
        None,
    )
    assert _audits(cast_a, "anchor_assembly.updated") == []
    response = client.post(base + "edit/", good)
    assert response.status_code == 302 and response.url == base
    changed = _in(cast_a, lambda: Assembly.objects.get(pk=assembly_a.pk))
    assert changed.title == "Anchor Assembly, July 2023"
    assert changed.held_on == date(2023, 7, 13)
    assert changed.round_id == second.pk
    assert changed.minutes == "Members agreed the spend analysis."
    page = _text(client.get(base))
    assert "Anchor Assembly, July 2023 saved." in page
    assert "Thursday 13 July 2023" in page and second.name in page
    (event,) = _audits(cast_a, "anchor_assembly.updated")
    assert event.actor_id == cast_a.tenant_admin.pk and event.object_id == str(assembly_a.pk)
    assert event.changes == {
        "title": ["First Anchor Assembly", "Anchor Assembly, July 2023"],
        "held_on": ["2023-07-12", "2023-07-13"],
        "round": [None, second.name],
        "agenda": True,
        "minutes": True,
    }


def test_editing_an_assembly_that_reviews_no_round_keeps_none(
    cast_a, charter_a, member_a, assembly_a, login
):
    _two_rounds(cast_a, charter_a, member_a)  # rounds with accepted returns exist now
    client = login(cast_a.tenant_admin)
    edit = _url(cast_a, f"assemblies/{assembly_a.pk}/edit/")
    response = client.post(
        edit,
        {
            "title": "First Anchor Assembly",
            "held_on": "12/7/2023",
            "round": "",  # as the form showed it
            "agenda": "1. Welcome",
            "minutes": "Typo fixed.",
        },
    )
    assert response.status_code == 302
    saved = _in(cast_a, lambda: Assembly.objects.get(pk=assembly_a.pk))
    assert (saved.round_id, saved.minutes) == (None, "Typo fixed.")


def test_assembly_update_refuses_another_charters_round_and_other_roles(
    cast_a, charter_a, member_a, assembly_a
):
    def build():
        other = anchor_charter(cast_a, title="Wirral Anchor Charter")
        member(cast_a, other)
        return open_round(cast_a, other, name="Wirral H1")

    foreign = _in(cast_a, build)
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        with pytest.raises(ValidationError) as error:
            services.assembly_update(
                **admin,
                assembly=assembly_a,
                agenda="",
                minutes="",
                reporting_round=foreign,
            )
        assert error.value.message_dict == {"round": ["Choose a round of this charter."]}
        with pytest.raises(PermissionDenied):
            services.assembly_update(
                **as_user(cast_a, member_a.admin),
                assembly=assembly_a,
                agenda="Mine",
                minutes="",
                title="Mine",
            )
        # Only agenda and minutes given: the rest is left as it is.
        services.assembly_update(**admin, assembly=assembly_a, agenda="A", minutes="M")
        assembly = Assembly.objects.get(pk=assembly_a.pk)
        assert (assembly.title, assembly.held_on, assembly.agenda) == (
            "First Anchor Assembly",
            date(2023, 7, 12),
            "A",
        )


def test_the_programme_team_removes_an_attendee_and_an_action_after_confirming(
    cast_a, charter_a, assembly_a, login
):
    second = _in(
        cast_a,
        lambda: services.assembly_create(
            **as_user(cast_a, cast_a.tenant_admin),
            charter=charter_a,
            held_on=date(2024, 1, 17),
            title="Second Anchor Assembly",
        ),
    )
    guest = _in(cast_a, lambda: AssemblyAttendee.objects.get(name="Guest Speaker"))
    action = _in(cast_a, lambda: AssemblyAction.objects.get(text="Share the procurement pipeline"))
    client = login(cast_a.tenant_admin)
    base = _url(cast_a, f"assemblies/{assembly_a.pk}/")
    page = _text(client.get(base))
    remove_guest = _url(cast_a, f"attendees/{guest.pk}/remove/")
    remove_action = _url(cast_a, f"actions/{action.pk}/remove/")
    assert remove_guest in page and remove_action in page
    # Carried to the next assembly, an action is not removed from there.
    page = _text(client.get(_url(cast_a, f"assemblies/{second.pk}/")))
    assert "Share the procurement pipeline" in page and remove_action not in page

    # The confirmation first: nothing is removed by looking at it.
    page = _text(client.get(remove_guest))
    assert "Remove Guest Speaker from the attendees?" in page
    assert "Guest Speaker, for a guest." in page
    page = _text(client.get(remove_action))
    assert "Remove this action?" in page
    assert "Share the procurement pipeline (owner: " in page and "due 1 October 2023" in page
    assert "no longer carried to later assemblies" in page
    assert _in(cast_a, lambda: AssemblyAttendee.objects.count()) == 2
    assert _in(cast_a, lambda: AssemblyAction.objects.count()) == 2

    response = client.post(remove_guest)
    assert response.status_code == 302 and response.url == base
    response = client.post(remove_action, follow=True)
    page = _text(response)
    assert "Action removed." in page
    assert remove_guest not in page and "Ann Chair, Chief Executive" in page
    assert "Share the procurement pipeline" not in page and "Circulate the minutes" in page
    assert not _in(cast_a, lambda: AssemblyAttendee.objects.filter(pk=guest.pk).exists())
    assert not _in(cast_a, lambda: AssemblyAction.objects.filter(pk=action.pk).exists())
    # No longer carried to the next assembly.
    carried = _in(cast_a, lambda: assembly_detail(tenant=cast_a.tenant, assembly=second))
    assert [a.text for a in carried["carried"]] == ["Circulate the minutes"]
    (removed_attendee,) = _audits(cast_a, "anchor_assembly.attendee_removed")
    assert removed_attendee.object_id == str(assembly_a.pk)
    assert removed_attendee.changes["name"] == "Guest Speaker"
    assert removed_attendee.actor_id == cast_a.tenant_admin.pk
    (removed_action,) = _audits(cast_a, "anchor_assembly.action_removed")
    assert removed_action.changes["text"] == "Share the procurement pipeline"
    assert removed_action.changes["due_on"] == "2023-10-01"
    # Gone: not found; removal is GET (confirm) and POST only.
    assert client.get(remove_guest).status_code == 404
    assert client.post(remove_action).status_code == 404
    ann = _in(cast_a, lambda: AssemblyAttendee.objects.get(name="Ann Chair"))
    assert client.put(_url(cast_a, f"attendees/{ann.pk}/remove/")).status_code == 405
    assert _in(cast_a, lambda: AssemblyAttendee.objects.filter(pk=ann.pk).exists())


@pytest.mark.parametrize("who", REFUSED)
def test_others_cannot_change_an_assembly_or_remove_from_it(
    cast_a, charter_a, assembly_a, login, who
):
    attendee = _in(cast_a, lambda: AssemblyAttendee.objects.get(name="Ann Chair"))
    action = _in(cast_a, lambda: AssemblyAction.objects.get(text="Circulate the minutes"))
    client = login(getattr(cast_a, who))
    page = _text(client.get(_url(cast_a, f"assemblies/{assembly_a.pk}/")))
    assert "remove/" not in page and "edit/" not in page
    urls = [
        _url(cast_a, f"assemblies/{assembly_a.pk}/edit/"),
        _url(cast_a, f"attendees/{attendee.pk}/remove/"),
        _url(cast_a, f"actions/{action.pk}/remove/"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "Mine", "held_on": "1/1/2024"}).status_code == 403
    assembly = _in(cast_a, lambda: Assembly.objects.get(pk=assembly_a.pk))
    assert assembly.title == "First Anchor Assembly" and assembly.held_on == date(2023, 7, 12)
    assert _in(cast_a, lambda: AssemblyAttendee.objects.count()) == 2
    assert _in(cast_a, lambda: AssemblyAction.objects.count()) == 2


def test_another_programmes_admin_cannot_change_an_assembly(
    cast_a, cast_b, charter_a, assembly_a, login
):
    attendee = _in(cast_a, lambda: AssemblyAttendee.objects.get(name="Ann Chair"))
    action = _in(cast_a, lambda: AssemblyAction.objects.get(text="Circulate the minutes"))
    client = login(cast_b.tenant_admin)
    rests = [
        f"assemblies/{assembly_a.pk}/edit/",
        f"attendees/{attendee.pk}/remove/",
        f"actions/{action.pk}/remove/",
    ]
    data = {"title": "Taken", "held_on": "1/1/2024"}
    for rest in rests:
        # Through their own programme's address: not found; through Alpha's: not a member.
        assert client.get(_url(cast_b, rest)).status_code == 404, rest
        assert client.post(_url(cast_b, rest), data).status_code == 404, rest
        assert client.post(_url(cast_a, rest), data).status_code == 403, rest
    with tenant_context(cast_b.tenant.id), pytest.raises(PermissionDenied):
        services.assembly_update(
            **as_user(cast_b, cast_b.tenant_admin),
            assembly=assembly_a,
            agenda="",
            minutes="",
            title="Taken",
        )
    assembly = _in(cast_a, lambda: Assembly.objects.get(pk=assembly_a.pk))
    assert assembly.title == "First Anchor Assembly"
    assert _in(cast_a, lambda: AssemblyAttendee.objects.count()) == 2
    assert _in(cast_a, lambda: AssemblyAction.objects.count()) == 2


# --- Reporting rounds: dates and reminders ------------------------------------------------------


def test_the_programme_team_changes_a_rounds_dates(cast_a, charter_a, member_a, login):
    reporting_round = _in(cast_a, lambda: open_round(cast_a, charter_a))
    client = login(cast_a.tenant_admin)
    detail = _url(cast_a, f"rounds/{reporting_round.pk}/")
    assert detail + "edit/" in _text(client.get(detail))
    page = client.get(detail + "edit/").content.decode()
    assert f'value="{_d(reporting_round.opens_on)}"' in page
    assert f'value="{_d(reporting_round.due_on)}"' in page
    opens = reporting_round.opens_on
    page = client.post(
        detail + "edit/", {"opens_on": _d(opens), "due_on": _d(opens - timedelta(days=1))}
    ).content.decode()
    assert _field_error(page, "due_on") == "Returns must be due after the round opens."
    page = client.post(detail + "edit/", {"opens_on": "", "due_on": "32/1/2024"})
    page = page.content.decode()
    assert _field_error(page, "opens_on") == "Enter the date the round opens."
    assert "Enter the date returns are due as day/month/year" in _field_error(page, "due_on")
    assert _in(cast_a, lambda: ReportingRound.objects.get().due_on) == reporting_round.due_on

    later = reporting_round.due_on + timedelta(days=14)
    response = client.post(detail + "edit/", {"opens_on": _d(opens), "due_on": _d(later)})
    assert response.status_code == 302 and response.url == detail
    assert _in(cast_a, lambda: ReportingRound.objects.get().due_on) == later
    page = _text(client.get(detail))
    assert f"returns are due by {later:%-d %B %Y}" in page
    (event,) = _audits(cast_a, "anchor_round.dates_changed")
    assert event.changes == {"due_on": [str(reporting_round.due_on), str(later)]}
    assert event.actor_id == cast_a.tenant_admin.pk

    # The service refuses due before opening too, naming the field.
    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError) as error:
        services.round_dates_update(
            **as_user(cast_a, cast_a.tenant_admin),
            reporting_round=reporting_round,
            opens_on=later,
            due_on=opens,
        )
    assert error.value.message_dict == {"due_on": ["Returns must be due after the round opens."]}


def test_a_closed_rounds_dates_cannot_change(cast_a, charter_a, member_a, login):
    def build():
        reporting_round = open_round(cast_a, charter_a)
        return services.round_close(
            **as_user(cast_a, cast_a.tenant_admin), reporting_round=reporting_round
        )

    reporting_round = _in(cast_a, build)
    client = login(cast_a.tenant_admin)
    detail = _url(cast_a, f"rounds/{reporting_round.pk}/")
    page = _text(client.get(detail))
    assert detail + "edit/" not in page and detail + "remind/" not in page
    message = f"{reporting_round.name} is closed: its dates can no longer change."
    assert message in _text(client.get(detail + "edit/", follow=True))
    new = {"opens_on": "1/1/2024", "due_on": "1/3/2024"}
    assert message in _text(client.post(detail + "edit/", new, follow=True))
    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError, match=message):
        services.round_dates_update(
            **as_user(cast_a, cast_a.tenant_admin),
            reporting_round=reporting_round,
            opens_on=date(2024, 1, 1),
            due_on=date(2024, 3, 1),
        )
    unchanged = _in(cast_a, lambda: ReportingRound.objects.get())
    assert (unchanged.opens_on, unchanged.due_on) == (
        reporting_round.opens_on,
        reporting_round.due_on,
    )
    assert _audits(cast_a, "anchor_round.dates_changed") == []


def test_the_programme_team_sends_reminders_now(
    cast_a, charter_a, member_a, login, django_capture_on_commit_callbacks, mailoutbox
):
    def build():
        others = [member(cast_a, charter_a) for _ in range(2)]
        reporting_round = open_round(cast_a, charter_a)
        send_return(cast_a, reporting_round, member_a, {"ANC-APPRENTICESHIPS": "4"}, accept=False)
        return reporting_round, others

    reporting_round, others = _in(cast_a, build)
    names = _in(cast_a, lambda: sorted(o.signatory.organisation.name for o in others))
    client = login(cast_a.tenant_admin)
    detail = _url(cast_a, f"rounds/{reporting_round.pk}/")
    assert "Send reminders now" in _text(client.get(detail))
    page = _text(client.get(detail + "remind/"))
    assert "Send reminders now?" in page
    assert "The organisation admins of 2 members with a return not yet sent" in page
    assert names[0] in page and names[1] in page
    assert cast_a.organisation.name not in page.split("Send reminders now?")[1]
    assert len(mailoutbox) == 0  # nothing is sent by looking
    with django_capture_on_commit_callbacks(execute=True):
        page = _text(client.post(detail + "remind/", follow=True))
    assert "2 members reminded: their organisation admins are emailed." in page
    assert len(mailoutbox) == 2
    assert {m.subject for m in mailoutbox} == {
        f"Reminder: your {reporting_round.name} return is due by {reporting_round.due_on:%-d %B %Y}"
    }
    assert {m.to[0] for m in mailoutbox} == {o.admin.email for o in others}
    today = timezone.localdate()
    reminded = _in(
        cast_a,
        lambda: dict(
            MemberReturn.objects.filter(round=reporting_round).values_list(
                "signatory_id", "last_reminded_on"
            )
        ),
    )
    assert reminded == {
        member_a.signatory.pk: None,
        others[0].signatory.pk: today,
        others[1].signatory.pk: today,
    }
    (event,) = _audits(cast_a, "anchor_round.reminders_sent")
    assert event.changes == {"returns": 2} and event.object_id == str(reporting_round.pk)
    # Again the same day: nobody is emailed twice.
    page = _text(client.get(detail + "remind/"))
    assert "Every member with a return not yet sent was reminded today already" in page
    with django_capture_on_commit_callbacks(execute=True):
        page = _text(client.post(detail + "remind/", follow=True))
    assert "No member was reminded: every member with a return outstanding has been reminded" in (
        page
    )
    assert len(mailoutbox) == 2
    assert len(_audits(cast_a, "anchor_round.reminders_sent")) == 1


def test_reminders_go_only_to_an_open_rounds_members(cast_a, charter_a, member_a, login):
    def build():
        admin = as_user(cast_a, cast_a.tenant_admin)
        draft = services.round_create(
            **admin,
            charter=charter_a,
            name="Draft round",
            period_start=date(2024, 4, 1),
            period_end=date(2024, 9, 30),
            opens_on=date(2024, 10, 1),
            due_on=date(2024, 11, 1),
        )
        done = open_round(cast_a, charter_a)
        send_return(cast_a, done, member_a, {"ANC-APPRENTICESHIPS": "4"}, accept=False)
        return draft, done

    draft, done = _in(cast_a, build)
    client = login(cast_a.tenant_admin)
    page = _text(client.post(_url(cast_a, f"rounds/{draft.pk}/remind/"), follow=True))
    assert "Draft round is draft: reminders go only to members of an open round." in page
    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError, match="open round"):
        services.round_reminders_send(**as_user(cast_a, cast_a.tenant_admin), reporting_round=draft)
    # Every member has sent its return: nobody to remind.
    assert "there is nobody to remind" in _text(
        client.get(_url(cast_a, f"rounds/{done.pk}/remind/"))
    )
    page = _text(client.post(_url(cast_a, f"rounds/{done.pk}/remind/"), follow=True))
    assert "No member was reminded: every member has sent its return." in page
    assert _audits(cast_a, "anchor_round.reminders_sent") == []


@pytest.mark.parametrize("who", REFUSED)
def test_others_cannot_change_a_rounds_dates_or_send_reminders(
    cast_a, charter_a, member_a, login, who, django_capture_on_commit_callbacks, mailoutbox
):
    reporting_round = _in(cast_a, lambda: open_round(cast_a, charter_a))
    client = login(getattr(cast_a, who))
    detail = _url(cast_a, f"rounds/{reporting_round.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        for url in (detail + "edit/", detail + "remind/"):
            assert client.get(url).status_code == 403, url
            assert client.post(url, {"opens_on": "1/1/2020", "due_on": "2/1/2020"}).status_code == (
                403
            )
    assert len(mailoutbox) == 0
    unchanged = _in(cast_a, lambda: ReportingRound.objects.get())
    assert unchanged.due_on == reporting_round.due_on
    assert _in(cast_a, lambda: return_of(reporting_round, member_a.signatory).last_reminded_on) is (
        None
    )
    with tenant_context(cast_a.tenant.id):
        for call in (
            lambda: services.round_reminders_send(
                **as_user(cast_a, getattr(cast_a, who)), reporting_round=reporting_round
            ),
            lambda: services.round_dates_update(
                **as_user(cast_a, getattr(cast_a, who)),
                reporting_round=reporting_round,
                opens_on=date(2020, 1, 1),
                due_on=date(2020, 1, 2),
            ),
        ):
            with pytest.raises(PermissionDenied):
                call()


def test_another_programmes_admin_cannot_change_a_round_or_remind_its_members(
    cast_a, cast_b, charter_a, member_a, login, django_capture_on_commit_callbacks, mailoutbox
):
    reporting_round = _in(cast_a, lambda: open_round(cast_a, charter_a))
    client = login(cast_b.tenant_admin)
    data = {"opens_on": "1/1/2020", "due_on": "2/1/2020"}
    with django_capture_on_commit_callbacks(execute=True):
        for rest in (f"rounds/{reporting_round.pk}/edit/", f"rounds/{reporting_round.pk}/remind/"):
            assert client.get(_url(cast_b, rest)).status_code == 404, rest
            assert client.post(_url(cast_b, rest), data).status_code == 404, rest
            assert client.post(_url(cast_a, rest), data).status_code == 403, rest
    assert len(mailoutbox) == 0
    assert _in(cast_a, lambda: ReportingRound.objects.get().due_on) == reporting_round.due_on
    with tenant_context(cast_b.tenant.id), pytest.raises(PermissionDenied):
        services.round_reminders_send(
            **as_user(cast_b, cast_b.tenant_admin), reporting_round=reporting_round
        )


# --- The evidence framework: changing and removing a metric ----------------------------------


def _pm(cast, charter, code) -> PillarMetric:
    return _in(cast, lambda: PillarMetric.objects.get(charter=charter, metric__code=code))


def _under(cast, charter, pillar) -> list[str]:
    return _in(
        cast,
        lambda: list(
            PillarMetric.objects.filter(charter=charter, pillar_code=pillar)
            .order_by("position")
            .values_list("metric__code", flat=True)
        ),
    )


def test_the_programme_team_changes_a_metrics_pillar_place_and_collective_impact(
    cast_a, charter_a, login
):
    apprenticeships = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    percent = _pm(cast_a, charter_a, "ANC-LOCAL-SPEND-PCT")
    client = login(cast_a.tenant_admin)
    framework = _url(cast_a, f"{charter_a.slug}/framework/")
    edit = framework + f"{apprenticeships.pk}/edit/"
    page = _text(client.get(framework))
    assert edit in page and framework + f"{apprenticeships.pk}/remove/" in page
    page = client.get(edit).content.decode()
    assert 'value="workforce" selected' in page
    assert re.search(r'name="position"[^>]*value="2"', page)  # second under its pillar
    assert _under(cast_a, charter_a, "purchasing") == [
        "ANC-LOCAL-SPEND-PCT",
        "ANC-LOCAL-SPEND",
        "ANC-SV-CONTRACTS",
    ]
    # Bad input: messages naming the field.
    page = client.post(edit, {"pillar_code": "", "position": "x"}).content.decode()
    assert _field_error(page, "pillar_code") == "Choose the pillar members report it under."
    assert _field_error(page, "position") == (
        "Enter its place under the pillar as a whole number, like 1."
    )
    page = client.post(edit, {"pillar_code": "purchasing", "position": "5"}).content.decode()
    assert _field_error(page, "position") == (
        "Enter a number from 1 to 4: there are 3 other metrics under Purchasing locally and "
        "for social benefit."
    )
    page = client.post(
        framework + f"{percent.pk}/edit/",
        {"pillar_code": "purchasing", "position": "1", "in_collective_total": "on"},
    ).content.decode()
    assert "percentages cannot be added up" in _field_error(page, "in_collective_total")
    assert _under(cast_a, charter_a, "workforce") == [
        "ANC-LOCAL-EMPLOYED",
        "ANC-APPRENTICESHIPS",
        "ANC-REAL-LIVING-WAGE",
    ]
    # First under purchasing, no longer added up.
    response = client.post(edit, {"pillar_code": "purchasing", "position": "1"})
    assert response.status_code == 302 and response.url == framework
    assert _under(cast_a, charter_a, "purchasing") == [
        "ANC-APPRENTICESHIPS",
        "ANC-LOCAL-SPEND-PCT",
        "ANC-LOCAL-SPEND",
        "ANC-SV-CONTRACTS",
    ]
    assert _under(cast_a, charter_a, "workforce") == ["ANC-LOCAL-EMPLOYED", "ANC-REAL-LIVING-WAGE"]
    moved = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    assert moved.pillar_code == "purchasing" and not moved.in_collective_total
    positions = _in(
        cast_a,
        lambda: list(
            PillarMetric.objects.filter(charter=charter_a)
            .order_by("position")
            .values_list("position", flat=True)
        ),
    )
    assert positions == list(range(1, len(services.DEFAULT_METRICS) + 1))
    (event,) = _audits(cast_a, "anchor_pillar_metric.changed")
    assert event.changes["pillar"] == ["workforce", "purchasing"]
    assert event.changes["in_collective_total"] == [True, False]
    assert event.changes["metric"] == "ANC-APPRENTICESHIPS"
    # Last under its pillar.
    client.post(framework + f"{percent.pk}/edit/", {"pillar_code": "purchasing", "position": "4"})
    assert _under(cast_a, charter_a, "purchasing")[-1] == "ANC-LOCAL-SPEND-PCT"


def test_a_metric_with_accepted_figures_cannot_be_removed(cast_a, charter_a, member_a, login):
    def build():
        reporting_round = open_round(cast_a, charter_a)
        send_return(cast_a, reporting_round, member_a, {"ANC-APPRENTICESHIPS": "4"})

    _in(cast_a, build)
    apprenticeships = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    client = login(cast_a.tenant_admin)
    remove = _url(cast_a, f"{charter_a.slug}/framework/{apprenticeships.pk}/remove/")
    message = (
        "Apprenticeships started has 1 figure in accepted returns: it cannot be removed from the "
        "evidence framework, or the dashboard would lose them."
    )
    page = _text(client.get(remove))
    assert message in page and 'type="submit">Remove' not in page
    assert message in _text(client.post(remove, follow=True))
    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError, match="cannot be"):
        services.pillar_metric_remove(
            **as_user(cast_a, cast_a.tenant_admin), pillar_metric=apprenticeships
        )
    assert _in(cast_a, lambda: PillarMetric.objects.filter(pk=apprenticeships.pk).exists())
    assert _in(cast_a, lambda: ReturnFigure.objects.count()) == 1
    assert _audits(cast_a, "anchor_pillar_metric.removed") == []


def test_removing_a_metric_after_confirming_removes_figures_not_yet_accepted(
    cast_a, charter_a, member_a, login
):
    def build():
        reporting_round = open_round(cast_a, charter_a)
        sent = send_return(
            cast_a,
            reporting_round,
            member_a,
            {"ANC-APPRENTICESHIPS": "4", "ANC-LOCAL-SPEND": "1000"},
            accept=False,
        )
        figure = sent.figures.get(pillar_metric__metric__code="ANC-APPRENTICESHIPS")
        services.figure_query_raise(
            **as_user(cast_a, cast_a.tenant_admin), figure=figure, text="Four?"
        )
        return sent

    sent = _in(cast_a, build)
    assert _in(cast_a, lambda: MemberReturn.objects.get(pk=sent.pk).status) == "queried"
    apprenticeships = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    estate = _pm(cast_a, charter_a, "ANC-ESTATE-HOURS")
    client = login(cast_a.tenant_admin)
    framework = _url(cast_a, f"{charter_a.slug}/framework/")
    remove = framework + f"{apprenticeships.pk}/remove/"
    page = _text(client.get(remove))
    assert "Remove Apprenticeships started?" in page
    assert "1 figure for it in returns not yet accepted is removed with it" in page
    assert _in(cast_a, lambda: PillarMetric.objects.filter(pk=apprenticeships.pk).exists())
    response = client.post(remove)
    assert response.status_code == 302 and response.url == framework
    page = _text(client.get(framework))
    assert (
        "Apprenticeships started removed from the evidence framework. 1 figure in returns not "
        "yet accepted was removed with it." in page
    )
    assert not _in(cast_a, lambda: PillarMetric.objects.filter(pk=apprenticeships.pk).exists())
    codes = _in(
        cast_a,
        lambda: list(ReturnFigure.objects.values_list("pillar_metric__metric__code", flat=True)),
    )
    assert codes == ["ANC-LOCAL-SPEND"]
    assert _in(cast_a, lambda: FigureQuery.objects.count()) == 0
    # Its only query went with the figure: the return waits for no answer any more.
    assert _in(cast_a, lambda: MemberReturn.objects.get(pk=sent.pk).status) == (
        ReturnStatus.SUBMITTED
    )
    (event,) = _audits(cast_a, "anchor_pillar_metric.removed")
    assert event.changes == {
        "metric": "ANC-APPRENTICESHIPS",
        "pillar": "workforce",
        "figures_removed": 1,
    }
    # A metric with no figures: removed without more ado.
    page = _text(client.get(framework + f"{estate.pk}/remove/"))
    assert "Remove Community use of the estate (hours)?" in page
    assert "returns not yet accepted" not in page
    page = _text(client.post(framework + f"{estate.pk}/remove/", follow=True))
    assert "Community use of the estate (hours) removed from the evidence framework." in page
    assert not _in(cast_a, lambda: PillarMetric.objects.filter(pk=estate.pk).exists())
    # The metric stays in its KVI framework and can be added again.
    assert client.get(framework + f"{estate.pk}/remove/").status_code == 404
    assert "Community use of the estate" in _text(client.get(framework + "add/"))


@pytest.mark.parametrize("who", REFUSED)
def test_others_cannot_change_or_remove_a_metric(cast_a, charter_a, member_a, login, who):
    apprenticeships = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    client = login(getattr(cast_a, who))
    framework = _url(cast_a, f"{charter_a.slug}/framework/")
    page = _text(client.get(framework))
    assert "/edit/" not in page and "/remove/" not in page
    for url in (
        framework + f"{apprenticeships.pk}/edit/",
        framework + f"{apprenticeships.pk}/remove/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"pillar_code": "purchasing", "position": "1"}).status_code == 403
    unchanged = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    assert (unchanged.pillar_code, unchanged.position) == (
        apprenticeships.pillar_code,
        apprenticeships.position,
    )
    with tenant_context(cast_a.tenant.id), pytest.raises(PermissionDenied):
        services.pillar_metric_remove(
            **as_user(cast_a, getattr(cast_a, who)), pillar_metric=apprenticeships
        )


def test_another_programmes_admin_cannot_change_or_remove_a_metric(
    cast_a, cast_b, charter_a, login
):
    apprenticeships = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    client = login(cast_b.tenant_admin)
    data = {"pillar_code": "purchasing", "position": "1"}
    for rest in (
        f"{charter_a.slug}/framework/{apprenticeships.pk}/edit/",
        f"{charter_a.slug}/framework/{apprenticeships.pk}/remove/",
    ):
        assert client.get(_url(cast_b, rest)).status_code == 404, rest
        assert client.post(_url(cast_b, rest), data).status_code == 404, rest
        assert client.post(_url(cast_a, rest), data).status_code == 403, rest
    with tenant_context(cast_b.tenant.id), pytest.raises(PermissionDenied):
        services.pillar_metric_update(
            **as_user(cast_b, cast_b.tenant_admin),
            pillar_metric=apprenticeships,
            pillar_code="purchasing",
            position=1,
            in_collective_total=False,
        )
    unchanged = _pm(cast_a, charter_a, "ANC-APPRENTICESHIPS")
    assert unchanged.pillar_code == "workforce"


# --- The member list: search and pages ------------------------------------------------------


def _members_named(cast, charter, names):
    def build():
        for name in names:
            organisation = factories.ParticipationFactory(
                tenant=cast.tenant, organisation__name=name
            ).organisation
            member(cast, charter, organisation)

    _in(cast, build)


def test_the_member_list_searches_by_organisation_name_a_page_at_a_time(
    cast_a, charter_a, login, monkeypatch
):
    _members_named(
        cast_a,
        charter_a,
        [
            "Wirral Council",
            "Wirral University Teaching Hospital NHS Trust",
            "Mersey Care NHS Trust",
        ],
    )
    client = login(cast_a.tenant_admin)
    members = _url(cast_a, f"{charter_a.slug}/members/")
    page = _text(client.get(members))
    assert "Search by organisation name" in page and "3 organisations" in page
    page = _text(client.get(members + "?q=nhs trust"))
    assert "2 organisations whose name contains “nhs trust”" in page
    assert "Mersey Care NHS Trust" in page and "Wirral Council" not in page
    assert 'value="nhs trust"' in page and "Clear the search" in page
    # The filters keep the search.
    assert "?q=nhs+trust&amp;show=members" in client.get(members + "?q=nhs trust").content.decode()
    page = _text(client.get(members + "?q=WIRRAL&show=members"))
    assert "2 organisations whose name contains “WIRRAL”" in page
    assert "Members (2)" in page and "Mersey Care" not in page
    # Nothing found: says so, with a way back.
    page = _text(client.get(members + "?q=Cheshire"))
    assert "No organisation has a name containing “Cheshire”." in page
    assert "Show every organisation" in page and "<table" not in page
    # A page at a time, the search kept in the page links.
    monkeypatch.setattr(admin_views, "MEMBERS_PER_PAGE", 1)
    response = client.get(members + "?q=wirral")
    html = response.content.decode()
    assert "2 organisations whose name contains “wirral” (page 1 of 2)" in _text(response)
    assert "?q=wirral&amp;page=2" in html
    assert "Wirral Council" in html and "Teaching Hospital" not in html
    page = _text(client.get(members + "?q=wirral&page=2"))
    assert "Wirral University Teaching Hospital NHS Trust" in page and "Wirral Council" not in page


def test_a_searched_member_list_page_runs_a_fixed_number_of_queries(
    cast_a, charter_a, login, monkeypatch
):
    monkeypatch.setattr(admin_views, "MEMBERS_PER_PAGE", 4)
    client = login(cast_a.tenant_admin)
    url = _url(cast_a, f"{charter_a.slug}/members/?q=organisation&page=2")
    client.get(url)  # warm the session
    counts = []
    for more in (5, 6):
        _in(cast_a, lambda more=more: [member(cast_a, charter_a) for _ in range(more)])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 20, counts
    assert "(page 2 of " in _text(response)
