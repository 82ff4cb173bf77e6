"""KVI pages. Each module holds its views and its `urlpatterns` (joined in kvi/urls.py)."""
