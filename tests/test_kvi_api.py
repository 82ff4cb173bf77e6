"""The KVI API: frameworks, metrics and KVIs (kvi:read), measurement series with cursor
pagination (kvi:read), and batches of figures pushed by partners (kvi:write)."""

import base64
import csv
import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kvi import frameworks, measurements
from kvi.measurements import KviInput
from kvi.models import Kvi, Measurement, MeasurementStatus
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tenancy.permissions import TenantAccess, tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
MS = MeasurementStatus


def _url(cast, suffix=""):
    return f"/api/v1/tenants/{cast.tenant.slug}/{suffix}"


def _get(client, url, key=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(url, **headers, **extra)


def _post(client, url, body, key=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, payload, content_type="application/json", **headers, **extra)


def _access(cast, who):
    return tenant_access_for(user=who, tenant=cast.tenant)


class Setup:
    """A published framework (two themes, three metrics, a crosswalk), an organisation's own
    metric, and KVIs in both of the cast's organisations."""

    def __init__(self, cast):
        self.cast = cast
        tenant, admin = cast.tenant, cast.tenant_admin
        access = _access(cast, admin)
        kw = {"tenant": tenant, "actor": admin, "access": access}
        self.framework = frameworks.framework_create(**kw, name="Social Value Framework")
        economic = frameworks.theme_save(**kw, framework=self.framework, name="Economic")
        people = frameworks.theme_save(**kw, framework=self.framework, name="People", position=2)
        self.procurement = frameworks.subtheme_save(**kw, theme=economic, name="Procurement")
        self.workforce = frameworks.subtheme_save(**kw, theme=people, name="Workforce")
        self.metrics = {}
        for code, subtheme, unit, aggregation in [
            ("PUR-01", self.procurement, "%", "ratio"),
            ("WRK-02", self.workforce, "%", "latest"),
            ("WRK-04", self.workforce, "sessions", "sum"),
        ]:
            self.metrics[code] = frameworks.metric_save(
                **kw,
                subtheme=subtheme,
                code=code,
                name=f"Metric {code}",
                definition=f"What {code} counts",
                unit=unit,
                direction="increase",
                aggregation=aggregation,
            )
        frameworks.crosswalk_add(
            **kw,
            metric=self.metrics["PUR-01"],
            scheme="ppn_0620",
            item_code="MAC 2",
            item_label="Tackling economic inequality",
        )
        frameworks.framework_publish(**kw, framework=self.framework)
        self.draft = frameworks.framework_new_version(**kw, framework=self.framework)
        org_admin = cast.organisation_admin
        self.own_metric = frameworks.metric_save(
            tenant=tenant,
            actor=org_admin,
            access=_access(cast, org_admin),
            subtheme=self.workforce,
            organisation=cast.organisation,
            code="OWN-FLU",
            name="Staff vaccinated against flu",
            definition="Share of staff vaccinated",
            unit="%",
            direction="increase",
            aggregation="latest",
        )
        self.kvis = {}
        for organisation, code, metric, frequency in [
            (cast.organisation, "ECO-1", "PUR-01", "monthly"),
            (cast.organisation, "EMP-1", "WRK-02", "monthly"),
            (cast.organisation, "EMP-2", "WRK-04", "annual"),
            (cast.other_organisation, "OTHER-1", "WRK-04", "quarterly"),
        ]:
            self.kvis[code] = self.add_kvi(organisation, code, self.metrics[metric], frequency)

    def add_kvi(self, organisation, code, metric, frequency="monthly"):
        cast = self.cast
        return measurements.kvi_create(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            organisation=organisation,
            data=KviInput(
                code=code,
                title=f"{code} title",
                metric=metric,
                frequency=frequency,
                baseline_value=D("4.09") if code == "EMP-1" else None,
                baseline_period=date(2021, 4, 1) if code == "EMP-1" else None,
                target_value=D("18"),
                target_financial_year="2022/23",
                owner_name="Head of Procurement",
            ),
        )

    def record(self, kvi, period, *, submit=True, validate=True, note="", **figures):
        """Enter, submit and validate a figure as the organisation's admin (services, so
        audited)."""
        cast = self.cast
        kw = {
            "tenant": cast.tenant,
            "actor": cast.organisation_admin,
            "access": _org_admin_access(cast, kvi.organisation_id),
        }
        measurement = measurements.measurement_record(
            **kw, kvi=kvi, period=period, note=note, **figures
        )
        if submit:
            measurement = measurements.measurement_submit(**kw, measurement=measurement)
        if submit and validate:
            measurement = measurements.measurement_validate(**kw, measurement=measurement)
        return measurement


def _org_admin_access(cast, organisation_id):
    return TenantAccess(
        tenant_id=cast.tenant.id,
        organisation_roles={organisation_id: frozenset({Role.ORGANISATION_ADMIN})},
    )


@pytest.fixture
def setup_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return Setup(cast_a)


@pytest.fixture
def series_a(setup_a):
    """ECO-1 (a % ratio): April to June 2022 validated, July submitted, August a draft,
    September returned. EMP-1: April 2022 validated. OTHER-1 (the other organisation): one."""
    cast = setup_a.cast
    eco = setup_a.kvis["ECO-1"]
    with tenant_context(cast.tenant.id):
        for month, numerator in [(4, "1309"), (5, "1200"), (6, "1500")]:
            setup_a.record(eco, date(2022, month, 1), numerator=numerator, denominator="10000")
        setup_a.record(eco, date(2022, 7, 1), numerator="900", denominator="10000", validate=False)
        setup_a.record(eco, date(2022, 8, 1), numerator="1", denominator="2", submit=False)
        returned = setup_a.record(
            eco, date(2022, 9, 1), numerator="1", denominator="3", validate=False
        )
        measurements.measurement_return(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=_org_admin_access(cast, cast.organisation.id),
            measurement=returned,
            reason="Wrong month",
        )
        setup_a.record(setup_a.kvis["EMP-1"], date(2022, 4, 1), value="4.76")
        setup_a.record(setup_a.kvis["OTHER-1"], date(2022, 4, 1), value="12")
    return setup_a


def _read_key(cast, issue_key, **options):
    return issue_key(cast, scopes=["kvi:read"], **options)


def _write_key(cast, issue_key, **options):
    return issue_key(cast, scopes=["kvi:read", "kvi:write"], **options)


# --- Frameworks ---------------------------------------------------------------------------------


def test_frameworks_list_published_versions_with_themes_and_detail_has_an_etag(
    client, setup_a, issue_key
):
    key = _read_key(setup_a.cast, issue_key)
    cast = setup_a.cast
    body = _get(client, _url(cast, "frameworks/"), key).json()
    # The draft version 2 is work in progress: keys see published (and superseded) versions.
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["id"], row["name"], row["version"], row["status"]) == (
        str(setup_a.framework.id),
        "Social Value Framework",
        1,
        "published",
    )
    assert row["published_at"] is not None
    assert [(t["name"], [s["name"] for s in t["subthemes"]]) for t in row["themes"]] == [
        ("Economic", ["Procurement"]),
        ("People", ["Workforce"]),
    ]
    detail = _get(client, _url(cast, f"frameworks/{setup_a.framework.id}/"), key)
    assert detail.status_code == 200
    assert detail.json() == row
    again = _get(
        client,
        _url(cast, f"frameworks/{setup_a.framework.id}/"),
        key,
        HTTP_IF_NONE_MATCH=detail["ETag"],
    )
    assert (again.status_code, again.content) == (304, b"")
    draft = _get(client, _url(cast, f"frameworks/{setup_a.draft.id}/"), key)
    assert draft.status_code == 404


