"""An organisation's uploads: spend ledgers (imported in the background, with a job page that
shows progress) and workforce counts, and what they give the organisation's KVIs.

Who sees what: the organisation's staff (VIEW_OWN_KVIS) see everything of theirs, including the
ledger rows to fix; the programme team (VIEW_KVIS) sees aggregates only, never the row notes or
a refused file's rows; only the organisation's admins (UPLOAD_ORGANISATION_DATA) upload.

Thin: kvi.services, kvi.workforce and kvi.feeds read and write (and check permissions again)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from kvi import feeds, selectors, services, workforce
from kvi.forms.uploads import SpendLedgerUploadForm, WorkforceUploadForm
from kvi.models import ImportStatus
from kvi.selectors import latest_postcode_release, local_area_list
from kvi.upload_tasks import spend_ledger_job_progress
from kvi.views.common import crumbs, organisation_or_404
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25
REFRESH_SECONDS = 5
STAGES = {
    "checking": "Reading the file, checking every row and finding each supplier's postcode",
    "feeding": "Recording the figures of your KVIs",
}


def _crumbs(request, organisation, *rest):
    tenant = request.tenant
    return crumbs(
        tenant,
        (organisation.name, reverse("kvi_dashboard", args=[tenant.slug, organisation.pk])),
        *rest,
    )


def _ledger_crumb(request, organisation):
    url = reverse("spend_ledger_list", args=[request.tenant.slug, organisation.pk])
    return ("Spend ledgers", url)


def _workforce_crumb(request, organisation):
    url = reverse("workforce_return_list", args=[request.tenant.slug, organisation.pk])
    return ("Workforce", url)


def _roles(request, organisation) -> dict:
    access = request.access
    return {
        "is_own": access.can(Perm.VIEW_OWN_KVIS, organisation_id=organisation.pk),
        "may_upload": access.can(Perm.UPLOAD_ORGANISATION_DATA, organisation_id=organisation.pk),
    }


def _feed_message(request, report: dict) -> None:
    recorded, corrections = len(report["recorded"]), len(report["needs_correction"])
    if recorded:
        messages.success(request, f"{recorded} KVI figure{'s'[: recorded != 1]} recorded.")
    if corrections:
        messages.warning(
            request,
            f"{corrections} KVI figure{'s'[: corrections != 1]} already submitted with other "
            "figures: they were left as they are and need a correction.",
        )


# --- Spend ledgers ----------------------------------------------------------------------------


@tenant_view()
def spend_ledger_list(request, organisation_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id)
    roles = _roles(request, organisation)
    ledgers = selectors.spend_ledger_list_for(tenant=tenant, organisation=organisation)
    page = Paginator(ledgers, PAGE_SIZE).get_page(request.GET.get("page"))
    jobs = []
    if roles["is_own"]:
        jobs = list(selectors.spend_ledger_job_list(tenant=tenant, organisation=organisation)[:10])
    return render(
        request,
        "kvi/uploads/spend_ledger_list.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "jobs": jobs,
            **roles,
            "breadcrumbs": _crumbs(request, organisation, ("Spend ledgers", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def spend_ledger_upload(request, organisation_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id, Perm.UPLOAD_ORGANISATION_DATA)
    areas = list(local_area_list(tenant=tenant))
    release = latest_postcode_release()
    form = SpendLedgerUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        local_areas=areas,
    )
    if request.method == "POST" and areas and release and form.is_valid():
        try:
            upload = services.spend_ledger_upload(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                organisation=organisation,
                uploaded_file=form.cleaned_data["file"],
                local_area=form.cleaned_data["local_area"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if upload.already_imported is not None:
                ledger = upload.already_imported
                messages.info(
                    request,
                    f"This file was already uploaded on {ledger.created_at:%-d %B %Y}: "
                    "here are its results. Nothing new was imported.",
                )
                return redirect("spend_ledger_detail", tenant.slug, organisation.pk, ledger.pk)
            messages.success(request, f"{upload.job.file_name} is uploaded and being imported.")
            return redirect("spend_ledger_job", tenant.slug, organisation.pk, upload.job.pk)
    return render(
        request,
        "kvi/uploads/spend_ledger_upload.html",
        {
            "organisation": organisation,
            "form": form,
            "areas": areas,
            "release": release,
            "breadcrumbs": _crumbs(
                request,
                organisation,
                _ledger_crumb(request, organisation),
                ("Upload a spend ledger", ""),
            ),
        },
    )


@tenant_view()
def spend_ledger_job(request, organisation_id, job_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id)
    job = selectors.spend_ledger_job_get(tenant=tenant, organisation=organisation, pk=job_id)
    if job is None:
        raise Http404("No such upload.")
    running = job.status in services.UNFINISHED
    progress = spend_ledger_job_progress(job) if running else None
    return render(
        request,
        "kvi/uploads/spend_ledger_job.html",
        {
            "organisation": organisation,
            "job": job,
            "running": running,
            "progress": progress,
            "stage": STAGES.get((progress or {}).get("stage"), ""),
            "refresh_seconds": REFRESH_SECONDS,
            "ledger_id": job.summary.get("spend_ledger_import"),
            "report": job.summary.get("feeds"),
            "failed": job.status == ImportStatus.FAILED,
            **_roles(request, organisation),
            "breadcrumbs": _crumbs(
                request, organisation, _ledger_crumb(request, organisation), (job.file_name, "")
            ),
        },
    )


def _ledger_or_404(request, organisation, ledger_id):
    ledger = selectors.spend_ledger_get_for(
        tenant=request.tenant, organisation=organisation, pk=ledger_id
    )
    if ledger is None:
        raise Http404("No such spend ledger.")
    return ledger


@tenant_view()
def spend_ledger_detail(request, organisation_id, ledger_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id)
    ledger = _ledger_or_404(request, organisation, ledger_id)
    roles = _roles(request, organisation)
    lines = feeds.feed_lines(
        tenant=tenant,
        kvis=feeds.fed_kvis(tenant=tenant, organisation=organisation, feeds=feeds.LEDGER_FEEDS),
        figures_of=lambda kvi: feeds.ledger_figures(ledger, kvi),
    )
    return render(
        request,
        "kvi/uploads/spend_ledger_detail.html",
        {
            "organisation": organisation,
            "ledger": ledger,
            "results": ledger.results,
            "months": [
                {**item, "month": date.fromisoformat(item["month"])}
                for item in ledger.results.get("by_month", [])
            ],
            # Supplier-level rows stay with the organisation: the programme team gets none.
            "row_notes": ledger.row_notes if roles["is_own"] else None,
            "errors": ledger.errors if roles["is_own"] else None,
            "feed_lines": lines,
            **roles,
            "breadcrumbs": _crumbs(
                request, organisation, _ledger_crumb(request, organisation), (ledger.file_name, "")
            ),
        },
    )


@tenant_view()
@require_POST
def spend_ledger_feed(request, organisation_id, ledger_id):
    """Record the ledger's figures in the KVIs again (for KVIs set up after the import)."""
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id, Perm.UPLOAD_ORGANISATION_DATA)
    ledger = _ledger_or_404(request, organisation, ledger_id)
    report = feeds.ledger_feed(
        tenant=tenant, actor=request.user, access=request.access, ledger=ledger
    ).as_json()
    _feed_message(request, report)
    if not report["recorded"] and not report["needs_correction"]:
        messages.info(request, "The KVIs already hold every figure this ledger gives.")
    return redirect("spend_ledger_detail", tenant.slug, organisation.pk, ledger.pk)


