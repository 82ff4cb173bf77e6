"""Background work of the KVI engine: thin adapters over kvi.imports_jobs, routed to the
"imports" queue (CELERY_TASK_ROUTES in config/settings.py).

Each task takes the tenant id first (tenancy.tasks.TenantTask runs it in that tenant's context,
in one transaction) and ids only. Each is idempotent: the job's status is compare-and-set, so a
task delivered twice does nothing the second time.
"""

from celery import shared_task

from kvi import imports_jobs
from tenancy.models import Tenant
from tenancy.tasks import TenantTask


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


# The spend-ledger upload task lives beside the ledger code; importing it here registers it with
# the workers (Celery discovers each app's tasks module).
from kvi.upload_tasks import spend_ledger_import_task  # noqa: E402, F401
