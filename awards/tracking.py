"""Level 1 tracking: for a level with a tracking period, each KVI linked to the application's
commitments with its figures since the period began, the months left, and whether it is
missing a recent figure (none for the last complete period of its frequency). Reads only:
three queries whatever the number of KVIs."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from awards.models import Application
from awards.selectors import application_commitments
from kvi import periods
from kvi.models import Kvi, Measurement
from kvi.selectors import COUNTED_STATUSES, combined_figure, measurement_figure


@dataclass(frozen=True)
class TrackedKvi:
    kvi: Kvi
    commitments: list[str]  # the commitments it tracks
    figures: list[tuple[date, Decimal]]  # (period, figure) since tracking began
    to_date: Decimal | None  # those figures combined as the KVI's metric says
    last_complete_period: date
    needs_figure: bool  # no figure for the last complete period (or later)


@dataclass(frozen=True)
class Tracking:
    starts_on: date
    ends_on: date  # when the tracking period ends and the evidence is due
    months_left: int  # whole months from today to the end (0 once ended)
    kvis: list[TrackedKvi]

    @property
    def kvis_needing_figures(self) -> list[TrackedKvi]:
        return [tracked for tracked in self.kvis if tracked.needs_figure]


def _last_complete_period(today: date, frequency: str) -> date:
    return periods.period_start(
        periods.period_start(today, frequency) - timedelta(days=1), frequency
    )


def application_tracking(
    *, tenant, application: Application, today: date | None = None
) -> Tracking | None:
    """The tracking view of an application whose level has a tracking period, else None."""
    months = application.level.tracking_months
    if not months or application.tracking_starts_on is None:
        return None
    today = today or timezone.localdate()
    starts_on = application.tracking_starts_on
    ends_on = starts_on + relativedelta(months=months)
    gap = relativedelta(ends_on, today)
    months_left = max(gap.years * 12 + gap.months, 0) if ends_on > today else 0
    tracked: dict = {}
    for commitment in application_commitments(tenant=tenant, application=application):
        for link in commitment.kvi_links.all():
            kvi, texts = tracked.setdefault(link.kvi_id, (link.kvi, []))
            texts.append(commitment.text)
    rows = defaultdict(list)
    if tracked:
        earliest = min(
            periods.period_start(starts_on, kvi.frequency) for kvi, _ in tracked.values()
        )
        for row in Measurement.objects.filter(
            tenant=tenant,
            kvi__in=list(tracked),
            status__in=COUNTED_STATUSES,
            period__gte=earliest,
        ).order_by("period"):
            rows[row.kvi_id].append(row)
    result = []
    for kvi, texts in sorted(tracked.values(), key=lambda item: item[0].code):
        first = periods.period_start(starts_on, kvi.frequency)
        own = [row for row in rows[kvi.pk] if row.period >= first]
        last_complete = _last_complete_period(today, kvi.frequency)
        result.append(
            TrackedKvi(
                kvi=kvi,
                commitments=texts,
                figures=[(row.period, measurement_figure(kvi, row)) for row in own],
                to_date=combined_figure(kvi, own),
                last_complete_period=last_complete,
                needs_figure=not own or own[-1].period < last_complete,
            )
        )
    return Tracking(starts_on=starts_on, ends_on=ends_on, months_left=months_left, kvis=result)
