"""The award API: the programme's schemes, its current award holders and verifying an award
(public: no key, throttled per address), and applications' status (scope `awards:read`)."""

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.base import ETagRetrieveMixin, PublicAPIView, TenantAPIView
from api.models import ApiKey
from api.schema import error_responses, ordering_parameter, tenant_slug_parameter
from api.scopes import Scope
from awards import verification
from awards.api import examples
from awards.api.filters import ApplicationStatusFilter, HolderFilter
from awards.api.serializers import (
    ApplicationStatusOut,
    HolderOut,
    SchemeDetailOut,
    SchemeOut,
    VerificationOut,
)
from awards.models import Application, AwardScheme, Criterion, SchemeStatus, SchemeVersion
from awards.selectors.held import organisations_with_awards, public_holders
from tenancy.permissions import Perm

TAGS = ["awards"]
PUBLIC_STATUSES = (SchemeStatus.OPEN, SchemeStatus.CLOSED)


def _tenant(view):
    tenant = getattr(view.request._request, "tenant", None)
    if tenant is None:
        raise NotFound("There is no tenant at this address.")
    return tenant


def scheme_slug_parameter():
    return OpenApiParameter(
        "scheme_slug",
        str,
        OpenApiParameter.PATH,
        description="The scheme's slug, as in the list of schemes.",
        examples=[OpenApiExample("Social Value Award", value="social-value-award")],
    )


# --- Schemes (public) ---------------------------------------------------------------------------


def public_schemes(tenant, *, with_criteria: bool = False):
    """Schemes with a version open or closed; each scheme's `public_versions` holds the open
    version first, then closed ones newest first, with areas, levels, categories and windows
    (and criteria). A fixed number of queries."""
    versions = (
        SchemeVersion.objects.filter(tenant=tenant, status__in=PUBLIC_STATUSES)
        .annotate(
            open_first=Case(
                When(status=SchemeStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-number")
        .prefetch_related("areas", "levels", "categories", "windows")
    )
    if with_criteria:
        versions = versions.prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.select_related("area", "level"))
        )
    return (
        AwardScheme.objects.filter(tenant=tenant, versions__status__in=PUBLIC_STATUSES)
        .distinct()
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="public_versions"))
        .order_by("name")
    )


class _WithPublicVersion:
    """Gives each scheme read `public_version` (its first public version)."""

    @staticmethod
    def with_version(scheme):
        scheme.public_version = scheme.public_versions[0]
        return scheme


@extend_schema_view(
    get=extend_schema(
        summary="List the award schemes (no key)",
        description=(
            "The programme's award schemes that are open for applications or were open: each "
            "with the version taking applications (else the newest closed one), its areas, "
            "levels and their requirements, categories and application windows. No key "
            "needed; throttled per address."
        ),
        parameters=[tenant_slug_parameter()],
        responses={200: SchemeOut(many=True), **error_responses(400, 404, 429)},
        examples=[examples.SCHEME],
        tags=TAGS,
        auth=[],
    )
)
class PublicSchemeList(_WithPublicVersion, mixins.ListModelMixin, PublicAPIView):
    serializer_class = SchemeOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AwardScheme.objects.none()
        return public_schemes(_tenant(self))

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        schemes = [self.with_version(s) for s in page]
        return self.get_paginated_response(self.get_serializer(schemes, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="One award scheme, with its questions (no key)",
        description=(
            "A scheme with its public version in full: areas, levels, categories, windows and "
            "the questions applicants answer (area and level codes, word limits, weights). "
            "Carries an ETag."
        ),
        parameters=[tenant_slug_parameter(), scheme_slug_parameter()],
        responses={200: SchemeDetailOut, 304: None, **error_responses(400, 404, 429)},
        examples=[examples.SCHEME],
        tags=TAGS,
        auth=[],
    )
)
class PublicSchemeDetail(_WithPublicVersion, ETagRetrieveMixin, PublicAPIView):
    serializer_class = SchemeDetailOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AwardScheme.objects.none()
        return public_schemes(_tenant(self), with_criteria=True)

    def get_object(self):
        scheme = self.get_queryset().filter(slug=self.kwargs["scheme_slug"]).first()
        if scheme is None:
            raise NotFound("There is no published award scheme with this slug in this tenant.")
        return self.with_version(scheme)

    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)


# --- Holders and verification (public) ----------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="The organisations holding a current award (no key)",
        description=(
            "Awards current today (not expired, not revoked), by organisation name. No key "
            "needed; throttled per address."
        ),
        parameters=[
            tenant_slug_parameter(),
            ordering_parameter("name", "awarded_on", "expires_on"),
        ],
        responses={200: HolderOut(many=True), **error_responses(400, 404, 429)},
        examples=[examples.HOLDER],
        tags=TAGS,
        auth=[],
    )
)
class PublicHolderList(mixins.ListModelMixin, PublicAPIView):
    serializer_class = HolderOut
    filter_backends = [DjangoFilterBackend]
    filterset_class = HolderFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return public_holders(tenant=None).none()
        return public_holders(tenant=_tenant(self))

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


def verification_code_parameter():
    return OpenApiParameter(
        "code",
        str,
        OpenApiParameter.PATH,
        description="The verification code on the certificate (dashes, spaces and case are "
        "ignored).",
        examples=[OpenApiExample("A code", value="ABCD-EFGH-JKMN")],
    )


def organisation_id_parameter():
    return OpenApiParameter(
        "organisation_id",
        OpenApiTypes.UUID,
        OpenApiParameter.PATH,
        description="The organisation's id (as in the list of holders).",
    )


