"""Format checks for organisation identifiers (see DOMAIN.md, "Identifiers" and "ODS code").

Each `normalise_*` returns the canonical form or raises ValidationError with a clear message.
"""

import re

from django.core.exceptions import ValidationError

# Companies House prefixes (org-id.guide GB-COH): Scotland, Northern Ireland, LLPs, etc.
COMPANIES_HOUSE_PREFIXES = frozenset(
    {
        "SC",
        "NI",
        "OC",
        "SO",
        "NC",
        "FC",
        "RS",
        "LP",
        "SL",
        "NL",
        "IP",
        "SP",
        "NP",
        "SR",
        "NO",
        "RC",
        "SE",
        "GE",
        "GS",
        "GN",
        "SF",
        "NF",
        "CE",
        "CS",
        "ZC",
        "SZ",
        "NZ",
        "IC",
        "SI",
        "NA",
        "NR",
        "PC",
        "AC",
        "SA",
    }
)
COMPANIES_HOUSE_RE = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
ODS_RE = re.compile(r"^[A-Z0-9]{3}$|^[A-Z0-9]{5,8}$")
NHS_TRUST_ODS_RE = re.compile(r"^[RT][A-Z0-9]{2}$")
CHARITY_EW_RE = re.compile(r"^\d{6,7}(-\d{1,2})?$")
UK_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_ods_code(value: str, *, organisation_type: str | None = None) -> str:
    code = _compact(value)
    if not ODS_RE.match(code):
        raise ValidationError(
            "Enter an ODS code of 3 characters (for example RY7) or 5 to 8 characters "
            "(for a site or other body), letters and numbers only.",
            code="invalid_ods",
        )
    if organisation_type == "nhs_trust" and not NHS_TRUST_ODS_RE.match(code):
        raise ValidationError(
            "An NHS trust's ODS code has 3 characters and starts with R or T (for example RY7).",
            code="invalid_trust_ods",
        )
    return code


def normalise_companies_house_number(value: str) -> str:
    number = _compact(value)
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)  # England and Wales numbers are zero-padded to 8 digits
    if not COMPANIES_HOUSE_RE.match(number) or (
        not number.isdigit() and number[:2] not in COMPANIES_HOUSE_PREFIXES
    ):
        raise ValidationError(
            "Enter a Companies House number of 8 characters: 8 digits (for example 01234567) "
            "or a 2-letter prefix and 6 digits (for example SC123456).",
            code="invalid_companies_house",
        )
    return number


def normalise_charity_number(value: str) -> str:
    number = _compact(value)
    if not CHARITY_EW_RE.match(number):
        raise ValidationError(
            "Enter a Charity Commission number for England and Wales: 6 or 7 digits "
            "(for example 1123456).",
            code="invalid_charity_number",
        )
    return number


def normalise_postcode(value: str) -> str:
    compact = _compact(value)
    if not UK_POSTCODE_RE.match(compact):
        raise ValidationError(
            "Enter a real UK postcode, for example CH41 2AB.", code="invalid_postcode"
        )
    return f"{compact[:-3]} {compact[-3:]}"
