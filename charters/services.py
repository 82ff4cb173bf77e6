"""Writes for charters: drafting, moving versions through their states, co-production, tiers,
signing, decisions, withdrawal and re-confirmation. Each records an audit event; email goes out
after commit through charters.tasks.

Every function takes `tenant`, the acting person and their `access` (tenancy.permissions), and
refuses with PermissionDenied or ValidationError (a message naming the field) before writing.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from charters import signals
from charters.models import (
    ACTIVE_SIGNATORY,
    ANCHOR_PILLARS,
    SVQM_HEALTH_THEMES,
    Charter,
    CharterKind,
    CharterLink,
    CharterVersion,
    EngagementActivity,
    Pledge,
    Principle,
    Signatory,
    SignatoryStatus,
    Theme,
    Tier,
    TierApplication,
    VersionStatus,
    VersionTransition,
)
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

VERSION_TEXT_FIELDS = (
    "title",
    "definition",
    "ambition_social",
    "ambition_economic",
    "ambition_environmental",
    "commitments_intro",
    "commitments",
    "change_summary",
)
EDITABLE_STATUSES = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)
# The moves a version may make, and whether the move needs an endorsing body and date.
TRANSITIONS: dict[tuple[str, str], bool] = {
    (VersionStatus.DRAFT, VersionStatus.CONSULTATION): False,
    (VersionStatus.CONSULTATION, VersionStatus.DRAFT): False,
    (VersionStatus.DRAFT, VersionStatus.ENDORSED): True,
    (VersionStatus.CONSULTATION, VersionStatus.ENDORSED): True,
    (VersionStatus.ENDORSED, VersionStatus.PUBLISHED): False,
}


def _queue_email(tenant, kind: str, object_id) -> None:
    from charters.tasks import send_charter_email

    send_charter_email.delay_on_commit(str(tenant.id), kind, str(object_id))


# --- Drafting -------------------------------------------------------------------------------


def charter_create(
    *,
    tenant,
    actor,
    access: TenantAccess,
    title: str,
    has_tiers: bool = False,
    kind: str = CharterKind.SOCIAL_VALUE,
) -> Charter:
    """A new charter with version 1 in draft, using the SVQM health themes by default (an
    Anchor Institution Charter: its five pillars)."""
    access.require(Perm.MANAGE_CHARTERS)
    if kind not in CharterKind.values:
        raise ValidationError({"kind": "Choose a social value or an anchor institution charter."})
    slug = _unique_slug(tenant, title)
    charter = Charter.objects.create(
        tenant=tenant,
        slug=slug,
        title=title.strip(),
        kind=kind,
        has_tiers=has_tiers,
        created_by=actor,
    )
    version = CharterVersion.objects.create(tenant=tenant, charter=charter, number=1, title=title)
    themes = ANCHOR_PILLARS if kind == CharterKind.ANCHOR else SVQM_HEALTH_THEMES
    Theme.objects.bulk_create(
        Theme(tenant=tenant, version=version, code=code, name=name, position=position)
        for position, (code, name) in enumerate(themes, start=1)
    )
    if not has_tiers:
        Tier.objects.create(tenant=tenant, charter=charter, name="Signatory", position=1)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="charter.created",
        obj=charter,
        changes={"title": charter.title},
    )
    return charter


def _unique_slug(tenant, title: str) -> str:
    base = slugify(title)[:70] or "charter"
    slug, n = base, 1
    while Charter.objects.filter(tenant=tenant, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _require_editable(version: CharterVersion) -> None:
    if version.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"Version {version.number} is {version.get_status_display().lower()}: its text can "
            "no longer change. Start a new version instead."
        )


def charter_version_update(
    *, tenant, actor, access: TenantAccess, version: CharterVersion, **fields: str
) -> CharterVersion:
    access.require(Perm.MANAGE_CHARTERS)
    _require_editable(version)
    unknown = set(fields) - set(VERSION_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not version text fields: {sorted(unknown)}")
    if "title" in fields and not fields["title"].strip():
        raise ValidationError({"title": "Enter the charter's title."})
    changes = {}
    for name, value in fields.items():
        if getattr(version, name) != value:
            changes[name] = [getattr(version, name), value]
            setattr(version, name, value)
    if changes:
        version.save()
        audit_record(
            tenant=tenant, actor=actor, verb="charter_version.updated", obj=version, changes=changes
        )
    return version


def principle_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: CharterVersion,
    title: str,
    description: str = "",
    principle: Principle | None = None,
) -> Principle:
    """Add a principle to a draft version, or edit one."""
    access.require(Perm.MANAGE_CHARTERS)
    _require_editable(version)
    if not title.strip():
        raise ValidationError({"title": "Enter the principle."})
    if principle is None:
        position = version.principles.count() + 1
        principle = Principle(
            tenant=tenant,
            version=version,
            position=position,
            code=_unique_code(version.principles, title),
        )
    principle.title, principle.description = title.strip(), description.strip()
    principle.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="principle.saved",
        obj=principle,
        changes={"title": principle.title},
    )
    return principle


def theme_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: CharterVersion,
    name: str,
    description: str = "",
    theme: Theme | None = None,
) -> Theme:
    access.require(Perm.MANAGE_CHARTERS)
    _require_editable(version)
    if not name.strip():
        raise ValidationError({"name": "Enter the theme's name."})
    if theme is None:
        theme = Theme(
            tenant=tenant,
            version=version,
            position=version.themes.count() + 1,
            code=_unique_code(version.themes, name),
        )
    theme.name, theme.description = name.strip(), description.strip()
    theme.save()
    audit_record(
        tenant=tenant, actor=actor, verb="theme.saved", obj=theme, changes={"name": theme.name}
    )
    return theme


def _unique_code(queryset, text: str) -> str:
    base = slugify(text)[:50] or "item"
    code, n = base, 1
    while queryset.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def version_item_remove(*, tenant, actor, access: TenantAccess, item: Principle | Theme) -> None:
    """Remove a principle or theme from a draft version (refused once pledged against)."""
    access.require(Perm.MANAGE_CHARTERS)
    _require_editable(item.version)
    if item.pledges.exists():
        raise ValidationError("Organisations have pledged under this; it cannot be removed.")
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"{item._meta.model_name}.removed",
        obj=item,
        changes={"code": item.code},
    )
    item.delete()


def charter_link_add(
    *,
    tenant,
    actor,
    access: TenantAccess,
    charter: Charter,
    title: str,
    related_charter: Charter | None = None,
    url: str = "",
) -> CharterLink:
    access.require(Perm.MANAGE_CHARTERS)
    if not title.strip():
        raise ValidationError({"title": "Enter the related charter's name."})
    if related_charter is None and not url:
        raise ValidationError({"url": "Choose one of the programme's charters or give an address."})
    link = CharterLink.objects.create(
        tenant=tenant,
        charter=charter,
        title=title.strip(),
        related_charter=related_charter,
        url=url,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="charter_link.added",
        obj=link,
        changes={"title": link.title},
    )
    return link


# --- Moving versions through their states -------------------------------------------------


def charter_version_transition(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: CharterVersion,
    to_status: str,
    endorsing_body: str = "",
    endorsed_on: date | None = None,
    note: str = "",
) -> CharterVersion:
    """Move a version on: draft → in consultation → endorsed → published. Publishing
    supersedes the previous published version and asks its signatories to re-confirm."""
    access.require(Perm.MANAGE_CHARTERS)
    key = (version.status, to_status)
    if key not in TRANSITIONS:
        raise ValidationError(
            f"A {version.get_status_display().lower()} version cannot become "
            f"{VersionStatus(to_status).label.lower()}."
        )
    if TRANSITIONS[key]:
        errors = {}
        if not endorsing_body.strip():
            errors["endorsing_body"] = "Enter the body that endorsed the charter."
        if endorsed_on is None:
            errors["endorsed_on"] = "Enter the date it was endorsed."
        elif endorsed_on > timezone.localdate():
            errors["endorsed_on"] = "The endorsement date cannot be in the future."
        if errors:
            raise ValidationError(errors)
    if to_status == VersionStatus.PUBLISHED:
        _check_publishable(version)
    moved = CharterVersion.objects.filter(pk=version.pk, status=version.status)
    if to_status == VersionStatus.PUBLISHED:
        previous = list(
            CharterVersion.objects.filter(
                tenant=tenant, charter=version.charter, status=VersionStatus.PUBLISHED
            )
        )
        for old in previous:
            _supersede(tenant=tenant, actor=actor, old=old, new=version)
    updates: dict[str, Any] = {"status": to_status, "updated_at": timezone.now()}
    if TRANSITIONS[key]:
        updates.update(endorsing_body=endorsing_body.strip(), endorsed_on=endorsed_on)
    if to_status == VersionStatus.PUBLISHED:
        updates["published_at"] = timezone.now()
    if not moved.update(**updates):
        raise ValidationError("Someone else has just moved this version. Reload and try again.")
    from_status = version.status
    version.refresh_from_db()
    transition = VersionTransition.objects.create(
        tenant=tenant,
        version=version,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        endorsing_body=version.endorsing_body if TRANSITIONS[key] else "",
        endorsed_on=endorsed_on if TRANSITIONS[key] else None,
        note=note,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="charter_version.moved",
        obj=version,
        changes={
            "status": [from_status, to_status],
            "note": note,
            "endorsing_body": transition.endorsing_body,
        },
    )
    if to_status == VersionStatus.PUBLISHED:
        Charter.objects.filter(pk=version.charter_id).update(title=version.title)
    return version


def _check_publishable(version: CharterVersion) -> None:
    missing = []
    if not version.definition.strip():
        missing.append("the definition of social value")
    if not version.principles.exists() and not version.themes.exists():
        missing.append("at least one principle or theme")
    if missing:
        raise ValidationError("Before publishing, add " + " and ".join(missing) + ".")


def _supersede(*, tenant, actor, old: CharterVersion, new: CharterVersion) -> None:
    CharterVersion.objects.filter(pk=old.pk).update(
        status=VersionStatus.SUPERSEDED, updated_at=timezone.now()
    )
    VersionTransition.objects.create(
        tenant=tenant,
        version=old,
        from_status=VersionStatus.PUBLISHED,
        to_status=VersionStatus.SUPERSEDED,
        actor=actor,
        note=f"Replaced by version {new.number}",
    )
    signatories = list(
        Signatory.objects.filter(
            tenant=tenant, version=old, status=SignatoryStatus.SIGNED
        ).values_list("id", flat=True)
    )
    Signatory.objects.filter(id__in=signatories).update(
        status=SignatoryStatus.RECONFIRM, updated_at=timezone.now()
    )
    for signatory_id in signatories:
        _queue_email(tenant, "reconfirm_requested", signatory_id)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="charter_version.superseded",
        obj=old,
        changes={"replaced_by": new.number, "asked_to_reconfirm": len(signatories)},
    )


@transaction.atomic
def charter_new_version(*, tenant, actor, access: TenantAccess, charter: Charter) -> CharterVersion:
    """A new draft copying the latest version's text, principles and themes (codes kept)."""
    access.require(Perm.MANAGE_CHARTERS)
    latest = charter.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError("This charter has no version to copy.")
    if latest.status in EDITABLE_STATUSES or latest.status == VersionStatus.ENDORSED:
        raise ValidationError(
            f"Version {latest.number} is still {latest.get_status_display().lower()}; "
            "finish or edit it instead of starting another."
        )
    version = CharterVersion.objects.create(
        tenant=tenant,
        charter=charter,
        number=latest.number + 1,
        **{name: getattr(latest, name) for name in VERSION_TEXT_FIELDS if name != "change_summary"},
    )
    Principle.objects.bulk_create(
        Principle(
            tenant=tenant,
            version=version,
            code=p.code,
            title=p.title,
            description=p.description,
            position=p.position,
        )
        for p in latest.principles.all()
    )
    Theme.objects.bulk_create(
        Theme(
            tenant=tenant,
            version=version,
            code=t.code,
            name=t.name,
            description=t.description,
            position=t.position,
        )
        for t in latest.themes.all()
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="charter_version.created",
        obj=version,
        changes={"number": version.number, "from": latest.number},
    )
    signals.charter_version_copied.send(
        sender=Charter, tenant=tenant, from_version=latest, to_version=version
    )
    return version


