"""Award data for tests, built only through the services (so audited, as in real use) and free
of the demo: a scheme with Cheshire and Merseyside's four areas, a Bronze level and a Level 1
(KVI tracking) level, and applications taken as far as a test needs.

Call these inside `tenant_context(cast.tenant.id)`."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from awards import services
from awards.models import Application, AreasRule, Criterion, SchemeLevel, SchemeVersion
from kvi import services as kvi_services
from tenancy.models import Role
from tenancy.permissions import tenant_access_for
from tests import factories

D = Decimal
ONE = Decimal(1)
DESCRIPTORS = {
    "0": "No evidence",
    "1": "Limited evidence",
    "2": "Some evidence",
    "3": "Good evidence",
    "4": "Excellent evidence",
}


def access(cast, user):
    return tenant_access_for(user=user, tenant=cast.tenant)


def as_user(cast, user) -> dict:
    """tenant/actor/access keyword arguments for a service call by `user`."""
    return {"tenant": cast.tenant, "actor": user, "access": access(cast, user)}


def person(cast, role, organisation=None):
    """Another person with a role in the cast's tenant."""
    user = factories.UserFactory()
    factories.MembershipFactory(tenant=cast.tenant, user=user, role=role, organisation=organisation)
    return user


@dataclass
class Scheme:
    version: SchemeVersion
    bronze: SchemeLevel
    level_one: SchemeLevel
    general: Criterion  # every level, no area: weight 2, 50-word limit
    environmental: Criterion  # environmental area: weight 1
    social: Criterion  # social area: weight 1
    economic: Criterion  # economic area, Bronze only: weight 1


def open_scheme(cast, *, areas_rule=AreasRule.CHOOSE, windows=()) -> Scheme:
    """An open scheme: four areas; Bronze (at least 2 areas) and Level 1 (1 area, each
    commitment tracked by a KVI, 18 months' tracking); four questions; rubric 0–4."""
    admin = as_user(cast, cast.tenant_admin)
    scheme = services.scheme_create(**admin, name="Social Value Award", areas_rule=areas_rule)
    version = scheme.versions.get()
    services.scheme_version_update(
        **admin, version=version, rubric_descriptors=DESCRIPTORS, description="Our award."
    )
    areas = {a.code: a for a in version.areas.all()}
    bronze = services.level_save(
        **admin,
        version=version,
        data=services.LevelInput(name="Bronze", minimum_areas=2, minimum_commitments=2),
    )
    level_one = services.level_save(
        **admin,
        version=version,
        data=services.LevelInput(
            name="Level 1",
            minimum_areas=1,
            minimum_commitments=1,
            kvis_per_commitment=1,
            tracking_months=18,
        ),
    )

    def question(text, area=None, level=None, weight=ONE, word_limit=None):
        return services.criterion_save(
            **admin,
            version=version,
            data=services.CriterionInput(
                text=text,
                area=area,
                level=level,
                weight=weight,
                word_limit=word_limit,
                evidence_expected="What changed, for whom, how many, where and when.",
            ),
        )

    general = question("Who leads social value in your organisation?", weight=D(2), word_limit=50)
    environmental = question("How do you reduce your environmental impact?", areas["environmental"])
    social = question("How do you support your communities?", areas["social"])
    economic = question("How do you buy locally?", areas["economic"], level=bronze)
    services.category_save(**admin, version=version, name="Environment")
    for opens_on, closes_on in windows:
        services.window_save(**admin, version=version, opens_on=opens_on, closes_on=closes_on)
    services.scheme_version_move(**admin, version=version, to_status="open")
    version.refresh_from_db()
    return Scheme(version, bronze, level_one, general, environmental, social, economic)


def kvi_for(cast, organisation, code="SPEND"):
    """A KVI of `organisation` under a small published framework of the tenant."""
    admin = as_user(cast, cast.tenant_admin)
    framework = kvi_services.framework_create(**admin, name=f"Framework {code}")
    theme = kvi_services.theme_save(**admin, framework=framework, name="Economic")
    subtheme = kvi_services.subtheme_save(**admin, theme=theme, name="Procurement")
    metric = kvi_services.metric_save(
        **admin,
        subtheme=subtheme,
        code=code,
        name="Local spend",
        definition="Share of spend with local firms",
        unit="%",
        direction="increase",
        aggregation="ratio",
    )
    kvi_services.framework_publish(**admin, framework=framework)
    return kvi_services.kvi_create(
        **admin,
        organisation=organisation,
        data=kvi_services.KviInput(
            code=code, title="Local spend", metric=metric, frequency="monthly"
        ),
    )


