"""BENCHMARKS.md, written from the runs: each benchmark replaces its own "## " section with
what it measured, where and when, and leaves the other sections as they are."""

import os
import platform
import tempfile
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

RESULTS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
INTRO = """# Benchmarks

Measured by `make bench`: pytest on `benchmarks/`, with a test database of its own as in `make
test` (which does not run them). Each benchmark rewrites its own section below on every run, with
what it measured, on which machine and when. Their data is generated on the first run (seeded:
the same every time) into `.devdata/bench/`: a 2.7-million-row postcode directory in the ONSPD
layout (`benchmarks/onspd.py`) and a 1,000,000-row spend ledger (`benchmarks/ledger_file.py`).
"""


def write_section(title: str, body: str) -> None:
    """Replace the section headed `## {title}` (or add it at the end). Paragraphs of the body
    are re-wrapped; tables (lines starting "|") are kept as they are."""
    heading = f"## {title}"
    text = RESULTS.read_text() if RESULTS.exists() else ""
    # The introduction, then the sections (kept as they are, but for this one).
    _intro, heading_start, sections = text.partition("\n## ")
    lines = f"{INTRO}\n{heading_start.lstrip()}{sections}".rstrip().splitlines()
    blocks = [block.strip() for block in body.strip().split("\n\n")]
    wrapped = [block if block.startswith("|") else textwrap.fill(block, 96) for block in blocks]
    section = ["", heading, "", *"\n\n".join(wrapped).splitlines()]
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        while start > 0 and not lines[start - 1].strip():
            start -= 1
        lines[start:end] = [*section, ""] if end < len(lines) else section
    else:
        lines += section
    with tempfile.NamedTemporaryFile("w", dir=RESULTS.parent, delete=False) as handle:
        handle.write("\n".join(lines).rstrip() + "\n")
    os.replace(handle.name, RESULTS)
    RESULTS.chmod(0o644)


def machine() -> str:
    """Where and when: a sentence for a section."""
    model = ""
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = f" ({line.split(':', 1)[1].strip()})"
                break
    memory = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        memory = f", {gib:.0f} GiB of memory"
    cpus = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    busy = " (other work was sharing the CPUs: these times are pessimistic)" if load > cpus else ""
    now = datetime.now(UTC)
    return (
        f"Measured {now:%Y-%m-%d %H:%M} UTC by `make bench` on {cpus} CPUs{model}{memory}, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"PostgreSQL {server_version()}. Load average {load:.1f} when measured{busy}."
    )


def server_version() -> str:
    """ "15.20 (fsync off)": the version, and whether writes wait for the disk."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('fsync')")
        version, fsync = cursor.fetchone()
    return f"{version} (fsync {fsync})"


def owner_connection() -> psycopg.Connection:
    """A connection to this run's test database as the owner (the application role may not
    create tables)."""
    owner = settings.OWNER_DATABASE
    return psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=owner["USER"],
        password=owner.get("PASSWORD") or None,
        host=owner.get("HOST") or None,
        port=owner.get("PORT") or None,
    )
