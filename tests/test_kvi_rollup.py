"""The year figures rollup behind the tenant overview (kvi.rollup, KviYearFigure): refreshed rows
equal the per-KVI selectors; database triggers mark rows stale on every write path (services, the
bulk import, the ORM, raw SQL; measurements, KVIs, metrics, proxy sets); a day change judges them
again; the nightly task; tenant isolation; a fixed number of queries; the lock."""

from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from kvi import periods, services
from kvi.imports import MEASUREMENT_COLUMNS, measurement_rows_apply, measurement_rows_check
from kvi.models import Kvi, KviYearFigure, Measurement, Metric, ProxySet, ProxyValue
from kvi.rollup import RollupBusy, kvi_year_figures_refresh
from kvi.selectors import COUNTED_STATUSES, year_to_date
from kvi.status import KviStatus, kvi_status
from kvi.tasks import queue_kvi_year_figure_refreshes, refresh_kvi_year_figures
from kvi.value import active_proxy_values, is_priceable, monetise, proxy_set_activate
from tenancy.context import tenant_context
from tenancy.models import Tenant
from tests import factories
from tests.test_kvi_overview import MID_YEAR, Programme, S, V, _access

pytestmark = pytest.mark.django_db
D = Decimal
LAST_YEAR_END = date(2022, 3, 31)


@pytest.fixture
def programme(cast_a):
    return Programme(cast_a)


def _refresh(tenant, as_of, **kwargs) -> int:
    year = periods.financial_year_of(as_of)
    return kvi_year_figures_refresh(tenant=tenant, financial_year=year, as_of=as_of, **kwargs)


def _stale(tenant) -> set[tuple[str, str]]:
    """(KVI code, financial year) of the tenant's stale rows."""
    return set(
        KviYearFigure.objects.filter(tenant=tenant, is_stale=True).values_list(
            "kvi__code", "financial_year"
        )
    )


def _both_years_fresh(tenant) -> None:
    _refresh(tenant, LAST_YEAR_END)
    _refresh(tenant, MID_YEAR)
    assert _stale(tenant) == set()


def _assert_rows_equal_the_selectors(tenant, as_of) -> None:
    year = periods.financial_year_of(as_of)
    rows = {r.kvi_id: r for r in KviYearFigure.objects.filter(tenant=tenant, financial_year=year)}
    proxies = active_proxy_values(tenant=tenant)
    kvis = Kvi.objects.filter(tenant=tenant).select_related("metric")
    assert len(rows) == len(kvis)
    for kvi in kvis:
        row = rows[kvi.pk]
        figure = year_to_date(tenant=tenant, kvi=kvi, as_of=as_of)
        judged = kvi_status(kvi, figure=figure, as_of=as_of)
        counted = Measurement.objects.filter(
            kvi=kvi,
            status__in=COUNTED_STATUSES,
            period__gte=periods.financial_year_start(year),
            period__lte=as_of,
        )
        money = None
        if figure is not None and is_priceable(kvi):
            money = monetise(
                quantity=figure,
                unit=kvi.metric.unit,
                financial_year=year,
                measure_code=kvi.metric.proxy_measure_code,
                proxies=proxies,
            )
        assert (row.figure, row.status, row.expected) == (
            figure,
            judged.status,
            judged.expected,
        ), kvi.code
        assert (row.counted, row.awaiting) == (counted.count(), counted.filter(status=S).count())
        assert (row.quantity, row.gross, row.net) == (
            (money.quantity, money.gross, money.net) if money else (None, None, None)
        ), kvi.code
        assert (row.organisation_id, row.metric_id, row.as_of) == (
            kvi.organisation_id,
            kvi.metric_id,
            as_of,
        )
        assert not row.is_stale


