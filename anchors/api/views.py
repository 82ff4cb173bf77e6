"""The anchor API (scope `anchors:read`): anchor charters with their pillars, priorities and
evidence framework; members; reporting rounds with the monetised social value; and accepted
figures, per member (with rank and quartile) and aggregated per round and metric.

Disclosure, as on the pages (anchors.selectors.Viewer): a partner key reads as the public
would, so a member that chose "anonymised" appears only under its label, with no id and no
name; a person using their session sees what their roles allow (their own organisation and the
programme team see names). Every list reads a fixed number of queries.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from anchors import dashboard_tables as tables
from anchors import selectors
from anchors.api import examples
from anchors.api.selectors import charter_payloads
from anchors.api.serializers import (
    AggregateOut,
    AnchorCharterOut,
    FigureFilter,
    FigureOut,
    MemberOut,
    RoundOut,
)
from anchors.selectors import performance
from api.base import ETagRetrieveMixin, TenantAPIView
from api.models import ApiKey
from api.schema import error_responses, tenant_slug_parameter
from api.scopes import Scope

TAGS = ["anchors"]


def charter_slug_parameter():
    return OpenApiParameter(
        "charter_slug",
        str,
        OpenApiParameter.PATH,
        description="The anchor charter's slug, as in the list of anchor charters.",
        examples=[
            OpenApiExample(
                "Cheshire and Merseyside",
                value="cheshire-and-merseyside-anchor-institution-charter",
            )
        ],
    )


def figure_parameters():
    return [
        OpenApiParameter(
            "round", OpenApiTypes.UUID, description="Only this round (its id).", required=False
        ),
        OpenApiParameter(
            "metric",
            {"type": "string", "maxLength": 40},
            description="Only this metric (its code).",
            required=False,
        ),
    ]


class AnchorAPIView(TenantAPIView):
    required_scopes = {"GET": Scope.ANCHORS_READ}

    def scoped_queryset(self, *, tenant, organisation_ids):
        # The anchor charter belongs to the programme; members are read with disclosure below.
        return selectors.anchor_charter_list(tenant=tenant)

    def tenant(self):
        return self.request._request.tenant

    def viewer_access(self):
        """A person's access with their session; None (the public's view) for a partner key."""
        if isinstance(self.request.auth, ApiKey):
            return None
        return self.request._request.access

    def charter(self):
        charter = self.get_queryset().filter(slug=self.kwargs["charter_slug"]).first()
        if charter is None:
            raise NotFound("There is no anchor charter with this slug in this tenant.")
        return charter

    def board(self):
        return performance.dashboard(
            tenant=self.tenant(), access=self.viewer_access(), charter=self.charter()
        )

    def list_response(self, rows: list[dict]):
        page = self.paginate_queryset(rows)
        if page is None:  # CSV: the whole list
            return Response(self.get_serializer(rows, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def figure_filter(self) -> dict:
        params = FigureFilter(data=self.request.query_params)
        if not params.is_valid():
            raise ValidationError(params.errors)
        return params.validated_data


# --- Charters -----------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="List the anchor charters",
        description=(
            "The tenant's Anchor Institution Charters, each with its current version (the "
            "published one, else the latest), its pillars with their principles and priorities, "
            "and the evidence framework (the metrics members report). `?format=csv` returns "
            "the whole list as CSV."
        ),
        parameters=[tenant_slug_parameter()],
        responses={200: AnchorCharterOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.CHARTER],
        tags=TAGS,
    )
)
class AnchorCharterList(AnchorAPIView):
    serializer_class = AnchorCharterOut
    csv_filename = "anchor-charters"

    def get(self, request, *args, **kwargs):
        charters = self.get_queryset()
        page = self.paginate_queryset(charters)
        rows = charter_payloads(tenant=self.tenant(), charters=charters if page is None else page)
        if page is None:
            return Response(self.get_serializer(rows, many=True).data)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="One anchor charter",
        description=(
            "An anchor charter with its pillars, principles and priorities and its evidence "
            "framework. Carries an ETag; send it back in If-None-Match to get 304 when "
            "unchanged."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter()],
        responses={200: AnchorCharterOut, 304: None, **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.CHARTER],
        tags=TAGS,
    )
)
class AnchorCharterDetail(ETagRetrieveMixin, AnchorAPIView):
    serializer_class = AnchorCharterOut

    def get_object(self):
        return charter_payloads(tenant=self.tenant(), charters=[self.charter()])[0]

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


# --- Members and rounds -------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="List the anchor charter's members",
        description=(
            "The member institutions on the register, each as the caller may see it: a member "
            'that chose to be anonymised appears under its label ("Member C") with no id and '
            "no name, to partner keys and to everyone but its own organisation and the "
            "programme team. Its sector still shows, as sector peers are compared separately."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter()],
        responses={200: MemberOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.MEMBER, examples.ANONYMISED_MEMBER],
        tags=TAGS,
    )
)
class AnchorMemberList(AnchorAPIView):
    serializer_class = MemberOut
    csv_filename = "anchor-members"

    def get(self, request, *args, **kwargs):
        members = selectors.member_list(
            tenant=self.tenant(), access=self.viewer_access(), charter=self.charter()
        )
        return self.list_response(
            [
                {
                    "member": m.key,
                    "id": m.signatory_id,
                    "name": m.name,
                    "named": m.named,
                    "sector": m.sector,
                }
                for m in members
            ]
        )


@extend_schema_view(
    get=extend_schema(
        summary="List the reporting rounds",
        description=(
            "The charter's reporting rounds that have opened, oldest first, each with the "
            "monetised social value of its accepted figures (priced with the tenant's proxy "
            "values for the round's financial year; null when nothing could be priced)."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter()],
        responses={200: RoundOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.ROUND],
        tags=TAGS,
    )
)
class AnchorRoundList(AnchorAPIView):
    serializer_class = RoundOut
    csv_filename = "anchor-rounds"

    def get(self, request, *args, **kwargs):
        board = self.board()
        return self.list_response(
            [
                {
                    "id": v.reporting_round.pk,
                    "name": v.reporting_round.name,
                    "period_start": v.reporting_round.period_start,
                    "period_end": v.reporting_round.period_end,
                    "opens_on": v.reporting_round.opens_on,
                    "due_on": v.reporting_round.due_on,
                    "status": v.reporting_round.status,
                    "monetised_value_gross": v.gross,
                    "monetised_value_net": v.net,
                }
                for v in board.value
            ]
        )


# --- Figures ------------------------------------------------------------------------------------


def _round_and_metric(row: dict) -> dict:
    """The fields that say which round and metric a figure or aggregate row is about."""
    return {
        "round": row["round"].pk,
        "round_name": row["round"].name,
        "metric": row["pillar_metric"].metric.code,
        "pillar": row["pillar_metric"].pillar_code,
        "unit": row["pillar_metric"].unit,
    }


@extend_schema_view(
    get=extend_schema(
        summary="List the accepted figures, per member",
        description=(
            "Every figure of an accepted return, by round (oldest first), metric and rank, with "
            "its benchmark: rank and quartile among all members and rank among sector peers. "
            "Members are keyed as in the members list: an anonymised member by its label only. "
            "Filter with `round` (id) and `metric` (code). `?format=csv` returns the whole "
            "filtered list."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter(), *figure_parameters()],
        responses={200: FigureOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.FIGURE],
        tags=TAGS,
    )
)
class AnchorFigureList(AnchorAPIView):
    serializer_class = FigureOut
    csv_filename = "anchor-figures"

    def get(self, request, *args, **kwargs):
        chosen = self.figure_filter()
        board = self.board()
        rows = tables.figure_rows(
            board, round_id=chosen.get("round"), metric_code=chosen.get("metric")
        )
        return self.list_response(
            [
                {
                    **_round_and_metric(row),
                    "member": row["member"].key,
                    "member_name": row["member"].name,
                    "named": row["member"].named,
                    "sector": row["member"].sector,
                    "value": row["value"],
                    "rank": row["rank"],
                    "of": row["of"],
                    "quartile": row["quartile"],
                    "sector_rank": row["sector_rank"],
                    "sector_of": row["sector_of"],
                }
                for row in rows
            ]
        )


@extend_schema_view(
    get=extend_schema(
        summary="List the accepted figures, aggregated",
        description=(
            "Per round and metric: how many members reported, the collective total (for "
            "metrics that add up; null for percentages), the median and the lower and upper "
            "quartiles (inclusive method). Filter with `round` (id) and `metric` (code)."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter(), *figure_parameters()],
        responses={200: AggregateOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.AGGREGATE],
        tags=TAGS,
    )
)
class AnchorAggregateList(AnchorAPIView):
    serializer_class = AggregateOut
    csv_filename = "anchor-aggregates"

    def get(self, request, *args, **kwargs):
        chosen = self.figure_filter()
        board = self.board()
        rows = tables.aggregate_rows(
            board, round_id=chosen.get("round"), metric_code=chosen.get("metric")
        )
        return self.list_response(
            [
                {
                    **_round_and_metric(row),
                    "in_collective_total": row["pillar_metric"].in_collective_total,
                    "members_reporting": row["members_reporting"],
                    "total": row["total"],
                    "median": row["median"],
                    "lower_quartile": row["lower_quartile"],
                    "upper_quartile": row["upper_quartile"],
                }
                for row in rows
            ]
        )
