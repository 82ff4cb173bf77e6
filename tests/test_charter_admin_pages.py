"""The programme team's charter pages: drafting, moving versions on, co-production, tiers, the
dashboard, deciding on signatures, exports, and who is refused."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charters import selectors, services
from charters.models import (
    SVQM_HEALTH_THEMES,
    Charter,
    CharterVersion,
    EngagementActivity,
    Principle,
    Signatory,
    SignatoryStatus,
    Theme,
    Tier,
    VersionStatus,
)
from charters.services import Decision, PledgeInput, SigningInput
from organisations.models import OrganisationType
from tenancy.context import tenant_context
from tenancy.models import Role
from tenancy.permissions import TenantAccess, tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db


# --- Helpers ---------------------------------------------------------------------------------


def _url(cast, path=""):
    return f"/t/{cast.tenant.slug}/charters/{path}"


def _admin_access(cast):
    return tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant)


def _draft_charter(cast, title="Social Value Charter", *, definition="", principles=()):
    """A charter with version 1 in draft (inside the tenant's context)."""
    with tenant_context(cast.tenant.id):
        access = _admin_access(cast)
        charter = services.charter_create(
            tenant=cast.tenant, actor=cast.tenant_admin, access=access, title=title
        )
        version = charter.versions.get(number=1)
        if definition:
            services.charter_version_update(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=access,
                version=version,
                definition=definition,
            )
        for principle in principles:
            services.principle_save(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=access,
                version=version,
                title=principle,
            )
    return charter


def _move(cast, version, *to_statuses):
    with tenant_context(cast.tenant.id):
        access = _admin_access(cast)
        for to_status in to_statuses:
            services.charter_version_transition(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=access,
                version=version,
                to_status=to_status,
                endorsing_body="Integrated Care Partnership",
                endorsed_on=date(2022, 7, 12),
            )
            version.refresh_from_db()
    return version


def _published_charter(cast, title="Social Value Charter"):
    charter = _draft_charter(
        cast,
        title,
        definition="Social value is the good we do for our area.",
        principles=["Pay the real living wage", "Buy locally first"],
    )
    with tenant_context(cast.tenant.id):
        version = charter.versions.get(number=1)
    _move(cast, version, VersionStatus.ENDORSED, VersionStatus.PUBLISHED)
    return charter


def _sign(cast, charter, organisation, *, approve=False, signed_on=date(2024, 1, 15)):
    """The organisation's admin signs with one pledge; optionally the tenant admin approves."""
    with tenant_context(cast.tenant.id):
        version = selectors.published_version(tenant=cast.tenant, charter=charter)
        signer_access = TenantAccess(
            tenant_id=cast.tenant.id,
            roles=frozenset({Role.ORGANISATION_ADMIN}),
            organisation_roles={organisation.id: frozenset({Role.ORGANISATION_ADMIN})},
        )
        signatory = services.charter_sign(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=signer_access,
            version=version,
            organisation=organisation,
            data=SigningInput(
                signers=[{"name": "Ann Chair", "role": "Chair"}],
                signed_on=signed_on,
                pledges=[
                    PledgeInput(
                        text="Pay every member of staff the real living wage",
                        principle_code="pay-the-real-living-wage",
                        target="All staff by April 2025",
                    )
                ],
            ),
        )
        if approve:
            signatory = services.signatory_decide(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=_admin_access(cast),
                signatory=signatory,
                decision=Decision.APPROVE,
            )
    return signatory


def _fresh(cast, obj):
    """The row as it is now in the database (read inside the tenant's context)."""
    with tenant_context(cast.tenant.id):
        obj.refresh_from_db()
    return obj


def _version(cast, charter, number):
    with tenant_context(cast.tenant.id):
        return CharterVersion.objects.get(charter=charter, number=number)


# --- Drafting --------------------------------------------------------------------------------


def test_tenant_admin_creates_a_charter_with_the_svqm_themes(client, cast_a, login):
    login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, "new/"), {"title": "Cheshire and Merseyside Charter", "has_tiers": "no"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, "cheshire-and-merseyside-charter/versions/1/")
    with tenant_context(cast_a.tenant.id):
        charter = Charter.objects.get(slug="cheshire-and-merseyside-charter")
        version = charter.versions.get()
        assert version.status == VersionStatus.DRAFT
        assert [(t.code, t.name) for t in version.themes.order_by("position")] == (
            SVQM_HEALTH_THEMES
        )
    page = client.get(response["Location"]).content.decode()
    assert "Cheshire and Merseyside Charter" in page
    assert "Health and wellbeing" in page and "Leadership" in page
    assert "Edit the text" in page and "Add a principle" in page