def test_publishing_a_new_version_shows_both_and_a_framework_manager_sees_drafts(
    client, setup_a, issue_key, login
):
    cast = setup_a.cast
    with tenant_context(cast.tenant.id):
        frameworks.framework_publish(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            framework=setup_a.draft,
        )
    key = _read_key(cast, issue_key)
    rows = _get(client, _url(cast, "frameworks/"), key).json()["results"]
    assert [(r["version"], r["status"]) for r in rows] == [(2, "published"), (1, "superseded")]
    assert [
        r["version"]
        for r in _get(client, _url(cast, "frameworks/"), key, data={"status": "superseded"}).json()[
            "results"
        ]
    ] == [1]
    # With their session, a framework manager also sees drafts.
    with tenant_context(cast.tenant.id):
        frameworks.framework_new_version(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            framework=setup_a.draft,
        )
    login(cast.tenant_admin)
    statuses = [r["status"] for r in client.get(_url(cast, "frameworks/")).json()["results"]]
    assert statuses == ["draft", "published", "superseded"]
    login(cast.assessor)
    statuses = [r["status"] for r in client.get(_url(cast, "frameworks/")).json()["results"]]
    assert statuses == ["published", "superseded"]


# --- Metrics ------------------------------------------------------------------------------------


def test_metrics_carry_their_place_in_the_framework_and_crosswalks(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _read_key(cast, issue_key)
    response = _get(client, _url(cast, "metrics/"), key)
    assert response.status_code == 200
    body = response.json()
    assert [row["code"] for row in body["results"]] == ["PUR-01", "OWN-FLU", "WRK-02", "WRK-04"]
    pur = body["results"][0]
    assert pur == {
        "id": str(setup_a.metrics["PUR-01"].id),
        "code": "PUR-01",
        "name": "Metric PUR-01",
        "definition": "What PUR-01 counts",
        "unit": "%",
        "direction": "increase",
        "aggregation": "ratio",
        "proxy_measure_code": "",
        "feed": "",
        "framework": {
            "id": str(setup_a.framework.id),
            "name": "Social Value Framework",
            "version": 1,
            "status": "published",
        },
        "theme": {"id": str(setup_a.procurement.theme_id), "name": "Economic"},
        "subtheme": {"id": str(setup_a.procurement.id), "name": "Procurement"},
        "organisation": None,
        "crosswalks": [
            {
                "scheme": "ppn_0620",
                "item_code": "MAC 2",
                "item_label": "Tackling economic inequality",
            }
        ],
        "updated_at": pur["updated_at"],
    }
    own = body["results"][1]
    assert own["organisation"] == {"id": str(cast.organisation.id), "name": cast.organisation.name}
    detail = _get(client, _url(cast, f"metrics/{setup_a.metrics['PUR-01'].id}/"), key)
    assert detail.json() == pur
    assert (
        _get(
            client,
            _url(cast, f"metrics/{setup_a.metrics['PUR-01'].id}/"),
            key,
            HTTP_IF_NONE_MATCH=detail["ETag"],
        ).status_code
        == 304
    )


def test_metric_filters(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _read_key(cast, issue_key)

    def codes(**params):
        response = _get(client, _url(cast, "metrics/"), key, data=params)
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert codes(framework=str(setup_a.framework.id)) == ["PUR-01", "OWN-FLU", "WRK-02", "WRK-04"]
    assert codes(framework=str(setup_a.draft.id)) == []  # drafts are not shown to keys
    assert codes(theme=str(setup_a.procurement.theme_id)) == ["PUR-01"]
    assert codes(subtheme=str(setup_a.workforce.id)) == ["OWN-FLU", "WRK-02", "WRK-04"]
    assert codes(unit="sessions") == ["WRK-04"]
    assert codes(code="wrk-02") == ["WRK-02"]
    assert codes(organisation=str(cast.organisation.id)) == ["OWN-FLU"]
    assert codes(ordering="-code") == ["WRK-04", "WRK-02", "PUR-01", "OWN-FLU"]
    later = (timezone.now() + timedelta(seconds=5)).isoformat()
    assert codes(updated_since=later) == []
    for bad in ({"unit": "furlongs"}, {"theme": "not-a-uuid"}, {"updated_since": ""}):
        response = _get(client, _url(cast, "metrics/"), key, data=bad)
        assert response.status_code == 400
        assert set(response.json()["errors"]) == set(bad)


def test_a_key_for_another_organisation_does_not_see_an_organisations_own_metric(
    client, setup_a, issue_key
):
    cast = setup_a.cast
    key = _read_key(cast, issue_key, organisation_ids=[cast.other_organisation.id])
    codes = [r["code"] for r in _get(client, _url(cast, "metrics/"), key).json()["results"]]
    assert codes == ["PUR-01", "WRK-02", "WRK-04"]
    hidden = _get(client, _url(cast, f"metrics/{setup_a.own_metric.id}/"), key)
    assert hidden.status_code == 404


# --- KVIs ---------------------------------------------------------------------------------------


def test_kvis_list_and_detail(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _read_key(cast, issue_key)
    body = _get(client, _url(cast, "kvis/"), key).json()
    assert body["count"] == 4
    emp = next(row for row in body["results"] if row["code"] == "EMP-1")
    kvi = setup_a.kvis["EMP-1"]
    assert emp == {
        "id": str(kvi.id),
        "code": "EMP-1",
        "title": "EMP-1 title",
        "organisation": {"id": str(cast.organisation.id), "name": cast.organisation.name},
        "metric": {
            "id": str(setup_a.metrics["WRK-02"].id),
            "code": "WRK-02",
            "name": "Metric WRK-02",
            "unit": "%",
            "direction": "increase",
            "aggregation": "latest",
            "framework": str(setup_a.framework.id),
        },
        "pledge": None,
        "baseline": {"value": "4.09", "period": "2021-04-01"},
        "target": {"value": "18", "financial_year": "2022/23", "date": None},
        "frequency": "monthly",
        "owner": "Head of Procurement",
        "updated_at": emp["updated_at"],
    }
    detail = _get(client, _url(cast, f"kvis/{kvi.id}/"), key)
    assert detail.json() == emp
    assert (
        _get(client, _url(cast, f"kvis/{kvi.id}/"), key, HTTP_IF_NONE_MATCH=detail["ETag"])
    ).status_code == 304
    missing = _get(client, _url(cast, "kvis/6b0f8f2e-3a1c-4d8e-9a57-0c2f4e1b7d10/"), key)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_kvi_filters_and_updated_since(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _read_key(cast, issue_key)

    def codes(**params):
        response = _get(client, _url(cast, "kvis/"), key, data=params)
        assert response.status_code == 200, response.json()
        return sorted(row["code"] for row in response.json()["results"])

    assert codes(organisation=str(cast.other_organisation.id)) == ["OTHER-1"]
    assert codes(metric="wrk-04") == ["EMP-2", "OTHER-1"]
    assert codes(frequency="annual") == ["EMP-2"]
    since = timezone.now() + timedelta(seconds=5)
    assert codes(updated_since=since.isoformat()) == []
    with tenant_context(cast.tenant.id):
        Kvi.objects.filter(pk=setup_a.kvis["ECO-1"].pk).update(
            updated_at=since + timedelta(seconds=1)
        )
    assert codes(updated_since=since.isoformat()) == ["ECO-1"]
    response = _get(client, _url(cast, "kvis/"), key, data={"frequency": "hourly"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["frequency"]


def test_kvis_as_csv(client, setup_a, issue_key):
    cast = setup_a.cast
    with tenant_context(cast.tenant.id):
        Kvi.objects.filter(pk=setup_a.kvis["ECO-1"].pk).update(title="=HYPERLINK('x')")
    key = _read_key(cast, issue_key)
    response = _get(client, _url(cast, "kvis/"), key, data={"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kvis.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    assert "'=HYPERLINK('x')" in {row["title"] for row in rows}
    assert {row["target.value"] for row in rows} == {"18"}


def test_a_key_restricted_to_one_organisation_sees_only_its_kvis_and_figures(
    client, series_a, issue_key
):
    cast = series_a.cast
    key = _read_key(cast, issue_key, organisation_ids=[cast.other_organisation.id])
    listed = _get(client, _url(cast, "kvis/"), key).json()
    assert [row["code"] for row in listed["results"]] == ["OTHER-1"]
    hidden = series_a.kvis["ECO-1"]
    assert _get(client, _url(cast, f"kvis/{hidden.id}/"), key).status_code == 404
    assert _get(client, _url(cast, f"kvis/{hidden.id}/measurements/"), key).status_code == 404
    figures = _get(client, _url(cast, "measurements/"), key).json()["results"]
    assert [(row["kvi_code"], row["figure"]) for row in figures] == [("OTHER-1", "12")]
    # Programme-level frameworks stay readable.
    assert _get(client, _url(cast, "frameworks/"), key).json()["count"] == 1


# --- Measurements -------------------------------------------------------------------------------


def test_a_kvis_series_shows_submitted_and_validated_figures_in_period_order(
    client, series_a, issue_key
):
    cast = series_a.cast
    eco = series_a.kvis["ECO-1"]
    key = _read_key(cast, issue_key)
    response = _get(client, _url(cast, f"kvis/{eco.id}/measurements/"), key)
    assert response.status_code == 200
    body = response.json()
    assert (body["next"], body["previous"]) == (None, None)
    # The August draft and the September figure returned for correction are not shown.
    assert [(r["period"], r["figure"], r["status"]) for r in body["results"]] == [
        ("2022-04-01", "13.09", "validated"),
        ("2022-05-01", "12", "validated"),
        ("2022-06-01", "15", "validated"),
        ("2022-07-01", "9", "submitted"),
    ]
    first = body["results"][0]
    with tenant_context(cast.tenant.id):
        stored = Measurement.objects.get(kvi=eco, period=date(2022, 4, 1))
    assert first == {
        "id": str(stored.id),
        "kvi": str(eco.id),
        "kvi_code": "ECO-1",
        "organisation": str(cast.organisation.id),
        "period": "2022-04-01",
        "figure": "13.09",
        "unit": "%",
        "value": None,
        "numerator": "1309",
        "denominator": "10000",
        "status": "validated",
        "note": "",
        "source": "",
        "submitted_at": first["submitted_at"],
        "validated_at": first["validated_at"],
        "updated_at": first["updated_at"],
    }
    assert first["validated_at"] is not None
    assert cast.organisation_admin.email not in response.content.decode()


def test_measurement_filters(client, series_a, issue_key):
    cast = series_a.cast
    key = _read_key(cast, issue_key)

    def figures(**params):
        response = _get(client, _url(cast, "measurements/"), key, data=params)
        assert response.status_code == 200, response.json()
        return [(r["kvi_code"], r["period"]) for r in response.json()["results"]]

    everything = figures()
    periods = [period for _, period in everything]
    assert periods == sorted(periods)  # in period order (then id)
    assert sorted(everything) == [
        ("ECO-1", "2022-04-01"),
        ("ECO-1", "2022-05-01"),
        ("ECO-1", "2022-06-01"),
        ("ECO-1", "2022-07-01"),
        ("EMP-1", "2022-04-01"),
        ("OTHER-1", "2022-04-01"),
    ]
    assert sorted(figures(organisation=str(cast.other_organisation.id))) == [
        ("OTHER-1", "2022-04-01")
    ]
    assert figures(kvi=str(series_a.kvis["EMP-1"].id)) == [("EMP-1", "2022-04-01")]
    assert figures(metric="PUR-01", period_from="2022-05-01", period_to="2022-06-30") == [
        ("ECO-1", "2022-05-01"),
        ("ECO-1", "2022-06-01"),
    ]
    assert figures(status="submitted") == [("ECO-1", "2022-07-01")]
    since = timezone.now() + timedelta(seconds=5)
    assert figures(updated_since=since.isoformat()) == []
    with tenant_context(cast.tenant.id):
        Measurement.objects.filter(kvi=series_a.kvis["EMP-1"]).update(
            updated_at=since + timedelta(seconds=1)
        )
    assert figures(updated_since=since.isoformat()) == [("EMP-1", "2022-04-01")]
    for bad in ({"status": "draft"}, {"period_from": "April"}, {"kvi": "nope"}):
        response = _get(client, _url(cast, "measurements/"), key, data=bad)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert set(response.json()["errors"]) == set(bad)


def _many_figures(setup, organisations: int, months: int) -> None:
    """`organisations` extra organisations, each with a monthly KVI and `months` validated
    figures from April 2020 (many rows share each period)."""
    cast = setup.cast
    with tenant_context(cast.tenant.id):
        for number in range(organisations):
            organisation = factories.ParticipationFactory(tenant=cast.tenant).organisation
            kvi = setup.add_kvi(organisation, f"K-{number}", setup.metrics["WRK-04"])
            for month in range(months):
                period = date(2020 + (3 + month) // 12, (3 + month) % 12 + 1, 1)
                setup.record(kvi, period, value=str(month))


def test_cursor_pages_walk_the_whole_series_forwards_and_back(client, setup_a, issue_key):
    _many_figures(setup_a, organisations=4, months=5)  # 20 figures, 4 in each period
    cast = setup_a.cast
    key = _read_key(cast, issue_key)
    url, pages, seen = _url(cast, "measurements/?page_size=3"), [], []
    while url:
        body = _get(client, url, key).json()
        assert len(body["results"]) <= 3
        pages.append(body)
        seen += [(row["period"], row["id"]) for row in body["results"]]
        url = body["next"]
    assert len(pages) == 7
    assert len(seen) == len(set(seen)) == 20
    assert seen == sorted(seen)  # (period, id) order
    assert pages[0]["previous"] is None
    # Back from the last page to the first, page by page, through `previous`.
    url, back = pages[-1]["previous"], []
    while url:
        body = _get(client, url, key).json()
        back = [(row["period"], row["id"]) for row in body["results"]] + back
        url = body["previous"]
    assert back == seen[: len(seen) - len(pages[-1]["results"])]
    # A next link followed again gives the same rows.
    middle = _get(client, pages[2]["next"], key).json()
    assert [(row["period"], row["id"]) for row in middle["results"]] == seen[9:12]


def test_a_malformed_cursor_or_page_size_is_refused(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _read_key(cast, issue_key)
    for cursor in ("nonsense", base64.urlsafe_b64encode(b"x~2022-04-01~1").decode(), "%%%"):
        response = _get(client, _url(cast, "measurements/"), key, data={"cursor": cursor})
        assert response.status_code == 404
        assert response.json()["code"] == "invalid_cursor"
    for size in ("0", "-1", "ten"):
        response = _get(client, _url(cast, "measurements/"), key, data={"page_size": size})
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["page_size"]
    capped = _get(client, _url(cast, "measurements/"), key, data={"page_size": "100000"})
    assert capped.status_code == 200


def test_measurements_as_csv_are_the_whole_filtered_series(client, series_a, issue_key):
    cast = series_a.cast
    with tenant_context(cast.tenant.id):
        Measurement.objects.filter(period=date(2022, 5, 1)).update(note="=SUM(A1:A9)")
    key = _read_key(cast, issue_key)
    response = _get(
        client,
        _url(cast, "measurements/"),
        key,
        data={"format": "csv", "metric": "PUR-01", "page_size": "1"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="measurements.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["period"], row["figure"]) for row in rows] == [
        ("2022-04-01", "13.09"),
        ("2022-05-01", "12"),
        ("2022-06-01", "15"),
        ("2022-07-01", "9"),
    ]
    assert rows[1]["note"] == "'=SUM(A1:A9)"
    assert (
        _get(
            client, _url(cast, "measurements/"), key, data={"format": "csv", "cursor": "x"}
        ).status_code
        == 404
    )


# --- Who may read and write ---------------------------------------------------------------------

READ_PATHS = ("frameworks/", "metrics/", "kvis/", "measurements/")


def test_keys_need_the_kvi_scopes(client, series_a, issue_key):
    cast = series_a.cast
    eco = series_a.kvis["ECO-1"]
    paths = (*READ_PATHS, f"kvis/{eco.id}/", f"kvis/{eco.id}/measurements/")
    for path in paths:
        assert _get(client, _url(cast, path)).status_code == 401, path
    no_kvi = issue_key(cast, scopes=["organisations:read"])
    for path in paths:
        response = _get(client, _url(cast, path), no_kvi)
        assert (response.status_code, response.json()["code"]) == (403, "missing_scope"), path
    batch = {
        "organisation": str(cast.organisation.id),
        "measurements": [{"kvi_code": "EMP-1", "period": "2022-05-01", "value": "4.8"}],
    }
    read_only = _read_key(cast, issue_key)
    refused = _post(client, _url(cast, "measurements/"), batch, read_only)
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")
    write_only = issue_key(cast, scopes=["kvi:write"])
    assert _get(client, _url(cast, "measurements/"), write_only).status_code == 403
    with tenant_context(cast.tenant.id):
        assert not Measurement.objects.filter(period=date(2022, 5, 1), kvi__code="EMP-1").exists()
    assert _post(client, _url(cast, "measurements/"), batch, write_only).status_code == 200


def test_tenant_b_never_sees_tenant_a(client, series_a, cast_b, issue_key):
    cast_a = series_a.cast
    with tenant_context(cast_b.tenant.id):
        setup_b = Setup(cast_b)
        setup_b.record(setup_b.kvis["EMP-1"], date(2022, 4, 1), value="3")
    key_b = issue_key(cast_b, scopes=["kvi:read", "kvi:write"])
    for path in READ_PATHS:
        body = _get(client, _url(cast_b, path), key_b).json()
        text = json.dumps(body)
        assert str(cast_a.organisation.id) not in text, path
        assert str(series_a.framework.id) not in text, path
    # Tenant A's rows under tenant B's URL: not found; B's key under A's URL: no such key.
    eco = series_a.kvis["ECO-1"]
    for path in (
        f"kvis/{eco.id}/",
        f"kvis/{eco.id}/measurements/",
        f"frameworks/{series_a.framework.id}/",
        f"metrics/{series_a.metrics['PUR-01'].id}/",
    ):
        assert _get(client, _url(cast_b, path), key_b).status_code == 404, path
        assert _get(client, _url(cast_a, path), key_b).status_code == 401, path
    # B's key cannot push figures for A's organisation, under either URL.
    batch = {
        "organisation": str(cast_a.organisation.id),
        "measurements": [{"kvi_code": "EMP-1", "period": "2022-05-01", "value": "4.8"}],
    }
    refused = _post(client, _url(cast_b, "measurements/"), batch, key_b)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["organisation"]
    assert _post(client, _url(cast_a, "measurements/"), batch, key_b).status_code == 401
    with tenant_context(cast_a.tenant.id):
        assert not Measurement.objects.filter(period=date(2022, 5, 1), kvi__code="EMP-1").exists()


def test_people_read_kvis_with_their_session_as_their_pages_show(client, series_a, cast_b, login):
    """The programme team reads every organisation's KVIs with its session; organisation staff
    read their own organisation's only; people of another tenant and outsiders are refused."""
    cast = series_a.cast
    login(cast.board_reporter)
    assert client.get(_url(cast, "kvis/")).json()["count"] == 4
    assert len(client.get(_url(cast, "measurements/")).json()["results"]) == 6
    login(cast.organisation_member)
    own = client.get(_url(cast, "kvis/")).json()["results"]
    assert own and {row["organisation"]["id"] for row in own} == {str(cast.organisation.id)}
    login(cast_b.tenant_admin)
    assert client.get(_url(cast, "kvis/")).status_code == 403
    login(cast.outsider)
    assert client.get(_url(cast, "kvis/")).status_code == 403


# --- Pushing figures ----------------------------------------------------------------------------


def _batch(cast, *items):
    return {"organisation": str(cast.organisation.id), "measurements": list(items)}


GOOD_ITEMS = (
    {
        "kvi_code": "ECO-1",
        "period": "2022-10-01",
        "numerator": "1412",
        "denominator": "10250",
        "source": "Finance ledger",
    },
    {"kvi_code": "emp-1", "period": "2022-10-01", "value": 4.81, "note": "ESR, end of month"},
    {"kvi_code": "EMP-2", "period": "2022-04-01", "value": 30},
)


def test_a_partner_pushes_a_batch_once_and_again_changes_nothing(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _write_key(cast, issue_key)
    response = _post(client, _url(cast, "measurements/"), _batch(cast, *GOOD_ITEMS), key)
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 3, "changed": 0, "unchanged": 0}
    with tenant_context(cast.tenant.id):
        stored = {
            m.kvi.code: m for m in Measurement.objects.select_related("kvi").order_by("kvi__code")
        }
        assert set(stored) == {"ECO-1", "EMP-1", "EMP-2"}
        assert (stored["ECO-1"].numerator, stored["ECO-1"].denominator) == (D("1412"), D("10250"))
        assert stored["ECO-1"].source == "Finance ledger"
        assert stored["EMP-1"].value == D("4.81")  # a JSON number, read exactly
        assert stored["EMP-1"].note == "ESR, end of month"
        assert {m.status for m in stored.values()} == {MS.SUBMITTED}
        assert {m.entered_by_id for m in stored.values()} == {None}  # a key is not a person
        events = list(AuditEvent.objects.order_by("created_at").values("verb", "actor", "changes"))
    pushed = [e for e in events if e["verb"] == "api_key.measurements_pushed"]
    assert pushed == [
        {
            "verb": "api_key.measurements_pushed",
            "actor": None,
            "changes": {
                "partner": "Council analytics",
                "organisation": str(cast.organisation.id),
                "created": 3,
                "changed": 0,
                "unchanged": 0,
            },
        }
    ]
    verbs = [e["verb"] for e in events]
    assert verbs.count("measurement.recorded") == 3
    assert verbs.count("measurement.submitted") == 3
    assert verbs.count("measurements.imported") == 1
    # The figures are in the series, awaiting validation.
    series = _get(client, _url(cast, "measurements/"), key, data={"period_from": "2022-10-01"})
    assert [(r["kvi_code"], r["figure"], r["status"]) for r in series.json()["results"]] in (
        [("ECO-1", "13.77561", "submitted"), ("EMP-1", "4.81", "submitted")],
        [("EMP-1", "4.81", "submitted"), ("ECO-1", "13.77561", "submitted")],
    )

    again = _post(client, _url(cast, "measurements/"), _batch(cast, *GOOD_ITEMS), key)
    assert again.json() == {"created": 0, "changed": 0, "unchanged": 3}
    with tenant_context(cast.tenant.id):
        assert Measurement.objects.count() == 3


def test_a_bad_batch_saves_nothing_and_names_every_item_and_field(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _write_key(cast, issue_key)
    batch = _batch(
        cast,
        GOOD_ITEMS[0],
        {"kvi_code": "ECO-9", "period": "2022-10-01", "value": "1"},
        {"kvi_code": "EMP-1", "period": "2022-10-15", "value": "4.8"},
        {"kvi_code": "EMP-1", "period": "2022-11-01", "value": "lots"},
        {"kvi_code": "ECO-1", "period": "2022-11-01", "numerator": "1", "denominator": "0"},
        {"kvi_code": "EMP-1", "period": "2022-12-01", "value": "4.8", "vaule": "4.8"},
        "EMP-1,2022-12-01,4.8",
        {},
        {"kvi_code": ["EMP-1"], "period": "2023-01-01", "value": True},
    )
    response = _post(client, _url(cast, "measurements/"), batch, key)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["message"]) == (
        "invalid",
        "Some of the request's fields are not valid.",
    )
    assert body["errors"] == {
        "measurements[1].kvi_code": ["This organisation has no KVI with the code ECO-9."],
        "measurements[2].period": [
            "2022-10-15 does not start a monthly period; a monthly KVI's periods are recorded "
            "on their first day (this one: 2022-10-01)."
        ],
        "measurements[3].value": ["Enter a number; 'lots' is not one."],
        "measurements[4].denominator": ["The denominator cannot be zero."],
        "measurements[5].vaule": [
            "Unknown field: use kvi_code, period, value, numerator, denominator, note, source."
        ],
        "measurements[6]": ["Each measurement must be an object."],
        "measurements[7]": ["This measurement is empty: give kvi_code, period and its figure."],
        "measurements[8].kvi_code": ["Give this as text."],
        "measurements[8].value": ["Give a number, as a JSON number or text."],
    }
    with tenant_context(cast.tenant.id):
        assert Measurement.objects.count() == 0
        assert not AuditEvent.objects.filter(verb__startswith="measurement").exists()


def test_a_figure_already_validated_is_never_overwritten_by_a_push(client, series_a, issue_key):
    cast = series_a.cast
    key = _write_key(cast, issue_key)
    same = {"kvi_code": "EMP-1", "period": "2022-04-01", "value": "4.76"}
    different = {"kvi_code": "ECO-1", "period": "2022-04-01", "numerator": "1", "denominator": "2"}
    response = _post(client, _url(cast, "measurements/"), _batch(cast, same, different), key)
    assert response.status_code == 400
    [(field, [message])] = response.json()["errors"].items()
    assert field == "measurements[1]"
    assert message.startswith("The figure of ECO-1 for 2022-04-01 is already validated")
    # The same figure again is simply unchanged.
    response = _post(client, _url(cast, "measurements/"), _batch(cast, same), key)
    assert response.json() == {"created": 0, "changed": 0, "unchanged": 1}
    with tenant_context(cast.tenant.id):
        eco = Measurement.objects.get(kvi=series_a.kvis["ECO-1"], period=date(2022, 4, 1))
        assert (eco.numerator, eco.status) == (D("1309"), MS.VALIDATED)


def test_the_batch_itself_must_be_well_formed(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _write_key(cast, issue_key)
    url = _url(cast, "measurements/")

    def errors(body):
        response = _post(client, url, body, key)
        assert response.status_code == 400, response.content
        return response.json()["errors"]

    assert errors([GOOD_ITEMS[0]]) == {
        "non_field_errors": ['Send an object: {"organisation": …, "measurements": [...]}.']
    }
    assert set(errors({"measurements": [GOOD_ITEMS[0]]})) == {"organisation"}
    assert set(errors({"organisation": "RY7", "measurements": [GOOD_ITEMS[0]]})) == {"organisation"}
    assert set(errors(_batch(cast))) == {"measurements"}
    assert set(errors(_batch(cast, *[GOOD_ITEMS[0]] * 1001))) == {"measurements"}
    assert set(errors({**_batch(cast, GOOD_ITEMS[0]), "submit": False})) == {"submit"}
    unknown = {"organisation": "6b0f8f2e-3a1c-4d8e-9a57-0c2f4e1b7d10", "measurements": [{}]}
    assert errors(unknown)["organisation"] == [
        "No organisation with this id takes part in this programme."
    ]
    for body in ('{"organisation": ', "[" * 100_000, " " * 3_000_000):
        malformed = _post(client, url, body, key)
        assert (malformed.status_code, malformed.json()["code"]) == (400, "parse_error")
    form = client.post(url, {"organisation": "x"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert form.status_code == 415
    with tenant_context(cast.tenant.id):
        assert Measurement.objects.count() == 0


def test_a_key_restricted_to_one_organisation_pushes_only_for_it(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _write_key(cast, issue_key, organisation_ids=[cast.other_organisation.id])
    refused = _post(client, _url(cast, "measurements/"), _batch(cast, GOOD_ITEMS[1]), key)
    assert refused.status_code == 403
    assert refused.json()["message"] == "This API key may not push figures for this organisation."
    own = {
        "organisation": str(cast.other_organisation.id),
        "measurements": [{"kvi_code": "OTHER-1", "period": "2022-07-01", "value": "3"}],
    }
    assert _post(client, _url(cast, "measurements/"), own, key).json()["created"] == 1
    # Its own organisation's KVI codes only: the other organisation has no EMP-1.
    other = {**own, "measurements": [GOOD_ITEMS[1]]}
    response = _post(client, _url(cast, "measurements/"), other, key)
    assert list(response.json()["errors"]) == ["measurements[0].kvi_code"]
    with tenant_context(cast.tenant.id):
        assert list(Measurement.objects.values_list("kvi__code", flat=True)) == ["OTHER-1"]


def test_a_person_pushing_with_their_session_needs_to_record_figures_there(client, setup_a, login):
    """A person pushes with their own roles: the tenant admin reads every KVI but records no
    organisation's figures; the organisation's member records its figures."""
    cast = setup_a.cast
    login(cast.tenant_admin)
    url = _url(cast, "measurements/")
    body = json.dumps(_batch(cast, GOOD_ITEMS[2]))
    assert client.post(url, body, content_type="application/json").status_code == 403
    with tenant_context(cast.tenant.id):
        assert Measurement.objects.count() == 0
    login(cast.organisation_member)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    with tenant_context(cast.tenant.id):
        assert Measurement.objects.count() == 1


def test_pushes_are_throttled_like_every_call(client, setup_a, issue_key, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "api_key": "2/minute"}
    cast = setup_a.cast
    key = _write_key(cast, issue_key)
    statuses = [
        _post(client, _url(cast, "measurements/"), _batch(cast, GOOD_ITEMS[2]), key).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


# --- A fixed number of queries ------------------------------------------------------------------


def _another_framework(cast):
    """A second published framework: three themes of two sub-themes, a metric in each."""
    admin = cast.tenant_admin
    kw = {"tenant": cast.tenant, "actor": admin, "access": _access(cast, admin)}
    framework = frameworks.framework_create(**kw, name="Anchor framework")
    for number in range(3):
        theme = frameworks.theme_save(**kw, framework=framework, name=f"Pillar {number}")
        for part in range(2):
            subtheme = frameworks.subtheme_save(**kw, theme=theme, name=f"Part {part}")
            frameworks.metric_save(
                **kw,
                subtheme=subtheme,
                code=f"AN-{number}{part}",
                name="An anchor metric",
                definition="What it counts",
                unit="count",
                direction="increase",
                aggregation="sum",
            )
    frameworks.framework_publish(**kw, framework=framework)


def test_lists_run_a_fixed_number_of_queries_whatever_their_length(client, setup_a, issue_key):
    cast = setup_a.cast
    key = _read_key(cast, issue_key)
    eco = setup_a.kvis["ECO-1"]
    paths = (*READ_PATHS, f"kvis/{eco.id}/measurements/")

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = _get(client, _url(cast, path), key)
            assert response.status_code == 200
        return len(captured)

    queries("kvis/")  # warm up: the first call of a minute records the key's last use
    small = {path: queries(path) for path in paths}
    _many_figures(setup_a, organisations=6, months=4)
    with tenant_context(cast.tenant.id):
        for month in range(4, 10):
            setup_a.record(eco, date(2022, month, 1), numerator="1", denominator="4")
        _another_framework(cast)
        for number in range(5):
            frameworks.crosswalk_add(
                tenant=cast.tenant,
                actor=cast.tenant_admin,
                access=_access(cast, cast.tenant_admin),
                metric=setup_a.metrics["WRK-04"],
                scheme="toms",
                item_code=f"NT{number}",
            )
    assert _get(client, _url(cast, "kvis/"), key).json()["count"] == 10
    assert _get(client, _url(cast, "frameworks/"), key).json()["count"] == 2
    assert {path: queries(path) for path in paths} == small