class _Verification(PublicAPIView):
    serializer_class = VerificationOut
    pagination_class = None  # type: ignore[assignment]  # one answer, not a list

    def get_queryset(self):  # pragma: no cover - not a list
        return AwardScheme.objects.none()

    def answer(self, check, *, by: str, missing: str) -> Response:
        if check is None:
            raise NotFound(missing)
        return Response(VerificationOut(check, context={"by": by}).data)


VERIFY_DESCRIPTION = (
    "Whether the award is current today (not expired, not revoked) and at what level, with "
    "its dates. For an organisation: its current award at the highest level, else its newest "
    "award. 404 when no award matches. No key needed; throttled per address."
)


@extend_schema_view(
    get=extend_schema(
        summary="Verify an award by the code on its certificate (no key)",
        description=VERIFY_DESCRIPTION,
        parameters=[tenant_slug_parameter(), verification_code_parameter()],
        responses={200: VerificationOut, **error_responses(404, 429)},
        examples=[examples.VERIFICATION],
        tags=TAGS,
        auth=[],
    )
)
class PublicVerifyCode(_Verification):
    def get(self, request, *args, **kwargs):
        tenant = _tenant(self)
        code = verification.normalise_code(self.kwargs["code"])
        # A code with other characters than letters and digits matches no award.
        check = verification.award_verify(tenant=tenant, code=code) if code.isalnum() else None
        return self.answer(
            check, by="code", missing="No award of this programme has this verification code."
        )


@extend_schema_view(
    get=extend_schema(
        summary="Verify an organisation's award by its id (no key)",
        description=VERIFY_DESCRIPTION,
        parameters=[tenant_slug_parameter(), organisation_id_parameter()],
        responses={200: VerificationOut, **error_responses(404, 429)},
        examples=[examples.VERIFICATION],
        tags=TAGS,
        auth=[],
    )
)
class PublicVerifyOrganisation(_Verification):
    def get(self, request, *args, **kwargs):
        check = verification.award_verify_organisation(
            tenant=_tenant(self), organisation_id=self.kwargs["organisation_id"]
        )
        return self.answer(
            check, by="organisation", missing="This organisation holds no award of this programme."
        )


@extend_schema_view(
    get=extend_schema(
        summary="Verify an organisation's award by its name (no key)",
        description=VERIFY_DESCRIPTION
        + " The name must be the organisation's full name (case is ignored); when it is only "
        "part of some names, the 404 says how many, and the list of holders (`?q=`) gives ids.",
        parameters=[
            tenant_slug_parameter(),
            OpenApiParameter(
                "name",
                {"type": "string", "minLength": 1, "maxLength": 200},
                OpenApiParameter.QUERY,
                required=True,
                description="The organisation's full name.",
                examples=[OpenApiExample("A name", value="Wirral Community Trust")],
            ),
        ],
        responses={200: VerificationOut, **error_responses(404, 429)},
        examples=[examples.VERIFICATION],
        tags=TAGS,
        auth=[],
    )
)
class PublicVerifyOrganisationName(_Verification):
    def get(self, request, *args, **kwargs):
        tenant = _tenant(self)
        name = request.query_params.get("name", "").replace("\x00", "").strip()[:200]
        matches = organisations_with_awards(tenant=tenant, name=name) if name else []
        exact = [m for m in matches if m["name"].casefold() == name.casefold()]
        if len(exact) == 1:
            check = verification.award_verify_organisation(
                tenant=tenant, organisation_id=exact[0]["id"]
            )
            return self.answer(
                check, by="organisation", missing="This organisation holds no award here."
            )
        if matches:
            raise NotFound(
                f"No organisation with an award is called exactly '{name}'; "
                f"{len(matches)} organisations' names contain it. Find the one you mean in "
                "the list of holders (?q=) and verify it by its id."
            )
        raise NotFound("No organisation of that name holds or has held an award here.")


# --- Applications' status (awards:read) ---------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="List applications and their status",
        description=(
            "Every award application of the programme with its state (draft, submitted, in "
            "assessment, more information requested, resubmitted, awarded, not awarded, "
            "withdrawn) and its dates. A key restricted to some organisations sees only "
            "theirs; a person using their session who does not run the programme sees their "
            "own organisations' applications. Sync incrementally with `updated_since`."
        ),
        parameters=[
            tenant_slug_parameter(),
            ordering_parameter("started_at", "submitted_at", "updated_at"),
        ],
        responses={
            200: ApplicationStatusOut(many=True),
            **error_responses(400, 401, 403, 404, 429),
        },
        examples=[examples.APPLICATION],
        tags=TAGS,
    )
)
class ApplicationStatusList(mixins.ListModelMixin, TenantAPIView):
    serializer_class = ApplicationStatusOut
    required_scopes = {"GET": Scope.AWARDS_READ}
    filterset_class = ApplicationStatusFilter
    csv_filename = "award-applications"

    def scoped_queryset(self, *, tenant, organisation_ids):
        applications = (
            Application.objects.filter(tenant=tenant)
            .select_related("organisation", "scheme", "version", "level")
            .order_by("-created_at", "id")
        )
        if tenant is None:
            return applications
        if organisation_ids is not None:
            applications = applications.filter(organisation_id__in=organisation_ids)
        if not isinstance(self.request.auth, ApiKey):
            access = self.request._request.access
            if not access.can(Perm.MANAGE_AWARD_APPLICATIONS):
                applications = applications.filter(
                    organisation_id__in=access.organisations_with(Perm.VIEW_OWN_AWARD_APPLICATIONS)
                )
        return applications

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
