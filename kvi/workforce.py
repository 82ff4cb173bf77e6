"""Workforce aggregates: an organisation's WTE counts by declared disability, ethnicity group
and IMD quintile or decile of home postcode, for one period. Counts only, never people.

The upload is a CSV with exactly the columns category, group and wte: one row per group, e.g.
"disability,Yes,41.2". It is checked whole (all or nothing), every problem named by row and
column; a column that looks like information about individual people (a name, NHS number, date
of birth, postcode...) refuses the file. Each category counts every member of staff (a "Not
declared" group holds those who did not say), so the categories' totals must agree.

Representativeness compares each group's share of the organisation's WTE with its share of the
local population (`LocalArea.population`, percentages by group), as a gap in percentage points
and a ratio (1.0 = as represented as in the population).
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from kvi.models import LocalArea, MetricFeed, WorkforceReturn
from kvi.postcodes import is_postcode, normalise_postcode
from organisations.models import Participation
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record
from uploads.checks import FileType, check_upload

MAX_BYTES = 1024 * 1024  # a counts file is a few hundred rows at most
MAX_ROWS = 1000
COLUMNS = ("category", "group", "wte")
TOTALS_TOLERANCE = Decimal("0.1")  # WTE: rounding of the groups' sums, nothing more
ENCODINGS = ("utf-8-sig", "cp1252")

CATEGORIES = {
    "disability": "Declared disability",
    "ethnicity": "Ethnicity group",
    "imd_quintile": "IMD quintile of home postcode",
    "imd_decile": "IMD decile of home postcode",
}
YES, NO, NOT_DECLARED, NOT_KNOWN = "Yes", "No", "Not declared", "Not known"
_NOT_SAID = {
    "not declared",
    "not stated",
    "not known",
    "unknown",
    "prefer not to say",
    "undisclosed",
}
DISABILITY_GROUPS = {
    "yes": YES,
    "disabled": YES,
    "declared disability": YES,
    "no": NO,
    "not disabled": NO,
} | {said: NOT_DECLARED for said in _NOT_SAID}
IMD_GROUPS = {"imd_quintile": 5, "imd_decile": 10}

# Header names that say a file holds people, not counts.
PERSON_LEVEL_COLUMN_RE = re.compile(
    r"^(?:(?:first|last|full|given|family|employee|staff|person)_?name|name|forenames?|surname"
    r"|nhs_?(?:number|no)|date_?of_?birth|dob|birth_?date|birthday"
    r"|(?:home_?)?post_?code|address(?:_line)?_?\d?|e_?mail(?:_address)?"
    r"|(?:employee|staff|person|payroll|assignment)_?(?:id|number|no)?|ni_?(?:number|no)"
    r"|national_?insurance(?:_number)?)$"
)
_TEN_DIGITS_RE = re.compile(r"^\d{3}\s?\d{3}\s?\d{4}$")  # an NHS number
_DATE_RE = re.compile(r"^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}$")


def _column_name(name: str) -> str:
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def _category_name(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


# --- Reading a counts file --------------------------------------------------------------------


@dataclass(frozen=True)
class WorkforceCounts:
    counts: dict[str, dict[str, Decimal]]  # category -> group -> WTE
    total_wte: Decimal

    def as_json(self) -> dict[str, dict[str, str]]:
        return {
            category: {group: str(wte) for group, wte in groups.items()}
            for category, groups in self.counts.items()
        }


def _decode(raw: bytes) -> str | None:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_personal(group: str) -> bool:
    compact = normalise_postcode(group)
    return bool(
        is_postcode(compact) or _TEN_DIGITS_RE.match(group.strip()) or _DATE_RE.match(group)
    )


def _group(category: str, written: str) -> tuple[str | None, str]:
    """The group's name as counted, or None and what is wrong with it."""
    group = " ".join(written.split())
    if not group:
        return None, "Enter the group"
    if len(group) > 100:
        return None, "The group's name is longer than 100 characters"
    if _looks_personal(group):
        return None, (
            f"“{group}” looks like information about a person (a postcode, NHS number or "
            "date): upload counts by group only"
        )
    if category == "disability":
        canonical = DISABILITY_GROUPS.get(group.lower())
        if canonical is None:
            return None, f"“{group}” is not a disability group: use Yes, No or Not declared"
        return canonical, ""
    if category in IMD_GROUPS:
        if group.lower() in _NOT_SAID:
            return NOT_KNOWN, ""
        top = IMD_GROUPS[category]
        if not group.isdigit() or not 1 <= int(group) <= top:
            return None, (
                f"“{group}” is not an IMD {category[4:]}: use a number from 1 (most deprived) "
                f"to {top}, or Not known"
            )
        return str(int(group)), ""
    return group, ""  # ethnicity groups as the organisation names them


