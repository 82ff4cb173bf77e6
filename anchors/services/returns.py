"""Members' returns: figures and narratives saved by the member's organisation admin, taken
from its KVIs where it tracks them, submission (refused once the round is
closed; accepted but flagged when late), the programme team's queries on figures, the
member's answers and corrections, acceptance, and reminders for returns outstanding.
Evidence files: anchors.services.return_evidence.

Return states: not started → draft (saved) → submitted → queried ⇄ submitted → accepted.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from anchors.models import (
    FigureQuery,
    FigureSource,
    MemberReturn,
    PillarMetric,
    PillarNarrative,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)
from anchors.models.returns import OUTSTANDING
from anchors.services.common import own, queue_notice, require_member_admin, who
from charters.models import Theme
from kvi import periods
from kvi.models import Aggregation, Kvi, Measurement, MeasurementStatus, Unit
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

EDITABLE = (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT)
# Reminders: once when a return is due within this many days, once more when it is overdue.
REMINDER_DAYS = 7
SIX_PLACES = Decimal("0.000001")
MAX_VALUE = Decimal("1e14")
NON_NEGATIVE_UNITS = frozenset(
    {Unit.PERCENT, Unit.COUNT, Unit.PEOPLE, Unit.HOURS, Unit.POUNDS, Unit.WTE, Unit.SESSIONS}
)


@dataclass(frozen=True)
class FigureInput:
    """One figure of a return: the metric's code, the value as entered and the unit it is in.
    A blank value removes the figure. A note of None keeps the figure's note as it is (a new
    figure gets none)."""

    metric_code: str
    value: Decimal | str | None
    unit: str
    note: str | None = ""
    source: str = FigureSource.ENTERED


def field_name(pillar_metric: PillarMetric) -> str:
    """The form field (and error key) of a metric's figure: "figure_ANC-LOCAL-SPEND"."""
    return f"figure_{pillar_metric.metric.code}"


def _check_value(pillar_metric: PillarMetric, value, unit: str) -> Decimal:
    """The figure as a Decimal in the metric's unit, or a ValidationError on its field that
    says what is wrong in the member's words."""
    metric = pillar_metric.metric
    key = field_name(pillar_metric)
    if unit != pillar_metric.unit:
        raise ValidationError(
            {
                key: f"{metric.name} is reported in {pillar_metric.unit}, not {unit or 'no unit'}"
                f": enter the figure in {pillar_metric.unit}."
            }
        )
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({key: f"{metric.name}: enter a number."}) from None
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        raise ValidationError({key: f"{metric.name}: enter a number."})
    if number != number.quantize(SIX_PLACES):
        raise ValidationError({key: f"{metric.name}: use at most 6 decimal places."})
    if unit in NON_NEGATIVE_UNITS and number < 0:
        raise ValidationError({key: f"{metric.name} cannot be negative."})
    if unit == Unit.PERCENT and number > 100:
        raise ValidationError({key: f"{metric.name} is a percentage: enter 0 to 100."})
    return number


def round_closed_message(member_return: MemberReturn) -> str:
    """Why the return cannot be sent or changed because of its round (empty when it can)."""
    reporting_round = member_return.round
    if reporting_round.status == RoundStatus.CLOSED:
        return (
            f"The {reporting_round.name} round has closed: returns can no longer be sent or "
            "changed. Ask the programme team if you need to report."
        )
    if reporting_round.status != RoundStatus.OPEN:
        return f"The {reporting_round.name} round is not open yet."
    return ""


def require_open_round(member_return: MemberReturn) -> None:
    if message := round_closed_message(member_return):
        raise ValidationError(message)


def require_editable(member_return: MemberReturn) -> None:
    require_open_round(member_return)
    if member_return.status not in EDITABLE:
        raise ValidationError(
            f"This return is {member_return.get_status_display().lower()}: it can no longer "
            "be changed."
        )


def _pillar_metrics(tenant, member_return: MemberReturn) -> dict[str, PillarMetric]:
    return {
        pm.metric.code: pm
        for pm in PillarMetric.objects.filter(
            tenant=tenant, charter=member_return.round.charter_id
        ).select_related("metric")
    }


