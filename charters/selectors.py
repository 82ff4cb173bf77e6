"""Reads for charters. Each selector decides its joins, so pages and API lists run a fixed
number of queries whatever the number of signatories."""

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth

from charters.models import (
    ACTIVE_SIGNATORY,
    ON_REGISTER,
    Charter,
    CharterLink,
    CharterVersion,
    EngagementActivity,
    Pledge,
    Signatory,
    SignatoryStatus,
    Tier,
    TierApplication,
    VersionStatus,
)
from organisations.models import SECTOR_TYPES, Participation
from organisations.selectors import postcode_place_q


def charter_list(*, tenant) -> QuerySet[Charter]:
    """Charters with their versions (newest first) prefetched: two queries."""
    return (
        Charter.objects.filter(tenant=tenant)
        .prefetch_related(Prefetch("versions", queryset=CharterVersion.objects.order_by("-number")))
        .order_by("title")
    )


def charter_get(*, tenant, slug: str) -> Charter | None:
    return Charter.objects.filter(tenant=tenant, slug=slug).first()


def version_get(*, tenant, charter: Charter, number: int) -> CharterVersion | None:
    return (
        CharterVersion.objects.filter(tenant=tenant, charter=charter, number=number)
        .prefetch_related("principles", "themes", "transitions__actor")
        .first()
    )


def published_version(*, tenant, charter: Charter) -> CharterVersion | None:
    return (
        CharterVersion.objects.filter(
            tenant=tenant, charter=charter, status=VersionStatus.PUBLISHED
        )
        .prefetch_related("principles", "themes")
        .first()
    )


def published_charters(*, tenant) -> QuerySet[CharterVersion]:
    """The published version of each of the tenant's charters (public pages), each with
    `register_count`: how many organisations are on the charter's register. One query."""
    return (
        CharterVersion.objects.filter(tenant=tenant, status=VersionStatus.PUBLISHED)
        .select_related("charter")
        .annotate(
            register_count=Count(
                "charter__signatories",
                filter=Q(
                    charter__signatories__tenant=tenant,
                    charter__signatories__status__in=ON_REGISTER,
                ),
            )
        )
        .order_by("title")
    )


def charter_links(*, tenant, charter: Charter) -> QuerySet[CharterLink]:
    """Related charters, by title, with the related charter (when it is one of the tenant's)
    joined."""
    return (
        CharterLink.objects.filter(tenant=tenant, charter=charter)
        .select_related("related_charter")
        .order_by("title")
    )


def tier_list(*, tenant, charter: Charter) -> QuerySet[Tier]:
    """The charter's tiers, entry tier first."""
    return Tier.objects.filter(tenant=tenant, charter=charter).order_by("position")


# --- What changed between two versions ----------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str
    diff: list[tuple[str, str]]  # (" " | "-" | "+", line)


VERSION_FIELD_LABELS = [
    ("title", "Title"),
    ("definition", "What social value means"),
    ("ambition_social", "Social ambitions"),
    ("ambition_economic", "Economic ambitions"),
    ("ambition_environmental", "Environmental ambitions"),
    ("commitments", "Commitments"),
]


def _line_diff(old: str, new: str) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line[:1] in (" ", "-", "+"):
            lines.append((line[:1], line[2:]))
    return lines


def version_changes(*, old: CharterVersion, new: CharterVersion) -> list[Change]:
    """What changed from one version to another: text fields, principles and themes."""
    changes = []
    for name, label in VERSION_FIELD_LABELS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(Change(label, before, after, _line_diff(before, after)))
    for relation, label, attribute in (
        ("principles", "Principles", "title"),
        ("themes", "Themes", "name"),
    ):
        before = "\n".join(getattr(item, attribute) for item in getattr(old, relation).all())
        after = "\n".join(getattr(item, attribute) for item in getattr(new, relation).all())
        if before != after:
            changes.append(Change(label, before, after, _line_diff(before, after)))
    return changes


# --- Co-production ------------------------------------------------------------------------


@dataclass
class ShapedBy:
    code: str
    title: str
    people: int = 0
    activities: int = 0
    audiences: list[str] | None = None


