from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins

from api.base import ETagRetrieveMixin, TenantAPIView
from api.schema import error_responses, ordering_parameter, tenant_slug_parameter
from api.scopes import Scope
from organisations.api.filters import OrganisationFilter
from organisations.api.serializers import OrganisationOut
from organisations.selectors import participation_api_list

EXAMPLE = OpenApiExample(
    "Wirral Community Health and Care",
    value={
        "id": "3f1c2a57-8a64-4d47-9b5e-1c8d7f0e2a11",
        "name": "Wirral Community Health and Care NHS Foundation Trust",
        "organisation_type": "nhs_trust",
        "size_band": "large",
        "registered_postcode": "CH41 7ED",
        "postcode_district": "CH41",
        "ods_code": "RY7",
        "companies_house_number": "",
        "charity_number": "",
        "website": "",
        "participation": {"status": "active", "joined_on": "2022-09-01"},
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)


class OrganisationAPIBase(TenantAPIView):
    serializer_class = OrganisationOut
    required_scopes = {"GET": Scope.ORGANISATIONS_READ}
    lookup_field = "organisation_id"
    lookup_url_kwarg = "organisation_id"
    csv_filename = "organisations"

    def scoped_queryset(self, *, tenant, organisation_ids):
        return participation_api_list(tenant=tenant, organisation_ids=organisation_ids)


@extend_schema_view(
    get=extend_schema(
        summary="List the organisations taking part",
        description=(
            "Page through the tenant's participating organisations. Filter by type, size band "
            "and place; sync incrementally with `updated_since`. `?format=csv` returns the whole "
            "filtered list as CSV."
        ),
        parameters=[tenant_slug_parameter(), ordering_parameter("name", "updated_at")],
        responses={200: OrganisationOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[EXAMPLE],
        tags=["organisations"],
    )
)
class OrganisationList(mixins.ListModelMixin, OrganisationAPIBase):
    filterset_class = OrganisationFilter

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One organisation",
        description="Carries an ETag; send it back in If-None-Match to get 304 when unchanged.",
        parameters=[
            tenant_slug_parameter(),
            OpenApiParameter(
                "organisation_id",
                OpenApiTypes.UUID,
                OpenApiParameter.PATH,
                description="The organisation's id, as in the list.",
            ),
        ],
        responses={200: OrganisationOut, 304: None, **error_responses(400, 401, 403, 404, 429)},
        examples=[EXAMPLE],
        tags=["organisations"],
    )
)
class OrganisationDetail(ETagRetrieveMixin, OrganisationAPIBase):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)
