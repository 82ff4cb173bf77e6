"""A board report's inputs: everything its PDF shows, as JSON-safe data (strings, numbers,
lists, dicts, None; figures already written as the paper prints them), read as the data stood
at the end of the report's data freeze day (Europe/London).

`report_inputs(report)` returns {"report": {...}, "data": {...}}: "report" holds the report's
own fields (kind, title, cover sheet, narratives, dates, organisation and tenant names) and
"data" the kind's data (reporting.content.kinds). Call it inside the report's tenant context;
every read filters by the report's tenant as well. The same database state before the freeze
gives the same dict (sorted, no timestamps of now), so the same PDF."""

from reporting.content.common import Freeze, date_text, inputs_sha256, iso
from reporting.content.kinds import assembly_data, organisation_data, system_data
from reporting.models import (
    COVER_SHEET_FIELDS,
    Report,
    ReportKind,
)
from reporting.selectors import action_choices

INPUTS_VERSION = 1

# The cover sheet's text fields (its meeting date is printed as a date, below).
COVER_FIELDS = tuple(name for name in COVER_SHEET_FIELDS if name != "meeting_date")

_BUILDERS = {
    ReportKind.ORGANISATION: organisation_data,
    ReportKind.SYSTEM: system_data,
    ReportKind.ASSEMBLY: assembly_data,
}


def report_part(report: Report) -> dict:
    """The report's own fields, as the cover sheet and running header print them."""
    organisation = report.organisation.name if report.organisation is not None else None
    narratives = report.narratives if isinstance(report.narratives, dict) else {}
    actions = action_choices(tenant=report.tenant)
    return {
        "id": str(report.pk),
        "kind": str(report.kind),
        "kind_label": ReportKind(report.kind).label,
        "title": report.title,
        "organisation": organisation,
        "tenant": report.tenant.name,
        "period_end": iso(report.period_end),
        "period_end_text": date_text(report.period_end),
        "data_freeze_date": iso(report.data_freeze_date),
        "data_freeze_text": date_text(report.data_freeze_date),
        "meeting_date": iso(report.meeting_date),
        "meeting_date_text": date_text(report.meeting_date),
        **{name: str(getattr(report, name) or "") for name in COVER_FIELDS},
        "action_choices": [str(action) for action in actions],
        "narratives": {str(k): str(v) for k, v in sorted(narratives.items()) if str(v).strip()},
    }


def report_inputs(report: Report) -> dict:
    """The report's inputs (see the module docstring)."""
    freeze = Freeze.of(report.data_freeze_date)
    return {
        "version": INPUTS_VERSION,
        "report": report_part(report),
        "data": _BUILDERS[ReportKind(report.kind)](report, freeze),
    }


__all__ = ["Freeze", "inputs_sha256", "report_inputs", "report_part"]
