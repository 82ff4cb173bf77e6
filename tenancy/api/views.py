"""Public, keyless reads of what tenants publish. Stricter throttling than keyed calls."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import NotFound

from api.base import ETagRetrieveMixin, PublicAPIView
from api.schema import error_responses, tenant_slug_parameter
from tenancy.api.serializers import TenantOut
from tenancy.selectors import tenant_public_list

EXAMPLE = OpenApiExample(
    "Cheshire and Merseyside",
    value={
        "slug": "cheshire-and-merseyside",
        "name": "Cheshire and Merseyside Health and Care Partnership",
        "short_name": "Cheshire and Merseyside",
        "description": "Social Value Charter signed by over 80 organisations.",
        "host_organisation": {
            "name": "NHS Cheshire and Merseyside Integrated Care Board",
            "ods_code": "QYG",
        },
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)


@extend_schema_view(
    get=extend_schema(
        summary="List tenants (public)",
        description="Every active tenant's public profile. No key needed.",
        responses={200: TenantOut(many=True), **error_responses(400, 404, 429)},
        examples=[EXAMPLE],
        tags=["tenants"],
        auth=[],
    )
)
class TenantList(mixins.ListModelMixin, PublicAPIView):
    serializer_class = TenantOut
    queryset = tenant_public_list()

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="A tenant's public profile",
        description="No key needed. Carries an ETag for If-None-Match.",
        parameters=[tenant_slug_parameter()],
        responses={200: TenantOut, 304: None, **error_responses(400, 404, 429)},
        examples=[EXAMPLE],
        tags=["tenants"],
        auth=[],
    )
)
class TenantDetail(ETagRetrieveMixin, PublicAPIView):
    serializer_class = TenantOut

    def get_object(self):
        tenant = getattr(self.request._request, "tenant", None)
        if tenant is None:
            raise NotFound("There is no tenant at this address.")
        return tenant

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)
