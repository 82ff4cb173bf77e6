"""Level 1 tracking: each KVI linked to the commitments with its figures since the tracking
period began, the months left, and the KVIs with no recent figure; a fixed number of queries."""

from decimal import Decimal

import pytest

from awards import services
from awards.models import Application
from awards.tracking import application_tracking
from kvi import services as kvi_services
from tenancy.context import tenant_context
from tests.awards_builders import as_user, day, kvi_for, open_scheme

pytestmark = pytest.mark.django_db
D = Decimal


def _record(cast, kvi, period, numerator, denominator=100):
    recorder = as_user(cast, cast.organisation_admin)
    measurement = kvi_services.measurement_record(
        **recorder,
        kvi=kvi,
        period=day(period),
        numerator=D(numerator),
        denominator=D(denominator),
    )
    kvi_services.measurement_submit(**recorder, measurement=measurement)


def test_figures_to_date_months_left_and_kvis_missing_a_recent_figure(
    cast_a, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        applicant = as_user(cast_a, cast_a.organisation_admin)
        application = services.application_start(
            **applicant,
            organisation=cast_a.organisation,
            version=scheme.version,
            level=scheme.level_one,
            area_codes=["economic", "environmental"],
        )
        areas = {a.code: a for a in scheme.version.areas.all()}
        spend = kvi_for(cast_a, cast_a.organisation, "SPEND")
        waste = kvi_for(cast_a, cast_a.organisation, "WASTE")
        local = services.commitment_save(
            **applicant, application=application, area=areas["economic"], text="Buy locally"
        )
        green = services.commitment_save(
            **applicant, application=application, area=areas["environmental"], text="Less waste"
        )
        services.commitment_kvis_set(**applicant, commitment=local, kvis=[spend])
        services.commitment_kvis_set(**applicant, commitment=green, kvis=[spend, waste])
        Application.objects.filter(pk=application.pk).update(tracking_starts_on=day("2022-04-01"))
        application = Application.objects.select_related("level").get(pk=application.pk)
        _record(cast_a, spend, "2022-03-01", 99)  # before the period: not counted
        for month, numerator in [("04", 10), ("05", 12), ("06", 14), ("07", 13), ("08", 15)]:
            _record(cast_a, spend, f"2022-{month}-01", numerator)
        _record(cast_a, waste, "2022-09-01", 40)
        with django_assert_max_num_queries(3):
            tracking = application_tracking(
                tenant=cast_a.tenant, application=application, today=day("2022-10-15")
            )
        assert (tracking.starts_on, tracking.ends_on) == (day("2022-04-01"), day("2023-10-01"))
        assert tracking.months_left == 11
        first, second = tracking.kvis
        assert (first.kvi, second.kvi) == (spend, waste)
        assert first.commitments == ["Buy locally", "Less waste"]
        assert [period for period, _ in first.figures] == [
            day(f"2022-{m}-01") for m in ("04", "05", "06", "07", "08")
        ]
        # A ratio combines as Σ numerators ÷ Σ denominators: 64 / 500 = 12.8%.
        assert first.to_date == D("12.8")
        assert first.last_complete_period == day("2022-09-01")
        assert first.needs_figure and not second.needs_figure
        assert tracking.kvis_needing_figures == [first]
        after = application_tracking(
            tenant=cast_a.tenant, application=application, today=day("2023-11-01")
        )
        assert after.months_left == 0


def test_levels_without_a_tracking_period_have_no_tracking(cast_a):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        application = services.application_start(
            **as_user(cast_a, cast_a.organisation_admin),
            organisation=cast_a.organisation,
            version=scheme.version,
            level=scheme.bronze,
            area_codes=["social", "economic"],
        )
        assert application.tracking_starts_on is None
        assert application_tracking(tenant=cast_a.tenant, application=application) is None
