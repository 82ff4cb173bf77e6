"""Metric libraries and crosswalks as CSV: the export/import round trip, spreadsheet-safe cells,
every bad row named, all-or-nothing and repeatable imports, drafts only, who is refused."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kvi import library, services
from kvi.library_checks import cell, uncell
from kvi.models import Crosswalk, Framework, FrameworkTheme, Metric, SubTheme
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tenancy.permissions import tenant_access_for

pytestmark = pytest.mark.django_db


def _access(cast, who=None):
    return tenant_access_for(user=who or cast.tenant_admin, tenant=cast.tenant)


def _csv(text: str, name: str = "library.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def _writer(cast, who=None) -> dict:
    who = who or cast.tenant_admin
    return {"tenant": cast.tenant, "actor": who, "access": _access(cast, who)}


def build_framework(cast, name="Social value framework", *, metrics_per_subtheme=2, themes=2):
    """A draft framework: `themes` themes of two sub-themes, each with metrics; one of the
    organisation's own metrics; awkward text (a formula, commas, quotes, a new line); crosswalks.
    Call inside the tenant's context."""
    w = _writer(cast)
    framework = services.framework_create(**w, name=name)
    for t in range(themes):
        theme = services.theme_save(**w, framework=framework, name=f"Theme {t}", position=t)
        for s in range(2):
            subtheme = services.subtheme_save(
                **w, theme=theme, name=f"Sub-theme {t}.{s}", position=s
            )
            for m in range(metrics_per_subtheme):
                metric = services.metric_save(
                    **w,
                    subtheme=subtheme,
                    code=f"M{t}{s}{m}",
                    name=f"Metric {t}.{s}.{m}",
                    definition=f"People helped, counted monthly ({t}{s}{m})",
                    unit="people",
                    direction="increase",
                    aggregation="sum",
                    position=m,
                )
                services.crosswalk_add(
                    **w, metric=metric, scheme="toms", item_code=f"NT{t}{s}{m}", item_label="Jobs"
                )
    first = SubTheme.objects.filter(tenant=cast.tenant, theme__framework=framework).first()
    tricky = services.metric_save(
        **w,
        subtheme=first,
        code="FORMULA",
        name='=HYPERLINK("http://example.com","Click")',
        definition='Spend, in pounds, with "local" firms\nand VCSE organisations',
        unit="£",
        direction="decrease",
        aggregation="ratio",
        proxy_measure_code="-PROXY",
        position=99,
        feed="ledger_local_spend",
    )
    services.crosswalk_add(
        **w, metric=tricky, scheme="ppn_0620", item_code="MAC 2", item_label="+Tackling inequality"
    )
    services.metric_save(
        **w,
        subtheme=first,
        organisation=cast.organisation,
        code="OWN-1",
        name="Volunteering hours",
        definition="Hours staff volunteer",
        unit="hours",
        direction="increase",
        aggregation="sum",
        position=100,
    )
    return framework


def _export(cast, framework, kind):
    return library.library_export(**_writer(cast), framework=framework, kind=kind)


def _counts(cast, framework):
    return (
        FrameworkTheme.objects.filter(tenant=cast.tenant, framework=framework).count(),
        SubTheme.objects.filter(tenant=cast.tenant, theme__framework=framework).count(),
        Metric.objects.filter(tenant=cast.tenant, framework=framework).count(),
        Crosswalk.objects.filter(tenant=cast.tenant, metric__framework=framework).count(),
    )


HEADER = (
    "theme,sub_theme,code,name,definition,unit,direction,aggregation,"
    "proxy_measure_code,feed,organisation\n"
)


# --- Round trip --------------------------------------------------------------------------------


def test_export_then_import_reproduces_the_library_and_crosswalks_exactly(cast_a):
    with tenant_context(cast_a.tenant.id):
        source = build_framework(cast_a)
        library_csv = _export(cast_a, source, "library")
        crosswalks_csv = _export(cast_a, source, "crosswalks")
        target = services.framework_create(**_writer(cast_a), name="Copied framework")

        result = library.library_import(
            **_writer(cast_a), framework=target, uploaded_file=_csv(library_csv)
        )
        assert not result.refused and len(result.created) == 10 and result.rows == 10
        result = library.crosswalk_import(
            **_writer(cast_a), framework=target, uploaded_file=_csv(crosswalks_csv, "cw.csv")
        )
        assert not result.refused and len(result.created) == 9

        assert _export(cast_a, target, "library") == library_csv
        assert _export(cast_a, target, "crosswalks") == crosswalks_csv
        assert _counts(cast_a, target) == _counts(cast_a, source) == (2, 4, 10, 9)
        tricky = Metric.objects.get(tenant=cast_a.tenant, framework=target, code="FORMULA")
        assert tricky.name == '=HYPERLINK("http://example.com","Click")'
        assert tricky.definition == 'Spend, in pounds, with "local" firms\nand VCSE organisations'
        assert (tricky.unit, tricky.direction, tricky.aggregation) == ("£", "decrease", "ratio")
        assert (tricky.proxy_measure_code, tricky.feed) == ("-PROXY", "ledger_local_spend")
        own = Metric.objects.get(tenant=cast_a.tenant, framework=target, code="OWN-1")
        assert own.organisation_id == cast_a.organisation.id
        assert AuditEvent.objects.filter(
            tenant=cast_a.tenant, verb="framework.library_imported", object_id=str(target.pk)
        ).exists()
        assert AuditEvent.objects.filter(
            tenant=cast_a.tenant, verb="framework.crosswalks_exported"
        ).exists()