# --- Co-production and tiers ----------------------------------------------------------------


def engagement_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    charter: Charter,
    held_on: date,
    kind: str,
    audience: str,
    people_count: int,
    heard: str,
    principle_codes: list[str],
    theme_codes: list[str],
    engagement: EngagementActivity | None = None,
) -> EngagementActivity:
    access.require(Perm.MANAGE_CHARTERS)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date cannot be in the future."})
    if engagement is None:
        engagement = EngagementActivity(tenant=tenant, charter=charter, recorded_by=actor)
    engagement.held_on, engagement.kind, engagement.audience = held_on, kind, audience.strip()
    engagement.people_count, engagement.heard = people_count, heard.strip()
    engagement.principle_codes, engagement.theme_codes = principle_codes, theme_codes
    engagement.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="engagement.saved",
        obj=engagement,
        changes={"kind": kind, "people": people_count, "audience": engagement.audience},
    )
    return engagement


def tier_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    charter: Charter,
    name: str,
    description: str = "",
    requires_panel: bool = False,
    review_months: int | None = None,
    tier: Tier | None = None,
) -> Tier:
    access.require(Perm.MANAGE_CHARTERS)
    if not name.strip():
        raise ValidationError({"name": "Enter the tier's name."})
    if tier is None:
        tier = Tier(tenant=tenant, charter=charter, position=charter.tiers.count() + 1)
    tier.name, tier.description = name.strip(), description.strip()
    tier.requires_panel, tier.review_months = requires_panel, review_months
    tier.save()
    if not charter.has_tiers:
        Charter.objects.filter(pk=charter.pk).update(has_tiers=True)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="tier.saved",
        obj=tier,
        changes={"name": tier.name, "position": tier.position},
    )
    return tier