def engagement_list(*, tenant, charter: Charter) -> QuerySet[EngagementActivity]:
    return EngagementActivity.objects.filter(tenant=tenant, charter=charter).order_by("-held_on")


def engagement_summary(*, tenant, charter: Charter, version: CharterVersion) -> list[ShapedBy]:
    """For each principle and theme of the version: how many people and which groups shaped
    it, through the engagement activities tagged with it. Three queries."""
    rows = {p.code: ShapedBy(p.code, p.title, audiences=[]) for p in version.principles.all()}
    rows.update(
        {f"theme:{t.code}": ShapedBy(t.code, t.name, audiences=[]) for t in version.themes.all()}
    )
    for activity in engagement_list(tenant=tenant, charter=charter):
        keys = list(activity.principle_codes) + [f"theme:{c}" for c in activity.theme_codes]
        for key in keys:
            if key in rows:
                row = rows[key]
                row.people += activity.people_count
                row.activities += 1
                if activity.audience not in row.audiences:
                    row.audiences.append(activity.audience)
    return list(rows.values())


# --- The register ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""
    sector: str = ""
    organisation_type: str = ""
    size_band: str = ""
    place: str = ""
    tier: str = ""  # tier id
    signed_from: date | None = None
    signed_to: date | None = None


def register(
    *, tenant, charter: Charter, filters: RegisterFilters | None = None
) -> QuerySet[Signatory]:
    """The public register: signatories on the register, organisation, version and tier
    joined (one query)."""
    filters = filters or RegisterFilters()
    signatories = Signatory.objects.filter(
        tenant=tenant, charter=charter, status__in=ON_REGISTER
    ).select_related("organisation", "version", "tier")
    if filters.q:
        signatories = signatories.filter(organisation__name__icontains=filters.q)
    if filters.sector in SECTOR_TYPES:
        signatories = signatories.filter(
            organisation__organisation_type__in=SECTOR_TYPES[filters.sector]
        )
    if filters.organisation_type:
        signatories = signatories.filter(organisation__organisation_type=filters.organisation_type)
    if filters.size_band:
        signatories = signatories.filter(organisation__size_band=filters.size_band)
    if filters.place:
        signatories = signatories.filter(postcode_place_q(filters.place))
    if filters.tier:
        signatories = signatories.filter(tier_id=filters.tier)
    if filters.signed_from:
        signatories = signatories.filter(signed_on__gte=filters.signed_from)
    if filters.signed_to:
        signatories = signatories.filter(signed_on__lte=filters.signed_to)
    return signatories.order_by("organisation__name", "id")


def register_count(*, tenant, charter: Charter) -> int:
    return Signatory.objects.filter(tenant=tenant, charter=charter, status__in=ON_REGISTER).count()


def _pledges_with_headings() -> Prefetch:
    """A signatory's pledges with their principle and theme joined."""
    return Prefetch("pledges", queryset=Pledge.objects.select_related("principle", "theme"))


def signatory_with_pledges(*, tenant, charter: Charter, organisation_id) -> Signatory | None:
    return (
        Signatory.objects.filter(tenant=tenant, charter=charter, organisation_id=organisation_id)
        .select_related("organisation", "version", "tier", "charter")
        .prefetch_related(_pledges_with_headings())
        .first()
    )


def signatory_get(*, tenant, charter: Charter, signatory_id) -> Signatory | None:
    """One signatory of the charter by id, in any state, with its organisation, version and tier
    joined and its pledges (principle and theme joined) prefetched: two queries."""
    return (
        Signatory.objects.filter(tenant=tenant, charter=charter, id=signatory_id)
        .select_related("organisation", "version", "tier")
        .prefetch_related(_pledges_with_headings())
        .first()
    )


def signatory_list(
    *, tenant, charter: Charter | None = None, status: str = "", organisation_ids=None
) -> QuerySet[Signatory]:
    """Signatories in any state (for admins and the API), with what pages show joined."""
    signatories = Signatory.objects.filter(tenant=tenant).select_related(
        "organisation", "version", "tier", "charter"
    )
    if charter is not None:
        signatories = signatories.filter(charter=charter)
    if status:
        signatories = signatories.filter(status=status)
    if organisation_ids is not None:
        signatories = signatories.filter(organisation_id__in=organisation_ids)
    return signatories.order_by("organisation__name", "id")


