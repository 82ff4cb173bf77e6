"""Reads for the appeal pages: the appeals a person may see (the programme team every one, a
panel member those they sit on), one appeal with what the person may do with it, the decisions
still open to appeal with their clocks, and the people who could sit on a panel.

Each list decides its joins, so a page runs a fixed number of queries whatever the rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from awards.models import (
    Appeal,
    AppealPanelMember,
    AppealStatus,
    AssessorAssignment,
    Decision,
    DecisionOutcome,
    DecisionStatus,
)
from awards.selectors import Clock
from awards.working_days import add_working_days, working_days_between
from tenancy.models import Membership, Role
from tenancy.permissions import Perm, TenantAccess

# The panel is drawn from the programme's assessors and admins.
PANEL_ROLES = (Role.ASSESSOR, Role.TENANT_ADMIN)
STATUS_FILTERS = {"waiting": AppealStatus.LODGED, "decided": AppealStatus.DECIDED}


def may_list_appeals(access: TenantAccess) -> bool:
    """The programme team, and assessors (who may sit on panels)."""
    return access.can(Perm.MANAGE_AWARD_APPLICATIONS) or access.can(Perm.ASSESS_AWARDS)


def appeal_list_for_user(
    *, tenant, access: TenantAccess, user, status: str = "", search: str = ""
) -> QuerySet[Appeal]:
    """Every appeal for the programme team, only those whose panel they sit on for anyone
    else; waiting ones first (soonest due), then decided ones, newest first. Application,
    organisation, level, scheme and decision joined; the panel and its members prefetched."""
    appeals = Appeal.objects.filter(tenant=tenant)
    if not access.can(Perm.MANAGE_AWARD_APPLICATIONS):
        appeals = appeals.filter(
            pk__in=AppealPanelMember.objects.filter(tenant=tenant, member=user).values("appeal_id")
        )
    if status in STATUS_FILTERS:
        appeals = appeals.filter(status=STATUS_FILTERS[status])
    if search:
        appeals = appeals.filter(application__organisation__name__icontains=search)
    return (
        appeals.select_related(
            "application__organisation", "application__level", "application__version", "decision"
        )
        .prefetch_related(
            Prefetch(
                "panel",
                queryset=AppealPanelMember.objects.filter(tenant=tenant).select_related("member"),
            )
        )
        .order_by("status", "decision_due", "-lodged_on", "created_at")
    )


@dataclass(frozen=True)
class AppealView:
    appeal: Appeal
    as_manager: bool
    on_panel: bool

    @property
    def panel(self) -> list:
        return [member.member for member in self.appeal.panel.all()]


def appeal_get_for_user(*, tenant, access: TenantAccess, user, pk) -> AppealView | None:
    """One appeal, for the programme team or a member of its panel; else None (a 404)."""
    if not user.is_authenticated or not access.is_member:
        return None
    appeal = (
        Appeal.objects.filter(tenant=tenant, pk=pk)
        .select_related(
            "application__organisation",
            "application__level",
            "application__version",
            "decision",
            "lodged_by",
            "decided_by",
        )
        .prefetch_related(
            Prefetch(
                "panel",
                queryset=AppealPanelMember.objects.filter(tenant=tenant).select_related("member"),
            )
        )
        .first()
    )
    if appeal is None:
        return None
    as_manager = access.can(Perm.MANAGE_AWARD_APPLICATIONS)
    on_panel = any(member.member_id == user.pk for member in appeal.panel.all())
    if not (as_manager or on_panel):
        return None
    return AppealView(appeal, as_manager=as_manager, on_panel=on_panel)


# --- Clocks --------------------------------------------------------------------------------


def lodge_clock(decision: Decision, today: date | None = None) -> Clock:
    """The applicant's clock: the last day to appeal a sent decision, and the working days
    left (negative once it has passed)."""
    today = today or timezone.localdate()
    sent_on = timezone.localdate(decision.sent_at)
    due = add_working_days(sent_on, decision.application.version.appeal_working_days)
    return Clock(due, working_days_between(today, due))


def lodged_margin(appeal: Appeal) -> int:
    """How many working days were left to appeal when the appeal was lodged (0: on the last
    day)."""
    return working_days_between(appeal.lodged_on, appeal.lodge_deadline)


@dataclass(frozen=True)
class OpenToAppeal:
    decision: Decision
    clock: Clock


def decisions_open_to_appeal(*, tenant, today: date | None = None) -> list[OpenToAppeal]:
    """Decisions not to award, sent, not appealed, whose time to appeal has not passed,
    soonest deadline first. One query (application, organisation, level and version joined)."""
    today = today or timezone.localdate()
    # No scheme gives more than a few weeks: a generous bound keeps the query small.
    since = today - timedelta(days=180)
    decisions = (
        Decision.objects.filter(
            tenant=tenant,
            status=DecisionStatus.SENT,
            outcome=DecisionOutcome.NOT_AWARDED,
            sent_at__date__gte=since,
        )
        .exclude(pk__in=Appeal.objects.filter(tenant=tenant).values("decision_id"))
        .select_related("application__organisation", "application__level", "application__version")
    )
    rows = [OpenToAppeal(d, lodge_clock(d, today)) for d in decisions]
    return sorted(
        (row for row in rows if not row.clock.overdue), key=lambda row: row.clock.working_days_left
    )


# --- The panel -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    user: object
    roles: tuple[str, ...]
    involved: bool  # assessed the application or sent the decision


def panel_candidates(*, tenant, appeal: Appeal) -> list[Candidate]:
    """The programme's assessors and admins, each once, saying who took part in the
    assessment or the decision (the service refuses them). Two queries."""
    involved = set(
        AssessorAssignment.objects.filter(tenant=tenant, application=appeal.application_id)
        .values_list("assessor_id", flat=True)
        .union(
            Decision.objects.filter(tenant=tenant, pk=appeal.decision_id)
            .exclude(decided_by=None)
            .values_list("decided_by_id", flat=True)
        )
    )
    people: dict = {}
    memberships = (
        Membership.objects.filter(tenant=tenant, role__in=PANEL_ROLES)
        .filter(Q(user__is_active=True))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    for membership in memberships:
        user = membership.user
        roles = people.get(user.pk, (user, ()))[1]
        people[user.pk] = (user, (*roles, membership.get_role_display()))
    return [
        Candidate(user=user, roles=roles, involved=user.pk in involved)
        for user, roles in people.values()
    ]
