"""Page-number pagination for small lists (cursor pagination arrives with time series)."""

from rest_framework.pagination import PageNumberPagination


class PageNumber(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # A CSV export is the whole filtered list, built inside the request's transaction.
        if getattr(request, "accepted_renderer", None) and request.accepted_renderer.format == "csv":
            return None
        return super().paginate_queryset(queryset, request, view)