def draft(cast, scheme: Scheme, *, complete=True) -> Application:
    """A Bronze draft of the cast's organisation covering environmental and social; with
    `complete`, every question answered and two commitments written."""
    applicant = as_user(cast, cast.organisation_admin)
    application = services.application_start(
        **applicant,
        organisation=cast.organisation,
        version=scheme.version,
        level=scheme.bronze,
        area_codes=["environmental", "social"],
    )
    if complete:
        for criterion, text in [
            (scheme.general, "Our chief executive sponsors it; a lead in each directorate."),
            (scheme.environmental, "We cut fleet mileage by 12% in Wirral in 2022/23."),
            (scheme.social, "Forty volunteers gave 600 hours to food banks in Birkenhead."),
        ]:
            services.answer_save(
                **applicant, application=application, criterion=criterion, text=text
            )
        areas = {a.code: a for a in scheme.version.areas.all()}
        for code, text in [("environmental", "Halve waste"), ("social", "Volunteer 1,000 hours")]:
            services.commitment_save(
                **applicant, application=application, area=areas[code], text=text
            )
    application.refresh_from_db()
    return application


def submitted(cast, scheme: Scheme) -> Application:
    application = draft(cast, scheme)
    return services.application_submit(
        **as_user(cast, cast.organisation_admin), application=application
    )


def in_assessment(cast, scheme: Scheme, assessors=None) -> Application:
    """Submitted, with the cast's assessor (or `assessors`) assigned and clear of conflict."""
    application = submitted(cast, scheme)
    for assessor in assessors or [cast.assessor]:
        assignment = services.assessor_assign(
            **as_user(cast, cast.tenant_admin), application=application, assessor=assessor
        )
        services.conflict_declare(
            **as_user(cast, assessor), assignment=assignment, conflicted=False
        )
    application.refresh_from_db()
    return application


def score_all(cast, application, assessor, scores: dict, note="Private: met the CEO."):
    """`scores`: criterion -> score; each with a comment for the applicant and a private note."""
    for criterion, score in scores.items():
        services.score_save(
            **as_user(cast, assessor),
            application=application,
            criterion=criterion,
            score=score,
            comment=f"Comment on {criterion.code}",
            private_note=note,
        )


def decided(cast, scheme: Scheme, *, scores=(4, 4, 4)) -> Application:
    """Assessed by the cast's assessor (general, environmental, social) and the decision sent."""
    application = in_assessment(cast, scheme)
    general, environmental, social = scores
    score_all(
        cast,
        application,
        cast.assessor,
        {scheme.general: general, scheme.environmental: environmental, scheme.social: social},
    )
    admin = as_user(cast, cast.tenant_admin)
    decision = services.decision_draft(**admin, application=application)
    services.decision_send(**admin, decision=decision)
    application.refresh_from_db()
    return application


def other_organisation_admin(cast):
    return person(cast, Role.ORGANISATION_ADMIN, cast.other_organisation)


def day(text: str) -> date:
    return date.fromisoformat(text)


def one_row_of_each_award_model(cast) -> dict:
    """A row of every awards model in the cast's tenant, through the services: a scheme with a
    window, an application with answers, commitments, a KVI link and an evidence file, assessed,
    not awarded, appealed, and awarded on appeal. For the row-level security tests."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from awards import models

    today = timezone.localdate()
    scheme = open_scheme(cast, windows=[(today - timedelta(days=1), today + timedelta(days=30))])
    application = draft(cast, scheme)
    applicant = as_user(cast, cast.organisation_admin)
    commitment = application.commitments.first()
    services.commitment_kvis_set(
        **applicant, commitment=commitment, kvis=[kvi_for(cast, cast.organisation, "AWARDKVI")]
    )
    evidence = services.evidence_add(
        **applicant,
        application=application,
        uploaded_file=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    services.application_submit(**applicant, application=application)
    assignment = services.assessor_assign(
        **as_user(cast, cast.tenant_admin), application=application, assessor=cast.assessor
    )
    services.conflict_declare(
        **as_user(cast, cast.assessor), assignment=assignment, conflicted=False
    )
    score_all(
        cast,
        application,
        cast.assessor,
        {scheme.general: 1, scheme.environmental: 1, scheme.social: 1},
    )
    admin = as_user(cast, cast.tenant_admin)
    decision = services.decision_send(
        **admin, decision=services.decision_draft(**admin, application=application)
    )
    appeal = services.appeal_lodge(**applicant, application=application, reasons="Overlooked")
    panel_member = person(cast, Role.ASSESSOR)
    services.appeal_panel_appoint(**admin, appeal=appeal, members=[panel_member])
    services.appeal_decide(
        **as_user(cast, panel_member), appeal=appeal, outcome="allowed", reasons="Evidence shown"
    )
    version = scheme.version
    return {
        models.AwardScheme: version.scheme,
        models.SchemeVersion: version,
        models.ApplicationWindow: version.windows.get(),
        models.SchemeArea: version.areas.first(),
        models.SchemeLevel: scheme.bronze,
        models.Criterion: scheme.general,
        models.AwardCategory: version.categories.get(),
        models.Application: application,
        models.ApplicationAnswer: application.answers.first(),
        models.Commitment: commitment,
        models.CommitmentKvi: commitment.kvi_links.get(),
        models.EvidenceFile: evidence,
        models.ApplicationEvent: application.events.first(),
        models.AssessorAssignment: assignment,
        models.Score: models.Score.objects.filter(assignment=assignment).first(),
        models.Decision: decision,
        models.Appeal: appeal,
        models.AppealPanelMember: appeal.panel.get(),
        models.Award: application.awards.get(),
    }
