"""The award demo: Cheshire and Merseyside's Social Value Award with its four areas and
applications in every state, the SVQM health award with Wirral's Level 1 commitments tracked by
its KVIs; safe to run again."""

from datetime import date

import pytest
from django.utils import timezone

from awards import demo as award_demo
from awards import tracking
from awards.demo_data import CM_AWARD, SVQM, WIRRAL
from awards.models import (
    Appeal,
    Application,
    ApplicationEvent,
    Award,
    AwardScheme,
    CertificateStatus,
    Commitment,
    CommitmentKvi,
    Decision,
    SchemeVersion,
)
from tenancy import demo as tenancy_demo
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Tenant

pytestmark = pytest.mark.django_db
MODELS = (
    AwardScheme,
    SchemeVersion,
    Application,
    ApplicationEvent,
    Commitment,
    CommitmentKvi,
    Decision,
    Appeal,
    Award,
    AuditEvent,
)


def _counts(tenant):
    with tenant_context(tenant.id):
        return tuple(model.objects.count() for model in MODELS)


def test_the_award_demo_builds_once_with_every_state():
    tenancy_demo.build_demo()
    award_demo.build_demo()
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    first = _counts(tenant)
    award_demo.build_demo()
    assert _counts(tenant) == first

    today = timezone.localdate()
    with tenant_context(tenant.id):
        version = SchemeVersion.objects.get(scheme__name=CM_AWARD, status="open")
        assert [a.code for a in version.areas.order_by("position")] == [
            "environmental",
            "social",
            "economic",
            "innovation",
        ]
        assert version.areas_rule == "choose"
        (level,) = version.levels.all()
        assert level.validity_years == 5 and version.decision_working_days == 7
        assert version.categories.filter(code="environment").exists()

        applications = Application.objects.filter(version=version)
        statuses = set(applications.values_list("status", flat=True))
        assert statuses >= {"draft", "submitted", "in_assessment", "awarded", "not_awarded"}
        awards = list(Award.objects.filter(version=version))
        current = [a for a in awards if a.expires_on >= today]
        expired = [a for a in awards if a.expires_on < today]
        assert len(current) >= 3 and len(expired) >= 2
        assert all(a.certificate_status == CertificateStatus.PENDING for a in awards)
        wirral = Award.objects.get(version=version, organisation__name=WIRRAL)
        assert (wirral.awarded_on.year, wirral.awarded_on.month) == (2021, 3)
        assert wirral.expires_on == date(2026, 3, wirral.awarded_on.day)
        catering = Award.objects.get(organisation__name="Mersey Local Catering (demo)")
        assert catering.category_codes == ["environment"]
        appeal = Appeal.objects.get()
        assert appeal.status == "lodged" and appeal.application.status == "not_awarded"
        # History dated back: the decision sent on the day of the award.
        decision = Decision.objects.get(application=wirral.application)
        assert timezone.localdate(decision.sent_at) == wirral.awarded_on

        svqm = SchemeVersion.objects.get(scheme__name=SVQM, status="open")
        assert [level.name for level in svqm.levels.order_by("position", "name")][:1] == ["Level 1"]
        level_one = svqm.levels.get(name="Level 1")
        assert level_one.tracking_months == 18 and level_one.kvis_per_commitment == 1
        assert svqm.levels.get(name="Bronze").minimum_areas == 6
        assert svqm.levels.get(name="Silver").validity_years == 2


def test_wirrals_level_one_commitments_link_its_kvis():
    tenancy_demo.build_demo()
    award_demo.build_demo()
    tenant = Tenant.objects.get(slug="cheshire-and-merseyside")
    with tenant_context(tenant.id):
        application = Application.objects.get(
            scheme__name=SVQM, organisation__ods_code="RY7", level__name="Level 1"
        )
        assert application.status == "draft"
        assert application.tracking_starts_on == date(2021, 10, 1)
        commitments = list(application.commitments.order_by("position", "created_at"))
        assert len(commitments) == 8
        links = {
            c.text: [link.kvi.code for link in c.kvi_links.select_related("kvi")]
            for c in commitments
        }
        assert links["5% of WTE staff with declared disabilities, at year end"] == ["EMP-1"]
        assert sorted(code for codes in links.values() for code in codes) == sorted(
            ["ECO-1", "ECO-2", "EMP-1", "EMP-2", "EDU-1", "EDU-2", "HWB-1", "HWB-2"]
        )
        assert all(link.kvi.organisation.ods_code == "RY7" for link in CommitmentKvi.objects.all())
        view = tracking.application_tracking(
            tenant=tenant, application=application, today=date(2022, 10, 19)
        )
        assert view.ends_on == date(2023, 4, 1) and view.months_left == 5
        assert len(view.kvis) == 8
