"""Admin for shared tables only: tenant-owned rows are invisible without a tenant context, by
design (see tenancy/platform.py for the one cross-tenant read path)."""

from django.contrib import admin

from tenancy.models import PlatformReadEvent, Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "require_mfa_for_all"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PlatformReadEvent)
class PlatformReadEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
