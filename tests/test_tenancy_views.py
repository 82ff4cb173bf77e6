"""Tenant pages: who may open them, tenant switching, people, invitations and settings."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tenancy.context import tenant_context
from tenancy.models import Invitation, Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_people_are_sent_to_sign_in(client, cast_a):
    response = client.get(f"/t/{cast_a.tenant.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_tenant_is_not_found(client, cast_a, login):
    login(cast_a.tenant_admin)
    assert client.get("/t/no-such-programme/").status_code == 404


@pytest.mark.parametrize("path", ["", "organisations/", "people/", "invitations/", "settings/"])
def test_a_person_of_one_tenant_is_refused_the_other_tenants_pages(
    client, cast_a, cast_b, login, path
):
    login(cast_a.tenant_admin)
    response = client.get(f"/t/{cast_b.tenant.slug}/{path}")
    assert response.status_code == 403
    assert "permission" in response.content.decode()


def test_home_lists_the_persons_tenants_with_roles(client, cast_a, cast_b, login):
    with tenant_context(cast_b.tenant.id):
        factories.MembershipFactory(tenant=cast_b.tenant, user=cast_a.assessor, role=Role.ASSESSOR)
    login(cast_a.assessor)
    page = client.get("/").content.decode()
    assert cast_a.tenant.name in page and cast_b.tenant.name in page
    assert f"/t/{cast_b.tenant.slug}/" in page


def test_tenant_home_shows_the_tenant(client, cast_a, login):
    login(cast_a.organisation_member)
    response = client.get(f"/t/{cast_a.tenant.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert cast_a.tenant.name in html
    assert "Your organisation's KVIs" in html
    assert "Proxy sets" not in html
    login(cast_a.tenant_admin)
    html = client.get(f"/t/{cast_a.tenant.slug}/").content.decode()
    assert "Every organisation's KVIs" in html
    assert "Social value frameworks" in html and "Proxy sets" in html
    login(cast_a.outsider)
    assert "Key Value Indicators" not in client.get(f"/t/{cast_a.tenant.slug}/").content.decode()


def test_people_list_for_tenant_admin_shows_everyone_and_org_admin_only_their_organisation(
    client, cast_a, login
):
    login(cast_a.tenant_admin)
    everyone = client.get(f"/t/{cast_a.tenant.slug}/people/")
    assert everyone.context["page_obj"].paginator.count == 5
    login(cast_a.organisation_admin)
    own = client.get(f"/t/{cast_a.tenant.slug}/people/")
    emails = {m.user.email for m in own.context["page_obj"]}
    assert emails == {cast_a.organisation_admin.email, cast_a.organisation_member.email}


@pytest.mark.parametrize("role", ["assessor", "board_reporter", "outsider"])
def test_people_list_is_refused_to_other_roles(client, cast_a, login, role):
    login(getattr(cast_a, role))
    assert client.get(f"/t/{cast_a.tenant.slug}/people/").status_code == 403


def _join_path(email_body: str) -> str:
    """The path of the invitation link in an email."""
    link = next(line for line in email_body.splitlines() if "/join/" in line).strip()
    return link.removeprefix("http://127.0.0.1:8000")


def _invite(client, cast, **data):
    return client.post(f"/t/{cast.tenant.slug}/invitations/new/", data)


def test_tenant_admin_invites_an_organisation_admin_who_accepts(
    client, cast_a, login, django_capture_on_commit_callbacks
):
    login(cast_a.tenant_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(
            client,
            cast_a,
            email="New.Admin@example.org",
            role=Role.ORGANISATION_ADMIN,
            organisation=str(cast_a.organisation.id),
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = _join_path(mail.outbox[0].body)
    newcomer = factories.UserFactory(email="new.admin@example.org")
    login(newcomer, with_totp=False)
    assert client.get(path).status_code == 200
    accepted = client.post(path)
    assert accepted.status_code == 302
    with tenant_context(cast_a.tenant.id):
        membership = Membership.objects.get(user=newcomer)
        assert membership.role == Role.ORGANISATION_ADMIN
        assert membership.organisation == cast_a.organisation
        assert Invitation.objects.get(email="new.admin@example.org").status == "accepted"
    # The link works once.
    again = client.post(path)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_a_duplicate_pending_invitation_is_refused_with_a_message(client, cast_a, login):
    login(cast_a.tenant_admin)
    _invite(client, cast_a, email="dup@example.org", role=Role.ASSESSOR)
    response = _invite(client, cast_a, email="dup@example.org", role=Role.ASSESSOR)
    assert response.status_code == 200
    assert "already has a pending invitation" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert Invitation.objects.filter(email="dup@example.org").count() == 1


def test_inviting_someone_to_a_role_they_have_is_refused(client, cast_a, login):
    login(cast_a.tenant_admin)
    response = _invite(client, cast_a, email=cast_a.assessor.email, role=Role.ASSESSOR)
    assert "already has this role" in response.content.decode()


def test_an_expired_invitation_is_refused_and_no_role_is_given(
    client, cast_a, login, django_capture_on_commit_callbacks
):
    login(cast_a.tenant_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast_a, email="late@example.org", role=Role.BOARD_REPORTER)
    path = _join_path(mail.outbox[0].body)
    with tenant_context(cast_a.tenant.id):
        Invitation.objects.filter(email="late@example.org").update(
            expires_at=timezone.now() - timedelta(days=1)
        )
    late = factories.UserFactory(email="late@example.org")
    login(late, with_totp=False)
    response = client.post(path)
    assert response.status_code == 400
    assert "This invitation has expired" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert not Membership.objects.filter(user=late).exists()


def test_an_invitation_for_someone_else_is_refused(
    client, cast_a, login, django_capture_on_commit_callbacks
):
    login(cast_a.tenant_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast_a, email="intended@example.org", role=Role.ASSESSOR)
    path = _join_path(mail.outbox[0].body)
    login(cast_a.outsider, with_totp=False)
    response = client.post(path)
    assert response.status_code == 400
    assert "This invitation is for intended@example.org" in response.content.decode()


def test_a_made_up_invitation_link_is_not_found(client, cast_a, login):
    login(cast_a.outsider, with_totp=False)
    assert client.get(f"/t/{cast_a.tenant.slug}/join/made-up-token/").status_code == 404


def test_organisation_admin_invites_colleagues_only_to_their_own_organisation(
    client, cast_a, login
):
    login(cast_a.organisation_admin)
    ok = _invite(
        client,
        cast_a,
        email="colleague@example.org",
        role=Role.ORGANISATION_MEMBER,
        organisation=str(cast_a.organisation.id),
    )
    assert ok.status_code == 302
    other = _invite(
        client,
        cast_a,
        email="x@example.org",
        role=Role.ORGANISATION_MEMBER,
        organisation=str(cast_a.other_organisation.id),
    )
    assert other.status_code == 200  # not a choice they are offered
    assert "Choose the organisation" in other.content.decode()
    staff = _invite(client, cast_a, email="y@example.org", role=Role.TENANT_ADMIN)
    assert staff.status_code == 200
    with tenant_context(cast_a.tenant.id):
        assert set(Invitation.objects.values_list("email", flat=True)) == {"colleague@example.org"}


@pytest.mark.parametrize("role", ["assessor", "board_reporter", "organisation_member", "outsider"])
def test_invitations_are_refused_to_roles_that_cannot_invite(client, cast_a, login, role):
    login(getattr(cast_a, role))
    response = _invite(
        client,
        cast_a,
        email="z@example.org",
        role=Role.ORGANISATION_MEMBER,
        organisation=str(cast_a.organisation.id),
    )
    assert response.status_code == 403
    with tenant_context(cast_a.tenant.id):
        assert not Invitation.objects.exists()


def test_withdrawing_an_invitation_asks_first_then_withdraws(client, cast_a, login):
    login(cast_a.tenant_admin)
    _invite(client, cast_a, email="w@example.org", role=Role.ASSESSOR)
    with tenant_context(cast_a.tenant.id):
        invitation = Invitation.objects.get()
    url = f"/t/{cast_a.tenant.slug}/invitations/{invitation.id}/withdraw/"
    assert "Withdraw the invitation" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert Invitation.objects.get().status == "revoked"


def test_tenant_admin_removes_a_role_after_confirming(client, cast_a, login):
    login(cast_a.tenant_admin)
    with tenant_context(cast_a.tenant.id):
        membership = Membership.objects.get(user=cast_a.assessor)
    url = f"/t/{cast_a.tenant.slug}/people/{membership.id}/remove/"
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    with tenant_context(cast_a.tenant.id):
        assert not Membership.objects.filter(user=cast_a.assessor).exists()
    login(cast_a.organisation_admin)
    with tenant_context(cast_a.tenant.id):
        member = Membership.objects.get(user=cast_a.organisation_member)
    assert client.post(f"/t/{cast_a.tenant.slug}/people/{member.id}/remove/").status_code == 403


def test_tenant_settings_require_mfa_of_every_member(client, cast_a, login):
    login(cast_a.tenant_admin)
    response = client.post(
        f"/t/{cast_a.tenant.slug}/settings/",
        {"description": "Our programme", "require_mfa_for_all": "on"},
    )
    assert response.status_code == 302
    cast_a.tenant.refresh_from_db()
    assert cast_a.tenant.require_mfa_for_all
    # A member without two-factor authentication is now sent to set it up.
    login(cast_a.organisation_member, with_totp=False)
    response = client.get(f"/t/{cast_a.tenant.slug}/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_settings_are_refused_to_other_roles(client, cast_a, login):
    login(cast_a.assessor)
    response = client.post(f"/t/{cast_a.tenant.slug}/settings/", {"require_mfa_for_all": "on"})
    assert response.status_code == 403
    cast_a.tenant.refresh_from_db()
    assert not cast_a.tenant.require_mfa_for_all


@pytest.mark.parametrize("role", ["tenant_admin", "assessor"])
def test_tenant_admins_and_assessors_must_set_up_two_factor_first(client, cast_a, login, role):
    login(getattr(cast_a, role), with_totp=False)
    response = client.get(f"/t/{cast_a.tenant.slug}/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_organisation_members_need_no_two_factor_by_default(client, cast_a, login):
    login(cast_a.organisation_member, with_totp=False)
    assert client.get(f"/t/{cast_a.tenant.slug}/").status_code == 200


def test_django_admin_is_for_platform_admins_only(client, cast_a, login):
    staff_not_platform = factories.UserFactory(is_staff=True)
    login(staff_not_platform)
    assert client.get("/admin/").status_code == 302
    login(factories.UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
