from django.urls import path

from api import views

urlpatterns = [
    path("", views.api_key_list, name="api_key_list"),
    path("new/", views.api_key_create, name="api_key_create"),
    path("<uuid:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("<uuid:key_id>/rotate/", views.api_key_rotate, name="api_key_rotate"),
]
