"""The organisation side of a charter, through its pages: signing with check your answers,
refusals, resubmitting, withdrawing, re-confirming on a new version, applying for a tier."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from charters import services
from charters.models import (
    Pledge,
    Signatory,
    SignatoryStatus,
    TierApplication,
    VersionStatus,
)
from charters.services import Decision
from tenancy.context import tenant_context
from tenancy.models import Role
from tenancy.permissions import tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db

PRINCIPLES = ("Pay the real living wage", "Buy local first")


# --- Helpers (also used by the public and browser tests) ------------------------------------


def publish(cast, **options):
    options.setdefault("title", "Cheshire and Merseyside Social Value Charter")
    options.setdefault("principles", PRINCIPLES)
    return factories.published_charter(cast, **options)


def sign_url(cast, charter):
    return f"/t/{cast.tenant.slug}/charters/{charter.slug}/sign/"


def signature_url(cast, charter, organisation, action=""):
    base = f"/t/{cast.tenant.slug}/charters/{charter.slug}/signature/{organisation.id}/"
    return base + (f"{action}/" if action else "")


def answers(**overrides) -> dict[str, str]:
    """The sign form filled in: two people signing and three pledges."""
    data = {
        "signer_1_name": "Raj Jain",
        "signer_1_role": "Chair",
        "signer_2_name": "Graham Urwin",
        "signer_2_role": "Chief Executive",
        "signed_on": "12/07/2022",
        "pledge_1_heading": "principle:pay-the-real-living-wage",
        "pledge_1_text": "Pay every member of staff at least the real living wage.",
        "pledge_1_target": "100% of staff on the real living wage by April 2024",
        "pledge_2_heading": "principle:buy-local-first",
        "pledge_2_text": "Spend more with firms in our four boroughs.",
        "pledge_2_target": "18% of supply-chain spend with local firms in 2022/23",
        "pledge_3_heading": "theme:environmental",
        "pledge_3_text": "Publish a Net Zero plan.",
    }
    data.update(overrides)
    return data


def access_of(cast, user):
    return tenant_access_for(user=user, tenant=cast.tenant)


def sign_by_service(cast, charter, *, organisation=None, user=None, tier=None):
    user = user or cast.organisation_admin
    with tenant_context(cast.tenant.id):
        version = charter.versions.get(status=VersionStatus.PUBLISHED)
        return services.charter_sign(
            tenant=cast.tenant,
            actor=user,
            access=access_of(cast, user),
            version=version,
            organisation=organisation or cast.organisation,
            data=factories.signing_input(
                "Pay the real living wage.", principle_code="pay-the-real-living-wage"
            ),
            tier=tier,
        )


def decide(cast, signatory, decision, reason=""):
    with tenant_context(cast.tenant.id):
        return services.signatory_decide(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=access_of(cast, cast.tenant_admin),
            signatory=signatory,
            decision=decision,
            reason=reason,
        )


def publish_next_version(cast, charter, **text):
    """Version 2: copied from version 1, changed, endorsed and published."""
    admin = cast.tenant_admin
    with tenant_context(cast.tenant.id):
        access = access_of(cast, admin)
        version = services.charter_new_version(
            tenant=cast.tenant, actor=admin, access=access, charter=charter
        )
        services.charter_version_update(
            tenant=cast.tenant, actor=admin, access=access, version=version, **text
        )
        for to_status, extra in (
            (
                "endorsed",
                {"endorsing_body": "Integrated Care Partnership", "endorsed_on": date(2023, 7, 12)},
            ),
            ("published", {}),
        ):
            services.charter_version_transition(
                tenant=cast.tenant,
                actor=admin,
                access=access,
                version=version,
                to_status=to_status,
                **extra,
            )
        version.refresh_from_db()
        return version


def reload(cast, obj):
    """Rows are only visible inside the tenant's context (row-level security)."""
    with tenant_context(cast.tenant.id):
        obj.refresh_from_db()


def signatories(cast):
    with tenant_context(cast.tenant.id):
        return list(Signatory.objects.order_by("created_at"))


# --- Signing ----------------------------------------------------------------------------


