from django.contrib import admin

from organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation_type", "size_band", "ods_code", "companies_house_number"]
    list_filter = ["organisation_type", "size_band"]
    search_fields = ["name", "ods_code", "companies_house_number", "charity_number"]
