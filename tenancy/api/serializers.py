from rest_framework import serializers


class HostOrganisationOut(serializers.Serializer):
    name = serializers.CharField()
    ods_code = serializers.CharField(help_text="NHS ODS code")


class TenantOut(serializers.Serializer):
    """A tenant's public profile: what it publishes about its programme."""

    slug = serializers.SlugField(help_text="Stable public id, used in every URL of the tenant.")
    name = serializers.CharField()
    short_name = serializers.CharField()
    description = serializers.CharField()
    host_organisation = HostOrganisationOut(allow_null=True)
    updated_at = serializers.DateTimeField()
