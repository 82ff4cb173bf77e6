"""Frameworks, KVIs and measurements: versioning, validation, the measurement workflow and its
revisions, year-to-date figures, SPC, tenant isolation and the demo."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvi import selectors, services
from kvi.models import (
    Crosswalk,
    Framework,
    FrameworkStatus,
    FrameworkTheme,
    Kvi,
    Measurement,
    MeasurementRevision,
    MeasurementStatus,
    Metric,
    SubTheme,
)
from kvi.services import KviInput
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Tenant
from tenancy.permissions import tenant_access_for

pytestmark = pytest.mark.django_db
D = Decimal


def _access(cast, who):
    return tenant_access_for(user=who, tenant=cast.tenant)


class Setup:
    """A published framework with three metrics and a KVI of each in the cast's organisation."""

    def __init__(self, cast):
        self.cast = cast
        tenant, admin = cast.tenant, cast.tenant_admin
        access = _access(cast, admin)
        self.framework = services.framework_create(
            tenant=tenant, actor=admin, access=access, name="Social value framework"
        )
        theme = services.theme_save(
            tenant=tenant, actor=admin, access=access, framework=self.framework, name="Economic"
        )
        self.subtheme = services.subtheme_save(
            tenant=tenant, actor=admin, access=access, theme=theme, name="Procurement"
        )
        self.metrics = {}
        for code, unit, direction, aggregation in [
            ("LOCAL-SPEND", "%", "increase", "ratio"),
            ("CRISIS", "people", "increase", "average"),
            ("SESSIONS", "sessions", "increase", "sum"),
        ]:
            self.metrics[code] = services.metric_save(
                tenant=tenant,
                actor=admin,
                access=access,
                subtheme=self.subtheme,
                code=code,
                name=code.title(),
                definition=f"The {code.lower()}",
                unit=unit,
                direction=direction,
                aggregation=aggregation,
            )
        services.crosswalk_add(
            tenant=tenant,
            actor=admin,
            access=access,
            metric=self.metrics["LOCAL-SPEND"],
            scheme="ppn_0620",
            item_code="MAC 2",
            item_label="Tackling economic inequality",
        )
        services.framework_publish(
            tenant=tenant, actor=admin, access=access, framework=self.framework
        )
        org_admin = _access(cast, cast.organisation_admin)
        self.kvis = {}
        for code, metric, target in [
            ("SPEND", "LOCAL-SPEND", D("18")),
            ("CRISIS", "CRISIS", D("50")),
            ("SESSIONS", "SESSIONS", D("24")),
        ]:
            self.kvis[code] = services.kvi_create(
                tenant=tenant,
                actor=cast.organisation_admin,
                access=org_admin,
                organisation=cast.organisation,
                data=KviInput(
                    code=code,
                    title=f"{code} KVI",
                    metric=self.metrics[metric],
                    frequency="monthly",
                    target_value=target,
                    target_financial_year="2022/23",
                ),
            )

    def record(self, kvi_code, period, *, who=None, submit=True, validate=True, **figures):
        cast = self.cast
        who = who or cast.organisation_member
        kwargs = dict(tenant=cast.tenant, actor=who, access=_access(cast, who))
        measurement = services.measurement_record(
            kvi=self.kvis[kvi_code], period=period, **kwargs, **figures
        )
        if submit:
            measurement = services.measurement_submit(measurement=measurement, **kwargs)
        if submit and validate:
            measurement = services.measurement_validate(
                tenant=cast.tenant,
                actor=cast.organisation_admin,
                access=_access(cast, cast.organisation_admin),
                measurement=measurement,
            )
        return measurement


@pytest.fixture
def setup_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        yield Setup(cast_a)


# --- Frameworks -----------------------------------------------------------------------------