def test_an_organisation_admin_signs_with_three_pledges_after_checking_the_answers(
    cast_a, login, django_capture_on_commit_callbacks
):
    charter = publish(cast_a)
    client = login(cast_a.organisation_admin)
    url = sign_url(cast_a, charter)

    form_page = client.get(url)
    assert form_page.status_code == 200
    page = form_page.content.decode()
    assert f"Sign {charter.title}" in page
    assert 'value="principle:pay-the-real-living-wage"' in page
    assert 'value="theme:environmental"' in page
    assert 'name="tier"' not in page  # one tier: no choice
    assert 'name="organisation"' not in page  # one organisation: no choice

    response = client.post(url, answers())
    assert response.status_code == 302
    assert response["Location"] == f"{url}?step=check"
    assert signatories(cast_a) == []  # nothing saved before the check

    check = client.get(response["Location"]).content.decode()
    assert "Check your answers before sending" in check
    assert "Raj Jain, Chair" in check and "Graham Urwin, Chief Executive" in check
    assert "12 July 2022" in check
    assert "Principle: Pay the real living wage" in check
    assert "Theme: Environmental" in check
    assert "18% of supply-chain spend with local firms in 2022/23" in check
    assert f'href="{url}#id_pledge_3_text"' in check  # Change links back to the form

    # "Change" brings the form back with the answers kept.
    again = client.get(url).content.decode()
    assert "Spend more with firms in our four boroughs." in again

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"confirm": "1"})
    assert sent.status_code == 302
    assert sent["Location"] == signature_url(cast_a, charter, cast_a.organisation)

    [signatory] = signatories(cast_a)
    assert signatory.status == SignatoryStatus.PENDING
    assert signatory.organisation_id == cast_a.organisation.id
    assert signatory.signers == [
        {"name": "Raj Jain", "role": "Chair"},
        {"name": "Graham Urwin", "role": "Chief Executive"},
    ]
    assert signatory.signed_on == date(2022, 7, 12)
    with tenant_context(cast_a.tenant.id):
        assert signatory.tier.name == "Signatory"
        pledges = list(
            Pledge.objects.filter(signatory=signatory).select_related("principle", "theme")
        )
    assert [(p.position, p.heading, p.target) for p in pledges] == [
        (1, "Pay the real living wage", "100% of staff on the real living wage by April 2024"),
        (2, "Buy local first", "18% of supply-chain spend with local firms in 2022/23"),
        (3, "Environmental", ""),
    ]
    assert [m.to for m in mail.outbox] == [[cast_a.tenant_admin.email]]
    assert mail.outbox[0].subject == f"{cast_a.organisation.name} has signed {charter.title}"

    detail = client.get(sent["Location"]).content.decode()
    assert "sent for approval" in detail
    assert "Waiting for approval" in detail
    assert "Publish a Net Zero plan." in detail
    # The answers are gone from the session once sent.
    assert client.get(f"{url}?step=check").status_code == 302


