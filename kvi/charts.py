"""Server-rendered SVG for SPC charts and their icons: the same markup for pages and PDFs.

Each function returns a self-contained ``<svg>`` string: no scripts, no stylesheets, no external
resources, presentation attributes only (WeasyPrint draws it as it is), every piece of text
escaped. Charts are accessible images: ``role="img"`` with a ``<title>`` and a ``<desc>`` that
say in words what the chart shows, and points carry a marker shape per class as well as a
colour (colour is never the only cue):

- common cause: grey circle;
- special cause improvement: blue square;
- special cause concern: orange triangle, pointing up when high and down when low;
- special cause, neutral direction: purple diamond.
"""

import hashlib
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from kvi.spc import (
    COLOUR_COMMON_CAUSE,
    COLOUR_CONCERN,
    COLOUR_IMPROVEMENT,
    COLOUR_NEUTRAL,
    COMMON_CAUSE,
    CONCERN_HIGH,
    CONCERN_LOW,
    CONSISTENTLY_FAIL,
    CONSISTENTLY_PASS,
    HIT_AND_MISS,
    IMPROVEMENT_HIGH,
    IMPROVEMENT_LOW,
    MIN_POINTS_FOR_FIRM_LIMITS,
    NEUTRAL_HIGH,
    NEUTRAL_LOW,
    POINT_COLOURS,
    SpcPoint,
    SpcResult,
    SpcSegment,
)

FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"
TEXT_COLOUR = "#212b32"  # NHS.UK text colour
AXIS_COLOUR = "#4c6272"  # NHS.UK secondary text colour
LINE_COLOUR = COLOUR_COMMON_CAUSE
MEAN_COLOUR = "#000000"
LIMIT_COLOUR = "#768692"
TARGET_COLOUR = "#de1b1b"
LIMIT_DASH = "6 4"
TARGET_DASH = "2 3"
MARKER_SIZE = 4.5
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

# Margins around the plotting area, in pixels.
_LEFT = 76
_RIGHT = 20
_TOP = 16
_BOTTOM = 60
_INSET = 10  # keeps the first and last markers off the axes

VARIATION_DESCRIPTIONS = {
    COMMON_CAUSE: "common cause variation: no significant change",
    IMPROVEMENT_HIGH: "special cause variation of an improving nature, higher values",
    IMPROVEMENT_LOW: "special cause variation of an improving nature, lower values",
    CONCERN_HIGH: "special cause variation of a concerning nature, higher values",
    CONCERN_LOW: "special cause variation of a concerning nature, lower values",
    NEUTRAL_HIGH: "special cause variation, higher values (neither improvement nor concern)",
    NEUTRAL_LOW: "special cause variation, lower values (neither improvement nor concern)",
}
ASSURANCE_DESCRIPTIONS = {
    CONSISTENTLY_PASS: "the process will consistently meet the target",
    CONSISTENTLY_FAIL: "the process will consistently miss the target",
    HIT_AND_MISS: "the process will meet and miss the target at random (it lies within the "
    "process limits)",
}
POINT_CLASS_NAMES = {
    COMMON_CAUSE: "common cause",
    IMPROVEMENT_HIGH: "improvement",
    IMPROVEMENT_LOW: "improvement",
    CONCERN_HIGH: "concern",
    CONCERN_LOW: "concern",
    NEUTRAL_HIGH: "neutral",
    NEUTRAL_LOW: "neutral",
}
SPECIAL_CAUSE_DESCRIPTIONS = {
    "beyond_limits": "beyond a process limit",
    "trend": "part of a trend",
    "two_of_three": "two of three points near a limit",
    "shift": "part of a shift",
}
LEGEND_CLASSES = (
    ("Common cause", (COMMON_CAUSE,)),
    ("Improvement", (IMPROVEMENT_HIGH, IMPROVEMENT_LOW)),
    ("Concern", (CONCERN_HIGH, CONCERN_LOW)),
    ("Neutral special cause", (NEUTRAL_HIGH, NEUTRAL_LOW)),
)
# Icons: (letter, fill colour, title).
VARIATION_ICONS = {
    COMMON_CAUSE: ("C", COLOUR_COMMON_CAUSE, "Common cause variation"),
    IMPROVEMENT_HIGH: ("H", COLOUR_IMPROVEMENT, "Special cause improvement: higher values"),
    IMPROVEMENT_LOW: ("L", COLOUR_IMPROVEMENT, "Special cause improvement: lower values"),
    CONCERN_HIGH: ("H", COLOUR_CONCERN, "Special cause concern: higher values"),
    CONCERN_LOW: ("L", COLOUR_CONCERN, "Special cause concern: lower values"),
    NEUTRAL_HIGH: ("H", COLOUR_NEUTRAL, "Special cause variation: higher values"),
    NEUTRAL_LOW: ("L", COLOUR_NEUTRAL, "Special cause variation: lower values"),
}
ASSURANCE_ICONS = {
    CONSISTENTLY_PASS: ("P", COLOUR_IMPROVEMENT, "Assurance: the target will consistently pass"),
    CONSISTENTLY_FAIL: ("F", COLOUR_CONCERN, "Assurance: the target will consistently fail"),
    HIT_AND_MISS: ("?", COLOUR_COMMON_CAUSE, "Assurance: the target will be hit and miss"),
}


