"""Charters signed and awards held, as they stood at a report's period end (or its data freeze,
when earlier): one organisation's standing (ticks with dates), and the programme's signatories
over time and by sector, awards held and expiring.

At the freeze: a signature counts when it was signed by the "as at" day, recorded before the
freeze and approved by it, and is on the register now or left it after the freeze (a later
withdrawal does not change the paper). An award counts when awarded by the "as at" day and
recorded before the freeze; one revoked after the freeze is shown as it was, held."""

from collections import Counter
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from awards.models import Award
from charters.models import ON_REGISTER, CharterKind, Signatory, SignatoryStatus
from kvi import periods
from organisations.models import Sector, sector_of
from reporting.content.common import Freeze, date_text, iso

EXPIRY_WINDOW_MONTHS = 6


def _signatories(*, tenant, freeze: Freeze, as_at: date):
    """Signatures on the register at the freeze, signed by `as_at` (charter and organisation
    joined)."""
    left_after = Q(
        status__in=(SignatoryStatus.WITHDRAWN, SignatoryStatus.REJECTED),
        updated_at__gte=freeze.end,
        approved_on__isnull=False,
    )
    return (
        Signatory.objects.filter(tenant=tenant, created_at__lt=freeze.end, signed_on__lte=as_at)
        .filter(Q(status__in=ON_REGISTER) | left_after)
        .filter(Q(approved_on__isnull=True) | Q(approved_on__lte=freeze.day))
        .select_related("charter", "organisation")
    )


def _awards(*, tenant, freeze: Freeze, as_at: date):
    return Award.objects.filter(
        tenant=tenant, created_at__lt=freeze.end, awarded_on__lte=as_at
    ).select_related("organisation", "scheme", "level", "version")


def _award_status(award: Award, freeze: Freeze, as_at: date) -> tuple[str, bool]:
    """(what the paper says of the award, whether it was current at `as_at`)."""
    if award.revoked_at is not None and award.revoked_at < freeze.end:
        return f"Revoked {date_text(award.revoked_at.date())}", False
    if award.expires_on < as_at:
        return f"Expired {date_text(award.expires_on)}", False
    return "Held", True


def organisation_standing(*, tenant, organisation, freeze: Freeze, as_at: date) -> dict:
    """The organisation's charters (anchor charters marked: membership of the anchor charter)
    and awards, with dates. Two queries."""
    signatures = _signatories(tenant=tenant, freeze=freeze, as_at=as_at).filter(
        organisation=organisation
    )
    charters = [
        {
            "charter": signature.charter.title,
            "kind": signature.charter.kind,
            "kind_label": signature.charter.get_kind_display(),
            "signed_on": iso(signature.signed_on),
            "signed_on_text": date_text(signature.signed_on),
            "status": "Signed",
            "is_anchor": signature.charter.kind == CharterKind.ANCHOR,
        }
        for signature in sorted(signatures, key=lambda s: (s.signed_on, s.charter.title))
    ]
    awards = []
    for award in sorted(
        _awards(tenant=tenant, freeze=freeze, as_at=as_at).filter(organisation=organisation),
        key=lambda a: (a.awarded_on, a.scheme.name, str(a.pk)),
    ):
        status, current = _award_status(award, freeze, as_at)
        awards.append(
            {
                "scheme": award.version.name or award.scheme.name,
                "level": award.level.name,
                "awarded_on": iso(award.awarded_on),
                "awarded_on_text": date_text(award.awarded_on),
                "expires_on": iso(award.expires_on),
                "expires_on_text": date_text(award.expires_on),
                "status": status,
                "current": current,
            }
        )
    anchors = [c for c in charters if c["is_anchor"]]
    return {
        "as_at": iso(as_at),
        "as_at_text": date_text(as_at),
        "charters": charters,
        "awards": awards,
        "anchor_member": bool(anchors),
        "anchor_charters": [c["charter"] for c in anchors],
    }


# --- The programme ------------------------------------------------------------------------------


def _quarter(day: date) -> int:
    """1-4: the quarter of the financial year (April-June is 1)."""
    return (day.month - 4) % 12 // 3 + 1


def signatories_over_time(*, tenant, freeze: Freeze, as_at: date) -> dict:
    """Per charter: new signatures in each quarter of each financial year and the running
    total at each year's end (or at `as_at`), and signatures by sector. One query."""
    rows = _signatories(tenant=tenant, freeze=freeze, as_at=as_at).values_list(
        "charter_id", "charter__title", "charter__kind", "signed_on",
        "organisation__organisation_type",
    )  # fmt: skip
    charters: dict = {}
    for charter_id, title, kind, signed_on, organisation_type in rows:
        entry = charters.setdefault(
            charter_id,
            {"title": title, "kind": kind, "by_quarter": Counter(), "by_sector": Counter()},
        )
        entry["by_quarter"][(periods.financial_year_of(signed_on), _quarter(signed_on))] += 1
        entry["by_sector"][sector_of(organisation_type)] += 1
    result = []
    for entry in sorted(charters.values(), key=lambda e: (e["kind"] != "social_value", e["title"])):
        years = sorted({year for year, _q in entry["by_quarter"]})
        running = 0
        by_year = []
        for year in years:
            quarters = [entry["by_quarter"].get((year, q), 0) for q in (1, 2, 3, 4)]
            running += sum(quarters)
            by_year.append(
                {"year": year, "quarters": quarters, "new": sum(quarters), "cumulative": running}
            )
        result.append(
            {
                "charter": entry["title"],
                "kind_label": CharterKind(entry["kind"]).label,
                "total": running,
                "by_year": by_year,
                "by_sector": [
                    {"sector": Sector(sector).label, "count": count}
                    for sector, count in sorted(
                        entry["by_sector"].items(), key=lambda item: (-item[1], item[0])
                    )
                ],
            }
        )
    return {"as_at": iso(as_at), "as_at_text": date_text(as_at), "charters": result}


def awards_summary(*, tenant, freeze: Freeze, as_at: date) -> dict:
    """Awards current at `as_at` by scheme and level, and those expiring within six months of
    it (organisation, award, level, expiry). One query."""
    held: Counter = Counter()
    expiring = []
    window_end = as_at + relativedelta(months=EXPIRY_WINDOW_MONTHS)
    organisations: set = set()
    for award in _awards(tenant=tenant, freeze=freeze, as_at=as_at):
        _status, current = _award_status(award, freeze, as_at)
        if not current:
            continue
        scheme = award.version.name or award.scheme.name
        held[(scheme, award.level.position, award.level.name)] += 1
        organisations.add(award.organisation_id)
        if award.expires_on <= window_end:
            expiring.append(
                {
                    "organisation": award.organisation.name,
                    "scheme": scheme,
                    "level": award.level.name,
                    "expires_on": iso(award.expires_on),
                    "expires_on_text": date_text(award.expires_on),
                }
            )
    return {
        "as_at": iso(as_at),
        "as_at_text": date_text(as_at),
        "window_end_text": date_text(window_end),
        "held": [
            {"scheme": scheme, "level": level, "count": count}
            for (scheme, _position, level), count in sorted(held.items())
        ],
        "held_total": sum(held.values()),
        "organisations_holding": len(organisations),
        "expiring": sorted(
            expiring, key=lambda a: (a["expires_on"], a["organisation"].casefold(), a["scheme"])
        ),
    }