def test_new_version_copies_the_tree_as_a_draft_and_publishing_supersedes(setup_a):
    cast = setup_a.cast
    tenant, admin, access = cast.tenant, cast.tenant_admin, _access(cast, cast.tenant_admin)
    v1 = setup_a.framework
    assert v1.status == FrameworkStatus.PUBLISHED and v1.version == 1
    v2 = services.framework_new_version(tenant=tenant, actor=admin, access=access, framework=v1)
    assert (v2.version, v2.status, v2.copied_from_id) == (2, FrameworkStatus.DRAFT, v1.pk)
    assert FrameworkTheme.objects.filter(framework=v2).count() == 1
    assert SubTheme.objects.filter(theme__framework=v2).count() == 1
    assert sorted(Metric.objects.filter(framework=v2).values_list("code", flat=True)) == [
        "CRISIS",
        "LOCAL-SPEND",
        "SESSIONS",
    ]
    assert Crosswalk.objects.filter(metric__framework=v2).get().item_code == "MAC 2"
    # v1 is untouched and its KVIs stay on its metrics.
    assert Metric.objects.filter(framework=v1).count() == 3
    assert setup_a.kvis["SPEND"].metric.framework_id == v1.pk
    # Only one draft at a time; a published version cannot be changed.
    with pytest.raises(ValidationError):
        services.framework_new_version(tenant=tenant, actor=admin, access=access, framework=v1)
    with pytest.raises(ValidationError, match="only a draft"):
        services.theme_save(tenant=tenant, actor=admin, access=access, framework=v1, name="New")
    services.framework_publish(tenant=tenant, actor=admin, access=access, framework=v2)
    v1.refresh_from_db()
    assert v1.status == FrameworkStatus.SUPERSEDED
    assert selectors.framework_current(tenant=tenant, name=v1.name).pk == v2.pk
    assert AuditEvent.objects.filter(verb="framework.published").count() == 2
    assert AuditEvent.objects.filter(verb="framework.version_created").count() == 1


def test_framework_management_is_for_tenant_admins(setup_a):
    cast = setup_a.cast
    for who in (cast.organisation_admin, cast.organisation_member, cast.assessor):
        with pytest.raises(PermissionDenied):
            services.framework_create(
                tenant=cast.tenant, actor=who, access=_access(cast, who), name="Mine"
            )
    assert Framework.objects.count() == 1


def test_metric_codes_are_unique_within_a_framework_version(setup_a):
    cast = setup_a.cast
    access = _access(cast, cast.tenant_admin)
    v2 = services.framework_new_version(
        tenant=cast.tenant, actor=cast.tenant_admin, access=access, framework=setup_a.framework
    )
    subtheme = SubTheme.objects.get(theme__framework=v2)
    with pytest.raises(ValidationError) as error:
        services.metric_save(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=access,
            subtheme=subtheme,
            code="local-spend",
            name="Again",
            definition="Again",
            unit="%",
            direction="increase",
            aggregation="ratio",
        )
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.metric_save(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=access,
            subtheme=subtheme,
            code="NEW",
            name="New",
            definition="New",
            unit="furlongs",
            direction="up",
            aggregation="median",
        )
    assert set(error.value.message_dict) == {"unit", "direction", "aggregation"}
    assert Metric.objects.filter(framework=v2).count() == 3


def test_an_organisation_adds_its_own_metric_to_the_published_framework(setup_a):
    cast = setup_a.cast
    metric = services.metric_save(
        tenant=cast.tenant,
        actor=cast.organisation_admin,
        access=_access(cast, cast.organisation_admin),
        subtheme=setup_a.subtheme,
        organisation=cast.organisation,
        code="MENTORING",
        name="Reciprocal mentoring sessions",
        definition="Sessions between board members and BAME staff",
        unit="sessions",
        direction="increase",
        aggregation="sum",
    )
    assert metric.organisation == cast.organisation
    with pytest.raises(PermissionDenied):
        services.metric_save(
            tenant=cast.tenant,
            actor=cast.organisation_member,
            access=_access(cast, cast.organisation_member),
            subtheme=setup_a.subtheme,
            organisation=cast.organisation,
            code="OTHER",
            name="Other",
            definition="Other",
            unit="count",
            direction="increase",
            aggregation="sum",
        )
    tree = selectors.framework_tree(tenant=cast.tenant, framework_id=setup_a.framework.pk)
    assert "MENTORING" not in [
        m.code for t in tree.themes.all() for s in t.subthemes.all() for m in s.metrics.all()
    ]
    tree = selectors.framework_tree(
        tenant=cast.tenant, framework_id=setup_a.framework.pk, organisation=cast.organisation
    )
    assert "MENTORING" in [
        m.code for t in tree.themes.all() for s in t.subthemes.all() for m in s.metrics.all()
    ]


