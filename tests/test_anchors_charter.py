"""The anchor charter: a charters.Charter of kind "anchor" with the five pillars, default
principles and priorities, the default evidence framework (KVI engine metrics), priorities
copied to a new version and followed on re-confirmation, member profiles and disclosure."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anchors import services
from anchors.models import MemberPriority, MemberProfile, PillarMetric, Priority, anonymised_label
from charters import services as charter_services
from charters.models import CharterKind, Theme
from kvi.models import Crosswalk, Framework, Metric
from tenancy.context import tenant_context
from tests.anchors_builders import anchor_charter, as_user, member

pytestmark = pytest.mark.django_db

PILLARS = ["purchasing", "buildings", "workforce", "partners", "environment"]


def test_an_anchor_charter_has_the_five_pillars_priorities_and_evidence_framework(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a, publish=False)
        version = charter.versions.get()
        assert charter.kind == CharterKind.ANCHOR
        assert list(version.themes.order_by("position").values_list("code", flat=True)) == PILLARS
        priorities = Priority.objects.filter(version=version)
        assert priorities.count() == len(services.DEFAULT_PRIORITIES)
        assert priorities.get(code="real-living-wage").pillar.code == "workforce"
        assert (
            priorities.get(code="net-zero-2040").text
            == "Set out and deliver a Net Zero plan by 2040"
        )
        metrics = PillarMetric.objects.filter(charter=charter).select_related("metric")
        assert [pm.metric.code for pm in metrics] == [s.code for s in services.DEFAULT_METRICS]
        assert {pm.metric.code: pm.unit for pm in metrics}["ANC-EMISSIONS-REDUCED"] == "tCO2e"
        collective = {pm.metric.code for pm in metrics if pm.in_collective_total}
        assert collective == {
            "ANC-LOCAL-SPEND",
            "ANC-ESTATE-HOURS",
            "ANC-LOCAL-EMPLOYED",
            "ANC-APPRENTICESHIPS",
            "ANC-EMISSIONS-REDUCED",
        }
        framework = Framework.objects.get(name="Anchor Institution Charter evidence framework")
        assert framework.status == "published"
        assert Crosswalk.objects.filter(
            metric__framework=framework, scheme="anchor_pillar", item_code="environment"
        ).exists()


def test_a_second_anchor_charter_finds_the_published_metrics(cast_a):
    with tenant_context(cast_a.tenant.id):
        first = anchor_charter(cast_a, publish=False)
        second = anchor_charter(cast_a, title="Another anchor charter", publish=False)
        assert Framework.objects.count() == 1
        assert Metric.objects.count() == len(services.DEFAULT_METRICS)
        assert set(first.anchor_metrics.values_list("metric", flat=True)) == set(
            second.anchor_metrics.values_list("metric", flat=True)
        )


def test_a_social_value_charter_keeps_the_svqm_themes(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = charter_services.charter_create(
            **as_user(cast_a, cast_a.tenant_admin), title="SV"
        )
        assert charter.kind == CharterKind.SOCIAL_VALUE
        assert Theme.objects.filter(version__charter=charter, code="leadership").exists()


def test_only_the_programme_team_makes_an_anchor_charter_or_its_priorities(cast_a):
    with tenant_context(cast_a.tenant.id):
        with pytest.raises(PermissionDenied):
            services.anchor_charter_create(
                **as_user(cast_a, cast_a.organisation_admin), title="Ours"
            )
        charter = anchor_charter(cast_a)
        pillar = Theme.objects.get(version__charter=charter, code="environment")
        with pytest.raises(ValidationError, match="can no longer change"):
            services.priority_save(
                **as_user(cast_a, cast_a.tenant_admin), pillar=pillar, text="Plant trees"
            )


def test_priorities_follow_the_charter_into_a_new_version_and_members_follow_them(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        services.member_priorities_set(
            **as_user(cast_a, m.admin),
            signatory=m.signatory,
            priority_codes=["real-living-wage", "net-zero-2040"],
        )
        old = charter.versions.get()
        new = charter_services.charter_new_version(**admin, charter=charter)
        # The charters service copied the priorities (anchors listens to charters' signal).
        assert Priority.objects.filter(version=new).count() == 8
        assert services.priorities_copy(tenant=cast_a.tenant, from_version=old, to_version=new) == 0
        dropped = Priority.objects.get(version=new, code="net-zero-2040")
        services.priority_remove(**admin, priority=dropped)
        pillar = Theme.objects.get(version=new, code="environment")
        services.priority_save(**admin, pillar=pillar, text="Net Zero by 2035")
        charter_services.charter_version_transition(
            **admin,
            version=new,
            to_status="endorsed",
            endorsing_body="Partnership board",
            endorsed_on=old.endorsed_on,
        )
        charter_services.charter_version_transition(**admin, version=new, to_status="published")
        m.signatory.refresh_from_db()
        charter_services.signatory_reconfirm(**as_user(cast_a, m.admin), signatory=m.signatory)
        m.signatory.refresh_from_db()
        # Re-confirming moved the commitments already; following again moves nothing.
        assert services.member_priorities_follow(tenant=cast_a.tenant, signatory=m.signatory) == 0
        commitments = MemberPriority.objects.filter(signatory=m.signatory).select_related(
            "priority"
        )
        assert [(c.priority.code, c.priority.version_id) for c in commitments] == [
            ("real-living-wage", new.pk)
        ]


def test_a_member_commits_only_to_priorities_of_the_version_it_signed(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        m = member(cast_a, charter, cast_a.organisation)
        with pytest.raises(ValidationError) as error:
            services.member_priorities_set(
                **as_user(cast_a, m.admin), signatory=m.signatory, priority_codes=["made-up"]
            )
        assert "priorities" in error.value.message_dict
        with pytest.raises(PermissionDenied):
            services.member_priorities_set(
                **as_user(cast_a, cast_a.organisation_member),
                signatory=m.signatory,
                priority_codes=["real-living-wage"],
            )
        assert not MemberPriority.objects.exists()


def test_member_profiles_get_a_stable_unique_label_and_the_member_sets_disclosure(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
        first = member(cast_a, charter, cast_a.organisation)
        second = member(cast_a, charter)
        profile = services.member_profile_get_or_create(
            tenant=cast_a.tenant, signatory=first.signatory
        )
        assert profile.disclosure == "named"
        again = services.member_profile_get_or_create(
            tenant=cast_a.tenant, signatory=first.signatory
        )
        assert again.anonymised_number == profile.anonymised_number
        other = services.member_profile_get_or_create(
            tenant=cast_a.tenant, signatory=second.signatory
        )
        assert other.anonymised_number != profile.anonymised_number
        assert profile.anonymised_label.startswith("Member ")

        services.member_profile_update(
            **as_user(cast_a, first.admin),
            signatory=first.signatory,
            disclosure="anonymised",
            sector_override="public",
        )
        profile.refresh_from_db()
        assert (profile.disclosure, profile.sector_override) == ("anonymised", "public")
        # Another member's admin and the member's ordinary staff may not change it.
        for user in (second.admin, cast_a.organisation_member):
            with pytest.raises(PermissionDenied):
                services.member_profile_update(
                    **as_user(cast_a, user), signatory=first.signatory, disclosure="named"
                )
        with pytest.raises(ValidationError) as error:
            services.member_profile_update(
                **as_user(cast_a, first.admin), signatory=first.signatory, disclosure="secret"
            )
        assert "disclosure" in error.value.message_dict
        profile.refresh_from_db()
        assert profile.disclosure == "anonymised"
        assert MemberProfile.objects.count() == 2


def test_anonymised_labels_run_like_spreadsheet_columns():
    assert [anonymised_label(n) for n in (1, 3, 26, 27, 52, 53)] == [
        "Member A",
        "Member C",
        "Member Z",
        "Member AA",
        "Member AZ",
        "Member BA",
    ]


def test_a_percentage_metric_is_never_added_up(cast_a):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a, with_metrics=False, publish=False)
        other = anchor_charter(cast_a, title="Other", publish=False)
        metric = other.anchor_metrics.get(metric__code="ANC-LOCAL-SPEND-PCT").metric
        with pytest.raises(ValidationError) as error:
            services.pillar_metric_add(
                **as_user(cast_a, cast_a.tenant_admin),
                charter=charter,
                pillar_code="purchasing",
                metric=metric,
                in_collective_total=True,
            )
        assert "in_collective_total" in error.value.message_dict
        assert not charter.anchor_metrics.exists()


def test_the_charters_list_labels_the_anchor_charter_and_links_to_its_anchor_pages(
    client, cast_a, login
):
    with tenant_context(cast_a.tenant.id):
        charter = anchor_charter(cast_a)
    login(cast_a.tenant_admin)
    page = client.get(f"/t/{cast_a.tenant.slug}/charters/").content.decode()
    assert charter.title in page
    assert "Anchor Institution Charter</strong>" in page
    assert f'href="/t/{cast_a.tenant.slug}/anchors/"' in page
