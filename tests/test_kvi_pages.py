"""The KVI pages: an organisation's dashboard, a KVI's page with its SPC chart, adding and
changing KVIs, entering, submitting, validating, returning and correcting figures, and who is
refused each of them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kvi import periods, services
from kvi.models import Kvi, Measurement, MeasurementRevision, MeasurementStatus
from kvi.services import KviInput
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Role
from tenancy.permissions import tenant_access_for
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
MS = MeasurementStatus


def _access(cast, who):
    return tenant_access_for(user=who, tenant=cast.tenant)


class KviData:
    """A published framework with two themes and three metrics, and a KVI of each in the cast's
    organisation (plus `extra` more), all made through the services."""

    def __init__(self, cast, extra: int = 0):
        self.cast = cast
        tenant, admin = cast.tenant, cast.tenant_admin
        access = _access(cast, admin)
        base = dict(tenant=tenant, actor=admin, access=access)
        self.framework = services.framework_create(**base, name="Social value framework")
        economic = services.theme_save(
            **base, framework=self.framework, name="Economic", position=1
        )
        employment = services.theme_save(
            **base, framework=self.framework, name="Employment and volunteering", position=2
        )
        procurement = services.subtheme_save(**base, theme=economic, name="Procurement")
        careers = services.subtheme_save(**base, theme=employment, name="Widening participation")
        self.subtheme = procurement
        self.metrics: dict = {}
        for code, subtheme, unit, direction, aggregation in [
            ("LOCAL-SPEND", procurement, "%", "increase", "ratio"),
            ("CRISIS", procurement, "people", "increase", "average"),
            ("SESSIONS", careers, "sessions", "increase", "sum"),
        ]:
            self.metrics[code] = services.metric_save(
                **base,
                subtheme=subtheme,
                code=code,
                name=code.title(),
                definition=f"The {code.lower()} of the organisation",
                unit=unit,
                direction=direction,
                aggregation=aggregation,
            )
        services.framework_publish(**base, framework=self.framework)
        self.kvis: dict[str, Kvi] = {}
        for code, metric, target in [
            ("SPEND", "LOCAL-SPEND", D("18")),
            ("CRISIS", "CRISIS", D("50")),
            ("SESSIONS", "SESSIONS", D("24")),
            *[(f"EXTRA-{n:02d}", "SESSIONS", D("10")) for n in range(extra)],
        ]:
            self.add_kvi(code, metric, target)

    def add_kvi(self, code, metric, target, organisation=None, frequency="monthly"):
        cast = self.cast
        self.kvis[code] = services.kvi_create(
            tenant=cast.tenant,
            actor=cast.tenant_admin,
            access=_access(cast, cast.tenant_admin),
            organisation=organisation or cast.organisation,
            data=KviInput(
                code=code,
                title=f"{code.title()} KVI",
                metric=self.metrics[metric],
                frequency=frequency,
                target_value=target,
                target_financial_year="2022/23",
            ),
        )
        return self.kvis[code]

    def record(self, kvi_code, period, *, submit=True, validate=True, **figures):
        cast = self.cast
        who = cast.organisation_member
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

    def wirral_spend(self):
        """Local spend April-September 2022: 13.09% year to date; 2021/22: 10%."""
        for month, numerator in [
            (4, "90000"),
            (5, "150000"),
            (6, "100000"),
            (7, "140000"),
            (8, "120000"),
            (9, "185400"),
        ]:
            denominator = "1200000" if month == 5 else "800000" if month == 6 else "1000000"
            self.record(
                "SPEND", date(2022, month, 1), numerator=D(numerator), denominator=D(denominator)
            )
        self.record("SPEND", date(2022, 3, 1), numerator=D("100"), denominator=D("1000"))


def bulk_measurements(cast, kvis, count: int, *, start=date(2021, 4, 1)) -> None:
    """`count` monthly figures (validated, every third waiting for validation) for each KVI,
    written directly: for the query-count tests."""
    rows = []
    months = periods.periods_between(start, date(start.year + 10, 1, 1), "monthly")[:count]
    for kvi in kvis:
        ratio = kvi.metric.aggregation == "ratio"
        for i, period in enumerate(months):
            figures = (
                {"numerator": D(100 + i), "denominator": D(1000)}
                if ratio
                else {"value": D(10 + i % 4)}
            )
            rows.append(
                Measurement(
                    tenant=cast.tenant,
                    kvi=kvi,
                    period=period,
                    status=MS.VALIDATED if i % 3 else MS.SUBMITTED,
                    entered_by=cast.organisation_member,
                    **figures,
                )
            )
    Measurement.objects.bulk_create(rows)


def other_organisation_member(cast):
    """A member of the cast's other organisation (no role in the cast's organisation)."""
    user = factories.UserFactory()
    with tenant_context(cast.tenant.id):
        factories.MembershipFactory(
            tenant=cast.tenant,
            user=user,
            role=Role.ORGANISATION_ADMIN,
            organisation=cast.other_organisation,
        )
    return user


@pytest.fixture
def data_a(cast_a):
    with tenant_context(cast_a.tenant.id):
        return KviData(cast_a)


def url(cast, name, *args):
    return reverse(name, args=[cast.tenant.slug, *args])


# --- Dashboard -------------------------------------------------------------------------------


def test_dashboard_groups_kvis_by_theme_with_year_to_date_last_year_target_and_status(
    data_a, login
):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        data_a.wirral_spend()
        data_a.record("CRISIS", date(2022, 4, 1), value=D("140"), validate=False)
        data_a.record("CRISIS", date(2022, 5, 1), value=D("150"))
        data_a.record("SESSIONS", date(2022, 4, 1), value=D("3"), submit=False)
    client = login(cast.organisation_admin)
    response = client.get(url(cast, "kvi_dashboard", cast.organisation.id), {"year": "2022/23"})
    assert response.status_code == 200
    html = response.content.decode()
    themes = [group["name"] for group in response.context["themes"]]
    assert themes == ["Economic", "Employment and volunteering"]
    rows = {row["kvi"].code: row for group in response.context["themes"] for row in group["rows"]}
    assert rows["SPEND"]["year_to_date"] == "13.09%"
    assert rows["SPEND"]["last_year"] == "10%"
    assert rows["SPEND"]["target"] == "18% in 2022/23"
    # At 31 March 2023 the target is 18%, 13.09% is more than 10% of the way short.
    assert rows["SPEND"]["status"].label == "Off track"
    assert rows["CRISIS"]["year_to_date"] == "145 people"
    assert rows["CRISIS"]["awaiting_validation"] == 1
    # A draft counts for nothing.
    assert rows["SESSIONS"]["year_to_date"] == "—"
    assert rows["SESSIONS"]["status"].label == "No figures yet"
    assert 'class="spc-icon"' in html and "Common cause variation" in html
    assert "1 figure is waiting for validation" in html
    assert url(cast, "measurement_validation_queue", cast.organisation.id) in html
    assert url(cast, "kvi_add", cast.organisation.id) in html
    # Links to pages other helpers build, when they exist.
    for name in ("measurement_import_start", "spend_ledger_list", "workforce_return_list"):
        try:
            assert url(cast, name, cast.organisation.id) in html
        except NoReverseMatch:
            pass


def test_dashboard_current_year_is_the_default_and_a_bad_year_is_said(data_a, login):
    cast = data_a.cast
    this_month = periods.period_start(timezone.localdate(), "monthly")
    with tenant_context(cast.tenant.id):
        data_a.record("SESSIONS", this_month, value=D("5"))
    client = login(cast.organisation_member)
    response = client.get(url(cast, "kvi_dashboard", cast.organisation.id))
    rows = {row["kvi"].code: row for group in response.context["themes"] for row in group["rows"]}
    assert rows["SESSIONS"]["year_to_date"] == "5 sessions"
    assert response.context["year"] == periods.financial_year_of(timezone.localdate())
    # A member sees the count but cannot validate, nor add KVIs.
    html = response.content.decode()
    assert url(cast, "kvi_add", cast.organisation.id) not in html
    response = client.get(url(cast, "kvi_dashboard", cast.organisation.id), {"year": "2022/24"})
    assert response.status_code == 200
    assert "2022/24 is not a financial year" in response.content.decode()


def test_dashboard_points_to_the_latest_year_with_figures_when_this_year_has_none(data_a, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        data_a.record("SESSIONS", date(2022, 5, 1), value=D("5"))
    client = login(cast.organisation_member)
    html = client.get(url(cast, "kvi_dashboard", cast.organisation.id)).content.decode()
    assert "The latest figures are for" in html and 'href="?year=2022/23"' in html
    html = client.get(url(cast, "kvi_dashboard", cast.organisation.id), {"year": "2022/23"})
    assert "The latest figures are for" not in html.content.decode()


def test_dashboard_takes_a_fixed_number_of_queries(cast_a, login, django_assert_max_num_queries):
    cast = cast_a
    path = url(cast, "kvi_dashboard", cast.organisation.id)
    with tenant_context(cast.tenant.id):
        data = KviData(cast)
        data.kvis.pop("SESSIONS").delete()
        bulk_measurements(cast, data.kvis.values(), 6)  # 2 KVIs, 12 figures
    client = login(cast.organisation_admin)
    with CaptureQueriesContext(connection) as queries:
        small = client.get(path, {"year": "2022/23"})
    with tenant_context(cast.tenant.id):
        more = [data.add_kvi(f"MORE-{n:02d}", "SESSIONS", D("10")) for n in range(18)]
        bulk_measurements(cast, more, 24)  # 20 KVIs, 444 figures
    with django_assert_max_num_queries(len(queries)):
        large = client.get(path, {"year": "2022/23"})
    count = [sum(len(g["rows"]) for g in r.context["themes"]) for r in (small, large)]
    assert count == [2, 20]
    assert large.context["board"].awaiting_validation == 2 * 2 + 18 * 8


def test_dashboard_refusals(data_a, cast_b, login, client):
    cast = data_a.cast
    path = url(cast, "kvi_dashboard", cast.organisation.id)
    for who in (cast.outsider, cast_b.tenant_admin, other_organisation_member(cast)):
        assert login(who).get(path).status_code == 403
    # The programme team may read every organisation's dashboard.
    assert login(cast.board_reporter).get(path).status_code == 200
    # Tenant B's people, in their own programme, find no such organisation.
    path_b = reverse("kvi_dashboard", args=[cast_b.tenant.slug, cast.organisation.id])
    assert login(cast_b.tenant_admin).get(path_b).status_code == 404
    client.logout()
    assert client.get(path).status_code == 302  # to sign in


# --- A KVI's page ----------------------------------------------------------------------------


def test_kvi_page_shows_summary_chart_figures_and_corrections(data_a, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        data_a.wirral_spend()
        first = Measurement.objects.get(kvi=data_a.kvis["SPEND"], period=date(2022, 4, 1))
        services.measurement_correct(
            tenant=cast.tenant,
            actor=cast.organisation_member,
            access=_access(cast, cast.organisation_member),
            measurement=first,
            numerator=D("95000"),
            denominator=D("1000000"),
            reason="Late invoice from a Wirral supplier",
        )
        data_a.record(
            "SPEND", date(2022, 10, 1), numerator=D("1"), denominator=D("2"), submit=False
        )
    kvi = data_a.kvis["SPEND"]
    client = login(cast.organisation_member)
    response = client.get(url(cast, "kvi_detail", kvi.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The local-spend of the organisation" in html  # the definition
    assert "Higher is better" in html and "summed numerators over summed denominators" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'class="spc-chart"' in html
    assert "Variation" in html and "Common cause variation" in html
    # Figures: newest first, the draft shown to the organisation's staff, evidence counted.
    figures = [row["figure"] for row in response.context["rows"]]
    assert figures[0] == "50% (1 of 2)"
    assert "9.50% (95,000 of 1,000,000)" in figures
    # 790,400 of 6,000,000 after the correction.
    assert dict(response.context["by_year"])["2022/23"] == "13.17%"
    revisions = response.context["revisions"]
    assert [(r["old"], r["new"]) for r in revisions] == [
        ("9% (90,000 of 1,000,000)", "9.50% (95,000 of 1,000,000)")
    ]
    assert "Late invoice from a Wirral supplier" in html
    # The board reporter reads it too, without the draft and without the links to change it.
    response = login(cast.board_reporter).get(url(cast, "kvi_detail", kvi.pk))
    assert response.status_code == 200
    assert "50% (1 of 2)" not in [row["figure"] for row in response.context["rows"]]
    assert url(cast, "measurement_enter", kvi.pk) not in response.content.decode()


def test_kvi_page_chart_settings(data_a, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        kvi = data_a.kvis["CRISIS"]
        bulk_measurements(cast, [kvi], 20)
    client = login(cast.organisation_member)
    path = url(cast, "kvi_detail", kvi.pk)
    plain = client.get(path).context["spc"]
    assert plain.segments[0].baseline_count == 20
    fixed = client.get(path, {"baseline_points": "12", "screen_outliers": "on"}).context["spc"]
    assert fixed.segments[0].baseline_count == 12
    rebased = client.get(path, {"rebase_at": "2022-04-01", "run_length": "6"}).context["spc"]
    assert [segment.start for segment in rebased.segments] == [date(2021, 4, 1), date(2022, 4, 1)]
    response = client.get(path, {"baseline_points": "5"})
    assert response.status_code == 200
    assert "Limits can be fixed only on 12 or more points." in response.content.decode()
    assert response.context["spc"].segments[0].baseline_count == 20  # defaults kept
    response = client.get(path, {"rebase_at": "1999-01-01"})
    assert "Choose periods of this KVI" in response.content.decode()


def test_chart_settings_tried_on_the_page_are_kept_by_the_organisation_admin(data_a, cast_b, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        kvi = data_a.kvis["CRISIS"]
        bulk_measurements(cast, [kvi], 20)
    path = url(cast, "kvi_detail", kvi.pk)
    keep = url(cast, "kvi_chart_settings", kvi.pk)
    tried = {"baseline_points": "12", "rebase_at": "2022-04-01", "run_length": "6"}
    # A member may try settings but not keep them; nor may tenant B's admin.
    member = login(cast.organisation_member)
    assert member.get(path, tried).context["settings_to_keep"] is None
    assert member.post(keep, tried).status_code == 403
    assert login(cast_b.tenant_admin).post(keep, tried).status_code == 403
    admin = login(cast.organisation_admin)
    page = admin.get(path, tried)
    assert page.context["settings_to_keep"]["baseline_points"] == 12
    assert "Keep these chart settings" in page.content.decode()
    response = admin.post(keep, tried)
    assert response.status_code == 302
    with tenant_context(cast.tenant.id):
        kvi.refresh_from_db()
    assert kvi.spc_baseline_points == 12
    assert kvi.spc_rebase_at == [date(2022, 4, 1)]
    assert (kvi.spc_shift_length, kvi.spc_trend_length) == (6, 6)
    # The KVI's page now draws its chart that way without any options, and shows them.
    page = admin.get(path)
    assert [s.start for s in page.context["spc"].segments] == [date(2021, 4, 1), date(2022, 4, 1)]
    assert page.context["options"].initial["baseline_points"] == 12
    # Invalid settings keep nothing.
    admin.post(keep, {"baseline_points": "5"})
    with tenant_context(cast.tenant.id):
        kvi.refresh_from_db()
    assert kvi.spc_baseline_points == 12


def test_kvi_page_takes_a_fixed_number_of_queries(cast_a, login, django_assert_max_num_queries):
    with tenant_context(cast_a.tenant.id):
        data = KviData(cast_a)
        kvi = data.kvis["CRISIS"]
        bulk_measurements(cast_a, [kvi], 3)
    client = login(cast_a.organisation_member)
    with CaptureQueriesContext(connection) as queries:
        client.get(url(cast_a, "kvi_detail", kvi.pk))
    with tenant_context(cast_a.tenant.id):
        Measurement.objects.filter(kvi=kvi).delete()
        bulk_measurements(cast_a, [kvi], 36)
        for measurement in Measurement.objects.filter(kvi=kvi)[:5]:
            services.measurement_correct(
                tenant=cast_a.tenant,
                actor=cast_a.organisation_member,
                access=_access(cast_a, cast_a.organisation_member),
                measurement=measurement,
                value=D("99"),
                reason="Recounted",
            )
    with django_assert_max_num_queries(len(queries)):
        response = client.get(url(cast_a, "kvi_detail", kvi.pk))
    assert len(response.context["rows"]) == 36 and len(response.context["revisions"]) == 5


def test_kvi_page_refusals(data_a, cast_b, login):
    cast = data_a.cast
    path = url(cast, "kvi_detail", data_a.kvis["SPEND"].pk)
    assert login(other_organisation_member(cast)).get(path).status_code == 404
    assert login(cast.outsider).get(path).status_code == 403
    assert login(cast_b.tenant_admin).get(path).status_code == 403
    path_b = reverse("kvi_detail", args=[cast_b.tenant.slug, data_a.kvis["SPEND"].pk])
    assert login(cast_b.tenant_admin).get(path_b).status_code == 404
    assert login(cast.assessor).get(path).status_code == 200


# --- Adding and changing KVIs ----------------------------------------------------------------


def test_organisation_admin_adds_a_kvi_linked_to_a_pledge(data_a, login):
    cast = data_a.cast
    charter = factories.published_charter(cast)
    with tenant_context(cast.tenant.id):
        from charters import services as charter_services

        signatory = charter_services.charter_sign(
            tenant=cast.tenant,
            actor=cast.organisation_admin,
            access=_access(cast, cast.organisation_admin),
            version=charter.versions.get(),
            organisation=cast.organisation,
            data=factories.signing_input("Spend 18% locally by 2022/23."),
        )
        pledge = signatory.pledges.get()
    client = login(cast.organisation_admin)
    path = url(cast, "kvi_add", cast.organisation.id)
    page = client.get(path)
    assert "Spend 18% locally by 2022/23." in page.content.decode()
    response = client.post(
        path,
        {
            "code": "wte-dis",
            "title": "5% of WTE staff with declared disabilities",
            "metric": str(data_a.metrics["CRISIS"].pk),
            "frequency": "quarterly",
            "baseline_value": "4.09",
            "baseline_period": "1/1/2022",
            "target_value": "5",
            "target_financial_year": "2022/23",
            "owner_name": "Director of Workforce",
            "pledge": str(pledge.pk),
        },
    )
    with tenant_context(cast.tenant.id):
        kvi = Kvi.objects.get(code="WTE-DIS")
    assert response.status_code == 302 and response["Location"] == url(cast, "kvi_detail", kvi.pk)
    assert (kvi.pledge_id, kvi.baseline_value, kvi.frequency) == (pledge.pk, D("4.09"), "quarterly")
    with tenant_context(cast.tenant.id):
        assert AuditEvent.objects.filter(verb="kvi.created", object_id=str(kvi.pk)).exists()


def test_kvi_form_says_what_is_wrong_and_saves_nothing(data_a, login):
    cast = data_a.cast
    client = login(cast.organisation_admin)
    response = client.post(
        url(cast, "kvi_add", cast.organisation.id),
        {
            "code": "spend",
            "title": "",
            "metric": str(data_a.metrics["CRISIS"].pk),
            "frequency": "monthly",
            "target_value": "lots",
            "target_financial_year": "2022/24",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["title"] == ["Enter what the KVI promises."]
    assert errors["target_value"] == ["Enter the target value as a number, like 18 or 4.76."]
    response = client.post(
        url(cast, "kvi_add", cast.organisation.id),
        {
            "code": "spend",
            "title": "Again",
            "metric": str(data_a.metrics["CRISIS"].pk),
            "frequency": "monthly",
            "target_value": "5",
            "target_financial_year": "2022/24",
        },
    )
    errors = response.context["form"].errors
    assert errors["code"] == ["This organisation already has a KVI with the code SPEND."]
    assert "2022/24" in errors["target_financial_year"][0]
    assert "There is a problem" in response.content.decode()
    with tenant_context(cast.tenant.id):
        assert Kvi.objects.count() == 3


def test_adding_and_changing_kvis_is_refused_to_others(data_a, cast_b, login):
    cast = data_a.cast
    kvi = data_a.kvis["SPEND"]
    form = {
        "code": "NEW",
        "title": "New",
        "metric": str(data_a.metrics["CRISIS"].pk),
        "frequency": "monthly",
    }
    for who in (cast.organisation_member, cast.board_reporter, cast.assessor):
        client = login(who)
        assert client.get(url(cast, "kvi_add", cast.organisation.id)).status_code == 403
        assert client.post(url(cast, "kvi_add", cast.organisation.id), form).status_code == 403
        assert client.post(url(cast, "kvi_edit", kvi.pk), form).status_code == 403
    assert (
        login(other_organisation_member(cast)).get(url(cast, "kvi_edit", kvi.pk)).status_code == 404
    )
    assert login(cast_b.tenant_admin).post(url(cast, "kvi_edit", kvi.pk), form).status_code == 403
    with tenant_context(cast.tenant.id):
        assert Kvi.objects.count() == 3
        kvi.refresh_from_db()
        assert kvi.code == "SPEND"


def test_changing_a_kvi_keeps_its_frequency_once_it_has_figures(data_a, login):
    cast = data_a.cast
    kvi = data_a.kvis["CRISIS"]
    with tenant_context(cast.tenant.id):
        data_a.record("CRISIS", date(2022, 4, 1), value=D("58"))
    client = login(cast.organisation_admin)
    page = client.get(url(cast, "kvi_edit", kvi.pk))
    assert page.context["form"].initial["target_value"] == "50"
    form = {
        "code": "CRISIS",
        "title": "50 people a month with a crisis response in two hours",
        "metric": str(kvi.metric_id),
        "frequency": "quarterly",
        "target_value": "60",
        "target_financial_year": "2023/24",
    }
    response = client.post(url(cast, "kvi_edit", kvi.pk), form)
    assert response.context["form"].errors["frequency"] == [
        "The KVI has measurements, so its frequency cannot change."
    ]
    response = client.post(url(cast, "kvi_edit", kvi.pk), {**form, "frequency": "monthly"})
    assert response.status_code == 302
    with tenant_context(cast.tenant.id):
        kvi.refresh_from_db()
    assert (kvi.target_value, kvi.target_financial_year) == (D("60"), "2023/24")


# --- Entering figures ------------------------------------------------------------------------


def test_member_enters_a_draft_then_submits_it(data_a, login):
    cast = data_a.cast
    kvi = data_a.kvis["CRISIS"]
    client = login(cast.organisation_member)
    page = client.get(url(cast, "measurement_enter", kvi.pk))
    assert page.status_code == 200
    options = [value for value, _ in page.context["form"].fields["period"].widget.choices]
    assert "2024-04-01" in options and "value" in page.context["form"].fields
    response = client.post(
        url(cast, "measurement_enter", kvi.pk),
        {"period": "2024-04-01", "value": "58", "note": "From the rota", "action": "draft"},
    )
    with tenant_context(cast.tenant.id):
        measurement = Measurement.objects.get(kvi=kvi)
    assert response["Location"] == url(cast, "measurement_detail", measurement.pk)
    assert (measurement.status, measurement.value) == (MS.DRAFT, D("58"))
    # Change the draft, then submit it from its page.
    response = client.post(
        url(cast, "measurement_edit", measurement.pk), {"value": "61", "action": "draft"}
    )
    assert response.status_code == 302
    response = client.post(url(cast, "measurement_submit", measurement.pk), follow=True)
    assert "submitted for validation" in response.content.decode()
    with tenant_context(cast.tenant.id):
        measurement.refresh_from_db()
    assert (measurement.status, measurement.value) == (MS.SUBMITTED, D("61"))
    assert measurement.entered_by == cast.organisation_member


def test_ratio_figures_and_bad_input_are_explained_and_nothing_is_saved(data_a, login):
    cast = data_a.cast
    kvi = data_a.kvis["SPEND"]
    client = login(cast.organisation_member)
    path = url(cast, "measurement_enter", kvi.pk)
    form = client.get(path).context["form"]
    assert "numerator" in form.fields and "value" not in form.fields
    cases = [
        (
            {"period": "2024-04-01", "numerator": "10", "denominator": "0"},
            "denominator",
            "The denominator cannot be zero.",
        ),
        (
            {"period": "2024-04-01", "numerator": "ten", "denominator": "100"},
            "numerator",
            "Enter a number; 'ten' is not one.",
        ),
        (
            {"period": "2024-04-15", "numerator": "1", "denominator": "2"},
            "period",
            "2024-04-15 does not start a monthly period",
        ),
        (
            {"period": "", "numerator": "1", "denominator": "2"},
            "period",
            "Choose the period the figure is for.",
        ),
    ]
    for posted, field, message in cases:
        response = client.post(path, {**posted, "action": "submit"})
        assert response.status_code == 200
        assert message in response.context["form"].errors[field][0]
        assert "There is a problem" in response.content.decode()
    response = client.post(
        path,
        {
            "period": "2024-04-01",
            "numerator": "130,900",
            "denominator": "1,000,000",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    with tenant_context(cast.tenant.id):
        measurement = Measurement.objects.get()
    assert (measurement.numerator, measurement.status) == (D("130900"), MS.SUBMITTED)
    # The same period again is refused: it must be corrected.
    response = client.post(
        path, {"period": "2024-04-01", "numerator": "1", "denominator": "2", "action": "draft"}
    )
    assert "correct it" in response.context["form"].errors["period"][0]


def test_entering_figures_is_refused_to_others(data_a, cast_b, login):
    cast = data_a.cast
    kvi = data_a.kvis["CRISIS"]
    posted = {"period": "2024-04-01", "value": "5", "action": "submit"}
    path = url(cast, "measurement_enter", kvi.pk)
    for who in (cast.board_reporter, cast.assessor, cast.tenant_admin):
        assert login(who).get(path).status_code == 403
        assert login(who).post(path, posted).status_code == 403
    assert login(other_organisation_member(cast)).post(path, posted).status_code == 404
    assert login(cast.outsider).post(path, posted).status_code == 403
    assert login(cast_b.organisation_admin).post(path, posted).status_code == 403
    path_b = reverse("measurement_enter", args=[cast_b.tenant.slug, kvi.pk])
    assert login(cast_b.organisation_admin).post(path_b, posted).status_code == 404
    with tenant_context(cast.tenant.id):
        assert not Measurement.objects.exists()


# --- Validation ------------------------------------------------------------------------------


def test_admin_validates_from_the_queue_and_returns_with_a_reason(
    data_a, login, mailoutbox, django_capture_on_commit_callbacks
):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        first = data_a.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
        second = data_a.record("CRISIS", date(2022, 5, 1), value=D("60"), validate=False)
    client = login(cast.organisation_admin)
    queue = url(cast, "measurement_validation_queue", cast.organisation.id)
    response = client.get(queue)
    assert [row["figure"] for row in response.context["rows"]] == ["58 people", "60 people"]
    response = client.post(url(cast, "measurement_validate", first.pk), {"next": "queue"})
    assert response["Location"] == queue
    response = client.post(url(cast, "measurement_return", second.pk), {"reason": " "})
    assert response.context["form"].errors["reason"] == ["Say why the figure is being returned."]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(cast, "measurement_return", second.pk),
            {"reason": "Count from the rota", "next": "queue"},
        )
    assert response["Location"] == queue
    # The person who entered the figure is told why, with a link to correct it.
    (email,) = mailoutbox
    assert email.to == [second.entered_by.email]
    assert email.subject == "Figure returned: CRISIS for May 2022"
    assert "Count from the rota" in email.body
    assert url(cast, "measurement_detail", second.pk) in email.body
    with tenant_context(cast.tenant.id):
        first.refresh_from_db()
        second.refresh_from_db()
    assert (first.status, first.validated_by) == (MS.VALIDATED, cast.organisation_admin)
    assert (second.status, second.return_reason) == (MS.RETURNED, "Count from the rota")
    assert client.get(queue).context["rows"] == []
    # Validating twice says why not.
    response = client.post(url(cast, "measurement_validate", first.pk), follow=True)
    assert "Only a submitted figure can be validated." in response.content.decode()


def test_validation_is_refused_to_members_and_others_and_nothing_changes(data_a, cast_b, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        measurement = data_a.record("CRISIS", date(2022, 4, 1), value=D("58"), validate=False)
    queue = url(cast, "measurement_validation_queue", cast.organisation.id)
    for who in (cast.organisation_member, cast.board_reporter, cast.tenant_admin):
        client = login(who)
        assert client.get(queue).status_code == 403
        assert client.post(url(cast, "measurement_validate", measurement.pk)).status_code == 403
        response = client.post(url(cast, "measurement_return", measurement.pk), {"reason": "No"})
        assert response.status_code == 403
    other = login(other_organisation_member(cast))
    assert other.post(url(cast, "measurement_validate", measurement.pk)).status_code == 404
    assert (
        login(cast_b.organisation_admin)
        .post(url(cast, "measurement_validate", measurement.pk))
        .status_code
        == 403
    )
    with tenant_context(cast.tenant.id):
        measurement.refresh_from_db()
        assert (measurement.status, measurement.validated_by) == (MS.SUBMITTED, None)
        assert not AuditEvent.objects.filter(verb="measurement.validated").exists()


def test_validation_queue_takes_a_fixed_number_of_queries(
    cast_a, login, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        data = KviData(cast_a)
        bulk_measurements(cast_a, [data.kvis["CRISIS"]], 3)
    client = login(cast_a.organisation_admin)
    queue = url(cast_a, "measurement_validation_queue", cast_a.organisation.id)
    with CaptureQueriesContext(connection) as queries:
        small = client.get(queue)
    with tenant_context(cast_a.tenant.id):
        Measurement.objects.all().delete()
        bulk_measurements(cast_a, data.kvis.values(), 30)
    with django_assert_max_num_queries(len(queries)):
        large = client.get(queue)
    assert len(small.context["rows"]) == 1 and len(large.context["rows"]) == 30


# --- Corrections -----------------------------------------------------------------------------


def test_correction_needs_a_reason_and_shows_old_and_new(data_a, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        measurement = data_a.record("CRISIS", date(2022, 4, 1), value=D("58"))
    client = login(cast.organisation_member)
    path = url(cast, "measurement_correct", measurement.pk)
    page = client.get(path)
    assert "58 people" in page.content.decode()
    response = client.post(path, {"value": "61", "reason": ""})
    assert response.context["form"].errors["reason"] == ["Say why the figure is being corrected."]
    response = client.post(path, {"value": "", "reason": "Recount"})
    assert response.context["form"].errors["value"] == ["Enter the value."]
    with tenant_context(cast.tenant.id):
        assert not MeasurementRevision.objects.exists()
    response = client.post(path, {"value": "61", "reason": "Recounted from the rota"}, follow=True)
    html = response.content.decode()
    assert "corrected from 58 people to 61 people" in html
    assert "Recounted from the rota" in html
    with tenant_context(cast.tenant.id):
        revision = MeasurementRevision.objects.get()
        measurement.refresh_from_db()
    assert (revision.old_value, revision.new_value, revision.changed_by) == (
        D("58"),
        D("61"),
        cast.organisation_member,
    )
    assert (measurement.status, measurement.validated_by) == (MS.SUBMITTED, None)
    # Board reporters read figures but cannot correct them.
    assert login(cast.board_reporter).post(path, {"value": "1", "reason": "x"}).status_code == 403
    with tenant_context(cast.tenant.id):
        assert MeasurementRevision.objects.count() == 1


def test_a_draft_is_changed_not_corrected_and_drafts_are_hidden_from_the_programme(data_a, login):
    cast = data_a.cast
    with tenant_context(cast.tenant.id):
        draft = data_a.record("CRISIS", date(2022, 4, 1), value=D("58"), submit=False)
    client = login(cast.organisation_member)
    response = client.get(url(cast, "measurement_correct", draft.pk))
    assert response["Location"] == url(cast, "measurement_edit", draft.pk)
    assert (
        login(cast.board_reporter).get(url(cast, "measurement_detail", draft.pk)).status_code == 404
    )
