"""Per-key, per-person and public rate limits. Over the limit: 429 with Retry-After."""

from django.conf import settings
from rest_framework import throttling

from api.models import ApiKey


class _SettingsRateMixin:
    def get_rate(self):
        # Read at call time, so a deployment (or a test) can change it without a restart.
        return settings.API_THROTTLE_RATES[self.scope]


class ApiKeyRateThrottle(_SettingsRateMixin, throttling.SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
        return None


class SessionRateThrottle(_SettingsRateMixin, throttling.SimpleRateThrottle):
    scope = "session"

    def get_cache_key(self, request, view):
        user = request.user
        if user and user.is_authenticated and not isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": self.scope, "ident": user.pk}
        return None


class PublicRateThrottle(_SettingsRateMixin, throttling.SimpleRateThrottle):
    """Keyless public reads: stricter, per client address, whoever is calling."""

    scope = "public"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
