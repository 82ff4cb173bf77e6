"""Board report data for tests: a KVI set-up through the services, reports created straight in
the table (the reporting services are tested elsewhere), many KVIs in bulk for query-count
tests, and moving what was built into the past (so that a data freeze can fall between it and
what a test does next).

Call these inside `tenant_context(cast.tenant.id)`."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kvi import services as kvi_services
from kvi.models import Kvi, Measurement, MeasurementRevision, MeasurementStatus, Metric
from kvi.services import KviInput
from reporting.models import Report, ReportKind
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for
from tests.conftest import Cast

D = Decimal
PERIOD_END = date(2022, 9, 30)


def as_user(cast, user) -> dict:
    return {
        "tenant": cast.tenant,
        "actor": user,
        "access": tenant_access_for(user=user, tenant=cast.tenant),
    }


def months(start: date, count: int) -> list[date]:
    index = start.year * 12 + start.month - 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


@dataclass
class KviSetup:
    """A published framework (two themes) and the cast organisation's KVIs on it."""

    cast: Cast
    metrics: dict = field(default_factory=dict)
    kvis: dict = field(default_factory=dict)

    def record(self, code, period, *, validate=True, **figures) -> Measurement:
        cast = self.cast
        member = as_user(cast, cast.organisation_member)
        measurement = kvi_services.measurement_record(
            kvi=self.kvis[code], period=period, **member, **figures
        )
        measurement = kvi_services.measurement_submit(measurement=measurement, **member)
        if validate:
            measurement = kvi_services.measurement_validate(
                measurement=measurement, **as_user(cast, cast.organisation_admin)
            )
        return measurement

    def correct(self, measurement, *, reason="Corrected figure", **figures):
        return kvi_services.measurement_correct(
            measurement=measurement,
            reason=reason,
            **as_user(self.cast, self.cast.organisation_member),
            **figures,
        )


def kvi_setup(cast, *, organisation=None) -> KviSetup:
    """Framework "Social value framework" with themes Economic (LOCAL-SPEND: % ratio) and
    Wellbeing (CRISIS: people, average; VOLUNTEER: hours, sum), and KVIs SPEND (18% in
    2022/23), CRISIS (50 a month) and HOURS (1,000 hours) of the cast's organisation."""
    admin = as_user(cast, cast.tenant_admin)
    setup = KviSetup(cast)
    framework = kvi_services.framework_create(**admin, name="Social value framework")
    themes = [
        ("Economic", "Procurement", [("LOCAL-SPEND", "Local spend", "%", "increase", "ratio")]),
        (
            "Wellbeing",
            "Wider community",
            [
                ("CRISIS", "Crisis responses", "people", "increase", "average"),
                ("VOLUNTEER", "Volunteer hours", "hours", "increase", "sum"),
            ],
        ),
    ]
    for position, (theme_name, sub_name, metrics) in enumerate(themes):
        theme = kvi_services.theme_save(
            **admin, framework=framework, name=theme_name, position=position
        )
        subtheme = kvi_services.subtheme_save(**admin, theme=theme, name=sub_name)
        for code, name, unit, direction, aggregation in metrics:
            setup.metrics[code] = kvi_services.metric_save(
                **admin,
                subtheme=subtheme,
                code=code,
                name=name,
                definition=f"{name}.",
                unit=unit,
                direction=direction,
                aggregation=aggregation,
            )
    kvi_services.framework_publish(**admin, framework=framework)
    organisation = organisation or cast.organisation
    org_admin = as_user(cast, cast.organisation_admin)
    for code, metric, title, target in [
        ("SPEND", "LOCAL-SPEND", "18% of spend with local firms", D("18")),
        ("CRISIS", "CRISIS", "50 crisis responses a month", D("50")),
        ("HOURS", "VOLUNTEER", "1,000 volunteer hours a year", D("1000")),
    ]:
        setup.kvis[code] = kvi_services.kvi_create(
            **org_admin,
            organisation=organisation,
            data=KviInput(
                code=code,
                title=title,
                metric=setup.metrics[metric],
                frequency="monthly",
                target_value=target,
                target_financial_year="2022/23",
            ),
        )
    return setup


def standard_figures(setup: KviSetup) -> None:
    """Monthly figures April 2021 - September 2022: local spend 10% then 13%, crisis responses
    about 50 then rising, 80 volunteer hours a month."""
    for index, period in enumerate(months(date(2021, 4, 1), 18)):
        later = period >= date(2022, 4, 1)
        setup.record("SPEND", period, numerator=D(130 if later else 100), denominator=D(1000))
        setup.record("CRISIS", period, value=D(50 + (index % 3) + (40 if later else 0)))
        setup.record("HOURS", period, value=D(80))


def report(cast, kind=ReportKind.ORGANISATION, **fields) -> Report:
    defaults = {
        "title": "Social value mid-year report",
        "period_end": PERIOD_END,
        "data_freeze_date": timezone.localdate(),
        "meeting": "Public board",
        "meeting_date": date(2022, 10, 19),
        "agenda_item": "12",
        "lead_director": "Anthony Bennett, Chief Strategy Officer",
        "authors": "David Hammond, Deputy Director of Strategy",
        "action_required": "Assure",
        "executive_summary": "Good progress on local spend.",
    }
    if kind == ReportKind.ORGANISATION:
        defaults["organisation"] = cast.organisation
    return Report.objects.create(tenant=cast.tenant, kind=kind, **{**defaults, **fields})


def backdate(tenant, *, days: int) -> None:
    """Move every KVI, measurement, correction and audit event of the tenant `days` into the
    past, as if they had been entered then."""
    shift = timedelta(days=days)
    for model, names in (
        (Kvi, ("created_at", "updated_at")),
        (Metric, ("created_at", "updated_at")),
        (Measurement, ("created_at", "updated_at", "submitted_at", "validated_at")),
        (MeasurementRevision, ("created_at", "changed_at")),
        (AuditEvent, ("created_at",)),
    ):
        from django.db.models import F

        model.objects.filter(tenant=tenant).update(**{name: F(name) - shift for name in names})


def many_kvis(setup: KviSetup, count: int, *, organisation=None) -> list[Kvi]:
    """`count` more KVIs of the organisation on the CRISIS metric, each with 18 validated
    monthly figures (straight into the tables: fast)."""
    cast = setup.cast
    organisation = organisation or cast.organisation
    now = timezone.now()
    start = Kvi.objects.filter(tenant=cast.tenant, code__startswith="BULK-").count()
    kvis = Kvi.objects.bulk_create(
        [
            Kvi(
                tenant=cast.tenant,
                organisation=organisation,
                metric=setup.metrics["CRISIS"],
                code=f"BULK-{start + i:03d}",
                title=f"Bulk KVI {start + i}",
                frequency="monthly",
                target_value=D("50"),
                target_financial_year="2022/23",
            )
            for i in range(count)
        ]
    )
    Measurement.objects.bulk_create(
        [
            Measurement(
                tenant=cast.tenant,
                kvi=kvi,
                period=period,
                value=D(40 + (i * 7 + j) % 20),
                status=MeasurementStatus.VALIDATED,
                submitted_at=now,
                validated_at=now,
            )
            for i, kvi in enumerate(kvis)
            for j, period in enumerate(months(date(2021, 4, 1), 18))
        ]
    )
    return kvis