def return_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    member_return: MemberReturn,
    figures: Sequence[FigureInput] = (),
    narratives: dict[str, str] | None = None,
) -> MemberReturn:
    """Save figures (by metric code) and narratives (by pillar code) of a return not yet
    submitted. Every figure is checked first: one wrong figure saves nothing."""
    own(tenant, member_return, "This return")
    require_member_admin(access, member_return.signatory)
    require_editable(member_return)
    metrics = _pillar_metrics(tenant, member_return)
    pillars = set(
        Theme.objects.filter(tenant=tenant, version=member_return.signatory.version_id).values_list(
            "code", flat=True
        )
    )
    errors: dict[str, list[str]] = {}
    checked: list[tuple[PillarMetric, Decimal | None, FigureInput]] = []
    for figure in figures:
        pillar_metric = metrics.get(figure.metric_code)
        if pillar_metric is None:
            errors.setdefault("figures", []).append(
                f"{figure.metric_code} is not one of the metrics of this charter."
            )
            continue
        if figure.source not in FigureSource.values:
            errors.setdefault(field_name(pillar_metric), []).append("Unknown source.")
            continue
        if figure.value is None or str(figure.value).strip() == "":
            checked.append((pillar_metric, None, figure))
            continue
        try:
            checked.append(
                (pillar_metric, _check_value(pillar_metric, figure.value, figure.unit), figure)
            )
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    for pillar_code in narratives or {}:
        if pillar_code not in pillars:
            errors.setdefault("narratives", []).append(f"{pillar_code} is not a pillar.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for pillar_metric, value, figure in checked:
            if value is None:
                ReturnFigure.objects.filter(
                    tenant=tenant, member_return=member_return, pillar_metric=pillar_metric
                ).delete()
                continue
            existing = (
                ReturnFigure.objects.select_for_update()
                .filter(tenant=tenant, member_return=member_return, pillar_metric=pillar_metric)
                .first()
            )
            fields = {"value": value, "unit": pillar_metric.unit, "source": figure.source}
            if figure.note is not None:
                fields["note"] = figure.note.strip()
            # A figure still taken from its KVI, value unchanged, keeps its measurement.
            if not (
                existing is not None
                and figure.source == FigureSource.KVI
                and existing.source == FigureSource.KVI
                and existing.value == value
            ):
                fields["measurement"] = None
            if existing is None:
                ReturnFigure.objects.create(
                    tenant=tenant,
                    member_return=member_return,
                    pillar_metric=pillar_metric,
                    **{"note": "", **fields},
                )
            else:
                for name, field_value in fields.items():
                    setattr(existing, name, field_value)
                existing.save(update_fields=[*fields, "updated_at"])
        for pillar_code, text in (narratives or {}).items():
            if text.strip():
                PillarNarrative.objects.update_or_create(
                    tenant=tenant,
                    member_return=member_return,
                    pillar_code=pillar_code,
                    defaults={"text": text.strip()},
                )
            else:
                PillarNarrative.objects.filter(
                    tenant=tenant, member_return=member_return, pillar_code=pillar_code
                ).delete()
        MemberReturn.objects.filter(pk=member_return.pk, status=ReturnStatus.NOT_STARTED).update(
            status=ReturnStatus.DRAFT, updated_at=timezone.now()
        )
    member_return.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_return.saved",
        obj=member_return,
        changes={
            "figures": {pm.metric.code: str(v) if v is not None else None for pm, v, _ in checked},
            "narratives": sorted(narratives or {}),
        },
    )
    return member_return


def return_figures_from_kvis(
    *, tenant, actor, access: TenantAccess, member_return: MemberReturn
) -> list[ReturnFigure]:
    """Fill the return's figures from the KVIs the member already tracks on the same metrics
    (by metric code): the submitted and validated measurements in the round's period,
    combined as the metric says. Figures the member already entered are left alone."""
    own(tenant, member_return, "This return")
    require_member_admin(access, member_return.signatory)
    require_editable(member_return)
    reporting_round = member_return.round
    metrics = _pillar_metrics(tenant, member_return)
    have = set(
        ReturnFigure.objects.filter(tenant=tenant, member_return=member_return).values_list(
            "pillar_metric__metric__code", flat=True
        )
    )
    kvis = {
        kvi.metric.code: kvi
        for kvi in Kvi.objects.filter(
            tenant=tenant,
            organisation=member_return.signatory.organisation_id,
            metric__code__in=[code for code in metrics if code not in have],
        ).select_related("metric")
    }
    made = []
    for code, kvi in kvis.items():
        pillar_metric = metrics[code]
        measurements = list(
            Measurement.objects.filter(
                tenant=tenant,
                kvi=kvi,
                period__gte=reporting_round.period_start,
                period__lte=reporting_round.period_end,
                status__in=[MeasurementStatus.SUBMITTED, MeasurementStatus.VALIDATED],
            ).order_by("period")
        )
        if not measurements or kvi.metric.unit != pillar_metric.unit:
            continue
        method = pillar_metric.metric.aggregation
        if method == Aggregation.RATIO:
            pairs = [(m.numerator, m.denominator) for m in measurements if m.denominator]
            if not pairs:
                continue
            value = periods.combine(pairs, method)
            if pillar_metric.unit == Unit.PERCENT:
                value *= 100
        else:
            values = [m.value for m in measurements if m.value is not None]
            if not values:
                continue
            value = periods.combine(values, method)
        made.append(
            ReturnFigure.objects.create(
                tenant=tenant,
                member_return=member_return,
                pillar_metric=pillar_metric,
                value=value.quantize(SIX_PLACES),
                unit=pillar_metric.unit,
                source=FigureSource.KVI,
                measurement=measurements[-1],
                note=f"From KVI {kvi.code}: {len(measurements)} period(s).",
            )
        )
    if made:
        MemberReturn.objects.filter(pk=member_return.pk, status=ReturnStatus.NOT_STARTED).update(
            status=ReturnStatus.DRAFT, updated_at=timezone.now()
        )
        member_return.refresh_from_db()
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="anchor_return.figures_from_kvis",
            obj=member_return,
            changes={f.pillar_metric.metric.code: str(f.value) for f in made},
        )
    return made