# --- Working rows out ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [LAST_YEAR_END, date(2022, 4, 1), date(2022, 6, 15), MID_YEAR, date(2023, 3, 31)],
)
def test_refreshed_rows_equal_the_per_kvi_selectors(programme, as_of):
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        assert _refresh(tenant, as_of) == 6
        _assert_rows_equal_the_selectors(tenant, as_of)
        assert _refresh(tenant, as_of) == 0  # nothing left to work out
        # Named KVIs are worked out again whether they need it or not.
        spend = programme.kvis["SPEND"].pk
        assert _refresh(tenant, as_of, kvi_ids=[spend]) == 1
        _assert_rows_equal_the_selectors(tenant, as_of)


def test_rows_hold_exact_figures_and_the_hand_checked_values(programme):
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        _refresh(tenant, MID_YEAR)
        rows = {
            r.kvi.code: r for r in KviYearFigure.objects.filter(tenant=tenant).select_related("kvi")
        }
    assert rows["LOCAL-SPEND"].figure == D(370) / D(3000) * 100  # every digit Python gave it
    assert rows["LOCAL-SPEND"].status == KviStatus.OFF_TRACK
    assert (rows["SESSIONS"].figure, rows["SESSIONS"].status) == (12, KviStatus.AT_RISK)
    assert (rows["SESSIONS"].gross, rows["SESSIONS"].net) == (D(1452), D("1045.44"))
    assert rows["SESSIONS"].has_proxy and rows["VOLUNTEERING"].has_proxy
    assert not rows["CRISIS"].has_proxy and rows["CRISIS"].gross is None


def test_a_year_must_hold_its_date(programme):
    with pytest.raises(ValueError, match="not in the financial year"):
        kvi_year_figures_refresh(
            tenant=programme.cast.tenant, financial_year="2021/22", as_of=MID_YEAR
        )


def test_a_new_day_judges_the_current_year_again(programme):
    cast = programme.cast
    tenant = cast.tenant
    before = programme.overview(today=MID_YEAR)
    assert before.worked_out_now == 6
    assert programme.overview(today=MID_YEAR).worked_out_now == 0  # the same day: nothing to do
    # A month on, with no figure changed: sessions (12 of a 24 target) fall from at risk to off
    # track; the October crisis figure now counts.
    after = programme.overview(today=date(2022, 10, 31))
    assert after.worked_out_now == 6
    with tenant_context(tenant.id):
        sessions = KviYearFigure.objects.get(kvi=programme.kvis["SESSIONS"])
        assert (sessions.as_of, sessions.status) == (date(2022, 10, 31), KviStatus.OFF_TRACK)
        assert KviYearFigure.objects.get(kvi=programme.kvis["CRISIS"]).figure == D("73.75")
        _assert_rows_equal_the_selectors(tenant, date(2022, 10, 31))
    # A past year is judged on its 31 March, whatever the day.
    assert programme.overview(today=date(2024, 5, 1), financial_year="2021/22").worked_out_now == 6
    assert programme.overview(today=date(2024, 6, 1), financial_year="2021/22").worked_out_now == 0


def test_the_page_says_when_the_figures_were_worked_out(programme, login):
    cast = programme.cast
    url = reverse("kvi_overview", args=[cast.tenant.slug]) + "?year=2022/23"
    page = login(cast.assessor).get(url).content.decode()
    assert "Figures last worked out at" in page
    assert timezone.localtime().strftime("%-d %B %Y") in page


# --- Stale rows: every write path ---------------------------------------------------------------


