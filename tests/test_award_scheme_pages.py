"""Award scheme administration in the browser: the tenant admin builds a scheme (four areas,
levels, questions, rubric, pass rule, categories, windows), opens it, copies it to a new
version without touching applications already made; everyone else is refused; bad input and
refusals by the services show as clear, field-named messages; lists run fixed queries."""

import re
from datetime import date
from decimal import Decimal

import pytest

from awards import services
from awards.models import (
    Application,
    AwardScheme,
    Criterion,
    SchemeArea,
    SchemeLevel,
    SchemeStatus,
    SchemeVersion,
)
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.awards_builders import as_user, draft, open_scheme

pytestmark = pytest.mark.django_db

REFUSED = ["assessor", "board_reporter", "organisation_admin", "organisation_member"]


def _url(cast, rest=""):
    return f"/t/{cast.tenant.slug}/awards/{rest}"


def _v(cast, version, rest=""):
    return _url(cast, f"schemes/versions/{version.pk}/{rest}")


def _field_error(page: str, field: str) -> str:
    match = re.search(rf'id="id_{field}-error">(.*?)</span>\s*\n?(.*?)</span>', page, re.S)
    assert match, f"no error shown on {field}"
    return match.group(2).strip()


def _in(cast, fn):
    with tenant_context(cast.tenant.id):
        return fn()


def _new_scheme(cast, name="Social Value Award"):
    def build():
        scheme = services.scheme_create(**as_user(cast, cast.tenant_admin), name=name)
        return scheme.versions.get()

    return _in(cast, build)


def _reload(cast, obj):
    _in(cast, obj.refresh_from_db)
    return obj


# --- The happy path -------------------------------------------------------------------------


def test_the_tenant_admin_builds_and_opens_a_scheme_through_the_pages(cast_a, login):
    client = login(cast_a.tenant_admin)
    page = client.get(_url(cast_a, "schemes/")).content.decode()
    assert "There are no award schemes yet" in page and "Create an award scheme" in page

    response = client.post(
        _url(cast_a, "schemes/new/"), {"name": "Social Value Award", "areas_rule": "choose"}
    )
    version = _in(cast_a, lambda: SchemeVersion.objects.get(scheme__name="Social Value Award"))
    assert response.status_code == 302 and response["Location"] == _v(cast_a, version)
    areas = _in(cast_a, lambda: {a.code: a for a in version.areas.all()})
    assert list(areas) == ["environmental", "social", "economic", "innovation"]

    for level in [
        {"name": "Bronze", "minimum_areas": "2", "minimum_commitments": "2"},
        {
            "name": "Level 1",
            "minimum_areas": "1",
            "minimum_commitments": "1",
            "kvis_per_commitment": "1",
            "tracking_months": "18",
        },
    ]:
        data = {"kvis_per_commitment": "0", "validity_years": "5", "requirements": ""} | level
        assert client.post(_v(cast_a, version, "levels/new/"), data).status_code == 302
    levels = _in(cast_a, lambda: {lv.name: lv for lv in version.levels.all()})
    assert levels["Level 1"].tracking_months == 18 and levels["Bronze"].minimum_areas == 2

    questions = [
        ("Who leads social value in your organisation?", "", "", "2", "50"),
        ("How do you reduce your environmental impact?", areas["environmental"].pk, "", "1", ""),
        ("How do you support your communities?", areas["social"].pk, "", "1", ""),
        ("How do you buy locally?", areas["economic"].pk, levels["Bronze"].pk, "1.5", "300"),
        ("What have you tried that is new?", areas["innovation"].pk, "", "1", ""),
    ]
    for text, area, level, weight, limit in questions:
        response = client.post(
            _v(cast_a, version, "criteria/new/"),
            {
                "text": text,
                "area": area,
                "level": level,
                "weight": weight,
                "word_limit": limit,
                "evidence_expected": "Numbers, places and dates.",
            },
        )
        assert response.status_code == 302, response.content.decode()
    client.post(_v(cast_a, version, "categories/new/"), {"name": "Environment"})
    client.post(
        _v(cast_a, version, "windows/new/"),
        {"name": "Spring round", "opens_on": "1/4/2025", "closes_on": "30/6/2025"},
    )
    response = client.post(
        _v(cast_a, version, "edit/"),
        {
            "name": "Social Value Award",
            "description": "For organisations of any size.",
            "areas_rule": "choose",
            "rubric_min": "0",
            "rubric_max": "4",
            "rubric_descriptors": "0: No evidence\n1: Limited\n2: Some\n3: Good\n4: Excellent",
            "pass_mark_percent": "75",
            "decision_working_days": "7",
            "appeal_working_days": "10",
            "appeal_decision_working_days": "21",
            "reminder_months": "12, 3",
            "change_summary": "",
        },
    )
    assert response.status_code == 302
    _reload(cast_a, version)
    assert version.pass_mark_percent == Decimal("75.00")
    assert version.reminder_months == [12, 3]
    assert version.rubric_descriptors["4"] == "Excellent"

    page = client.get(_v(cast_a, version)).content.decode()
    for text in [
        "Bronze",
        "Level 1",
        "tracked over 18 months",
        "How do you buy locally?",
        "300 words",
        "1.5",
        "Environment",
        "Spring round",
        "1 April 2025",
        "75% of the weighted maximum",
        "Within 7 working days",
        "12, 3 months before expiry",
        "Excellent",
        "Innovation",
    ]:
        assert text in page, text
    # Questions are grouped by area, the questions for every area first.
    assert page.index("Every area") < page.index("Who leads social value")
    assert page.index(">Environmental</h3>") < page.index("reduce your environmental impact")
    assert page.index(">Economic</h3>") < page.index("How do you buy locally?")

    for rest, text in [
        ("edit/", 'value="12, 3"'),
        ("edit/", "4: Excellent"),
        ("areas/new/", "Add an area"),
        ("levels/new/", "Add a level"),
        ("criteria/new/", "Every area"),
        (f"criteria/new/?area={areas['social'].pk}", f'value="{areas["social"].pk}" selected'),
        ("categories/new/", "Add a category"),
        ("windows/new/", "Add an application window"),
        (f"levels/{levels['Bronze'].pk}/", 'value="Bronze"'),
    ]:
        response = client.get(_v(cast_a, version, rest))
        assert response.status_code == 200 and text in response.content.decode(), rest
    page = client.get(_v(cast_a, version, "move/")).content.decode()
    assert "Open it for applications" in page and "Close it" not in page
    response = client.post(_v(cast_a, version, "move/"), {"to_status": "open", "note": "Go"})
    assert response.status_code == 302
    assert _reload(cast_a, version).status == SchemeStatus.OPEN
    page = client.get(_v(cast_a, version)).content.decode()
    assert "is now open for applications" in page
    assert "Copy to a new version" in page and "Add a level" not in page
    assert _in(cast_a, lambda: AuditEvent.objects.filter(verb="scheme_version.moved").count()) == 1

    page = client.get(_url(cast_a, "schemes/")).content.decode()
    assert "Social Value Award" in page and "Open for applications" in page


