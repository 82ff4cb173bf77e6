"""Content negotiation that refuses `?format=` with no value instead of ignoring it."""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class StrictFormatNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE, None) == "":
            raise exceptions.ValidationError(
                {"format": ["Use json or csv, or leave the parameter out."]}
            )
        return super().select_renderer(request, renderers, format_suffix)
