"""Row-level security: every tenant table is guarded, and the guard holds for the app role."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from api.models import ApiKey
from api.services import api_key_create
from organisations.models import Participation
from tenancy.context import tenant_context
from tenancy.models import AuditEvent, Invitation, Membership, TenantOwnedModel
from tenancy.permissions import tenant_access_for
from tenancy.services import audit_record
from tests import factories
from tests.anchors_builders import one_row_of_each_anchor_model
from tests.awards_builders import one_row_of_each_award_model
from tests.reporting_rows import one_row_of_each_reporting_model

pytestmark = pytest.mark.django_db


def _tenant_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'
              AND t.table_type = 'BASE TABLE'
            ORDER BY 1
            """
        )
        return [row[0] for row in cursor.fetchall()]


def test_every_tenant_table_has_row_level_security_enabled_forced_and_a_policy():
    tables = _tenant_tables()
    assert {
        "tenancy_membership",
        "tenancy_invitation",
        "tenancy_auditevent",
        "organisations_participation",
    } <= set(tables)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %s::regclass",
                [table],
            )
            enabled, forced = cursor.fetchone()
            assert enabled, f"{table}: row-level security not enabled"
            assert forced, f"{table}: row-level security not forced"
            cursor.execute(
                "SELECT count(*) FROM pg_policies WHERE tablename = %s "
                "AND policyname = 'tenant_isolation'",
                [table],
            )
            assert cursor.fetchone()[0] == 1, f"{table}: no tenant_isolation policy"


def test_every_tenant_owned_model_has_a_tenant_id_column_in_a_guarded_table():
    tables = set(_tenant_tables())
    models = [m for m in apps.get_models() if issubclass(m, TenantOwnedModel)]
    assert models
    for model in models:
        assert model._meta.db_table in tables


def test_application_role_is_not_superuser_owner_or_bypassrls():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (current_user,) = cursor.fetchone()
        assert current_user == settings.APP_DATABASE["USER"]
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        )
        assert cursor.fetchone()[0] == 0


