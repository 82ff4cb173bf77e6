"""A report's schedules (generated monthly, quarterly or before set meeting dates, with a
link emailed to a board reporter) and the programme's reporting settings (the "action
required" vocabulary of cover sheets).

Schedules: tenant admins for any report, an organisation's admins for their organisation's
(reporting.selectors.may_schedule_report); settings: tenant admins."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from reporting import selectors, services
from reporting.forms import ActionChoicesForm, ScheduleForm
from reporting.views.common import (
    crumbs,
    detail_url,
    posted,
    report_crumbs,
    report_or_refuse,
    require,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

NO_SCHEDULE = "You do not have permission to schedule this report."


def _report_to_schedule(request, report_id):
    report = report_or_refuse(request, report_id)
    require(selectors.may_schedule_report(request.access, report), NO_SCHEDULE)
    return report


def _schedule_or_404(request, report, schedule_id):
    schedule = selectors.schedule_get(tenant=request.tenant, report=report, pk=schedule_id)
    if schedule is None:
        raise Http404("This report has no such schedule.")
    return schedule


def _schedule_page(request, report, schedule=None):
    tenant = request.tenant
    form = ScheduleForm(
        posted(request),
        recipients=selectors.schedule_recipients(tenant=tenant, report=report),
        initial=ScheduleForm.initial_for(schedule),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.schedule_save(
                **writer(request), report=report, data=form.schedule_input(), schedule=schedule
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            when = f"{saved.next_run_on:%-d %B %Y}"
            messages.success(
                request,
                f"Schedule saved. The next PDF is generated on {when}."
                if saved.is_active
                else "Schedule saved. It is off: no PDF is generated until it is turned on.",
            )
            return redirect(detail_url(tenant, report))
    title = "Change the schedule" if schedule else "Schedule the report"
    return render(
        request,
        "reporting/schedule_form.html",
        {
            "form": form,
            "report": report,
            "schedule": schedule,
            "title": title,
            "submit_label": "Save the schedule",
            "cancel_url": detail_url(tenant, report),
            "breadcrumbs": report_crumbs(tenant, report, (title, "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_schedule_create(request, report_id):
    return _schedule_page(request, _report_to_schedule(request, report_id))


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_schedule_edit(request, report_id, schedule_id):
    report = _report_to_schedule(request, report_id)
    return _schedule_page(request, report, _schedule_or_404(request, report, schedule_id))


@tenant_view()
@require_http_methods(["GET", "POST"])
def report_schedule_remove(request, report_id, schedule_id):
    tenant = request.tenant
    report = _report_to_schedule(request, report_id)
    schedule = _schedule_or_404(request, report, schedule_id)
    if request.method == "POST":
        services.schedule_remove(**writer(request), schedule=schedule)
        messages.success(request, "Schedule removed. PDFs already made are kept.")
        return redirect(detail_url(tenant, report))
    title = "Remove this schedule?"
    return render(
        request,
        "reporting/schedule_remove.html",
        {
            "report": report,
            "schedule": schedule,
            "title": title,
            "cancel_url": detail_url(tenant, report),
            "breadcrumbs": report_crumbs(tenant, report, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_TENANT_SETTINGS)
@require_http_methods(["GET", "POST"])
def reporting_settings(request):
    tenant = request.tenant
    form = ActionChoicesForm(
        posted(request),
        initial={"actions": "\n".join(selectors.action_choices(tenant=tenant))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_choices_update(**writer(request), actions=form.cleaned_data["actions"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The action required choices are saved.")
            return redirect("report_list", tenant.slug)
    title = "Reporting settings"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "intro": "Cover sheets ask the meeting for one action. These are the choices a "
            "report's author picks from; reports already written keep their choice.",
            "submit_label": "Save settings",
            "cancel_url": reverse("report_list", args=[tenant.slug]),
            "breadcrumbs": crumbs(tenant, (title, "")),
        },
    )


SCHEDULE = "<uuid:report_id>/schedules/<uuid:schedule_id>/"
urlpatterns = [
    path("settings/", reporting_settings, name="reporting_settings"),
    path("<uuid:report_id>/schedules/new/", report_schedule_create, name="report_schedule_create"),
    path(SCHEDULE, report_schedule_edit, name="report_schedule_edit"),
    path(f"{SCHEDULE}remove/", report_schedule_remove, name="report_schedule_remove"),
]
