"""KVI pages: kvis (being written)."""

urlpatterns: list = []
