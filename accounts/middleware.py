"""Sends people who must use two-factor authentication to set it up before anything else."""

from allauth.mfa.models import Authenticator
from django.shortcuts import redirect

from tenancy.selectors import user_requires_mfa

ALWAYS_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(ALWAYS_ALLOWED_PREFIXES)
            and user_requires_mfa(user=user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
