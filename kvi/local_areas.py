"""The local population's make-up, stored on a tenant's local area, which workforce figures are
compared with (representativeness): percentages of people by ethnicity group, by declared
disability and by IMD quintile (1 = the most deprived fifth of areas).

Stored as {"ethnicity": {"White": "93.1", ...}, "disability": {"Yes": "..", "No": ".."},
"imd_quintile": {"1": "..", ..., "5": ".."}}: percentages as decimal strings. A category may be
left out; one that is given has numbers from 0 to 100 that add up to 100 (within 0.5).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from kvi.models import LocalArea
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

POPULATION_CATEGORIES = {
    "ethnicity": "ethnicity groups",
    "disability": "disability groups",
    "imd_quintile": "IMD quintiles",
}
IMD_QUINTILES = ("1", "2", "3", "4", "5")
SUM_TOLERANCE = Decimal("0.5")
HUNDRED = Decimal("100")


def _check_category(category: str, shares: dict) -> tuple[dict[str, str], str | None]:
    """The category's shares as {group: "percent"}, or the first thing wrong with them."""
    cleaned: dict[str, str] = {}
    folded: set[str] = set()
    total = Decimal(0)
    for raw_group, raw_percent in shares.items():
        group = str(raw_group).strip()
        if not group:
            return {}, "Give every percentage a group name."
        if group.casefold() in folded:
            return {}, f"{group} is listed twice: give each group once."
        folded.add(group.casefold())
        if category == "imd_quintile" and group not in IMD_QUINTILES:
            return {}, f"IMD quintile '{group}' is not one of 1, 2, 3, 4 and 5."
        text = str(raw_percent).strip().rstrip("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation:
            return {}, f"The percentage for {group} must be a number, like 12.5."
        if not percent.is_finite() or not Decimal(0) <= percent <= HUNDRED:
            return {}, f"The percentage for {group} must be between 0 and 100."
        cleaned[group] = f"{percent:f}"
        total += percent
    if cleaned and abs(total - HUNDRED) > SUM_TOLERANCE:
        return {}, (
            f"The {POPULATION_CATEGORIES[category]} add up to {total}%: they must add up to "
            "100% (within 0.5)."
        )
    return cleaned, None


def local_area_population_save(
    *, tenant, actor, access: TenantAccess, local_area: LocalArea, population: dict
) -> LocalArea:
    """Set the local population's make-up (see the module's docstring); an empty category is
    removed. Errors name the category (the form's field)."""
    access.require(Perm.MANAGE_TENANT_SETTINGS)
    if local_area.tenant_id != tenant.id:
        raise ValidationError({"local_area": "Choose one of this programme's local areas."})
    if unknown := sorted(set(population) - set(POPULATION_CATEGORIES)):
        raise ValidationError(f"Unknown population categories: {', '.join(unknown)}.")
    errors: dict[str, str] = {}
    cleaned: dict[str, dict[str, str]] = {}
    for category in POPULATION_CATEGORIES:
        shares, error = _check_category(category, population.get(category) or {})
        if error:
            errors[category] = error
        elif shares:
            cleaned[category] = shares
    if errors:
        raise ValidationError(errors)
    changes = {
        category: [local_area.population.get(category), cleaned.get(category)]
        for category in POPULATION_CATEGORIES
        if local_area.population.get(category) != cleaned.get(category)
    }
    local_area.population = cleaned
    local_area.save(update_fields=["population", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="local_area.population_changed",
        obj=local_area,
        changes=changes,
    )
    return local_area