# --- Text ---------------------------------------------------------------------------------


def _attr(value: str) -> str:
    """Escape text for a double-quoted XML attribute."""
    return escape(value, {'"': "&quot;"})


def period_label(period: date) -> str:
    """A period as boards write it: 2022-04-01 -> "Apr 2022" (independent of the locale)."""
    return f"{MONTH_ABBREVIATIONS[period.month - 1]} {period.year}"


def format_value(value: Decimal, unit: str) -> str:
    """A figure with its unit: whole numbers without decimals, others to two places;
    "%" follows the number, "£" leads it, any other unit follows after a space ("count" and
    an empty unit add nothing)."""
    number = f"{abs(value):,.0f}" if value == value.to_integral_value() else f"{abs(value):,.2f}"
    sign = "-" if value < 0 and number.strip("0.,") else ""
    if unit == "%":
        return f"{sign}{number}%"
    if unit == "£":
        return f"{sign}£{number}"
    if unit in ("", "count"):
        return f"{sign}{number}"
    return f"{sign}{number} {unit}"


def _num(value: float) -> str:
    """A coordinate, to one decimal place."""
    return f"{value:.1f}"


def _describe(result: SpcResult, unit: str) -> str:
    """What the chart shows, in words, for the <desc> element."""
    points = result.points
    if not points:
        return "No figures have been recorded yet, so there is nothing to chart."
    latest = points[-1]
    sentences = [
        f"{len(points)} {'period' if len(points) == 1 else 'periods'} from "
        f"{period_label(points[0].period)} to {period_label(latest.period)}.",
        f"Latest value {format_value(latest.value, unit)} in {period_label(latest.period)}.",
    ]
    latest_segment = result.segments[-1]
    if latest_segment.has_limits:
        assert latest.lower_limit is not None and latest.upper_limit is not None
        sentences.append(
            f"Mean {format_value(latest.mean, unit)}; process limits "
            f"{format_value(latest.lower_limit, unit)} to {format_value(latest.upper_limit, unit)}"
            + (
                f" (trial limits from fewer than {MIN_POINTS_FOR_FIRM_LIMITS} points)."
                if latest_segment.trial_limits
                else "."
            )
        )
    else:
        sentences.append(
            f"Mean {format_value(latest.mean, unit)}; too few points for process limits."
        )
    if len(result.segments) > 1:
        sentences.append(f"The limits were recalculated {len(result.segments) - 1} times.")
    variation = VARIATION_DESCRIPTIONS.get(result.variation_icon or "", "not assessed")
    sentences.append(f"Variation: {variation}.")
    if result.target is not None:
        sentences.append(f"Target {format_value(result.target, unit)}.")
    if result.assurance_icon is not None:
        sentences.append(f"Assurance: {ASSURANCE_DESCRIPTIONS[result.assurance_icon]}.")
    else:
        sentences.append("Assurance: not assessed.")
    special = sum(point.is_special_cause for point in points)
    if special:
        sentences.append(
            f"{special} {'point shows' if special == 1 else 'points show'} special cause variation."
        )
    return " ".join(sentences)


