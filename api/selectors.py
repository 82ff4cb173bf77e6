"""Reads for partner API keys."""

from django.db.models import QuerySet

from api.models import ApiKey


def api_key_list(*, tenant, include_revoked: bool = False) -> QuerySet[ApiKey]:
    keys = ApiKey.objects.filter(tenant=tenant).select_related("created_by")
    if not include_revoked:
        keys = keys.filter(revoked_at__isnull=True)
    return keys.order_by("-created_at")


def api_key_get(*, tenant, key_id) -> ApiKey | None:
    return ApiKey.objects.filter(tenant=tenant, id=key_id).first()
