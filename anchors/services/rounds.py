"""Reporting rounds: made (half-yearly by default), their opening and due dates changed until
they close, opened (every member gets a return to fill in, and an email), members with returns
outstanding reminded on request (the daily reminders are anchors.services.returns'), closed
(no more submissions)."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from anchors.models import MemberReturn, PillarMetric, ReportingRound, RoundStatus
from anchors.models.returns import OUTSTANDING
from anchors.services.common import own, queue_notice, require_anchor_charter
from anchors.services.members import member_profile_get_or_create
from charters.models import ON_REGISTER, Charter, Signatory
from kvi.periods import financial_year_of
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

# A round opens the day after its period ends and returns are due this long after.
DUE_AFTER_OPENING = relativedelta(months=1)


@dataclass(frozen=True)
class RoundDates:
    name: str
    period_start: date
    period_end: date
    opens_on: date
    due_on: date


def half_year_dates(period_start: date) -> RoundDates:
    """The half-year (NHS financial year: H1 April–September, H2 October–March) starting on
    `period_start`, which must be 1 April or 1 October."""
    if (period_start.month, period_start.day) not in ((4, 1), (10, 1)):
        raise ValidationError({"period_start": "A half-year starts on 1 April or 1 October."})
    period_end = period_start + relativedelta(months=6) - timedelta(days=1)
    half = "H1" if period_start.month == 4 else "H2"
    opens_on = period_end + timedelta(days=1)
    return RoundDates(
        name=f"{financial_year_of(period_start)} {half}",
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        due_on=opens_on + DUE_AFTER_OPENING,
    )


def next_round_dates(*, tenant, charter: Charter, today: date | None = None) -> RoundDates:
    """The half-year after the charter's latest round; with no round yet, the last half-year
    that has ended by `today`."""
    latest = (
        ReportingRound.objects.filter(tenant=tenant, charter=charter)
        .order_by("-period_start")
        .first()
    )
    if latest is not None:
        return half_year_dates(latest.period_start + relativedelta(months=6))
    today = today or timezone.localdate()
    if today.month >= 10:
        start = date(today.year, 10, 1)
    elif today.month >= 4:
        start = date(today.year, 4, 1)
    else:
        start = date(today.year - 1, 10, 1)
    # The half-year containing today has not ended: report on the one before.
    return half_year_dates(start - relativedelta(months=6))


def round_create(
    *,
    tenant,
    actor,
    access: TenantAccess,
    charter: Charter,
    name: str,
    period_start: date,
    period_end: date,
    opens_on: date,
    due_on: date,
) -> ReportingRound:
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, charter)
    errors = {}
    name = name.strip()
    if not name:
        errors["name"] = 'Enter the round\'s name, for example "2023/24 H1".'
    elif ReportingRound.objects.filter(tenant=tenant, charter=charter, name__iexact=name).exists():
        errors["name"] = f"There is already a round called {name}."
    if period_end < period_start:
        errors["period_end"] = "The period must end after it starts."
    if due_on < opens_on:
        errors["due_on"] = "Returns must be due after the round opens."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            reporting_round = ReportingRound.objects.create(
                tenant=tenant,
                charter=charter,
                name=name,
                period_start=period_start,
                period_end=period_end,
                opens_on=opens_on,
                due_on=due_on,
            )
    except IntegrityError:
        raise ValidationError(
            {"period_start": "There is already a round for a period starting on that day."}
        ) from None
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_round.created",
        obj=reporting_round,
        changes={"name": name, "period": [str(period_start), str(period_end)]},
    )
    return reporting_round


def round_open(
    *, tenant, actor, access: TenantAccess, reporting_round: ReportingRound
) -> ReportingRound:
    """Open a draft round: a return (not started) for every member on the register, and an
    email to each member's organisation admins."""
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, reporting_round.charter)
    if reporting_round.status != RoundStatus.DRAFT:
        raise ValidationError(
            f"{reporting_round.name} is {reporting_round.get_status_display().lower()}: only "
            "a draft round can be opened."
        )
    if not PillarMetric.objects.filter(tenant=tenant, charter=reporting_round.charter_id).exists():
        raise ValidationError("Add the metrics members report before opening a round.")
    members = list(
        Signatory.objects.filter(
            tenant=tenant, charter=reporting_round.charter_id, status__in=ON_REGISTER
        )
    )
    if not members:
        raise ValidationError("The charter has no members yet to ask for returns.")
    now = timezone.now()
    with transaction.atomic():
        if not ReportingRound.objects.filter(
            pk=reporting_round.pk, status=RoundStatus.DRAFT
        ).update(status=RoundStatus.OPEN, opened_at=now, updated_at=now):
            raise ValidationError("Someone has just changed this round. Reload it.")
        MemberReturn.objects.bulk_create(
            [MemberReturn(tenant=tenant, round=reporting_round, signatory=m) for m in members],
            ignore_conflicts=True,
        )
        for member in members:
            member_profile_get_or_create(tenant=tenant, signatory=member)
    reporting_round.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_round.opened",
        obj=reporting_round,
        changes={"returns": len(members)},
    )
    for member_return in MemberReturn.objects.filter(tenant=tenant, round=reporting_round):
        queue_notice(tenant, "round_opened", member_return.pk)
    return reporting_round


