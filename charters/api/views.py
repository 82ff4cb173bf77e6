"""The charter API: charters with their versions, signatories and pledges (scope
`charters:read`), and the public register of signatories (no key, open data)."""

from django.db.models import Max, Q
from django.db.models.functions import Greatest
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer

from api.base import ETagRetrieveMixin, PublicAPIView, TenantAPIView
from api.models import ApiKey
from api.renderers import CSVRenderer
from api.schema import error_responses, ordering_parameter, tenant_slug_parameter
from api.scopes import Scope
from charters import selectors
from charters.api import examples
from charters.api.filters import CharterFilter, PledgeFilter, RegisterFilter, SignatoryFilter
from charters.api.pagination import LicensedPageNumber
from charters.api.serializers import (
    CharterOut,
    PledgeOut,
    RegisterEntryOut,
    SignatoryOut,
    VersionOut,
)
from charters.models import ON_REGISTER
from tenancy.permissions import Perm

TAGS = ["charters"]


def charter_slug_parameter():
    return OpenApiParameter(
        "charter_slug",
        str,
        OpenApiParameter.PATH,
        description="The charter's slug, as in the list of charters.",
        examples=[
            OpenApiExample(
                "Cheshire and Merseyside",
                value="cheshire-and-merseyside-social-value-charter",
            )
        ],
    )


def version_number_parameter():
    return OpenApiParameter(
        "number",
        {"type": "integer", "minimum": 1, "maximum": 2147483647},
        OpenApiParameter.PATH,
        description="The version number (1 is the first version).",
        examples=[OpenApiExample("1", value=1)],
    )


# --- Read models: the selectors' querysets plus what the API adds ---------------------------


def _charters(tenant):
    """Charters with versions, tiers and links prefetched; `last_changed` is the latest change
    of the charter or any of them (what `updated_since` filters on). Five queries."""
    return (
        selectors.charter_list(tenant=tenant)
        .prefetch_related("tiers", "links__related_charter")
        .annotate(
            last_changed=Greatest(
                "updated_at",
                Max("versions__updated_at"),
                Max("tiers__updated_at"),
                Max("links__updated_at"),
            )
        )
    )


def _with_organisation_change(queryset, organisation_path: str):
    return queryset.annotate(
        last_changed=Greatest("updated_at", f"{organisation_path}__updated_at")
    )


class CharterScopedMixin:
    """Finds the charter named in the URL within the request's tenant, once per request."""

    def charter(self, tenant):
        if not hasattr(self, "_charter"):
            self._charter = selectors.charter_get(tenant=tenant, slug=self.kwargs["charter_slug"])
        if self._charter is None:
            raise NotFound("There is no charter with this slug in this tenant.")
        return self._charter


# --- Charters and versions --------------------------------------------------------------------


class CharterAPIBase(TenantAPIView):
    serializer_class = CharterOut
    required_scopes = {"GET": Scope.CHARTERS_READ}
    lookup_field = "slug"
    lookup_url_kwarg = "charter_slug"
    csv_filename = "charters"

    def scoped_queryset(self, *, tenant, organisation_ids):
        # Charters belong to the programme, not to organisations: a key restricted to some
        # organisations still reads them.
        return _charters(tenant)


@extend_schema_view(
    get=extend_schema(
        summary="List the charters",
        description=(
            "The tenant's Social Value Charters, each with a summary of its versions (newest "
            "first), its tiers and related charters. `current_version` is the published "
            "version's number. Sync incrementally with `updated_since`; `?format=csv` returns "
            "the whole list as CSV."
        ),
        parameters=[tenant_slug_parameter(), ordering_parameter("title", "updated_at")],
        responses={200: CharterOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.CHARTER],
        tags=TAGS,
    )
)
class CharterList(mixins.ListModelMixin, CharterAPIBase):
    filterset_class = CharterFilter

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One charter",
        description=(
            "A charter with its versions, tiers and related charters. Carries an ETag; send it "
            "back in If-None-Match to get 304 when unchanged."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter()],
        responses={200: CharterOut, 304: None, **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.CHARTER],
        tags=TAGS,
    )
)
class CharterDetail(ETagRetrieveMixin, CharterAPIBase):
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="One version of a charter, in full",
        description=(
            "The text of a version (any state, so drafts in consultation too): the definition "
            "of social value, ambitions, commitments, principles and themes, and each move "
            "through the states with the endorsing body and date. Principle and theme codes "
            "are stable from one version to the next. Carries an ETag."
        ),
        parameters=[
            tenant_slug_parameter(),
            charter_slug_parameter(),
            version_number_parameter(),
        ],
        responses={200: VersionOut, 304: None, **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.VERSION],
        tags=TAGS,
    )
)
class VersionDetail(CharterScopedMixin, ETagRetrieveMixin, TenantAPIView):
    serializer_class = VersionOut
    required_scopes = {"GET": Scope.CHARTERS_READ}

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.charter_list(tenant=None)
        return self.charter(tenant).versions.all()

    def get_object(self):
        tenant = self.request._request.tenant
        version = selectors.version_get(
            tenant=tenant, charter=self.charter(tenant), number=self.kwargs["number"]
        )
        if version is None:
            raise NotFound("This charter has no version with this number.")
        return version

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


