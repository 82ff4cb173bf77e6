"""Demo award data built from DOMAIN.md (run by `manage.py seed_demo`, after tenancy.demo; it
runs kvi.demo first itself, since Wirral's Level 1 commitments link its KVIs).

Cheshire and Merseyside gets two schemes, open: its Social Value Award (four areas, applicants
choose; one level valid five years; categories) and the Social Value Quality Mark's health award
(Level 1 with 18 months' KVI tracking, then Bronze to Platinum). Applications to the award:
Wirral Community Health and Care (awarded March 2021, so expired in March 2026) and made-up
"(demo)" organisations, awarded (current and expired), not awarded (one appealed, waiting for
its panel), submitted, in assessment and draft. Wirral's SVQM Level 1 application is the draft
of its October 2022 board paper: its eight pledges, each tracked by its KVI, tracking from
October 2021 with the submission due April 2023.

Everything goes through awards.services, as the people would (Wirral's admin with the demo
login; the demo organisations, which have none, as their admin would; the demo tenant admin and
assessor); then the history is dated back to when it happened. Awards granted here queue their
certificate PDFs (and the services their emails) when the transaction commits: with no worker
running they wait in the queue, the certificates showing "Waiting to be produced". Idempotent:
a scheme, or an organisation's application to it, that exists is left alone.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from awards import services
from awards.demo_data import (
    CM_APPLICANTS,
    CM_AWARD,
    CM_CATEGORIES,
    CM_DESCRIPTION,
    CM_GENERAL_QUESTION,
    CM_LEVEL,
    CM_QUESTIONS,
    EVIDENCE,
    RUBRIC,
    SVQM,
    SVQM_DESCRIPTION,
    SVQM_GENERAL_QUESTION,
    SVQM_LEVELS,
    SVQM_QUESTIONS,
    SVQM_THEMES,
    WIRRAL_LEVEL_ONE,
    WIRRAL_LEVEL_ONE_ANSWERS,
    WIRRAL_TRACKING_FROM,
    Applicant,
)
from awards.models import (
    Application,
    ApplicationEvent,
    AssessorAssignment,
    Award,
    AwardScheme,
    Decision,
    SchemeVersion,
)
from awards.rules import applicable_criteria
from awards.working_days import add_working_days
from kvi.models import Kvi
from organisations.models import Organisation
from organisations.services import participation_ensure
from tenancy.context import tenant_context
from tenancy.models import Role, Tenant
from tenancy.permissions import TenantAccess, tenant_access_for

CM_SLUG = "cheshire-and-merseyside"
TENANT_ADMIN = "tenant.admin@demo.example"
ASSESSOR = "assessor@demo.example"
WIRRAL_ADMIN = "org.admin@demo.example"
WIRRAL_ODS = "RY7"


class People:
    """Who acts in the demo: (user, access) pairs."""

    def __init__(self, tenant: Tenant):
        users = {
            u.email: u
            for u in get_user_model().objects.filter(
                email__in=[TENANT_ADMIN, ASSESSOR, WIRRAL_ADMIN]
            )
        }
        self.tenant = tenant
        self.ready = len(users) == 3
        self.users = users

    def as_(self, email: str) -> dict:
        user = self.users[email]
        return {
            "tenant": self.tenant,
            "actor": user,
            "access": tenant_access_for(user=user, tenant=self.tenant),
        }

    def organisation_admin(self, organisation: Organisation) -> dict:
        """Wirral's admin (a demo login); for the demo organisations, which have none, act as
        their admin would."""
        if organisation.ods_code == WIRRAL_ODS:
            return self.as_(WIRRAL_ADMIN)
        access = TenantAccess(
            tenant_id=self.tenant.id,
            roles=frozenset({Role.ORGANISATION_ADMIN}),
            organisation_roles={organisation.id: frozenset({Role.ORGANISATION_ADMIN})},
        )
        return {"tenant": self.tenant, "actor": None, "access": access}


# --- Schemes -----------------------------------------------------------------------------------


def _scheme(people: People, name: str, build) -> SchemeVersion | None:
    """The open version of the scheme called `name`, built and opened when it does not exist."""
    tenant = people.tenant
    scheme = AwardScheme.objects.filter(tenant=tenant, name=name).first()
    if scheme is None:
        build(people)
        scheme = AwardScheme.objects.get(tenant=tenant, name=name)
    return scheme.versions.filter(status="open").order_by("-number").first()


def _build_cm_award(people: People) -> None:
    admin = people.as_(TENANT_ADMIN)
    scheme = services.scheme_create(**admin, name=CM_AWARD, areas_rule="choose")
    version = scheme.versions.get()
    services.scheme_version_update(
        **admin, version=version, description=CM_DESCRIPTION, rubric_descriptors=RUBRIC
    )
    services.level_save(
        **admin,
        version=version,
        data=services.LevelInput(
            name=CM_LEVEL[0], requirements=CM_LEVEL[1], minimum_areas=1, minimum_commitments=1
        ),
    )
    services.criterion_save(
        **admin,
        version=version,
        data=services.CriterionInput(text=CM_GENERAL_QUESTION, word_limit=250),
    )
    areas = {a.code: a for a in version.areas.all()}
    for code, question in CM_QUESTIONS.items():
        services.criterion_save(
            **admin,
            version=version,
            data=services.CriterionInput(
                text=question, area=areas[code], evidence_expected=EVIDENCE, word_limit=500
            ),
        )
    for name in CM_CATEGORIES:
        services.category_save(**admin, version=version, name=name)
    services.scheme_version_move(**admin, version=version, to_status="open")


def _build_svqm(people: People) -> None:
    admin = people.as_(TENANT_ADMIN)
    scheme = services.scheme_create(**admin, name=SVQM, areas=SVQM_THEMES, areas_rule="choose")
    version = scheme.versions.get()
    services.scheme_version_update(
        **admin, version=version, description=SVQM_DESCRIPTION, rubric_descriptors=RUBRIC
    )
    levels = {}
    for name, requirements, areas, commitments, kvis, years, months in SVQM_LEVELS:
        levels[name] = services.level_save(
            **admin,
            version=version,
            data=services.LevelInput(
                name=name,
                requirements=requirements,
                minimum_areas=areas,
                minimum_commitments=commitments,
                kvis_per_commitment=kvis,
                validity_years=years,
                tracking_months=months,
            ),
        )
    services.criterion_save(
        **admin,
        version=version,
        data=services.CriterionInput(text=SVQM_GENERAL_QUESTION, word_limit=300),
    )
    for level_name, question in SVQM_QUESTIONS:
        services.criterion_save(
            **admin,
            version=version,
            data=services.CriterionInput(
                text=question, level=levels[level_name], evidence_expected=EVIDENCE
            ),
        )
    services.scheme_version_move(**admin, version=version, to_status="open")


# --- Applications to the Cheshire and Merseyside award ---------------------------------------


def _organisation(tenant: Tenant, applicant: Applicant) -> Organisation:
    if applicant.ods:
        organisation = Organisation.objects.filter(ods_code=applicant.ods).first()
    else:
        organisation = Organisation.objects.filter(name=applicant.name).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=applicant.name,
            organisation_type=applicant.kind,
            size_band=applicant.size,
            registered_postcode=applicant.postcode,
        )
    participation_ensure(tenant=tenant, organisation=organisation, actor=None)
    return organisation


def _draft(people: People, version, organisation, applicant: Applicant) -> Application:
    as_org = people.organisation_admin(organisation)
    application = services.application_start(
        **as_org,
        organisation=organisation,
        version=version,
        level=version.levels.get(),
        area_codes=list(applicant.areas),
    )
    for criterion in applicable_criteria(tenant=people.tenant, application=application):
        if criterion.area is None:
            text = applicant.lead
        else:
            text = applicant.areas[criterion.area.code][1]
        if text:
            services.answer_save(**as_org, application=application, criterion=criterion, text=text)
    areas = {a.code: a for a in version.areas.all()}
    for code, (commitment, _evidence) in applicant.areas.items():
        services.commitment_save(
            **as_org, application=application, area=areas[code], text=commitment
        )
    return application


def _assess(people: People, application: Application, score: int) -> None:
    admin = people.as_(TENANT_ADMIN)
    assessor = people.as_(ASSESSOR)
    assignment = services.assessor_assign(
        **admin, application=application, assessor=people.users[ASSESSOR]
    )
    services.conflict_declare(**assessor, assignment=assignment, conflicted=False)
    application.refresh_from_db()
    for criterion in applicable_criteria(tenant=people.tenant, application=application):
        # The general question a point lower, so awarded scores differ (3 of 4 is 75%).
        points = score - 1 if criterion.area is None and score == 4 else score
        services.score_save(
            **assessor,
            application=application,
            criterion=criterion,
            score=Decimal(points),
            comment="Clear evidence of what changed, for whom and where."
            if points >= 3
            else "Say how many people benefited, where and when: intentions are not evidence.",
            private_note="Demo: scored from the written answers.",
        )


def _decide(people: People, application: Application, categories: list[str]) -> Decision:
    admin = people.as_(TENANT_ADMIN)
    decision = services.decision_draft(**admin, application=application)
    if categories:
        decision = services.decision_update(
            **admin,
            decision=decision,
            outcome=decision.outcome,
            feedback_letter=decision.feedback_letter,
            category_codes=categories,
        )
    return services.decision_send(**admin, decision=decision)


def _as_of(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _date_back(application: Application, decided_on: date) -> None:
    """Date the history to when it happened: started five weeks, submitted two weeks before
    the decision; the award from the decision day."""
    submitted_on = decided_on - timedelta(days=14)
    events = list(ApplicationEvent.objects.filter(application=application).order_by("created_at"))
    for position, event in enumerate(events):
        if position == len(events) - 1:
            day = decided_on
        elif position < 2:  # started, submitted
            day = (decided_on - timedelta(days=35), submitted_on)[position]
        else:  # in assessment
            day = submitted_on + timedelta(days=2)
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=_as_of(day))
    Application.objects.filter(pk=application.pk).update(
        created_at=_as_of(decided_on - timedelta(days=35)),
        submitted_at=_as_of(submitted_on),
        decision_due=add_working_days(submitted_on, application.version.decision_working_days),
        decided_at=_as_of(decided_on, 15),
    )
    AssessorAssignment.objects.filter(application=application).update(
        created_at=_as_of(submitted_on + timedelta(days=2)),
        declared_at=_as_of(submitted_on + timedelta(days=2), 14),
    )
    Decision.objects.filter(application=application).update(
        decided_at=_as_of(decided_on, 15), sent_at=_as_of(decided_on, 15)
    )
    today = timezone.localdate()
    for award in Award.objects.filter(application=application).select_related("level", "version"):
        expires_on = decided_on + relativedelta(years=award.level.validity_years)
        Award.objects.filter(pk=award.pk).update(
            awarded_on=decided_on,
            expires_on=expires_on,
            # Reminders whose day has passed count as sent, so none pile up at once.
            reminded_months=[
                m
                for m in award.version.reminder_months
                if expires_on - relativedelta(months=m) <= today
            ],
        )


def _apply(people: People, version, applicant: Applicant) -> None:
    organisation = _organisation(people.tenant, applicant)
    if Application.objects.filter(
        tenant=people.tenant, scheme=version.scheme_id, organisation=organisation
    ).exists():
        return
    application = _draft(people, version, organisation, applicant)
    if applicant.state == "draft":
        return
    as_org = people.organisation_admin(organisation)
    services.application_submit(**as_org, application=application)
    if applicant.state == "submitted":
        return
    good = applicant.state == "awarded"
    _assess(people, application, 4 if good else 2)
    if applicant.state == "in_assessment":
        return
    _decide(people, application, applicant.categories)
    application.refresh_from_db()
    if applicant.state == "appealed":
        services.appeal_lodge(
            **as_org,
            application=application,
            reasons="Our answers were short, but our groups have run every week since 2019 "
            "with about 25 people each week: we can send the attendance registers.",
        )
    if good and applicant.decided_on:
        _date_back(application, applicant.decided_on)


# --- Wirral's SVQM Level 1 -------------------------------------------------------------------


def _wirral_level_one(people: People, version) -> None:
    wirral = Organisation.objects.filter(ods_code=WIRRAL_ODS).first()
    if (
        wirral is None
        or Application.objects.filter(
            tenant=people.tenant, scheme=version.scheme_id, organisation=wirral
        ).exists()
    ):
        return
    kvis = {k.code: k for k in Kvi.objects.filter(tenant=people.tenant, organisation=wirral)}
    as_wirral = people.as_(WIRRAL_ADMIN)
    application = services.application_start(
        **as_wirral,
        organisation=wirral,
        version=version,
        level=version.levels.get(name="Level 1"),
        area_codes=list(dict.fromkeys(theme for theme, _text, _kvi in WIRRAL_LEVEL_ONE)),
    )
    Application.objects.filter(pk=application.pk).update(tracking_starts_on=WIRRAL_TRACKING_FROM)
    for criterion in applicable_criteria(tenant=people.tenant, application=application):
        services.answer_save(
            **as_wirral,
            application=application,
            criterion=criterion,
            text=WIRRAL_LEVEL_ONE_ANSWERS[criterion.text],
        )
    areas = {a.code: a for a in version.areas.all()}
    for theme, text, kvi_code in WIRRAL_LEVEL_ONE:
        commitment = services.commitment_save(
            **as_wirral, application=application, area=areas[theme], text=text
        )
        if kvi_code in kvis:
            services.commitment_kvis_set(**as_wirral, commitment=commitment, kvis=[kvis[kvi_code]])


@transaction.atomic
def build_demo() -> None:
    from kvi.demo import build_demo as build_kvi_demo

    build_kvi_demo()  # Wirral's KVIs, which its Level 1 commitments link (idempotent)
    tenant = Tenant.objects.filter(slug=CM_SLUG).first()
    if tenant is None:
        return
    with tenant_context(tenant.id):
        people = People(tenant)
        if not people.ready:
            return
        award = _scheme(people, CM_AWARD, _build_cm_award)
        if award is not None:
            for applicant in CM_APPLICANTS:
                _apply(people, award, applicant)
        svqm = _scheme(people, SVQM, _build_svqm)
        if svqm is not None:
            _wirral_level_one(people, svqm)