def test_creating_a_charter_needs_a_title_and_an_answer_on_tiers(client, cast_a, login):
    login(cast_a.tenant_admin)
    response = client.post(_url(cast_a, "new/"), {"title": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Enter the charter&#x27;s title." in page
    assert "Choose yes if the charter has tiers of commitment." in page
    with tenant_context(cast_a.tenant.id):
        assert not Charter.objects.exists()


def test_tenant_admin_edits_the_text_of_a_draft(client, cast_a, login):
    charter = _draft_charter(cast_a)
    login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, f"{charter.slug}/versions/1/edit/"),
        {
            "title": "Our Social Value Charter",
            "definition": "Reducing health inequalities and supporting independent lives.",
            "ambition_social": "Fewer people in the most deprived areas die early.",
            "ambition_economic": "Local employment and growth.",
            "ambition_environmental": "Net zero by 2040.",
            "commitments_intro": "In order to meet these ambitions, we will ...",
            "commitments": "Buy locally first\nPay the real living wage\n",
            "change_summary": "",
        },
    )
    assert response.status_code == 302
    version = _version(cast_a, charter, 1)
    assert version.title == "Our Social Value Charter"
    assert version.ambition_environmental == "Net zero by 2040."
    assert version.commitment_lines == ["Buy locally first", "Pay the real living wage"]
    page = client.get(response["Location"]).content.decode()
    assert "Version 1 saved." in page
    assert "<li>Pay the real living wage</li>" in page


def test_tenant_admin_adds_edits_and_removes_a_principle(client, cast_a, login):
    charter = _draft_charter(cast_a)
    login(cast_a.tenant_admin)
    base = _url(cast_a, f"{charter.slug}/versions/1/principles/")
    response = client.post(base + "new/", {"title": "Buy locally first", "description": ""})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        principle = Principle.objects.get(version__charter=charter)
    assert (principle.code, principle.title) == ("buy-locally-first", "Buy locally first")

    response = client.post(
        base + f"{principle.id}/edit/",
        {"title": "Buy and employ locally first", "description": "Local firms and people."},
    )
    assert response.status_code == 302
    _fresh(cast_a, principle)
    assert principle.title == "Buy and employ locally first"
    assert principle.code == "buy-locally-first"  # the code stays stable

    confirm = client.get(base + f"{principle.id}/remove/")
    assert "Remove the principle" in confirm.content.decode()
    response = client.post(base + f"{principle.id}/remove/")
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert not Principle.objects.filter(version__charter=charter).exists()


def test_a_principle_needs_a_title(client, cast_a, login):
    charter = _draft_charter(cast_a)
    login(cast_a.tenant_admin)
    response = client.post(_url(cast_a, f"{charter.slug}/versions/1/principles/new/"), {})
    assert response.status_code == 200
    assert "Enter the principle." in response.content.decode()


def test_tenant_admin_edits_a_theme(client, cast_a, login):
    charter = _draft_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        theme = Theme.objects.get(version__charter=charter, code="economic")
    login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, f"{charter.slug}/versions/1/themes/{theme.id}/edit/"),
        {"name": "Economic wellbeing", "description": "Jobs and local spend."},
    )
    assert response.status_code == 302
    _fresh(cast_a, theme)
    assert (theme.name, theme.code) == ("Economic wellbeing", "economic")


def test_a_version_has_only_principles_and_themes(client, cast_a, login):
    charter = _draft_charter(cast_a)
    login(cast_a.tenant_admin)
    response = client.get(_url(cast_a, f"{charter.slug}/versions/1/pledges/new/"))
    assert response.status_code == 404


# --- Moving a version on ---------------------------------------------------------------------


