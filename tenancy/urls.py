from django.urls import path

from tenancy import views

urlpatterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("settings/", views.tenant_settings, name="tenant_settings"),
    path("people/", views.people_list, name="people_list"),
    path("people/<uuid:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path(
        "invitations/<uuid:invitation_id>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