def _wte(written: str) -> tuple[Decimal | None, str]:
    text = written.strip().replace(",", "")
    if not text:
        return None, "Enter the WTE"
    try:
        wte = Decimal(text)
    except InvalidOperation:
        return None, f"Enter the WTE as a number, like 41.2 (found “{written.strip()}”)"
    if not wte.is_finite():
        return None, f"Enter the WTE as a number, like 41.2 (found “{written.strip()}”)"
    if wte < 0:
        return None, f"The WTE cannot be negative (found {written.strip()})"
    return wte, ""


def _header_errors(header: list[str]) -> list[str]:
    names = [_column_name(name) for name in header]
    personal = [
        header[i].strip() for i, name in enumerate(names) if PERSON_LEVEL_COLUMN_RE.match(name)
    ]
    if personal:
        listed = ", ".join(f"“{name}”" for name in personal)
        return [
            f"The file has a column {listed} that looks like information about individual "
            "people. Upload counts only, with the columns category, group and wte: nothing was "
            "saved."
        ]
    errors = [f"The file has no {column} column." for column in COLUMNS if column not in names]
    errors += [
        f"The file has a column “{header[i].strip()}” that is not used: a counts file has "
        "only the columns category, group and wte."
        for i, name in enumerate(names)
        if name not in COLUMNS
    ]
    return errors


