"""SVG charts of the anchor dashboard, from the KVI engine's chart code (kvi.charts, kvi.spc).

- A trend over the rounds (the collective total of a metric, or one member's figures) is the
  KVI engine's own XmR chart: `kvi.charts.xmr_chart_svg` of `kvi.spc.calculate_spc` over the
  rounds' period starts, in the metric's improvement direction.
- A benchmark of one metric in one round is a horizontal bar chart drawn here in the same
  style (fonts, colours, escaping, `role="img"` with `<title>` and `<desc>`): one bar per
  member, best first, under the name the viewer may see (an anonymised member's label, never
  its name), the viewer's own bars in blue, the median as a dashed line.

No queries: everything comes from an already-read `anchors.selectors.performance.Dashboard`.
"""

import hashlib
from decimal import Decimal
from xml.sax.saxutils import escape

from kvi.charts import AXIS_COLOUR, FONT_FAMILY, MEAN_COLOUR, TEXT_COLOUR, format_value
from kvi.charts import xmr_chart_svg as _xmr_chart_svg
from kvi.spc import COLOUR_COMMON_CAUSE, COLOUR_IMPROVEMENT, SpcSettings, calculate_spc

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 200
VALUE_WIDTH = 90
DIRECTIONS = ("increase", "decrease", "neutral")


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _chart_id(*parts: str) -> str:
    digest = hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"anchor-{digest}"


def trend_chart_svg(
    points: list[tuple], *, title: str, unit: str, direction: str, chart_id: str | None = None
) -> str:
    """An XmR chart (the KVI engine's) of (round, value or None) pairs; rounds without a value
    are left out."""
    series = [(r.period_start, value) for r, value in points if value is not None]
    settings = SpcSettings(
        improvement_direction=direction if direction in DIRECTIONS else "neutral"
    )
    return _xmr_chart_svg(
        calculate_spc(series, settings),
        title=title,
        unit=unit,
        width=640,
        height=260,
        chart_id=chart_id or _chart_id(title, *(f"{p}:{v}" for p, v in series)),
    )


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{_attr(FONT_FAMILY)}" font-size="{size}" '
        f'fill="{TEXT_COLOUR}" text-anchor="{anchor}">{escape(content)}</text>'
    )


def benchmark_bars_svg(
    bars: list[tuple[str, Decimal, bool]],
    *,
    title: str,
    unit: str,
    median: Decimal | None,
    width: int = 640,
) -> str:
    """Horizontal bars: (name shown, value, is the viewer's own) in the order given (best
    first), with the median as a dashed line."""
    height = 30 + len(bars) * (BAR_HEIGHT + BAR_GAP) + 20
    if bars:
        shown = "; ".join(f"{name} {format_value(value, unit)}" for name, value, _own in bars)
        description = f"{len(bars)} member{'s' if len(bars) != 1 else ''}, best first: {shown}." + (
            f" Median {format_value(median, unit)}." if median is not None else ""
        )
    else:
        description = "No accepted figures for this metric in this round."
    chart_id = _chart_id(title, description)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="anchor-bars">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if not bars:
        parts.append(_text(width / 2, height / 2, "No data yet", anchor="middle"))
        parts.append("</svg>")
        return "\n".join(parts)
    left = LABEL_WIDTH
    right = width - VALUE_WIDTH
    values = [float(value) for _name, value, _own in bars]
    low = min(0.0, *values)
    high = max(0.0, *values)
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return left + (value - low) / span * (right - left)

    zero = x(0.0)
    top = 20
    for index, (name, value, own) in enumerate(bars):
        y = top + index * (BAR_HEIGHT + BAR_GAP)
        end = x(float(value))
        colour = COLOUR_IMPROVEMENT if own else COLOUR_COMMON_CAUSE
        label = format_value(value, unit)
        parts.append(_text(left - 8, y + BAR_HEIGHT - 5, name[:32], anchor="end"))
        parts.append(
            f'<rect class="anchor-bar{" anchor-bar-own" if own else ""}" '
            f'x="{min(zero, end):.1f}" y="{y:.1f}" width="{max(abs(end - zero), 1):.1f}" '
            f'height="{BAR_HEIGHT}" fill="{colour}"><title>{escape(name)}: '
            f"{escape(label)}</title></rect>"
        )
        parts.append(_text(max(zero, end) + 6, y + BAR_HEIGHT - 5, label, size=11))
    bottom = top + len(bars) * (BAR_HEIGHT + BAR_GAP)
    parts.append(
        f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{bottom:.1f}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    if median is not None:
        mx = x(float(median))
        parts.append(
            f'<line class="anchor-median" x1="{mx:.1f}" y1="{top - 8}" x2="{mx:.1f}" '
            f'y2="{bottom:.1f}" stroke="{MEAN_COLOUR}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(
            _text(mx, bottom + 14, f"Median {format_value(median, unit)}", anchor="middle", size=11)
        )
    parts.append("</svg>")
    return "\n".join(parts)
