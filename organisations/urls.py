from django.urls import path

from organisations import views

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<uuid:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("<uuid:organisation_id>/edit/", views.organisation_edit, name="organisation_edit"),
]
