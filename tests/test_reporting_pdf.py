"""Board reports as PDFs (reporting.documents): the demo Wirral paper's text holds its cover
sheet and its KVI rows with the figures of DOMAIN.md; the PDF is tagged (PDF/UA) with a title,
a language and bookmarks; nothing is fetched but the project's static files; the same inputs
give the same bytes."""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from kvi.models import Kvi
from organisations.models import Organisation
from reporting.content import report_inputs
from reporting.demo_fields import (
    CM_SLUG,
    WIRRAL_CHART_KVI_CODES,
    WIRRAL_ODS,
    cm_system_report_fields,
    wirral_report_fields,
)
from reporting.documents import kvi_table_rows, report_html, report_pdf
from reporting.models import Report, ReportKind
from tenancy.context import tenant_context
from tenancy.models import Tenant
from tests.reporting_builders import kvi_setup, report, standard_figures
from uploads.static_fetcher import STATIC_BASE, RefusedFetch, project_static_fetcher

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item))
        else:
            titles.append(item.title)
    return titles


@pytest.fixture
def small_inputs(cast_a):
    with tenant_context(cast_a.tenant.id):
        setup = kvi_setup(cast_a)
        standard_figures(setup)
        paper = report(cast_a, chart_kvi_ids=[str(setup.kvis["SPEND"].pk)])
        return report_inputs(paper)


# --- The demo Wirral paper ---------------------------------------------------------------------


def test_the_demo_wirral_paper_has_its_cover_sheet_and_kvi_rows_with_domain_figures():
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    tenant = Tenant.objects.get(slug=CM_SLUG)
    wirral = Organisation.objects.get(ods_code=WIRRAL_ODS)
    with tenant_context(tenant.id):
        kvis = {k.code: k for k in Kvi.objects.filter(tenant=tenant, organisation=wirral)}
        paper = Report.objects.create(
            tenant=tenant,
            kind=ReportKind.ORGANISATION,
            organisation=wirral,
            # The demo's figures are entered when it is seeded: today.
            data_freeze_date=timezone.localdate(),
            chart_kvi_ids=[str(kvis[code].pk) for code in WIRRAL_CHART_KVI_CODES],
            **wirral_report_fields(),
        )
        inputs = report_inputs(paper)
        system_inputs = report_inputs(
            Report.objects.create(
                tenant=tenant,
                kind=ReportKind.SYSTEM,
                data_freeze_date=timezone.localdate(),
                **cm_system_report_fields(),
            )
        )
    progress = []
    rendered = report_pdf(inputs, on_progress=lambda p, m: progress.append((p, m)))
    if os.environ.get("REPORT_PDF_OUT"):  # for looking at the pages (pdftoppm)
        Path(os.environ["REPORT_PDF_OUT"]).write_bytes(rendered.pdf)
    assert [p for p, _m in progress] == sorted(p for p, _m in progress)
    assert (40, "Laying out pages") in progress and (80, "Writing the PDF") in progress

    text = _text(rendered.pdf)
    for field in (
        "Social value mid-year report",
        "Wirral Community Health and Care NHS Foundation Trust",
        "Public board",
        "19 October 2022",
        "Anthony Bennett, Chief Strategy Officer",
        "David Hammond, Deputy Director of Strategy",
        "To Assure",
        "30 September 2022",
    ):
        assert field in text, field
    assert re.search(r"Agenda item\s+12", text)
    # KVI rows with the board paper's figures (DOMAIN.md).
    rows = {row["code"]: row for row in kvi_table_rows(inputs)}
    assert rows["ECO-1"]["year_to_date"] == "13.09%"
    assert rows["ECO-2"]["year_to_date"] == "100%"
    assert (rows["EMP-1"]["previous_year"], rows["EMP-1"]["year_to_date"]) == ("4.09%", "4.76%")
    assert rows["HWB-1"]["previous_year"] == "72%"
    assert rows["EMP-2"]["previous_year"] == "34 sessions"
    assert rows["EDU-1"]["previous_year"] == "14 people"
    assert rows["EDU-2"]["previous_year"] == "54 sessions"
    assert rows["HWB-2"]["baseline"] == "58 people (January 2022)"
    assert rows["ECO-1"]["status"] == "Off track"
    for code, figures in {
        "ECO-1": ["13.09%", "18% in 2022/23"],
        "EMP-1": ["4.09%", "4.76%", "5% in 2022/23"],
        "HWB-1": ["72%", "90% in 2022/23"],
        "HWB-2": ["58 people"],
    }.items():
        assert code in text
        for figure in figures:
            assert figure in text, (code, figure)
    assert "145 a month" in text  # the narrative of the theme
    # Standing against the ICS, with dates.
    assert "Signed 15 September 2022" in text
    assert "Social Value Award" in text
    assert "Page 1 of" in text and f"Page {rendered.page_count} of {rendered.page_count}" in text
    # Each chosen KVI is charted.
    assert len(inputs["data"]["charts"]) == 3

    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert len(reader.pages) == rendered.page_count
    titles = _outline_titles(reader.outline)
    assert "Key Value Indicators" in titles and "Statistical process control charts" in titles

    system = report_pdf(system_inputs)
    if os.environ.get("REPORT_PDF_OUT"):
        Path(os.environ["REPORT_PDF_OUT"]).with_suffix(".system.pdf").write_bytes(system.pdf)
    system_text = _text(system.pdf)
    assert "Charter signatories" in system_text and "KVIs across organisations" in system_text
    assert "Cheshire and Merseyside" in system_text