def _raw_tenant_ids(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT tenant_id FROM "{table}"')  # noqa: S608 - table from the catalogue
        return {str(row[0]) for row in cursor.fetchall()}


def test_with_no_tenant_set_raw_sql_sees_no_tenant_rows(cast_a, cast_b):
    with tenant_context(cast_a.tenant.id):
        audit_record(tenant=cast_a.tenant, actor=None, verb="test", obj=cast_a.tenant)
    with tenant_context(None):
        for table in _tenant_tables():
            assert _raw_tenant_ids(table) == set(), table


def _one_row_of_every_tenant_model(cast) -> dict:
    """A row of each tenant-owned model in the cast's tenant. A new tenant-owned model must be
    added here, or the isolation test below fails: no model escapes it."""
    tenant = cast.tenant
    with tenant_context(tenant.id):
        api_key = api_key_create(
            tenant=tenant,
            actor=cast.tenant_admin,
            access=tenant_access_for(user=cast.tenant_admin, tenant=tenant),
            partner_name="Isolation check",
            scopes=["organisations:read"],
            expires_at=None,
        ).api_key
        charter_rows = _charter_rows(cast, api_key)
        return {
            **charter_rows,
            **_kvi_rows(cast),
            **one_row_of_each_award_model(cast),
            **one_row_of_each_anchor_model(cast),
            **one_row_of_each_reporting_model(cast),
            Membership: Membership.objects.filter(tenant=tenant).first(),
            Participation: Participation.objects.filter(tenant=tenant).first(),
            Invitation: Invitation.objects.create(
                tenant=tenant,
                email="x@example.org",
                role="assessor",
                token_hash="b" * 64,
                expires_at="2099-01-01T00:00:00Z",
            ),
            AuditEvent: audit_record(tenant=tenant, actor=None, verb="test", obj=tenant),
            ApiKey: api_key,
        }


def _charter_rows(cast, _api_key) -> dict:
    from charters import models as charter_models
    from charters import services as charter_services

    tenant, admin = cast.tenant, cast.tenant_admin
    access = tenant_access_for(user=admin, tenant=tenant)
    charter = factories.published_charter(cast)
    signatory = charter_services.charter_sign(
        tenant=tenant,
        actor=cast.organisation_admin,
        access=tenant_access_for(user=cast.organisation_admin, tenant=tenant),
        version=charter.versions.get(),
        organisation=cast.organisation,
        data=factories.signing_input("A pledge"),
    )
    charter_services.signatory_decide(
        tenant=tenant, actor=admin, access=access, signatory=signatory, decision="approve"
    )
    charter_services.tier_save(
        tenant=tenant, actor=admin, access=access, charter=charter, name="Member"
    )
    application = charter_services.tier_application_create(
        tenant=tenant,
        actor=cast.organisation_admin,
        access=tenant_access_for(user=cast.organisation_admin, tenant=tenant),
        signatory=signatory,
        case="Ready",
    )
    return {
        charter_models.Charter: charter,
        charter_models.CharterVersion: charter.versions.get(),
        charter_models.VersionTransition: charter_models.VersionTransition.objects.first(),
        charter_models.Principle: charter_models.Principle.objects.first(),
        charter_models.Theme: charter_models.Theme.objects.first(),
        charter_models.CharterLink: charter_services.charter_link_add(
            tenant=tenant,
            actor=admin,
            access=access,
            charter=charter,
            title="Anchor charter",
            url="https://example.org/anchor",
        ),
        charter_models.Tier: charter.tiers.first(),
        charter_models.EngagementActivity: charter_services.engagement_save(
            tenant=tenant,
            actor=admin,
            access=access,
            charter=charter,
            held_on=signatory.signed_on,
            kind="workshop",
            audience="Residents",
            people_count=12,
            heard="Local jobs matter",
            principle_codes=["buy-local"],
            theme_codes=[],
        ),
        charter_models.Signatory: signatory,
        charter_models.Pledge: signatory.pledges.first(),
        charter_models.TierApplication: application,
    }


def _kvi_rows(cast) -> dict:
    from kvi import models as kvi_models
    from kvi.services import local_area_save

    tenant, admin = cast.tenant, cast.tenant_admin
    local_area = local_area_save(
        tenant=tenant,
        actor=admin,
        access=tenant_access_for(user=admin, tenant=tenant),
        name="Wirral",
        district_codes=["E08000015"],
    )
    release = kvi_models.PostcodeRelease.objects.create(
        name=f"Isolation check {tenant.slug}",
        source_file="onspd.csv",
        postcode_column="pcds",
        district_column="oslaua",
    )
    ledger = kvi_models.SpendLedgerImport.objects.create(
        tenant=tenant,
        organisation=cast.organisation,
        file_name="ledger.csv",
        file_sha256="c" * 64,
        status=kvi_models.LedgerStatus.IMPORTED,
        release=release,
        local_area=local_area,
        results={"total_spend": "1.00"},
    )
    rows = _kvi_measurement_rows(cast)
    return {kvi_models.LocalArea: local_area, kvi_models.SpendLedgerImport: ledger, **rows}


def _kvi_measurement_rows(cast) -> dict:
    from datetime import date
    from decimal import Decimal

    from kvi import models as kvi_models
    from kvi import services as kvi_services

    tenant, admin = cast.tenant, cast.tenant_admin
    access = tenant_access_for(user=admin, tenant=tenant)
    org_admin = cast.organisation_admin
    org_access = tenant_access_for(user=org_admin, tenant=tenant)
    framework = kvi_services.framework_create(
        tenant=tenant, actor=admin, access=access, name="Isolation framework"
    )
    theme = kvi_services.theme_save(
        tenant=tenant, actor=admin, access=access, framework=framework, name="Economic"
    )
    subtheme = kvi_services.subtheme_save(
        tenant=tenant, actor=admin, access=access, theme=theme, name="Procurement"
    )
    metric = kvi_services.metric_save(
        tenant=tenant,
        actor=admin,
        access=access,
        subtheme=subtheme,
        code="SPEND",
        name="Local spend",
        definition="Local spend",
        unit="%",
        direction="increase",
        aggregation="ratio",
    )
    crosswalk = kvi_services.crosswalk_add(
        tenant=tenant, actor=admin, access=access, metric=metric, scheme="toms", item_code="NT18"
    )
    kvi_services.framework_publish(tenant=tenant, actor=admin, access=access, framework=framework)
    kvi = kvi_services.kvi_create(
        tenant=tenant,
        actor=org_admin,
        access=org_access,
        organisation=cast.organisation,
        data=kvi_services.KviInput(code="K1", title="Spend", metric=metric, frequency="monthly"),
    )
    measurement = kvi_services.measurement_record(
        tenant=tenant,
        actor=org_admin,
        access=org_access,
        kvi=kvi,
        period=date(2022, 4, 1),
        numerator=Decimal(1),
        denominator=Decimal(10),
    )
    kvi_services.measurement_submit(
        tenant=tenant, actor=org_admin, access=org_access, measurement=measurement
    )
    measurement, revision = kvi_services.measurement_correct(
        tenant=tenant,
        actor=org_admin,
        access=org_access,
        measurement=measurement,
        numerator=Decimal(2),
        denominator=Decimal(10),
        reason="Isolation check",
    )
    evidence = kvi_models.MeasurementEvidence.objects.create(
        tenant=tenant,
        measurement=measurement,
        storage_key=f"isolation/{tenant.slug}/evidence",
        file_name="evidence.pdf",
        content_type="application/pdf",
        size=10,
        sha256="d" * 64,
    )
    import_job = kvi_models.ImportJob.objects.create(
        tenant=tenant,
        kind=kvi_models.ImportKind.MEASUREMENTS,
        organisation=cast.organisation,
        storage_key=f"isolation/{tenant.slug}/import",
        file_name="measurements.csv",
        file_sha256="e" * 64,
    )
    workforce = kvi_models.WorkforceReturn.objects.create(
        tenant=tenant,
        organisation=cast.organisation,
        period=date(2022, 4, 1),
        file_name="workforce.csv",
        file_sha256="f" * 64,
        counts={"disability": {"Yes": "1"}},
        total_wte=Decimal(1),
    )
    proxy_set = kvi_models.ProxySet.objects.create(
        tenant=tenant, name="Isolation proxies", file_name="proxies.csv", file_sha256="0" * 64
    )
    proxy_value = kvi_models.ProxyValue.objects.create(
        tenant=tenant,
        proxy_set=proxy_set,
        measure_code="NT1",
        unit="person",
        financial_year="2022/23",
        value_per_unit=Decimal("100.00"),
    )
    # The overview's rollup: the KVI's 2022/23 figure, worked out by its refresh service.
    from kvi.rollup import kvi_year_figures_refresh

    kvi_year_figures_refresh(tenant=tenant, financial_year="2022/23", as_of=date(2022, 9, 30))
    return {
        kvi_models.KviYearFigure: kvi_models.KviYearFigure.objects.get(kvi=kvi),
        kvi_models.MeasurementEvidence: evidence,
        kvi_models.ImportJob: import_job,
        kvi_models.WorkforceReturn: workforce,
        kvi_models.ProxySet: proxy_set,
        kvi_models.ProxyValue: proxy_value,
        kvi_models.Framework: framework,
        kvi_models.FrameworkTheme: theme,
        kvi_models.SubTheme: subtheme,
        kvi_models.Metric: metric,
        kvi_models.Crosswalk: crosswalk,
        kvi_models.Kvi: kvi,
        kvi_models.Measurement: measurement,
        kvi_models.MeasurementRevision: revision,
    }


def test_under_tenant_a_orm_and_raw_sql_see_none_of_tenant_b(cast_a, cast_b):
    b_rows = _one_row_of_every_tenant_model(cast_b)
    tenant_models = {m for m in apps.get_models() if issubclass(m, TenantOwnedModel)}
    assert set(b_rows) == tenant_models, "add the new tenant-owned model to the isolation test"
    b_id = str(cast_b.tenant.id)
    with tenant_context(cast_a.tenant.id):
        for model, b_row in b_rows.items():
            # Even an explicit filter for tenant B's row finds nothing.
            assert b_row is not None
            assert not model.objects.filter(pk=b_row.pk).exists(), model
            assert not model.objects.filter(tenant_id=cast_b.tenant.id).exists(), model
        for table in _tenant_tables():
            assert b_id not in _raw_tenant_ids(table), table
        assert Membership.objects.count() == 5  # tenant A's own cast, and only it
    with tenant_context(cast_b.tenant.id):
        for model, b_row in b_rows.items():
            assert model.objects.filter(pk=b_row.pk).exists(), model


def test_under_tenant_a_updates_and_deletes_of_tenant_b_rows_change_nothing(cast_a, cast_b):
    with tenant_context(cast_b.tenant.id):
        b_membership = Membership.objects.filter(tenant=cast_b.tenant).first()
        b_participation = Participation.objects.filter(tenant=cast_b.tenant).first()
    with tenant_context(cast_a.tenant.id):
        assert Membership.objects.filter(pk=b_membership.pk).update(role="tenant_admin") == 0
        assert Participation.objects.filter(pk=b_participation.pk).delete()[0] == 0
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tenancy_membership SET role = 'tenant_admin' WHERE id = %s",
                [b_membership.pk],
            )
            assert cursor.rowcount == 0
            cursor.execute(
                "DELETE FROM organisations_participation WHERE id = %s", [b_participation.pk]
            )
            assert cursor.rowcount == 0
    with tenant_context(cast_b.tenant.id):
        assert Membership.objects.get(pk=b_membership.pk).role == b_membership.role
        assert Participation.objects.filter(pk=b_participation.pk).exists()


def test_under_tenant_a_inserting_a_row_for_tenant_b_is_refused(cast_a, cast_b):
    with tenant_context(cast_a.tenant.id):
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                AuditEvent.objects.create(
                    tenant=cast_b.tenant, verb="x", object_type="x", object_id="1"
                )
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                Membership.objects.filter(tenant=cast_a.tenant).update(tenant=cast_b.tenant)


def test_tenant_setting_is_transaction_local_and_restored(cast_a, cast_b):
    from tenancy.context import current_tenant_id

    assert current_tenant_id() == ""
    with tenant_context(cast_a.tenant.id):
        with tenant_context(cast_b.tenant.id):
            assert current_tenant_id() == str(cast_b.tenant.id)
        assert current_tenant_id() == str(cast_a.tenant.id)
    assert current_tenant_id() == ""