def test_a_version_moves_to_consultation_endorsed_and_published(client, cast_a, login):
    charter = _draft_charter(
        cast_a, definition="What social value means.", principles=["Buy locally first"]
    )
    login(cast_a.tenant_admin)
    move = _url(cast_a, f"{charter.slug}/versions/1/move/")

    page = client.get(move).content.decode()
    assert "In consultation" in page and "Endorsed" in page and "Published" not in page
    response = client.post(move, {"to_status": "consultation", "note": "Out to partners"})
    assert response.status_code == 302
    assert _version(cast_a, charter, 1).status == VersionStatus.CONSULTATION

    response = client.post(move, {"to_status": "endorsed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "Enter the body that endorsed the charter." in page
    assert "Enter the date it was endorsed." in page
    assert _version(cast_a, charter, 1).status == VersionStatus.CONSULTATION

    response = client.post(
        move,
        {
            "to_status": "endorsed",
            "endorsing_body": "Integrated Care Partnership",
            "endorsed_on": "12/7/2022",
        },
    )
    assert response.status_code == 302
    version = _version(cast_a, charter, 1)
    assert version.status == VersionStatus.ENDORSED
    assert (version.endorsing_body, version.endorsed_on) == (
        "Integrated Care Partnership",
        date(2022, 7, 12),
    )

    page = client.get(move).content.decode()
    assert "Publishing replaces the current charter" in page
    response = client.post(move, {"to_status": "published"})
    assert response.status_code == 302
    assert _version(cast_a, charter, 1).status == VersionStatus.PUBLISHED

    page = client.get(_url(cast_a, f"{charter.slug}/versions/1/")).content.decode()
    assert "Version 1 is now published." in page
    assert "Out to partners" in page
    assert "Integrated Care Partnership, 12 July 2022" in page
    assert "Move this version on" not in page and "Edit the text" not in page


def test_an_endorsement_date_must_be_a_real_date(client, cast_a, login):
    charter = _draft_charter(cast_a)
    login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, f"{charter.slug}/versions/1/move/"),
        {"to_status": "endorsed", "endorsing_body": "ICP", "endorsed_on": "31/2/2022"},
    )
    assert response.status_code == 200
    assert "Enter the date endorsed as day/month/year, like 12/7/2022." in response.content.decode()
    assert _version(cast_a, charter, 1).status == VersionStatus.DRAFT


def test_publishing_without_a_definition_is_refused_with_a_message(client, cast_a, login):
    charter = _draft_charter(cast_a)
    _move(cast_a, _version(cast_a, charter, 1), VersionStatus.ENDORSED)
    login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, f"{charter.slug}/versions/1/move/"), {"to_status": "published"}
    )
    assert response.status_code == 200
    assert "Before publishing, add the definition of social value." in (response.content.decode())
    assert _version(cast_a, charter, 1).status == VersionStatus.ENDORSED


def test_publishing_a_new_version_warns_how_many_will_re_confirm(client, cast_a, login):
    charter = _published_charter(cast_a)
    _sign(cast_a, charter, cast_a.organisation, approve=True)
    _sign(cast_a, charter, cast_a.other_organisation, approve=True)
    with tenant_context(cast_a.tenant.id):
        version = services.charter_new_version(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=_admin_access(cast_a),
            charter=charter,
        )
    _move(cast_a, version, VersionStatus.ENDORSED)
    login(cast_a.tenant_admin)
    page = client.get(_url(cast_a, f"{charter.slug}/versions/2/move/")).content.decode()
    assert "2 signatories of the previous version will be asked" in page


def test_a_new_version_copies_principles_and_themes(client, cast_a, login):
    charter = _published_charter(cast_a)
    login(cast_a.tenant_admin)
    confirm = client.get(_url(cast_a, f"{charter.slug}/new-version/"))
    assert "Start version 2?" in confirm.content.decode()
    response = client.post(_url(cast_a, f"{charter.slug}/new-version/"))
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, f"{charter.slug}/versions/2/")
    with tenant_context(cast_a.tenant.id):
        old = CharterVersion.objects.get(charter=charter, number=1)
        new = CharterVersion.objects.get(charter=charter, number=2)
        assert new.status == VersionStatus.DRAFT
        assert old.status == VersionStatus.PUBLISHED
        assert new.definition == old.definition
        assert [p.code for p in new.principles.all()] == [p.code for p in old.principles.all()]
        assert [t.code for t in new.themes.all()] == [t.code for t in old.themes.all()]


def test_a_second_new_version_is_refused_with_a_message(client, cast_a, login):
    charter = _published_charter(cast_a)
    login(cast_a.tenant_admin)
    client.post(_url(cast_a, f"{charter.slug}/new-version/"))
    response = client.post(_url(cast_a, f"{charter.slug}/new-version/"), follow=True)
    assert "Version 2 is still draft" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert charter.versions.count() == 2


def test_editing_a_published_version_is_refused_with_a_message(client, cast_a, login):
    charter = _published_charter(cast_a)
    login(cast_a.tenant_admin)
    edit = _url(cast_a, f"{charter.slug}/versions/1/edit/")
    response = client.get(edit, follow=True)
    assert "its text can no longer change" in response.content.decode()
    response = client.post(
        edit,
        {"title": "Changed", "commitments_intro": "We will", "definition": "Changed"},
        follow=True,
    )
    page = response.content.decode()
    assert "Version 1 is published: its text can no longer change." in page
    assert _version(cast_a, charter, 1).title == "Social Value Charter"
    response = client.post(
        _url(cast_a, f"{charter.slug}/versions/1/principles/new/"),
        {"title": "Something new"},
        follow=True,
    )
    assert "its text can no longer change" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert Principle.objects.filter(version__charter=charter).count() == 2


