"""Anchor resources under /api/v1/tenants/<tenant_slug>/ (being built)."""

urlpatterns: list = []
