"""Output serializers of the report API: a report's metadata (and, in detail, its cover
sheet) and its versions' metadata with the address of each ready PDF."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from reporting.models import ReportKind, VersionStatus


class ReportOrganisationRef(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ReportAssemblyRef(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    held_on = serializers.DateField()


def _tenant_slug(context) -> str:
    return context["request"].parser_context["kwargs"]["tenant_slug"]


class ReportOut(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    title = serializers.CharField()
    organisation = ReportOrganisationRef(
        allow_null=True, help_text="The organisation an organisation report is about; else null."
    )
    assembly = ReportAssemblyRef(
        allow_null=True, help_text="The assembly an Anchor Assembly pack is for; else null."
    )
    period_end = serializers.DateField(help_text="The figures run to this date.")
    data_freeze_date = serializers.DateField(
        help_text="Figures entered or changed after this day do not appear in the PDFs."
    )
    meeting = serializers.CharField()
    meeting_date = serializers.DateField(allow_null=True)
    version_count = serializers.IntegerField(help_text="How many PDFs were asked for.")
    versions_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_versions_url(self, report) -> str:
        request = self.context["request"]
        return reverse(
            "api_report_version_list", args=[_tenant_slug(self.context), report.pk], request=request
        )


class ReportDetailOut(ReportOut):
    agenda_item = serializers.CharField()
    enclosure = serializers.CharField()
    lead_director = serializers.CharField()
    authors = serializers.CharField()
    action_required = serializers.CharField()
    purpose = serializers.CharField()
    executive_summary = serializers.CharField()
    recommendation = serializers.CharField()
    risks_and_opportunities = serializers.CharField()
    board_assurance_framework = serializers.CharField()
    quality_and_equality_impact = serializers.CharField()
    financial_implications = serializers.CharField()
    strategic_objectives = serializers.CharField()
    report_history = serializers.CharField()
    narratives = serializers.DictField(
        child=serializers.CharField(), help_text="The narrative per theme: theme name to text."
    )


class ReportVersionOut(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 for the report's first PDF, and so on.")
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    progress = serializers.IntegerField(help_text="Percent done, 0 to 100.")
    progress_message = serializers.CharField()
    failure_reason = serializers.CharField(help_text="Why a failed version failed; else empty.")
    sha256 = serializers.CharField(help_text="The PDF's SHA-256 (hex) once ready; else empty.")
    size = serializers.IntegerField(help_text="The PDF's size in bytes once ready; else 0.")
    page_count = serializers.IntegerField(help_text="Pages of the PDF once ready; else 0.")
    scheduled = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(source="created_at")
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_scheduled(self, version) -> bool:
        """Asked for by a schedule rather than a person."""
        return version.schedule_id is not None

    def get_download_url(self, version) -> str | None:
        """The PDF's address in this API once ready; null before."""
        if version.status != VersionStatus.READY:
            return None
        return reverse(
            "api_report_version_download",
            args=[_tenant_slug(self.context), version.report_id, version.number],
            request=self.context["request"],
        )