def return_submit(
    *, tenant, actor, access: TenantAccess, member_return: MemberReturn
) -> MemberReturn:
    """Send the return to the programme team. Refused once the round has closed; after the due
    date it is accepted but flagged late."""
    own(tenant, member_return, "This return")
    require_member_admin(access, member_return.signatory)
    require_editable(member_return)
    if not ReturnFigure.objects.filter(tenant=tenant, member_return=member_return).exists():
        raise ValidationError({"figures": "Enter at least one figure before sending the return."})
    now = timezone.now()
    late = timezone.localdate() > member_return.round.due_on
    # Compare-and-set on the return's state and the round's: a round closing meanwhile wins.
    if not MemberReturn.objects.filter(
        pk=member_return.pk, status__in=EDITABLE, round__status=RoundStatus.OPEN
    ).update(
        status=ReturnStatus.SUBMITTED,
        submitted_at=now,
        submitted_by=who(actor),
        submitted_late=late,
        updated_at=now,
    ):
        raise ValidationError("This return has just changed. Reload it.")
    member_return.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_return.submitted",
        obj=member_return,
        changes={"late": late, "due_on": str(member_return.round.due_on)},
    )
    queue_notice(tenant, "return_submitted", member_return.pk)
    return member_return


def late_message(member_return: MemberReturn) -> str:
    """What to tell the member after a late submission (empty when on time)."""
    if not member_return.submitted_late:
        return ""
    due = member_return.round.due_on
    return f"Your return was sent after it was due on {due:%-d %B %Y}: it is recorded as late."


# --- Queries, answers and acceptance ---------------------------------------------------------


