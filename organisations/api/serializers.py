from rest_framework import serializers

from organisations.models import OrganisationType, Participation, SizeBand


class ParticipationOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=Participation.Status.choices)
    joined_on = serializers.DateField()


class OrganisationOut(serializers.Serializer):
    """An organisation taking part in the tenant's programme (read from its participation)."""

    id = serializers.UUIDField(source="organisation.id")
    name = serializers.CharField(source="organisation.name")
    organisation_type = serializers.ChoiceField(
        source="organisation.organisation_type", choices=OrganisationType.choices
    )
    size_band = serializers.ChoiceField(
        source="organisation.size_band", choices=[("", "Not known"), *SizeBand.choices]
    )
    registered_postcode = serializers.CharField(source="organisation.registered_postcode")
    postcode_district = serializers.CharField(source="organisation.postcode_district")
    ods_code = serializers.CharField(source="organisation.ods_code", help_text="NHS ODS code")
    companies_house_number = serializers.CharField(source="organisation.companies_house_number")
    charity_number = serializers.CharField(
        source="organisation.charity_number", help_text="Charity Commission (England and Wales)"
    )
    website = serializers.CharField(source="organisation.website")
    participation = ParticipationOut(source="*")
    updated_at = serializers.DateTimeField(
        source="last_changed", help_text="When the organisation or its participation last changed."
    )
