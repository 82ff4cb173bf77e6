"""Every email notice renders and reaches the right people, and the public reads run a fixed
number of queries whatever the number of awards."""

import pytest

from awards import services, verification
from awards.tasks import NOTICES
from tenancy.context import tenant_context
from tests.awards_builders import (
    as_user,
    decided,
    draft,
    one_row_of_each_award_model,
    open_scheme,
)

pytestmark = pytest.mark.django_db


def test_the_notices_of_a_whole_journey(cast_a, django_capture_on_commit_callbacks, mailoutbox):
    with tenant_context(cast_a.tenant.id):
        with django_capture_on_commit_callbacks(execute=True):
            rows = one_row_of_each_award_model(cast_a)
            from awards.models import Award

            services.award_revoke(
                **as_user(cast_a, cast_a.tenant_admin),
                award=rows[Award],
                reason="The organisation closed its volunteering programme.",
            )
    org = cast_a.organisation.name
    sent = {m.subject: set(m.to) for m in mailoutbox}
    admins = {cast_a.tenant_admin.email}
    applicants = {cast_a.organisation_admin.email, cast_a.organisation_member.email}
    assert sent[f"{org} has applied for Bronze of Social Value Award"] == admins | {
        cast_a.organisation_admin.email
    }
    assert sent["Your application for Bronze is being assessed"] == applicants
    assert sent[f"Please assess {org}'s application for Bronze"] == {cast_a.assessor.email}
    assert sent["Your application for Bronze of Social Value Award"] == applicants
    assert sent[f"{org} has appealed"] == admins
    panel = sent[f"Please sit on the appeal panel for {org}"]
    assert len(panel) == 1 and not panel & (admins | applicants | {cast_a.assessor.email})
    assert sent[f"The appeal panel has decided: {org}"] == applicants | admins
    assert sent[f"{org}'s Bronze award has been revoked"] == {cast_a.organisation_admin.email}
    letter = next(m for m in mailoutbox if m.subject.startswith("Your application for Bronze of"))
    assert "has not been awarded Bronze" in letter.body and "Private" not in letter.body


def test_withdrawal_tells_the_programme_team_and_the_assessors(
    cast_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, open_scheme(cast_a))
        with django_capture_on_commit_callbacks(execute=True):
            services.application_withdraw(
                **as_user(cast_a, cast_a.organisation_admin),
                application=application,
                reason="We will apply next year.",
            )
    (mail,) = mailoutbox
    assert mail.to == [cast_a.tenant_admin.email]
    assert "We will apply next year." in mail.body


def test_every_notice_names_known_audiences():
    audiences = {a for who, _, _ in NOTICES.values() for a in who}
    assert audiences == {
        "tenant_admins",
        "organisation_admins",
        "organisation_people",
        "assessor",
        "assessors",
        "panel",
    }


@pytest.mark.parametrize("awards", [1, 3])
def test_verification_reads_in_fixed_queries_whatever_the_number_of_awards(
    cast_a, django_assert_max_num_queries, awards
):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        held = [decided(cast_a, scheme).awards.get() for _ in range(awards)]
        with django_assert_max_num_queries(1):
            assert (
                len([a.organisation.name for a in verification.award_holders(tenant=cast_a.tenant)])
                == awards
            )
        with django_assert_max_num_queries(2):
            check = verification.award_verify(tenant=cast_a.tenant, code=held[-1].verification_code)
            assert check.is_current
        with django_assert_max_num_queries(2):
            check = verification.award_verify_organisation(
                tenant=cast_a.tenant, organisation_id=cast_a.organisation.id
            )
            assert check.award == held[-1]
