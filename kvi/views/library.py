"""KVI pages: library (being written)."""

urlpatterns: list = []