# --- Chart --------------------------------------------------------------------------------


class _Scale:
    """Maps periods (by position in the series) and values to pixel coordinates."""

    def __init__(self, result: SpcResult, width: int, height: int) -> None:
        self.left = _LEFT + _INSET
        self.right = width - _RIGHT - _INSET
        self.top = _TOP
        self.bottom = height - _BOTTOM
        self.count = len(result.points)
        plotted = _plotted_values(result)
        # The lowest and highest quantities drawn (values, means, limits, target).
        self.low = min(plotted, default=Decimal(0))
        self.high = max(plotted, default=Decimal(1))
        span = float(self.high - self.low)
        padding = span * 0.05 if span else max(abs(float(self.high)) * 0.1, 1.0)
        self.axis_low = float(self.low) - padding
        self.axis_high = float(self.high) + padding

    def x(self, index: int) -> float:
        if self.count <= 1:
            return (self.left + self.right) / 2
        return self.left + index * (self.right - self.left) / (self.count - 1)

    def y(self, value: Decimal | float) -> float:
        fraction = (float(value) - self.axis_low) / (self.axis_high - self.axis_low)
        return self.bottom - fraction * (self.bottom - self.top)


def _plotted_values(result: SpcResult) -> list[Decimal]:
    values = [point.value for point in result.points]
    for segment in result.segments:
        values.append(segment.mean)
        if segment.upper_limit is not None and segment.lower_limit is not None:
            values.extend([segment.upper_limit, segment.lower_limit])
    if result.target is not None and result.points:
        values.append(result.target)
    return values


def _shape(point_type: str, x: float, y: float, css_class: str, inner: str = "") -> str:
    """The marker of a point type at (x, y): the shape says the class, the fill its colour."""
    s = MARKER_SIZE
    common = (
        f'class="{_attr(css_class)}" fill="{_attr(POINT_COLOURS[point_type])}" '
        'stroke="#ffffff" stroke-width="1"'
    )
    if point_type == COMMON_CAUSE:
        return f'<circle {common} cx="{_num(x)}" cy="{_num(y)}" r="{s}">{inner}</circle>'
    if point_type in (IMPROVEMENT_HIGH, IMPROVEMENT_LOW):
        return (
            f'<rect {common} x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" '
            f'height="{_num(2 * s)}">{inner}</rect>'
        )
    r = s * 1.3
    if point_type in (CONCERN_HIGH, CONCERN_LOW):
        tip = -r if point_type == CONCERN_HIGH else r
        corners = [(x, y + tip), (x - r, y - tip * 0.6), (x + r, y - tip * 0.6)]
    else:  # neutral: a diamond
        corners = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    coordinates = " ".join(f"{_num(cx)},{_num(cy)}" for cx, cy in corners)
    return f'<polygon {common} points="{coordinates}">{inner}</polygon>'


def _marker(point: SpcPoint, x: float, y: float, unit: str) -> str:
    """One point, with a tooltip title giving its period, value and verdict."""
    verdict = POINT_CLASS_NAMES[point.point_type]
    if point.special_cause is not None:
        verdict = f"special cause {verdict} ({SPECIAL_CAUSE_DESCRIPTIONS[point.special_cause]})"
    title = (
        f"<title>{escape(period_label(point.period))}: "
        f"{escape(format_value(point.value, unit))}, {escape(verdict)}</title>"
    )
    css_class = f"spc-point spc-point-{point.point_type}"
    return _shape(point.point_type, x, y, css_class, title)