def read_workforce_counts(uploaded_file: IO[bytes]) -> WorkforceCounts:
    """The counts in a CSV, or a ValidationError on "file" listing every problem by row (rows
    numbered from 1 after the header) and column."""
    uploaded_file.seek(0)
    text = _decode(uploaded_file.read())
    uploaded_file.seek(0)
    if text is None:
        raise ValidationError({"file": "The file is not readable text: save it as a CSV."})
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValidationError({"file": f"The file is not a valid CSV: {error}."}) from error
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise ValidationError({"file": "The file is empty."})
    header, rows = lines[0], lines[1:]
    if errors := _header_errors(header):
        raise ValidationError({"file": errors})
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            {
                "file": f"The file has {len(rows):,} rows. A counts file has one row per group "
                f"(at most {MAX_ROWS:,}); a row per person is not accepted."
            }
        )
    index = {_column_name(name): i for i, name in enumerate(header)}
    counts: dict[str, dict[str, Decimal]] = {}
    first_row: dict[tuple[str, str], int] = {}
    errors = []
    for number, cells in enumerate(rows, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            errors.append(f"Row {number}: it has {len(cells)} values, not {len(header)}.")
            continue
        category = _category_name(cells[index["category"]])
        group, wte = None, None
        if category not in CATEGORIES:
            found = cells[index["category"]].strip()
            errors.append(
                f"Row {number}, category: “{found}” is not a category we count: use "
                "disability, ethnicity, imd_quintile or imd_decile."
                if found
                else f"Row {number}, category: enter the category."
            )
        else:
            group, problem = _group(category, cells[index["group"]])
            if problem:
                errors.append(f"Row {number}, group: {problem}.")
        wte, problem = _wte(cells[index["wte"]])
        if problem:
            errors.append(f"Row {number}, wte: {problem}.")
        if group is None or wte is None:
            continue
        if (category, group) in first_row:
            errors.append(
                f"Row {number}, group: {category} “{group}” is already counted on row "
                f"{first_row[category, group]}."
            )
            continue
        first_row[category, group] = number
        counts.setdefault(category, {})[group] = wte
    if errors:
        raise ValidationError({"file": errors})
    if not counts:
        raise ValidationError({"file": "The file has no rows after the header."})
    totals = {category: sum(groups.values(), Decimal(0)) for category, groups in counts.items()}
    if max(totals.values()) - min(totals.values()) > TOTALS_TOLERANCE:
        listed = ", ".join(f"{category} {total} WTE" for category, total in totals.items())
        raise ValidationError(
            {
                "file": f"The categories count different totals ({listed}). Each category "
                "counts every member of staff: put those who did not say in a “Not declared” "
                "(or “Not known”) group."
            }
        )
    return WorkforceCounts(counts=counts, total_wte=max(totals.values()))


# --- Saving a return --------------------------------------------------------------------------


def workforce_return_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    organisation,
    period: date,
    uploaded_file: IO[bytes],
) -> tuple[WorkforceReturn, str, dict]:
    """Save an organisation's counts for a period (its first day) and feed its KVIs. Returns the
    return, what happened ("created", "replaced" or "unchanged": the same file again changes
    nothing) and the feed report (kvi.feeds). A new file for a period replaces the old counts,
    recording the old and new totals."""
    if not access.can(Perm.UPLOAD_ORGANISATION_DATA, organisation_id=organisation.id):
        raise PermissionDenied("You may not upload workforce counts for this organisation.")
    if not Participation.objects.filter(tenant=tenant, organisation=organisation).exists():
        raise ValidationError({"organisation": "This organisation is not in this programme."})
    if not isinstance(period, date) or period.day != 1:
        raise ValidationError({"period": "Enter the period as its first day."})
    try:
        checked = check_upload(uploaded_file, allowed_types=[FileType.CSV], max_bytes=MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    counts = read_workforce_counts(uploaded_file)
    fields = {
        "file_name": checked.file_name,
        "file_sha256": checked.sha256,
        "counts": counts.as_json(),
        "total_wte": counts.total_wte,
        "uploaded_by": actor if actor is not None and actor.is_authenticated else None,
    }
    existing = (
        WorkforceReturn.objects.select_for_update()
        .filter(tenant=tenant, organisation=organisation, period=period)
        .first()
    )
    if existing is not None and existing.file_sha256 == checked.sha256:
        outcome, workforce_return = "unchanged", existing
    elif existing is not None:
        changes = {
            "period": period.isoformat(),
            "total_wte": [str(existing.total_wte), str(counts.total_wte)],
            "file_name": [existing.file_name, checked.file_name],
            "counts": [existing.counts, fields["counts"]],
        }
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=[*fields, "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="workforce_return.replaced",
            obj=existing,
            changes=changes,
        )
        outcome, workforce_return = "replaced", existing
    else:
        try:
            with transaction.atomic():
                workforce_return = WorkforceReturn.objects.create(
                    tenant=tenant, organisation=organisation, period=period, **fields
                )
        except IntegrityError as error:
            raise ValidationError(
                {"file": "Someone saved counts for this period at the same moment: try again."}
            ) from error
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="workforce_return.created",
            obj=workforce_return,
            changes={
                "period": period.isoformat(),
                "file_name": checked.file_name,
                "total_wte": str(counts.total_wte),
            },
        )
        outcome = "created"
    from kvi.feeds import workforce_feed  # kvi.feeds reads feed_numerator from this module

    report = workforce_feed(
        tenant=tenant, actor=actor, access=access, workforce_return=workforce_return
    )
    return workforce_return, outcome, report.as_json()


# --- Reading returns --------------------------------------------------------------------------


def workforce_return_list(*, tenant, organisation) -> QuerySet[WorkforceReturn]:
    return (
        WorkforceReturn.objects.filter(tenant=tenant, organisation=organisation)
        .select_related("uploaded_by")
        .defer("counts")
        .order_by("-period")
    )


def workforce_return_get(*, tenant, organisation, pk) -> WorkforceReturn | None:
    return (
        WorkforceReturn.objects.filter(tenant=tenant, organisation=organisation, pk=pk)
        .select_related("uploaded_by", "organisation")
        .first()
    )


def _decimals(counts: dict) -> dict[str, dict[str, Decimal]]:
    return {c: {g: Decimal(w) for g, w in groups.items()} for c, groups in counts.items()}