def test_export_cells_cannot_start_a_formula(cast_a):
    with tenant_context(cast_a.tenant.id):
        text = _export(cast_a, build_framework(cast_a), "library")
    assert """\"'=HYPERLINK(""http://example.com"",""Click"")\"""" in text
    assert ",'-PROXY," in text
    assert "\n=" not in text and ",=" not in text


@pytest.mark.parametrize(
    "value", ["=1+2", "+44", "-5", "@cmd", "'quoted", "'=already", "''=twice", "plain", ""]
)
def test_a_guarded_cell_reads_back_as_it_was(value):
    guarded = cell(value)
    assert not guarded.startswith(("=", "+", "-", "@"))
    assert uncell(guarded) == value


# --- Bad rows ------------------------------------------------------------------------------------


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_imported(cast_a):
    with tenant_context(cast_a.tenant.id):
        target = services.framework_create(**_writer(cast_a), name="Target")
        before = _counts(cast_a, target)
        text = HEADER + (
            "Economic,Jobs,GOOD-1,Good metric,Counts people,people,increase,sum,,,\n"
            "Economic,Jobs,BAD-UNIT,Bad unit,Counts,furlongs,increase,sum,,,\n"
            "Economic,Jobs,BAD-DIR,Bad direction,Counts,count,sideways,sum,,,\n"
            "Economic,Jobs,BAD-AGG,Bad aggregation,Counts,count,increase,median,,,\n"
            "Economic,Jobs,,No code,Counts,count,increase,sum,,,\n"
            "\n"
            "Economic,Jobs,good-1,Duplicate,Counts,count,increase,sum,,,\n"
            "Economic,Jobs,BAD-ORG,Bad organisation,Counts,count,increase,sum,,,Nobody Ltd\n"
            "Economic,Jobs,BAD-FEED,Bad feed,Counts,count,increase,sum,,weather,\n"
            ",,NO-THEME,,,count,increase,sum,,,\n"
        )
        result = library.library_import(
            **_writer(cast_a), framework=target, uploaded_file=_csv(text)
        )
        assert result.refused
        assert [(e.row, e.column) for e in result.errors] == [
            (2, "unit"),
            (3, "direction"),
            (4, "aggregation"),
            (5, "code"),
            (7, "code"),
            (8, "organisation"),
            (9, "feed"),
            (10, "theme"),
            (10, "sub_theme"),
            (10, "name"),
            (10, "definition"),
        ]
        messages = {(e.row, e.column): e.message for e in result.errors}
        assert messages[(2, "unit")].startswith("Unknown unit 'furlongs': use one of %, count")
        assert messages[(7, "code")] == "GOOD-1 is also on row 1: give each metric one row."
        assert messages[(8, "organisation")] == "No organisation called Nobody Ltd takes part here."
        assert _counts(cast_a, target) == before
        assert not AuditEvent.objects.filter(verb="framework.library_imported").exists()


def test_crosswalk_rows_to_unknown_metrics_or_schemes_are_named(cast_a):
    with tenant_context(cast_a.tenant.id):
        framework = build_framework(cast_a)
        before = _counts(cast_a, framework)
        text = (
            "metric_code,scheme,item_code,item_label\n"
            "M000,ppn_002,Mission 1,Growth\n"
            "NOPE,toms,NT1,\n"
            "M000,svqm,T1,\n"
            "M000,PPN 002,mission 1,Again\n"
            "M001,toms,,\n"
        )
        result = library.crosswalk_import(
            **_writer(cast_a), framework=framework, uploaded_file=_csv(text)
        )
        assert [(e.row, e.column, e.message) for e in result.errors] == [
            (2, "metric_code", "There is no metric NOPE in this version."),
            (
                3,
                "scheme",
                "Unknown scheme 'svqm': use one of ppn_0620, ppn_002, toms, svqm_theme, "
                "anchor_pillar, marmot.",
            ),
            (4, "item_code", "The same mapping is on row 1."),
            (5, "item_code", "Enter the item's code in that scheme."),
        ]
        assert _counts(cast_a, framework) == before


def test_a_file_that_is_not_a_library_is_refused_as_a_whole(cast_a):
    with tenant_context(cast_a.tenant.id):
        target = services.framework_create(**_writer(cast_a), name="Target")
        with pytest.raises(ValidationError, match="no definition, unit columns"):
            library.library_import(
                **_writer(cast_a),
                framework=target,
                uploaded_file=_csv(
                    "theme,sub_theme,code,name,direction,aggregation\nA,B,C,D,E,F\n"
                ),
            )
        pdf = io.BytesIO(b"%PDF-1.4 not a library")
        pdf.name = "library.csv"
        with pytest.raises(ValidationError, match="judged from its content: upload a CSV"):
            library.library_import(**_writer(cast_a), framework=target, uploaded_file=pdf)
        with pytest.raises(ValidationError, match="no rows after the header"):
            library.library_import(**_writer(cast_a), framework=target, uploaded_file=_csv(HEADER))


