"""KVI pages: evidence (being written)."""

urlpatterns: list = []
