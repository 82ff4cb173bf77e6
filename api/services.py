"""Writes for partner API keys. The secret exists only in the return value of create/rotate."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from api.models import ApiKey
from api.scopes import Scope
from tenancy.permissions import Perm, TenantAccess
from tenancy.services import audit_record

KEY_PREFIX = "svp"


def secret_hash(secret: str) -> str:
    """HMAC-SHA256 of a key's secret: fast (checked on every request), keyed by the server."""
    return hmac.new(settings.API_KEY_HMAC_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def split_key(raw_key: str) -> tuple[str, str] | None:
    """`svp_<prefix>_<secret>` -> (prefix, secret), or None when it is not of that shape."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret_key: str  # show once, never stored


def _new_key_material() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, secrets.token_urlsafe(32)


def api_key_create(
    *,
    tenant,
    actor,
    access: TenantAccess,
    partner_name: str,
    scopes: list[str],
    expires_at: datetime | None,
    organisation_ids: list | None = None,
    replaces: ApiKey | None = None,
) -> IssuedKey:
    access.require(Perm.MANAGE_API_KEYS)
    unknown = set(scopes) - set(Scope)
    if unknown or not scopes:
        raise ValidationError({"scopes": "Choose at least one scope from the list."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry date must be in the future."})
    prefix, secret = _new_key_material()
    api_key = ApiKey.objects.create(
        tenant=tenant,
        partner_name=partner_name.strip(),
        prefix=prefix,
        secret_hash=secret_hash(secret),
        scopes=sorted(set(scopes)),
        organisation_ids=list(organisation_ids or []),
        expires_at=expires_at,
        created_by=actor,
        replaces=replaces,
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="api_key.created",
        obj=api_key,
        changes={
            "partner": api_key.partner_name,
            "scopes": api_key.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return IssuedKey(api_key=api_key, secret_key=f"{KEY_PREFIX}_{prefix}_{secret}")


def api_key_revoke(*, tenant, actor, access: TenantAccess, api_key: ApiKey) -> ApiKey:
    access.require(Perm.MANAGE_API_KEYS)
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    if not revoked:
        raise ValidationError("This key is already revoked.")
    api_key.revoked_at = now
    audit_record(tenant=tenant, actor=actor, verb="api_key.revoked", obj=api_key)
    return api_key


def api_key_rotate(*, tenant, actor, access: TenantAccess, api_key: ApiKey) -> IssuedKey:
    """A new secret with the same partner, scopes, organisations and expiry; the old key is
    revoked at once."""
    if api_key.revoked_at is not None:
        raise ValidationError("A revoked key cannot be rotated. Create a new key instead.")
    api_key_revoke(tenant=tenant, actor=actor, access=access, api_key=api_key)
    expires_at = (
        api_key.expires_at if api_key.expires_at and api_key.expires_at > timezone.now() else None
    )
    return api_key_create(
        tenant=tenant,
        actor=actor,
        access=access,
        partner_name=api_key.partner_name,
        scopes=api_key.scopes,
        expires_at=expires_at,
        organisation_ids=api_key.organisation_ids,
        replaces=api_key,
    )


def api_key_mark_used(*, api_key: ApiKey) -> None:
    """Record last use, at most once a minute per key (a write on every request would cost)."""
    now = timezone.now()
    if api_key.last_used_at is None or (now - api_key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