def test_what_changed_shows_added_and_removed_lines(client, cast_a, login):
    charter = _published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        access = _admin_access(cast_a)
        version = services.charter_new_version(
            tenant=cast_a.tenant, actor=cast_a.tenant_admin, access=access, charter=charter
        )
        services.charter_version_update(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=version,
            definition="Social value is what we do for our communities.",
        )
        services.principle_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=version,
            title="Net zero by 2040",
        )
    login(cast_a.tenant_admin)
    page = client.get(_url(cast_a, f"{charter.slug}/versions/2/changes/")).content.decode()
    assert (
        '<del><span class="nhsuk-u-visually-hidden">removed: </span>'
        "Social value is the good we do for our area.</del>"
    ) in page
    assert (
        '<ins><span class="nhsuk-u-visually-hidden">added: </span>'
        "Social value is what we do for our communities.</ins>"
    ) in page
    assert '<span class="nhsuk-u-visually-hidden">added: </span>Net zero by 2040</ins>' in page
    first = client.get(_url(cast_a, f"{charter.slug}/versions/1/changes/")).content.decode()
    assert "the first version" in first


# --- Related charters ------------------------------------------------------------------------


def test_tenant_admin_links_a_related_charter(client, cast_a, login):
    charter = _published_charter(cast_a)
    anchors = _draft_charter(cast_a, "Anchor Institution Charter")
    login(cast_a.tenant_admin)
    url = _url(cast_a, f"{charter.slug}/links/new/")
    response = client.post(url, {"title": "Anchors"})
    assert "Choose one of the programme&#x27;s charters or give an address." in (
        response.content.decode()
    )
    response = client.post(url, {"title": "Anchors", "related_charter": str(anchors.id)})
    assert response.status_code == 302
    response = client.post(
        url, {"title": "Prevention Pledge", "url": "https://example.org/prevention"}
    )
    assert response.status_code == 302
    page = client.get(_url(cast_a, f"{charter.slug}/")).content.decode()
    assert f'href="{_url(cast_a, anchors.slug + "/")}">Anchors</a>' in page
    assert 'href="https://example.org/prevention"' in page


# --- Co-production ---------------------------------------------------------------------------


def test_engagement_is_recorded_and_the_summary_counts_people_per_principle(client, cast_a, login):
    charter = _draft_charter(cast_a, principles=["Buy locally first", "Pay the real living wage"])
    login(cast_a.tenant_admin)
    new = _url(cast_a, f"{charter.slug}/engagement/new/")
    response = client.post(
        new,
        {
            "held_on": "14/3/2023",
            "kind": "community_conversation",
            "audience": "Residents of Halton",
            "people_count": "25",
            "heard": "Jobs close to home matter most.",
            "principle_codes": ["buy-locally-first"],
            "theme_codes": ["employment-and-volunteering"],
        },
    )
    assert response.status_code == 302
    response = client.post(
        new,
        {
            "held_on": "2/4/2023",
            "kind": "workshop",
            "audience": "VCSE working group",
            "people_count": "12",
            "heard": "Small suppliers find tenders hard.",
            "principle_codes": ["buy-locally-first", "pay-the-real-living-wage"],
        },
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        activity = EngagementActivity.objects.get(audience="Residents of Halton")
        assert activity.held_on == date(2023, 3, 14)
        assert activity.principle_codes == ["buy-locally-first"]
        assert activity.theme_codes == ["employment-and-volunteering"]

    response = client.get(_url(cast_a, f"{charter.slug}/engagement/"))
    summary = {row.code: row for row in response.context["principle_summary"]}
    assert summary["buy-locally-first"].people == 37
    assert summary["buy-locally-first"].activities == 2
    assert summary["buy-locally-first"].audiences == ["VCSE working group", "Residents of Halton"]
    assert summary["pay-the-real-living-wage"].people == 12
    themes = {row.code: row for row in response.context["theme_summary"]}
    assert themes["employment-and-volunteering"].people == 25
    page = response.content.decode()
    assert "2 activities with 37 people" in page


def test_engagement_with_a_wrong_date_gets_a_clear_message(client, cast_a, login):
    charter = _draft_charter(cast_a)
    login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, f"{charter.slug}/engagement/new/"),
        {
            "held_on": "March 2023",
            "kind": "survey",
            "audience": "Staff",
            "people_count": "0",
            "heard": "x",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the date held as day/month/year, like 14/3/2023." in page
    assert "The number of people must be 1 or more." in page
    with tenant_context(cast_a.tenant.id):
        assert not EngagementActivity.objects.exists()


def test_engagement_is_edited(client, cast_a, login):
    charter = _draft_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        activity = services.engagement_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=_admin_access(cast_a),
            charter=charter,
            held_on=date(2023, 3, 14),
            kind="survey",
            audience="Staff",
            people_count=40,
            heard="Parking.",
            principle_codes=[],
            theme_codes=["economic"],
        )
    login(cast_a.tenant_admin)
    url = _url(cast_a, f"{charter.slug}/engagement/{activity.id}/edit/")
    assert 'value="14/3/2023"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "held_on": "15/3/2023",
            "kind": "survey",
            "audience": "Staff",
            "people_count": "41",
            "heard": "Parking and buses.",
            "theme_codes": ["economic", "environmental"],
        },
    )
    assert response.status_code == 302
    _fresh(cast_a, activity)
    assert (activity.held_on, activity.people_count) == (date(2023, 3, 15), 41)
    assert activity.theme_codes == ["economic", "environmental"]


