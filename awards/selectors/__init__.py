"""Reads for the Social Value Award. Each selector decides its joins, so pages and lists run a
fixed number of queries whatever the number of rows. This module holds the reads every page
shares; the submodules hold those of one audience: `applicants`, `team` (programme team and
assessors), `appeals`, `held` (awards held, public holders and verification), `schemes`.

Who may open an application (`application_get_for_user`): the programme team
(MANAGE_AWARD_APPLICATIONS) any; the applying organisation's people
(VIEW_OWN_AWARD_APPLICATIONS) theirs; an assigned assessor theirs once they have declared no
conflict (before that, only who applied and for what; a conflicted assessor, nothing); an
appeal panel member the application appealed. Everyone else: None (a 404 for the page).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from awards.models import (
    ASSESSABLE_STATUSES,
    EDITABLE_STATUSES,
    Appeal,
    AppealPanelMember,
    AppealStatus,
    Application,
    ApplicationAnswer,
    ApplicationEvent,
    AssessorAssignment,
    Award,
    AwardScheme,
    Commitment,
    CommitmentKvi,
    Conflict,
    Criterion,
    Decision,
    EvidenceFile,
    SchemeStatus,
    SchemeVersion,
)
from awards.working_days import working_days_between
from tenancy.permissions import Perm, TenantAccess

# --- Schemes -------------------------------------------------------------------------------


def scheme_list(*, tenant) -> QuerySet[AwardScheme]:
    """Schemes with their versions, newest first: two queries."""
    return (
        AwardScheme.objects.filter(tenant=tenant)
        .prefetch_related(Prefetch("versions", queryset=SchemeVersion.objects.order_by("-number")))
        .order_by("name")
    )


def scheme_version_get(*, tenant, pk) -> SchemeVersion | None:
    """A version with everything it holds: areas, levels, criteria (area and level joined),
    categories and windows. Six queries."""
    return (
        SchemeVersion.objects.filter(tenant=tenant, pk=pk)
        .select_related("scheme")
        .prefetch_related(
            "areas",
            "levels",
            "categories",
            "windows",
            Prefetch(
                "criteria",
                queryset=Criterion.objects.select_related("area", "level").order_by(
                    F("area__position").asc(nulls_first=True), "position", "code"
                ),
            ),
        )
        .first()
    )


def open_scheme_versions(*, tenant) -> QuerySet[SchemeVersion]:
    """The versions taking applications, with their levels, areas and windows."""
    return (
        SchemeVersion.objects.filter(tenant=tenant, status=SchemeStatus.OPEN)
        .select_related("scheme")
        .prefetch_related("levels", "areas", "windows")
        .order_by("name")
    )


# --- Who may open an application ----------------------------------------------------------


@dataclass(frozen=True)
class ApplicationView:
    """An application and what this person may do with it."""

    application: Application
    as_manager: bool = False
    as_applicant: bool = False
    assignment: AssessorAssignment | None = None  # the person's own assignment
    as_panel: bool = False
    can_read: bool = False  # answers, commitments, evidence files
    can_edit: bool = False  # answers, commitments, evidence files, now
    can_act_for_organisation: bool = False  # submit, resubmit, withdraw, appeal
    can_score: bool = False

    @property
    def must_declare(self) -> bool:
        return self.assignment is not None and self.assignment.conflict == Conflict.UNDECLARED


def _view(application: Application, access: TenantAccess, user) -> ApplicationView | None:
    org = application.organisation_id
    if access.can(Perm.MANAGE_AWARD_APPLICATIONS):
        return ApplicationView(application, as_manager=True, can_read=True)
    if access.can(Perm.VIEW_OWN_AWARD_APPLICATIONS, organisation_id=org):
        editable = application.status in EDITABLE_STATUSES
        return ApplicationView(
            application,
            as_applicant=True,
            can_read=True,
            can_edit=editable and access.can(Perm.EDIT_AWARD_APPLICATION, organisation_id=org),
            can_act_for_organisation=access.can(Perm.APPLY_FOR_AWARD, organisation_id=org),
        )
    assignment = next((a for a in application.assignments.all() if a.assessor_id == user.pk), None)
    if assignment is not None and access.can(Perm.ASSESS_AWARDS):
        if assignment.conflict == Conflict.CONFLICTED:
            return None
        cleared = assignment.conflict == Conflict.NONE
        return ApplicationView(
            application,
            assignment=assignment,
            can_read=cleared,
            can_score=cleared and application.status in ASSESSABLE_STATUSES,
        )
    on_panel = any(
        member.member_id == user.pk
        for appeal in application.appeals.all()
        for member in appeal.panel.all()
    )
    if on_panel:
        return ApplicationView(application, as_panel=True, can_read=True)
    return None


def application_get_for_user(*, tenant, access: TenantAccess, user, pk) -> ApplicationView | None:
    """The application with what this person may do, or None when they may not open it.
    Organisation, version, level and scheme joined; assignments and panels prefetched."""
    if not user.is_authenticated or not access.is_member:
        return None
    application = (
        Application.objects.filter(tenant=tenant, pk=pk)
        .select_related("organisation", "version", "level", "scheme")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=AssessorAssignment.objects.filter(tenant=tenant, assessor=user),
            ),
            Prefetch(
                "appeals",
                queryset=Appeal.objects.filter(tenant=tenant).prefetch_related(
                    Prefetch(
                        "panel",
                        queryset=AppealPanelMember.objects.filter(tenant=tenant, member=user),
                    )
                ),
            ),
        )
        .first()
    )
    if application is None:
        return None
    return _view(application, access, user)


def application_list(
    *, tenant, access: TenantAccess, user, status: str | None = None
) -> QuerySet[Application]:
    """The applications this person may see: all for the programme team, their
    organisations' for applicants, those assigned (and not conflicted) for assessors. One
    query, organisation, version and level joined."""
    applications = Application.objects.filter(tenant=tenant).select_related(
        "organisation", "version", "level"
    )
    if status:
        applications = applications.filter(status=status)
    if access.can(Perm.MANAGE_AWARD_APPLICATIONS):
        return applications.order_by("-created_at")
    scope = Q(organisation_id__in=access.organisations_with(Perm.VIEW_OWN_AWARD_APPLICATIONS))
    if access.can(Perm.ASSESS_AWARDS):
        assigned = AssessorAssignment.objects.filter(tenant=tenant, assessor=user).exclude(
            conflict=Conflict.CONFLICTED
        )
        scope |= Q(pk__in=assigned.values("application_id"))
    return applications.filter(scope).order_by("-created_at")


# --- What an application holds (call only when the view says `can_read`) ------------------


def application_answers(*, tenant, application: Application) -> dict:
    """Answers by criterion id."""
    return {
        a.criterion_id: a
        for a in ApplicationAnswer.objects.filter(tenant=tenant, application=application)
    }


def application_commitments(*, tenant, application: Application) -> list[Commitment]:
    """Commitments with their area and linked KVIs (kvi and metric joined). Two queries."""
    return list(
        Commitment.objects.filter(tenant=tenant, application=application)
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "kvi_links",
                queryset=CommitmentKvi.objects.filter(tenant=tenant).select_related(
                    "kvi", "kvi__metric"
                ),
            )
        )
        .order_by("position", "created_at")
    )


def evidence_list(
    *, tenant, application: Application, history: bool = False
) -> QuerySet[EvidenceFile]:
    """The application's current files (or every file, replaced ones too, with `history`),
    oldest first, uploader and question joined."""
    files = EvidenceFile.objects.filter(tenant=tenant, application=application).select_related(
        "uploaded_by", "criterion"
    )
    if not history:
        files = files.filter(is_current=True)
    return files.order_by("created_at", "id")


def evidence_get_for_user(*, tenant, access: TenantAccess, user, pk) -> EvidenceFile | None:
    """An evidence file this person may download (they may read its application), else None."""
    evidence = EvidenceFile.objects.filter(tenant=tenant, pk=pk).first()
    if evidence is None:
        return None
    view = application_get_for_user(
        tenant=tenant, access=access, user=user, pk=evidence.application_id
    )
    return evidence if view is not None and view.can_read else None


def application_events(*, tenant, application: Application) -> QuerySet[ApplicationEvent]:
    """The status history, oldest first, with who moved it."""
    return (
        ApplicationEvent.objects.filter(tenant=tenant, application=application)
        .select_related("actor")
        .order_by("created_at")
    )


def assessor_worklist(*, tenant, user) -> QuerySet[AssessorAssignment]:
    """An assessor's assignments not declared conflicted, application details joined."""
    return (
        AssessorAssignment.objects.filter(tenant=tenant, assessor=user)
        .exclude(conflict=Conflict.CONFLICTED)
        .select_related("application__organisation", "application__level", "application__version")
        .order_by("application__decision_due", "created_at")
    )


