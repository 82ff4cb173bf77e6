"""CSV for any list (`?format=csv`), safe to open in a spreadsheet."""

import csv
import io
import re

from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Spreadsheet-safe text: a cell that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Characters an XLSX (XML 1.0) cannot hold; openpyxl refuses them.
ILLEGAL_XML_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_text(value) -> str:
    """A text cell of an XLSX export: what XML cannot hold dropped first (so the neutralising
    sees the cell's real first character), then made safe like a CSV cell."""
    return neutralise("" if value is None else ILLEGAL_XML_CHARACTERS.sub("", str(value)))


def _flatten(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(item) for item in value)
        else:
            flat[name] = value
    return flat


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data] if data else []
        flat_rows = [_flatten(row) for row in rows]
        columns: list[str] = []
        for row in flat_rows:
            columns.extend(key for key in row if key not in columns)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in flat_rows:
            writer.writerow([neutralise(row.get(column)) for column in columns])
        return buffer.getvalue().encode(self.charset)
