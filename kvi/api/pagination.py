"""Cursor pagination for time series, ordered by (period, id).

A keyset cursor: each page is "the rows after (or before) this (period, id)", so a page costs
the same however deep into the series it is and rows added while a partner pages never shift
what it has not read yet. (DRF's CursorPagination keys on one field plus an offset capped at
1,000 rows, which a monthly period shared by thousands of KVIs would exceed.) The cursor is
opaque; a malformed one is 404, as an out-of-range page number is.
"""

import base64
import binascii
import uuid
from datetime import date

from django.db.models import Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

NEXT, PREVIOUS = "n", "p"


def _encode(direction: str, period: date, row_id) -> str:
    raw = f"{direction}~{period.isoformat()}~{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, date, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        direction, period, row_id = raw.split("~")
        if direction not in (NEXT, PREVIOUS):
            raise ValueError(direction)
        return direction, date.fromisoformat(period), uuid.UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotFound(
            "This cursor is not valid: follow the next and previous links as given.",
            code="invalid_cursor",
        ) from None


def _position(row) -> tuple[date, object]:
    if isinstance(row, dict):
        return row["period"], row["id"]
    return row.period, row.id


class PeriodCursorPagination(BasePagination):
    """`?cursor=` from the `next`/`previous` links; `page_size` 1 to 200 (default 100)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 100
    max_page_size = 200

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isdigit() and int(raw) > 0):
            raise ValidationError({"page_size": ["Give a whole number from 1 to 200."]})
        return min(int(raw), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        cursor = _decode(raw_cursor) if raw_cursor is not None else None
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv":
            return None  # the whole filtered series, built inside the request's transaction
        self.cursor = cursor
        if cursor is None:
            rows = list(queryset[: size + 1])
            self.has_next, self.has_previous = len(rows) > size, False
            self.page = rows[:size]
            return self.page
        direction, period, row_id = cursor
        if direction == NEXT:
            after = Q(period__gt=period) | Q(period=period, id__gt=row_id)
            rows = list(queryset.filter(after)[: size + 1])
            self.has_next, self.has_previous = len(rows) > size, True
            self.page = rows[:size]
        else:
            before = Q(period__lt=period) | Q(period=period, id__lt=row_id)
            rows = list(queryset.filter(before).order_by("-period", "-id")[: size + 1])
            self.has_next, self.has_previous = True, len(rows) > size
            self.page = list(reversed(rows[:size]))
        return self.page

    def _link(self, direction: str, position) -> str:
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, _encode(direction, *position))

    def _series_start(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        if self.page:
            return self._link(NEXT, _position(self.page[-1]))
        # Nothing before the cursor: the series from its start.
        return self._series_start()

    def get_previous_link(self) -> str | None:
        if not (self.has_previous and self.page):
            return None
        return self._link(PREVIOUS, _position(self.page[0]))

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null at the end of the series.",
                    "example": "https://social-value.example/api/v1/tenants/cheshire-and-"
                    "merseyside/measurements/?cursor=bn4yMDIzLTA0LTAxfjU",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The page before; null on the first page.",
                    "example": None,
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position in the series, from a `next` or `previous` "
                "link. Leave it out for the first page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Results per page, 1 to 200 (larger values give 200). Default 100.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