# --- Signing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgeInput:
    text: str
    principle_code: str = ""
    theme_code: str = ""
    target: str = ""


@dataclass(frozen=True)
class SigningInput:
    signers: list[dict] = field(default_factory=list)  # [{"name": …, "role": …}]
    signed_on: date | None = None
    pledges: list[PledgeInput] = field(default_factory=list)


def _validate_signing(version: CharterVersion, data: SigningInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    signers = [
        {"name": s.get("name", "").strip(), "role": s.get("role", "").strip()}
        for s in data.signers
        if s.get("name", "").strip() or s.get("role", "").strip()
    ]
    if not signers:
        errors["signers"] = "Enter the name and role of at least one person signing."
    elif any(not s["name"] or not s["role"] for s in signers):
        errors["signers"] = "Enter both the name and the role of each person signing."
    if data.signed_on is None:
        errors["signed_on"] = "Enter the date the charter was signed."
    elif data.signed_on > timezone.localdate():
        errors["signed_on"] = "The date signed cannot be in the future."
    if not data.pledges:
        errors["pledges"] = "Make at least one pledge."
    principles = {p.code: p for p in version.principles.all()}
    themes = {t.code: t for t in version.themes.all()}
    resolved: list[tuple[PledgeInput, Principle | None, Theme | None]] = []
    for number, pledge in enumerate(data.pledges, start=1):
        if not pledge.text.strip():
            errors[f"pledge_{number}"] = f"Pledge {number}: write the pledge in your own words."
        elif pledge.principle_code in principles:
            resolved.append((pledge, principles[pledge.principle_code], None))
        elif pledge.theme_code in themes:
            resolved.append((pledge, None, themes[pledge.theme_code]))
        else:
            errors[f"pledge_{number}"] = (
                f"Pledge {number}: choose the principle or theme it is under."
            )
    if errors:
        raise ValidationError(errors)
    return {"signers": signers, "pledges": resolved}


def _write_pledges(tenant, signatory: Signatory, version: CharterVersion, resolved) -> None:
    Pledge.objects.filter(signatory=signatory).delete()
    Pledge.objects.bulk_create(
        Pledge(
            tenant=tenant,
            signatory=signatory,
            version=version,
            principle=principle,
            theme=theme,
            text=pledge.text.strip(),
            target=pledge.target.strip(),
            position=position,
        )
        for position, (pledge, principle, theme) in enumerate(resolved, start=1)
    )


def charter_sign(
    *,
    tenant,
    actor,
    access: TenantAccess,
    version: CharterVersion,
    organisation,
    data: SigningInput,
    tier: Tier | None = None,
) -> Signatory:
    """An organisation admin signs a published version with the organisation's pledges. The
    signature waits for the tenant admin's approval."""
    if not access.can(Perm.SIGN_CHARTER, organisation_id=organisation.id):
        raise PermissionDenied(
            f"Only an organisation admin of {organisation.name} can sign on its behalf."
        )
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(
            f"This charter version is {version.get_status_display().lower()}: only the "
            "published version can be signed."
        )
    valid = _validate_signing(version, data)
    charter = version.charter
    entry_tier = tier or charter.tiers.order_by("position").first()
    existing = Signatory.objects.filter(
        tenant=tenant, charter=charter, organisation=organisation
    ).first()
    if existing is not None and existing.status in ACTIVE_SIGNATORY:
        raise ValidationError(
            f"{organisation.name} has already signed this charter "
            f"({existing.get_status_display().lower()})."
        )
    fields = {
        "version": version,
        "status": SignatoryStatus.PENDING,
        "tier": entry_tier,
        "signers": valid["signers"],
        "signed_on": data.signed_on,
        "submitted_by": actor,
        "decided_by": None,
        "decided_at": None,
        "decision_reason": "",
        "approved_on": None,
    }
    try:
        with transaction.atomic():
            if existing is None:
                signatory = Signatory.objects.create(
                    tenant=tenant, charter=charter, organisation=organisation, **fields
                )
            else:
                signatory = existing
                for name, value in fields.items():
                    setattr(signatory, name, value)
                signatory.save()
    except IntegrityError:
        raise ValidationError(f"{organisation.name} has already signed this charter.") from None
    _write_pledges(tenant, signatory, version, valid["pledges"])
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="charter.signed",
        obj=signatory,
        changes={
            "version": version.number,
            "signers": valid["signers"],
            "pledges": len(valid["pledges"]),
        },
    )
    _queue_email(tenant, "signature_submitted", signatory.id)
    return signatory


