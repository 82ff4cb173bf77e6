"""Producing an award's certificate PDF (the "pdf" queue), once, whatever happens to the worker.

`produce_award_certificate` is queued after commit when an award is made
(awards.services.certificates.certificate_queue) or when someone retries a failed one. It runs
inside one transaction (tenancy.tasks.TenantTask) and:

1. locks the award row (SELECT … FOR UPDATE), so a duplicated delivery waits for the first and
   then finds the certificate ready and does nothing;
2. if the certificate is ready and its file is there, stops;
3. if the file of the award's key is already there (a worker stored it and died before its
   transaction committed), reuses it: the file was only ever published whole (step 4);
4. otherwise renders the PDF, writes it to a temporary file in the same private folder,
   flushes and fsyncs it, then renames it onto the final key in one atomic step (and fsyncs the
   folder), so the final key holds either nothing or the whole PDF, never part of one; partial
   temporary files left by a killed worker are removed by the next run (under the lock);
5. marks the award ready (key, SHA-256, when) by compare-and-set on the status it read.

A failure marks the award "failed" with a reason (kept in the audit event the award page reads)
so the page can offer "Try again". The final key is derived from the award's id, so every run
for one award writes to the same place and there is never more than one certificate file.
"""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from awards.certificates import certificate_pdf
from awards.models import Award, CertificateStatus
from tenancy.models import AuditEvent, Tenant
from tenancy.services import audit_record
from tenancy.tasks import TenantTask
from uploads.storage import chunks_of, leftovers, private_path, sha256_of, store_atomically

logger = logging.getLogger(__name__)

FAILED_VERB = "award.certificate_failed"
FAILURE_MESSAGE = (
    "Something went wrong while producing the certificate. Try again; if it fails again, "
    "tell the programme's support team."
)


def certificate_key(award: Award) -> str:
    """The one place an award's certificate is stored (private storage key)."""
    return f"{award.tenant_id}/certificates/{award.pk}.pdf"


# --- The job ---------------------------------------------------------------------------------


def certificate_produce(*, tenant, award_id) -> str:
    """Produce the award's certificate once. Returns what happened: "produced", "reused" (the
    file a dead worker stored), "skipped" (already ready), "failed" or "missing"."""
    award = _locked_award(tenant, award_id)
    if award is None:
        return "missing"
    key = certificate_key(award)
    if (
        award.certificate_status == CertificateStatus.READY
        and private_path(award.certificate_key or key).is_file()
    ):
        return "skipped"
    for leftover in leftovers(key):  # no other run is writing: we hold the award's lock
        leftover.unlink(missing_ok=True)
    outcome = "reused" if private_path(key).is_file() else "produced"
    try:
        with transaction.atomic():
            if outcome == "reused":
                sha256 = sha256_of(key)
            else:
                sha256 = store_atomically(key, chunks_of(certificate_pdf(award)))
    except Exception as error:
        logger.exception("Certificate of award %s could not be produced", award.pk)
        _mark_failed(tenant, award, error)
        return "failed"
    now = timezone.now()
    if Award.objects.filter(
        tenant=tenant, pk=award.pk, certificate_status=award.certificate_status
    ).update(
        certificate_status=CertificateStatus.READY,
        certificate_key=key,
        certificate_sha256=sha256,
        certificate_produced_at=now,
        updated_at=now,
    ):
        audit_record(
            tenant=tenant,
            actor=None,
            verb="award.certificate_produced",
            obj=award,
            changes={"key": key, "sha256": sha256, "reused_file": outcome == "reused"},
        )
    return outcome


def _locked_award(tenant, award_id) -> Award | None:
    """The award, locked for this transaction, with what the certificate shows."""
    return (
        Award.objects.select_for_update(of=("self",))
        .filter(tenant=tenant, pk=award_id)
        .select_related("tenant", "organisation", "version", "level")
        .prefetch_related("version__categories")
        .first()
    )


def _mark_failed(tenant, award: Award, error: Exception) -> None:
    if Award.objects.filter(
        tenant=tenant, pk=award.pk, certificate_status=award.certificate_status
    ).update(certificate_status=CertificateStatus.FAILED, updated_at=timezone.now()):
        audit_record(
            tenant=tenant,
            actor=None,
            verb=FAILED_VERB,
            obj=award,
            changes={"reason": FAILURE_MESSAGE, "error": type(error).__name__},
        )


def certificate_failure_reason(*, tenant, award: Award) -> str:
    """Why the award's certificate last failed, for its page."""
    if award.certificate_status != CertificateStatus.FAILED:
        return ""
    event = (
        AuditEvent.objects.filter(
            tenant=tenant, verb=FAILED_VERB, object_type="awards.award", object_id=str(award.pk)
        )
        .order_by("-created_at")
        .first()
    )
    return (event.changes.get("reason") if event else "") or FAILURE_MESSAGE


@shared_task(base=TenantTask)
def produce_award_certificate(tenant_id: str, award_id: str) -> str:
    """Produce one award's certificate (idempotent: see the module's docstring)."""
    return certificate_produce(tenant=Tenant.objects.get(pk=tenant_id), award_id=award_id)
