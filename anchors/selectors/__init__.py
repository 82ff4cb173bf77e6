"""Reads for the anchors app: the evidence framework, rounds and returns, members (with their
disclosure applied), and assemblies.

The performance dashboard's read is `performance`; the other submodules hold the reads of one
audience's pages: `admin` (the programme team) and `members` (a member's own pages).

Disclosure (decided here, one rule for pages, API and exports): a member that chose
"anonymised" appears under its anonymised label ("Member C") to everyone except people of its
own organisation (VIEW_OWN_SIGNATURE for it) and the programme team (MANAGE_CHARTERS), who see
its name. Its figures still count in benchmarks and collective totals, and its sector still
shows (sector peers are compared separately). A member without a profile yet is named (the
default). Anonymised members are keyed by their label, never by an id, so nothing in a page or
an API answer links them back to the organisation.

Benchmarks and collective totals count accepted returns only.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from anchors.models import (
    ActionStatus,
    Assembly,
    AssemblyAction,
    Disclosure,
    FigureQuery,
    MemberReturn,
    PillarMetric,
    Priority,
    ReportingRound,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
    anonymised_label,
)
from charters.models import ON_REGISTER, Charter, CharterKind, CharterVersion, Signatory, Theme
from organisations.models import Sector, sector_of
from tenancy.permissions import Perm, TenantAccess

# --- Who is looking ------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whom the viewer sees named: the programme team sees everyone; others their own
    organisations and the members that chose to be named."""

    programme_team: bool
    own_organisations: frozenset[UUID]

    @classmethod
    def of(cls, access: TenantAccess | None) -> "Viewer":
        if access is None:  # the public, an API key without a person
            return cls(False, frozenset())
        return cls(
            programme_team=access.can(Perm.MANAGE_CHARTERS),
            own_organisations=frozenset(access.organisations_with(Perm.VIEW_OWN_SIGNATURE)),
        )

    def sees_named(self, *, organisation_id, disclosure: str | None) -> bool:
        return (
            self.programme_team
            or organisation_id in self.own_organisations
            or disclosure != Disclosure.ANONYMISED
        )


@dataclass(frozen=True)
class MemberView:
    """A member as one viewer may see it."""

    key: str  # the signatory id when named, the label when anonymised
    name: str  # the organisation's name, or "Member C"
    sector: str
    named: bool
    is_own: bool
    signatory_id: UUID | None  # None when anonymised to this viewer

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label


def member_view(
    viewer: Viewer,
    *,
    signatory_id,
    organisation_id,
    organisation_name: str,
    organisation_type: str,
    disclosure: str | None,
    sector_override: str | None,
    anonymised_number: int | None,
) -> MemberView:
    sector = sector_override or sector_of(organisation_type)
    is_own = organisation_id in viewer.own_organisations
    if viewer.sees_named(organisation_id=organisation_id, disclosure=disclosure):
        return MemberView(str(signatory_id), organisation_name, sector, True, is_own, signatory_id)
    label = anonymised_label(anonymised_number or 0)
    return MemberView(label, label, sector, False, is_own, None)


_MEMBER_VALUES = {
    "signatory_id": "id",
    "organisation_id": "organisation_id",
    "organisation_name": "organisation__name",
    "organisation_type": "organisation__organisation_type",
    "disclosure": "anchor_profile__disclosure",
    "sector_override": "anchor_profile__sector_override",
    "anonymised_number": "anchor_profile__anonymised_number",
}


def member_column_paths(prefix: str) -> list[str]:
    """The member's columns, for values_list, in _MEMBER_VALUES order."""
    return [f"{prefix}{path}" for path in _MEMBER_VALUES.values()]


def member_from_columns(viewer: Viewer, row) -> MemberView:
    return member_view(viewer, **dict(zip(_MEMBER_VALUES, row, strict=True)))


# --- The charter and its framework ---------------------------------------------------------


def anchor_charter_list(*, tenant) -> QuerySet[Charter]:
    return Charter.objects.filter(tenant=tenant, kind=CharterKind.ANCHOR).order_by("title")


def current_version(*, tenant, charter: Charter) -> CharterVersion | None:
    """The published version, else the latest."""
    versions = CharterVersion.objects.filter(tenant=tenant, charter=charter)
    return versions.filter(status="published").first() or versions.order_by("-number").first()


def pillars_with_priorities(*, tenant, version: CharterVersion) -> list[Theme]:
    """The version's pillars, each with `.priority_list` (two queries)."""
    return list(
        Theme.objects.filter(tenant=tenant, version=version)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "anchor_priorities",
                queryset=Priority.objects.filter(tenant=tenant).order_by("position"),
                to_attr="priority_list",
            )
        )
    )


def pillar_metric_list(*, tenant, charter: Charter) -> QuerySet[PillarMetric]:
    return (
        PillarMetric.objects.filter(tenant=tenant, charter=charter)
        .select_related("metric")
        .order_by("position")
    )


def member_list(*, tenant, access: TenantAccess | None, charter: Charter) -> list[MemberView]:
    """The charter's members (on the register) as the viewer may see them (one query)."""
    viewer = Viewer.of(access)
    rows = (
        Signatory.objects.filter(tenant=tenant, charter=charter, status__in=ON_REGISTER)
        .order_by("organisation__name")
        .values_list(*member_column_paths(""))
    )
    members = [member_from_columns(viewer, row) for row in rows]
    return sorted(members, key=lambda m: (not m.named, m.name))


# --- Rounds and returns --------------------------------------------------------------------


