"""Output serializers of the award API: schemes as published, award holders, verification
results and applications' status. Nobody's personal details are exposed: organisations only."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from awards.models import ApplicationStatus, AreasRule, SchemeStatus
from awards.verification import CURRENT, EXPIRED, NOT_YET, REVOKED, format_code

AWARD_STATES = [
    (CURRENT, "Current"),
    (EXPIRED, "Expired"),
    (REVOKED, "Revoked"),
    (NOT_YET, "Not yet valid"),
]


class OrganisationRef(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class AreaOut(serializers.Serializer):
    code = serializers.SlugField(help_text="Stable from one version to the next.")
    name = serializers.CharField()
    description = serializers.CharField()


class LevelOut(serializers.Serializer):
    code = serializers.SlugField(help_text="Stable from one version to the next.")
    name = serializers.CharField()
    position = serializers.IntegerField(help_text="1 is the entry level.")
    requirements = serializers.CharField()
    minimum_areas = serializers.IntegerField()
    minimum_commitments = serializers.IntegerField()
    kvis_per_commitment = serializers.IntegerField()
    validity_years = serializers.IntegerField()
    tracking_months = serializers.IntegerField(allow_null=True)


class CategoryOut(serializers.Serializer):
    code = serializers.SlugField()
    name = serializers.CharField()


class WindowOut(serializers.Serializer):
    name = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(help_text="The last day applications can be submitted.")


class CriterionOut(serializers.Serializer):
    code = serializers.SlugField()
    text = serializers.CharField(help_text="The question.")
    evidence_expected = serializers.CharField()
    word_limit = serializers.IntegerField(allow_null=True)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    area = serializers.CharField(source="area.code", allow_null=True, help_text="Area code.")
    level = serializers.CharField(source="level.code", allow_null=True, help_text="Level code.")


class SchemeVersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SchemeStatus.choices)
    name = serializers.CharField()
    description = serializers.CharField()
    areas_rule = serializers.ChoiceField(choices=AreasRule.choices)
    pass_mark_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    decision_working_days = serializers.IntegerField()
    appeal_working_days = serializers.IntegerField()
    areas = AreaOut(many=True)
    levels = LevelOut(many=True)
    categories = CategoryOut(many=True)
    windows = WindowOut(many=True)


class SchemeVersionDetailOut(SchemeVersionOut):
    criteria = CriterionOut(many=True)


class SchemeOut(serializers.Serializer):
    slug = serializers.SlugField(help_text="Stable id of the scheme, used in its URL.")
    name = serializers.CharField()
    version = SchemeVersionOut(
        source="public_version",
        help_text="The version taking applications, else the newest closed one.",
    )


class SchemeDetailOut(SchemeOut):
    version = SchemeVersionDetailOut(
        source="public_version",
        help_text="The version taking applications, else the newest closed one, with its "
        "questions.",
    )


class HolderOut(serializers.Serializer):
    organisation = OrganisationRef()
    scheme = serializers.CharField(source="version.name")
    level = serializers.CharField(source="level.name")
    level_code = serializers.SlugField(source="level.code")
    awarded_on = serializers.DateField()
    expires_on = serializers.DateField()
    categories = serializers.ListField(
        source="category_codes", child=serializers.SlugField(), help_text="Category codes."
    )


class VerificationOut(serializers.Serializer):
    is_current = serializers.BooleanField(
        help_text="True when the award is current today: not expired, not revoked."
    )
    award_status = serializers.ChoiceField(source="status", choices=AWARD_STATES)
    organisation = serializers.SerializerMethodField()
    scheme = serializers.CharField(source="scheme_name")
    level = serializers.CharField(source="level_name")
    awarded_on = serializers.DateField()
    expires_on = serializers.DateField()
    revoked_on = serializers.SerializerMethodField()
    categories = serializers.ListField(child=serializers.CharField(), help_text="Names.")
    verification_code = serializers.SerializerMethodField(
        help_text="As printed on the certificate; only when the request gave the code."
    )

    @extend_schema_field(OrganisationRef)
    def get_organisation(self, check) -> dict:
        return {"id": check.award.organisation_id, "name": check.organisation_name}

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_revoked_on(self, check):
        revoked_at = check.award.revoked_at
        return revoked_at.date().isoformat() if revoked_at else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_verification_code(self, check) -> str | None:
        if self.context.get("by") != "code":
            return None
        return format_code(check.award.verification_code)


class ApplicationStatusOut(serializers.Serializer):
    id = serializers.UUIDField()
    organisation = OrganisationRef()
    scheme = serializers.SlugField(source="scheme.slug", help_text="The scheme's slug.")
    scheme_version = serializers.IntegerField(source="version.number")
    level = serializers.CharField(source="level.name")
    level_code = serializers.SlugField(source="level.code")
    application_status = serializers.ChoiceField(source="status", choices=ApplicationStatus.choices)
    started_at = serializers.DateTimeField(source="created_at")
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_due = serializers.DateField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