def test_copying_to_a_new_version_keeps_applications_on_theirs(cast_a, login):
    scheme = _in(cast_a, lambda: open_scheme(cast_a))
    application = _in(cast_a, lambda: draft(cast_a, scheme))
    v1 = scheme.version
    client = login(cast_a.tenant_admin)
    page = client.get(_v(cast_a, v1, "copy/")).content.decode()
    assert "Copy version 1 to a new version?" in page and "1 application made" in page

    response = client.post(_v(cast_a, v1, "copy/"), {"change_summary": "A Gold level."})
    v2 = _in(cast_a, lambda: SchemeVersion.objects.get(scheme=v1.scheme_id, number=2))
    assert response.status_code == 302 and response["Location"] == _v(cast_a, v2)
    assert v2.status == SchemeStatus.DRAFT and v2.change_summary == "A Gold level."
    assert _in(cast_a, lambda: v2.criteria.count()) == 4
    client.post(
        _v(cast_a, v2, "levels/new/"),
        {
            "name": "Gold",
            "minimum_areas": "4",
            "minimum_commitments": "6",
            "kvis_per_commitment": "0",
            "validity_years": "5",
        },
    )
    # A second copy while version 2 is a draft is refused, with the service's message.
    page = client.post(_v(cast_a, v1, "copy/"), {}).content.decode()
    assert "already has a draft version" in page and "nhsuk-error-summary" in page

    response = client.post(_v(cast_a, v2, "move/"), {"to_status": "open"})
    assert response.status_code == 302
    assert _reload(cast_a, v1).status == SchemeStatus.CLOSED
    assert _reload(cast_a, v2).status == SchemeStatus.OPEN
    application = _reload(cast_a, application)
    assert application.version_id == v1.pk and application.level_id == scheme.bronze.pk
    assert _in(cast_a, lambda: list(v1.levels.values_list("name", flat=True))) == [
        "Bronze",
        "Level 1",
    ]
    page = client.get(_v(cast_a, v1)).content.decode()
    assert "Closed" in page and "1 application made under this version" in page


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", REFUSED)
def test_organisation_staff_and_assessors_are_refused(cast_a, login, who):
    version = _new_scheme(cast_a)
    area = _in(cast_a, lambda: version.areas.first())
    client = login(getattr(cast_a, who))
    for url in [
        _url(cast_a, "schemes/"),
        _url(cast_a, "schemes/new/"),
        _v(cast_a, version),
        _v(cast_a, version, "edit/"),
        _v(cast_a, version, "copy/"),
        _v(cast_a, version, "move/"),
        _v(cast_a, version, "levels/new/"),
        _v(cast_a, version, f"areas/{area.pk}/"),
        _v(cast_a, version, f"areas/{area.pk}/remove/"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(_url(cast_a, "schemes/new/"), {"name": "Mine"}).status_code == 403
    assert client.post(_v(cast_a, version, "move/"), {"to_status": "open"}).status_code == 403
    assert client.post(_v(cast_a, version, f"areas/{area.pk}/remove/")).status_code == 403
    assert client.post(_v(cast_a, version, "areas/new/"), {"name": "Mine"}).status_code == 403
    assert _in(cast_a, lambda: AwardScheme.objects.count()) == 1
    assert _in(cast_a, lambda: SchemeArea.objects.filter(version=version).count()) == 4
    assert _reload(cast_a, version).status == SchemeStatus.DRAFT


def test_another_tenants_admin_cannot_reach_the_scheme(cast_a, cast_b, login):
    version = _new_scheme(cast_a)
    area = _in(cast_a, lambda: version.areas.first())
    client = login(cast_b.tenant_admin)
    # Through their own programme's address: no such version.
    for rest in ["", "edit/", "copy/", "move/", "levels/new/", f"areas/{area.pk}/remove/"]:
        assert client.get(_v(cast_b, version, rest)).status_code == 404, rest
    assert client.post(_v(cast_b, version, "move/"), {"to_status": "open"}).status_code == 404
    assert client.post(_v(cast_b, version, f"areas/{area.pk}/remove/")).status_code == 404
    assert "Social Value Award" not in client.get(_url(cast_b, "schemes/")).content.decode()
    # Through the other programme's address: not a member there.
    assert client.get(_v(cast_a, version)).status_code == 403
    assert _in(cast_a, lambda: SchemeArea.objects.filter(version=version).count()) == 4


def test_a_part_of_another_version_is_not_found(cast_a, login):
    one, two = _new_scheme(cast_a, "One"), _new_scheme(cast_a, "Two")
    area = _in(cast_a, lambda: two.areas.first())
    client = login(cast_a.tenant_admin)
    assert client.get(_v(cast_a, one, f"areas/{area.pk}/")).status_code == 404
    assert client.post(_v(cast_a, one, f"areas/{area.pk}/remove/")).status_code == 404
    assert client.get(_v(cast_a, one, f"rubbish/{area.pk}/remove/")).status_code == 404
    assert _in(cast_a, lambda: two.areas.count()) == 4


# --- Bad input and the services' refusals -----------------------------------------------------


def test_bad_input_is_shown_against_the_field_named(cast_a, login):
    client = login(cast_a.tenant_admin)
    page = client.post(_url(cast_a, "schemes/new/"), {"name": " ", "areas_rule": ""})
    page = page.content.decode()
    assert "There is a problem" in page and "Error: Create an award scheme" in page
    assert "Enter the award&#x27;s name." in _field_error(page, "name")
    assert "Choose whether applicants cover every area." in page
    version = _new_scheme(cast_a)

    settings = {
        "name": "Social Value Award",
        "areas_rule": "choose",
        "rubric_min": "3",
        "rubric_max": "2",
        "rubric_descriptors": "",
        "pass_mark_percent": "80",
        "decision_working_days": "7",
        "appeal_working_days": "10",
        "appeal_decision_working_days": "21",
        "reminder_months": "12, 6",
    }
    page = client.post(_v(cast_a, version, "edit/"), settings).content.decode()
    assert "The highest score must be above the lowest." in _field_error(page, "rubric_max")
    page = client.post(
        _v(cast_a, version, "edit/"),
        settings
        | {"rubric_max": "4", "rubric_descriptors": "7: Too high", "reminder_months": "99"},
    ).content.decode()
    assert "(&#x27;7&#x27; is not one of them)" in _field_error(page, "rubric_descriptors")
    assert "Give reminder months from 1 to 60." in _field_error(page, "reminder_months")
    page = client.post(
        _v(cast_a, version, "edit/"),
        settings | {"rubric_max": "4", "rubric_descriptors": "good", "reminder_months": "a, b"},
    ).content.decode()
    assert "Line 1: write a score, a colon" in _field_error(page, "rubric_descriptors")
    assert "separated by commas" in _field_error(page, "reminder_months")
    page = client.post(
        _v(cast_a, version, "edit/"), settings | {"rubric_max": "4", "pass_mark_percent": "120"}
    ).content.decode()
    assert "Enter a pass mark from 0 to 100." in _field_error(page, "pass_mark_percent")
    assert _reload(cast_a, version).rubric_min == 0

    level = {
        "name": "Gold",
        "minimum_areas": "9",
        "minimum_commitments": "0",
        "kvis_per_commitment": "0",
        "validity_years": "5",
    }
    page = client.post(_v(cast_a, version, "levels/new/"), level).content.decode()
    assert "Enter a number of areas from 0 to 4." in _field_error(page, "minimum_areas")
    page = client.post(
        _v(cast_a, version, "levels/new/"), level | {"minimum_areas": "x", "validity_years": "20"}
    ).content.decode()
    assert "Enter the number of areas as a whole number" in _field_error(page, "minimum_areas")
    assert "Enter the validity in years as 10 or less." in _field_error(page, "validity_years")

    question = {"text": "Why?", "area": "", "level": "", "weight": "0", "word_limit": "5"}
    page = client.post(_v(cast_a, version, "criteria/new/"), question).content.decode()
    assert "Enter a weight above 0." in _field_error(page, "weight")
    assert "Enter the word limit as 10 or more." in _field_error(page, "word_limit")
    other_area = _in(cast_a, lambda: _new_scheme(cast_a, "Other").areas.first())
    page = client.post(
        _v(cast_a, version, "criteria/new/"),
        question | {"weight": "1", "word_limit": "", "area": str(other_area.pk)},
    ).content.decode()
    assert "Choose one of this version&#x27;s areas." in _field_error(page, "area")

    page = client.post(
        _v(cast_a, version, "windows/new/"), {"opens_on": "1/7/2025", "closes_on": "1/6/2025"}
    ).content.decode()
    assert "close on or after the day it opens" in _field_error(page, "closes_on")
    page = client.post(
        _v(cast_a, version, "windows/new/"), {"opens_on": "31/2/2025", "closes_on": ""}
    ).content.decode()
    assert "Enter the date as day/month/year" in _field_error(page, "opens_on")
    assert "Enter the date the window closes." in _field_error(page, "closes_on")
    assert _in(cast_a, lambda: (version.levels.count(), version.criteria.count())) == (0, 0)
    assert _in(cast_a, lambda: version.windows.count()) == 0


def test_the_services_refusals_show_as_clear_messages(cast_a, login):
    version = _new_scheme(cast_a)
    client = login(cast_a.tenant_admin)
    page = client.post(_v(cast_a, version, "move/"), {"to_status": "open"}).content.decode()
    assert "There is a problem" in page
    assert "Before opening, add at least one level." in page
    assert _reload(cast_a, version).status == SchemeStatus.DRAFT
    page = client.post(_v(cast_a, version, "move/"), {"to_status": "archived"}).content.decode()
    assert "Choose one of the moves listed." in _field_error(page, "to_status")
    page = client.post(_v(cast_a, version, "move/"), {}).content.decode()
    assert "Choose what to do with this version." in page

    scheme = _in(cast_a, lambda: open_scheme(cast_a))
    opened = scheme.version
    # An open version no longer changes: its edit pages send you back with a message.
    for rest in ["edit/", "levels/new/", f"levels/{scheme.bronze.pk}/remove/"]:
        response = client.get(_v(cast_a, opened, rest), follow=True)
        assert "it can no longer change. Copy it to a new version instead." in (
            response.content.decode()
        ), rest
    response = client.post(_v(cast_a, opened, f"levels/{scheme.bronze.pk}/remove/"))
    assert response.status_code == 302
    assert _in(cast_a, lambda: SchemeLevel.objects.filter(pk=scheme.bronze.pk).exists())

    # Close, archive, and then there is nothing more to do.
    client.post(_v(cast_a, opened, "move/"), {"to_status": "closed"})
    page = client.get(_v(cast_a, opened, "move/")).content.decode()
    assert "Open it for applications" in page and "Archive it" in page
    client.post(_v(cast_a, opened, "move/"), {"to_status": "archived"})
    assert _reload(cast_a, opened).status == SchemeStatus.ARCHIVED
    page = client.get(_v(cast_a, opened, "move/"), follow=True).content.decode()
    assert "is archived: it cannot be opened or closed again" in page


def test_removing_an_area_asks_first_and_names_its_questions(cast_a, login):
    version = _new_scheme(cast_a)

    def build():
        admin = as_user(cast_a, cast_a.tenant_admin)
        area = version.areas.get(code="social")
        services.criterion_save(
            **admin,
            version=version,
            data=services.CriterionInput(text="How do you support communities?", area=area),
        )
        return area

    area = _in(cast_a, build)
    client = login(cast_a.tenant_admin)
    page = client.get(_v(cast_a, version, f"areas/{area.pk}/remove/")).content.decode()
    assert "Remove the area 'Social'?" in page
    assert "How do you support communities?" in page
    assert _in(cast_a, lambda: SchemeArea.objects.filter(pk=area.pk).exists())
    response = client.post(_v(cast_a, version, f"areas/{area.pk}/remove/"))
    assert response.status_code == 302
    assert not _in(cast_a, lambda: SchemeArea.objects.filter(pk=area.pk).exists())
    assert not _in(cast_a, lambda: Criterion.objects.filter(version=version).exists())
    page = client.get(_v(cast_a, version)).content.decode()
    assert "The area &#x27;Social&#x27; was removed." in page


def test_changing_an_existing_part_keeps_it(cast_a, login):
    version = _new_scheme(cast_a)
    area = _in(cast_a, lambda: version.areas.get(code="economic"))
    client = login(cast_a.tenant_admin)
    page = client.get(_v(cast_a, version, f"areas/{area.pk}/")).content.decode()
    assert 'value="Economic"' in page
    client.post(_v(cast_a, version, f"areas/{area.pk}/"), {"name": "Local economy"})
    area = _reload(cast_a, area)
    assert (area.code, area.name) == ("economic", "Local economy")
    client.post(
        _v(cast_a, version, "windows/new/"), {"opens_on": "1/4/2025", "closes_on": "30/6/2025"}
    )
    window = _in(cast_a, lambda: version.windows.get())
    page = client.get(_v(cast_a, version, f"windows/{window.pk}/")).content.decode()
    assert 'value="30/6/2025"' in page
    client.post(
        _v(cast_a, version, f"windows/{window.pk}/"),
        {"name": "Summer", "opens_on": "1/7/2025", "closes_on": "30/9/2025"},
    )
    window = _reload(cast_a, window)
    assert (window.name, window.closes_on) == ("Summer", date(2025, 9, 30))


# --- Fixed query counts -------------------------------------------------------------------


def _many_schemes(cast, count):
    def build():
        for n in range(count):
            scheme = open_scheme(cast)
            services.scheme_version_copy(**as_user(cast, cast.tenant_admin), version=scheme.version)
            AwardScheme.objects.filter(pk=scheme.version.scheme_id).update(name=f"Award {n}")
            draft(cast, scheme, complete=False)

    _in(cast, build)


def test_the_list_runs_a_fixed_number_of_queries(cast_a, login, django_assert_max_num_queries):
    client = login(cast_a.tenant_admin)
    client.get(_url(cast_a, "schemes/"))  # warm the session
    counts = []
    for more in (1, 5):
        _many_schemes(cast_a, more)
        with django_assert_max_num_queries(18) as captured:
            response = client.get(_url(cast_a, "schemes/"))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    page = response.content.decode()
    assert "6 award schemes" in page and "Award 4" in page and "1 application" in page
    page = client.get(_url(cast_a, "schemes/?q=award+4")).content.decode()
    assert "1 award scheme matching" in page and "Award 3" not in page
    page = client.get(_url(cast_a, "schemes/?q=nothing")).content.decode()
    assert "No award scheme's name contains 'nothing'" in page


def test_the_version_page_runs_a_fixed_number_of_queries(
    cast_a, login, django_assert_max_num_queries
):
    small = _new_scheme(cast_a, "Small")
    large = _in(cast_a, lambda: open_scheme(cast_a).version)

    def grow():
        admin = as_user(cast_a, cast_a.tenant_admin)
        copy = services.scheme_version_copy(**admin, version=large)
        for n in range(6):
            services.criterion_save(
                **admin,
                version=copy,
                data=services.CriterionInput(text=f"Question {n}", area=copy.areas.first()),
            )
            services.category_save(**admin, version=copy, name=f"Category {n}")
            services.window_save(
                **admin, version=copy, opens_on=date(2025, 1, n + 1), closes_on=date(2025, 2, 1)
            )
        return copy

    large = _in(cast_a, grow)
    client = login(cast_a.tenant_admin)
    client.get(_v(cast_a, small))  # warm the session
    counts = []
    for version in (small, large):
        with django_assert_max_num_queries(20) as captured:
            response = client.get(_v(cast_a, version))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert "Question 5" in response.content.decode()
    assert _in(cast_a, lambda: Application.objects.count()) == 0
