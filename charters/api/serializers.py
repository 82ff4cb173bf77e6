"""Output serializers of the charter API. People who run the programme are never exposed; the
signers of a charter (public office-holders such as a Chair) are, as on the public register."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charters.models import SignatoryStatus, VersionStatus
from organisations.models import OrganisationType, Sector, SizeBand


class VersionSummaryOut(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    title = serializers.CharField()
    endorsing_body = serializers.CharField(help_text="Empty until the version is endorsed.")
    endorsed_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class TierOut(serializers.Serializer):
    id = serializers.UUIDField(help_text="Use it in the signatories' `tier` filter.")
    name = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField(help_text="1 is the entry tier.")


class CharterLinkOut(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="An address elsewhere; empty for the tenant's own.")
    related_charter = serializers.CharField(
        source="related_charter.slug",
        allow_null=True,
        help_text="Slug of another charter of this tenant, or null.",
    )


class CharterOut(serializers.Serializer):
    slug = serializers.SlugField(help_text="Stable id of the charter, used in its URLs.")
    title = serializers.CharField()
    has_tiers = serializers.BooleanField()
    current_version = serializers.SerializerMethodField(
        help_text="Number of the published version; null while none is published."
    )
    versions = VersionSummaryOut(many=True, help_text="Newest first.")
    tiers = TierOut(many=True)
    links = CharterLinkOut(many=True, help_text="Related charters.")
    updated_at = serializers.DateTimeField(
        source="last_changed",
        help_text="When the charter, one of its versions, tiers or links last changed.",
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_current_version(self, charter) -> int | None:
        return next(
            (v.number for v in charter.versions.all() if v.status == VersionStatus.PUBLISHED),
            None,
        )


class PrincipleOut(serializers.Serializer):
    code = serializers.SlugField(help_text="Stable from one version to the next.")
    title = serializers.CharField()
    description = serializers.CharField()


class ThemeOut(serializers.Serializer):
    code = serializers.SlugField(help_text="Stable from one version to the next.")
    name = serializers.CharField()
    description = serializers.CharField()


class TransitionOut(serializers.Serializer):
    from_status = serializers.ChoiceField(choices=VersionStatus.choices)
    to_status = serializers.ChoiceField(choices=VersionStatus.choices)
    at = serializers.DateTimeField(source="created_at")
    endorsing_body = serializers.CharField()
    endorsed_on = serializers.DateField(allow_null=True)


class VersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    title = serializers.CharField()
    definition = serializers.CharField(help_text="What social value means here.")
    ambition_social = serializers.CharField()
    ambition_economic = serializers.CharField()
    ambition_environmental = serializers.CharField()
    commitments_intro = serializers.CharField()
    commitments = serializers.ListField(child=serializers.CharField(), source="commitment_lines")
    change_summary = serializers.CharField(help_text="For a later version: what changed and why.")
    endorsing_body = serializers.CharField()
    endorsed_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    principles = PrincipleOut(many=True)
    themes = ThemeOut(many=True)
    transitions = TransitionOut(many=True, help_text="Each move through the states, oldest first.")
    updated_at = serializers.SerializerMethodField(
        help_text="When the version, its principles or themes last changed."
    )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated_at(self, version) -> str:
        times = [version.updated_at]
        times += [item.updated_at for item in version.principles.all()]
        times += [item.updated_at for item in version.themes.all()]
        return serializers.DateTimeField().to_representation(max(times))


class SignerOut(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(help_text="e.g. Chair, Chief Executive")


class SignatoryOrganisationOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    organisation_type = serializers.ChoiceField(choices=OrganisationType.choices)
    sector = serializers.ChoiceField(choices=Sector.choices)
    size_band = serializers.ChoiceField(choices=[("", "Not known"), *SizeBand.choices])
    postcode_district = serializers.CharField()
    ods_code = serializers.CharField(help_text="NHS ODS code; empty for other organisations.")
    org_ids = serializers.ListField(
        child=serializers.CharField(),
        help_text="org-id.guide identifiers, e.g. GB-COH-01234567 or GB-CHC-1234567.",
    )


class SignatoryOut(serializers.Serializer):
    organisation = SignatoryOrganisationOut()
    status = serializers.ChoiceField(choices=SignatoryStatus.choices)
    version = serializers.IntegerField(
        source="version.number", help_text="The version signed or last re-confirmed."
    )
    tier = serializers.CharField(source="tier.name", allow_null=True)
    signed_on = serializers.DateField()
    approved_on = serializers.DateField(allow_null=True)
    signers = SignerOut(many=True)
    updated_at = serializers.DateTimeField(
        source="last_changed", help_text="When the signature or the organisation last changed."
    )


class RegisterEntryOut(serializers.Serializer):
    """One organisation on the public register."""

    organisation = SignatoryOrganisationOut()
    status = serializers.ChoiceField(
        choices=SignatoryStatus.choices,
        help_text="On the register: signed, or reconfirm (signed an earlier version and asked "
        "to re-confirm on the current one).",
    )
    version = serializers.IntegerField(source="version.number")
    tier = serializers.CharField(source="tier.name", allow_null=True)
    signed_on = serializers.DateField()
    approved_on = serializers.DateField(allow_null=True)
    signers = SignerOut(many=True)
    updated_at = serializers.DateTimeField(source="last_changed")


class PledgeOrganisationOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class PrincipleRefOut(serializers.Serializer):
    code = serializers.SlugField()
    title = serializers.CharField()


class ThemeRefOut(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()


class PledgeOut(serializers.Serializer):
    id = serializers.UUIDField()
    organisation = PledgeOrganisationOut(source="signatory.organisation")
    principle = PrincipleRefOut(allow_null=True, help_text="Set when the pledge is under one.")
    theme = ThemeRefOut(allow_null=True, help_text="Set when the pledge is under a theme instead.")
    text = serializers.CharField(help_text="The pledge, in the organisation's own words.")
    target = serializers.CharField(help_text="Measurable target; may be empty.")
    version = serializers.IntegerField(source="version.number")
    updated_at = serializers.DateTimeField(
        source="last_changed", help_text="When the pledge or the organisation last changed."
    )


class LicenceOut(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()
    attribution = serializers.CharField(help_text="The statement to show when reusing the data.")