def signatory_resubmit(
    *, tenant, actor, access: TenantAccess, signatory: Signatory, data: SigningInput
) -> Signatory:
    """After the tenant admin asked for changes, the organisation admin sends it again."""
    if not access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied("Only the organisation's admins can change its signature.")
    if signatory.status != SignatoryStatus.CHANGES_REQUESTED:
        raise ValidationError("Only a signature sent back for changes can be resubmitted.")
    valid = _validate_signing(signatory.version, data)
    if not Signatory.objects.filter(
        pk=signatory.pk, status=SignatoryStatus.CHANGES_REQUESTED
    ).update(
        status=SignatoryStatus.PENDING,
        signers=valid["signers"],
        signed_on=data.signed_on,
        updated_at=timezone.now(),
    ):
        raise ValidationError("This signature has just changed. Reload and try again.")
    _write_pledges(tenant, signatory, signatory.version, valid["pledges"])
    signatory.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="signature.resubmitted",
        obj=signatory,
        changes={"pledges": len(valid["pledges"])},
    )
    _queue_email(tenant, "signature_submitted", signatory.id)
    return signatory


class Decision:
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    CHOICES = [
        (APPROVE, "Approve"),
        (REQUEST_CHANGES, "Ask for changes"),
        (REJECT, "Reject"),
    ]