def _horizontal(
    scale: _Scale, first: int, last: int, value: Decimal, colour: str, dash: str | None, name: str
) -> str:
    """A horizontal line at ``value`` across the points ``first``..``last``."""
    x1, x2 = scale.x(first), scale.x(last)
    if x1 == x2:
        x1, x2 = x1 - _INSET, x2 + _INSET
    y = _num(scale.y(value))
    dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line class="spc-{name}" x1="{_num(x1)}" y1="{y}" x2="{_num(x2)}" y2="{y}" '
        f'stroke="{colour}" stroke-width="1.5"{dash_attribute}/>'
    )


def _segment_lines(scale: _Scale, result: SpcResult) -> list[str]:
    """Mean (solid) and process limits (dashed) across each segment."""
    lines = []
    for index, segment in enumerate(result.segments):
        positions = [i for i, point in enumerate(result.points) if point.segment == index]
        first, last = positions[0], positions[-1]
        lines.extend(_limit_lines(scale, segment, first, last))
    return lines


def _limit_lines(scale: _Scale, segment: SpcSegment, first: int, last: int) -> list[str]:
    lines = [_horizontal(scale, first, last, segment.mean, MEAN_COLOUR, None, "mean")]
    for limit in (segment.upper_limit, segment.lower_limit):
        if limit is not None:
            lines.append(_horizontal(scale, first, last, limit, LIMIT_COLOUR, LIMIT_DASH, "limit"))
    return lines


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{_attr(FONT_FAMILY)}" '
        f'font-size="{size}" fill="{TEXT_COLOUR}" text-anchor="{anchor}">{escape(content)}</text>'
    )


def _legend(result: SpcResult, x: float, y: float) -> list[str]:
    """A key to the lines and to the marker shapes used in this chart."""
    parts = []

    def line_item(label: str, colour: str, dash: str | None) -> None:
        nonlocal x
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(y - 4)}" x2="{_num(x + 22)}" y2="{_num(y - 4)}" '
            f'stroke="{colour}" stroke-width="1.5"{dash_attribute}/>'
        )
        parts.append(_text(x + 26, y, label, size=11))
        x += 26 + len(label) * 6 + 14

    def marker_item(label: str, point_type: str) -> None:
        nonlocal x
        parts.append(_shape(point_type, x + MARKER_SIZE, y - 4, "spc-legend-marker"))
        parts.append(_text(x + 2 * MARKER_SIZE + 4, y, label, size=11))
        x += 2 * MARKER_SIZE + 4 + len(label) * 6 + 14

    line_item("Mean", MEAN_COLOUR, None)
    if any(segment.has_limits for segment in result.segments):
        line_item("Process limits", LIMIT_COLOUR, LIMIT_DASH)
    if result.target is not None:
        line_item("Target", TARGET_COLOUR, TARGET_DASH)
    # One entry per class of point shown, in a fixed order.
    shown = {point.point_type for point in result.points}
    for label, point_types in LEGEND_CLASSES:
        present = [point_type for point_type in point_types if point_type in shown]
        if present:
            marker_item(label, present[0])
    return parts


