"""Award pages (being built)."""

urlpatterns: list = []
