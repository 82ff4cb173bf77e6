"""Background work of the KVI engine: thin adapters over kvi.imports_jobs and kvi.rollup, routed
to the "imports" queue (CELERY_TASK_ROUTES in config/settings.py).

Each task takes the tenant id first (tenancy.tasks.TenantTask runs it in that tenant's context,
in one transaction) and ids only. Each is idempotent: the job's status is compare-and-set, so a
task delivered twice does nothing the second time; a refresh delivered twice finds nothing left
to work out the second time.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from kvi import imports_jobs, periods, rollup
from kvi.models import Measurement, MeasurementStatus
from tenancy.models import Tenant
from tenancy.tasks import TenantTask, queue_for_every_active_tenant, site_link


@shared_task(base=TenantTask)
def check_measurement_import(tenant_id: str, job_id: str) -> str:
    """Read and check an uploaded measurements file: CHECKED (with a preview) or REFUSED (with
    every bad row)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return imports_jobs.measurement_import_check(tenant=tenant, job_id=job_id)


@shared_task(base=TenantTask)
def run_measurement_import(tenant_id: str, job_id: str, user_id: int, submit: bool = True) -> str:
    """Import a checked, confirmed measurements file whole: IMPORTED, REFUSED or FAILED."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return imports_jobs.measurement_import_run(
        tenant=tenant, job_id=job_id, user_id=user_id, submit=submit
    )


@shared_task(base=TenantTask)
def send_measurement_returned_email(tenant_id: str, measurement_id: str) -> int:
    """Tell the person who entered a figure that it was returned, and why."""
    measurement = (
        Measurement.objects.select_related("kvi", "kvi__organisation", "entered_by", "tenant")
        .filter(id=measurement_id, tenant_id=tenant_id)
        .first()
    )
    if measurement is None or measurement.status != MeasurementStatus.RETURNED:
        return 0
    person = measurement.entered_by
    if person is None or not person.is_active:
        return 0
    kvi = measurement.kvi
    link = site_link("measurement_detail", measurement.tenant.slug, measurement.pk)
    return send_mail(
        subject=f"Figure returned: {kvi.code} for {measurement.period:%B %Y}",
        message=(
            f"The figure you entered for {kvi.code} {kvi.title} ({kvi.organisation.name}), "
            f"period starting {measurement.period:%-d %B %Y}, was returned by the "
            f"organisation admin:\n\n{measurement.return_reason}\n\nCorrect it, giving a "
            f"reason, and it goes back for validation:\n\n{link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[person.email],
    )


@shared_task
def queue_kvi_year_figure_refreshes() -> int:
    """Nightly (Celery beat): one refresh of this financial year's KVI figures per active tenant,
    so the first overview of a day finds them worked out."""
    return queue_for_every_active_tenant(refresh_kvi_year_figures)


@shared_task(base=TenantTask)
def refresh_kvi_year_figures(tenant_id: str) -> int:
    """Work out this financial year's figures, statuses and values of every KVI of the tenant,
    judged on today, and last year's, judged on its 31 March (kvi.rollup: those already worked
    out and unchanged are left as they are). Returns how many were worked out."""
    tenant = Tenant.objects.get(pk=tenant_id)
    today = timezone.localdate()
    this_year = periods.financial_year_of(today)
    last_year = periods.financial_year_of(periods.financial_year_start(this_year) - timedelta(1))
    worked_out = rollup.kvi_year_figures_refresh(
        tenant=tenant, financial_year=this_year, as_of=today
    )
    return worked_out + rollup.kvi_year_figures_refresh(
        tenant=tenant, financial_year=last_year, as_of=periods.financial_year_end(last_year)
    )


# The spend-ledger upload task lives beside the ledger code; importing it here registers it with
# the workers (Celery discovers each app's tasks module).
from kvi.upload_tasks import spend_ledger_import_task  # noqa: E402, F401
