"""The API's one permission check: the scope a view declares, against the key's scopes or, for a
signed-in person, against the permission layer (tenancy/permissions.py)."""

from rest_framework import exceptions, permissions

from api.models import ApiKey
from api.scopes import SESSION_SCOPE_ORGANISATION_PERMISSIONS, SESSION_SCOPE_PERMISSIONS


class HasRequiredScope(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        scope = view.required_scopes.get(method)
        if scope is None:
            raise exceptions.MethodNotAllowed(request.method)
        if isinstance(request.auth, ApiKey):
            if scope not in request.auth.scopes:
                raise exceptions.PermissionDenied(
                    f"This API key does not have the scope '{scope}'.", code="missing_scope"
                )
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated(
                "Send an API key (Authorization: Bearer svp_…) or sign in.",
                code="not_authenticated",
            )
        perm = SESSION_SCOPE_PERMISSIONS.get(scope)
        organisation_perm = SESSION_SCOPE_ORGANISATION_PERMISSIONS.get(scope)
        access = request._request.access
        if not (
            (perm is not None and access.can(perm))
            or (
                organisation_perm is not None and access.can_for_any_organisation(organisation_perm)
            )
        ):
            raise exceptions.PermissionDenied(
                f"Your roles in this tenant do not allow '{scope}'.", code="missing_scope"
            )
        return True