def test_measurement_writes_mark_their_kvi_and_year_stale(programme):
    cast = programme.cast
    tenant, kvis = cast.tenant, programme.kvis
    with tenant_context(tenant.id):
        kwargs = {"tenant": tenant, "actor": cast.organisation_admin}
        kwargs["access"] = _access(cast, cast.organisation_admin)
        _both_years_fresh(tenant)
        # A service records a figure (a draft: it changes nothing yet, but the row is checked).
        measurement = services.measurement_record(
            **kwargs, kvi=kvis["SESSIONS"], period=date(2022, 8, 1), value=D(6)
        )
        assert _stale(tenant) == {("SESSIONS", "2022/23")}
        _refresh(tenant, MID_YEAR)
        services.measurement_submit(**kwargs, measurement=measurement)  # an update
        assert _stale(tenant) == {("SESSIONS", "2022/23")}
        _refresh(tenant, MID_YEAR)
        _assert_rows_equal_the_selectors(tenant, MID_YEAR)
        assert (
            KviYearFigure.objects.get(kvi=kvis["SESSIONS"], financial_year="2022/23").figure == 18
        )
        # A delete.
        Measurement.objects.filter(kvi=kvis["CRISIS"], period=date(2022, 6, 1)).delete()
        assert _stale(tenant) == {("CRISIS", "2022/23")}
        _refresh(tenant, MID_YEAR)
        # An update that moves a figure from one year to the next: both years.
        Measurement.objects.filter(kvi=kvis["SPEND"], period=date(2022, 3, 1)).update(
            period=date(2022, 8, 1)
        )
        assert _stale(tenant) == {("LOCAL-SPEND", "2021/22"), ("LOCAL-SPEND", "2022/23")}
        _both_years_fresh(tenant)
        # Raw SQL, as the application role.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE kvi_measurement SET value = value + 1 WHERE kvi_id = %s",
                [kvis["VOLUNTEERING"].pk],
            )
        assert _stale(tenant) == {("VOLUNTEERING", "2022/23")}
        _both_years_fresh(tenant)
        _assert_rows_equal_the_selectors(tenant, MID_YEAR)
        _assert_rows_equal_the_selectors(tenant, LAST_YEAR_END)


def _record(code, period, value):
    return dict(zip(MEASUREMENT_COLUMNS, [code, period, value, "", "", "", ""], strict=True))


def test_a_bulk_import_marks_the_rows_it_touches(programme):
    cast = programme.cast
    tenant = cast.tenant
    with tenant_context(tenant.id):
        access = _access(cast, cast.organisation_member)
        _both_years_fresh(tenant)
        rows, errors = measurement_rows_check(
            tenant=tenant,
            access=access,
            organisation=cast.organisation,
            records=[
                _record("SESSIONS", "2022-08-01", "6"),
                _record("SESSIONS", "2022-09-01", "2"),
                _record("CRISIS", "2022-09-01", "55"),
                _record("CRISIS", "2022-02-01", "30"),  # last year
            ],
        )
        assert errors == []
        summary = measurement_rows_apply(
            tenant=tenant,
            actor=cast.organisation_member,
            access=access,
            organisation=cast.organisation,
            rows=rows,
        )
        assert summary["created"] == 4
        assert _stale(tenant) == {
            ("SESSIONS", "2022/23"),
            ("CRISIS", "2022/23"),
            ("CRISIS", "2021/22"),
        }
    overview = programme.overview()  # works out just those two KVIs of the year it shows
    assert overview.worked_out_now == 2
    with tenant_context(tenant.id):
        assert _stale(tenant) == {("CRISIS", "2021/22")}
        _assert_rows_equal_the_selectors(tenant, MID_YEAR)
        assert (
            KviYearFigure.objects.get(
                kvi=programme.kvis["SESSIONS"], financial_year="2022/23"
            ).figure
            == 20
        )


def test_kvi_changes_that_matter_mark_every_year_of_it(programme):
    cast = programme.cast
    tenant, kvi = cast.tenant, programme.kvis["SESSIONS"]
    with tenant_context(tenant.id):
        _both_years_fresh(tenant)
        Kvi.objects.filter(pk=kvi.pk).update(spc_shift_length=8, title="Renamed")
        assert _stale(tenant) == set()  # its chart and name do not change its figures
        services.kvi_update(
            tenant=tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            kvi=kvi,
            data=services.KviInput(
                code=kvi.code,
                title=kvi.title,
                metric=kvi.metric,
                frequency=kvi.frequency,
                target_value=D(12),
                target_financial_year="2022/23",
            ),
        )
        assert _stale(tenant) == {("SESSIONS", "2021/22"), ("SESSIONS", "2022/23")}
        _both_years_fresh(tenant)
        assert KviYearFigure.objects.get(kvi=kvi, financial_year="2022/23").status == (
            KviStatus.ON_TRACK
        )
        _assert_rows_equal_the_selectors(tenant, MID_YEAR)


