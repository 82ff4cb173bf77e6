"""The report API (scope `reports:read`): reports (metadata, and the cover sheet in detail),
their versions (metadata: status, progress, hash, size, pages, when, the download address) and
a ready version's PDF.

Who reads what: a partner key of the tenant with `reports:read` every report of the tenant (a
key restricted to some organisations only theirs); a person using their session the reports
the pages show them (reporting.selectors' rule: tenant admins and board reporters every
report, an organisation's admins their organisation's). A report outside that is not found
(404), as is another tenant's."""

from django.http import Http404
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from api.base import ETagRetrieveMixin, TenantAPIView
from api.models import ApiKey
from api.schema import error_responses, ordering_parameter, tenant_slug_parameter
from api.scopes import Scope
from reporting import selectors
from reporting.api.filters import ReportFilter
from reporting.api.serializers import ReportDetailOut, ReportOut, ReportVersionOut
from reporting.models import Report, VersionStatus
from uploads.responses import private_download

TAGS = ["reports"]


def report_id_parameter():
    return OpenApiParameter(
        "report_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The report's id."
    )


def number_parameter():
    return OpenApiParameter(
        "number",
        {"type": "integer", "minimum": 0},
        OpenApiParameter.PATH,
        description="The version's number (1 for the report's first PDF).",
    )


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the PDF itself is a file response."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ReportAPIView(TenantAPIView):
    required_scopes = {"GET": Scope.REPORTS_READ}

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # the schema
            return Report.objects.none()
        access = None if isinstance(self.request.auth, ApiKey) else self.request._request.access
        return selectors.report_api_list(
            tenant=tenant, access=access, organisation_ids=organisation_ids
        )

    def tenant(self):
        return self.request._request.tenant

    def report(self) -> Report:
        report = self.get_queryset().filter(pk=self.kwargs["report_id"]).first()
        if report is None:
            raise NotFound("There is no report with this id that you may read in this tenant.")
        return report

    def version(self):
        version = selectors.version_get(
            tenant=self.tenant(), report=self.report(), number=self.kwargs["number"]
        )
        if version is None:
            raise NotFound("This report has no version with this number.")
        return version


@extend_schema_view(
    get=extend_schema(
        summary="List the reports",
        description=(
            "The tenant's board reports, newest first: what each is about, the dates its "
            "figures run to and were frozen on, its meeting and how many PDFs were asked for. "
            "A key restricted to some organisations sees only their organisation reports; a "
            "person using their session sees the reports their roles allow. `?format=csv` "
            "returns the whole list as CSV."
        ),
        parameters=[
            tenant_slug_parameter(),
            ordering_parameter("created_at", "period_end", "updated_at"),
        ],
        responses={200: ReportOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        tags=TAGS,
    )
)
class ReportList(mixins.ListModelMixin, ReportAPIView):
    serializer_class = ReportOut
    filterset_class = ReportFilter
    csv_filename = "reports"

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One report",
        description=(
            "A report's metadata and its cover sheet (meeting, agenda item, lead director, "
            "action required, purpose, executive summary, recommendation, ...) and narrative "
            "per theme, as the draft now stands (each PDF keeps what it was made from). "
            "Carries an ETag; send it back in If-None-Match to get 304 when unchanged."
        ),
        parameters=[tenant_slug_parameter(), report_id_parameter()],
        responses={200: ReportDetailOut, 304: None, **error_responses(400, 401, 403, 404, 429)},
        tags=TAGS,
    )
)
class ReportDetail(ETagRetrieveMixin, ReportAPIView):
    serializer_class = ReportDetailOut
    pagination_class = None  # type: ignore[assignment]

    def get_object(self):
        return self.report()

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="List a report's versions",
        description=(
            "Every PDF asked for of the report, newest first: its state (waiting, being "
            "produced with its progress, ready, or failed with the reason), and once ready its "
            "SHA-256, size, pages and download address. `?format=csv` returns the whole list "
            "as CSV."
        ),
        parameters=[tenant_slug_parameter(), report_id_parameter()],
        responses={200: ReportVersionOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        tags=TAGS,
    )
)
class ReportVersionList(ReportAPIView):
    serializer_class = ReportVersionOut
    csv_filename = "report-versions"
    filter_backends: list = []

    def get(self, request, *args, **kwargs):
        versions = selectors.version_list(tenant=self.tenant(), report=self.report())
        page = self.paginate_queryset(versions)
        if page is None:  # CSV: the whole list
            return Response(self.get_serializer(versions, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="One version of a report",
        description="A version's state and, once ready, its SHA-256, size, pages and download "
        "address. Poll it to follow a PDF being produced.",
        parameters=[tenant_slug_parameter(), report_id_parameter(), number_parameter()],
        responses={200: ReportVersionOut, **error_responses(400, 401, 403, 404, 429)},
        tags=TAGS,
    )
)
class ReportVersionDetail(ReportAPIView):
    serializer_class = ReportVersionOut
    pagination_class = None  # type: ignore[assignment]
    filter_backends: list = []

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.version()).data)


@extend_schema_view(
    get=extend_schema(
        summary="Download a version's PDF",
        description=(
            "The PDF of a ready version, as an attachment. Its SHA-256 is the version's "
            "`sha256`. A version not ready yet (waiting, being produced or failed) is 404."
        ),
        parameters=[tenant_slug_parameter(), report_id_parameter(), number_parameter()],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **error_responses(400, 401, 403, 404, 429),
        },
        tags=TAGS,
    )
)
class ReportVersionDownload(ReportAPIView):
    renderer_classes = [JSONRenderer, PDFRenderer]
    pagination_class = None  # type: ignore[assignment]
    filter_backends: list = []

    def get(self, request, *args, **kwargs):
        version = self.version()
        if version.status != VersionStatus.READY or not version.storage_key:
            raise NotFound("This version's PDF is not ready.")
        name = slugify(f"{version.report.title} version {version.number}") or "report"
        try:
            return private_download(
                version.storage_key, file_name=f"{name}.pdf", content_type="application/pdf"
            )
        except Http404:
            raise NotFound("The PDF is no longer stored.") from None

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when the client asked for a PDF.
        if (
            isinstance(response, Response)
            and getattr(request, "accepted_renderer", None).__class__ is PDFRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
