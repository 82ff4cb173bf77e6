"""Award pages (being built)."""

from django.http import HttpResponse
from django.urls import path

from tenancy.decorators import tenant_view


@tenant_view()
def award_home(request):  # replaced by the applications helper
    return HttpResponse("Awards")


urlpatterns: list = [path("", award_home, name="award_home")]
