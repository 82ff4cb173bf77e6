"""Framework pages, library files and local area settings in the browser: who reads, who edits,
drafts hidden from readers, tenant isolation, fixed query counts and clear messages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kvi import services
from kvi.models import Crosswalk, Framework, FrameworkStatus, FrameworkTheme, LocalArea, Metric
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for
from tests.test_kvi_library import HEADER, build_framework

pytestmark = pytest.mark.django_db

READERS = [
    "tenant_admin",
    "assessor",
    "board_reporter",
    "organisation_admin",
    "organisation_member",
]


def _url(cast, rest=""):
    return f"/t/{cast.tenant.slug}/kvis/{rest}"


def _writer(cast):
    access = tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant)
    return {"tenant": cast.tenant, "actor": cast.tenant_admin, "access": access}


def _draft(cast, **options):
    with tenant_context(cast.tenant.id):
        return build_framework(cast, **options)


def _published(cast, **options):
    with tenant_context(cast.tenant.id):
        framework = build_framework(cast, **options)
        return services.framework_publish(**_writer(cast), framework=framework)


def _reload(cast, obj):
    with tenant_context(cast.tenant.id):
        obj.refresh_from_db()
    return obj


def _count(cast, model, **filters):
    with tenant_context(cast.tenant.id):
        return model.objects.filter(tenant=cast.tenant, **filters).count()


# --- The list and a version's page ------------------------------------------------------------


def test_the_list_shows_drafts_to_the_programme_team_only(cast_a, login):
    published = _published(cast_a, name="Published framework")
    draft = _draft(cast_a, name="Draft framework")
    page = login(cast_a.tenant_admin).get(_url(cast_a, "frameworks/")).content.decode()
    assert "Create a framework" in page
    assert str(published.pk) in page and str(draft.pk) in page
    for role in READERS[1:]:
        page = login(getattr(cast_a, role)).get(_url(cast_a, "frameworks/"))
        assert page.status_code == 200
        text = page.content.decode()
        assert str(published.pk) in text and str(draft.pk) not in text
        assert "Create a framework" not in text


def test_people_without_a_role_or_from_another_tenant_are_refused(cast_a, cast_b, login):
    framework = _published(cast_a)
    detail = _url(cast_a, f"frameworks/{framework.pk}/")
    assert login(cast_a.outsider).get(_url(cast_a, "frameworks/")).status_code == 403
    assert login(cast_a.outsider).get(detail).status_code == 403
    assert login(cast_b.tenant_admin).get(detail).status_code == 403
    # Tenant B's own address with tenant A's framework: nothing there.
    other = _url(cast_b, f"frameworks/{framework.pk}/")
    assert login(cast_b.tenant_admin).get(other).status_code == 404
    assert login(cast_b.tenant_admin).get(other + "library.csv").status_code == 404
    assert login(cast_b.tenant_admin).post(other + "publish/").status_code == 404


def test_a_draft_is_hidden_from_readers_and_published_versions_are_read_only(cast_a, login):
    draft = _draft(cast_a)
    url = _url(cast_a, f"frameworks/{draft.pk}/")
    admin_page = login(cast_a.tenant_admin).get(url).content.decode()
    assert "Publish this version" in admin_page and "Add a theme" in admin_page
    assert "Import a metric library" in admin_page
    for role in READERS[1:]:
        assert login(getattr(cast_a, role)).get(url).status_code == 404
    with tenant_context(cast_a.tenant.id):
        services.framework_publish(**_writer(cast_a), framework=draft)
    for role in READERS[1:]:
        response = login(getattr(cast_a, role)).get(url)
        page = response.content.decode()
        assert response.status_code == 200
        assert "M000" in page and "Metric 0.0.0" in page and "TOMs NT000: Jobs" in page
        assert "Summed numerators over summed denominators" in page
        assert "Publish this version" not in page and "/remove/" not in page
        assert "Download the metric library" not in page
    admin_page = login(cast_a.tenant_admin).get(url).content.decode()
    assert "Start a new version" in admin_page and "Add a theme" not in admin_page


def test_the_version_page_runs_a_fixed_number_of_queries(
    cast_a, login, django_assert_max_num_queries
):
    small = _published(cast_a, name="Small", themes=1, metrics_per_subtheme=1)
    large = _published(cast_a, name="Large", themes=5, metrics_per_subtheme=6)
    client = login(cast_a.tenant_admin)
    client.get(_url(cast_a, f"frameworks/{small.pk}/"))  # warm the session
    counts = []
    for framework in (small, large):
        url = _url(cast_a, f"frameworks/{framework.pk}/?organisation={cast_a.organisation.pk}")
        with django_assert_max_num_queries(20) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert "Metric 4.1.5" in response.content.decode()


# --- Editing a draft ---------------------------------------------------------------------------


def test_the_tenant_admin_builds_publishes_and_copies_a_framework(cast_a, login):
    client = login(cast_a.tenant_admin)
    response = client.post(_url(cast_a, "frameworks/new/"), {"name": "Our framework"})
    with tenant_context(cast_a.tenant.id):
        framework = Framework.objects.get(tenant=cast_a.tenant, name="Our framework")
    base = _url(cast_a, f"frameworks/{framework.pk}/")
    assert response.status_code == 302 and response["Location"] == base
    client.post(base + "themes/new/", {"name": "Economic", "position": "1"})
    with tenant_context(cast_a.tenant.id):
        theme = FrameworkTheme.objects.get(tenant=cast_a.tenant, framework=framework)
    client.post(base + f"themes/{theme.pk}/sub-themes/new/", {"name": "Jobs", "position": "1"})
    with tenant_context(cast_a.tenant.id):
        subtheme = theme.subthemes.get()
    metric = {
        "subtheme": str(subtheme.pk),
        "code": "local-jobs",
        "name": "Local people employed",
        "definition": "Staff living in the local area",
        "unit": "people",
        "direction": "increase",
        "aggregation": "latest",
        "proxy_measure_code": "NT1",
        "feed": "",
        "position": "1",
    }
    assert client.post(base + "metrics/new/", metric).status_code == 302
    with tenant_context(cast_a.tenant.id):
        saved = Metric.objects.get(tenant=cast_a.tenant, framework=framework)
    assert (saved.code, saved.aggregation, saved.proxy_measure_code) == (
        "LOCAL-JOBS",
        "latest",
        "NT1",
    )
    client.post(
        base + f"metrics/{saved.pk}/crosswalks/new/",
        {"scheme": "ppn_002", "item_code": "Mission 1", "item_label": "Growth"},
    )
    assert _count(cast_a, Crosswalk, metric=saved) == 1
    page = client.get(base + "publish/").content.decode()
    assert "Publish version 1?" in page and "1 metric." in page
    assert client.post(base + "publish/").status_code == 302
    _reload(cast_a, framework)
    assert framework.status == FrameworkStatus.PUBLISHED
    assert "Start a new version?" in client.get(base + "new-version/").content.decode()
    response = client.post(base + "new-version/")
    with tenant_context(cast_a.tenant.id):
        copy = Framework.objects.get(tenant=cast_a.tenant, name="Our framework", version=2)
    assert response["Location"] == _url(cast_a, f"frameworks/{copy.pk}/")
    assert copy.status == FrameworkStatus.DRAFT
    assert _count(cast_a, Metric, framework=copy) == 1
    with tenant_context(cast_a.tenant.id):
        verbs = set(AuditEvent.objects.filter(tenant=cast_a.tenant).values_list("verb", flat=True))
    assert {"framework.created", "metric.created", "framework.published"} <= verbs


def test_a_metric_form_names_the_fields_in_error(cast_a, login):
    framework = _draft(cast_a)
    response = login(cast_a.tenant_admin).post(
        _url(cast_a, f"frameworks/{framework.pk}/metrics/new/"),
        {"code": "M000", "name": "", "unit": "furlongs", "position": "x"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    for message in [
        "Choose the sub-theme.",
        "Enter the metric&#x27;s name.",
        "Say exactly what the metric counts.",
        "Choose one of the units listed.",
        "Choose whether higher or lower is better.",
        "Enter the order as a whole number, like 1.",
    ]:
        assert message in page
    assert _count(cast_a, Metric, framework=framework) == 10


def test_removing_from_a_draft_asks_first(cast_a, login):
    framework = _draft(cast_a)
    with tenant_context(cast_a.tenant.id):
        metric = Metric.objects.get(tenant=cast_a.tenant, code="M000")
    url = _url(cast_a, f"frameworks/{framework.pk}/metrics/{metric.pk}/remove/")
    client = login(cast_a.tenant_admin)
    assert "Remove the metric 'M000 Metric 0.0.0'?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert _count(cast_a, Metric, framework=framework) == 9
    assert _count(cast_a, Crosswalk, metric__framework=framework) == 8


@pytest.mark.parametrize("role", READERS[1:] + ["outsider"])
def test_readers_cannot_change_a_framework(cast_a, login, role):
    framework = _draft(cast_a)
    with tenant_context(cast_a.tenant.id):
        metric = Metric.objects.get(tenant=cast_a.tenant, code="M000")
    client = login(getattr(cast_a, role))
    base = _url(cast_a, f"frameworks/{framework.pk}/")
    for path, data in [
        ("themes/new/", {"name": "Sneaky", "position": "1"}),
        (f"metrics/{metric.pk}/remove/", {}),
        ("publish/", {}),
        ("library/import/", {}),
    ]:
        assert client.post(base + path, data).status_code == 403
    assert client.get(base + "library.csv").status_code == 403
    assert client.post(_url(cast_a, "frameworks/new/"), {"name": "Mine"}).status_code == 403
    assert _count(cast_a, FrameworkTheme, framework=framework) == 2
    assert _count(cast_a, Metric, framework=framework) == 10
    _reload(cast_a, framework)
    assert framework.status == FrameworkStatus.DRAFT


def test_a_published_version_cannot_be_edited(cast_a, login):
    framework = _published(cast_a)
    response = login(cast_a.tenant_admin).post(
        _url(cast_a, f"frameworks/{framework.pk}/themes/new/"), {"name": "Late", "position": "1"}
    )
    assert response.status_code == 302
    assert _count(cast_a, FrameworkTheme, framework=framework) == 2


# --- An organisation's own metrics -------------------------------------------------------------


def _own_metric(subtheme_id, code="OWN-2"):
    return {
        "subtheme": str(subtheme_id),
        "code": code,
        "name": "Apprentices",
        "definition": "Apprentices we employ",
        "unit": "people",
        "direction": "increase",
        "aggregation": "latest",
        "position": "1",
    }


def test_an_organisation_admin_adds_its_own_metric_to_the_published_framework(cast_a, login):
    framework = _published(cast_a)
    with tenant_context(cast_a.tenant.id):
        subtheme_id = framework.themes.first().subthemes.first().pk
    client = login(cast_a.organisation_admin)
    page = client.get(_url(cast_a, f"frameworks/{framework.pk}/")).content.decode()
    assert f"Add a metric of {cast_a.organisation.name}'s own" in page
    assert "Volunteering hours" in page  # its earlier own metric
    own = f"frameworks/{framework.pk}/organisations/{cast_a.organisation.pk}/metrics/new/"
    response = client.post(_url(cast_a, own), _own_metric(subtheme_id))
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        metric = Metric.objects.get(tenant=cast_a.tenant, code="OWN-2")
    assert metric.organisation_id == cast_a.organisation.id
    # Not for another organisation; not for members; nothing changes.
    other = f"frameworks/{framework.pk}/organisations/{cast_a.other_organisation.pk}/metrics/new/"
    assert client.post(_url(cast_a, other), _own_metric(subtheme_id, "OWN-3")).status_code == 403
    member = login(cast_a.organisation_member)
    assert member.post(_url(cast_a, own), _own_metric(subtheme_id, "OWN-4")).status_code == 403
    assert (
        login(cast_a.assessor)
        .post(_url(cast_a, own), _own_metric(subtheme_id, "OWN-5"))
        .status_code
        == 403
    )
    assert _count(cast_a, Metric, code__in=["OWN-3", "OWN-4", "OWN-5"]) == 0


def test_an_organisation_admin_changes_its_own_metric_only(cast_a, login):
    framework = _published(cast_a)
    with tenant_context(cast_a.tenant.id):
        own = Metric.objects.get(tenant=cast_a.tenant, code="OWN-1")
        tenant_metric = Metric.objects.get(tenant=cast_a.tenant, code="M000")
    base = f"frameworks/{framework.pk}/organisations/{cast_a.organisation.pk}/metrics/"
    data = _own_metric(own.subtheme_id, "OWN-1") | {"name": "Volunteering hours (paid)"}
    client = login(cast_a.organisation_admin)
    assert client.post(_url(cast_a, f"{base}{own.pk}/"), data).status_code == 302
    assert _reload(cast_a, own).name == "Volunteering hours (paid)"
    # The programme's own metrics are not the organisation's to change.
    assert client.post(_url(cast_a, f"{base}{tenant_metric.pk}/"), data).status_code == 404
    assert _reload(cast_a, tenant_metric).name == "Metric 0.0.0"


def test_organisation_staff_see_only_their_own_organisations_metrics(cast_a, login):
    framework = _published(cast_a)
    url = _url(cast_a, f"frameworks/{framework.pk}/")
    client = login(cast_a.organisation_member)
    page = client.get(url).content.decode()
    assert "Volunteering hours" in page and "Add a metric of" not in page
    assert client.get(url + f"?organisation={cast_a.other_organisation.pk}").status_code == 403
    assessor_page = login(cast_a.assessor).get(url).content.decode()
    assert "Volunteering hours" not in assessor_page
    assessor_page = (
        login(cast_a.assessor).get(url + f"?organisation={cast_a.organisation.pk}").content.decode()
    )
    assert "Volunteering hours" in assessor_page


# --- Library files in the browser ----------------------------------------------------------------


def test_the_library_downloads_as_a_safe_csv_attachment(cast_a, login):
    framework = _published(cast_a)
    response = login(cast_a.tenant_admin).get(
        _url(cast_a, f"frameworks/{framework.pk}/library.csv")
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="social-value-framework-v1-library.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.decode().startswith(HEADER.replace("\n", "\r\n"))
    crosswalks = login(cast_a.tenant_admin).get(
        _url(cast_a, f"frameworks/{framework.pk}/crosswalks.csv")
    )
    assert crosswalks.content.decode().startswith("metric_code,scheme,item_code,item_label\r\n")


def test_an_import_with_bad_rows_lists_them_and_imports_nothing(cast_a, login):
    with tenant_context(cast_a.tenant.id):
        framework = services.framework_create(**_writer(cast_a), name="Target")
    url = _url(cast_a, f"frameworks/{framework.pk}/library/import/")
    client = login(cast_a.tenant_admin)
    bad = (
        HEADER
        + "Economic,Jobs,A1,Jobs,Counts,count,up,sum,,,\nEconomic,Jobs,,x,y,count,increase,sum,,,\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("lib.csv", bad.encode(), "text/csv")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "lib.csv has problems in 2 rows" in page
    assert "Unknown direction &#x27;up&#x27;" in page and "Enter the metric&#x27;s code." in page
    assert _count(cast_a, Metric, framework=framework) == 0
    good = HEADER + "Economic,Jobs,A1,Jobs,Counts,count,increase,sum,,,\n"
    response = client.post(url, {"file": SimpleUploadedFile("lib.csv", good.encode(), "text/csv")})
    assert response.status_code == 302
    assert _count(cast_a, Metric, framework=framework) == 1
    follow = client.get(response["Location"]).content.decode()
    assert "Imported 1 row of metrics: 1 added, 0 changed, 0 unchanged." in follow
    response = client.post(url, {"file": SimpleUploadedFile("x.csv", b"%PDF-1.4", "text/csv")})
    assert "judged from its content" in response.content.decode()


def test_the_round_trip_works_through_the_pages(cast_a, login):
    source = _published(cast_a)
    with tenant_context(cast_a.tenant.id):
        target = services.framework_create(**_writer(cast_a), name="Copy")
    client = login(cast_a.tenant_admin)
    for kind in ("library", "crosswalks"):
        exported = client.get(_url(cast_a, f"frameworks/{source.pk}/{kind}.csv")).content
        upload = SimpleUploadedFile(f"{kind}.csv", exported, "text/csv")
        response = client.post(
            _url(cast_a, f"frameworks/{target.pk}/{kind}/import/"), {"file": upload}
        )
        assert response.status_code == 302
        again = client.get(_url(cast_a, f"frameworks/{target.pk}/{kind}.csv")).content
        assert again == exported


# --- Local area settings -------------------------------------------------------------------------


def test_the_tenant_admin_sets_the_local_area_and_its_population(cast_a, login):
    client = login(cast_a.tenant_admin)
    response = client.post(
        _url(cast_a, "local-area/new/"),
        {"name": "Wirral and neighbours", "district_codes": "E08000015, E06000049\nE08000011"},
    )
    assert response.status_code == 302
    with tenant_context(cast_a.tenant.id):
        area = LocalArea.objects.get(tenant=cast_a.tenant)
    assert area.district_codes == ["E06000049", "E08000011", "E08000015"]
    population = _url(cast_a, f"local-area/{area.pk}/population/")
    response = client.post(
        population,
        {
            "ethnicity": "White, 93.1\nAsian or Asian British, 2.4\nOther, 4.5",
            "disability": "Yes, 21.6%\nNo, 78.4",
            "imd_quintile": "",
        },
    )
    assert response.status_code == 302
    _reload(cast_a, area)
    assert area.population == {
        "ethnicity": {"White": "93.1", "Asian or Asian British": "2.4", "Other": "4.5"},
        "disability": {"Yes": "21.6", "No": "78.4"},
    }
    page = client.get(_url(cast_a, "local-area/")).content.decode()
    assert "White: 93.1%" in page and "E08000015" in page
    form_page = client.get(population).content.decode()
    assert "Asian or Asian British, 2.4" in form_page and "No, 78.4" in form_page
    with tenant_context(cast_a.tenant.id):
        assert AuditEvent.objects.filter(verb="local_area.population_changed").count() == 1


@pytest.mark.parametrize(
    "field,text,message",
    [
        (
            "ethnicity",
            "White, 90\nOther, 5",
            "The ethnicity groups add up to 95%: they must add up to 100% (within 0.5).",
        ),
        ("disability", "Yes, lots\nNo, 50", "The percentage for Yes must be a number, like 12.5."),
        ("disability", "Yes, 120\nNo, -20", "The percentage for Yes must be between 0 and 100."),
        (
            "imd_quintile",
            "1, 50\n6, 50",
            "IMD quintile &#x27;6&#x27; is not one of 1, 2, 3, 4 and 5.",
        ),
        (
            "ethnicity",
            "White 100",
            "Line 1 of ethnicity: write the group, a comma and the percentage",
        ),
        ("ethnicity", "White, 50\nwhite, 50", "white is listed twice: give each group once."),
    ],
)
def test_population_figures_are_checked_with_clear_messages(cast_a, login, field, text, message):
    with tenant_context(cast_a.tenant.id):
        area = services.local_area_save(
            **_writer(cast_a), name="Wirral", district_codes=["E08000015"]
        )
    response = login(cast_a.tenant_admin).post(
        _url(cast_a, f"local-area/{area.pk}/population/"), {field: text}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert message in page
    _reload(cast_a, area)
    assert area.population == {}


def test_district_codes_are_checked(cast_a, login):
    response = login(cast_a.tenant_admin).post(
        _url(cast_a, "local-area/new/"), {"name": "Wirral", "district_codes": "Wirral"}
    )
    assert "Not a local authority district code: WIRRAL" in response.content.decode()
    assert _count(cast_a, LocalArea) == 0


@pytest.mark.parametrize("role", READERS[1:] + ["outsider"])
def test_only_tenant_admins_open_the_local_area_settings(cast_a, login, role):
    with tenant_context(cast_a.tenant.id):
        area = services.local_area_save(
            **_writer(cast_a), name="Wirral", district_codes=["E08000015"]
        )
    client = login(getattr(cast_a, role))
    assert client.get(_url(cast_a, "local-area/")).status_code == 403
    response = client.post(
        _url(cast_a, f"local-area/{area.pk}/population/"), {"disability": "Yes, 50\nNo, 50"}
    )
    assert response.status_code == 403
    _reload(cast_a, area)
    assert area.population == {}


def test_another_tenants_local_area_is_not_found(cast_a, cast_b, login):
    with tenant_context(cast_a.tenant.id):
        area = services.local_area_save(
            **_writer(cast_a), name="Wirral", district_codes=["E08000015"]
        )
    client = login(cast_b.tenant_admin)
    assert client.get(_url(cast_b, f"local-area/{area.pk}/")).status_code == 404
    assert (
        client.post(
            _url(cast_b, f"local-area/{area.pk}/population/"), {"disability": "Yes, 50\nNo, 50"}
        ).status_code
        == 404
    )
    assert client.get(_url(cast_a, "local-area/")).status_code == 403
    _reload(cast_a, area)
    assert area.population == {}
