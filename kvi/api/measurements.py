"""The KVI API, part 2: measurements. Read them as time series (scope `kvi:read`), one KVI's
or across KVIs, in period order with cursor pagination; push a batch of an organisation's
figures (scope `kvi:write`), checked exactly like a file import and saved whole or not at all.

The API shows figures that count: submitted (awaiting validation) and validated. Drafts and
figures returned for correction stay with the organisation until they are submitted again.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.schema import ErrorSerializer, error_responses, tenant_slug_parameter
from api.scopes import Scope
from kvi.api import examples, selectors
from kvi.api.batch import DecimalJSONParser, measurement_batch_save, request_body
from kvi.api.filters import KviMeasurementFilter, MeasurementFilter
from kvi.api.pagination import PeriodCursorPagination
from kvi.api.serializers import (
    MeasurementBatchIn,
    MeasurementBatchOut,
    MeasurementOut,
    measurement_row,
)
from kvi.api.views import TAGS, KviAPIView, id_parameter

SERIES_DESCRIPTION = (
    " Figures are submitted (awaiting the organisation admin's validation) or validated; "
    "drafts and figures sent back for correction are not shown. `figure` is the value, or "
    "numerator / denominator (x 100 for a % metric). In period order (then id), a page at a "
    "time: follow `next` until it is null. Sync incrementally with `updated_since` (a figure "
    "changes when it is submitted, validated or corrected). `?format=csv` returns the whole "
    "filtered series."
)


class MeasurementSeriesView(KviAPIView):
    """A list of measurement rows built from `values()` by a plain function (hot lists)."""

    serializer_class = MeasurementOut
    pagination_class = PeriodCursorPagination
    csv_filename = "measurements"

    def list(self, request):
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        data = [measurement_row(row) for row in (page if page is not None else rows)]
        if page is None:
            return Response(data)
        return self.get_paginated_response(data)


@extend_schema_view(
    get=extend_schema(
        summary="List measurements across KVIs",
        description=(
            "The figures of every KVI the caller sees (a key restricted to some organisations: "
            "only theirs), filtered by organisation, KVI, metric code, period range or state."
            + SERIES_DESCRIPTION
        ),
        parameters=[tenant_slug_parameter()],
        responses={200: MeasurementOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.MEASUREMENT],
        tags=TAGS,
    ),
    post=extend_schema(
        summary="Push a batch of an organisation's figures",
        description=(
            "Scope `kvi:write`. Up to 1,000 figures of one organisation's KVIs, each named by "
            "its `kvi_code` and `period` (the first day of the month, quarter or year: quarters "
            "and years follow the NHS financial year from 1 April), with a `value`, or a "
            "`numerator` and `denominator` for a KVI that combines as a ratio, and optionally "
            "a `note` and a `source`. They are checked exactly like a file import. If any is "
            "wrong, nothing is saved and the 400 answer lists every problem, keyed by the "
            "item's index and field (`measurements[3].period`; `measurements[3]` for the item "
            "as a whole). Otherwise new figures are saved and submitted for the organisation "
            "admin's validation, and figures already recorded exactly so are left alone: "
            "pushing the same batch twice changes nothing the second time. A figure already "
            "submitted or validated is never overwritten: a different one is refused (correct "
            "it on the KVI's page, giving a reason). A key restricted to some organisations "
            "may push only theirs."
        ),
        parameters=[tenant_slug_parameter()],
        request=MeasurementBatchIn,
        responses={
            200: MeasurementBatchOut,
            **error_responses(400, 401, 403, 404, 429),
            415: OpenApiResponse(ErrorSerializer, description="The body is not JSON"),
        },
        examples=[examples.BATCH, examples.BATCH_RESULT, examples.BATCH_ERRORS],
        tags=TAGS,
    ),
)
class MeasurementList(MeasurementSeriesView):
    required_scopes = {"GET": Scope.KVI_READ, "POST": Scope.KVI_WRITE}
    filterset_class = MeasurementFilter
    parser_classes = [DecimalJSONParser]

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.measurement_api_list(tenant=None, organisation_ids=None)
        return selectors.measurement_api_list(
            tenant=tenant, organisation_ids=self.visible_organisation_ids()
        )

    def get(self, request, *args, **kwargs):
        return self.list(request)

    def post(self, request, *args, **kwargs):
        return Response(measurement_batch_save(request, request_body(request)))


@extend_schema_view(
    get=extend_schema(
        summary="One KVI's measurements",
        description="The KVI's series, filtered by period range or state." + SERIES_DESCRIPTION,
        parameters=[tenant_slug_parameter(), id_parameter("kvi_id", "KVI", examples.KVI_ID)],
        responses={200: MeasurementOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.MEASUREMENT],
        tags=TAGS,
    )
)
class KviMeasurementList(MeasurementSeriesView):
    filterset_class = KviMeasurementFilter

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.measurement_api_list(tenant=None, organisation_ids=None)
        organisation_ids = self.visible_organisation_ids()
        kvi = selectors.kvi_api_get(
            tenant=tenant, organisation_ids=organisation_ids, kvi_id=self.kwargs["kvi_id"]
        )
        if kvi is None:
            raise NotFound("There is no KVI with this id that you may see in this tenant.")
        return selectors.measurement_api_list(
            tenant=tenant, organisation_ids=organisation_ids, kvi=kvi
        )

    def get(self, request, *args, **kwargs):
        return self.list(request)