# --- Tiers -----------------------------------------------------------------------------------


def test_tenant_admin_adds_and_edits_tiers(client, cast_a, login):
    login(cast_a.tenant_admin)
    client.post(_url(cast_a, "new/"), {"title": "Good Employment Charter", "has_tiers": "yes"})
    with tenant_context(cast_a.tenant.id):
        charter = Charter.objects.get(slug="good-employment-charter")
        assert charter.has_tiers and not charter.tiers.exists()
    tiers = _url(cast_a, f"{charter.slug}/tiers/")
    client.post(tiers + "new/", {"name": "Supporter", "review_months": "12"})
    response = client.post(tiers + "new/", {"name": "Member", "requires_panel": "on"})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        rows = list(Tier.objects.filter(charter=charter).order_by("position"))
    assert [(t.position, t.name, t.requires_panel, t.review_months) for t in rows] == [
        (1, "Supporter", False, 12),
        (2, "Member", True, None),
    ]
    response = client.post(tiers + f"{rows[1].id}/edit/", {"name": "Member", "review_months": "0"})
    assert "The number of months must be 1 or more." in response.content.decode()
    client.post(tiers + f"{rows[1].id}/edit/", {"name": "Member", "review_months": "24"})
    _fresh(cast_a, rows[1])
    assert (rows[1].requires_panel, rows[1].review_months) == (False, 24)
    page = client.get(tiers).content.decode()
    assert "1. Supporter" in page and "Every 24 months" in page


# --- Lists and who sees what -----------------------------------------------------------------


def test_others_see_only_published_charters_and_organisation_admins_can_sign(client, cast_a, login):
    published = _published_charter(cast_a, "Published Charter")
    draft = _draft_charter(cast_a, "Draft Charter")
    login(cast_a.tenant_admin)
    page = client.get(_url(cast_a)).content.decode()
    assert "Published Charter" in page and "Draft Charter" in page
    assert "Create a charter" in page

    login(cast_a.assessor)
    page = client.get(_url(cast_a)).content.decode()
    assert "Published Charter" in page and "Draft Charter" not in page
    assert "Create a charter" not in page
    assert client.get(_url(cast_a, f"{draft.slug}/")).status_code == 404
    assert client.get(_url(cast_a, f"{draft.slug}/versions/1/")).status_code == 404
    detail = client.get(_url(cast_a, f"{published.slug}/")).content.decode()
    assert "Social value is the good we do for our area." in detail
    assert "Start a new version" not in detail and "Dashboard" not in detail

    login(cast_a.organisation_admin)
    page = client.get(_url(cast_a)).content.decode()
    assert f'href="{_url(cast_a, published.slug + "/sign/")}"' in page
    _sign(cast_a, published, cast_a.organisation)
    page = client.get(_url(cast_a, f"{published.slug}/")).content.decode()
    signature = _url(cast_a, f"{published.slug}/signature/{cast_a.organisation.id}/")
    assert f'href="{signature}"' in page
    assert "Waiting for approval" in page
    assert "Sign the charter" not in page


def test_tenant_admin_overview_shows_versions_and_counts(client, cast_a, login):
    charter = _published_charter(cast_a)
    _sign(cast_a, charter, cast_a.organisation, approve=True)
    _sign(cast_a, charter, cast_a.other_organisation)
    login(cast_a.tenant_admin)
    response = client.get(_url(cast_a, f"{charter.slug}/"))
    assert response.context["register_count"] == 1
    assert response.context["pending_count"] == 1
    page = response.content.decode()
    assert "1 signature</a>" in page
    assert "Start a new version" in page
    assert "12 July 2022 by Integrated Care Partnership" in page
    assert _url(cast_a, f"{charter.slug}/export/register.csv") in page


# --- Dashboard -------------------------------------------------------------------------------


