"""The demo data command builds the public cases and is safe to run again."""

import pytest
from django.core.management import call_command

from accounts.models import User
from organisations.models import Organisation, Participation
from tenancy.context import tenant_context
from tenancy.demo import DEMO_PASSWORD
from tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db


def _snapshot():
    counts = {
        "tenants": Tenant.objects.count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
    }
    for tenant in Tenant.objects.all():
        with tenant_context(tenant.id):
            counts[tenant.slug] = (Membership.objects.count(), Participation.objects.count())
    return counts


def test_seed_demo_builds_the_public_cases_idempotently():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == first
    assert set(Tenant.objects.values_list("slug", flat=True)) == {
        "cheshire-and-merseyside",
        "coventry-and-warwickshire",
        "black-country",
    }
    wirral = Organisation.objects.get(ods_code="RY7")
    assert wirral.name == "Wirral Community Health and Care NHS Foundation Trust"
    assert Tenant.objects.get(slug="cheshire-and-merseyside").host_organisation.ods_code == "QYG"
    assert first["cheshire-and-merseyside"] == (5, 87)
    admin = User.objects.get(email="tenant.admin@demo.example")
    assert admin.check_password(DEMO_PASSWORD)
    assert User.objects.get(email="platform.admin@demo.example").is_platform_admin
