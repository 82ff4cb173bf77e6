"""Each award email links to the page where its reader acts: the application, the conflict
declaration, the assessors, the award, the appeal panel, the panel's decision page."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services, tasks
from awards.models import Appeal, AssessorAssignment, Award
from tenancy.context import tenant_context
from tests.awards_builders import as_user, decided, draft, one_row_of_each_award_model, open_scheme

pytestmark = pytest.mark.django_db


def link(cast, name, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[cast.tenant.slug, *args])


def test_every_notice_of_a_journey_links_to_its_page(
    cast_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        with django_capture_on_commit_callbacks(execute=True):
            rows = one_row_of_each_award_model(cast_a)
            award = rows[Award]
            services.award_revoke(
                **as_user(cast_a, cast_a.tenant_admin), award=award, reason="Closed."
            )
        application = award.application
        assignment = AssessorAssignment.objects.get(application=application)
        appeal = Appeal.objects.get(application=application)
    org = cast_a.organisation.name
    detail = link(cast_a, "application_detail", application.pk)
    expected = {
        f"{org} has applied for Bronze of Social Value Award": detail,
        "Your application for Bronze is being assessed": detail,
        f"Please assess {org}'s application for Bronze": link(
            cast_a, "assessment_declare", assignment.pk
        ),
        "Your application for Bronze of Social Value Award": detail,
        f"{org} has appealed": link(cast_a, "appeal_panel", appeal.pk),
        f"Please sit on the appeal panel for {org}": link(cast_a, "appeal_decide", appeal.pk),
        f"The appeal panel has decided: {org}": detail,
        f"{org}'s Bronze award has been revoked": link(cast_a, "award_detail", award.pk),
    }
    bodies = {m.subject: m.body for m in mailoutbox}
    assert set(expected) <= set(bodies)
    for subject, address in expected.items():
        assert bodies[subject].rstrip().endswith(address), subject
        assert link(cast_a, "tenant_home") + "\n" not in bodies[subject]


def test_an_award_links_to_the_award_and_a_conflict_to_the_assessors(
    cast_a, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        with django_capture_on_commit_callbacks(execute=True):
            awarded = decided(cast_a, scheme)
        award = awarded.awards.get()
        application = draft(cast_a, scheme)
        services.evidence_add(
            **as_user(cast_a, cast_a.organisation_admin),
            application=application,
            uploaded_file=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF\n"),
        )
        services.application_submit(
            **as_user(cast_a, cast_a.organisation_admin), application=application
        )
        assignment = services.assessor_assign(
            **as_user(cast_a, cast_a.tenant_admin),
            application=application,
            assessor=cast_a.assessor,
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.conflict_declare(
                **as_user(cast_a, cast_a.assessor),
                assignment=assignment,
                conflicted=True,
                note="My sister chairs its board.",
            )
        mailoutbox.clear()
        tasks.send_award_email(str(cast_a.tenant.id), "award_expiring", str(award.pk))
    (expiring,) = mailoutbox
    assert expiring.body.rstrip().endswith(link(cast_a, "award_detail", award.pk))
    with tenant_context(cast_a.tenant.id):
        mailoutbox.clear()
        tasks.send_award_email(
            str(cast_a.tenant.id), "decision_awarded", str(awarded.decisions.get().pk)
        )
        tasks.send_award_email(str(cast_a.tenant.id), "conflict_declared", str(assignment.pk))
    awarded_mail, conflict_mail = mailoutbox
    assert awarded_mail.body.rstrip().endswith(link(cast_a, "award_detail", award.pk))
    assert conflict_mail.body.rstrip().endswith(
        link(cast_a, "application_assessors", application.pk)
    )


def test_a_page_not_routed_falls_back_to_the_awards_home(cast_a, monkeypatch):
    with tenant_context(cast_a.tenant.id):
        application = draft(cast_a, open_scheme(cast_a))
        monkeypatch.setattr(tasks, "_page", lambda *args: ("no_such_page", []))
        assert tasks.email_link("application_submitted", application, application) == link(
            cast_a, "award_home"
        )
