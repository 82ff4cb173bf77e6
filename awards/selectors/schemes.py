"""Reads for the scheme administration pages (awards.views.schemes and scheme_parts): the
schemes with their versions and how many applications each version holds. Fixed queries
whatever the number of rows."""

from django.db.models import Count, Prefetch, QuerySet

from awards.models import AwardScheme, SchemeVersion


def scheme_admin_list(*, tenant, search: str = "") -> QuerySet[AwardScheme]:
    """Schemes whose name contains `search`, by name, each with its versions newest first and
    every version's `application_count`: two queries for a page of schemes."""
    versions = (
        SchemeVersion.objects.filter(tenant=tenant)
        .annotate(application_count=Count("applications"))
        .order_by("-number")
    )
    schemes = AwardScheme.objects.filter(tenant=tenant)
    if search.strip():
        schemes = schemes.filter(name__icontains=search.strip())
    return schemes.prefetch_related(Prefetch("versions", queryset=versions)).order_by("name", "pk")


def scheme_versions(*, tenant, scheme_id) -> list[SchemeVersion]:
    """A scheme's versions, newest first, each with its `application_count`: one query."""
    return list(
        SchemeVersion.objects.filter(tenant=tenant, scheme_id=scheme_id)
        .annotate(application_count=Count("applications"))
        .order_by("-number")
    )
