"""Pages of the public register, carrying the open-data licence next to the results."""

from django.conf import settings

from api.pagination import PageNumber


def licence_statement(tenant) -> dict:
    """settings.OPEN_DATA_LICENCE, with the attribution to show when reusing the data."""
    licence = settings.OPEN_DATA_LICENCE
    return {
        "name": licence["name"],
        "url": licence["url"],
        "attribution": (
            f"Contains public sector information published by {tenant.name}, licensed under "
            f"the {licence['name']}."
        ),
    }


class LicensedPageNumber(PageNumber):
    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["licence"] = licence_statement(self.request._request.tenant)
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = [*paginated.get("required", []), "licence"]
        paginated["properties"]["licence"] = {
            "type": "object",
            "description": "The open-data licence the register is published under.",
            "required": ["name", "url", "attribution"],
            "properties": {
                "name": {"type": "string", "example": settings.OPEN_DATA_LICENCE["name"]},
                "url": {
                    "type": "string",
                    "format": "uri",
                    "example": settings.OPEN_DATA_LICENCE["url"],
                },
                "attribution": {
                    "type": "string",
                    "description": "The statement to show when reusing the data.",
                    "example": "Contains public sector information published by Cheshire and "
                    "Merseyside Health and Care Partnership, licensed under the Open Government "
                    "Licence v3.0.",
                },
            },
        }
        return paginated
