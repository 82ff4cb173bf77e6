"""KVI pages: frameworks (being written)."""

urlpatterns: list = []
