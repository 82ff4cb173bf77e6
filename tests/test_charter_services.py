"""Charter business rules, at the service layer: states, signing, decisions, re-confirmation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from charters import services
from charters.models import (
    CharterVersion,
    Pledge,
    Signatory,
    SignatoryStatus,
    VersionStatus,
    VersionTransition,
)
from charters.services import Decision, PledgeInput, SigningInput
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db


def _access(cast, user):
    return tenant_access_for(user=user, tenant=cast.tenant)


def _sign(cast, charter, *, user=None, organisation=None, data=None):
    user = user or cast.organisation_admin
    organisation = organisation or cast.organisation
    version = charter.versions.get(status=VersionStatus.PUBLISHED)
    return services.charter_sign(
        tenant=cast.tenant,
        actor=user,
        access=_access(cast, user),
        version=version,
        organisation=organisation,
        data=data or factories.signing_input("Pay the real living wage", "Buy local first"),
    )


def _decide(cast, signatory, decision, reason=""):
    return services.signatory_decide(
        tenant=cast.tenant,
        actor=cast.tenant_admin,
        access=_access(cast, cast.tenant_admin),
        signatory=signatory,
        decision=decision,
        reason=reason,
    )


def test_a_new_charter_has_the_svqm_themes_and_one_tier(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = services.charter_create(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=_access(cast_a, cast_a.tenant_admin),
            title="Draft charter",
        )
        version = charter.versions.get()
        assert version.status == VersionStatus.DRAFT
        assert [t.name for t in version.themes.all()] == [
            "Health and wellbeing",
            "Education and skills",
            "Employment and volunteering",
            "Social and community",
            "Economic",
            "Environmental",
            "Leadership",
        ]
        assert [t.name for t in charter.tiers.all()] == ["Signatory"]


def test_states_move_in_order_and_endorsement_needs_body_and_date(cast_a):
    with tenant_context(cast_a.tenant.id):
        access = _access(cast_a, cast_a.tenant_admin)
        charter = services.charter_create(
            tenant=cast_a.tenant, actor=cast_a.tenant_admin, access=access, title="C"
        )
        version = charter.versions.get()
        with pytest.raises(ValidationError, match="cannot become published"):
            services.charter_version_transition(
                tenant=cast_a.tenant,
                actor=cast_a.tenant_admin,
                access=access,
                version=version,
                to_status="published",
            )
        services.charter_version_transition(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=version,
            to_status="consultation",
        )
        with pytest.raises(ValidationError) as error:
            services.charter_version_transition(
                tenant=cast_a.tenant,
                actor=cast_a.tenant_admin,
                access=access,
                version=version,
                to_status="endorsed",
            )
        assert set(error.value.message_dict) == {"endorsing_body", "endorsed_on"}
        services.charter_version_transition(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=version,
            to_status="endorsed",
            endorsing_body="ICP",
            endorsed_on=timezone.localdate(),
        )
        with pytest.raises(ValidationError, match="definition of social value"):
            services.charter_version_transition(
                tenant=cast_a.tenant,
                actor=cast_a.tenant_admin,
                access=access,
                version=version,
                to_status="published",
            )
        assert [
            (t.from_status, t.to_status, t.endorsing_body)
            for t in VersionTransition.objects.filter(version=version)
        ] == [("draft", "consultation", ""), ("consultation", "endorsed", "ICP")]


def test_signing_approving_and_the_register(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        signatory = _sign(cast_a, charter)
        assert signatory.status == SignatoryStatus.PENDING
        assert list(signatory.pledges.values_list("text", flat=True)) == [
            "Pay the real living wage",
            "Buy local first",
        ]
        _decide(cast_a, signatory, Decision.APPROVE)
        signatory.refresh_from_db()
        assert signatory.status == SignatoryStatus.SIGNED
        assert signatory.approved_on == timezone.localdate()
        verbs = set(
            AuditEvent.objects.filter(object_id=str(signatory.id)).values_list("verb", flat=True)
        )
        assert verbs == {"charter.signed", "signature.approve"}


def test_signing_a_draft_or_superseded_version_is_refused(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        access = _access(cast_a, cast_a.tenant_admin)
        v2 = services.charter_new_version(
            tenant=cast_a.tenant, actor=cast_a.tenant_admin, access=access, charter=charter
        )
        admin_access = _access(cast_a, cast_a.organisation_admin)
        with pytest.raises(ValidationError, match="is draft: only the published version"):
            services.charter_sign(
                tenant=cast_a.tenant,
                actor=cast_a.organisation_admin,
                access=admin_access,
                version=v2,
                organisation=cast_a.organisation,
                data=factories.signing_input("x"),
            )
        services.charter_version_transition(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=v2,
            to_status="endorsed",
            endorsing_body="ICP",
            endorsed_on=timezone.localdate(),
        )
        services.charter_version_transition(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=v2,
            to_status="published",
        )
        v1 = charter.versions.get(number=1)
        with pytest.raises(ValidationError, match="is superseded"):
            services.charter_sign(
                tenant=cast_a.tenant,
                actor=cast_a.organisation_admin,
                access=admin_access,
                version=v1,
                organisation=cast_a.organisation,
                data=factories.signing_input("x"),
            )
        assert not Signatory.objects.exists()


def test_signing_twice_is_refused(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        _sign(cast_a, charter)
        with pytest.raises(ValidationError, match="has already signed this charter"):
            _sign(cast_a, charter)
        assert Signatory.objects.count() == 1
        assert Pledge.objects.count() == 2


@pytest.mark.parametrize("role", ["organisation_member", "assessor", "tenant_admin", "outsider"])
def test_only_the_organisations_admin_may_sign(cast_a, role):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        with pytest.raises(PermissionDenied, match="Only an organisation admin"):
            _sign(cast_a, charter, user=getattr(cast_a, role))
        # An organisation admin of one organisation cannot sign for another.
        with pytest.raises(PermissionDenied):
            _sign(cast_a, charter, organisation=cast_a.other_organisation)
        assert not Signatory.objects.exists()


def test_bad_signing_input_names_the_fields(cast_a):
    charter = factories.published_charter(cast_a)
    data = SigningInput(
        signers=[{"name": "Ann", "role": ""}],
        signed_on=timezone.localdate() + timedelta(days=2),
        pledges=[PledgeInput(text="ok", principle_code="no-such"), PledgeInput(text="")],
    )
    with tenant_context(cast_a.tenant.id):
        with pytest.raises(ValidationError) as error:
            _sign(cast_a, charter, data=data)
        assert set(error.value.message_dict) == {"signers", "signed_on", "pledge_1", "pledge_2"}
        assert not Signatory.objects.exists()


def test_asking_for_changes_needs_a_reason_then_resubmission(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        signatory = _sign(cast_a, charter)
        with pytest.raises(ValidationError, match="reason"):
            _decide(cast_a, signatory, Decision.REQUEST_CHANGES)
        _decide(cast_a, signatory, Decision.REQUEST_CHANGES, reason="Add a target")
        services.signatory_resubmit(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=_access(cast_a, cast_a.organisation_admin),
            signatory=signatory,
            data=factories.signing_input("Buy local first, 20% by 2026"),
        )
        signatory.refresh_from_db()
        assert signatory.status == SignatoryStatus.PENDING
        assert list(signatory.pledges.values_list("text", flat=True)) == [
            "Buy local first, 20% by 2026"
        ]
        _decide(cast_a, signatory, Decision.REJECT, reason="Targets still missing")
        assert Signatory.objects.get(pk=signatory.pk).status == SignatoryStatus.REJECTED
        with pytest.raises(ValidationError, match="waiting for approval"):
            _decide(cast_a, signatory, Decision.APPROVE)


def test_approving_a_signatory_of_another_tenant_is_refused(cast_a, cast_b):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        signatory = _sign(cast_a, charter)
    with tenant_context(cast_b.tenant.id):
        # Under tenant B the row is invisible: the compare-and-set update finds nothing.
        with pytest.raises(ValidationError):
            services.signatory_decide(
                tenant=cast_b.tenant,
                actor=cast_b.tenant_admin,
                access=_access(cast_b, cast_b.tenant_admin),
                signatory=signatory,
                decision=Decision.APPROVE,
            )
    with tenant_context(cast_a.tenant.id):
        assert Signatory.objects.get(pk=signatory.pk).status == SignatoryStatus.PENDING
        # And tenant B's admin has no say in tenant A.
        with pytest.raises(PermissionDenied):
            services.signatory_decide(
                tenant=cast_a.tenant,
                actor=cast_b.tenant_admin,
                access=_access(cast_a, cast_b.tenant_admin),
                signatory=signatory,
                decision=Decision.APPROVE,
            )


def test_publishing_version_2_asks_signatories_to_reconfirm_and_keeps_version_1(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        signatory = _sign(cast_a, charter)
        _decide(cast_a, signatory, Decision.APPROVE)
        access = _access(cast_a, cast_a.tenant_admin)
        v2 = services.charter_new_version(
            tenant=cast_a.tenant, actor=cast_a.tenant_admin, access=access, charter=charter
        )
        assert [p.code for p in v2.principles.all()] == ["buy-local"]
        services.charter_version_update(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=v2,
            change_summary="Adds net zero",
            definition="Now with net zero by 2040.",
        )
        services.charter_version_transition(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=v2,
            to_status="endorsed",
            endorsing_body="ICP",
            endorsed_on=timezone.localdate(),
        )
        services.charter_version_transition(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            version=v2,
            to_status="published",
        )
        v1 = CharterVersion.objects.get(charter=charter, number=1)
        assert v1.status == VersionStatus.SUPERSEDED
        assert v1.definition == "The good we do for our places beyond our core service."
        signatory.refresh_from_db()
        assert signatory.status == SignatoryStatus.RECONFIRM
        services.signatory_reconfirm(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=_access(cast_a, cast_a.organisation_admin),
            signatory=signatory,
        )
        signatory.refresh_from_db()
        assert (signatory.status, signatory.version.number) == (SignatoryStatus.SIGNED, 2)
        assert {p.version.number for p in signatory.pledges.all()} == {2}
        assert {p.principle.version_id for p in signatory.pledges.all()} == {v2.id}


def test_withdrawing_needs_a_reason_and_takes_the_organisation_off_the_register(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        signatory = _sign(cast_a, charter)
        access = _access(cast_a, cast_a.organisation_admin)
        with pytest.raises(ValidationError):
            services.signatory_withdraw(
                tenant=cast_a.tenant,
                actor=cast_a.organisation_admin,
                access=access,
                signatory=signatory,
                reason=" ",
            )
        services.signatory_withdraw(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=access,
            signatory=signatory,
            reason="Merged",
        )
        assert Signatory.objects.get().status == SignatoryStatus.WITHDRAWN
        # Withdrawn organisations may sign again later.
        assert _sign(cast_a, charter).status == SignatoryStatus.PENDING


def test_tiers_move_up_by_application_and_panel(cast_a):
    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        access = _access(cast_a, cast_a.tenant_admin)
        supporter = charter.tiers.get()
        services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            charter=charter,
            name="Supporter",
            review_months=12,
            tier=supporter,
        )
        member = services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            charter=charter,
            name="Member",
            requires_panel=True,
        )
        signatory = _sign(cast_a, charter)
        _decide(cast_a, signatory, Decision.APPROVE)
        signatory.refresh_from_db()
        assert signatory.review_due == timezone.localdate().replace(
            year=timezone.localdate().year + 1
        )
        application = services.tier_application_create(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=_access(cast_a, cast_a.organisation_admin),
            signatory=signatory,
            case="We pay the real living wage",
        )
        assert application.to_tier == member
        with pytest.raises(ValidationError, match="needs the assessment panel first"):
            services.tier_application_decide(
                tenant=cast_a.tenant,
                actor=cast_a.tenant_admin,
                access=access,
                application=application,
                decision="approve",
            )
        services.tier_application_decide(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            application=application,
            decision="to_panel",
        )
        application.refresh_from_db()
        services.tier_application_decide(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            application=application,
            decision="approve",
            panel_notes="Strong case",
        )
        signatory.refresh_from_db()
        assert signatory.tier == member
        assert signatory.review_due is None


def test_yearly_pledge_review_reminders_go_once_and_a_review_moves_the_date(
    cast_a, django_capture_on_commit_callbacks
):
    from django.core import mail

    from charters.tasks import send_pledge_review_reminders

    charter = factories.published_charter(cast_a)
    with tenant_context(cast_a.tenant.id):
        access = _access(cast_a, cast_a.tenant_admin)
        services.tier_save(
            tenant=cast_a.tenant,
            actor=cast_a.tenant_admin,
            access=access,
            charter=charter,
            name="Supporter",
            review_months=12,
            tier=charter.tiers.get(),
        )
        signatory = _sign(cast_a, charter)
        _decide(cast_a, signatory, Decision.APPROVE)
        Signatory.objects.filter(pk=signatory.pk).update(review_due=timezone.localdate())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_pledge_review_reminders.apply(args=[str(cast_a.tenant.id)]).get() == 1
    assert send_pledge_review_reminders.apply(args=[str(cast_a.tenant.id)]).get() == 0
    assert [m.to for m in mail.outbox] == [[cast_a.organisation_admin.email]]
    assert "due for their yearly review" in mail.outbox[0].body
    with tenant_context(cast_a.tenant.id):
        signatory = services.signatory_pledges_reviewed(
            tenant=cast_a.tenant,
            actor=cast_a.organisation_admin,
            access=_access(cast_a, cast_a.organisation_admin),
            signatory=Signatory.objects.get(pk=signatory.pk),
        )
        assert signatory.review_due > timezone.localdate()
        assert signatory.review_reminded_on is None
