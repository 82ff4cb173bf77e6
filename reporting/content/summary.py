"""A first executive summary written from the report's own figures: the default a board
reporter starts from in the draft form (reporting.services.report_create fills it in when none
is given). Plain sentences, no judgement the data cannot carry."""

from collections import Counter

from kvi.status import KviStatus


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _organisation(report: dict, data: dict) -> str:
    kvis = data.get("kvis") or {}
    rows = [row for theme in kvis.get("themes", []) for row in theme["rows"]]
    sentences = []
    if rows:
        statuses = Counter(row["status"] for row in rows)
        parts = [
            f"{statuses[status]} {label.lower()}"
            for status, label in (
                (KviStatus.ON_TRACK, "on track"),
                (KviStatus.AT_RISK, "at risk"),
                (KviStatus.OFF_TRACK, "off track"),
                (KviStatus.NO_TARGET, "without a target"),
                (KviStatus.NO_DATA, "without figures yet"),
            )
            if statuses[status]
        ]
        sentences.append(
            f"At {kvis.get('as_of_text')}, {report.get('organisation') or 'the organisation'} "
            f"tracks {_plural(len(rows), 'Key Value Indicator')}: {', '.join(parts)}."
        )
    standing = data.get("standing") or {}
    signed = [c["charter"] for c in standing.get("charters", [])]
    if signed:
        sentences.append(f"It has signed {_and(signed)}.")
    awards = [f"{a['scheme']} ({a['level']})" for a in standing.get("awards", [])]
    if awards:
        sentences.append(f"It holds {_and(awards)}.")
    return " ".join(sentences)


def _system(report: dict, data: dict) -> str:
    sentences = []
    for charter in (data.get("signatories") or {}).get("charters", []):
        sentences.append(
            f"{charter['charter']}: {_plural(charter['total'], 'signatory', 'signatories')}."
        )
    awards = data.get("awards") or {}
    if awards.get("held_total"):
        sentences.append(
            f"{_plural(awards['held_total'], 'award')} held by "
            f"{_plural(awards['organisations_holding'], 'organisation')}."
        )
    return " ".join(sentences)


def _assembly(report: dict, data: dict) -> str:
    members = data.get("members") or []
    sentences = [f"Progress of the {data.get('charter', 'anchor charter')} for the assembly of "]
    sentences[0] += f"{data.get('held_on_text', '')}: {_plural(len(members), 'member')} reported."
    actions = data.get("open_actions") or []
    if actions:
        sentences.append(f"{_plural(len(actions), 'action')} still open.")
    return " ".join(sentences)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


WRITERS = {"organisation": _organisation, "system": _system, "assembly": _assembly}


def suggested_summary(inputs: dict) -> str:
    report = inputs["report"]
    return WRITERS[report["kind"]](report, inputs["data"]).strip()