def test_metric_changes_that_matter_mark_its_kvis(programme):
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        _both_years_fresh(tenant)
        crisis = Metric.objects.filter(pk=programme.metrics["CRISIS"].pk)
        crisis.update(name="Crisis responses", definition="Renamed")
        assert _stale(tenant) == set()
        crisis.update(direction="decrease")
        assert _stale(tenant) == {("CRISIS", "2021/22"), ("CRISIS", "2022/23")}
        Metric.objects.filter(pk=programme.metrics["VOLUNTEERING"].pk).update(proxy_measure_code="")
        assert ("VOLUNTEERING", "2022/23") in _stale(tenant)
        _both_years_fresh(tenant)
        _assert_rows_equal_the_selectors(tenant, MID_YEAR)
        assert (
            KviYearFigure.objects.get(
                kvi=programme.kvis["VOLUNTEERING"], financial_year="2022/23"
            ).gross
            is None
        )


def test_proxy_set_changes_mark_the_tenants_rows(programme):
    cast = programme.cast
    tenant = cast.tenant
    every_row = {(code, year) for code in programme.metrics for year in ("2021/22", "2022/23")}
    with tenant_context(tenant.id):
        _both_years_fresh(tenant)
        # A new version loaded (not active yet) prices nothing: no row changes.
        second = ProxySet.objects.create(
            tenant=tenant, name="Proxies", version=2, file_name="p2.csv", file_sha256="2" * 64
        )
        ProxyValue.objects.create(
            tenant=tenant,
            proxy_set=second,
            measure_code="CAREERS",
            unit="session",
            financial_year="2022/23",
            value_per_unit=D(200),
        )
        assert _stale(tenant) == set()
        proxy_set_activate(
            tenant=tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            proxy_set=second,
        )
        assert _stale(tenant) == every_row
        _both_years_fresh(tenant)
        _assert_rows_equal_the_selectors(tenant, MID_YEAR)
        sessions = KviYearFigure.objects.get(
            kvi=programme.kvis["SESSIONS"], financial_year="2022/23"
        )
        assert (sessions.gross, sessions.net) == (D(2400), D(2400))
        # A value of the active set changed.
        ProxyValue.objects.filter(proxy_set=second).update(deadweight_pct=D(50))
        assert _stale(tenant) == every_row
        _both_years_fresh(tenant)
        # No set active any more: counts, never priced.
        ProxySet.objects.filter(tenant=tenant).update(is_active=False)
        assert _stale(tenant) == every_row
        _both_years_fresh(tenant)
        assert not KviYearFigure.objects.filter(tenant=tenant, has_proxy=True).exists()
        assert not KviYearFigure.objects.filter(tenant=tenant, gross__isnull=False).exists()


def test_activating_a_proxy_set_works_the_figures_out_in_the_background(
    programme, django_capture_on_commit_callbacks
):
    cast = programme.cast
    tenant = cast.tenant
    today = timezone.localdate()
    this_year = periods.financial_year_of(today)
    last_year = periods.financial_year_of(periods.financial_year_start(this_year) - timedelta(1))
    with tenant_context(tenant.id):
        second = ProxySet.objects.create(
            tenant=tenant, name="Proxies", version=2, file_name="p2.csv", file_sha256="2" * 64
        )
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            proxy_set_activate(
                tenant=tenant,
                actor=cast.tenant_admin,
                access=_access(cast, cast.tenant_admin),
                proxy_set=second,
            )
        assert len(callbacks) == 1
        # This year (judged today) and last year (judged on its 31 March) are worked out.
        rows = KviYearFigure.objects.filter(tenant=tenant, is_stale=False)
        assert {(row.financial_year, row.as_of) for row in rows} == {
            (this_year, today),
            (last_year, periods.financial_year_end(last_year)),
        }


