"""Anchor pages (being built)."""

urlpatterns: list = []