DECISION_STATUS = {
    Decision.APPROVE: SignatoryStatus.SIGNED,
    Decision.REQUEST_CHANGES: SignatoryStatus.CHANGES_REQUESTED,
    Decision.REJECT: SignatoryStatus.REJECTED,
}


def signatory_decide(
    *, tenant, actor, access: TenantAccess, signatory: Signatory, decision: str, reason: str = ""
) -> Signatory:
    """The tenant admin approves a pending signature, asks for changes or rejects it."""
    access.require(Perm.MANAGE_CHARTERS)
    if decision not in DECISION_STATUS:
        raise ValidationError({"decision": "Choose approve, ask for changes or reject."})
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationError({"reason": "Give the organisation a reason."})
    new_status = DECISION_STATUS[decision]
    now = timezone.now()
    updates: dict[str, Any] = {
        "status": new_status,
        "decided_by": actor,
        "decided_at": now,
        "decision_reason": reason.strip(),
        "updated_at": now,
    }
    if decision == Decision.APPROVE:
        updates["approved_on"] = timezone.localdate()
        updates["review_due"] = _review_due(signatory.tier)
    if not Signatory.objects.filter(pk=signatory.pk, status=SignatoryStatus.PENDING).update(
        **updates
    ):
        raise ValidationError(
            f"Only a signature waiting for approval can be decided; this one is "
            f"{signatory.get_status_display().lower()}."
        )
    signatory.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"signature.{decision}",
        obj=signatory,
        changes={"status": [SignatoryStatus.PENDING, new_status], "reason": reason},
    )
    _queue_email(tenant, f"signature_{decision}", signatory.id)
    return signatory