def feed_numerator(counts: dict, feed: str) -> tuple[Decimal | None, str]:
    """The WTE a workforce feed counts (kvi.feeds), or None and why the return cannot say."""
    counts = _decimals(counts)
    if feed == MetricFeed.WORKFORCE_DISABILITY:
        if "disability" not in counts:
            return None, "The return has no disability counts."
        return counts["disability"].get(YES, Decimal(0)), ""
    if feed == MetricFeed.WORKFORCE_ETHNIC_MINORITY:
        if "ethnicity" not in counts:
            return None, "The return has no ethnicity counts."
        minority = [
            wte
            for group, wte in counts["ethnicity"].items()
            if not group.lower().startswith("white") and group.lower() not in _NOT_SAID
        ]
        return sum(minority, Decimal(0)), ""
    if feed == MetricFeed.WORKFORCE_MOST_DEPRIVED:
        if "imd_quintile" in counts:
            return counts["imd_quintile"].get("1", Decimal(0)), ""
        if "imd_decile" in counts:
            deciles = counts["imd_decile"]
            return deciles.get("1", Decimal(0)) + deciles.get("2", Decimal(0)), ""
        return None, "The return has no IMD quintile or decile counts."
    return None, "Not a workforce feed."


# --- Shares and representativeness ------------------------------------------------------------


@dataclass(frozen=True)
class GroupShare:
    group: str
    wte: Decimal | None  # None: a population group the return does not count
    percent: Decimal | None  # of the category's WTE
    population_percent: Decimal | None
    gap: Decimal | None  # percentage points: workforce minus population
    ratio: Decimal | None  # workforce share / population share


@dataclass(frozen=True)
class CategoryShares:
    category: str
    label: str
    total: Decimal
    groups: list[GroupShare]
    has_population: bool


def _round(value: Decimal | None, places: str = "0.1") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _quintiles_from_deciles(deciles: dict[str, Decimal]) -> dict[str, Decimal]:
    quintiles: dict[str, Decimal] = {}
    for group, wte in deciles.items():
        key = str((int(group) + 1) // 2) if group.isdigit() else group
        quintiles[key] = quintiles.get(key, Decimal(0)) + wte
    return quintiles


def workforce_shares(workforce_return: WorkforceReturn, population: dict) -> list[CategoryShares]:
    """Each category's groups as shares of its WTE beside the local population's shares. IMD
    deciles are also shown as quintiles when the population is given by quintile."""
    counts = _decimals(workforce_return.counts)
    if "imd_decile" in counts and "imd_quintile" not in counts and "imd_quintile" in population:
        counts["imd_quintile"] = _quintiles_from_deciles(counts["imd_decile"])
    shares = []
    for category in CATEGORIES:
        if category not in counts:
            continue
        groups = counts[category]
        total = sum(groups.values(), Decimal(0))
        people = {
            str(group).strip().lower(): (str(group).strip(), Decimal(str(percent)))
            for group, percent in (population.get(category) or {}).items()
        }
        rows = []
        for group, wte in groups.items():
            percent = wte * 100 / total if total else None
            _, population_percent = people.pop(group.lower(), (group, None))
            rows.append(_share(group, wte, percent, population_percent))
        rows += [_share(name, None, Decimal(0), percent) for name, percent in people.values()]
        rows.sort(key=_group_order)
        label = CATEGORIES[category]
        if category == "imd_quintile" and "imd_quintile" not in workforce_return.counts:
            label += " (worked out from the deciles)"
        shares.append(CategoryShares(category, label, total, rows, bool(population.get(category))))
    return shares


def _group_order(row: GroupShare) -> tuple:
    """Yes, No, then Not declared; IMD groups by number; others by name; the unsaid last."""
    name = row.group.lower()
    return (
        name in _NOT_SAID,
        {"yes": 0, "no": 1}.get(name, 2),
        int(name) if name.isdigit() else 0,
        name,
    )


def _share(group, wte, percent, population_percent) -> GroupShare:
    gap = ratio = None
    if percent is not None and population_percent is not None:
        gap = percent - population_percent
        ratio = percent / population_percent if population_percent else None
    return GroupShare(
        group=group,
        wte=wte,
        percent=_round(percent),
        population_percent=_round(population_percent),
        gap=_round(gap),
        ratio=_round(ratio, "0.01"),
    )


def comparison_local_area(*, tenant, pk=None) -> LocalArea | None:
    """The local area to compare a workforce with: the one asked for, else the tenant's first."""
    areas = LocalArea.objects.filter(tenant=tenant).order_by("name")
    if pk is not None:
        chosen = areas.filter(pk=pk).first()
        if chosen is not None:
            return chosen
    return areas.first()