# --- Repeats and updates -------------------------------------------------------------------------


def test_importing_the_same_files_twice_leaves_the_same_library(cast_a):
    with tenant_context(cast_a.tenant.id):
        source = build_framework(cast_a)
        library_csv = _export(cast_a, source, "library")
        crosswalks_csv = _export(cast_a, source, "crosswalks")
        target = services.framework_create(**_writer(cast_a), name="Target")
        for _ in range(2):
            library.library_import(
                **_writer(cast_a), framework=target, uploaded_file=_csv(library_csv)
            )
            crosswalks = library.crosswalk_import(
                **_writer(cast_a), framework=target, uploaded_file=_csv(crosswalks_csv)
            )
        again = library.library_import(
            **_writer(cast_a), framework=target, uploaded_file=_csv(library_csv)
        )
        assert (again.created, again.updated, again.unchanged) == ([], [], 10)
        assert (crosswalks.created, crosswalks.updated, crosswalks.unchanged) == ([], [], 9)
        assert _counts(cast_a, target) == (2, 4, 10, 9)
        assert _export(cast_a, target, "library") == library_csv


def test_an_import_updates_metrics_by_code_and_adds_the_missing_ones(cast_a):
    with tenant_context(cast_a.tenant.id):
        framework = build_framework(cast_a)
        text = HEADER + (
            "Theme 0,Sub-theme 0.0,m000,Renamed metric,New definition,count,neutral,latest,,,\n"
            "Theme 9,Brand new,NEW-1,New metric,Counts new things,WTE,Higher is better,"
            "Average,,,\n"
        )
        result = library.library_import(
            **_writer(cast_a), framework=framework, uploaded_file=_csv(text)
        )
        assert (result.created, result.updated, result.unchanged) == (["NEW-1"], ["M000"], 0)
        renamed = Metric.objects.get(tenant=cast_a.tenant, framework=framework, code="M000")
        assert (renamed.name, renamed.unit, renamed.direction, renamed.aggregation) == (
            "Renamed metric",
            "count",
            "neutral",
            "latest",
        )
        new = Metric.objects.get(tenant=cast_a.tenant, framework=framework, code="NEW-1")
        assert (new.unit, new.direction, new.aggregation) == ("WTE", "increase", "average")
        assert new.subtheme.name == "Brand new" and new.subtheme.theme.name == "Theme 9"
        assert Metric.objects.filter(tenant=cast_a.tenant, framework=framework).count() == 11


# --- Drafts only, who may, which tenant ----------------------------------------------------------


def test_a_published_version_takes_no_import(cast_a):
    with tenant_context(cast_a.tenant.id):
        framework = build_framework(cast_a)
        library_csv = _export(cast_a, framework, "library")
        services.framework_publish(**_writer(cast_a), framework=framework)
        with pytest.raises(ValidationError, match="import into a draft"):
            library.library_import(
                **_writer(cast_a), framework=framework, uploaded_file=_csv(library_csv)
            )


@pytest.mark.parametrize("role", ["assessor", "board_reporter", "organisation_admin"])
def test_only_those_who_manage_frameworks_import_or_export(cast_a, role):
    with tenant_context(cast_a.tenant.id):
        framework = build_framework(cast_a)
        library_csv = _export(cast_a, framework, "library")
        who = getattr(cast_a, role)
        before = _counts(cast_a, framework)
        with pytest.raises(PermissionDenied):
            library.library_import(
                **_writer(cast_a, who), framework=framework, uploaded_file=_csv(library_csv)
            )
        with pytest.raises(PermissionDenied):
            library.library_export(**_writer(cast_a, who), framework=framework, kind="library")
        assert _counts(cast_a, framework) == before


def test_another_tenants_framework_is_refused(cast_a, cast_b):
    with tenant_context(cast_a.tenant.id):
        framework_a = build_framework(cast_a)
        library_csv = _export(cast_a, framework_a, "library")
    with tenant_context(cast_b.tenant.id):
        with pytest.raises(ValidationError):
            library.library_export(**_writer(cast_b), framework=framework_a, kind="library")
        with pytest.raises(ValidationError):
            library.library_import(
                **_writer(cast_b), framework=framework_a, uploaded_file=_csv(library_csv)
            )
        # B's own import does not know A's organisation.
        target = services.framework_create(**_writer(cast_b), name="B framework")
        result = library.library_import(
            **_writer(cast_b), framework=target, uploaded_file=_csv(library_csv)
        )
        assert [(e.row, e.column) for e in result.errors] == [(4, "organisation")]
        assert not Framework.objects.filter(pk=framework_a.pk).exists()