def test_framework_tree_takes_one_query_per_level(setup_a):
    cast = setup_a.cast
    with CaptureQueriesContext(connection) as queries:
        tree = selectors.framework_tree(tenant=cast.tenant, framework_id=setup_a.framework.pk)
        codes = [
            (m.code, [c.item_code for c in m.crosswalks.all()])
            for t in tree.themes.all()
            for s in t.subthemes.all()
            for m in s.metrics.all()
        ]
    assert len(queries) == 5
    assert ("LOCAL-SPEND", ["MAC 2"]) in codes


# --- KVIs -----------------------------------------------------------------------------------


def test_kvi_validates_codes_targets_and_metric(setup_a):
    cast = setup_a.cast
    access = _access(cast, cast.organisation_admin)
    base = dict(tenant=cast.tenant, actor=cast.organisation_admin, access=access)
    with pytest.raises(ValidationError) as error:
        services.kvi_create(
            **base,
            organisation=cast.organisation,
            data=KviInput(
                code="spend",
                title="Again",
                metric=setup_a.metrics["LOCAL-SPEND"],
                frequency="fortnightly",
                target_value=D("18"),
                target_financial_year="2022/24",
            ),
        )
    assert set(error.value.message_dict) == {"code", "frequency", "target_financial_year"}
    with pytest.raises(PermissionDenied):
        services.kvi_create(
            **base,
            organisation=cast.other_organisation,
            data=KviInput(
                code="X", title="X", metric=setup_a.metrics["CRISIS"], frequency="monthly"
            ),
        )
    kvi = setup_a.kvis["SPEND"]
    assert kvi.improvement_direction == "increase"
    assert Kvi.objects.count() == 3


# --- Measurements ---------------------------------------------------------------------------


def test_period_must_start_a_period_of_the_kvis_frequency(setup_a):
    cast = setup_a.cast
    with pytest.raises(ValidationError) as error:
        setup_a.record("CRISIS", date(2022, 9, 15), value=D("100"))
    message = error.value.message_dict["period"][0]
    assert "2022-09-15 does not start a monthly period" in message
    assert "2022-09-01" in message
    quarterly = services.kvi_create(
        tenant=cast.tenant,
        actor=cast.organisation_admin,
        access=_access(cast, cast.organisation_admin),
        organisation=cast.organisation,
        data=KviInput(code="Q", title="Q", metric=setup_a.metrics["CRISIS"], frequency="quarterly"),
    )
    setup_a.kvis["Q"] = quarterly
    with pytest.raises(ValidationError) as error:
        setup_a.record("Q", date(2022, 5, 1), value=D("1"))
    assert "2022-04-01" in error.value.message_dict["period"][0]
    setup_a.record("Q", date(2022, 7, 1), value=D("1"))
    assert Measurement.objects.count() == 1


def test_denominator_zero_is_refused_naming_the_field(setup_a):
    with pytest.raises(ValidationError) as error:
        setup_a.record("SPEND", date(2022, 4, 1), numerator=D("10"), denominator=D("0"))
    assert error.value.message_dict == {"denominator": ["The denominator cannot be zero."]}
    with pytest.raises(ValidationError) as error:
        setup_a.record("SPEND", date(2022, 4, 1), value=D("13"))
    assert "numerator" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        setup_a.record("CRISIS", date(2022, 4, 1), value="lots")
    assert "value" in error.value.message_dict
    assert Measurement.objects.count() == 0


