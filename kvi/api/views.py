"""The KVI API, part 1 (scope `kvi:read`): framework versions with their themes and sub-themes,
metrics with their crosswalks, and KVIs. Measurements are in kvi.api.measurements.

Who sees what: a partner key sees published and superseded framework versions, the tenant's
metrics and the organisations' own metrics and KVIs of every organisation, or of only its
organisations when the key is restricted. A person using their session sees what their pages
show (the programme team every organisation's, organisation staff their own organisations';
drafts only if they manage frameworks).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins

from api.base import ETagRetrieveMixin, TenantAPIView
from api.models import ApiKey
from api.schema import error_responses, ordering_parameter, tenant_slug_parameter
from api.scopes import Scope
from kvi.api import examples, selectors
from kvi.api.filters import FrameworkFilter, KviFilter, MetricFilter
from kvi.api.serializers import FrameworkOut, KviOut, MetricOut
from tenancy.permissions import Perm

TAGS = ["kvi"]
READ_ERRORS = error_responses(400, 401, 403, 404, 429)


def id_parameter(name: str, what: str, example: str):
    return OpenApiParameter(
        name,
        OpenApiTypes.UUID,
        OpenApiParameter.PATH,
        description=f"The {what}'s id, as in the list.",
        examples=[OpenApiExample(example, value=example)],
    )


class KviAPIView(TenantAPIView):
    """Base of the KVI resources: the organisations and framework versions the caller sees."""

    required_scopes = {"GET": Scope.KVI_READ}

    def visible_organisation_ids(self) -> list | None:
        """None for every organisation, else the only ones the caller may see."""
        if isinstance(self.request.auth, ApiKey):
            return self.organisation_restriction()
        return self.request._request.access.organisation_scope(
            tenant_wide=Perm.VIEW_KVIS, per_organisation=Perm.VIEW_OWN_KVIS
        )

    def sees_draft_frameworks(self) -> bool:
        if isinstance(self.request.auth, ApiKey):
            return False
        return self.request._request.access.can(Perm.MANAGE_FRAMEWORKS)


# --- Frameworks -----------------------------------------------------------------------------


class FrameworkAPIBase(KviAPIView):
    serializer_class = FrameworkOut
    lookup_field = "pk"
    lookup_url_kwarg = "framework_id"
    csv_filename = "frameworks"

    def scoped_queryset(self, *, tenant, organisation_ids):
        # Frameworks belong to the programme: a key restricted to some organisations reads them.
        if tenant is None:  # schema generation
            return selectors.framework_api_list(tenant=None)
        return selectors.framework_api_list(
            tenant=tenant, include_drafts=self.sees_draft_frameworks()
        )


@extend_schema_view(
    get=extend_schema(
        summary="List the social value framework versions",
        description=(
            "The tenant's social value frameworks, one row per version (a new version is a "
            "copy of the one before; publishing it supersedes that one), each with its themes "
            "and their sub-themes in order. Keys see published and superseded versions; KVIs "
            "stay on the metrics of the version they were set on. Sync incrementally with "
            "`updated_since`; `?format=csv` returns the whole list as CSV."
        ),
        parameters=[tenant_slug_parameter(), ordering_parameter("name", "version", "updated_at")],
        responses={200: FrameworkOut(many=True), **READ_ERRORS},
        examples=[examples.FRAMEWORK],
        tags=TAGS,
    )
)
class FrameworkList(mixins.ListModelMixin, FrameworkAPIBase):
    filterset_class = FrameworkFilter

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One framework version",
        description=(
            "A framework version with its themes and sub-themes. Its metrics: "
            "`…/metrics/?framework={id}`. Carries an ETag; send it back in If-None-Match to "
            "get 304 when unchanged."
        ),
        parameters=[
            tenant_slug_parameter(),
            id_parameter("framework_id", "framework version", examples.FRAMEWORK_ID),
        ],
        responses={200: FrameworkOut, 304: None, **READ_ERRORS},
        examples=[examples.FRAMEWORK],
        tags=TAGS,
    )
)
class FrameworkDetail(ETagRetrieveMixin, FrameworkAPIBase):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


# --- Metrics --------------------------------------------------------------------------------


class MetricAPIBase(KviAPIView):
    serializer_class = MetricOut
    lookup_field = "pk"
    lookup_url_kwarg = "metric_id"
    csv_filename = "metrics"

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.metric_api_list(tenant=None, organisation_ids=None)
        return selectors.metric_api_list(
            tenant=tenant,
            organisation_ids=self.visible_organisation_ids(),
            include_drafts=self.sees_draft_frameworks(),
        )


@extend_schema_view(
    get=extend_schema(
        summary="List the metrics",
        description=(
            "The metrics of the visible framework versions: the tenant's, and organisations' "
            "own metrics (a key restricted to some organisations sees only theirs), each with "
            "its framework version, theme, sub-theme, unit, improvement direction, how a "
            "year's periods combine, and its crosswalks to other frameworks (PPN 06/20, PPN "
            "002, TOMs, SVQM themes, anchor pillars, Marmot principles). A metric's `code` is "
            "stable from one version to the next. Filter by framework, theme, sub-theme, unit, "
            "code or organisation; sync with `updated_since`; `?format=csv` for the whole list."
        ),
        parameters=[tenant_slug_parameter(), ordering_parameter("code", "updated_at")],
        responses={200: MetricOut(many=True), **READ_ERRORS},
        examples=[examples.METRIC],
        tags=TAGS,
    )
)
class MetricList(mixins.ListModelMixin, MetricAPIBase):
    filterset_class = MetricFilter

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One metric",
        description="A metric with its crosswalks. Carries an ETag.",
        parameters=[
            tenant_slug_parameter(),
            id_parameter("metric_id", "metric", examples.METRIC_ID),
        ],
        responses={200: MetricOut, 304: None, **READ_ERRORS},
        examples=[examples.METRIC],
        tags=TAGS,
    )
)
class MetricDetail(ETagRetrieveMixin, MetricAPIBase):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


# --- KVIs -----------------------------------------------------------------------------------


class KviAPIBase(KviAPIView):
    serializer_class = KviOut
    lookup_field = "pk"
    lookup_url_kwarg = "kvi_id"
    csv_filename = "kvis"

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.kvi_api_list(tenant=None, organisation_ids=None)
        return selectors.kvi_api_list(
            tenant=tenant, organisation_ids=self.visible_organisation_ids()
        )


@extend_schema_view(
    get=extend_schema(
        summary="List the KVIs",
        description=(
            "Organisations' Key Value Indicators: the metric each measures, its baseline "
            "(value and period), its target (value, and the NHS financial year or date it is "
            "due), how often it is reported and who answers for it. A key restricted to some "
            "organisations sees only theirs. Filter by organisation, metric code or frequency; "
            "sync with `updated_since`; `?format=csv` for the whole list. Figures: "
            "`…/kvis/{kvi_id}/measurements/`."
        ),
        parameters=[tenant_slug_parameter(), ordering_parameter("code", "updated_at")],
        responses={200: KviOut(many=True), **READ_ERRORS},
        examples=[examples.KVI],
        tags=TAGS,
    )
)
class KviList(mixins.ListModelMixin, KviAPIBase):
    filterset_class = KviFilter

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One KVI",
        description="Carries an ETag; send it back in If-None-Match to get 304 when unchanged.",
        parameters=[tenant_slug_parameter(), id_parameter("kvi_id", "KVI", examples.KVI_ID)],
        responses={200: KviOut, 304: None, **READ_ERRORS},
        examples=[examples.KVI],
        tags=TAGS,
    )
)
class KviDetail(ETagRetrieveMixin, KviAPIBase):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)
