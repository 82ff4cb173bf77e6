"""The Anchor Assembly pages: the programme team adds an assembly, records attendees by member,
agenda, minutes and actions with owners and due dates, marks actions done; open actions are
carried to the next assembly; the assembly's page links to its PDF progress pack (a board
report: tests/test_reporting_assembly_pack.py) for those who may see reports. Everyone with a
role reads; only the programme team writes; another programme's assemblies are not found; bad
input gets a clear, field-named message; the pages run a fixed number of queries."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anchors import services
from anchors.models import ActionStatus, Assembly, AssemblyAction, AssemblyAttendee
from tenancy.context import tenant_context
from tests.anchors_builders import anchor_charter, as_user, member, open_round, send_return

pytestmark = pytest.mark.django_db

READERS = ["assessor", "board_reporter", "organisation_admin", "organisation_member"]


def _url(cast, rest=""):
    return f"/t/{cast.tenant.slug}/anchors/{rest}"


def _in(cast, fn):
    with tenant_context(cast.tenant.id):
        return fn()


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}-error">(.*?)</span>\s*\n?(.*?)</span>', page, re.S)
    assert match, f"no error shown on {field}"
    return match.group(2).strip()


def _charter_with_members(cast, *, extra=0):
    """An anchor charter; the cast's organisation and a second member (anonymised) report in
    one accepted round; `extra` more members report too."""

    def build():
        charter = anchor_charter(cast)
        ours = member(cast, charter, cast.organisation)
        hidden = member(cast, charter)
        services.member_profile_update(
            **as_user(cast, hidden.admin), signatory=hidden.signatory, disclosure="anonymised"
        )
        others = [member(cast, charter) for _ in range(extra)]
        reviewed = open_round(cast, charter)
        send_return(cast, reviewed, ours, {"ANC-APPRENTICESHIPS": "4", "ANC-LOCAL-SPEND": "1000"})
        send_return(cast, reviewed, hidden, {"ANC-APPRENTICESHIPS": "9"})
        for n, other in enumerate(others):
            send_return(cast, reviewed, other, {"ANC-APPRENTICESHIPS": str(n + 1)})
        return charter, ours, hidden, reviewed

    return _in(cast, build)


def _assembly(cast, charter, held_on=date(2023, 7, 12), title="First Anchor Assembly"):
    return _in(
        cast,
        lambda: services.assembly_create(
            **as_user(cast, cast.tenant_admin), charter=charter, held_on=held_on, title=title
        ),
    )


def test_programme_team_runs_an_assembly(cast_a, login):
    charter, ours, hidden, reviewed = _charter_with_members(cast_a)
    client = login(cast_a.tenant_admin)
    page = client.get(_url(cast_a, f"{charter.slug}/assemblies/")).content.decode()
    assert "There have been no assemblies yet" in page
    assert "Add an assembly" in page

    page = client.get(_url(cast_a, f"{charter.slug}/assemblies/new/")).content.decode()
    assert reviewed.name in page
    response = client.post(
        _url(cast_a, f"{charter.slug}/assemblies/new/"),
        {
            "title": "First Anchor Assembly",
            "held_on": "12/7/2023",
            "agenda": "1. Welcome\n2. Progress against the pillars",
            "round": str(reviewed.pk),
        },
    )
    assembly = _in(cast_a, lambda: Assembly.objects.get(charter=charter))
    assert response.status_code == 302
    assert response.url == _url(cast_a, f"assemblies/{assembly.pk}/")
    assert assembly.held_on == date(2023, 7, 12)
    assert assembly.round_id == reviewed.pk
    ours_name = _in(cast_a, lambda: ours.signatory.organisation.name)

    base = _url(cast_a, f"assemblies/{assembly.pk}/")
    response = client.post(
        f"{base}attendees/new/",
        {"signatory": str(ours.signatory.pk), "name": "Ann Chair", "role": "Chief Executive"},
    )
    assert response.status_code == 302
    client.post(f"{base}attendees/new/", {"signatory": "", "name": "Guest Speaker"})
    response = client.post(
        f"{base}actions/new/",
        {
            "text": "Share the procurement pipeline with VCSE partners",
            "owner_signatory": str(ours.signatory.pk),
            "owner_name": "",
            "due_on": "1/10/2023",
        },
    )
    assert response.status_code == 302
    client.post(
        f"{base}actions/new/", {"text": "Circulate the minutes", "owner_name": "Programme team"}
    )
    response = client.post(
        f"{base}edit/",
        {
            "title": assembly.title,
            "held_on": "12/7/2023",
            "round": str(reviewed.pk),
            "agenda": assembly.agenda,
            "minutes": "Members reviewed progress on local spend.",
        },
    )
    assert response.status_code == 302

    page = client.get(base).content.decode()
    assert "Wednesday 12 July 2023" in page
    assert reviewed.name in page
    assert ours_name in page and "Ann Chair, Chief Executive" in page
    assert "Guests" in page and "Guest Speaker" in page
    assert "Progress against the pillars" in page
    assert "Members reviewed progress on local spend." in page
    assert "Share the procurement pipeline with VCSE partners" in page
    assert "1 Oct 2023" in page
    assert "Programme team" in page
    assert "Overdue" in page  # due 1 October 2023, long past
    assert "No open actions are carried from earlier assemblies." in page

    minutes = _in(cast_a, lambda: AssemblyAction.objects.get(text="Circulate the minutes"))
    page = client.get(_url(cast_a, f"actions/{minutes.pk}/done/")).content.decode()
    assert "Mark this action as done?" in page
    response = client.post(_url(cast_a, f"actions/{minutes.pk}/done/"), {"done_on": "20/7/2023"})
    assert response.status_code == 302 and response.url == base
    _in(cast_a, minutes.refresh_from_db)
    assert minutes.status == ActionStatus.DONE and minutes.done_on == date(2023, 7, 20)
    # Done already: back to the assembly with a message, nothing changes.
    response = client.post(_url(cast_a, f"actions/{minutes.pk}/done/"), {"done_on": ""})
    assert response.status_code == 302

    page = client.get(_url(cast_a, f"{charter.slug}/assemblies/")).content.decode()
    assert "First Anchor Assembly" in page and "12 July 2023" in page
    assert "1 assembly" in page


def test_open_actions_are_carried_to_the_next_assembly(cast_a, login):
    charter, ours, _hidden, _reviewed = _charter_with_members(cast_a)
    first = _assembly(cast_a, charter)
    carried = _in(
        cast_a,
        lambda: services.assembly_action_add(
            **as_user(cast_a, cast_a.tenant_admin),
            assembly=first,
            text="Publish the anchor spend analysis",
            owner_signatory=ours.signatory,
            due_on=date(2023, 12, 1),
        ),
    )
    second = _assembly(cast_a, charter, date(2024, 1, 17), "Second Anchor Assembly")
    client = login(cast_a.tenant_admin)
    page = client.get(_url(cast_a, f"assemblies/{second.pk}/")).content.decode()
    assert "Open actions carried from earlier assemblies" in page
    assert "Publish the anchor spend analysis" in page
    assert "Agreed at" in page and "First Anchor Assembly" in page
    done_link = f"/actions/{carried.pk}/done/?from={second.pk}"
    assert done_link in page
    response = client.post(_url(cast_a, f"actions/{carried.pk}/done/?from={second.pk}"), {})
    assert response.status_code == 302
    assert response.url == _url(cast_a, f"assemblies/{second.pk}/")
    page = client.get(response.url).content.decode()
    assert "No open actions are carried from earlier assemblies." in page
    _in(cast_a, carried.refresh_from_db)
    assert carried.done_on == timezone.localdate()


def test_the_assembly_page_links_to_the_pdf_pack_for_those_who_may_see_reports(cast_a, login):
    charter, _ours, _hidden, _reviewed = _charter_with_members(cast_a)
    assembly = _assembly(cast_a, charter)
    pack = f"/t/{cast_a.tenant.slug}/reports/assemblies/{assembly.pk}/pack/"
    for role in ("tenant_admin", "board_reporter"):
        page = login(getattr(cast_a, role)).get(_url(cast_a, f"assemblies/{assembly.pk}/"))
        text = page.content.decode()
        assert f'<a href="{pack}">Progress pack (PDF)</a>' in text, role
    # The pack is an assembly report: an organisation's admins and everyone else are told who
    # shares it, with no link.
    for role in ("organisation_admin", "organisation_member", "assessor"):
        page = login(getattr(cast_a, role)).get(_url(cast_a, f"assemblies/{assembly.pk}/"))
        text = page.content.decode()
        assert pack not in text, role
        assert "The programme team shares the progress pack" in text, role
    # The printable page it replaced is gone.
    client = login(cast_a.tenant_admin)
    assert client.get(_url(cast_a, f"assemblies/{assembly.pk}/pack/")).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_others_read_but_may_not_change(cast_a, login, role):
    charter, ours, _hidden, _reviewed = _charter_with_members(cast_a)
    assembly = _assembly(cast_a, charter)
    action = _in(
        cast_a,
        lambda: services.assembly_action_add(
            **as_user(cast_a, cast_a.tenant_admin),
            assembly=assembly,
            text="Share the pipeline",
            owner_name="Programme team",
        ),
    )
    client = login(getattr(cast_a, role))
    page = client.get(_url(cast_a, f"{charter.slug}/assemblies/"))
    assert page.status_code == 200
    assert "Add an assembly" not in page.content.decode()
    page = client.get(_url(cast_a, f"assemblies/{assembly.pk}/"))
    assert page.status_code == 200
    assert "Mark as done" not in page.content.decode()
    assert "Add an attendee" not in page.content.decode()
    for rest in (
        f"{charter.slug}/assemblies/new/",
        f"assemblies/{assembly.pk}/edit/",
        f"assemblies/{assembly.pk}/attendees/new/",
        f"assemblies/{assembly.pk}/actions/new/",
        f"actions/{action.pk}/done/",
    ):
        assert client.get(_url(cast_a, rest)).status_code == 403, rest
        assert client.post(_url(cast_a, rest), {"name": "X", "text": "X"}).status_code == 403
    assert _in(cast_a, lambda: AssemblyAttendee.objects.count()) == 0
    _in(cast_a, action.refresh_from_db)
    assert action.status == ActionStatus.OPEN


def test_outsiders_and_other_programmes_are_refused(cast_a, cast_b, login):
    charter, _ours, _hidden, _reviewed = _charter_with_members(cast_a)
    assembly = _assembly(cast_a, charter)
    pages = [
        f"{charter.slug}/assemblies/",
        f"assemblies/{assembly.pk}/",
        f"assemblies/{assembly.pk}/edit/",
    ]
    for user in (cast_a.outsider, cast_b.tenant_admin):
        client = login(user)
        for rest in pages:
            assert client.get(_url(cast_a, rest)).status_code == 403, rest
    # Bravo's admin on Bravo's address: Alpha's charter and assembly are not found.
    client = login(cast_b.tenant_admin)
    for rest in pages:
        assert client.get(_url(cast_b, rest)).status_code == 404, rest
    # Signed out: to the sign-in page.
    client.logout()
    assert client.get(_url(cast_a, pages[1])).status_code == 302


def test_not_an_anchor_charter_is_not_found(cast_a, login):
    from charters import services as charter_services

    social = _in(
        cast_a,
        lambda: charter_services.charter_create(
            **as_user(cast_a, cast_a.tenant_admin), title="Social Value Charter"
        ),
    )
    client = login(cast_a.tenant_admin)
    assert client.get(_url(cast_a, f"{social.slug}/assemblies/")).status_code == 404
    assert client.get(_url(cast_a, "no-such-charter/assemblies/new/")).status_code == 404


def test_bad_input_gets_clear_messages(cast_a, login):
    charter, ours, _hidden, _reviewed = _charter_with_members(cast_a)
    assembly = _assembly(cast_a, charter)
    client = login(cast_a.tenant_admin)
    new = _url(cast_a, f"{charter.slug}/assemblies/new/")

    page = client.post(new, {"title": "", "held_on": "31/2/2023"}).content.decode()
    assert "There is a problem" in page
    assert _field_error(page, "title") == "Enter the assembly&#x27;s title."
    assert _field_error(page, "held_on") == "Enter the date as day/month/year, like 12/7/2023."
    page = client.post(new, {"title": "Again", "held_on": "12/7/2023"}).content.decode()
    assert _field_error(page, "held_on") == "There is already an assembly on that day."
    page = client.post(new, {"title": "X", "held_on": "1/1/2024", "round": "nope"})
    assert "Select a valid choice" in _field_error(page.content.decode(), "round")

    base = _url(cast_a, f"assemblies/{assembly.pk}/")
    page = client.post(f"{base}attendees/new/", {"name": " "}).content.decode()
    assert _field_error(page, "name") == "Enter the attendee&#x27;s name."
    page = client.post(
        f"{base}actions/new/", {"text": "Do it", "owner_name": "", "due_on": "1/7/2023"}
    ).content.decode()
    assert _field_error(page, "owner_name") == "Say who owns the action: a member or a person."
    assert _field_error(page, "due_on") == "The action cannot be due before the assembly."
    page = client.post(f"{base}actions/new/", {"text": ""}).content.decode()
    assert _field_error(page, "text") == "Enter the action."
    assert _in(cast_a, lambda: AssemblyAction.objects.count()) == 0

    action = _in(
        cast_a,
        lambda: services.assembly_action_add(
            **as_user(cast_a, cast_a.tenant_admin),
            assembly=assembly,
            text="Share the pipeline",
            owner_signatory=ours.signatory,
        ),
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client.post(
        _url(cast_a, f"actions/{action.pk}/done/"),
        {"done_on": f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year}"},
    ).content.decode()
    assert _field_error(page, "done_on") == "The date cannot be in the future."
    # An unknown assembly or action: not found.
    assert (
        client.get(_url(cast_a, "assemblies/00000000-0000-0000-0000-000000000000/")).status_code
        == 404
    )
    assert (
        client.get(_url(cast_a, "actions/00000000-0000-0000-0000-000000000000/done/")).status_code
        == 404
    )


def _many_assemblies(cast, charter, members, count, start=date(2023, 7, 12)):
    def build():
        admin = as_user(cast, cast.tenant_admin)
        made = []
        for n in range(count):
            assembly = services.assembly_create(
                **admin,
                charter=charter,
                held_on=start + timedelta(days=182 * n),
                title=f"Anchor Assembly {n + 1}",
            )
            for m in members:
                name = m.signatory.organisation.name
                services.assembly_attendee_add(
                    **admin, assembly=assembly, name=f"Lead of {name}", signatory=m.signatory
                )
                services.assembly_action_add(
                    **admin,
                    assembly=assembly,
                    text=f"Report on local spend ({name})",
                    owner_signatory=m.signatory,
                    owner_name="Lead",
                    due_on=assembly.held_on + timedelta(days=90),
                )
            made.append(assembly)
        return made

    return _in(cast, build)


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def test_pages_run_a_fixed_number_of_queries(cast_a, login):
    """The same number of queries with 2 members and 2 assemblies as with 7 and 6."""
    charter, ours, hidden, reviewed = _charter_with_members(cast_a)
    small = _many_assemblies(cast_a, charter, [ours, hidden], 2)
    client = login(cast_a.tenant_admin)
    urls = {
        "list": _url(cast_a, f"{charter.slug}/assemblies/"),
        "detail": _url(cast_a, f"assemblies/{small[-1].pk}/"),
    }
    before = {name: _count(client, url)[0] for name, url in urls.items()}

    def grow():
        more = [member(cast_a, charter) for _ in range(5)]
        services.round_returns_add_missing(
            **as_user(cast_a, cast_a.tenant_admin), reporting_round=reviewed
        )
        for n, m in enumerate(more):
            send_return(cast_a, reviewed, m, {"ANC-APPRENTICESHIPS": str(n + 2)})
        return more

    more = _in(cast_a, grow)
    # Earlier than the measured assembly: their open actions are carried to it.
    _many_assemblies(cast_a, charter, [ours, hidden, *more], 4, start=date(2021, 1, 5))
    after = {name: _count(client, url) for name, url in urls.items()}
    assert {name: count for name, (count, _page) in after.items()} == before
    assert before["list"] <= 20 and before["detail"] <= 20
    assert after["list"][1].count("Anchor Assembly ") >= 6
    # Its own 2 actions, 2 carried from the first small assembly and 7 × 4 from the early ones.
    assert after["detail"][1].count("Mark as done<span") == 2 + 2 + 7 * 4
