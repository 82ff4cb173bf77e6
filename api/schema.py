"""OpenAPI description of the API's authentication and shared error bodies."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "svp_<prefix>_<secret>",
            "description": (
                "A partner API key created by a tenant admin (shown once). Send "
                "`Authorization: Bearer svp_…`. Keys work only under their own tenant's URLs."
            ),
        }


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    code = serializers.CharField(help_text="Machine-readable, e.g. missing_scope, expired_key.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name to messages, for invalid requests; empty otherwise.",
    )


def error_responses(*codes: int) -> dict:
    from drf_spectacular.utils import OpenApiResponse

    descriptions = {
        400: "Invalid request",
        401: "No key, or the key is invalid, revoked or expired",
        403: "The key or person lacks the scope",
        404: "Not found in this tenant",
        429: "Too many requests; see the Retry-After header",
    }
    return {
        code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes
    }


def ordering_parameter(*fields: str):
    """Document `ordering` as one of the allowed fields, ascending or (with -) descending."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "ordering",
        str,
        enum=[value for field in fields for value in (field, f"-{field}")],
        description="Sort order: a field name, or the name after - for descending.",
    )


def tenant_slug_parameter():
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "tenant_slug",
        str,
        OpenApiParameter.PATH,
        description="The tenant (programme) the resource belongs to.",
        examples=[_example("cheshire-and-merseyside")],
    )


def _example(value):
    from drf_spectacular.utils import OpenApiExample

    return OpenApiExample(value, value=value)
