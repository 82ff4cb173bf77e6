"""KVI pages: overview (being written)."""

urlpatterns: list = []
