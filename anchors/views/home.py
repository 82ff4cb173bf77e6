"""Anchor pages (being built)."""

from django.http import HttpResponse
from django.urls import path

from tenancy.decorators import tenant_view


@tenant_view()
def anchor_home(request):  # replaced by the programme team's helper
    return HttpResponse("Anchor Institution Charter")


urlpatterns: list = [path("", anchor_home, name="anchor_home")]