# --- The nightly task ---------------------------------------------------------------------------


def test_the_nightly_task_works_out_this_year_for_every_active_tenant(programme, cast_b):
    cast = programme.cast
    resting = factories.TenantFactory(is_active=False)
    queued = queue_kvi_year_figure_refreshes()  # runs each tenant's refresh (eager in tests)
    with tenant_context(None):
        assert queued == Tenant.objects.filter(is_active=True).count()
        assert not Tenant.objects.filter(pk=resting.pk, is_active=True).exists()
    today = timezone.localdate()
    with tenant_context(cast.tenant.id):
        rows = KviYearFigure.objects.filter(
            tenant=cast.tenant, financial_year=periods.financial_year_of(today)
        )
        assert rows.count() == 6 and {row.as_of for row in rows} == {today}
        _assert_rows_equal_the_selectors(cast.tenant, today)
    assert refresh_kvi_year_figures(str(cast.tenant.id)) == 0  # the same day: nothing to do


def test_the_nightly_task_is_scheduled_and_runs_on_the_imports_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["kvi-year-figures-refresh"]
    assert entry["task"] == queue_kvi_year_figure_refreshes.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {20})  # after midnight
    for task in (queue_kvi_year_figure_refreshes, refresh_kvi_year_figures):
        assert celery_app.amqp.router.route({}, task.name)["queue"].name == "imports"


# --- Isolation ------------------------------------------------------------------------------


def test_rows_and_triggers_stay_within_their_tenant(programme, cast_b):
    cast = programme.cast
    other = Programme(cast_b)
    with tenant_context(cast_b.tenant.id):
        _both_years_fresh(cast_b.tenant)
        assert KviYearFigure.objects.count() == 12  # only tenant B's rows
    with tenant_context(cast.tenant.id):
        _both_years_fresh(cast.tenant)
        assert KviYearFigure.objects.count() == 12
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM kvi_kviyearfigure WHERE tenant_id = %s", [
                cast_b.tenant.id
            ])  # fmt: skip
            assert cursor.fetchone()[0] == 0
            # Tenant B's rows cannot be marked or changed from tenant A's context.
            cursor.execute(
                "UPDATE kvi_kviyearfigure SET is_stale = true WHERE tenant_id = %s",
                [cast_b.tenant.id],
            )
            assert cursor.rowcount == 0
        # Tenant A's writes mark only tenant A's rows.
        Measurement.objects.filter(tenant=cast.tenant).update(note="Checked")
        ProxySet.objects.filter(tenant=cast.tenant).update(is_active=False)
        assert len(_stale(cast.tenant)) == 12
    with tenant_context(cast_b.tenant.id):
        assert _stale(cast_b.tenant) == set()
        assert other.overview().worked_out_now == 0
    with tenant_context(None):
        assert KviYearFigure.objects.count() == 0  # no tenant set: no rows


# --- Queries and locks ------------------------------------------------------------------------


def _refresh_queries(tenant, as_of) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        worked_out = _refresh(tenant, as_of)
    return worked_out, len(queries)


def test_the_refresh_takes_a_fixed_number_of_queries(programme):
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        assert _refresh_queries(tenant, MID_YEAR) == (6, 5)  # lock, figures, rows, proxies, upsert
        assert _refresh_queries(tenant, MID_YEAR) == (0, 1)
        for n in range(10):  # sixty more KVIs, with figures
            organisation = factories.ParticipationFactory(tenant=tenant).organisation
            for code in programme.metrics:
                kvi = programme.kvi(organisation, code, target=D(10 + n))
                for month in (4, 5, 6):
                    values = (
                        {"value": D(n + month)}
                        if code in ("SESSIONS", "CRISIS", "VOLUNTEERING")
                        else {"numerator": D(month), "denominator": D(10)}
                    )
                    Measurement.objects.create(
                        tenant=tenant, kvi=kvi, period=date(2022, month, 1), status=V, **values
                    )
        assert _refresh_queries(tenant, MID_YEAR) == (60, 5)
        assert _refresh_queries(tenant, MID_YEAR + timedelta(days=1)) == (66, 5)
        _assert_rows_equal_the_selectors(tenant, MID_YEAR + timedelta(days=1))