def test_sign_form_errors_name_the_field_and_row_and_save_nothing(cast_a, login):
    charter = publish(cast_a)
    client = login(cast_a.organisation_admin)
    response = client.post(
        sign_url(cast_a, charter),
        answers(
            signer_2_role="",
            signed_on="31/02/2022",
            pledge_2_heading="",
            pledge_3_text="",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert "Enter the role of person 2 signing" in page
    assert "Date signed must be a real date" in page
    assert 'href="#id_pledge_2_heading">Pledge 2: choose the principle or theme it is under' in page
    assert 'href="#id_pledge_3_text">Pledge 3: write the pledge in your own words' in page
    assert signatories(cast_a) == []

    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    empty = {"signed_on": future.strftime("%d/%m/%Y")}
    page = client.post(sign_url(cast_a, charter), empty).content.decode()
    assert "Enter the name and role of at least one person signing" in page
    assert "Date signed must be today or in the past" in page
    assert "Make at least one pledge" in page
    assert signatories(cast_a) == []


def test_errors_from_the_service_appear_in_the_error_summary_against_the_row(
    cast_a, login, monkeypatch
):
    charter = publish(cast_a)
    client = login(cast_a.organisation_admin)
    url = sign_url(cast_a, charter)
    # Pledges in rows 1 and 3: the service's second pledge is the form's row 3.
    client.post(url, answers(pledge_2_heading="", pledge_2_text="", pledge_2_target=""))

    def refuse(**kwargs):
        raise ValidationError(
            {"pledge_2": "Pledge 2: write the pledge in your own words.", "signed_on": "Wrong."}
        )

    monkeypatch.setattr(services, "charter_sign", refuse)
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_pledge_3_text">Pledge 2: write the pledge in your own words.' in page
    assert 'href="#id_signed_on">Wrong.' in page
    assert signatories(cast_a) == []


def test_an_admin_of_several_organisations_chooses_which_one_signs(cast_a, login):
    charter = publish(cast_a)
    with tenant_context(cast_a.tenant.id):
        factories.MembershipFactory(
            tenant=cast_a.tenant,
            user=cast_a.organisation_admin,
            role=Role.ORGANISATION_ADMIN,
            organisation=cast_a.other_organisation,
        )
    client = login(cast_a.organisation_admin)
    url = sign_url(cast_a, charter)
    page = client.get(url).content.decode()
    assert "Which organisation are you signing for?" in page
    assert cast_a.other_organisation.name in page

    missing = client.post(url, answers()).content.decode()
    assert "Choose the organisation you are signing for." in missing

    client.post(url, answers(organisation=str(cast_a.other_organisation.id)))
    check = client.get(f"{url}?step=check").content.decode()
    assert cast_a.other_organisation.name in check
    client.post(url, {"confirm": "1"})
    [signatory] = signatories(cast_a)
    assert signatory.organisation_id == cast_a.other_organisation.id

    # The organisation that has signed is no longer offered.
    page = client.get(url).content.decode()
    assert "Which organisation are you signing for?" not in page


def test_a_charter_with_tiers_asks_for_the_tier(cast_a, login):
    charter = publish(cast_a)
    with tenant_context(cast_a.tenant.id):
        access = access_of(cast_a, cast_a.tenant_admin)
        member = services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            charter=charter,
            name="Member",
        )
    client = login(cast_a.organisation_admin)
    url = sign_url(cast_a, charter)
    page = client.get(url).content.decode()
    assert "Which tier is the organisation signing up to?" in page
    assert "Choose the tier" in client.post(url, answers()).content.decode()
    client.post(url, answers(tier=str(member.id)))
    assert "Member" in client.get(f"{url}?step=check").content.decode()
    client.post(url, {"confirm": "1"})
    [signatory] = signatories(cast_a)
    assert signatory.tier_id == member.id


# --- Refusals -----------------------------------------------------------------------------


def test_a_draft_charter_cannot_be_signed(cast_a, login):
    with tenant_context(cast_a.tenant.id):
        charter = services.charter_create(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access_of(cast_a, cast_a.tenant_admin),
            title="Coventry and Warwickshire Social Value Charter",
        )
        draft = charter.versions.get()
    client = login(cast_a.organisation_admin)
    for response in (
        client.get(sign_url(cast_a, charter)),
        client.post(sign_url(cast_a, charter), answers(pledge_1_heading="theme:economic")),
    ):
        assert response.status_code == 200
        page = response.content.decode()
        assert "cannot be signed yet" in page
        assert "Only a published charter can be signed" in page
    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError, match="draft: only"):
        services.charter_sign(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=access_of(cast_a, cast_a.organisation_admin),
            version=draft,
            organisation=cast_a.organisation,
            data=factories.signing_input("Buy local.", principle_code=""),
        )
    assert signatories(cast_a) == []


def test_a_superseded_version_cannot_be_signed_and_the_page_signs_the_published_one(cast_a, login):
    charter = publish(cast_a)
    with tenant_context(cast_a.tenant.id):
        version_1 = charter.versions.get(number=1)
    version_2 = publish_next_version(cast_a, charter, definition="A sharper definition.")
    reload(cast_a, version_1)
    assert version_1.status == VersionStatus.SUPERSEDED

    with tenant_context(cast_a.tenant.id), pytest.raises(ValidationError, match="superseded"):
        services.charter_sign(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=access_of(cast_a, cast_a.organisation_admin),
            version=version_1,
            organisation=cast_a.organisation,
            data=factories.signing_input("Pay.", principle_code="pay-the-real-living-wage"),
        )
    assert signatories(cast_a) == []

    client = login(cast_a.organisation_admin)
    url = sign_url(cast_a, charter)
    assert "You are signing version 2 " in client.get(url).content.decode()
    client.post(url, answers())
    client.post(url, {"confirm": "1"})
    [signatory] = signatories(cast_a)
    assert signatory.version_id == version_2.id


