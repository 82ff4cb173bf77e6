"""Writes for the anchor charter's own parts: making an anchor charter (charters does the
charter; this seeds its priorities and, through anchors.services.framework, its evidence
framework), priorities under the pillars and their copy into a new version, members'
commitments to priorities and member profiles (disclosure, sector)."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from anchors.models import (
    Disclosure,
    MemberPriority,
    MemberProfile,
    Priority,
    PriorityKind,
)
from anchors.services.common import (
    own,
    require_anchor_charter,
    require_member,
    require_member_admin,
)
from anchors.services.framework import pillar_metrics_seed
from charters import services as charter_services
from charters.models import (
    Charter,
    CharterKind,
    CharterVersion,
    Signatory,
    Theme,
    VersionStatus,
)
from organisations.models import Sector
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

EDITABLE_VERSION = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)

# Principles and priorities every new anchor charter starts with (DOMAIN.md), editable:
# (pillar code, code, text, kind).
DEFAULT_PRIORITIES = [
    ("purchasing", "purchase-locally-first", "Purchase locally first", PriorityKind.PRINCIPLE),
    (
        "purchasing",
        "social-value-weighting",
        "Give social value at least a 10% weighting in every procurement",
        PriorityKind.PRIORITY,
    ),
    (
        "buildings",
        "open-estate-to-communities",
        "Open our buildings and spaces to community groups",
        PriorityKind.PRIORITY,
    ),
    ("workforce", "real-living-wage", "Pay the real living wage", PriorityKind.PRINCIPLE),
    ("workforce", "employ-locally-first", "Employ locally first", PriorityKind.PRINCIPLE),
    (
        "workforce",
        "apprenticeships",
        "Widen access to work through apprenticeships and placements",
        PriorityKind.PRIORITY,
    ),
    (
        "partners",
        "work-with-vcse",
        "Work with local voluntary and community organisations on shared goals",
        PriorityKind.PRIORITY,
    ),
    (
        "environment",
        "net-zero-2040",
        "Set out and deliver a Net Zero plan by 2040",
        PriorityKind.PRIORITY,
    ),
]


# --- The charter ----------------------------------------------------------------------------


def anchor_charter_create(
    *, tenant, actor, access: TenantAccess, title: str, with_metrics: bool = True
) -> Charter:
    """A new Anchor Institution Charter: version 1 in draft with the five pillars (charters),
    the default principles and priorities, and (`with_metrics`) the default evidence framework,
    whose metrics come from the tenant's published frameworks or a framework made for it."""
    with transaction.atomic():
        charter = charter_services.charter_create(
            tenant=tenant, actor=actor, access=access, title=title, kind=CharterKind.ANCHOR
        )
        version = charter.versions.get()
        pillars = {t.code: t for t in version.themes.all()}
        Priority.objects.bulk_create(
            Priority(
                tenant=tenant,
                version=version,
                pillar=pillars[pillar],
                code=code,
                text=text,
                kind=kind,
                position=position,
            )
            for position, (pillar, code, text, kind) in enumerate(DEFAULT_PRIORITIES, start=1)
        )
        if with_metrics:
            pillar_metrics_seed(tenant=tenant, actor=actor, access=access, charter=charter)
    return charter


# --- Priorities -----------------------------------------------------------------------------


def _require_editable(version: CharterVersion) -> None:
    if version.status not in EDITABLE_VERSION:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: its "
            "priorities can no longer change. Start a new version instead."
        )


