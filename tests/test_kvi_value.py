"""Proxy sets and monetised value (kvi/value.py, kvi/value_load.py) and the proxy-set pages:
loading (good, bad row by row, the same file twice, new versions), choosing the active version,
the arithmetic of gross and net value, what is never priced, roles, tenant isolation and query
counts. The CSV files are written here: no proxy set ships with the platform."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvi import value, value_load
from kvi.models import (
    Framework,
    FrameworkStatus,
    FrameworkTheme,
    Kvi,
    Measurement,
    MeasurementStatus,
    Metric,
    ProxySet,
    ProxyValue,
    SubTheme,
)
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for

pytestmark = pytest.mark.django_db
D = Decimal

GOOD_CSV = """Measure code,Unit,£ per unit,Financial year,Source,Licence,Deadweight %,Attribution %
VOL-HOURS,hour,14.20,2022/23,Example publisher 2022,Licensed to the programme,30,0
VOL-HOURS,hour,15.00,2023/24,Example publisher 2023,Licensed to the programme,30,10
APPRENTICE,person,"£2,500.50",2022/23,,,20%,25
"""

SNAKE_CASE_CSV = (
    "measure_code,unit,gbp_per_unit,financial_year,deadweight_pct,attribution_pct,drop_off\n"
    "VOL-HOURS,hour,16.00,2022/23,25,5,12.5\n\n"
)

BAD_CSV = """Measure code,Unit,£ per unit,Financial year,Deadweight %,Attribution %
VOL-HOURS,hour,14.20,2022/23,30,0
,hour,14.20,2022/23,30,0
VOL-HOURS,hour,fourteen,2023/24,30,0
APPRENTICE,person,-5,2022/23,0,0
APPRENTICE,person,2500,2022-23,0,0
APPRENTICE,person,2500,2023/25,0,0
CARBON,tonne,80,2022/23,120,-1
VOL-HOURS,hour,15.00,2022/23,30,0
CARBON,tonne,80,2023/24,abc,0
"""


def csv_file(text: str, name: str = "proxies.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def access_of(cast, who):
    return tenant_access_for(user=who, tenant=cast.tenant)


def load(cast, text=GOOD_CSV, *, name="Example proxies", who=None, **extra) -> ProxySet:
    who = who or cast.tenant_admin
    with tenant_context(cast.tenant.id):
        return value.proxy_set_load(
            tenant=cast.tenant,
            actor=who,
            access=access_of(cast, who),
            uploaded_file=csv_file(text),
            name=name,
            **extra,
        )


def counts(cast) -> tuple[int, int, int]:
    with tenant_context(cast.tenant.id):
        return (
            ProxySet.objects.count(),
            ProxyValue.objects.count(),
            AuditEvent.objects.filter(verb__startswith="proxy_set.").count(),
        )


# --- Loading --------------------------------------------------------------------------------


def test_a_good_file_loads_as_version_1_and_becomes_active(cast_a):
    proxy_set = load(cast_a, source="Example publisher", licence="Licensed to Alpha")
    assert proxy_set.created is True
    assert (proxy_set.name, proxy_set.version, proxy_set.is_active) == ("Example proxies", 1, True)
    assert (proxy_set.source, proxy_set.licence) == ("Example publisher", "Licensed to Alpha")
    assert proxy_set.file_name == "proxies.csv" and len(proxy_set.file_sha256) == 64
    with tenant_context(cast_a.tenant.id):
        rows = {
            (v.measure_code, v.financial_year): (
                v.unit,
                v.value_per_unit,
                v.deadweight_pct,
                v.attribution_pct,
                v.source,
            )
            for v in ProxyValue.objects.filter(proxy_set=proxy_set)
        }
        event = AuditEvent.objects.get(verb="proxy_set.loaded")
    assert rows == {
        ("VOL-HOURS", "2022/23"): ("hour", D("14.2"), D("30"), D("0"), "Example publisher 2022"),
        ("VOL-HOURS", "2023/24"): ("hour", D("15"), D("30"), D("10"), "Example publisher 2023"),
        ("APPRENTICE", "2022/23"): ("person", D("2500.5"), D("20"), D("25"), ""),
    }
    assert event.actor_id == cast_a.tenant_admin.id
    assert event.object_id == str(proxy_set.pk)
    assert event.changes["values"] == 3 and event.changes["version"] == 1


def test_headers_are_matched_loosely_and_optional_columns_may_be_left_out(cast_a):
    proxy_set = load(cast_a, SNAKE_CASE_CSV)
    with tenant_context(cast_a.tenant.id):
        (only,) = ProxyValue.objects.filter(proxy_set=proxy_set)
    assert (
        only.value_per_unit,
        only.deadweight_pct,
        only.attribution_pct,
        only.dropoff_pct,
    ) == (D("16"), D("25"), D("5"), D("12.5"))
    minimal = "code,units,value,year\nWASTE,tonne,12.5,2024/25\n"
    other = load(cast_a, minimal, name="Minimal")
    with tenant_context(cast_a.tenant.id):
        (row,) = ProxyValue.objects.filter(proxy_set=other)
    assert (row.measure_code, row.unit, row.value_per_unit, row.deadweight_pct) == (
        "WASTE",
        "tonne",
        D("12.5"),
        D("0"),
    )


def test_a_bad_file_is_refused_whole_naming_every_bad_row_and_column(cast_a):
    with pytest.raises(value.ProxySetRefused) as refused:
        load(cast_a, BAD_CSV)
    problems = [(e.row, e.column) for e in refused.value.row_errors]
    assert problems == [
        (2, "Measure code"),  # missing code
        (3, "£ per unit"),  # not a number
        (4, "£ per unit"),  # negative
        (5, "Financial year"),  # 2022-23
        (6, "Financial year"),  # 2023/25
        (7, "Deadweight %"),  # 120
        (7, "Attribution %"),  # -1
        (8, "Measure code"),  # VOL-HOURS 2022/23 again (first on row 1)
        (9, "Deadweight %"),  # abc
    ]
    messages = {(e.row, e.column): e.message for e in refused.value.row_errors}
    assert "'fourteen' is not a number" in messages[(3, "£ per unit")]
    assert "negative" in messages[(4, "£ per unit")]
    assert "2022/23" in messages[(5, "Financial year")]
    assert "0–100" in messages[(7, "Deadweight %")]
    assert "already on row 1" in messages[(8, "Measure code")]
    assert refused.value.message_dict["file"] == [
        "The file has 9 problems, listed below: nothing was loaded. Correct the file and load "
        "it again."
    ]
    assert counts(cast_a) == (0, 0, 0)


def test_a_missing_column_or_a_file_that_is_not_csv_is_refused(cast_a, monkeypatch):
    with pytest.raises(value.ProxySetRefused) as refused:
        load(cast_a, "Measure code,Unit,Financial year\nA,hour,2022/23\n")
    ((error),) = refused.value.row_errors
    assert (error.row, error.column) == (None, "£ per unit")
    with pytest.raises(ValidationError) as not_csv:
        with tenant_context(cast_a.tenant.id):
            value.proxy_set_load(
                tenant=cast_a.tenant,
                actor=cast_a.tenant_admin,
                access=access_of(cast_a, cast_a.tenant_admin),
                uploaded_file=SimpleUploadedFile("proxies.csv", b"%PDF-1.7\n%binary"),
                name="Example proxies",
            )
    assert "judged from its content" in not_csv.value.message_dict["file"][0]
    monkeypatch.setattr(value_load, "PROXY_SET_MAX_BYTES", 50)
    with pytest.raises(ValidationError) as too_big:
        load(cast_a)
    assert "larger than 50 bytes" in too_big.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as no_name:
        load(cast_a, SNAKE_CASE_CSV, name="  ")
    assert "name" in no_name.value.message_dict
    assert counts(cast_a) == (0, 0, 0)


def test_the_same_file_under_the_same_name_changes_nothing(cast_a):
    first = load(cast_a)
    again = load(cast_a)
    assert again.pk == first.pk and again.created is False
    assert counts(cast_a) == (1, 3, 1)


def test_a_new_load_of_the_same_name_is_the_next_version_and_becomes_active(cast_a):
    first = load(cast_a)
    second = load(cast_a, SNAKE_CASE_CSV)
    assert (second.version, second.is_active, second.created) == (2, True, True)
    other = load(cast_a, GOOD_CSV, name="Another publisher")
    assert (other.version, other.is_active) == (1, True)
    with tenant_context(cast_a.tenant.id):
        states = dict(ProxySet.objects.values_list("pk", "is_active"))
        loaded = AuditEvent.objects.filter(verb="proxy_set.loaded").order_by("created_at")
        assert [e.changes["previous_active"] for e in loaded] == [
            None,
            "Example proxies v1",
            "Example proxies v2",
        ]
    assert states == {first.pk: False, second.pk: False, other.pk: True}


def test_activating_an_earlier_version_switches_and_is_audited(cast_a):
    first = load(cast_a)
    second = load(cast_a, SNAKE_CASE_CSV)
    admin = cast_a.tenant_admin
    with tenant_context(cast_a.tenant.id):
        value.proxy_set_activate(
            tenant=cast_a.tenant, actor=admin, access=access_of(cast_a, admin), proxy_set=first
        )
        assert dict(ProxySet.objects.values_list("pk", "is_active")) == {
            first.pk: True,
            second.pk: False,
        }
        event = AuditEvent.objects.get(verb="proxy_set.activated")
        assert event.changes == {
            "is_active": [False, True],
            "previous_active": "Example proxies v2",
        }
        # Already active: nothing changes, nothing is recorded.
        first.refresh_from_db()
        value.proxy_set_activate(
            tenant=cast_a.tenant, actor=admin, access=access_of(cast_a, admin), proxy_set=first
        )
        assert AuditEvent.objects.filter(verb="proxy_set.activated").count() == 1


@pytest.mark.parametrize("role", ["organisation_admin", "assessor", "board_reporter"])
def test_only_tenant_admins_load_and_activate(cast_a, role):
    proxy_set = load(cast_a)
    who = getattr(cast_a, role)
    with pytest.raises(PermissionDenied):
        load(cast_a, SNAKE_CASE_CSV, who=who)
    with tenant_context(cast_a.tenant.id), pytest.raises(PermissionDenied):
        value.proxy_set_activate(
            tenant=cast_a.tenant, actor=who, access=access_of(cast_a, who), proxy_set=proxy_set
        )
    assert counts(cast_a) == (1, 3, 1)


def test_another_tenants_sets_are_invisible_and_cannot_be_activated(cast_a, cast_b):
    a_set = load(cast_a)
    with tenant_context(cast_b.tenant.id):
        assert list(value.proxy_set_list(tenant=cast_b.tenant)) == []
        assert value.active_proxy_values(tenant=cast_b.tenant) == {}
        # Row-level security: in B's context even a query naming A finds nothing.
        assert ProxySet.objects.filter(tenant=cast_a.tenant).count() == 0
        assert value.active_proxy_values(tenant=cast_a.tenant) == {}
        with pytest.raises(ValidationError):
            value.proxy_set_activate(
                tenant=cast_b.tenant,
                actor=cast_b.tenant_admin,
                access=access_of(cast_b, cast_b.tenant_admin),
                proxy_set=a_set,
            )
    b_set = load(cast_b)  # the same file is B's own, separate set
    assert b_set.pk != a_set.pk and b_set.version == 1 and b_set.is_active


# --- Monetising -----------------------------------------------------------------------------


def test_active_proxy_values_are_read_in_one_query(cast_a, django_assert_num_queries):
    with tenant_context(cast_a.tenant.id):
        with django_assert_num_queries(1):
            assert value.active_proxy_values(tenant=cast_a.tenant) == {}
    load(cast_a, SNAKE_CASE_CSV)
    load(cast_a)  # version 2, active
    with tenant_context(cast_a.tenant.id):
        with django_assert_num_queries(1):
            proxies = value.active_proxy_values(tenant=cast_a.tenant)
            assert proxies[("VOL-HOURS", "2022/23")].proxy_set.version == 2
    assert set(proxies) == {
        ("VOL-HOURS", "2022/23"),
        ("VOL-HOURS", "2023/24"),
        ("APPRENTICE", "2022/23"),
    }
    assert proxies[("VOL-HOURS", "2022/23")].value_per_unit == D("14.2")


def test_monetise_gross_and_net_by_hand(cast_a):
    load(cast_a)
    with tenant_context(cast_a.tenant.id):
        proxies = value.active_proxy_values(tenant=cast_a.tenant)
    # 1,240 hours x £14.20 = £17,608.00 gross; deadweight 30%, attribution 0%:
    # 17,608 x 0.70 x 1.00 = £12,325.60 net.
    hours = value.monetise(
        quantity=D("1240"),
        unit="hours",
        financial_year="2022/23",
        measure_code="VOL-HOURS",
        proxies=proxies,
    )
    assert (hours.gross, hours.net) == (D("17608.00"), D("12325.60"))
    assert hours.summary == "1,240 hours × £14.20 = £17,608 gross, £12,326 net"
    assert (hours.gross_display, hours.net_display) == ("£17,608.00", "£12,325.60")
    assert hours.rate == "£14.20 per hour"
    # The next year's proxy: 1,240 x £15.00 = £18,600; x 0.70 x 0.90 = £11,718.00.
    next_year = value.monetise(
        quantity=D("1240"),
        unit="hours",
        financial_year="2023/24",
        measure_code="VOL-HOURS",
        proxies=proxies,
    )
    assert (next_year.gross, next_year.net) == (D("18600.00"), D("11718.00"))
    # 3 apprentices x £2,500.50 = £7,501.50; x 0.80 x 0.75 = £4,500.90.
    people = value.monetise(
        quantity=D("3"),
        unit="people",
        financial_year="2022/23",
        measure_code="APPRENTICE",
        proxies=proxies,
    )
    assert (people.gross, people.net) == (D("7501.50"), D("4500.90"))
    assert people.summary == "3 people × £2,500.50 = £7,502 gross, £4,501 net"
    assert value.format_rate(D("0.035000")) == "£0.035"
    assert value.format_quantity(D("12.50"), "£") == "£12.5"


def test_no_proxy_for_the_measure_or_year_is_never_priced(cast_a):
    load(cast_a)
    with tenant_context(cast_a.tenant.id):
        proxies = value.active_proxy_values(tenant=cast_a.tenant)
    for measure_code, year in [("APPRENTICE", "2023/24"), ("UNKNOWN", "2022/23")]:
        assert (
            value.monetise(
                quantity=D("10"),
                unit="people",
                financial_year=year,
                measure_code=measure_code,
                proxies=proxies,
            )
            is None
        )
    assert (
        value.monetise(
            quantity=D("10"),
            unit="hours",
            financial_year="2022/23",
            measure_code="VOL-HOURS",
            proxies={},
        )
        is None
    )


class KviData:
    """A published framework with metrics for volunteering hours (summed, priced), local spend
    (a "%", with a proxy code all the same) and sessions (no proxy code), and a KVI of each."""

    def __init__(self, cast):
        tenant, organisation = cast.tenant, cast.organisation
        framework = Framework.objects.create(
            tenant=tenant, name="Framework", status=FrameworkStatus.PUBLISHED
        )
        theme = FrameworkTheme.objects.create(tenant=tenant, framework=framework, name="Social")
        subtheme = SubTheme.objects.create(tenant=tenant, theme=theme, name="Volunteering")
        self.kvis = {}
        for code, unit, aggregation, proxy_code in [
            ("HOURS", "hours", "sum", "VOL-HOURS"),
            ("SPEND", "%", "ratio", "VOL-HOURS"),
            ("SESSIONS", "sessions", "sum", ""),
        ]:
            metric = Metric.objects.create(
                tenant=tenant,
                framework=framework,
                subtheme=subtheme,
                code=code,
                name=code,
                definition=code,
                unit=unit,
                direction="increase",
                aggregation=aggregation,
                proxy_measure_code=proxy_code,
            )
            self.kvis[code] = Kvi.objects.create(
                tenant=tenant,
                organisation=organisation,
                metric=metric,
                code=code,
                title=code,
                frequency="monthly",
            )
        for code, figures in [
            ("HOURS", [(4, "400"), (5, "500"), (6, "340")]),
            ("SPEND", [(4, "13.09")]),
            ("SESSIONS", [(4, "5")]),
        ]:
            for month, figure in figures:
                Measurement.objects.create(
                    tenant=tenant,
                    kvi=self.kvis[code],
                    period=date(2022, month, 1),
                    value=D(figure),
                    status=MeasurementStatus.VALIDATED,
                )


def test_kvi_year_value_prices_the_years_figure_with_that_years_proxy(
    cast_a, django_assert_num_queries
):
    load(cast_a)
    with tenant_context(cast_a.tenant.id):
        data = KviData(cast_a)
        hours = Kvi.objects.select_related("metric").get(pk=data.kvis["HOURS"].pk)
        result = value.kvi_year_value(tenant=cast_a.tenant, kvi=hours, financial_year="2022/23")
        assert result.quantity == D("1240") and result.unit == "hours"
        assert (result.gross, result.net) == (D("17608.00"), D("12325.60"))
        assert result.proxy.financial_year == "2022/23"
        proxies = value.active_proxy_values(tenant=cast_a.tenant)
        with django_assert_num_queries(1):
            again = value.kvi_year_value(
                tenant=cast_a.tenant, kvi=hours, financial_year="2022/23", proxies=proxies
            )
        assert again.net == D("12325.60")
        # 2023/24 has a proxy but no figures; 2021/22 has neither: counts, never priced.
        assert (
            value.kvi_year_value(tenant=cast_a.tenant, kvi=hours, financial_year="2023/24") is None
        )
        with django_assert_num_queries(0):
            assert (
                value.kvi_year_value(
                    tenant=cast_a.tenant, kvi=hours, financial_year="2021/22", proxies=proxies
                )
                is None
            )
        # A "%" metric is never priced, even with a proxy code; no proxy code, no price.
        for code in ("SPEND", "SESSIONS"):
            kvi = Kvi.objects.select_related("metric").get(pk=data.kvis[code].pk)
            assert not value.is_priceable(kvi)
            with django_assert_num_queries(0):
                assert (
                    value.kvi_year_value(
                        tenant=cast_a.tenant, kvi=kvi, financial_year="2022/23", proxies=proxies
                    )
                    is None
                )


def test_with_no_active_set_nothing_is_priced(cast_a):
    with tenant_context(cast_a.tenant.id):
        data = KviData(cast_a)
        hours = Kvi.objects.select_related("metric").get(pk=data.kvis["HOURS"].pk)
        assert (
            value.kvi_year_value(tenant=cast_a.tenant, kvi=hours, financial_year="2022/23") is None
        )


# --- Pages ----------------------------------------------------------------------------------


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


def test_tenant_admin_sees_the_list_and_a_version(cast_a, login):
    proxy_set = load(cast_a, source="Example publisher", licence="Licensed to Alpha")
    client = login(cast_a.tenant_admin)
    page = client.get(url(cast_a, "proxy_set_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Example proxies, version 1" in html and "Active" in html
    assert "3 values for 2 measures, 2022/23 to 2023/24" in html
    assert "Example publisher" in html and "Licensed to Alpha" in html
    assert "HACT" in html and "ships none" in html
    detail = client.get(url(cast_a, "proxy_set_detail", proxy_set.pk)).content.decode()
    assert "VOL-HOURS" in detail and "£14.20" in detail and "£2,500.50" in detail
    assert "30%" in detail and "Make this the active version" not in detail


def test_loading_through_the_page_then_the_same_file_again(cast_a, login):
    client = login(cast_a.tenant_admin)
    form = {"name": "Example proxies", "source": "Publisher", "licence": "Ours"}
    response = client.post(url(cast_a, "proxy_set_load"), {**form, "file": csv_file(GOOD_CSV)})
    with tenant_context(cast_a.tenant.id):
        proxy_set = ProxySet.objects.get()
    assert response.status_code == 302
    assert response.url == url(cast_a, "proxy_set_detail", proxy_set.pk)
    page = client.get(response.url).content.decode()
    assert "it is now the active proxy set" in page
    again = client.post(
        url(cast_a, "proxy_set_load"), {**form, "file": csv_file(GOOD_CSV)}, follow=True
    )
    assert "already loaded as Example proxies v1: nothing changed" in again.content.decode()
    assert counts(cast_a) == (1, 3, 1)


def test_a_refused_file_shows_the_error_summary_and_every_row(cast_a, login):
    client = login(cast_a.tenant_admin)
    response = client.post(
        url(cast_a, "proxy_set_load"), {"name": "Example proxies", "file": csv_file(BAD_CSV)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_file"' in html
    assert "The file has 9 problems" in html
    assert [(e.row, e.column) for e in response.context["row_errors"]][:2] == [
        (2, "Measure code"),
        (3, "£ per unit"),
    ]
    assert "&#x27;fourteen&#x27; is not a number." in html
    assert counts(cast_a) == (0, 0, 0)
    missing = client.post(url(cast_a, "proxy_set_load"), {"name": ""})
    html = missing.content.decode()
    assert "Enter a name for the proxy set." in html
    assert "Choose the CSV file of proxy values." in html


def test_make_an_earlier_version_active_after_confirming(cast_a, login):
    first = load(cast_a)
    second = load(cast_a, SNAKE_CASE_CSV)
    client = login(cast_a.tenant_admin)
    detail = client.get(url(cast_a, "proxy_set_detail", first.pk)).content.decode()
    assert "Make this the active version" in detail
    confirm = client.get(url(cast_a, "proxy_set_activate", first.pk))
    assert confirm.status_code == 200
    assert "Example proxies, version 2 is active now" in confirm.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert ProxySet.objects.get(pk=first.pk).is_active is False  # a GET changes nothing
    response = client.post(url(cast_a, "proxy_set_activate", first.pk), follow=True)
    assert "Example proxies v1 is now the active proxy set" in response.content.decode()
    with tenant_context(cast_a.tenant.id):
        assert dict(ProxySet.objects.values_list("pk", "is_active")) == {
            first.pk: True,
            second.pk: False,
        }


@pytest.mark.parametrize(
    "role", ["organisation_admin", "organisation_member", "assessor", "board_reporter", "outsider"]
)
def test_other_roles_are_refused_every_page_and_nothing_changes(cast_a, login, role):
    first = load(cast_a)
    load(cast_a, SNAKE_CASE_CSV)
    client = login(getattr(cast_a, role))
    for page in [
        url(cast_a, "proxy_set_list"),
        url(cast_a, "proxy_set_load"),
        url(cast_a, "proxy_set_detail", first.pk),
        url(cast_a, "proxy_set_activate", first.pk),
    ]:
        assert client.get(page).status_code == 403, page
    assert client.post(url(cast_a, "proxy_set_activate", first.pk)).status_code == 403
    response = client.post(
        url(cast_a, "proxy_set_load"), {"name": "Mine", "file": csv_file(GOOD_CSV)}
    )
    assert response.status_code == 403
    assert counts(cast_a) == (2, 4, 2)
    with tenant_context(cast_a.tenant.id):
        assert ProxySet.objects.get(pk=first.pk).is_active is False


def test_another_tenants_admin_cannot_reach_the_sets(cast_a, cast_b, login):
    a_set = load(cast_a, SNAKE_CASE_CSV)
    load(cast_a)
    client = login(cast_b.tenant_admin)
    assert client.get(url(cast_a, "proxy_set_list")).status_code == 403
    assert client.get(url(cast_a, "proxy_set_detail", a_set.pk)).status_code == 403
    own_list = client.get(url(cast_b, "proxy_set_list"))
    assert own_list.status_code == 200 and "Example proxies" not in own_list.content.decode()
    assert client.get(url(cast_b, "proxy_set_detail", a_set.pk)).status_code == 404
    assert client.post(url(cast_b, "proxy_set_activate", a_set.pk)).status_code == 404
    with tenant_context(cast_a.tenant.id):
        assert ProxySet.objects.get(pk=a_set.pk).is_active is False


def _count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
    return len(queries)


def test_list_and_version_pages_take_a_fixed_number_of_queries(
    cast_a, login, django_assert_max_num_queries
):
    client = login(cast_a.tenant_admin)
    first = load(cast_a)
    small_list = _count_queries(client, url(cast_a, "proxy_set_list"))
    small_detail = _count_queries(client, url(cast_a, "proxy_set_detail", first.pk))
    for n in range(5):
        load(cast_a, SNAKE_CASE_CSV.replace("16.00", f"1{n}.00"), name=f"Set {n}")
    rows = "\n".join(f"M{i:03d},hour,{i}.25,2022/23,10,5" for i in range(120))
    big = load(
        cast_a, "measure_code,unit,value_per_unit,financial_year,deadweight,attribution\n" + rows
    )
    assert _count_queries(client, url(cast_a, "proxy_set_list")) == small_list
    assert _count_queries(client, url(cast_a, "proxy_set_detail", big.pk)) == small_detail
    assert (
        _count_queries(client, url(cast_a, "proxy_set_detail", big.pk) + "?page=3") == small_detail
    )
    with django_assert_max_num_queries(small_list):
        page = client.get(url(cast_a, "proxy_set_list"))
    assert "7 loaded versions" in page.content.decode()