def test_signing_twice_is_refused_with_a_clear_message(cast_a, login):
    charter = publish(cast_a)
    first = sign_by_service(cast_a, charter)
    client = login(cast_a.organisation_admin)
    url = sign_url(cast_a, charter)
    for response in (client.get(url), client.post(url, answers())):
        assert response.status_code == 302
        assert response["Location"] == signature_url(cast_a, charter, cast_a.organisation)
    page = client.get(signature_url(cast_a, charter, cast_a.organisation)).content.decode()
    assert f"{cast_a.organisation.name} has already signed {charter.title}" in page
    with pytest.raises(ValidationError, match="has already signed this charter"):
        sign_by_service(cast_a, charter)
    [signatory] = signatories(cast_a)
    assert signatory.id == first.id and signatory.updated_at == first.updated_at
    with tenant_context(cast_a.tenant.id):
        assert Pledge.objects.filter(signatory=signatory).count() == 1


@pytest.mark.parametrize("who", ["organisation_member", "tenant_admin", "assessor"])
def test_only_an_organisation_admin_can_sign(cast_a, login, who):
    charter = publish(cast_a)
    client = login(getattr(cast_a, who))
    for response in (
        client.get(sign_url(cast_a, charter)),
        client.post(sign_url(cast_a, charter), answers()),
        client.post(sign_url(cast_a, charter), {"confirm": "1"}),
    ):
        assert response.status_code == 403
        assert "Only an organisation admin can sign" in response.content.decode()
    assert signatories(cast_a) == []


def test_an_organisation_member_is_refused_by_the_service_too(cast_a):
    charter = publish(cast_a)
    with pytest.raises(PermissionDenied, match="Only an organisation admin"):
        sign_by_service(cast_a, charter, user=cast_a.organisation_member)
    assert signatories(cast_a) == []


def test_outsiders_and_other_tenants_admins_cannot_sign(cast_a, cast_b, login):
    charter = publish(cast_a)
    client = login(cast_a.outsider)
    assert client.get(sign_url(cast_a, charter)).status_code == 403
    assert client.post(sign_url(cast_a, charter), answers()).status_code == 403
    client = login(cast_b.organisation_admin)
    assert client.get(sign_url(cast_a, charter)).status_code == 403
    assert client.post(sign_url(cast_a, charter), answers()).status_code == 403
    # In its own programme, the other programme's charter does not exist.
    assert client.get(sign_url(cast_b, charter)).status_code == 404
    assert signatories(cast_a) == []
    assert signatories(cast_b) == []


# --- The signature page -------------------------------------------------------------------


def test_who_can_see_an_organisations_signature(cast_a, cast_b, login):
    charter = publish(cast_a)
    sign_by_service(cast_a, charter)
    url = signature_url(cast_a, charter, cast_a.organisation)
    for who in ("organisation_admin", "organisation_member", "tenant_admin"):
        response = login(getattr(cast_a, who)).get(url)
        assert response.status_code == 200, who
        assert "Waiting for approval" in response.content.decode()
    for user in (cast_a.assessor, cast_a.outsider, cast_b.organisation_admin):
        assert login(user).get(url).status_code == 403
    other = signature_url(cast_a, charter, cast_a.other_organisation)
    assert login(cast_a.tenant_admin).get(other).status_code == 404
    # Only the organisation's admins see the actions.
    assert "Withdraw from the charter" in login(cast_a.organisation_admin).get(url).content.decode()
    assert "Withdraw from the charter" not in login(cast_a.tenant_admin).get(url).content.decode()


def test_resubmitting_after_changes_were_requested(
    cast_a, login, django_capture_on_commit_callbacks
):
    charter = publish(cast_a)
    signatory = sign_by_service(cast_a, charter)
    decide(cast_a, signatory, Decision.REQUEST_CHANGES, "Please add a measurable target.")
    client = login(cast_a.organisation_admin)
    detail_url = signature_url(cast_a, charter, cast_a.organisation)
    detail = client.get(detail_url).content.decode()
    assert "Changes requested" in detail
    assert "Please add a measurable target." in detail
    assert "Change and resubmit" in detail

    url = signature_url(cast_a, charter, cast_a.organisation, "edit")
    form = client.get(url).content.decode()
    assert "Pay the real living wage." in form  # prefilled from the current pledges
    assert "Ann Chair" in form

    response = client.post(url, answers(pledge_3_heading="", pledge_3_text=""))
    assert response["Location"] == f"{url}?step=check"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"confirm": "1"})
    assert sent["Location"] == detail_url
    reload(cast_a, signatory)
    assert signatory.status == SignatoryStatus.PENDING
    assert signatory.signers[0] == {"name": "Raj Jain", "role": "Chair"}
    with tenant_context(cast_a.tenant.id):
        assert [p.target for p in Pledge.objects.filter(signatory=signatory)] == [
            "100% of staff on the real living wage by April 2024",
            "18% of supply-chain spend with local firms in 2022/23",
        ]
    assert [m.to for m in mail.outbox] == [[cast_a.tenant_admin.email]]
    assert "sent for approval" in client.get(detail_url).content.decode()

    # Once pending again, it cannot be edited.
    assert client.get(url)["Location"] == detail_url


