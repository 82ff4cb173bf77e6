"""Verifying an award: for a code read off a certificate, or for an organisation, whether it
holds a current award and at what level. Public reads, scoped to the tenant whose public pages
ask (the tenant comes from the address /t/<slug>/public/…)."""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from awards.models import Award

CURRENT, EXPIRED, REVOKED, NOT_YET = "current", "expired", "revoked", "not_yet_valid"


@dataclass(frozen=True)
class AwardCheck:
    award: Award
    status: str  # CURRENT, EXPIRED, REVOKED or NOT_YET
    organisation_name: str
    scheme_name: str
    level_name: str
    awarded_on: date
    expires_on: date
    categories: list[str]

    @property
    def is_current(self) -> bool:
        return self.status == CURRENT


def normalise_code(code: str) -> str:
    """What a person types ("abcd-efgh-jkmn ", "ABCD EFGH JKMN") as the stored code."""
    return re.sub(r"[\s-]", "", code or "").upper()[:40]


def format_code(code: str) -> str:
    """ABCDEFGHJKMN as ABCD-EFGH-JKMN, for certificates and pages."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def award_status(award: Award, today: date) -> str:
    if award.revoked_at is not None:
        return REVOKED
    if today < award.awarded_on:
        return NOT_YET
    return CURRENT if today <= award.expires_on else EXPIRED


def _awards(tenant) -> QuerySet[Award]:
    return Award.objects.filter(tenant=tenant).select_related("organisation", "version", "level")


def _check(award: Award, today: date) -> AwardCheck:
    names = {c.code: c.name for c in award.version.categories.all()}
    return AwardCheck(
        award=award,
        status=award_status(award, today),
        organisation_name=award.organisation.name,
        scheme_name=award.version.name,
        level_name=award.level.name,
        awarded_on=award.awarded_on,
        expires_on=award.expires_on,
        categories=[names.get(code, code) for code in award.category_codes],
    )


def award_verify(*, tenant, code: str, today: date | None = None) -> AwardCheck | None:
    """The award with this verification code in this programme, or None."""
    code = normalise_code(code)
    if not code:
        return None
    award = (
        _awards(tenant)
        .prefetch_related("version__categories")
        .filter(verification_code=code)
        .first()
    )
    return _check(award, today or timezone.localdate()) if award else None


def award_verify_organisation(
    *, tenant, organisation_id, today: date | None = None
) -> AwardCheck | None:
    """The organisation's current award (the highest level, then the newest), else its newest
    award (expired or revoked), else None."""
    today = today or timezone.localdate()
    awards = list(
        _awards(tenant)
        .prefetch_related("version__categories")
        .filter(organisation_id=organisation_id)
        .order_by("-level__position", "-awarded_on", "-created_at")
    )
    current = [a for a in awards if award_status(a, today) == CURRENT]
    if current:
        return _check(current[0], today)
    if not awards:
        return None
    return _check(max(awards, key=lambda a: (a.awarded_on, a.created_at)), today)


def award_holders(*, tenant, today: date | None = None) -> QuerySet[Award]:
    """The public list: awards current today, by organisation name; one query."""
    today = today or timezone.localdate()
    return (
        _awards(tenant)
        .filter(revoked_at__isnull=True, awarded_on__lte=today, expires_on__gte=today)
        .order_by("organisation__name", "-level__position")
    )
