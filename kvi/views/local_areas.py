"""KVI pages: local_areas (being written)."""

urlpatterns: list = []
