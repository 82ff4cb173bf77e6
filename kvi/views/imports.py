"""KVI pages: imports (being written)."""

urlpatterns: list = []
