"""A member's own Anchor Institution Charter pages: its membership (join link to the charters
sign page for an organisation not yet a member; leave and re-confirm links for a member), the
priorities it commits to and whether other members see its figures named or anonymised. Who may
see and change what, another tenant, bad input, and a fixed number of queries."""

import pytest
from django.urls import reverse

from anchors import services
from anchors.models import MemberPriority, MemberProfile
from charters.models import Signatory, SignatoryStatus
from tenancy.context import tenant_context
from tests.anchors_builders import (
    anchor_charter,
    as_user,
    member,
    open_round,
    send_return,
)

pytestmark = pytest.mark.django_db


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


@pytest.fixture
def charter_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return anchor_charter(cast_a)


@pytest.fixture
def member_a(cast_a, charter_a):
    with tenant_context(cast_a.tenant.id):
        return member(cast_a, charter_a, cast_a.organisation)


def test_an_organisation_not_yet_a_member_is_offered_the_charters_sign_page(
    cast_a, charter_a, login
):
    page = login(cast_a.organisation_admin).get(url(cast_a, "anchor_membership", charter_a.slug))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{cast_a.organisation.name} is not a member" in text
    assert url(cast_a, "charter_sign", charter_a.slug) in text
    # Its staff see the same, but are told an organisation admin joins.
    staff = login(cast_a.organisation_member).get(url(cast_a, "anchor_membership", charter_a.slug))
    assert "An organisation admin of" in staff.content.decode()
    assert url(cast_a, "charter_sign", charter_a.slug) not in staff.content.decode()


def test_a_member_sees_its_membership_priorities_disclosure_returns_and_the_charters_links(
    cast_a, charter_a, member_a, login
):
    with tenant_context(cast_a.tenant.id):
        reporting_round = open_round(cast_a, charter_a)
        returned = send_return(
            cast_a, reporting_round, member_a, {"ANC-APPRENTICESHIPS": "4"}, accept=False
        )
    page = login(cast_a.organisation_admin).get(url(cast_a, "anchor_membership", charter_a.slug))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Signed" in text and "Version 1" in text
    assert "Named: other members see our figures under our name" in text
    assert "You have not yet chosen the priorities you commit to." in text
    signatory = member_a.signatory
    for link in (
        url(cast_a, "anchor_member_priorities", charter_a.slug, signatory.pk),
        url(cast_a, "anchor_member_disclosure", charter_a.slug, signatory.pk),
        url(cast_a, "signature_detail", charter_a.slug, cast_a.organisation.pk),
        url(cast_a, "signature_withdraw", charter_a.slug, cast_a.organisation.pk),
        url(cast_a, "anchor_return", returned.pk),
    ):
        assert link in text
    assert url(cast_a, "charter_sign", charter_a.slug) not in text
    assert url(cast_a, "signature_reconfirm", charter_a.slug, cast_a.organisation.pk) not in text
    assert "2023/24 H1" in text and "Submitted" in text
    # Asked to re-confirm on a new version: the charters re-confirm page is linked.
    with tenant_context(cast_a.tenant.id):
        Signatory.objects.filter(pk=signatory.pk).update(status=SignatoryStatus.RECONFIRM)
    again = login(cast_a.organisation_admin).get(url(cast_a, "anchor_membership", charter_a.slug))
    assert url(cast_a, "signature_reconfirm", charter_a.slug, cast_a.organisation.pk) in (
        again.content.decode()
    )
    # Staff read it, without the links that change anything.
    staff = login(cast_a.organisation_member).get(url(cast_a, "anchor_membership", charter_a.slug))
    assert staff.status_code == 200
    staff_text = staff.content.decode()
    assert url(cast_a, "anchor_member_priorities", charter_a.slug, signatory.pk) not in staff_text
    assert url(cast_a, "signature_withdraw", charter_a.slug, cast_a.organisation.pk) not in (
        staff_text
    )


def test_a_member_chooses_the_priorities_it_commits_to(cast_a, charter_a, member_a, login):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_member_priorities", charter_a.slug, member_a.signatory.pk)
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pay the real living wage" in text and "Set out and deliver a Net Zero plan" in text
    response = client.post(
        path,
        {
            "pillar_workforce": ["real-living-wage", "employ-locally-first"],
            "pillar_environment": ["net-zero-2040"],
        },
    )
    assert response.status_code == 302
    assert "now commits to 3 priorities" in client.get(response.url).content.decode()
    with tenant_context(cast_a.tenant.id):
        assert set(
            MemberPriority.objects.filter(signatory=member_a.signatory).values_list(
                "priority__code", flat=True
            )
        ) == {"real-living-wage", "employ-locally-first", "net-zero-2040"}
    membership = client.get(url(cast_a, "anchor_membership", charter_a.slug)).content.decode()
    assert "Pay the real living wage" in membership
    # The form shows the choice already made; a priority not in the charter is refused.
    assert 'value="net-zero-2040" checked' in client.get(path).content.decode()
    refused = client.post(path, {"pillar_workforce": ["made-up"]})
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert "Choose priorities of the charter you signed." in refused.content.decode()