# --- Workforce counts -------------------------------------------------------------------------


@tenant_view()
def workforce_return_list(request, organisation_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id)
    returns = workforce.workforce_return_list(tenant=tenant, organisation=organisation)
    page = Paginator(returns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "kvi/uploads/workforce_return_list.html",
        {
            "organisation": organisation,
            "page_obj": page,
            **_roles(request, organisation),
            "breadcrumbs": _crumbs(request, organisation, ("Workforce", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def workforce_return_upload(request, organisation_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id, Perm.UPLOAD_ORGANISATION_DATA)
    posted = request.method == "POST"
    form = WorkforceUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            workforce_return, outcome, report = workforce.workforce_return_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                organisation=organisation,
                period=form.cleaned_data["period"],
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            period = f"{workforce_return.period:%B %Y}"
            messages.success(
                request,
                {
                    "created": f"Workforce counts for {period} saved.",
                    "replaced": f"Workforce counts for {period} replaced by the new file.",
                    "unchanged": f"These counts for {period} were already saved: nothing changed.",
                }[outcome],
            )
            _feed_message(request, report)
            return redirect(
                "workforce_return_detail", tenant.slug, organisation.pk, workforce_return.pk
            )
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Upload workforce counts",
            "caption": organisation.name,
            "intro": "Counts only: the WTE of staff in each group, never a list of people. A "
            "new file for a month that already has counts replaces them.",
            "submit_label": "Upload counts",
            "cancel_url": reverse("workforce_return_list", args=[tenant.slug, organisation.pk]),
            "breadcrumbs": _crumbs(
                request,
                organisation,
                _workforce_crumb(request, organisation),
                ("Upload workforce counts", ""),
            ),
        },
    )


@tenant_view()
def workforce_return_detail(request, organisation_id, return_id):
    tenant = request.tenant
    organisation = organisation_or_404(request, organisation_id)
    workforce_return = workforce.workforce_return_get(
        tenant=tenant, organisation=organisation, pk=return_id
    )
    if workforce_return is None:
        raise Http404("No such workforce return.")
    areas = list(local_area_list(tenant=tenant))
    chosen = request.GET.get("local_area")
    area = next((a for a in areas if str(a.pk) == chosen), areas[0] if areas else None)
    lines = feeds.feed_lines(
        tenant=tenant,
        kvis=feeds.fed_kvis(tenant=tenant, organisation=organisation, feeds=feeds.WORKFORCE_FEEDS),
        figures_of=lambda kvi: feeds.workforce_figures(workforce_return, kvi),
    )
    return render(
        request,
        "kvi/uploads/workforce_return_detail.html",
        {
            "organisation": organisation,
            "workforce_return": workforce_return,
            "areas": areas,
            "area": area,
            "shares": workforce.workforce_shares(workforce_return, area.population if area else {}),
            "feed_lines": lines,
            **_roles(request, organisation),
            "breadcrumbs": _crumbs(
                request,
                organisation,
                _workforce_crumb(request, organisation),
                (f"{workforce_return.period:%B %Y}", ""),
            ),
        },
    )


LEDGERS = "organisations/<uuid:organisation_id>/spend-ledgers/"
WORKFORCE = "organisations/<uuid:organisation_id>/workforce/"

urlpatterns = [
    path(LEDGERS, spend_ledger_list, name="spend_ledger_list"),
    path(f"{LEDGERS}upload/", spend_ledger_upload, name="spend_ledger_upload"),
    path(f"{LEDGERS}jobs/<uuid:job_id>/", spend_ledger_job, name="spend_ledger_job"),
    path(f"{LEDGERS}<uuid:ledger_id>/", spend_ledger_detail, name="spend_ledger_detail"),
    path(f"{LEDGERS}<uuid:ledger_id>/feed/", spend_ledger_feed, name="spend_ledger_feed"),
    path(WORKFORCE, workforce_return_list, name="workforce_return_list"),
    path(f"{WORKFORCE}upload/", workforce_return_upload, name="workforce_return_upload"),
    path(f"{WORKFORCE}<uuid:return_id>/", workforce_return_detail, name="workforce_return_detail"),
]
