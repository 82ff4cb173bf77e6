"""KVI pages: proxies (being written)."""

urlpatterns: list = []