def test_the_dashboard_runs_a_fixed_number_of_queries(client, cast_a, login):
    charter = _published_charter(cast_a)
    login(cast_a.tenant_admin)
    url = _url(cast_a, f"{charter.slug}/dashboard/")

    def add_signatories(n):
        for i in range(n):
            with tenant_context(cast_a.tenant.id):
                organisation = factories.ParticipationFactory(
                    tenant=cast_a.tenant,
                    organisation__organisation_type=[
                        OrganisationType.NHS_TRUST,
                        OrganisationType.VCSE,
                        OrganisationType.BUSINESS,
                    ][i % 3],
                ).organisation
            _sign(cast_a, charter, organisation, approve=i % 4 != 0)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200
        return len(queries), response

    add_signatories(5)
    small, response = count_queries()
    assert response.context["dashboard"].on_register == 3
    assert response.context["dashboard"].pending == 2
    add_signatories(35)
    large, response = count_queries()
    assert response.context["dashboard"].on_register == 29
    assert response.context["dashboard"].pending == 11
    assert large == small
    page = response.content.decode()
    assert "<svg" in page and "Approvals per month" in page
    assert "Pay the real living wage" in page  # pledges per principle
    assert cast_a.organisation.name in page  # taking part, not signed


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("tenant_admin", ""),
        ("organisation_admin", ""),
        ("tenant_admin", "{slug}/"),
        ("organisation_member", "{slug}/"),
        ("tenant_admin", "{slug}/versions/1/"),
        ("tenant_admin", "{slug}/signatories/"),
        ("tenant_admin", "{slug}/signatories/?status=pending"),
    ],
)
def test_charter_pages_run_a_fixed_number_of_queries(client, cast_a, login, role, path):
    charter = _published_charter(cast_a)
    _sign(cast_a, charter, cast_a.organisation, approve=True)
    login(getattr(cast_a, role))
    url = _url(cast_a, path.format(slug=charter.slug))

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add_signatories(n):
        for i in range(n):
            with tenant_context(cast_a.tenant.id):
                organisation = factories.ParticipationFactory(tenant=cast_a.tenant).organisation
            _sign(cast_a, charter, organisation, approve=i % 2 == 0)

    add_signatories(2)
    small = count_queries()
    add_signatories(30)
    assert count_queries() == small


def test_a_published_version_cannot_be_moved_on(client, cast_a, login):
    charter = _published_charter(cast_a)
    login(cast_a.tenant_admin)
    response = client.get(_url(cast_a, f"{charter.slug}/versions/1/move/"), follow=True)
    assert "Version 1 is published: it cannot move on." in response.content.decode()
    response = client.post(
        _url(cast_a, f"{charter.slug}/versions/1/move/"), {"to_status": "draft"}, follow=True
    )
    assert "it cannot move on" in response.content.decode()
    assert _version(cast_a, charter, 1).status == VersionStatus.PUBLISHED


# --- Deciding on signatures ------------------------------------------------------------------


