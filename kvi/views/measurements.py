"""KVI pages: measurements (being written)."""

urlpatterns: list = []