def test_withdrawing_needs_a_reason(cast_a, login, django_capture_on_commit_callbacks):
    charter = publish(cast_a)
    signatory = sign_by_service(cast_a, charter)
    decide(cast_a, signatory, Decision.APPROVE)
    client = login(cast_a.organisation_admin)
    url = signature_url(cast_a, charter, cast_a.organisation, "withdraw")
    assert "Withdraw from" in client.get(url).content.decode()

    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Say why the organisation is withdrawing" in response.content.decode()
    reload(cast_a, signatory)
    assert signatory.status == SignatoryStatus.SIGNED

    assert login(cast_a.organisation_member).post(url, {"reason": "No."}).status_code == 403
    reload(cast_a, signatory)
    assert signatory.status == SignatoryStatus.SIGNED

    client = login(cast_a.organisation_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "We are merging with another trust."})
    assert response["Location"] == signature_url(cast_a, charter, cast_a.organisation)
    reload(cast_a, signatory)
    assert signatory.status == SignatoryStatus.WITHDRAWN
    assert signatory.decision_reason == "We are merging with another trust."
    assert [m.to for m in mail.outbox] == [[cast_a.tenant_admin.email]]
    detail = client.get(response["Location"]).content.decode()
    assert "Withdrawn" in detail and "Sign again" in detail


def test_publishing_version_2_asks_signatories_to_reconfirm_and_keeps_version_1_readable(
    cast_a, client, login
):
    charter = publish(cast_a)
    signed = sign_by_service(cast_a, charter)
    decide(cast_a, signed, Decision.APPROVE)
    other_admin = factories.UserFactory()
    with tenant_context(cast_a.tenant.id):
        factories.MembershipFactory(
            tenant=cast_a.tenant,
            user=other_admin,
            role=Role.ORGANISATION_ADMIN,
            organisation=cast_a.other_organisation,
        )
    pending = sign_by_service(
        cast_a, charter, organisation=cast_a.other_organisation, user=other_admin
    )
    version_2 = publish_next_version(
        cast_a,
        charter,
        definition="The good we do for our places, measured and shared.",
        change_summary="A sharper definition.",
    )
    reload(cast_a, signed)
    reload(cast_a, pending)
    assert signed.status == SignatoryStatus.RECONFIRM
    assert pending.status == SignatoryStatus.PENDING

    # Version 1 stays readable, signed out, with a pointer to version 2.
    old = client.get(f"/t/{cast_a.tenant.slug}/public/charters/{charter.slug}/versions/1/")
    assert old.status_code == 200
    page = old.content.decode()
    assert "The good we do for our places beyond our core service." in page
    assert "This version has been replaced" in page
    current = client.get(f"/t/{cast_a.tenant.slug}/public/charters/{charter.slug}/")
    assert "measured and shared" in current.content.decode()

    # The organisation admin sees what changed and re-confirms.
    admin_client = login(cast_a.organisation_admin)
    detail = admin_client.get(signature_url(cast_a, charter, cast_a.organisation)).content.decode()
    assert "Asked to re-confirm" in detail
    assert "Re-confirm on version 2" in detail
    assert "What changed from version 1 to version 2" in detail
    url = signature_url(cast_a, charter, cast_a.organisation, "reconfirm")
    confirm = admin_client.get(url).content.decode()
    assert "A sharper definition." in confirm
    assert (
        '<ins><span class="nhsuk-u-visually-hidden">Added: </span>The good we do for our '
        "places, measured and shared.</ins>" in confirm
    )

    assert login(cast_a.organisation_member).post(url).status_code == 403
    reload(cast_a, signed)
    assert signed.status == SignatoryStatus.RECONFIRM

    response = login(cast_a.organisation_admin).post(url)
    assert response["Location"] == signature_url(cast_a, charter, cast_a.organisation)
    reload(cast_a, signed)
    assert signed.status == SignatoryStatus.SIGNED
    assert signed.version_id == version_2.id
    with tenant_context(cast_a.tenant.id):
        [pledge] = Pledge.objects.filter(signatory=signed).select_related("principle")
        assert pledge.version_id == version_2.id
        assert pledge.principle.version_id == version_2.id
        assert pledge.principle.code == "pay-the-real-living-wage"