def test_tenant_admin_approves_a_signature_and_the_organisation_is_emailed(
    client, cast_a, login, django_capture_on_commit_callbacks
):
    charter = _published_charter(cast_a)
    signatory = _sign(cast_a, charter, cast_a.organisation)
    login(cast_a.tenant_admin)
    review = _url(cast_a, f"{charter.slug}/signatories/{signatory.id}/")
    page = client.get(review).content.decode()
    assert "Ann Chair, Chair" in page
    assert "Principle: Pay the real living wage" in page
    assert "Target: All staff by April 2025" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review, {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == _url(cast_a, f"{charter.slug}/signatories/")
    _fresh(cast_a, signatory)
    assert signatory.status == SignatoryStatus.SIGNED
    assert [m.to for m in mail.outbox] == [[cast_a.organisation_admin.email]]
    assert "approved" in mail.outbox[0].subject
    page = client.get(response["Location"]).content.decode()
    assert f"{cast_a.organisation.name} approved: it is now on the register." in page


@pytest.mark.parametrize(
    ("decision", "status", "subject"),
    [
        ("request_changes", SignatoryStatus.CHANGES_REQUESTED, "Changes asked for"),
        ("reject", SignatoryStatus.REJECTED, "was not approved"),
    ],
)
def test_asking_for_changes_or_rejecting_needs_a_reason(
    client, cast_a, login, django_capture_on_commit_callbacks, decision, status, subject
):
    charter = _published_charter(cast_a)
    signatory = _sign(cast_a, charter, cast_a.organisation)
    login(cast_a.tenant_admin)
    review = _url(cast_a, f"{charter.slug}/signatories/{signatory.id}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review, {"decision": decision, "reason": " "})
    assert response.status_code == 200
    assert "Give the organisation a reason." in response.content.decode()
    _fresh(cast_a, signatory)
    assert signatory.status == SignatoryStatus.PENDING
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review, {"decision": decision, "reason": "Your pledges need measurable targets."}
        )
    assert response.status_code == 302
    _fresh(cast_a, signatory)
    assert signatory.status == status
    assert signatory.decision_reason == "Your pledges need measurable targets."
    assert len(mail.outbox) == 1 and subject in mail.outbox[0].subject
    assert "Your pledges need measurable targets." in mail.outbox[0].body


def test_a_decided_signature_cannot_be_decided_again(client, cast_a, login):
    charter = _published_charter(cast_a)
    signatory = _sign(cast_a, charter, cast_a.organisation, approve=True)
    login(cast_a.tenant_admin)
    review = _url(cast_a, f"{charter.slug}/signatories/{signatory.id}/")
    assert "Send decision" not in client.get(review).content.decode()
    response = client.post(review, {"decision": "reject", "reason": "No"}, follow=True)
    assert "Only a signature waiting for approval can be decided" in response.content.decode()
    _fresh(cast_a, signatory)
    assert signatory.status == SignatoryStatus.SIGNED


def test_the_signatory_list_filters_by_status_and_pages(client, cast_a, login):
    charter = _published_charter(cast_a)
    for i in range(27):
        with tenant_context(cast_a.tenant.id):
            organisation = factories.ParticipationFactory(tenant=cast_a.tenant).organisation
        _sign(cast_a, charter, organisation, approve=i >= 3)
    login(cast_a.tenant_admin)
    url = _url(cast_a, f"{charter.slug}/signatories/")
    response = client.get(url)
    assert response.context["page_obj"].paginator.count == 27
    assert len(response.context["page_obj"]) == 25
    page = response.content.decode()
    assert "3 signatures are waiting for approval" in page
    assert 'aria-label="Page 2"' in page
    response = client.get(url + "?status=pending")
    assert response.context["page_obj"].paginator.count == 3


# --- Tier applications -----------------------------------------------------------------------


def test_a_tier_application_goes_to_the_panel_then_is_approved(client, cast_a, login):
    charter = _published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        access = _admin_access(cast_a)
        member = services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            charter=charter,
            name="Member",
            requires_panel=True,
        )
    signatory = _sign(cast_a, charter, cast_a.organisation, approve=True)
    with tenant_context(cast_a.tenant.id):
        application = services.tier_application_create(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=tenant_access_for(user=cast_a.organisation_admin, tenant=cast_a.tenant),
            signatory=signatory,
            case="We pay the real living wage.",
        )
    login(cast_a.tenant_admin)
    listing = client.get(_url(cast_a, f"{charter.slug}/tier-applications/")).content.decode()
    assert cast_a.organisation.name in listing and "Signatory to Member" in listing
    review = _url(cast_a, f"{charter.slug}/tier-applications/{application.id}/")
    response = client.post(review, {"decision": "approve"})
    assert "Member needs the assessment panel first" in response.content.decode()
    response = client.post(review, {"decision": "to_panel", "panel_notes": "Panel on 3 May"})
    assert response.status_code == 302
    _fresh(cast_a, application)
    assert (application.status, application.panel_notes) == ("at_panel", "Panel on 3 May")
    response = client.post(review, {"decision": "approve"})
    assert response.status_code == 302
    _fresh(cast_a, signatory)
    assert signatory.tier_id == member.id


# --- Exports ---------------------------------------------------------------------------------


