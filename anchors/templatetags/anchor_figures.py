"""Template filters of the anchor dashboard: a figure with its unit, as the KVI engine writes it."""

from decimal import Decimal

from django import template

from kvi.charts import format_value

register = template.Library()


@register.filter
def figure(value, unit=""):
    """`{{ value|figure:unit }}`: 12.5 and "%" -> "12.5%", 1500 and "£" -> "£1,500"; "—" for
    no figure."""
    if value is None or value == "":
        return "—"
    return format_value(Decimal(value), unit)


@register.filter
def signed_figure(value, unit=""):
    """A change: "+3", "-£1,200", "no change"; "—" for none."""
    if value is None:
        return "—"
    if value == 0:
        return "no change"
    text = format_value(Decimal(value), unit)
    return text if value < 0 else f"+{text}"