def test_submit_then_validate_by_the_organisation_admin(setup_a):
    cast = setup_a.cast
    m = setup_a.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
    assert m.status == MeasurementStatus.SUBMITTED and m.submitted_at is not None
    m = services.measurement_validate(
        tenant=cast.tenant,
        actor=cast.organisation_admin,
        access=_access(cast, cast.organisation_admin),
        measurement=m,
    )
    assert (m.status, m.validated_by) == (MeasurementStatus.VALIDATED, cast.organisation_admin)
    assert m.entered_by == cast.organisation_member
    assert list(
        AuditEvent.objects.filter(object_id=str(m.pk))
        .order_by("created_at")
        .values_list("verb", flat=True)
    ) == ["measurement.recorded", "measurement.submitted", "measurement.validated"]
    # A validated figure cannot be changed as a draft.
    with pytest.raises(ValidationError, match="correct it"):
        setup_a.record("CRISIS", date(2022, 4, 1), value=D("60"), submit=False, validate=False)


def test_an_organisation_member_cannot_validate_and_nothing_changes(setup_a):
    cast = setup_a.cast
    m = setup_a.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
    for who in (cast.organisation_member, cast.tenant_admin, cast.assessor):
        with pytest.raises(PermissionDenied):
            services.measurement_validate(
                tenant=cast.tenant, actor=who, access=_access(cast, who), measurement=m
            )
    m.refresh_from_db()
    assert (m.status, m.validated_by, m.validated_at) == (MeasurementStatus.SUBMITTED, None, None)
    assert not AuditEvent.objects.filter(verb="measurement.validated").exists()


def test_return_needs_a_reason_and_the_figure_comes_back_corrected(setup_a):
    cast = setup_a.cast
    admin = dict(
        tenant=cast.tenant,
        actor=cast.organisation_admin,
        access=_access(cast, cast.organisation_admin),
    )
    m = setup_a.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
    with pytest.raises(ValidationError) as error:
        services.measurement_return(**admin, measurement=m, reason=" ")
    assert "reason" in error.value.message_dict
    m = services.measurement_return(**admin, measurement=m, reason="Count from the rota")
    assert (m.status, m.return_reason) == (MeasurementStatus.RETURNED, "Count from the rota")
    m, revision = services.measurement_correct(
        tenant=cast.tenant,
        actor=cast.organisation_member,
        access=_access(cast, cast.organisation_member),
        measurement=m,
        value=D("61"),
        reason="Recounted from the rota",
    )
    assert (m.status, m.value) == (MeasurementStatus.SUBMITTED, D("61"))
    assert (revision.old_status, revision.old_value, revision.new_value) == (
        MeasurementStatus.RETURNED,
        D("58"),
        D("61"),
    )


def test_correction_after_validation_requires_a_reason_and_keeps_a_revision(setup_a):
    cast = setup_a.cast
    member = dict(
        tenant=cast.tenant,
        actor=cast.organisation_member,
        access=_access(cast, cast.organisation_member),
    )
    m = setup_a.record("SPEND", date(2022, 4, 1), numerator=D("120"), denominator=D("1000"))
    with pytest.raises(ValidationError) as error:
        services.measurement_correct(
            **member, measurement=m, numerator=D("130"), denominator=D("1000"), reason=""
        )
    assert "reason" in error.value.message_dict
    m.refresh_from_db()
    assert (m.status, m.numerator) == (MeasurementStatus.VALIDATED, D("120"))
    assert MeasurementRevision.objects.count() == 0

    m, revision = services.measurement_correct(
        **member,
        measurement=m,
        numerator=D("130.9"),
        denominator=D("1000"),
        reason="Late invoices from a Wirral supplier",
    )
    assert (m.status, m.numerator, m.validated_by) == (
        MeasurementStatus.SUBMITTED,
        D("130.9"),
        None,
    )
    revision = MeasurementRevision.objects.get()
    assert revision.changed_by == cast.organisation_member
    assert revision.changed_at is not None
    assert (revision.old_numerator, revision.old_denominator) == (D("120"), D("1000"))
    assert (revision.new_numerator, revision.new_denominator) == (D("130.9"), D("1000"))
    assert revision.old_status == MeasurementStatus.VALIDATED
    assert revision.reason == "Late invoices from a Wirral supplier"
    # A stale copy cannot overwrite the correction unseen.
    stale = Measurement.objects.get(pk=m.pk)
    stale.numerator = D("120")
    stale.status = MeasurementStatus.VALIDATED
    with pytest.raises(ValidationError, match="changed while"):
        services.measurement_correct(
            **member, measurement=stale, numerator=D("1"), denominator=D("2"), reason="Stale"
        )
    assert MeasurementRevision.objects.count() == 1


