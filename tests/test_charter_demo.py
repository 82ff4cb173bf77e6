"""The charter demo data: Cheshire and Merseyside's published charter and register, Coventry and
Warwickshire's draft in consultation; safe to run again."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils.text import slugify

from charters import selectors
from charters.demo import CM_TITLE, CW_TITLE
from charters.models import (
    Charter,
    CharterVersion,
    EngagementActivity,
    Pledge,
    Signatory,
    SignatoryStatus,
    VersionStatus,
)
from organisations.models import Organisation, Participation
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Tenant

pytestmark = pytest.mark.django_db


def _counts():
    counts = {"organisations": Organisation.objects.count()}
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant.id):
            counts[tenant.slug] = tuple(
                model.objects.count()
                for model in (
                    Charter,
                    CharterVersion,
                    EngagementActivity,
                    Signatory,
                    Pledge,
                    Participation,
                    AuditEvent,
                )
            )
    return counts


def _seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_seed_demo_builds_the_charters_once():
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first

    cm = Tenant.objects.get(slug="cheshire-and-merseyside")
    with tenant_context(cm.id):
        charter = selectors.charter_get(tenant=cm, slug=slugify(CM_TITLE))
        version = selectors.published_version(tenant=cm, charter=charter)
        assert version.number == 1
        assert version.endorsing_body == "Cheshire and Merseyside Health and Care Partnership"
        assert version.principles.count() == 6
        assert version.themes.count() == 7
        assert selectors.register_count(tenant=cm, charter=charter) >= 80
        register = list(selectors.register(tenant=cm, charter=charter))
        assert all(s.approved_on and s.approved_on >= s.signed_on for s in register)
        assert all(1 <= s.pledges.count() <= 3 for s in register)
        icb = Signatory.objects.get(charter=charter, organisation__ods_code="QYG")
        assert (icb.status, icb.signed_on) == (SignatoryStatus.SIGNED, date(2022, 7, 12))
        assert [s["role"] for s in icb.signers] == ["Chair", "Chief Executive"]
        wirral = Signatory.objects.get(charter=charter, organisation__ods_code="RY7")
        assert (wirral.signed_on.year, wirral.signed_on.month) == (2022, 9)
        assert Signatory.objects.filter(charter=charter, status="pending").count() == 1
        assert EngagementActivity.objects.filter(
            charter=charter, audience__contains="Recipes for a good life"
        ).exists()
        assert AuditEvent.objects.filter(verb="charter.signed").count() == Signatory.objects.count()

    cw = Tenant.objects.get(slug="coventry-and-warwickshire")
    with tenant_context(cw.id):
        charter = selectors.charter_get(tenant=cw, slug=slugify(CW_TITLE))
        version = charter.versions.get()
        assert version.status == VersionStatus.CONSULTATION
        assert "Marmot" in version.ambition_social
        kinds = list(
            selectors.engagement_list(tenant=cw, charter=charter).values_list("kind", flat=True)
        )
        assert kinds.count("working_group") == 7  # one per SVQM theme
        assert "workshop" in kinds
        assert not Signatory.objects.exists()
