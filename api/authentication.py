"""Who is calling: a partner key (`Authorization: Bearer svp_…`) or a signed-in person.

Keys are looked up inside the tenant context the URL set, so a key can only ever be found under
its own tenant's URLs: row-level security does the binding.
"""

import hmac

from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import ApiKey
from api.services import api_key_mark_used, secret_hash, split_key


class PartnerUser:
    """Stands in for `request.user` on key calls: not a person, holds no roles."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_platform_admin = False
    pk = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix} ({self.api_key.partner_name})"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, raw_key = header.partition(" ")
        if keyword != self.keyword:
            return None
        parts = split_key(raw_key)
        if parts is None:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be 'Bearer svp_…' with a platform API key.",
                code="invalid_key",
            )
        tenant = getattr(request._request, "tenant", None)
        if tenant is None:
            raise exceptions.AuthenticationFailed(
                "API keys are used under /api/v1/tenants/<tenant>/.", code="invalid_key"
            )
        prefix, secret = parts
        api_key = ApiKey.objects.filter(tenant=tenant, prefix=prefix).first()
        if api_key is None or not hmac.compare_digest(api_key.secret_hash, secret_hash(secret)):
            raise exceptions.AuthenticationFailed(
                "This API key is not valid for this tenant.", code="invalid_key"
            )
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                "This API key has been revoked.", code="revoked_key"
            )
        if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("This API key has expired.", code="expired_key")
        api_key_mark_used(api_key=api_key)
        return PartnerUser(api_key), api_key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
