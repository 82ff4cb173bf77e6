"""The guarded base views every API resource subclasses.

`TenantAPIView`: the tenant comes from the URL (`/api/v1/tenants/<tenant>/…`, set by the tenancy
middleware inside the request's transaction); the caller is a partner key or a signed-in person;
each HTTP method declares the scope it needs in `required_scopes`; the queryset comes from
`scoped_queryset(tenant=…, organisation_ids=…)`. Subclasses cannot replace the authentication,
permission or throttle hooks: defining them raises TypeError at import.
"""

import hashlib
import json

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.authentication import ApiKeyAuthentication
from api.models import ApiKey
from api.pagination import PageNumber
from api.permissions import HasRequiredScope
from api.renderers import CSVRenderer
from api.throttling import ApiKeyRateThrottle, PublicRateThrottle, SessionRateThrottle

GUARDED_ATTRIBUTES = (
    "authentication_classes",
    "permission_classes",
    "throttle_classes",
    "get_authenticators",
    "get_permissions",
    "get_throttles",
    "check_permissions",
    "check_object_permissions",
    "perform_authentication",
    "initial",
    "get_queryset",
)


class TenantAPIView(generics.GenericAPIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [HasRequiredScope]
    throttle_classes = [ApiKeyRateThrottle, SessionRateThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = PageNumber
    filter_backends = [DjangoFilterBackend]
    required_scopes: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in GUARDED_ATTRIBUTES if name in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} may not override {', '.join(overridden)}: the API base view "
                "checks the tenant, the caller and the scopes of every request."
            )

    def initial(self, request, *args, **kwargs):
        if getattr(request._request, "tenant", None) is None:
            raise NotFound("There is no tenant at this address.")
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request tenant
            return self.scoped_queryset(tenant=None, organisation_ids=None).none()
        return self.scoped_queryset(
            tenant=self.request._request.tenant, organisation_ids=self.organisation_restriction()
        )

    def scoped_queryset(self, *, tenant, organisation_ids):
        """The resource's rows for this tenant; `organisation_ids` is None or the only
        organisations the key may see. Subclasses must provide it."""
        raise NotImplementedError(f"{type(self).__name__} must define scoped_queryset()")

    def organisation_restriction(self) -> list | None:
        api_key = self.request.auth
        if isinstance(api_key, ApiKey) and api_key.organisation_ids:
            return list(api_key.organisation_ids)
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv" and response.status_code == 200:
            name = getattr(self, "csv_filename", "export")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


class PublicAPIView(generics.GenericAPIView):
    """Keyless reads of what tenants publish; stricter throttling per client address."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicRateThrottle]
    renderer_classes = [JSONRenderer]
    pagination_class = PageNumber


class ETagRetrieveMixin:
    """Detail reads carry an ETag; `If-None-Match` with the same tag answers 304, no body."""

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        etag = (
            '"'
            + hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[
                :32
            ]
            + '"'
        )
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})
