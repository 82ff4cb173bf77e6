"""What every award page shares: the breadcrumbs from the programme's home through "Awards"."""

from django.urls import reverse


def crumbs(tenant, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through "Awards" to `rest` ((label, url) pairs,
    the current page's url empty)."""
    return [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("Awards", reverse("award_home", args=[tenant.slug])),
        *rest,
    ]
