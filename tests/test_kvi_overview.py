"""The tenant overview across organisations: figures equal the per-KVI selectors, hand-checked
totals by theme and organisation, monetised value, roles, tenant isolation, a fixed number of
queries, the empty state, the choice of financial year, search, sort and the downloads."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kvi import services
from kvi.models import Kvi, Measurement, MeasurementStatus, ProxySet, ProxyValue
from kvi.overview import OverviewYearError, organisation_rows, overview_as_of, tenant_overview
from kvi.overview_figures import kvi_year_figures
from kvi.selectors import year_to_date
from kvi.services import KviInput
from kvi.status import kvi_status
from tenancy.context import tenant_context
from tenancy.permissions import tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
V, S, DRAFT = MeasurementStatus.VALIDATED, MeasurementStatus.SUBMITTED, MeasurementStatus.DRAFT
MID_YEAR = date(2022, 9, 30)  # month 6 of 2022/23, as Wirral's mid-year report


def _access(cast, who):
    return tenant_access_for(user=who, tenant=cast.tenant)


class Programme:
    """Two themes of metrics, six KVIs in two organisations (and a third taking part with none),
    figures for 2021/22 and 2022/23 in every status, and an active proxy set."""

    METRICS = [
        # theme, code, unit, direction, aggregation, proxy measure
        ("Economic", "LOCAL-SPEND", "%", "increase", "ratio", ""),
        ("Economic", "SESSIONS", "sessions", "increase", "sum", "CAREERS"),
        ("Wellbeing", "CRISIS", "people", "increase", "average", ""),
        ("Wellbeing", "VOLUNTEERING", "hours", "increase", "sum", "VOL"),
        ("Wellbeing", "FLU", "%", "increase", "latest", ""),
        ("Wellbeing", "RATE", "%", "neutral", "average", ""),
    ]

    def __init__(self, cast):
        self.cast = cast
        tenant, admin = cast.tenant, cast.tenant_admin
        with tenant_context(tenant.id):
            access = _access(cast, admin)
            kwargs = {"tenant": tenant, "actor": admin, "access": access}
            framework = services.framework_create(**kwargs, name="Social value framework")
            subthemes = {}
            for position, name in enumerate(["Economic", "Wellbeing"]):
                theme = services.theme_save(
                    **kwargs, framework=framework, name=name, position=position
                )
                subthemes[name] = services.subtheme_save(**kwargs, theme=theme, name=name)
            self.metrics = {}
            for theme, code, unit, direction, aggregation, proxy in self.METRICS:
                self.metrics[code] = services.metric_save(
                    **kwargs,
                    subtheme=subthemes[theme],
                    code=code,
                    name=code.title(),
                    definition=f"The {code.lower()}",
                    unit=unit,
                    direction=direction,
                    aggregation=aggregation,
                    proxy_measure_code=proxy,
                )
            services.framework_publish(**kwargs, framework=framework)
            self.third = factories.ParticipationFactory(
                tenant=tenant, organisation__name="Zeta Housing"
            ).organisation
            a, b = cast.organisation, cast.other_organisation
            self.kvis = {
                "SPEND": self.kvi(a, "LOCAL-SPEND", target=D("18")),
                "SESSIONS": self.kvi(a, "SESSIONS", target=D("24")),
                "CRISIS": self.kvi(a, "CRISIS", target=D("50")),
                "VOLUNTEERING": self.kvi(b, "VOLUNTEERING"),
                "FLU": self.kvi(b, "FLU", target=D("90")),
                "RATE": self.kvi(b, "RATE"),
            }
            figures = {
                "SPEND": [
                    (date(2022, 3, 1), V, {"numerator": D(500), "denominator": D(1000)}),
                    (date(2022, 4, 1), V, {"numerator": D(120), "denominator": D(1000)}),
                    (date(2022, 5, 1), V, {"numerator": D(150), "denominator": D(1000)}),
                    (date(2022, 6, 1), S, {"numerator": D(100), "denominator": D(1000)}),
                    (date(2022, 7, 1), DRAFT, {"numerator": D(900), "denominator": D(1000)}),
                ],
                "SESSIONS": [
                    (date(2022, 3, 1), V, {"value": D(9)}),
                    (date(2022, 4, 1), V, {"value": D(3)}),
                    (date(2022, 5, 1), V, {"value": D(4)}),
                    (date(2022, 6, 1), V, {"value": D(5)}),
                    (date(2022, 7, 1), MeasurementStatus.RETURNED, {"value": D(40)}),
                ],
                "CRISIS": [
                    (date(2022, 4, 1), V, {"value": D(40)}),
                    (date(2022, 5, 1), V, {"value": D(60)}),
                    (date(2022, 6, 1), S, {"value": D(50)}),
                    (date(2022, 10, 1), V, {"value": D(145)}),  # after 30 September
                ],
                "VOLUNTEERING": [
                    (date(2022, 4, 1), V, {"value": D(10)}),
                    (date(2022, 5, 1), V, {"value": D("20.5")}),
                ],
                "FLU": [
                    (date(2022, 4, 1), V, {"numerator": D(70), "denominator": D(100)}),
                    (date(2022, 5, 1), V, {"value": D(72)}),
                    (date(2022, 6, 1), S, {"value": D(75)}),
                ],
                "RATE": [  # an average of periods entered as ratios: read from the rows
                    (date(2022, 4, 1), V, {"numerator": D(1), "denominator": D(3)}),
                    (date(2022, 5, 1), V, {"numerator": D(2), "denominator": D(3)}),
                    (date(2022, 6, 1), V, {"value": D("12.5")}),
                ],
            }
            for code, rows in figures.items():
                for period, status, values in rows:
                    Measurement.objects.create(
                        tenant=tenant, kvi=self.kvis[code], period=period, status=status, **values
                    )
            proxies = ProxySet.objects.create(
                tenant=tenant, name="Proxies", file_name="p.csv", file_sha256="1" * 64
            )
            for measure, year, amount, deadweight, attribution in [
                ("CAREERS", "2022/23", "121", "20", "10"),
                ("CAREERS", "2021/22", "100", "0", "0"),
                ("VOL", "2022/23", "10", "0", "50"),
            ]:
                ProxyValue.objects.create(
                    tenant=tenant,
                    proxy_set=proxies,
                    measure_code=measure,
                    unit="unit",
                    financial_year=year,
                    value_per_unit=D(amount),
                    deadweight_pct=D(deadweight),
                    attribution_pct=D(attribution),
                )
            proxies.is_active = True
            proxies.save()

    def kvi(self, organisation, metric, *, target=None) -> Kvi:
        cast = self.cast
        return services.kvi_create(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            organisation=organisation,
            data=KviInput(
                code=metric,
                title=f"{metric} KVI",
                metric=self.metrics[metric],
                frequency="monthly",
                target_value=target,
                target_financial_year="2022/23" if target is not None else "",
            ),
        )

    def overview(self, today=MID_YEAR, financial_year=None):
        cast = self.cast
        with tenant_context(cast.tenant.id):
            return tenant_overview(
                tenant=cast.tenant,
                access=_access(cast, cast.assessor),
                financial_year=financial_year,
                today=today,
                every_organisation=True,
            )


@pytest.fixture
def programme(cast_a):
    return Programme(cast_a)


# --- Figures and totals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [date(2022, 3, 31), date(2022, 4, 1), date(2022, 6, 15), MID_YEAR, date(2023, 3, 31)],
)
def test_figures_equal_year_to_date_of_every_kvi(programme, as_of):
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        figures = {kvi.id: kvi for kvi in kvi_year_figures(tenant=tenant, as_of=as_of)}
        kvis = Kvi.objects.filter(tenant=tenant).select_related("metric")
        assert len(figures) == len(kvis) == 6
        for kvi in kvis:
            expected = year_to_date(tenant=tenant, kvi=kvi, as_of=as_of)
            assert figures[str(kvi.pk)].figure == expected, kvi.code


def test_figures_of_ratios_entered_as_values_equal_year_to_date(programme):
    """Ratio KVIs with figures entered as values (all of them, or mixed with ratios), as an
    import of older figures may leave them."""
    cast, tenant = programme.cast, programme.cast.tenant
    with tenant_context(tenant.id):
        organisation = factories.ParticipationFactory(tenant=tenant).organisation
        all_values = programme.kvi(organisation, "LOCAL-SPEND", target=D(18))
        mixed = services.kvi_create(
            tenant=tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            organisation=organisation,
            data=KviInput(
                code="LOCAL-SPEND-2", title="Mixed", metric=programme.metrics["LOCAL-SPEND"],
                frequency="quarterly",
            ),
        )  # fmt: skip
        for period, value in [(date(2022, 4, 1), D("12.5")), (date(2022, 5, 1), D("13.25"))]:
            Measurement.objects.create(
                tenant=tenant, kvi=all_values, period=period, status=V, value=value
            )
        Measurement.objects.create(
            tenant=tenant, kvi=mixed, period=date(2022, 4, 1), status=V, value=D("10")
        )
        Measurement.objects.create(
            tenant=tenant,
            kvi=mixed,
            period=date(2022, 7, 1),
            status=S,
            numerator=D(1),
            denominator=D(7),
        )
        figures = {k.id: k.figure for k in kvi_year_figures(tenant=tenant, as_of=MID_YEAR)}
        for kvi in (all_values, mixed):
            kvi = Kvi.objects.select_related("metric").get(pk=kvi.pk)
            assert figures[str(kvi.pk)] == year_to_date(tenant=tenant, kvi=kvi, as_of=MID_YEAR)
    assert figures[str(all_values.pk)] == D("12.875")
    assert figures[str(mixed.pk)] == (D("0.1") + D(1)) / (1 + 7) * 100


def test_figures_hand_checked(programme):
    tenant = programme.cast.tenant
    with tenant_context(tenant.id):
        figures = {kvi.metric.code: kvi for kvi in kvi_year_figures(tenant=tenant, as_of=MID_YEAR)}
    # (120 + 150 + 100) / 3000: the March figure is last year's, the July draft does not count.
    assert figures["LOCAL-SPEND"].figure == D(370) / D(3000) * 100
    assert figures["LOCAL-SPEND"].awaiting_validation == 1
    assert figures["SESSIONS"].figure == 12  # the returned July figure does not count
    assert figures["CRISIS"].figure == 50  # (40 + 60 + 50) / 3; October is after the date
    assert figures["VOLUNTEERING"].figure == D("30.5")
    assert figures["FLU"].figure == 75  # the latest, submitted and awaiting validation
    assert round(figures["RATE"].figure, 6) == round((D(100) / 3 + D(200) / 3 + D("12.5")) / 3, 6)


def test_overview_totals_by_theme_and_organisation(programme):
    cast = programme.cast
    overview = programme.overview()
    assert (overview.financial_year, overview.as_of) == ("2022/23", MID_YEAR)
    totals = overview.totals
    assert totals.kvis == 6
    assert (overview.organisations_taking_part, overview.organisations_with_kvis) == (3, 2)
    assert overview.organisations_reporting == 2
    assert totals.awaiting_validation == 3  # SPEND June, CRISIS June, FLU June
    # Sessions: 12 × £121 = £1,452 gross, × 0.8 × 0.9 = £1,045.44 net; volunteering: 30.5 hours
    # × £10 = £305 gross, × 0.5 = £152.50 net. Percentages and people have no proxy.
    assert (totals.gross, totals.net) == (D("1757"), D("1197.94"))
    assert totals.priced_kvis == 2
    assert overview.proxy_set_active

    economic, wellbeing = overview.themes
    assert (economic.name, wellbeing.name) == ("Economic", "Wellbeing")
    assert (economic.tally.kvis, wellbeing.tally.kvis) == (2, 4)
    assert (economic.tally.gross, economic.tally.net) == (D(1452), D("1045.44"))
    assert (wellbeing.tally.gross, wellbeing.tally.net) == (D(305), D("152.5"))
    measures = {m.code: m for m in wellbeing.measure_list}
    assert measures["VOLUNTEERING"].quantity == D("30.5")
    assert measures["VOLUNTEERING"].quantity_display == "30.5 hours"
    assert measures["CRISIS"].gross is None  # no proxy: a count, never priced
    assert measures["CRISIS"].quantity == 50
    assert measures["FLU"].quantity is None  # percentages do not add up
    assert measures["FLU"].gross is None

    by_name = {row.name: row for row in overview.organisations}
    first, second = by_name[cast.organisation.name], by_name[cast.other_organisation.name]
    assert (first.tally.kvis, first.tally.awaiting_validation) == (3, 2)
    assert (second.tally.kvis, second.tally.awaiting_validation) == (3, 1)
    assert (first.tally.net, second.tally.net) == (D("1045.44"), D("152.5"))
    assert by_name["Zeta Housing"].tally.kvis == 0 and not by_name["Zeta Housing"].reporting


def test_statuses_are_those_of_kvi_status(programme):
    tenant = programme.cast.tenant
    overview = programme.overview()
    with tenant_context(tenant.id):
        expected = {"on_track": 0, "at_risk": 0, "off_track": 0, "not_judged": 0}
        for kvi in Kvi.objects.filter(tenant=tenant).select_related("metric"):
            figure = year_to_date(tenant=tenant, kvi=kvi, as_of=MID_YEAR)
            status = kvi_status(kvi, figure=figure, as_of=MID_YEAR).status
            expected[status if status in expected else "not_judged"] += 1
    totals = overview.totals
    got = {
        "on_track": totals.on_track,
        "at_risk": totals.at_risk,
        "off_track": totals.off_track,
        "not_judged": totals.not_judged,
    }
    assert got == expected
    # By hand: spend 12.33% against 18% (tolerance 1.8) and flu 75% against 90% are off track;
    # crisis responses average 50 against 50 is on track; volunteering and the rate have no
    # target; sessions 12 against 24 × 183/365 = 12.03 (tolerance 1.20) is at risk.
    assert got == {"on_track": 1, "at_risk": 1, "off_track": 2, "not_judged": 2}


def test_a_past_year_is_read_at_its_end_and_priced_with_its_proxies(programme):
    overview = programme.overview(today=date(2024, 5, 1), financial_year="2021/22")
    assert (overview.financial_year, overview.as_of) == ("2021/22", date(2022, 3, 31))
    assert overview.totals.kvis == 6
    assert overview.organisations_reporting == 1  # only the first had figures in March 2022
    assert (overview.totals.gross, overview.totals.net) == (D(900), D(900))  # 9 × £100


def test_overview_year_must_be_a_begun_financial_year():
    assert overview_as_of(None, MID_YEAR) == ("2022/23", MID_YEAR)
    assert overview_as_of("2022/23", date(2024, 1, 1)) == ("2022/23", date(2023, 3, 31))
    with pytest.raises(OverviewYearError, match="like"):
        overview_as_of("2022-23", MID_YEAR)
    with pytest.raises(OverviewYearError, match="has not begun"):
        overview_as_of("2023/24", MID_YEAR)


def test_search_and_sort_the_organisations(programme):
    cast = programme.cast
    overview = programme.overview()
    with tenant_context(cast.tenant.id):  # the rows are read (in SQL) as they are asked for
        names = [row.name for row in organisation_rows(overview)]
        assert names == sorted(names, key=str.casefold)
        assert names == [row.name for row in overview.organisations]
        zeta = organisation_rows(overview, search="  ZETA  ")
        assert [row.name for row in zeta] == ["Zeta Housing"] and zeta.count() == 1
        by_net = organisation_rows(overview, sort="-net")
        assert [row.name for row in by_net][:2] == [
            cast.organisation.name,
            cast.other_organisation.name,
        ]
        assert [row.name for row in by_net[1:3]] == [cast.other_organisation.name, "Zeta Housing"]
        assert organisation_rows(overview, sort="-kvis")[-1].name == "Zeta Housing"
        assert [r.name for r in organisation_rows(overview, sort="bogus")] == names
        by_value = [row.name for row in organisation_rows(overview, sort="net")]
        assert by_value == ["Zeta Housing", cast.other_organisation.name, cast.organisation.name]
        assert len(organisation_rows(overview, search="nobody")) == 0


def test_only_the_programme_team_may_read_the_overview(programme):
    cast = programme.cast
    from django.core.exceptions import PermissionDenied

    with tenant_context(cast.tenant.id), pytest.raises(PermissionDenied):
        tenant_overview(
            tenant=cast.tenant, access=_access(cast, cast.organisation_admin), today=MID_YEAR
        )


# --- The page ----------------------------------------------------------------------------------


def _url(cast, **query):
    url = reverse("kvi_overview", args=[cast.tenant.slug])
    if query:
        from django.utils.http import urlencode

        url += "?" + urlencode(query)
    return url


@pytest.mark.parametrize("role", ["tenant_admin", "assessor", "board_reporter"])
def test_the_programme_team_sees_the_overview(programme, login, role):
    cast = programme.cast
    response = login(getattr(cast, role)).get(_url(cast, year="2022/23"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "KVIs across organisations" in page
    assert cast.organisation.name in page and "Zeta Housing" in page
    assert "£1,757 gross" in page and "£1,198 net" in page
    dashboard = reverse("kvi_dashboard", args=[cast.tenant.slug, cast.organisation.id])
    assert f'href="{dashboard}?year=2022/23"' in page
    assert "Not priced: reported as a count" in page


@pytest.mark.parametrize("role", ["organisation_admin", "organisation_member", "outsider"])
def test_organisation_staff_and_outsiders_are_refused(programme, login, role):
    cast = programme.cast
    client = login(getattr(cast, role))
    assert client.get(_url(cast)).status_code == 403
    export = reverse("kvi_overview_export", args=[cast.tenant.slug, "organisations", "csv"])
    assert client.get(export).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(programme, client):
    response = client.get(_url(programme.cast))
    assert response.status_code == 302 and "login" in response["Location"]


def test_another_tenant_sees_none_of_these_rows(programme, cast_b, login):
    cast = programme.cast
    client = login(cast_b.tenant_admin)
    response = client.get(_url(cast_b, year="2022/23"))
    assert response.status_code == 200
    page = response.content.decode()
    assert cast.organisation.name not in page and "Zeta Housing" not in page
    assert "No KVIs yet" in page
    # Nor through tenant A's address, or its downloads.
    assert client.get(_url(cast)).status_code == 403
    export = reverse("kvi_overview_export", args=[cast.tenant.slug, "themes", "csv"])
    assert client.get(export).status_code == 403
    b_export = reverse("kvi_overview_export", args=[cast_b.tenant.slug, "organisations", "csv"])
    rows = list(csv.reader(io.StringIO(client.get(b_export).content.decode())))
    assert cast.organisation.name not in {row[0] for row in rows}


def test_empty_programme(cast_a, login):
    response = login(cast_a.assessor).get(_url(cast_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No KVIs yet" in page
    assert response.context["overview"].organisations_taking_part == 2


def test_a_bad_year_is_named_and_the_current_year_shown(programme, login):
    cast = programme.cast
    response = login(cast.assessor).get(_url(cast, year="2022-23"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Choose a financial year from the list." in page
    assert response.context["overview"].financial_year == response.context["form"].current_year
    response = login(cast.assessor).get(_url(cast, year="2099/00", sort="nonsense"))
    assert response.status_code == 200
    assert "Sort by one of the table" in response.content.decode()


def test_search_sort_and_pages_keep_each_other(programme, login, monkeypatch):
    cast = programme.cast
    monkeypatch.setattr("kvi.views.overview.PAGE_SIZE", 1)
    client = login(cast.board_reporter)
    response = client.get(_url(cast, year="2022/23", sort="-net"))
    assert [row.name for row in response.context["page_obj"]] == [cast.organisation.name]
    page = response.content.decode()
    assert "year=2022%2F23&amp;sort=-net&amp;page=2" in page
    assert 'aria-sort="descending"' in page
    response = client.get(_url(cast, year="2022/23", sort="-net", page=2))
    assert [row.name for row in response.context["page_obj"]] == [cast.other_organisation.name]
    response = client.get(_url(cast, year="2022/23", q="zeta"))
    assert [row.name for row in response.context["page_obj"]] == ["Zeta Housing"]
    response = client.get(_url(cast, year="2022/23", q="nobody"))
    assert "No organisation’s name contains “nobody”" in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(
    cast_a, login, django_assert_max_num_queries
):
    client = login(cast_a.assessor)
    url = _url(cast_a, year="2022/23")
    small = Programme(cast_a)
    count_small = _queries(client, url)  # the year's figures worked out for this view
    searched = url + "&sort=-net&page=2&q=o"  # a search counts its organisations: one more
    fresh_small = _queries(client, searched)  # read from the rollup as they are
    assert fresh_small < count_small
    tenant = cast_a.tenant
    with tenant_context(tenant.id):  # ten more organisations, each with the six KVIs and figures
        for n in range(10):
            organisation = factories.ParticipationFactory(tenant=tenant).organisation
            for code in small.metrics:
                kvi = small.kvi(organisation, code, target=D(10 + n))
                for month in (4, 5, 6, 7):
                    values = (
                        {"value": D(n + month)}
                        if code in ("SESSIONS", "CRISIS", "VOLUNTEERING")
                        else {"numerator": D(month), "denominator": D(10)}
                    )
                    Measurement.objects.create(
                        tenant=tenant, kvi=kvi, period=date(2022, month, 1), status=V, **values
                    )
    with django_assert_max_num_queries(count_small):
        response = client.get(url)
    assert response.context["overview"].totals.kvis == 66
    assert response.context["overview"].worked_out_now == 60
    with django_assert_max_num_queries(fresh_small):
        response = client.get(searched)
    assert response.context["overview"].worked_out_now == 0
    assert count_small <= 20  # the framework's own (session, person, tenant, roles...) and ours


# --- Downloads ---------------------------------------------------------------------------------


def test_download_the_organisations_as_csv(programme, login):
    cast = programme.cast
    with tenant_context(cast.tenant.id):
        factories.ParticipationFactory(tenant=cast.tenant, organisation__name="=HYPERLINK(evil)")
    url = reverse("kvi_overview_export", args=[cast.tenant.slug, "organisations", "csv"])
    response = login(cast.assessor).get(url + "?year=2022/23")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in response["Content-Disposition"]
        and "2022-23" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {row["Organisation"]: row for row in rows}
    first = by_name[cast.organisation.name]
    assert (first["KVIs"], first["Figures awaiting validation"]) == ("3", "2")
    assert (first["Monetised value gross (£)"], first["Monetised value net (£)"]) == (
        "1452.00",
        "1045.44",
    )
    assert "'=HYPERLINK(evil)" in by_name  # a formula is stored as text


def test_download_the_themes_as_xlsx(programme, login):
    cast = programme.cast
    url = reverse("kvi_overview_export", args=[cast.tenant.slug, "themes", "xlsx"])
    response = login(cast.tenant_admin).get(url + "?year=2022/23")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    records = {
        row[header.index("Metric code")]: dict(zip(header, row, strict=True)) for row in body
    }
    assert records["SESSIONS"]["Total quantity"] == 12
    assert records["SESSIONS"]["Monetised value net (£)"] == pytest.approx(1045.44)
    assert records["CRISIS"]["Monetised value gross (£)"] is None
    assert len(body) == 6


def test_unknown_downloads_are_not_found(programme, login):
    cast = programme.cast
    client = login(cast.assessor)
    for table, file_format in [("people", "csv"), ("themes", "pdf")]:
        url = reverse("kvi_overview_export", args=[cast.tenant.slug, table, file_format])
        assert client.get(url).status_code == 404


def test_an_organisation_that_has_left_keeps_its_kvis_in_the_overview(programme, login):
    cast = programme.cast
    from organisations.models import Participation

    with tenant_context(cast.tenant.id):
        Participation.objects.filter(
            tenant=cast.tenant, organisation=cast.other_organisation
        ).update(status=Participation.Status.LEFT)
    overview = programme.overview()
    assert overview.organisations_taking_part == 2
    assert overview.totals.kvis == 6
    row = next(
        r for r in overview.organisations if r.organisation_id == str(cast.other_organisation.id)
    )
    assert (row.name, row.taking_part, row.tally.kvis) == (cast.other_organisation.name, False, 3)
    page = login(cast.assessor).get(_url(cast, year="2022/23")).content.decode()
    assert "(has left the programme)" in page


def test_without_an_active_proxy_set_figures_are_counts(programme, login):
    cast = programme.cast
    with tenant_context(cast.tenant.id):
        ProxySet.objects.filter(tenant=cast.tenant).update(is_active=False)
    overview = programme.overview()
    assert not overview.proxy_set_active
    assert (overview.totals.gross, overview.totals.priced_kvis) == (0, 0)
    assert all(m.gross is None for t in overview.themes for m in t.measure_list)
    proxy_sets = reverse("proxy_set_list", args=[cast.tenant.slug])
    admin_page = login(cast.tenant_admin).get(_url(cast, year="2022/23")).content.decode()
    assert "no proxy set is active" in admin_page and f'href="{proxy_sets}"' in admin_page
    reporter_page = login(cast.board_reporter).get(_url(cast, year="2022/23")).content.decode()
    assert "no proxy set is active" in reporter_page and proxy_sets not in reporter_page