def _review_due(tier: Tier | None) -> date | None:
    if tier is None or not tier.review_months:
        return None
    return timezone.localdate() + relativedelta(months=tier.review_months)


def signatory_withdraw(
    *, tenant, actor, access: TenantAccess, signatory: Signatory, reason: str
) -> Signatory:
    if not access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied("Only the organisation's admins can withdraw its signature.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the organisation is withdrawing."})
    if not Signatory.objects.filter(pk=signatory.pk, status__in=ACTIVE_SIGNATORY).update(
        status=SignatoryStatus.WITHDRAWN,
        decision_reason=reason.strip(),
        updated_at=timezone.now(),
    ):
        raise ValidationError("This signature is not active, so it cannot be withdrawn.")
    signatory.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="signature.withdrawn",
        obj=signatory,
        changes={"reason": reason.strip()},
    )
    _queue_email(tenant, "signature_withdrawn", signatory.id)
    return signatory


@transaction.atomic
def signatory_reconfirm(*, tenant, actor, access: TenantAccess, signatory: Signatory) -> Signatory:
    """Re-confirm on the newly published version: the pledges follow their principles and
    themes by code; a pledge whose heading no longer exists goes under the first theme."""
    if not access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied("Only the organisation's admins can re-confirm its signature.")
    if signatory.status != SignatoryStatus.RECONFIRM:
        raise ValidationError("This signature has not been asked to re-confirm.")
    current = CharterVersion.objects.filter(
        tenant=tenant, charter=signatory.charter, status=VersionStatus.PUBLISHED
    ).first()
    if current is None:
        raise ValidationError("The charter has no published version to re-confirm on.")
    principles = {p.code: p for p in current.principles.all()}
    themes = {t.code: t for t in current.themes.all()}
    fallback = next(iter(themes.values()), None)
    old_version = signatory.version
    for pledge in signatory.pledges.select_related("principle", "theme"):
        principle = principles.get(pledge.principle.code) if pledge.principle else None
        theme = themes.get(pledge.theme.code) if pledge.theme else None
        if principle is None and theme is None:
            theme = fallback
        Pledge.objects.filter(pk=pledge.pk).update(
            version=current, principle=principle, theme=theme, updated_at=timezone.now()
        )
    Signatory.objects.filter(pk=signatory.pk).update(
        version=current, status=SignatoryStatus.SIGNED, updated_at=timezone.now()
    )
    signatory.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="signature.reconfirmed",
        obj=signatory,
        changes={"version": [old_version.number, current.number]},
    )
    signals.signatory_reconfirmed.send(sender=Signatory, tenant=tenant, signatory=signatory)
    return signatory


def signatory_pledges_reviewed(
    *, tenant, actor, access: TenantAccess, signatory: Signatory
) -> Signatory:
    """The organisation confirms it has reviewed its pledges: the next review falls due one
    tier period later."""
    if not access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied("Only the organisation's admins can review its pledges.")
    if signatory.status != SignatoryStatus.SIGNED or signatory.review_due is None:
        raise ValidationError("This signature has no pledge review due.")
    Signatory.objects.filter(pk=signatory.pk).update(
        review_due=_review_due(signatory.tier),
        review_reminded_on=None,
        updated_at=timezone.now(),
    )
    signatory.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="signature.pledges_reviewed",
        obj=signatory,
        changes={"next_review_due": str(signatory.review_due)},
    )
    return signatory


