"""What every anchor page shares: the breadcrumbs from the programme's home through the Anchor
Institution Charter's landing page."""

from django.urls import reverse


def crumbs(tenant, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs from the programme's home through the anchors landing page to `rest`
    ((label, url) pairs, the current page's url empty)."""
    return [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("Anchor Institution Charter", reverse("anchor_home", args=[tenant.slug])),
        *rest,
    ]
