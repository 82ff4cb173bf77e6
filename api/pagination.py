"""Page-number pagination for small lists (cursor pagination arrives with time series)."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class PageNumber(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = "Results per page, 1 to 200 (larger values give 200)."
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise ValidationError({"page_size": ["Give a whole number from 1 to 200."]})
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (raw.isdigit() and int(raw) > 0):
            raise ValidationError({"page": ["Give a page number from 1."]})
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        # A CSV export is the whole filtered list, built inside the request's transaction.
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv":
            # The whole list, but a malformed page or page_size is still refused.
            self.get_page_size(request)
            self.get_page_number(request, None)
            return None
        return super().paginate_queryset(queryset, request, view)
