from django.contrib import admin

from kvi.models import PostcodeRelease


@admin.register(PostcodeRelease)
class PostcodeReleaseAdmin(admin.ModelAdmin):
    """Read-only: releases are loaded with kvi.postcodes.load_postcode_directory."""

    list_display = ["name", "source_file", "rows", "deprivation_edition", "loaded_at"]
    readonly_fields = [
        "name",
        "source_file",
        "rows",
        "postcode_column",
        "district_column",
        "deprivation_column",
        "deprivation_edition",
        "deprivation_areas",
        "loaded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