def round_list(*, tenant, charter: Charter) -> QuerySet[ReportingRound]:
    """Rounds, newest first, with counts of returns by status (one query)."""
    counts = {
        f"{status}_count": Count("returns", filter=Q(returns__status=status))
        for status in ReturnStatus.values
    }
    return (
        ReportingRound.objects.filter(tenant=tenant, charter=charter)
        .annotate(
            return_count=Count("returns"),
            late_count=Count("returns", filter=Q(returns__submitted_late=True)),
            **counts,
        )
        .order_by("-period_start")
    )


def round_returns(*, tenant, access: TenantAccess, reporting_round: ReportingRound):
    """Every return of a round, for the programme team (one query)."""
    access.require(Perm.MANAGE_CHARTERS)
    return (
        MemberReturn.objects.filter(tenant=tenant, round=reporting_round)
        .select_related("signatory__organisation", "signatory__anchor_profile", "submitted_by")
        .annotate(
            figure_count=Count("figures", distinct=True),
            open_queries=Count(
                "figures__queries",
                filter=Q(figures__queries__responded_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("signatory__organisation__name")
    )


def return_get_for_user(*, tenant, access: TenantAccess, pk) -> tuple[MemberReturn, bool]:
    """A return the person may see (the programme team, or people of the member's
    organisation), and whether they may change it now. Http404 when the programme has no such
    return (an unknown id, or another tenant's); PermissionDenied when it may not be seen."""
    member_return = (
        MemberReturn.objects.filter(tenant=tenant, pk=pk)
        .select_related("round__charter", "signatory__organisation", "signatory__version")
        .first()
    )
    if member_return is None:
        raise Http404("No such return in this programme.")
    organisation_id = member_return.signatory.organisation_id
    if not (
        access.can(Perm.MANAGE_CHARTERS)
        or access.can(Perm.VIEW_OWN_SIGNATURE, organisation_id=organisation_id)
    ):
        raise PermissionDenied("You may not see this return.")
    can_edit = (
        access.can(Perm.SIGN_CHARTER, organisation_id=organisation_id)
        and member_return.round.status == RoundStatus.OPEN
        and member_return.status in (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT)
    )
    return member_return, can_edit


@dataclass
class ReturnLine:
    """One metric of a return, with the figure when there is one."""

    pillar_metric: PillarMetric
    figure: ReturnFigure | None


@dataclass
class ReturnDetail:
    member_return: MemberReturn
    pillars: list[Theme]
    lines_by_pillar: dict[str, list[ReturnLine]]
    narratives: dict[str, str]
    evidence: list
    open_queries: list[FigureQuery]


def return_detail(*, tenant, member_return: MemberReturn) -> ReturnDetail:
    """Everything a return's page shows, in six queries (read the return with
    return_get_for_user, which brings its round, charter and organisation)."""
    metrics = list(
        PillarMetric.objects.filter(tenant=tenant, charter=member_return.round.charter_id)
        .select_related("metric")
        .order_by("position")
    )
    figures = {
        f.pillar_metric_id: f
        for f in ReturnFigure.objects.filter(
            tenant=tenant, member_return=member_return
        ).prefetch_related(
            Prefetch(
                "queries",
                queryset=FigureQuery.objects.filter(tenant=tenant).order_by("raised_at"),
                to_attr="query_list",
            )
        )
    }
    lines: dict[str, list[ReturnLine]] = defaultdict(list)
    for pm in metrics:
        lines[pm.pillar_code].append(ReturnLine(pm, figures.get(pm.pk)))
    pillars = list(
        Theme.objects.filter(tenant=tenant, version=member_return.signatory.version_id).order_by(
            "position"
        )
    )
    return ReturnDetail(
        member_return=member_return,
        pillars=pillars,
        lines_by_pillar=dict(lines),
        narratives=dict(member_return.narratives.values_list("pillar_code", "text")),
        evidence=list(member_return.evidence.order_by("created_at")),
        open_queries=[q for f in figures.values() for q in f.query_list if q.responded_at is None],
    )


# --- Assemblies ----------------------------------------------------------------------------


def assembly_list(*, tenant, charter: Charter) -> QuerySet[Assembly]:
    return (
        Assembly.objects.filter(tenant=tenant, charter=charter)
        .select_related("round")
        .annotate(
            open_actions=Count(
                "actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True
            ),
            attendee_count=Count("attendees", distinct=True),
        )
        .order_by("-held_on")
    )


def assembly_carried_actions(*, tenant, assembly: Assembly) -> QuerySet[AssemblyAction]:
    """Actions of earlier assemblies of the charter still open: followed up at this one."""
    return (
        AssemblyAction.objects.filter(
            tenant=tenant,
            assembly__charter=assembly.charter_id,
            assembly__held_on__lt=assembly.held_on,
            status=ActionStatus.OPEN,
        )
        .select_related("assembly", "owner_signatory__organisation")
        .order_by("due_on", "created_at")
    )


def assembly_detail(*, tenant, assembly: Assembly) -> dict:
    """An assembly with its attendees, its own actions and the open actions carried to it."""
    return {
        "assembly": assembly,
        "attendees": list(
            assembly.attendees.select_related("signatory__organisation").order_by("name")
        ),
        "actions": list(
            assembly.actions.select_related("owner_signatory__organisation").order_by(
                "due_on", "created_at"
            )
        ),
        "carried": list(assembly_carried_actions(tenant=tenant, assembly=assembly)),
    }


def outstanding_returns(*, tenant, charter: Charter) -> Iterable[MemberReturn]:
    """Returns not yet sent in the charter's open rounds."""
    return MemberReturn.objects.filter(
        tenant=tenant,
        round__charter=charter,
        round__status=RoundStatus.OPEN,
        status__in=[ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT],
    ).select_related("round", "signatory__organisation")