def test_tenant_admin_downloads_the_register_and_pledges(client, cast_a, login):
    charter = _published_charter(cast_a)
    _sign(cast_a, charter, cast_a.organisation, approve=True)
    login(cast_a.tenant_admin)
    response = client.get(_url(cast_a, f"{charter.slug}/export/register.csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{charter.slug}-register.csv"'
    )
    assert cast_a.organisation.name in response.content.decode()
    response = client.get(_url(cast_a, f"{charter.slug}/export/pledges.xlsx"))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert client.get(_url(cast_a, f"{charter.slug}/export/register.pdf")).status_code == 404
    assert client.get(_url(cast_a, f"{charter.slug}/export/people.csv")).status_code == 404
    login(cast_a.assessor)
    assert client.get(_url(cast_a, f"{charter.slug}/export/register.csv")).status_code == 403


# --- Refusals --------------------------------------------------------------------------------

REFUSED_ROLES = [
    "assessor",
    "board_reporter",
    "organisation_admin",
    "organisation_member",
    "outsider",
]


def _write_requests(charter, signatory, principle):
    slug = charter.slug
    return [
        ("post", "new/", {"title": "Another", "has_tiers": "no"}),
        ("post", f"{slug}/new-version/", {}),
        ("post", f"{slug}/links/new/", {"title": "X", "url": "https://example.org/"}),
        (
            "post",
            f"{slug}/versions/2/edit/",
            {"title": "Changed", "commitments_intro": "We will", "definition": "Changed"},
        ),
        ("post", f"{slug}/versions/2/move/", {"to_status": "consultation"}),
        ("post", f"{slug}/versions/2/principles/new/", {"title": "New principle"}),
        ("post", f"{slug}/versions/2/principles/{principle.id}/edit/", {"title": "Renamed"}),
        ("post", f"{slug}/versions/2/principles/{principle.id}/remove/", {}),
        (
            "post",
            f"{slug}/engagement/new/",
            {
                "held_on": "1/3/2023",
                "kind": "survey",
                "audience": "Staff",
                "people_count": "3",
                "heard": "x",
            },
        ),
        ("post", f"{slug}/tiers/new/", {"name": "Advocate"}),
        ("post", f"{slug}/signatories/{signatory.id}/", {"decision": "approve"}),
        ("get", f"{slug}/dashboard/", None),
        ("get", f"{slug}/signatories/", None),
        ("get", f"{slug}/tier-applications/", None),
        ("get", f"{slug}/export/register.csv", None),
    ]


def _snapshot(cast, charter):
    with tenant_context(cast.tenant.id):
        draft = CharterVersion.objects.get(charter=charter, number=2)
        return (
            Charter.objects.count(),
            CharterVersion.objects.count(),
            (draft.title, draft.definition, draft.status),
            sorted(Principle.objects.values_list("title", flat=True)),
            EngagementActivity.objects.count(),
            Tier.objects.count(),
            list(Signatory.objects.values_list("status", flat=True)),
        )


def _refusal_setup(cast):
    charter = _published_charter(cast)
    signatory = _sign(cast, charter, cast.organisation)
    with tenant_context(cast.tenant.id):
        services.charter_new_version(
            tenant=cast.tenant, actor=cast.tenant_admin, access=_admin_access(cast), charter=charter
        )
        principle = Principle.objects.get(version__charter=charter, version__number=2, position=1)
    return charter, signatory, principle


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_every_write_page_is_refused_to_everyone_but_tenant_admins(client, cast_a, login, role):
    charter, signatory, principle = _refusal_setup(cast_a)
    before = _snapshot(cast_a, charter)
    login(getattr(cast_a, role))
    for method, path, data in _write_requests(charter, signatory, principle):
        response = getattr(client, method)(_url(cast_a, path), data)
        assert response.status_code == 403, (role, method, path)
        if method == "post":
            assert client.get(_url(cast_a, path)).status_code == 403, (role, path)
    assert _snapshot(cast_a, charter) == before


def test_another_tenants_charter_is_not_found_and_its_pages_are_refused(
    client, cast_a, cast_b, login
):
    charter, signatory, principle = _refusal_setup(cast_a)
    before = _snapshot(cast_a, charter)
    login(cast_b.tenant_admin)
    # Under the admin's own programme, cast_a's charter does not exist.
    for path in ("", "versions/1/", "engagement/", "tiers/", "dashboard/", "signatories/"):
        response = client.get(_url(cast_b, f"{charter.slug}/{path}"))
        assert response.status_code == 404, path
    # Under cast_a's programme, the admin of cast_b has no role.
    for method, path, data in _write_requests(charter, signatory, principle):
        response = getattr(client, method)(_url(cast_a, path), data)
        assert response.status_code == 403, path
    assert client.get(_url(cast_a, f"{charter.slug}/")).status_code == 403
    assert _snapshot(cast_a, charter) == before


def test_approving_a_signature_in_another_tenant_is_refused(client, cast_a, cast_b, login):
    charter_a = _published_charter(cast_a)
    signatory = _sign(cast_a, charter_a, cast_a.organisation)
    charter_b = _published_charter(cast_b)
    login(cast_b.tenant_admin)
    # cast_b's own charter with cast_a's signatory id: not found.
    response = client.post(
        _url(cast_b, f"{charter_b.slug}/signatories/{signatory.id}/"), {"decision": "approve"}
    )
    assert response.status_code == 404
    # cast_a's own address: refused.
    response = client.post(
        _url(cast_a, f"{charter_a.slug}/signatories/{signatory.id}/"), {"decision": "approve"}
    )
    assert response.status_code == 403
    with tenant_context(cast_a.tenant.id):
        signatory.refresh_from_db()
    assert signatory.status == SignatoryStatus.PENDING