# --- Tagged, titled, bookmarked ----------------------------------------------------------------


def test_the_pdf_is_tagged_with_a_title_a_language_and_bookmarks(small_inputs):
    rendered = report_pdf(small_inputs)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert (
        reader.metadata.title
        == f"Social value mid-year report: {small_inputs['report']['organisation']}"
    )
    titles = _outline_titles(reader.outline)
    for title in ("Social value framework", "Key Value Indicators", "Monetised social value"):
        assert title in titles
    text = _text(rendered.pdf)
    assert "SPEND 18% of spend with local firms" in text
    assert "Contents" in text
    # The table of contents gives each section's page.
    assert re.search(r"Key Value Indicators\.*\s*\d+", text)


def test_the_same_inputs_give_byte_identical_pdfs(small_inputs):
    first = report_pdf(small_inputs)
    second = report_pdf(small_inputs)
    assert first.pdf == second.pdf
    changed = {**small_inputs, "report": {**small_inputs["report"], "title": "Another title"}}
    assert report_pdf(changed).pdf != first.pdf
    # Metadata dates come from the data freeze, never the time of rendering.
    reader = PdfReader(io.BytesIO(first.pdf))
    freeze = small_inputs["report"]["data_freeze_date"].replace("-", "")
    assert reader.metadata["/CreationDate"].startswith(f"D:{freeze}")


# --- Nothing fetched but the project's static files ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://assets.nhs.uk/fonts/FrutigerLTW01-55Roman.woff2",
        "http://127.0.0.1:8000/static/reporting/report.css",
        "file:///etc/passwd",
        STATIC_BASE + "../../../etc/passwd",
        STATIC_BASE + "reporting/../../config/settings.py",
    ],
)
def test_the_fetcher_refuses_anything_but_the_projects_static_files(url):
    with pytest.raises(RefusedFetch):
        project_static_fetcher().fetch(url)


def test_the_fetcher_serves_the_report_stylesheet():
    response = project_static_fetcher().fetch(STATIC_BASE + "reporting/report.css")
    assert b"@page" in response.read()


def test_a_report_with_an_outside_address_renders_without_fetching_it(small_inputs):
    inputs = {
        **small_inputs,
        "report": {
            **small_inputs["report"],
            "executive_summary": 'See <img src="http://example.org/x.png">',
        },
    }
    html = report_html(inputs)
    assert "&lt;img" in html  # text from the inputs is escaped, never markup
    assert "<img" not in html
    assert report_pdf(inputs).page_count > 1


# --- The Anchor Assembly pack ----------------------------------------------------------------


def test_the_assembly_pack_pdf_shows_anonymised_members_by_their_label(cast_a):
    from datetime import date

    from anchors import services as anchor_services
    from tests import anchors_builders as ab
    from tests.reporting_builders import as_user

    with tenant_context(cast_a.tenant.id):
        anchor = ab.anchor_charter(cast_a)
        named = ab.member(cast_a, anchor, cast_a.organisation)
        hidden = ab.member(cast_a, anchor)
        anchor_services.member_profile_update(
            **as_user(cast_a, hidden.admin), signatory=hidden.signatory, disclosure="anonymised"
        )
        reporting_round = ab.open_round(cast_a, anchor)
        ab.send_return(cast_a, reporting_round, named, {"ANC-ESTATE-HOURS": "100"})
        ab.send_return(cast_a, reporting_round, hidden, {"ANC-ESTATE-HOURS": "40"})
        admin = as_user(cast_a, cast_a.tenant_admin)
        assembly = anchor_services.assembly_create(
            **admin, charter=anchor, held_on=date(2023, 12, 12), title="Second Anchor Assembly"
        )
        anchor_services.assembly_action_add(
            **admin, assembly=assembly, text="Share the procurement pipeline", owner_name="Ann"
        )
        paper = report(
            cast_a,
            kind=ReportKind.ASSEMBLY,
            organisation=None,
            assembly=assembly,
            title="Anchor Assembly pack",
            period_end=date(2023, 9, 30),
        )
        inputs = report_inputs(paper)
    rendered = report_pdf(inputs)
    if os.environ.get("REPORT_PDF_OUT"):
        Path(os.environ["REPORT_PDF_OUT"]).with_suffix(".assembly.pdf").write_bytes(rendered.pdf)
    text = _text(rendered.pdf)
    label = next(m["name"] for m in inputs["data"]["members"] if not m["named"])
    assert label in text and cast_a.organisation.name in text
    assert hidden.signatory.organisation.name not in text
    assert "140 hours" in text and "Share the procurement pipeline" in text
    assert kvi_table_rows(inputs) == []


# --- Long tables split across pages ----------------------------------------------------------


def test_a_long_kvi_table_splits_across_pages_repeating_its_header(cast_a):
    from tests.reporting_builders import many_kvis

    with tenant_context(cast_a.tenant.id):
        setup = kvi_setup(cast_a)
        standard_figures(setup)
        many_kvis(setup, 45)
        inputs = report_inputs(report(cast_a))
    reader = PdfReader(io.BytesIO(report_pdf(inputs).pdf))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    # The KVI table's pages (the monetised value's table of counts lists them too).
    with_rows = [text for text in pages if "BULK-0" in text and "KVI Quantity" not in text]
    assert len(with_rows) >= 2
    for text in with_rows:
        assert "KVI 2021/22 2022/23 to date Target Status" in text
    assert "BULK-044 Bulk KVI 44" in " ".join(pages)