def test_a_member_chooses_to_be_anonymised(cast_a, charter_a, member_a, login):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_member_disclosure", charter_a.slug, member_a.signatory.pk)
    assert client.get(path).status_code == 200
    missing = client.post(path, {})
    assert missing.status_code == 200
    assert "Choose named or anonymised." in missing.content.decode()
    bad_sector = client.post(path, {"disclosure": "anonymised", "sector_override": "pirates"})
    assert "Choose a sector, or leave it to the organisation" in bad_sector.content.decode()
    response = client.post(path, {"disclosure": "anonymised", "sector_override": ""})
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        profile = MemberProfile.objects.get(signatory=member_a.signatory)
    assert profile.disclosure == "anonymised"
    page = client.get(response.url).content.decode()
    assert f"Other members now see {cast_a.organisation.name}&#x27;s figures as " in page
    assert f"(as {profile.anonymised_label})" in page


def test_only_the_members_organisation_admin_changes_its_choices(
    cast_a, cast_b, charter_a, member_a, login
):
    signatory = member_a.signatory
    priorities = url(cast_a, "anchor_member_priorities", charter_a.slug, signatory.pk)
    disclosure = url(cast_a, "anchor_member_disclosure", charter_a.slug, signatory.pk)
    with tenant_context(cast_a.tenant.id):
        other = member(cast_a, charter_a, cast_a.other_organisation)
    for user in (cast_a.organisation_member, cast_a.board_reporter, other.admin):
        client = login(user)
        assert client.get(priorities).status_code == 403
        assert client.post(disclosure, {"disclosure": "anonymised"}).status_code == 403
    # People of no organisation have no membership page.
    assert (
        login(cast_a.board_reporter).get(url(cast_a, "anchor_membership", charter_a.slug))
    ).status_code == 403
    # Another tenant's people, and a charter that is not an anchor charter.
    outsider = login(cast_b.organisation_admin)
    assert outsider.get(url(cast_a, "anchor_membership", charter_a.slug)).status_code in (403, 404)
    assert outsider.get(priorities).status_code in (403, 404)
    assert (
        login(cast_b.organisation_admin)
        .get(url(cast_b, "anchor_member_priorities", charter_a.slug, signatory.pk))
        .status_code
        == 404
    )
    assert (
        login(cast_a.organisation_admin)
        .get(url(cast_a, "anchor_membership", "no-such-charter"))
        .status_code
        == 404
    )
    with tenant_context(cast_a.tenant.id):
        assert not MemberProfile.objects.filter(signatory=signatory, disclosure="anonymised")


def test_the_membership_page_reads_a_fixed_number_of_queries(
    cast_a, charter_a, member_a, login, django_assert_max_num_queries
):
    client = login(cast_a.organisation_admin)
    path = url(cast_a, "anchor_membership", charter_a.slug)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context.captured_queries)

    with tenant_context(cast_a.tenant.id):
        first = open_round(cast_a, charter_a)
        send_return(cast_a, first, member_a, {"ANC-APPRENTICESHIPS": "4"})
        services.member_priorities_set(
            **as_user(cast_a, member_a.admin),
            signatory=member_a.signatory,
            priority_codes=["real-living-wage"],
        )
    small = count()
    with tenant_context(cast_a.tenant.id):
        for name, start in (("2023/24 H2", (2023, 10, 1)), ("2024/25 H1", (2024, 4, 1))):
            from datetime import date, timedelta

            reporting_round = open_round(
                cast_a,
                charter_a,
                name=name,
                period_start=date(*start),
                period_end=date(*start) + timedelta(days=180),
            )
            send_return(cast_a, reporting_round, member_a, {"ANC-APPRENTICESHIPS": "5"})
        services.member_priorities_set(
            **as_user(cast_a, member_a.admin),
            signatory=member_a.signatory,
            priority_codes=["real-living-wage", "net-zero-2040", "employ-locally-first"],
        )
    assert count() == small
    with django_assert_max_num_queries(small):
        client.get(path)