# --- Year to date, series and SPC -----------------------------------------------------------


def test_year_to_date_ratio_is_summed_numerators_over_summed_denominators(setup_a):
    cast = setup_a.cast
    # Wirral's 13.09% style: April-September 2022, unequal months.
    figures = [
        (4, "90000", "1000000"),
        (5, "150000", "1200000"),
        (6, "100000", "800000"),
        (7, "140000", "1000000"),
        (8, "120000", "1000000"),
        (9, "185400", "1000000"),
    ]
    for month, numerator, denominator in figures:
        setup_a.record(
            "SPEND", date(2022, month, 1), numerator=D(numerator), denominator=D(denominator)
        )
    # A March 2022 figure belongs to 2021/22 and a draft does not count.
    setup_a.record("SPEND", date(2022, 3, 1), numerator=D("1"), denominator=D("1"))
    setup_a.record("SPEND", date(2022, 10, 1), numerator=D("1"), denominator=D("1"), submit=False)
    kvi = setup_a.kvis["SPEND"]
    ytd = selectors.year_to_date(tenant=cast.tenant, kvi=kvi, as_of=date(2022, 9, 30))
    assert ytd == D("13.09")
    ytd_oct = selectors.year_to_date(tenant=cast.tenant, kvi=kvi, as_of=date(2022, 10, 31))
    assert ytd_oct == ytd  # October's draft is not counted
    series = selectors.kvi_series(tenant=cast.tenant, kvi=kvi)
    assert series[0] == (date(2022, 3, 1), D("100"))
    assert series[1] == (date(2022, 4, 1), D("9"))
    assert selectors.year_to_date(tenant=cast.tenant, kvi=kvi, as_of=date(2021, 9, 1)) is None


def test_year_to_date_sum_and_average(setup_a):
    cast = setup_a.cast
    for month, value in [(4, "2"), (5, "3"), (6, "7")]:
        setup_a.record("SESSIONS", date(2022, month, 1), value=D(value))
        setup_a.record("CRISIS", date(2022, month, 1), value=D(value) * 20)
    as_of = date(2022, 6, 30)
    assert selectors.year_to_date(
        tenant=cast.tenant, kvi=setup_a.kvis["SESSIONS"], as_of=as_of
    ) == D("12")
    assert selectors.year_to_date(tenant=cast.tenant, kvi=setup_a.kvis["CRISIS"], as_of=as_of) == D(
        "80"
    )
    # Submitted (not yet validated) figures count; drafts and returned ones do not.
    setup_a.record("SESSIONS", date(2022, 7, 1), value=D("5"), validate=False)
    setup_a.record("SESSIONS", date(2022, 8, 1), value=D("100"), submit=False, validate=False)
    assert selectors.year_to_date(
        tenant=cast.tenant, kvi=setup_a.kvis["SESSIONS"], as_of=date(2022, 8, 31)
    ) == D("17")