# --- Signatories and pledges ------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="List the charter's signatories",
        description=(
            "Every organisation that has signed or applied to sign the charter, in any state "
            "(waiting for approval, signed, asked to re-confirm, withdrawn…), with the version "
            "and tier, the dates, and who signed (office-holders such as the Chair). A key "
            "restricted to some organisations sees only theirs. A person using their session "
            "who does not run the programme sees the register and their own organisations' "
            "signatures. `?format=csv` returns the whole filtered list."
        ),
        parameters=[
            tenant_slug_parameter(),
            charter_slug_parameter(),
            ordering_parameter("name", "signed_on", "updated_at"),
        ],
        responses={200: SignatoryOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.SIGNATORY],
        tags=TAGS,
    )
)
class SignatoryList(CharterScopedMixin, mixins.ListModelMixin, TenantAPIView):
    serializer_class = SignatoryOut
    required_scopes = {"GET": Scope.CHARTERS_READ}
    filterset_class = SignatoryFilter
    csv_filename = "signatories"

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.signatory_list(tenant=None)
        signatories = selectors.signatory_list(
            tenant=tenant, charter=self.charter(tenant), organisation_ids=organisation_ids
        )
        if not self.sees_every_state():
            own = self.request._request.access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
            signatories = signatories.filter(Q(status__in=ON_REGISTER) | Q(organisation_id__in=own))
        return _with_organisation_change(signatories, "organisation")

    def sees_every_state(self) -> bool:
        """A partner key (issued by a tenant admin) and a tenant admin see signatures in every
        state; anyone else with their session sees the register and their own organisations'
        signatures, as on the pages."""
        if isinstance(self.request.auth, ApiKey):
            return True
        return self.request._request.access.can(Perm.MANAGE_CHARTERS)

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


@extend_schema_view(
    get=extend_schema(
        summary="List the pledges of the charter's signatories",
        description=(
            "The pledges of organisations on the register (signed, or asked to re-confirm), "
            "each under a principle or a theme, in the organisation's own words, with its "
            "measurable target when it has one. A key restricted to some organisations sees "
            "only theirs. `?format=csv` returns the whole filtered list."
        ),
        parameters=[tenant_slug_parameter(), charter_slug_parameter()],
        responses={200: PledgeOut(many=True), **error_responses(400, 401, 403, 404, 429)},
        examples=[examples.PLEDGE],
        tags=TAGS,
    )
)
class PledgeList(CharterScopedMixin, mixins.ListModelMixin, TenantAPIView):
    serializer_class = PledgeOut
    required_scopes = {"GET": Scope.CHARTERS_READ}
    filterset_class = PledgeFilter
    csv_filename = "pledges"

    def scoped_queryset(self, *, tenant, organisation_ids):
        if tenant is None:  # schema generation
            return selectors.pledge_list(tenant=None)
        pledges = selectors.pledge_list(
            tenant=tenant, charter=self.charter(tenant), organisation_ids=organisation_ids
        )
        return _with_organisation_change(pledges, "signatory__organisation")

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


# --- The public register (no key) -------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="The public register of signatories (open data, no key)",
        description=(
            "The organisations on the register of a published charter (signed, or signed an "
            "earlier version and asked to re-confirm), each with its org-id.guide identifiers "
            "(`GB-COH-…`, `GB-CHC-…`) and NHS ODS code, so the data joins up with other "
            "registers. No key needed; throttled per address more strictly than keyed calls. "
            "Each page carries the open-data `licence` next to `results`. `?format=csv` "
            "returns the whole filtered register."
        ),
        parameters=[
            tenant_slug_parameter(),
            charter_slug_parameter(),
            ordering_parameter("name", "signed_on", "updated_at"),
        ],
        responses={200: RegisterEntryOut(many=True), **error_responses(400, 404, 429)},
        examples=[examples.REGISTER_ENTRY],
        tags=TAGS,
        auth=[],
    )
)
class PublicRegister(mixins.ListModelMixin, PublicAPIView):
    serializer_class = RegisterEntryOut
    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = LicensedPageNumber
    filter_backends = [DjangoFilterBackend]
    filterset_class = RegisterFilter
    csv_filename = "register"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request tenant
            return selectors.register(tenant=None, charter=None).none()
        tenant = getattr(self.request._request, "tenant", None)
        if tenant is None:
            raise NotFound("There is no tenant at this address.")
        version = (
            selectors.published_charters(tenant=tenant)
            .filter(charter__slug=self.kwargs["charter_slug"])
            .first()
        )
        if version is None:
            raise NotFound("There is no published charter with this slug in this tenant.")
        return _with_organisation_change(
            selectors.register(tenant=tenant, charter=version.charter), "organisation"
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv" and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}.csv"'
        return response

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