# --- Clocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    due: date
    working_days_left: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0

    @property
    def days(self) -> int:
        """Whole working days left, or overdue: never negative, for pages."""
        return abs(self.working_days_left)


def decision_clock(application: Application, today: date | None = None) -> Clock | None:
    """Working days left before the decision is due (the scheme's service level)."""
    if application.decision_due is None or application.decided_at is not None:
        return None
    today = today or timezone.localdate()
    return Clock(application.decision_due, working_days_between(today, application.decision_due))


def appeal_clock(appeal: Appeal, today: date | None = None) -> Clock | None:
    """Working days left before the panel's decision is due."""
    if appeal.status != AppealStatus.LODGED:
        return None
    today = today or timezone.localdate()
    return Clock(appeal.decision_due, working_days_between(today, appeal.decision_due))


def appeals_waiting(*, tenant) -> QuerySet[Appeal]:
    """Appeals waiting for their panel, soonest due first, application details joined."""
    return (
        Appeal.objects.filter(tenant=tenant, status=AppealStatus.LODGED)
        .select_related("application__organisation", "application__level")
        .prefetch_related("panel__member")
        .order_by("decision_due")
    )


# --- Getters for one row -----------------------------------------------------------------


def assignment_get_for_assessor(*, tenant, user, pk) -> AssessorAssignment | None:
    """The person's own assignment (to declare interests or score), application joined."""
    return (
        AssessorAssignment.objects.filter(tenant=tenant, pk=pk, assessor=user)
        .select_related("application__organisation", "application__level", "application__version")
        .first()
    )


def decision_get(*, tenant, application: Application) -> Decision | None:
    return Decision.objects.filter(tenant=tenant, application=application).first()


def appeal_get(*, tenant, application: Application) -> Appeal | None:
    """The application's appeal with its decision and panel (members joined)."""
    return (
        Appeal.objects.filter(tenant=tenant, application=application)
        .select_related("decision")
        .prefetch_related("panel__member")
        .first()
    )


def organisation_awards(*, tenant, organisation_id) -> QuerySet[Award]:
    """An organisation's awards, newest first, level and version joined."""
    return (
        Award.objects.filter(tenant=tenant, organisation_id=organisation_id)
        .select_related("level", "version")
        .order_by("-awarded_on", "-created_at")
    )