def figure_query_raise(
    *, tenant, actor, access: TenantAccess, figure: ReturnFigure, text: str
) -> FigureQuery:
    """The programme team asks about one figure of a submitted return."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, figure, "This figure")
    member_return = MemberReturn.objects.get(tenant=tenant, pk=figure.member_return_id)
    if not text.strip():
        raise ValidationError({"text": "Say what you want to know about the figure."})
    if member_return.status not in (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED):
        raise ValidationError(
            f"This return is {member_return.get_status_display().lower()}: only a submitted "
            "return can be queried."
        )
    now = timezone.now()
    with transaction.atomic():
        if not MemberReturn.objects.filter(
            pk=member_return.pk, status__in=[ReturnStatus.SUBMITTED, ReturnStatus.QUERIED]
        ).update(status=ReturnStatus.QUERIED, updated_at=now):
            raise ValidationError("This return has just changed. Reload it.")
        query = FigureQuery.objects.create(
            tenant=tenant, figure=figure, text=text.strip(), raised_by=who(actor), raised_at=now
        )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_figure.queried",
        obj=member_return,
        changes={"query": str(query.pk), "metric": figure.pillar_metric.metric.code},
    )
    queue_notice(tenant, "figure_queried", query.pk)
    return query


def figure_query_respond(
    *,
    tenant,
    actor,
    access: TenantAccess,
    query: FigureQuery,
    response: str,
    corrected_value: Decimal | str | None = None,
    unit: str | None = None,
) -> FigureQuery:
    """The member answers a query, correcting the figure when it was wrong (in the metric's
    unit). When no query of the return is left unanswered, it is submitted again."""
    own(tenant, query, "This query")
    figure = ReturnFigure.objects.select_related(
        "pillar_metric__metric", "member_return__signatory__organisation"
    ).get(tenant=tenant, pk=query.figure_id)
    member_return = figure.member_return
    require_member_admin(access, member_return.signatory)
    if query.responded_at is not None:
        raise ValidationError("This query has already been answered.")
    if member_return.status != ReturnStatus.QUERIED:
        raise ValidationError("This return is not waiting for answers to queries.")
    errors = {}
    if not response.strip():
        errors["response"] = "Answer the programme team's question."
    new_value = None
    if corrected_value is not None and str(corrected_value).strip():
        try:
            new_value = _check_value(
                figure.pillar_metric, corrected_value, unit or figure.pillar_metric.unit
            )
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        updates = {"response": response.strip(), "responded_by": who(actor), "responded_at": now}
        if new_value is not None and new_value != figure.value:
            updates.update(old_value=figure.value, new_value=new_value)
            ReturnFigure.objects.filter(pk=figure.pk).update(
                value=new_value, source=FigureSource.ENTERED, measurement=None, updated_at=now
            )
        if not FigureQuery.objects.filter(pk=query.pk, responded_at__isnull=True).update(
            updated_at=now, **updates
        ):
            raise ValidationError("This query has just been answered. Reload it.")
        unanswered = FigureQuery.objects.filter(
            tenant=tenant, figure__member_return=member_return, responded_at__isnull=True
        ).exists()
        if not unanswered:
            MemberReturn.objects.filter(pk=member_return.pk, status=ReturnStatus.QUERIED).update(
                status=ReturnStatus.SUBMITTED, updated_at=now
            )
    query.refresh_from_db()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="anchor_figure.query_answered",
        obj=member_return,
        changes={
            "query": str(query.pk),
            "value": [str(query.old_value), str(query.new_value)] if query.new_value else None,
        },
    )
    queue_notice(tenant, "query_answered", query.pk)
    return query


def return_accept(
    *, tenant, actor, access: TenantAccess, member_return: MemberReturn
) -> MemberReturn:
    """The programme team accepts a submitted return (every query answered): its figures then
    count in the benchmarks and the collective impact."""
    access.require(Perm.MANAGE_CHARTERS)
    own(tenant, member_return, "This return")
    if member_return.status == ReturnStatus.QUERIED:
        raise ValidationError(
            "This return has queries waiting for answers: it cannot be accepted yet."
        )
    now = timezone.now()
    with transaction.atomic():
        if not MemberReturn.objects.filter(
            pk=member_return.pk, status=ReturnStatus.SUBMITTED
        ).update(
            status=ReturnStatus.ACCEPTED, accepted_at=now, accepted_by=who(actor), updated_at=now
        ):
            raise ValidationError(
                f"This return is {member_return.get_status_display().lower()}: only a submitted "
                "return can be accepted."
            )
        FigureQuery.objects.filter(
            tenant=tenant, figure__member_return=member_return, resolved_at__isnull=True
        ).update(resolved_at=now, updated_at=now)
    member_return.refresh_from_db()
    audit_record(
        tenant=tenant, actor=actor, verb="anchor_return.accepted", obj=member_return, changes={}
    )
    queue_notice(tenant, "return_accepted", member_return.pk)
    return member_return


# --- Reminders -------------------------------------------------------------------------------


def return_reminders_send(*, tenant) -> int:
    """Remind members whose return is outstanding in an open round: once when it is due within
    REMINDER_DAYS days, once more after the due date. Run daily."""
    today = timezone.localdate()
    outstanding = MemberReturn.objects.filter(
        tenant=tenant,
        status__in=OUTSTANDING,
        round__status=RoundStatus.OPEN,
        round__due_on__lte=today + timedelta(days=REMINDER_DAYS),
    )
    # A return reminded (by hand) before the due-soon window is reminded once more in it.
    due_soon = outstanding.filter(round__due_on__gte=today).filter(
        Q(last_reminded_on__isnull=True)
        | Q(last_reminded_on__lt=F("round__due_on") - timedelta(days=REMINDER_DAYS))
    )
    overdue = outstanding.filter(round__due_on__lt=today).filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=F("round__due_on"))
    )
    ids = list(due_soon.values_list("id", flat=True)) + list(overdue.values_list("id", flat=True))
    MemberReturn.objects.filter(id__in=ids).update(last_reminded_on=today)
    for return_id in ids:
        queue_notice(tenant, "return_reminder", return_id)
    return len(ids)