def _rollup_locks(tenant) -> set[str]:
    """The modes in which this transaction holds the tenant's rollup lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT mode FROM pg_locks
            WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objsubid = 2
              AND classid::text::bigint = (hashtext('kvi_kviyearfigure')::bigint + 4294967296)
                                          %% 4294967296
              AND objid::text::bigint = (hashtext(%s)::bigint + 4294967296) %% 4294967296
            """,
            [str(tenant.id)],
        )
        return {row[0] for row in cursor.fetchall()}


def test_writers_take_the_rollup_lock_shared_and_the_refresh_exclusively(programme, cast_b):
    # (Advisory locks are held to the end of the transaction: the test's own, here.)
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        assert _rollup_locks(tenant) == {"ShareLock"}  # the programme's figures were written
        assert _rollup_locks(cast_b.tenant) == set()
        _refresh(tenant, MID_YEAR)
        assert _rollup_locks(tenant) == {"ShareLock", "ExclusiveLock"}
    Programme(cast_b)
    assert _rollup_locks(cast_b.tenant) == {"ShareLock"}


@pytest.mark.django_db(transaction=True)  # two connections: each commits what it writes
def test_a_view_does_not_wait_for_a_writer_still_saving(cast_a, login):
    """A row is stale (a committed change) while another writer's transaction is still open (an
    import saving, holding the tenant's rollup lock shared): the overview does not wait for it;
    it shows the row as last worked out and says how many KVIs are being changed."""
    programme = Programme(cast_a)
    tenant = cast_a.tenant
    with tenant_context(tenant.id):
        _refresh(tenant, MID_YEAR)
        Measurement.objects.filter(kvi=programme.kvis["SESSIONS"]).update(note="Checked")
    settings = connection.settings_dict
    writer = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
    )
    try:
        writer.execute("SELECT set_config('app.tenant_id', %s, false)", [str(tenant.id)])
        writer.execute(
            "UPDATE kvi_measurement SET note = 'Saving' WHERE kvi_id = %s",
            [programme.kvis["CRISIS"].pk],
        )  # and its transaction stays open
        with tenant_context(tenant.id), pytest.raises(RollupBusy) as busy:
            _refresh(tenant, MID_YEAR, wait=False)
        assert busy.value.kvis == 1
        overview = programme.overview()
        assert (overview.worked_out_now, overview.being_changed) == (0, 1)
        assert overview.totals.kvis == 6  # the stale row as it was last worked out
        page = login(cast_a.assessor).get(
            reverse("kvi_overview", args=[tenant.slug]) + "?year=2022/23"
        )
        # (The page reads 2022/23 on its 31 March: all six KVIs to work out for that day.)
        assert "The figures of 6 KVIs are being changed right now" in page.content.decode()
        with tenant_context(tenant.id):
            assert _stale(tenant) == {("SESSIONS", "2022/23")}
    finally:
        writer.rollback()
        writer.close()
    overview = programme.overview()
    assert (overview.worked_out_now, overview.being_changed) == (1, 0)


def test_financial_years_in_sql_are_those_of_kvi_periods():
    days = [date(1999, 1, 1) + timedelta(days=n) for n in range(0, 12_000, 17)]
    days += [date(2022, 3, 31), date(2022, 4, 1), date(2099, 12, 31), date(2100, 1, 1)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT d, kvi_financial_year(d) FROM unnest(%s::date[]) AS d", [days])
        assert {d: year for d, year in cursor.fetchall()} == {
            d: periods.financial_year_of(d) for d in days
        }