def priority_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    pillar: Theme,
    text: str,
    kind: str = PriorityKind.PRIORITY,
    priority: Priority | None = None,
) -> Priority:
    """Add a principle or priority under a pillar of a draft version, or change one."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, pillar, "This pillar")
    version = pillar.version
    require_anchor_charter(tenant, version.charter)
    _require_editable(version)
    errors = {}
    if not text.strip():
        errors["text"] = "Enter the principle or priority."
    if kind not in PriorityKind.values:
        errors["kind"] = "Choose principle or priority."
    if priority is not None and priority.version_id != version.pk:
        errors["pillar"] = "Choose a pillar of the same version."
    if errors:
        raise ValidationError(errors)
    if priority is None:
        existing = Priority.objects.filter(tenant=tenant, version=version)
        base = slugify(text)[:50] or "priority"
        code, n = base, 1
        while existing.filter(code=code).exists():
            n += 1
            code = f"{base}-{n}"
        position = (existing.filter(pillar=pillar).aggregate(m=Max("position"))["m"] or 0) + 1
        priority = Priority(tenant=tenant, version=version, code=code, position=position)
    priority.pillar, priority.text, priority.kind = pillar, text.strip(), kind
    priority.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_priority.saved",
        obj=priority,
        changes={"text": priority.text, "kind": kind, "pillar": pillar.code},
    )
    return priority


def priority_remove(*, tenant, actor, access: TenantAccess, priority: Priority) -> None:
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, priority, "This priority")
    _require_editable(priority.version)
    if priority.commitments.exists():
        raise ValidationError("Members have committed to this priority; it cannot be removed.")
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_priority.removed",
        obj=priority,
        changes={"code": priority.code},
    )
    priority.delete()


def priorities_copy(*, tenant, from_version: CharterVersion, to_version: CharterVersion) -> int:
    """Copy a version's priorities into a new version (codes kept), under the pillar with the
    same code; a priority whose pillar is gone goes under the first pillar. Call right after
    charters.services.charter_new_version. Returns how many were copied."""
    own(tenant, from_version, "This version")
    own(tenant, to_version, "This version")
    if from_version.charter_id != to_version.charter_id:
        raise ValidationError("Priorities are copied between versions of the same charter.")
    pillars = {t.code: t for t in to_version.themes.all()}
    fallback = next(iter(pillars.values()), None)
    already = set(
        Priority.objects.filter(tenant=tenant, version=to_version).values_list("code", flat=True)
    )
    copies = []
    for priority in Priority.objects.filter(tenant=tenant, version=from_version).select_related(
        "pillar"
    ):
        pillar = pillars.get(priority.pillar.code, fallback)
        if pillar is None or priority.code in already:
            continue
        copies.append(
            Priority(
                tenant=tenant,
                version=to_version,
                pillar=pillar,
                code=priority.code,
                text=priority.text,
                kind=priority.kind,
                position=priority.position,
            )
        )
    Priority.objects.bulk_create(copies)
    return len(copies)


def member_priorities_set(
    *, tenant, actor, access: TenantAccess, signatory: Signatory, priority_codes: list[str]
) -> list[MemberPriority]:
    """The member's organisation admin chooses the priorities it commits to (of the version
    it signed or last re-confirmed); the choice replaces the one before."""
    require_member_admin(access, signatory)
    require_member(tenant, signatory)
    available = {
        p.code: p for p in Priority.objects.filter(tenant=tenant, version=signatory.version_id)
    }
    unknown = [code for code in priority_codes if code not in available]
    if unknown:
        raise ValidationError({"priorities": "Choose priorities of the charter you signed."})
    chosen = [available[code] for code in dict.fromkeys(priority_codes)]
    with transaction.atomic():
        MemberPriority.objects.filter(tenant=tenant, signatory=signatory).delete()
        rows = MemberPriority.objects.bulk_create(
            MemberPriority(tenant=tenant, signatory=signatory, priority=p) for p in chosen
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_member.priorities_set",
        obj=signatory,
        changes={"priorities": [p.code for p in chosen]},
    )
    return rows


def member_priorities_follow(*, tenant, signatory: Signatory) -> int:
    """After a member re-confirms on a new version (charters.services.signatory_reconfirm):
    its commitments move to the new version's priorities with the same codes; commitments to
    priorities the new version dropped are removed. Returns how many moved."""
    own(tenant, signatory, "This member")
    current = {
        p.code: p for p in Priority.objects.filter(tenant=tenant, version=signatory.version_id)
    }
    moved = 0
    for commitment in MemberPriority.objects.filter(
        tenant=tenant, signatory=signatory
    ).select_related("priority"):
        if commitment.priority.version_id == signatory.version_id:
            continue
        new = current.get(commitment.priority.code)
        if new is None:
            commitment.delete()
        else:
            MemberPriority.objects.filter(pk=commitment.pk).update(
                priority=new, updated_at=timezone.now()
            )
            moved += 1
    return moved


# --- Member profiles ------------------------------------------------------------------------


def _free_number(tenant) -> int:
    """A random unused label number: labels in joining order would tell who is who."""
    used = set(
        MemberProfile.objects.filter(tenant=tenant).values_list("anonymised_number", flat=True)
    )
    top = 26 * (len(used) // 26 + 1)
    return secrets.choice(sorted(set(range(1, top + 1)) - used))


def member_profile_get_or_create(*, tenant, signatory: Signatory) -> MemberProfile:
    """The member's profile, made on first need with the default disclosure (named) and an
    anonymised label that then never changes."""
    own(tenant, signatory, "This member")
    profile = MemberProfile.objects.filter(tenant=tenant, signatory=signatory).first()
    if profile is not None:
        return profile
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return MemberProfile.objects.create(
                    tenant=tenant, signatory=signatory, anonymised_number=_free_number(tenant)
                )
        except IntegrityError:
            existing = MemberProfile.objects.filter(tenant=tenant, signatory=signatory).first()
            if existing is not None:
                return existing
    raise ValidationError("Could not give this member a label. Try again.")


def member_profile_update(
    *,
    tenant,
    actor,
    access: TenantAccess,
    signatory: Signatory,
    disclosure: str,
    sector_override: str | None = None,
) -> MemberProfile:
    """The member's organisation admin sets how other members see its figures (named or
    anonymised). The sector override (for benchmarking with sector peers) may be set by the
    member or the programme team; None leaves it as it is."""
    if not access.can(Perm.MANAGE_CHARTERS):
        require_member_admin(access, signatory)
    require_member(tenant, signatory)
    errors = {}
    if disclosure not in Disclosure.values:
        errors["disclosure"] = "Choose named or anonymised."
    if sector_override not in (None, "", *Sector.values):
        errors["sector_override"] = "Choose a sector, or leave it to the organisation's type."
    if errors:
        raise ValidationError(errors)
    profile = member_profile_get_or_create(tenant=tenant, signatory=signatory)
    changes = {}
    if profile.disclosure != disclosure:
        changes["disclosure"] = [profile.disclosure, disclosure]
        profile.disclosure = disclosure
    if sector_override is not None and profile.sector_override != sector_override:
        changes["sector_override"] = [profile.sector_override, sector_override]
        profile.sector_override = sector_override
    if changes:
        profile.save()
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_member.profile_changed",
            obj=profile,
            changes=changes,
        )
    return profile
