"""A board report's inputs (reporting.content.report_inputs) as HTML, and that HTML as a PDF
laid out by WeasyPrint; the KVI table as rows for the spreadsheet download.

- A4, print CSS only (static/reporting/report.css): running header and footer with the
  organisation and the meeting, "Page X of Y", a table of contents with page numbers, tables
  that split across pages with their header repeated, SPC charts and icons as inline SVG drawn
  by kvi.charts from the chart data in the inputs.
- Nothing is fetched from the network: WeasyPrint's URL fetcher serves the project's static
  files only (uploads.static_fetcher); fonts are the system's Liberation Sans (Arial's metric
  twin), found through fontconfig.
- Tagged for screen readers (PDF/UA-1) with a title, the language (en-GB) and bookmarks (h1 and
  h2). Reproducible: the metadata dates come from the inputs (the data freeze date) and the
  file identifier from the inputs' hash, so the same inputs give byte-identical PDFs.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from kvi.charts import (
    ASSURANCE_ICONS,
    VARIATION_ICONS,
    assurance_icon_svg,
    variation_icon_svg,
    xmr_chart_svg,
)
from reporting.content.common import inputs_sha256, spc_from_data
from uploads.static_fetcher import STATIC_BASE, project_static_fetcher

PDF_VARIANT = "pdf/ua-1"
CHART_WIDTH = 680
CHART_HEIGHT = 280
TABLE_ICON_SIZE = 22
CHART_ICON_SIZE = 34

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    page_count: int


def _variation_label(code: str | None) -> str:
    return VARIATION_ICONS[code][2] if code in VARIATION_ICONS else "Not assessed"


def _assurance_label(code: str | None) -> str:
    return ASSURANCE_ICONS[code][2] if code in ASSURANCE_ICONS else "Not assessed"


def kvi_table_rows(inputs: dict) -> list[dict]:
    """The KVI table of an organisation report, one dict a KVI (theme, code, kvi, baseline,
    previous_year, year_to_date, target, status, variation, assurance: text as printed; the
    column headings' years in `previous_financial_year` and `financial_year`). Other kinds of
    report have no KVI table: []."""
    kvis = (inputs.get("data") or {}).get("kvis")
    if not kvis:
        return []
    rows = []
    for theme in kvis["themes"]:
        for row in theme["rows"]:
            rows.append(
                {
                    "theme": theme["name"],
                    "code": row["code"],
                    "kvi": row["title"],
                    "baseline": row["baseline"],
                    "previous_financial_year": kvis["previous_financial_year"],
                    "previous_year": row["previous_year"],
                    "financial_year": kvis["financial_year"],
                    "year_to_date": row["year_to_date"],
                    "target": row["target"],
                    "status": row["status_label"],
                    "variation": _variation_label(row["variation"]),
                    "assurance": _assurance_label(row["assurance"]),
                }
            )
    return rows


def _kvi_themes(kvis: dict) -> list[dict]:
    """The KVI table's themes with each row's icons drawn."""
    return [
        {
            **theme,
            "rows": [
                {
                    **row,
                    "variation_svg": variation_icon_svg(row["variation"], size=TABLE_ICON_SIZE),
                    "variation_label": _variation_label(row["variation"]),
                    "assurance_svg": assurance_icon_svg(row["assurance"], size=TABLE_ICON_SIZE),
                    "assurance_label": _assurance_label(row["assurance"]),
                }
                for row in theme["rows"]
            ],
        }
        for theme in kvis["themes"]
    ]


def _charts(charts: list[dict]) -> list[dict]:
    drawn = []
    for index, chart in enumerate(charts, start=1):
        result = spc_from_data(chart["spc"])
        drawn.append(
            {
                **chart,
                "svg": xmr_chart_svg(
                    result,
                    title=chart["title"],
                    unit=chart["unit"],
                    width=CHART_WIDTH,
                    height=CHART_HEIGHT,
                    chart_id=f"chart-{index}",
                ),
                "variation_svg": variation_icon_svg(result.variation_icon, size=CHART_ICON_SIZE),
                "variation_label": _variation_label(result.variation_icon),
                "assurance_svg": assurance_icon_svg(result.assurance_icon, size=CHART_ICON_SIZE),
                "assurance_label": _assurance_label(result.assurance_icon),
                "points": len(result.points),
            }
        )
    return drawn


SECTIONS = {
    "organisation": [
        ("framework", "Social value framework"),
        ("kvis", "Key Value Indicators"),
        ("charts", "Statistical process control charts"),
        ("standing", "Charters, awards and the anchor charter"),
        ("anchor-return", "Anchor charter return"),
        ("value", "Monetised social value"),
    ],
    "system": [
        ("signatories", "Charter signatories"),
        ("awards", "Awards held and expiring"),
        ("anchor-impact", "Anchor charter: collective impact"),
        ("kvi-totals", "KVIs across organisations"),
        ("value", "Monetised social value"),
    ],
    "assembly": [
        ("impact", "Collective impact"),
        ("members", "Members"),
        ("actions", "Open actions"),
    ],
}

COVER_TEXT = (
    ("Purpose", "purpose"),
    ("Executive summary", "executive_summary"),
    ("Recommendation", "recommendation"),
    ("Risks and opportunities", "risks_and_opportunities"),
    ("Board Assurance Framework", "board_assurance_framework"),
    ("Quality and equality impact", "quality_and_equality_impact"),
    ("Financial implications", "financial_implications"),
    ("Strategic objectives supported", "strategic_objectives"),
    ("Report history", "report_history"),
)


def _actions(report: dict) -> list[dict]:
    """The action vocabulary with the one required marked ("To Assure" matches "Assure")."""
    wanted = report["action_required"].strip().casefold()
    wanted = wanted[3:] if wanted.startswith("to ") else wanted
    actions = [
        {"name": name, "selected": bool(wanted) and name.casefold() == wanted}
        for name in report.get("action_choices") or []
    ]
    if wanted and not any(action["selected"] for action in actions):
        actions.append({"name": report["action_required"].strip(), "selected": True})
    return actions


def _icon_key() -> list[dict]:
    return [
        {"svg": variation_icon_svg(code, size=TABLE_ICON_SIZE), "label": label}
        for code, (_letter, _colour, label) in VARIATION_ICONS.items()
    ] + [
        {"svg": assurance_icon_svg(code, size=TABLE_ICON_SIZE), "label": label}
        for code, (_letter, _colour, label) in ASSURANCE_ICONS.items()
    ]


def report_context(inputs: dict) -> dict:
    report, data = inputs["report"], dict(inputs["data"])
    kind = report["kind"]
    theme_names: set[str] = set()
    if data.get("kvis"):
        theme_names = {theme["name"] for theme in data["kvis"]["themes"]}
        data["kvis"] = {**data["kvis"], "themes": _kvi_themes(data["kvis"])}
    if "charts" in data:
        data["charts"] = _charts(data["charts"])
    narratives = report.get("narratives") or {}
    sections = [
        {"id": section_id, "title": title}
        for section_id, title in SECTIONS[kind]
        if section_id != "charts" or data.get("charts")
    ]
    running = report["organisation"] or report["tenant"]
    meeting = ", ".join(p for p in (report["meeting"], report["meeting_date_text"]) if p)
    return {
        "report": report,
        "data": data,
        "running_organisation": running,
        "running_meeting": meeting or report["kind_label"],
        "document_title": f"{report['title']}: {running}",
        "actions": _actions(report),
        "cover_text": [(label, report.get(name, "")) for label, name in COVER_TEXT],
        "sections": sections,
        "has_narratives": bool(narratives),
        "other_narratives": sorted(
            (name, text) for name, text in narratives.items() if name not in theme_names
        ),
        "icon_key": _icon_key() if kind == "organisation" else [],
        "static_base": STATIC_BASE,
        # Metadata dates: the data freeze (midnight, UTC), never the time of rendering.
        "metadata_date": f"{report['data_freeze_date']}T00:00:00Z",
    }


def report_html(inputs: dict) -> str:
    """The report as the HTML WeasyPrint lays out (the template of its kind)."""
    kind = inputs["report"]["kind"]
    return render_to_string(f"reporting/pdf/{kind}.html", report_context(inputs))


def _progress(on_progress: Progress | None, percent: int, message: str) -> None:
    if on_progress is not None:
        on_progress(percent, message)


def render_document(html: str):
    """WeasyPrint's laid-out document of the report's HTML (static files only)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=project_static_fetcher()).render(
        pdf_variant=PDF_VARIANT
    )


def write_pdf(document, inputs: dict) -> bytes:
    identifier = inputs_sha256(inputs)[:32].encode()
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier)


def report_pdf(inputs: dict, *, on_progress: Progress | None = None) -> RenderedPdf:
    """The report as PDF bytes and its number of pages; `on_progress(percent, message)` is
    told at each stage."""
    _progress(on_progress, 30, "Writing the report")
    html = report_html(inputs)
    _progress(on_progress, 40, "Laying out pages")
    document = render_document(html)
    _progress(on_progress, 80, "Writing the PDF")
    pdf = write_pdf(document, inputs)
    _progress(on_progress, 90, "PDF written")
    return RenderedPdf(pdf=pdf, page_count=len(document.pages))