def test_an_organisation_admin_confirms_the_yearly_pledge_review(cast_a, login):
    charter = publish(cast_a)
    with tenant_context(cast_a.tenant.id):
        tier = services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access_of(cast_a, cast_a.tenant_admin),
            charter=charter,
            name="Signatory",
            review_months=12,
            tier=charter.tiers.get(),
        )
    signatory = sign_by_service(cast_a, charter, tier=tier)
    detail_url = signature_url(cast_a, charter, cast_a.organisation)
    url = signature_url(cast_a, charter, cast_a.organisation, "reviewed")
    admin = login(cast_a.organisation_admin)

    # Waiting for approval: no review is due yet, and confirming one is refused with a message.
    assert "Pledges due for review" not in admin.get(detail_url).content.decode()
    assert admin.post(url)["Location"] == detail_url
    assert "This signature has no pledge review due." in admin.get(detail_url).content.decode()
    reload(cast_a, signatory)
    assert signatory.review_due is None

    # Approved, and a year on the review is due (the reminder has gone).
    decide(cast_a, signatory, Decision.APPROVE)
    today = timezone.localdate()
    with tenant_context(cast_a.tenant.id):
        Signatory.objects.filter(pk=signatory.pk).update(review_due=today, review_reminded_on=today)
    due = f"Pledges due for review by {date_format(today, 'j F Y')}"

    # An organisation member sees the date but cannot confirm the review.
    member = login(cast_a.organisation_member)
    page = member.get(detail_url).content.decode()
    assert due in page
    assert "Confirm we have reviewed our pledges" not in page
    assert member.post(url).status_code == 403
    reload(cast_a, signatory)
    assert (signatory.review_due, signatory.review_reminded_on) == (today, today)

    # The organisation admin confirms it (POST only): the next review is due a year on.
    admin = login(cast_a.organisation_admin)
    page = admin.get(detail_url).content.decode()
    assert due in page
    assert "Confirm we have reviewed our pledges" in page
    assert admin.get(url).status_code == 405
    response = admin.post(url)
    assert response["Location"] == detail_url
    reload(cast_a, signatory)
    next_due = today + relativedelta(years=1)
    assert signatory.review_due == next_due
    assert signatory.review_reminded_on is None
    assert signatory.status == SignatoryStatus.SIGNED
    page = admin.get(detail_url).content.decode()
    assert (
        f"{cast_a.organisation.name}&#x27;s pledges are marked as reviewed. The next review is "
        f"due by {date_format(next_due, 'j F Y')}." in page
    )
    assert f"Pledges due for review by {date_format(next_due, 'j F Y')}" in page


def test_applying_for_the_next_tier(cast_a, login, django_capture_on_commit_callbacks):
    charter = publish(cast_a)
    with tenant_context(cast_a.tenant.id):
        member = services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access_of(cast_a, cast_a.tenant_admin),
            charter=charter,
            name="Member",
        )
        supporter = charter.tiers.get(position=1)
    signatory = sign_by_service(cast_a, charter, tier=supporter)
    client = login(cast_a.organisation_admin)
    detail_url = signature_url(cast_a, charter, cast_a.organisation)
    url = signature_url(cast_a, charter, cast_a.organisation, "tier")
    assert "Apply to become Member" not in client.get(detail_url).content.decode()  # pending

    decide(cast_a, signatory, Decision.APPROVE)
    assert "Apply to become Member" in client.get(detail_url).content.decode()
    response = client.post(url, {"case": ""})
    assert "Say why the organisation is ready for the next tier" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert not TierApplication.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"case": "All our pledges have targets and KVIs."})
    assert response["Location"] == detail_url
    with tenant_context(cast_a.tenant.id):
        [application] = TierApplication.objects.all()
    assert application.to_tier_id == member.id
    assert application.from_tier_id == supporter.id
    assert application.status == TierApplication.Status.PENDING
    assert [m.to for m in mail.outbox] == [[cast_a.tenant_admin.email]]
    detail = client.get(detail_url).content.decode()
    assert "Waiting for a decision" in detail
    assert "Apply to become Member" not in detail  # one open application at a time

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"case": "Again."})
    assert "already waiting for a decision" in again.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert TierApplication.objects.count() == 1