def xmr_chart_svg(
    result: SpcResult,
    *,
    title: str,
    unit: str,
    width: int = 720,
    height: int = 300,
    chart_id: str | None = None,
) -> str:
    """An XmR chart of ``result`` as a self-contained, accessible SVG string.

    ``unit`` is the metric's unit ("%", "£", "people", ...). ``chart_id`` prefixes the ids that
    tie the title and description to the image; by default it is derived from the content, so
    give distinct ids to identical charts on one page.
    """
    description = _describe(result, unit)
    if chart_id is None:
        digest = hashlib.sha1(f"{title}\n{description}".encode(), usedforsecurity=False)
        chart_id = f"spc-{digest.hexdigest()[:10]}"
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    scale = _Scale(result, width, height)
    axis_left = _LEFT
    axis_right = width - _RIGHT

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{_attr(title_id)} {_attr(desc_id)}" class="spc-chart">',
        f'<title id="{_attr(title_id)}">{escape(title)}</title>',
        f'<desc id="{_attr(desc_id)}">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        # Axes.
        f'<line x1="{axis_left}" y1="{scale.top}" x2="{axis_left}" y2="{scale.bottom}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>',
        f'<line x1="{axis_left}" y1="{scale.bottom}" x2="{axis_right}" y2="{scale.bottom}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>',
    ]
    points = result.points
    if not points:
        parts.append(
            _text(
                (axis_left + axis_right) / 2,
                (scale.top + scale.bottom) / 2,
                "No data yet",
                anchor="middle",
            )
        )
        parts.append("</svg>")
        return "\n".join(parts)

    # Y-axis: the lowest and highest quantities drawn.
    for shown in sorted({scale.low, scale.high}):
        y = scale.y(shown)
        parts.append(
            f'<line x1="{axis_left - 4}" y1="{_num(y)}" x2="{axis_left}" y2="{_num(y)}" '
            f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
        )
        parts.append(_text(axis_left - 6, y + 4, format_value(shown, unit), anchor="end", size=11))
    # X-axis: first and last period.
    label_y = scale.bottom + 16
    parts.append(_text(scale.x(0), label_y, period_label(points[0].period), anchor="middle"))
    if len(points) > 1:
        parts.append(
            _text(
                scale.x(len(points) - 1), label_y, period_label(points[-1].period), anchor="middle"
            )
        )

    parts.extend(_segment_lines(scale, result))
    if result.target is not None:
        parts.append(
            _horizontal(
                scale, 0, len(points) - 1, result.target, TARGET_COLOUR, TARGET_DASH, "target"
            )
        )
    coordinates = " ".join(
        f"{_num(scale.x(i))},{_num(scale.y(point.value))}" for i, point in enumerate(points)
    )
    parts.append(
        f'<polyline class="spc-series" points="{coordinates}" fill="none" '
        f'stroke="{LINE_COLOUR}" stroke-width="1.5"/>'
    )
    parts.extend(
        _marker(point, scale.x(i), scale.y(point.value), unit) for i, point in enumerate(points)
    )
    parts.extend(_legend(result, axis_left, height - 14))
    parts.append("</svg>")
    return "\n".join(parts)


# --- Icons --------------------------------------------------------------------------------


def _icon_svg(letter: str, colour: str, title: str, size: int) -> str:
    half = size / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="{_attr(title)}" class="spc-icon">'
        f"<title>{escape(title)}</title>"
        f'<circle cx="{_num(half)}" cy="{_num(half)}" r="{_num(half - 2)}" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="4"/>'
        f'<text x="{_num(half)}" y="{_num(half + size * 0.16)}" font-family="{_attr(FONT_FAMILY)}" '
        f'font-size="{_num(size * 0.45)}" font-weight="bold" fill="{TEXT_COLOUR}" '
        f'text-anchor="middle">{escape(letter)}</text>'
        "</svg>"
    )


def variation_icon_svg(icon: str | None, *, size: int = 40) -> str:
    """The variation icon (a circle with H, L or C and a title); "" when there is none."""
    if icon is None:
        return ""
    if icon not in VARIATION_ICONS:
        raise ValueError(f"Unknown variation icon {icon!r}.")
    letter, colour, title = VARIATION_ICONS[icon]
    return _icon_svg(letter, colour, title, size)


def assurance_icon_svg(icon: str | None, *, size: int = 40) -> str:
    """The assurance icon (a circle with P, F or ? and a title); "" when there is none (no
    target, a neutral direction, or no limits yet)."""
    if icon is None:
        return ""
    if icon not in ASSURANCE_ICONS:
        raise ValueError(f"Unknown assurance icon {icon!r}.")
    letter, colour, title = ASSURANCE_ICONS[icon]
    return _icon_svg(letter, colour, title, size)
