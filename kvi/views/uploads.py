"""KVI pages: uploads (being written)."""

urlpatterns: list = []