def pledge_list(
    *, tenant, charter: Charter | None = None, organisation_ids=None
) -> QuerySet[Pledge]:
    """Pledges of signatories on the register, with what exports and the API show joined."""
    pledges = Pledge.objects.filter(
        tenant=tenant, signatory__status__in=ON_REGISTER
    ).select_related(
        "signatory__organisation", "signatory__charter", "version", "principle", "theme"
    )
    if charter is not None:
        pledges = pledges.filter(signatory__charter=charter)
    if organisation_ids is not None:
        pledges = pledges.filter(signatory__organisation_id__in=organisation_ids)
    return pledges.order_by("signatory__organisation__name", "position", "id")


def tier_application_list(*, tenant, charter: Charter, open_only: bool = True):
    applications = TierApplication.objects.filter(
        tenant=tenant, signatory__charter=charter
    ).select_related("signatory__organisation", "from_tier", "to_tier")
    if open_only:
        applications = applications.filter(
            status__in=[TierApplication.Status.PENDING, TierApplication.Status.AT_PANEL]
        )
    return applications.order_by("created_at")


# --- The tenant dashboard -------------------------------------------------------------------


@dataclass
class CharterDashboard:
    on_register: int
    pending: int
    by_month: list[tuple[date, int]]  # approvals per month
    by_sector: list[tuple[str, int]]
    by_type: list[tuple[str, int]]
    pledges_by_heading: list[tuple[str, int]]
    not_signed: list  # participating organisations with no active signature


def charter_dashboard(*, tenant, charter: Charter) -> CharterDashboard:
    """Six queries whatever the number of signatories."""
    from organisations.models import OrganisationType, Sector, sector_of

    on_register = Signatory.objects.filter(tenant=tenant, charter=charter, status__in=ON_REGISTER)
    by_month = list(
        on_register.exclude(approved_on__isnull=True)
        .annotate(month=TruncMonth("approved_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
        .values_list("month", "n")
    )
    types = Counter(
        dict(
            on_register.values("organisation__organisation_type")
            .annotate(n=Count("id"))
            .values_list("organisation__organisation_type", "n")
        )
    )
    sectors: Counter = Counter()
    for organisation_type, n in types.items():
        sectors[sector_of(organisation_type)] += n
    headings = defaultdict(int)
    for principle, theme, n in (
        Pledge.objects.filter(tenant=tenant, signatory__in=on_register)
        .values("principle__title", "theme__name")
        .annotate(n=Count("id"))
        .values_list("principle__title", "theme__name", "n")
    ):
        headings[principle or theme] += n
    signed_ids = Signatory.objects.filter(
        tenant=tenant, charter=charter, status__in=ACTIVE_SIGNATORY
    ).values("organisation_id")
    not_signed = list(
        Participation.objects.filter(tenant=tenant, status=Participation.Status.ACTIVE)
        .exclude(organisation_id__in=signed_ids)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    type_labels, sector_labels = dict(OrganisationType.choices), dict(Sector.choices)
    return CharterDashboard(
        on_register=sum(types.values()),
        pending=Signatory.objects.filter(
            tenant=tenant, charter=charter, status=SignatoryStatus.PENDING
        ).count(),
        by_month=by_month,
        by_sector=[(sector_labels[s], n) for s, n in sectors.most_common()],
        by_type=[(type_labels.get(t, t), n) for t, n in types.most_common()],
        pledges_by_heading=sorted(headings.items(), key=lambda item: -item[1]),
        not_signed=not_signed,
    )


def pending_signatures(*, tenant, charter: Charter) -> QuerySet[Signatory]:
    return signatory_list(tenant=tenant, charter=charter, status=SignatoryStatus.PENDING)


def organisation_signatures(*, tenant, organisation_ids) -> QuerySet[Signatory]:
    """An organisation's own signatures across the tenant's charters (its admins' view)."""
    return signatory_list(tenant=tenant, organisation_ids=organisation_ids)
