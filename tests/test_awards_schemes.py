"""Award schemes: created and edited by the tenant admin only, parts of a draft version, open
and close, and copying to a new version without changing applications already made."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from awards import selectors, services
from awards.models import (
    Application,
    AwardScheme,
    Criterion,
    SchemeStatus,
    SchemeVersion,
)
from tenancy.context import tenant_context
from tenancy.models import AuditEvent
from tests.awards_builders import DESCRIPTORS, as_user, draft, open_scheme

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_new_scheme_has_a_draft_version_with_the_four_areas_and_defaults(cast_a):
    with tenant_context(cast_a.tenant.id):
        scheme = services.scheme_create(**as_user(cast_a, cast_a.tenant_admin), name="SV Award")
        version = scheme.versions.get()
        assert (version.number, version.status, version.areas_rule) == (1, "draft", "choose")
        assert [a.code for a in version.areas.all()] == [
            "environmental",
            "social",
            "economic",
            "innovation",
        ]
        assert version.pass_mark_percent == D("80.00")
        assert (version.decision_working_days, version.appeal_working_days) == (7, 10)
        assert version.appeal_decision_working_days == 21
        assert version.reminder_months == [12, 6, 1]
        assert AuditEvent.objects.filter(verb="award_scheme.created", object_id=scheme.pk).exists()


@pytest.mark.parametrize(
    "who", ["assessor", "board_reporter", "organisation_admin", "organisation_member", "outsider"]
)
def test_only_the_tenant_admin_creates_and_edits_schemes(cast_a, who):
    with tenant_context(cast_a.tenant.id):
        version = services.scheme_create(
            **as_user(cast_a, cast_a.tenant_admin), name="SV Award"
        ).versions.get()
        user = getattr(cast_a, who)
        with pytest.raises(PermissionDenied):
            services.scheme_create(**as_user(cast_a, user), name="Mine")
        with pytest.raises(PermissionDenied):
            services.scheme_version_update(**as_user(cast_a, user), version=version, name="X")
        with pytest.raises(PermissionDenied):
            services.level_save(
                **as_user(cast_a, user), version=version, data=services.LevelInput(name="Gold")
            )
        assert AwardScheme.objects.count() == 1
        version.refresh_from_db()
        assert version.name == "SV Award" and not version.levels.exists()


def test_a_tenant_admin_of_another_tenant_cannot_reach_this_tenants_scheme(cast_a, cast_b):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
    with tenant_context(cast_b.tenant.id):
        assert selectors.scheme_version_get(tenant=cast_b.tenant, pk=scheme.version.pk) is None
        assert not SchemeVersion.objects.filter(pk=scheme.version.pk).exists()
        assert list(selectors.scheme_list(tenant=cast_b.tenant)) == []


def test_version_settings_are_checked_and_named(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        version = services.scheme_create(**admin, name="SV Award").versions.get()
        with pytest.raises(ValidationError) as error:
            services.scheme_version_update(
                **admin,
                version=version,
                rubric_min=3,
                rubric_max=2,
                pass_mark_percent="120",
                appeal_working_days=0,
                rubric_descriptors={"9": "Too high"},
                reminder_months=[0],
            )
        assert set(error.value.message_dict) == {
            "rubric_max",
            "pass_mark_percent",
            "appeal_working_days",
            "rubric_descriptors",
            "reminder_months",
        }
        version.refresh_from_db()
        assert (version.rubric_min, version.rubric_max) == (0, 4)
        services.scheme_version_update(
            **admin,
            version=version,
            rubric_descriptors=DESCRIPTORS,
            pass_mark_percent="75.5",
            reminder_months=[1, 12, 6, 6],
        )
        version.refresh_from_db()
        assert version.pass_mark_percent == D("75.50")
        assert version.reminder_months == [12, 6, 1]


def test_parts_of_a_version_criteria_weights_and_word_limits(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        version = services.scheme_create(**admin, name="SV Award").versions.get()
        with pytest.raises(ValidationError) as error:
            services.criterion_save(
                **admin,
                version=version,
                data=services.CriterionInput(text=" ", weight=D("0"), word_limit=3),
            )
        assert set(error.value.message_dict) == {"text", "weight", "word_limit"}
        with pytest.raises(ValidationError) as error:
            services.level_save(
                **admin,
                version=version,
                data=services.LevelInput(name="Gold", minimum_areas=5, validity_years=0),
            )
        assert set(error.value.message_dict) == {"minimum_areas", "validity_years"}
        gold = services.level_save(
            **admin,
            version=version,
            data=services.LevelInput(name="Gold", minimum_areas=4, validity_years=2),
        )
        criterion = services.criterion_save(
            **admin,
            version=version,
            data=services.CriterionInput(
                text="Evidence of change", level=gold, weight=D("2.5"), word_limit=300
            ),
        )
        assert (criterion.weight, criterion.word_limit, criterion.level) == (D("2.5"), 300, gold)
        with pytest.raises(ValidationError):
            services.window_save(
                **admin,
                version=version,
                opens_on=date(2025, 5, 1),
                closes_on=date(2025, 4, 1),
            )
        services.scheme_item_remove(**admin, item=criterion)
        assert not Criterion.objects.filter(pk=criterion.pk).exists()


def test_opening_needs_areas_levels_and_questions(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        version = services.scheme_create(**admin, name="SV Award").versions.get()
        with pytest.raises(ValidationError, match="at least one level"):
            services.scheme_version_move(**admin, version=version, to_status="open")
        services.level_save(**admin, version=version, data=services.LevelInput(name="Bronze"))
        with pytest.raises(ValidationError, match="a question for Bronze"):
            services.scheme_version_move(**admin, version=version, to_status="open")
        version.refresh_from_db()
        assert version.status == SchemeStatus.DRAFT


def test_an_open_version_cannot_change_and_moves_follow_the_rules(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        version = open_scheme(cast_a).version
        with pytest.raises(ValidationError, match="can no longer change"):
            services.scheme_version_update(**admin, version=version, name="Renamed")
        with pytest.raises(ValidationError, match="can no longer change"):
            services.area_save(**admin, version=version, name="Leadership")
        with pytest.raises(ValidationError, match="cannot become archived"):
            services.scheme_version_move(**admin, version=version, to_status="archived")
        services.scheme_version_move(**admin, version=version, to_status="closed")
        services.scheme_version_move(**admin, version=version, to_status="archived")
        version.refresh_from_db()
        assert version.status == SchemeStatus.ARCHIVED and version.closed_at is not None
        with pytest.raises(ValidationError):
            services.scheme_version_move(**admin, version=version, to_status="open")


def test_copy_to_a_new_version_leaves_applications_already_made_unchanged(cast_a):
    with tenant_context(cast_a.tenant.id):
        admin = as_user(cast_a, cast_a.tenant_admin)
        scheme = open_scheme(cast_a)
        application = draft(cast_a, scheme)
        copy = services.scheme_version_copy(
            **admin, version=scheme.version, change_summary="Higher pass mark"
        )
        assert (copy.number, copy.status, copy.based_on) == (2, "draft", scheme.version)
        assert [c.code for c in copy.criteria.order_by("position")] == [
            c.code for c in scheme.version.criteria.order_by("position")
        ]
        copied = copy.criteria.get(code=scheme.environmental.code)
        assert copied.area.version == copy and copied.area.code == "environmental"
        assert copy.criteria.get(code=scheme.economic.code).level.version == copy
        assert copy.categories.get().code == "environment"
        with pytest.raises(ValidationError, match="already has a draft"):
            services.scheme_version_copy(**admin, version=scheme.version)
        services.scheme_version_update(**admin, version=copy, pass_mark_percent="90")
        services.criterion_save(
            **admin,
            version=copy,
            data=services.CriterionInput(text="A new question for version 2"),
        )
        services.scheme_version_move(**admin, version=copy, to_status="open")
        scheme.version.refresh_from_db()
        assert scheme.version.status == SchemeStatus.CLOSED  # one open version at a time
        application = Application.objects.get(pk=application.pk)
        assert application.version == scheme.version
        assert application.version.pass_mark_percent == D("80.00")
        assert application.answers.count() == 3
        assert selectors.open_scheme_versions(tenant=cast_a.tenant).get() == copy


def test_scheme_version_get_reads_everything_in_a_fixed_number_of_queries(
    cast_a, django_assert_max_num_queries
):
    with tenant_context(cast_a.tenant.id):
        scheme = open_scheme(cast_a)
        with django_assert_max_num_queries(6):
            version = selectors.scheme_version_get(tenant=cast_a.tenant, pk=scheme.version.pk)
            assert [c.area.name if c.area else "" for c in version.criteria.all()]
            assert [lv.name for lv in version.levels.all()] == ["Bronze", "Level 1"]
            assert len(version.areas.all()) == 4 and len(version.categories.all()) == 1