def pledge_review_reminders_send(*, tenant) -> int:
    """Remind organisations whose pledge review is due (once per due date). Run daily."""
    today = timezone.localdate()
    due = list(
        Signatory.objects.filter(
            tenant=tenant,
            status=SignatoryStatus.SIGNED,
            review_due__lte=today,
            review_reminded_on__isnull=True,
        ).values_list("id", flat=True)
    )
    Signatory.objects.filter(id__in=due).update(review_reminded_on=today)
    for signatory_id in due:
        _queue_email(tenant, "pledge_review_due", signatory_id)
    return len(due)


# --- Tier applications --------------------------------------------------------------------


def tier_application_create(
    *, tenant, actor, access: TenantAccess, signatory: Signatory, case: str
) -> TierApplication:
    if not access.can(Perm.SIGN_CHARTER, organisation_id=signatory.organisation_id):
        raise PermissionDenied("Only the organisation's admins can apply for a higher tier.")
    if signatory.status != SignatoryStatus.SIGNED:
        raise ValidationError("Only a signed, approved signatory can apply to move up a tier.")
    if signatory.tier is None:
        raise ValidationError("This signatory has no tier to move up from.")
    next_tier = (
        signatory.charter.tiers.filter(position__gt=signatory.tier.position)
        .order_by("position")
        .first()
    )
    if next_tier is None:
        raise ValidationError(f"{signatory.tier.name} is already the highest tier.")
    if signatory.tier_applications.filter(
        status__in=[TierApplication.Status.PENDING, TierApplication.Status.AT_PANEL]
    ).exists():
        raise ValidationError("An application to move up is already waiting for a decision.")
    if not case.strip():
        raise ValidationError({"case": "Say why the organisation is ready for the next tier."})
    application = TierApplication.objects.create(
        tenant=tenant,
        signatory=signatory,
        from_tier=signatory.tier,
        to_tier=next_tier,
        case=case.strip(),
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="tier_application.created",
        obj=application,
        changes={"to_tier": next_tier.name},
    )
    _queue_email(tenant, "tier_application_submitted", application.id)
    return application


def tier_application_decide(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: TierApplication,
    decision: str,
    reason: str = "",
    panel_notes: str = "",
) -> TierApplication:
    """`to_panel`, `approve` or `reject`. A tier that requires a panel is approved only after
    the application has been to the panel."""
    access.require(Perm.MANAGE_CHARTERS)
    open_statuses = [TierApplication.Status.PENDING, TierApplication.Status.AT_PANEL]
    if application.status not in open_statuses:
        raise ValidationError("This application has already been decided.")
    if decision == "to_panel":
        new_status = TierApplication.Status.AT_PANEL
    elif decision == "approve":
        if (
            application.to_tier.requires_panel
            and application.status != TierApplication.Status.AT_PANEL
        ):
            raise ValidationError(
                f"{application.to_tier.name} needs the assessment panel first: "
                "send it to the panel."
            )
        new_status = TierApplication.Status.APPROVED
    elif decision == "reject":
        if not reason.strip():
            raise ValidationError({"reason": "Give the organisation a reason."})
        new_status = TierApplication.Status.REJECTED
    else:
        raise ValidationError({"decision": "Choose send to panel, approve or reject."})
    now = timezone.now()
    updates: dict[str, Any] = {"status": new_status, "updated_at": now}
    if panel_notes.strip():
        updates["panel_notes"] = panel_notes.strip()
    if new_status != TierApplication.Status.AT_PANEL:
        updates.update(decided_by=actor, decided_at=now, decision_reason=reason.strip())
    if not TierApplication.objects.filter(pk=application.pk, status=application.status).update(
        **updates
    ):
        raise ValidationError("This application has just changed. Reload and try again.")
    if new_status == TierApplication.Status.APPROVED:
        Signatory.objects.filter(pk=application.signatory_id).update(
            tier=application.to_tier,
            review_due=_review_due(application.to_tier),
            updated_at=now,
        )
    application.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb=f"tier_application.{decision}",
        obj=application,
        changes={"status": new_status, "reason": reason},
    )
    _queue_email(tenant, f"tier_application_{decision}", application.id)
    return application