def test_kvi_spc_returns_limits_and_signals_for_a_24_point_series(setup_a):
    cast = setup_a.cast
    values = [52, 58, 49, 61, 55, 57, 50, 60, 54, 59, 53, 56, 55, 58, 57, 60]  # 16 steady
    values += [90, 120, 140, 145, 150, 148, 152, 149]  # a step up: beyond limits and a shift
    periods_ = [date(2020 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(len(values))]
    for period, value in zip(periods_, values, strict=True):
        setup_a.record("CRISIS", period, value=D(value))
    result = selectors.kvi_spc(tenant=cast.tenant, kvi=setup_a.kvis["CRISIS"])
    assert len(result.points) == 24
    segment = result.segments[0]
    assert segment.upper_limit is not None and segment.lower_limit is not None
    assert segment.mean == sum(D(v) for v in values) / 24
    assert result.improvement_direction == "increase"
    assert result.target == D("50")
    assert result.points[-1].special_cause is not None
    assert result.variation_icon == "improvement_high"
    assert not result.trial_limits
    fixed = selectors.kvi_spc(tenant=cast.tenant, kvi=setup_a.kvis["CRISIS"], baseline_points=12)
    assert fixed.segments[0].baseline_count == 12


def test_a_kvis_stored_spc_settings_shape_its_chart_and_are_checked(setup_a):
    cast = setup_a.cast
    kvi = setup_a.kvis["CRISIS"]
    values = [52, 58, 49, 61, 55, 57, 50, 60, 54, 59, 53, 56, 55, 58, 57, 60, 90, 120, 140, 145]
    periods_ = [date(2020 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(len(values))]
    for period, value in zip(periods_, values, strict=True):
        setup_a.record("CRISIS", period, value=D(value))
    org_admin = _access(cast, cast.organisation_admin)
    with pytest.raises(ValidationError) as error:
        services.kvi_spc_settings_save(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=org_admin,
            kvi=kvi,
            baseline_points=6,
            rebase_at=[date(2021, 8, 15)],
            screen_outliers=False,
            shift_length=1,
        )
    assert set(error.value.message_dict) == {"baseline_points", "rebase_at", "shift_length"}
    with pytest.raises(PermissionDenied):
        services.kvi_spc_settings_save(
            tenant=cast.tenant,
            actor=cast.board_reporter,
            access=_access(cast, cast.board_reporter),
            kvi=kvi,
            baseline_points=16,
            rebase_at=[],
            screen_outliers=False,
        )
    kvi.refresh_from_db()
    assert kvi.spc_baseline_points is None
    services.kvi_spc_settings_save(
        tenant=cast.tenant,
        actor=cast.organisation_admin,
        access=org_admin,
        kvi=kvi,
        baseline_points=16,
        rebase_at=[],
        screen_outliers=False,
    )
    kvi.refresh_from_db()
    result = selectors.kvi_spc(tenant=cast.tenant, kvi=kvi)
    steady = values[:16]
    assert result.segments[0].baseline_count == 16
    assert result.segments[0].mean == sum(D(v) for v in steady) / 16
    # A page may try other settings without changing the stored ones.
    assert selectors.kvi_spc(tenant=cast.tenant, kvi=kvi, baseline_points=None).segments[
        0
    ].baseline_count == len(values)
    event = AuditEvent.objects.filter(verb="kvi.spc_settings_changed").get()
    assert event.changes["spc_baseline_points"] == [None, "16"]


def test_kvi_list_is_for_members_only(setup_a):
    cast = setup_a.cast
    kvis = selectors.kvi_list(
        tenant=cast.tenant,
        access=_access(cast, cast.organisation_member),
        organisation=cast.organisation,
    )
    assert [k.code for k in kvis] == ["CRISIS", "SESSIONS", "SPEND"]
    with pytest.raises(PermissionDenied):
        selectors.kvi_list(tenant=cast.tenant, access=_access(cast, cast.outsider))
    # Organisation staff see their own organisation's KVIs only; the programme team sees all.
    member_of_other = _access(cast, cast.organisation_member)
    member_of_other = type(member_of_other)(
        tenant_id=member_of_other.tenant_id,
        roles=member_of_other.roles,
        organisation_roles={cast.other_organisation.id: frozenset({"organisation_member"})},
    )
    assert list(selectors.kvi_list(tenant=cast.tenant, access=member_of_other)) == []
    everyone = selectors.kvi_list(tenant=cast.tenant, access=_access(cast, cast.board_reporter))
    assert [k.code for k in everyone] == ["CRISIS", "SESSIONS", "SPEND"]


# --- Tenancy --------------------------------------------------------------------------------


def test_another_tenants_kvi_is_invisible_and_its_admin_cannot_validate(cast_a, cast_b):
    with tenant_context(cast_a.tenant.id):
        setup = Setup(cast_a)
        m = setup.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
        kvi_pk = setup.kvis["CRISIS"].pk
    with tenant_context(cast_b.tenant.id):
        assert not Kvi.objects.filter(pk=kvi_pk).exists()
        assert not Measurement.objects.filter(pk=m.pk).exists()
        assert not Framework.objects.exists()
        b_admin = tenant_access_for(user=cast_b.organisation_admin, tenant=cast_b.tenant)
        assert list(selectors.kvi_list(tenant=cast_b.tenant, access=b_admin)) == []
        # Tenant B's organisation admin, handed tenant A's measurement, is refused.
        with pytest.raises(ValidationError):
            services.measurement_validate(
                tenant=cast_b.tenant, actor=cast_b.organisation_admin, access=b_admin, measurement=m
            )
    with tenant_context(cast_a.tenant.id):
        # In tenant A, B's organisation admin holds no role.
        b_admin_in_a = tenant_access_for(user=cast_b.organisation_admin, tenant=cast_a.tenant)
        with pytest.raises(PermissionDenied):
            services.measurement_validate(
                tenant=cast_a.tenant,
                actor=cast_b.organisation_admin,
                access=b_admin_in_a,
                measurement=m,
            )
    with tenant_context(cast_a.tenant.id):
        m.refresh_from_db()
        assert m.status == MeasurementStatus.SUBMITTED
        assert m.validated_by is None


# --- Demo -----------------------------------------------------------------------------------


def _demo_counts():
    counts = {}
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant.id):
            counts[tenant.slug] = tuple(
                model.objects.count()
                for model in (
                    Framework,
                    FrameworkTheme,
                    SubTheme,
                    Metric,
                    Crosswalk,
                    Kvi,
                    Measurement,
                    MeasurementRevision,
                    AuditEvent,
                )
            )
    return counts


def test_the_demo_builds_wirrals_framework_and_kvis_idempotently():
    from kvi.demo import FRAMEWORK_NAME, build_demo

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _demo_counts()
    build_demo()
    assert _demo_counts() == first
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    with tenant_context(tenant.id):
        # Wirral's framework (the anchors demo publishes the anchor evidence framework too).
        framework = Framework.objects.get(status=FrameworkStatus.PUBLISHED, name=FRAMEWORK_NAME)
        assert FrameworkTheme.objects.filter(framework=framework).count() == 5
        assert SubTheme.objects.filter(theme__framework=framework).count() == 11
        kvis = {k.code: k for k in Kvi.objects.select_related("metric")}
        assert len(kvis) == 8
        spend = next(k for k in kvis.values() if k.target_value == D("18"))
        assert selectors.year_to_date(tenant=tenant, kvi=spend, as_of=date(2022, 9, 30)).quantize(
            D("0.01")
        ) == D("13.09")
        long_series = [
            k
            for k in kvis.values()
            if Measurement.objects.filter(kvi=k, status=MeasurementStatus.VALIDATED).count() >= 24
        ]
        assert len(long_series) >= 3
        signals = [
            p
            for k in long_series
            for p in selectors.kvi_spc(tenant=tenant, kvi=k).points
            if p.special_cause
        ]
        assert signals
        assert AuditEvent.objects.filter(verb="measurement.validated").exists()