def round_close(
    *, tenant, actor, access: TenantAccess, reporting_round: ReportingRound
) -> ReportingRound:
    """Close an open round: returns not yet submitted can no longer be. Returns already in
    can still be queried, corrected and accepted."""
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, reporting_round.charter)
    now = timezone.now()
    if not ReportingRound.objects.filter(pk=reporting_round.pk, status=RoundStatus.OPEN).update(
        status=RoundStatus.CLOSED, closed_at=now, updated_at=now
    ):
        raise ValidationError(
            f"{reporting_round.name} is {reporting_round.get_status_display().lower()}: only "
            "an open round can be closed."
        )
    reporting_round.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_round.closed",
        obj=reporting_round,
        changes={},
    )
    return reporting_round


def round_returns_add_missing(
    *, tenant, actor, access: TenantAccess, reporting_round: ReportingRound
) -> int:
    """For members that joined after the round opened: a return for every member on the
    register that has none in this open round. Returns how many were added."""
    access.require(Perm.MANAGE_CHARTERS)
    require_anchor_charter(tenant, reporting_round.charter)
    if reporting_round.status != RoundStatus.OPEN:
        raise ValidationError(f"{reporting_round.name} is not open.")
    missing = list(
        Signatory.objects.filter(
            tenant=tenant, charter=reporting_round.charter_id, status__in=ON_REGISTER
        ).exclude(anchor_returns__round=reporting_round)
    )
    with transaction.atomic():
        added = MemberReturn.objects.bulk_create(
            [MemberReturn(tenant=tenant, round=reporting_round, signatory=m) for m in missing],
            ignore_conflicts=True,
        )
        for member in missing:
            member_profile_get_or_create(tenant=tenant, signatory=member)
    if missing:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_round.returns_added",
            obj=reporting_round,
            changes={"returns": len(missing)},
        )
        for member_return in MemberReturn.objects.filter(
            tenant=tenant, round=reporting_round, signatory__in=missing
        ):
            queue_notice(tenant, "round_opened", member_return.pk)
    return len(added)


def round_dates_update(
    *,
    tenant,
    actor,
    access: TenantAccess,
    reporting_round: ReportingRound,
    opens_on: date,
    due_on: date,
) -> ReportingRound:
    """Change when a draft or open round opens to members and when returns are due (to give
    members longer, say). Returns already sent keep their late flag; a closed round's dates no
    longer change."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, reporting_round, "This round")
    require_anchor_charter(tenant, reporting_round.charter)
    if reporting_round.status == RoundStatus.CLOSED:
        raise ValidationError(f"{reporting_round.name} is closed: its dates can no longer change.")
    if due_on < opens_on:
        raise ValidationError({"due_on": "Returns must be due after the round opens."})
    changes = {}
    if opens_on != reporting_round.opens_on:
        changes["opens_on"] = [str(reporting_round.opens_on), str(opens_on)]
    if due_on != reporting_round.due_on:
        changes["due_on"] = [str(reporting_round.due_on), str(due_on)]
    if not changes:
        return reporting_round
    if not ReportingRound.objects.filter(
        tenant=tenant,
        pk=reporting_round.pk,
        status__in=[RoundStatus.DRAFT, RoundStatus.OPEN],
    ).update(opens_on=opens_on, due_on=due_on, updated_at=timezone.now()):
        raise ValidationError(
            f"{reporting_round.name} has just been closed: its dates can no longer change."
        )
    reporting_round.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_round.dates_changed",
        obj=reporting_round,
        changes=changes,
    )
    return reporting_round


def round_reminders_send(
    *, tenant, actor, access: TenantAccess, reporting_round: ReportingRound
) -> int:
    """Remind now every member of an open round whose return is outstanding (not started or
    a draft), with the daily reminder's email (anchors.tasks, "return_reminder"). A member
    already reminded today is not emailed again. Returns how many members were reminded."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, reporting_round, "This round")
    require_anchor_charter(tenant, reporting_round.charter)
    if reporting_round.status != RoundStatus.OPEN:
        raise ValidationError(
            f"{reporting_round.name} is {reporting_round.get_status_display().lower()}: "
            "reminders go only to members of an open round."
        )
    today = timezone.localdate()
    with transaction.atomic():
        ids = list(
            MemberReturn.objects.select_for_update()
            .filter(tenant=tenant, round=reporting_round, status__in=OUTSTANDING)
            .exclude(last_reminded_on=today)
            .values_list("id", flat=True)
        )
        MemberReturn.objects.filter(tenant=tenant, id__in=ids).update(
            last_reminded_on=today, updated_at=timezone.now()
        )
    if ids:
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_round.reminders_sent",
            obj=reporting_round,
            changes={"returns": len(ids)},
        )
    for return_id in ids:
        queue_notice(tenant, "return_reminder", return_id)
    return len(ids)
