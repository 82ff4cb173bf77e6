"""Reporting rounds and the review of returns, for the programme team (MANAGE_CHARTERS): the
list of rounds with returns by status, making a round (half-yearly dates suggested), a
round's page (every return with its status and a late flag), opening and closing a round after
a confirmation, asking members that joined since for a return, and the review of one return:
its figures per pillar, narratives and files, raising a query on one figure, and accepting the
return after a confirmation.

Everyone else is refused (403); another programme's rounds and returns are not found (404).
Services' refusals (a closed round, a return with queries open) show as messages or form
errors, never a 500."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from anchors import selectors, services
from anchors.forms.admin import QueryForm, RoundDatesForm, RoundForm, date_initial
from anchors.models import ReturnStatus, RoundStatus
from anchors.selectors import admin as admin_selectors
from anchors.views.admin_common import (
    anchor_charter_or_404,
    crumbs,
    error_text,
    posted,
    url,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

REVIEWABLE = (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.ACCEPTED)


def number(value, unit: str = "") -> str:
    """A figure as people write it: £1,250,000, 13.09%, 21 count (no exponent, no trailing
    zeros)."""
    if value is None:
        return ""
    text = f"{value.normalize():,f}"
    if unit == "£":
        return f"£{text}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def _rounds_crumb(request, charter):
    return ("Reporting rounds", url("anchor_round_list", request, charter))


def _round_or_404(request, round_id):
    """This tenant's round of an anchor charter, with its charter."""
    reporting_round = admin_selectors.round_get(tenant=request.tenant, pk=round_id)
    if reporting_round is None:
        raise Http404("No such reporting round in this programme.")
    return reporting_round, reporting_round.charter


def _round_url(request, reporting_round) -> str:
    return reverse("anchor_round_detail", args=[request.tenant.slug, reporting_round.pk])


def _review_url(request, member_return) -> str:
    return reverse("anchor_return_review", args=[request.tenant.slug, member_return.pk])


@tenant_view(Perm.MANAGE_CHARTERS)
def anchor_round_list(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    return render(
        request,
        "anchors/admin/round_list.html",
        {
            "charter": charter,
            "rounds": list(selectors.round_list(tenant=tenant, charter=charter)),
            "breadcrumbs": crumbs(tenant, charter, ("Reporting rounds", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_round_create(request, charter_slug):
    tenant = request.tenant
    charter = anchor_charter_or_404(request, charter_slug)
    initial = {}
    try:
        dates = services.next_round_dates(tenant=tenant, charter=charter)
    except ValidationError:  # the latest round does not start on a half-year
        dates = None
    if dates is not None:
        initial = {
            "name": dates.name,
            "period_start": date_initial(dates.period_start),
            "period_end": date_initial(dates.period_end),
            "opens_on": date_initial(dates.opens_on),
            "due_on": date_initial(dates.due_on),
        }
    form = RoundForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reporting_round = services.round_create(
                **writer(request), charter=charter, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{reporting_round.name} made as a draft. Open it to ask every member for a "
                "return.",
            )
            return redirect(_round_url(request, reporting_round))
    title = "Make a reporting round"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": "Rounds are half-yearly by default: the dates of the next half-year are "
            "filled in. The round stays a draft until you open it.",
            "submit_label": "Make round",
            "cancel_url": url("anchor_round_list", request, charter),
            "breadcrumbs": crumbs(tenant, charter, _rounds_crumb(request, charter), (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
def anchor_round_detail(request, round_id):
    tenant = request.tenant
    reporting_round, charter = _round_or_404(request, round_id)
    returns = list(
        selectors.round_returns(
            tenant=tenant, access=request.access, reporting_round=reporting_round
        )
    )
    today = timezone.localdate()
    overdue = reporting_round.status == RoundStatus.OPEN and today > reporting_round.due_on
    counts = {status: 0 for status in ReturnStatus.values}
    for member_return in returns:
        counts[member_return.status] += 1
    return render(
        request,
        "anchors/admin/round_detail.html",
        {
            "charter": charter,
            "round": reporting_round,
            "returns": returns,
            "counts": [(ReturnStatus(s).label, n) for s, n in counts.items()],
            "late_count": sum(1 for r in returns if r.submitted_late),
            "overdue": overdue,
            "reviewable": REVIEWABLE,
            "outstanding": (ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT),
            "breadcrumbs": crumbs(
                tenant, charter, _rounds_crumb(request, charter), (reporting_round.name, "")
            ),
        },
    )


def _round_move(request, round_id, *, action: str):
    """Confirm, then open or close the round (the service refuses the wrong state)."""
    tenant = request.tenant
    reporting_round, charter = _round_or_404(request, round_id)
    back = _round_url(request, reporting_round)
    allowed = RoundStatus.DRAFT if action == "open" else RoundStatus.OPEN
    if reporting_round.status != allowed:
        messages.error(
            request,
            f"{reporting_round.name} is {reporting_round.get_status_display().lower()}: only "
            f"{'a draft' if action == 'open' else 'an open'} round can be "
            f"{'opened' if action == 'open' else 'closed'}.",
        )
        return redirect(back)
    if request.method == "POST":
        move = services.round_open if action == "open" else services.round_close
        try:
            moved = move(**writer(request), reporting_round=reporting_round)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if action == "open":
                returns = moved.returns.count()
                messages.success(
                    request,
                    f"{moved.name} is open: {returns} member{'s' if returns != 1 else ''} "
                    "asked for a return and emailed.",
                )
            else:
                messages.success(
                    request,
                    f"{moved.name} is closed: returns not yet sent can no longer be. Returns "
                    "already in can still be queried and accepted.",
                )
        return redirect(back)
    outstanding = 0
    if action == "close":
        outstanding = reporting_round.returns.filter(
            status__in=[ReturnStatus.NOT_STARTED, ReturnStatus.DRAFT]
        ).count()
    return render(
        request,
        "anchors/admin/round_move.html",
        {
            "charter": charter,
            "round": reporting_round,
            "action": action,
            "outstanding": outstanding,
            "cancel_url": back,
            "breadcrumbs": crumbs(
                tenant,
                charter,
                _rounds_crumb(request, charter),
                (reporting_round.name, back),
                (f"{action.capitalize()} the round", ""),
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_round_open(request, round_id):
    return _round_move(request, round_id, action="open")


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_round_close(request, round_id):
    return _round_move(request, round_id, action="close")


@tenant_view(Perm.MANAGE_CHARTERS)
@require_POST
def anchor_round_add_missing(request, round_id):
    """Ask members that joined after the round opened for a return."""
    reporting_round, _charter = _round_or_404(request, round_id)
    try:
        added = services.round_returns_add_missing(
            **writer(request), reporting_round=reporting_round
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if added:
            messages.success(
                request, f"{added} more member{'s' if added != 1 else ''} asked for a return."
            )
        else:
            messages.info(request, "Every member already has a return in this round.")
    return redirect(_round_url(request, reporting_round))


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_round_edit(request, round_id):
    """Change when a draft or open round opens and when returns are due."""
    tenant = request.tenant
    reporting_round, charter = _round_or_404(request, round_id)
    back = _round_url(request, reporting_round)
    if reporting_round.status == RoundStatus.CLOSED:
        messages.error(
            request, f"{reporting_round.name} is closed: its dates can no longer change."
        )
        return redirect(back)
    form = RoundDatesForm(
        posted(request),
        initial={
            "opens_on": date_initial(reporting_round.opens_on),
            "due_on": date_initial(reporting_round.due_on),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.round_dates_update(
                **writer(request), reporting_round=reporting_round, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Dates of {changed.name} saved: it opens on {changed.opens_on:%-d %B %Y} and "
                f"returns are due by {changed.due_on:%-d %B %Y}.",
            )
            return redirect(back)
    title = "Change the round's dates"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": f"{charter.title}, {reporting_round.name}",
            "intro": "Returns sent after the due date are flagged late: returns already sent "
            "keep the flag they have. Members are not emailed about the change.",
            "submit_label": "Save dates",
            "cancel_url": back,
            "breadcrumbs": crumbs(
                tenant,
                charter,
                _rounds_crumb(request, charter),
                (reporting_round.name, back),
                (title, ""),
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_round_remind(request, round_id):
    """Confirm, then email a reminder now to every member whose return is outstanding."""
    tenant = request.tenant
    reporting_round, charter = _round_or_404(request, round_id)
    back = _round_url(request, reporting_round)
    if reporting_round.status != RoundStatus.OPEN:
        messages.error(
            request,
            f"{reporting_round.name} is {reporting_round.get_status_display().lower()}: "
            "reminders go only to members of an open round.",
        )
        return redirect(back)
    if request.method == "POST":
        try:
            reminded = services.round_reminders_send(
                **writer(request), reporting_round=reporting_round
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if reminded:
                messages.success(
                    request,
                    f"{reminded} member{'s' if reminded != 1 else ''} reminded: "
                    "their organisation admins are emailed.",
                )
            elif admin_selectors.round_outstanding_returns(
                tenant=tenant, reporting_round=reporting_round
            ):
                messages.info(
                    request,
                    "No member was reminded: every member with a return outstanding has been "
                    "reminded today already.",
                )
            else:
                messages.info(request, "No member was reminded: every member has sent its return.")
        return redirect(back)
    outstanding = admin_selectors.round_outstanding_returns(
        tenant=tenant, reporting_round=reporting_round
    )
    today = timezone.localdate()
    return render(
        request,
        "anchors/admin/round_remind.html",
        {
            "charter": charter,
            "round": reporting_round,
            "outstanding": outstanding,
            "to_remind": [r for r in outstanding if r.last_reminded_on != today],
            "reminded_today": [r for r in outstanding if r.last_reminded_on == today],
            "cancel_url": back,
            "breadcrumbs": crumbs(
                tenant,
                charter,
                _rounds_crumb(request, charter),
                (reporting_round.name, back),
                ("Send reminders", ""),
            ),
        },
    )


# --- Reviewing a return ------------------------------------------------------------------------


def _return_or_404(request, return_id):
    """This tenant's return (with its round, charter and organisation) and its charter."""
    try:
        member_return, _can_edit = selectors.return_get_for_user(
            tenant=request.tenant, access=request.access, pk=return_id
        )
    except PermissionDenied:
        raise Http404("No such return in this programme.") from None
    return member_return, member_return.round.charter


def _review_crumbs(request, charter, member_return, *rest):
    reporting_round = member_return.round
    review = _review_url(request, member_return)
    return crumbs(
        request.tenant,
        charter,
        _rounds_crumb(request, charter),
        (reporting_round.name, _round_url(request, reporting_round)),
        (member_return.signatory.organisation.name, review if rest else ""),
        *rest,
    )


@tenant_view(Perm.MANAGE_CHARTERS)
def anchor_return_review(request, return_id):
    tenant = request.tenant
    member_return, charter = _return_or_404(request, return_id)
    detail = selectors.return_detail(tenant=tenant, member_return=member_return)
    for lines in detail.lines_by_pillar.values():
        for line in lines:
            if line.figure is not None:
                line.figure.shown = number(line.figure.value, line.figure.unit)
                for query in line.figure.query_list:
                    query.old_shown = number(query.old_value, line.figure.unit)
                    query.new_shown = number(query.new_value, line.figure.unit)
    groups = [
        (pillar, detail.lines_by_pillar.get(pillar.code, []), detail.narratives.get(pillar.code))
        for pillar in detail.pillars
    ]
    queryable = member_return.status in (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED)
    return render(
        request,
        "anchors/admin/return_review.html",
        {
            "charter": charter,
            "member_return": member_return,
            "round": member_return.round,
            "groups": groups,
            "evidence": detail.evidence,
            "open_queries": detail.open_queries,
            "queryable": queryable,
            "can_accept": member_return.status == ReturnStatus.SUBMITTED,
            "breadcrumbs": _review_crumbs(request, charter, member_return),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_query_raise(request, return_id, figure_id):
    tenant = request.tenant
    member_return, charter = _return_or_404(request, return_id)
    figure = admin_selectors.figure_get(tenant=tenant, member_return=member_return, pk=figure_id)
    if figure is None:
        raise Http404("No such figure in this return.")
    back = _review_url(request, member_return)
    form = QueryForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.figure_query_raise(
                **writer(request), figure=figure, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Query sent to {member_return.signatory.organisation.name} about "
                f"{figure.pillar_metric.metric.name}.",
            )
            return redirect(back)
    title = "Query a figure"
    return render(
        request,
        "anchors/admin/query_raise.html",
        {
            "charter": charter,
            "member_return": member_return,
            "figure": figure,
            "shown": number(figure.value, figure.unit),
            "form": form,
            "title": title,
            "cancel_url": back,
            "breadcrumbs": _review_crumbs(request, charter, member_return, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_return_accept(request, return_id):
    member_return, charter = _return_or_404(request, return_id)
    back = _review_url(request, member_return)
    if request.method == "POST":
        try:
            services.return_accept(**writer(request), member_return=member_return)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                f"{member_return.signatory.organisation.name}'s return for "
                f"{member_return.round.name} accepted: its figures now count in the dashboard.",
            )
        return redirect(back)
    if member_return.status != ReturnStatus.SUBMITTED:
        messages.error(
            request,
            "This return has queries waiting for answers: it cannot be accepted yet."
            if member_return.status == ReturnStatus.QUERIED
            else f"This return is {member_return.get_status_display().lower()}: only a "
            "submitted return can be accepted.",
        )
        return redirect(back)
    return render(
        request,
        "anchors/admin/return_accept.html",
        {
            "charter": charter,
            "member_return": member_return,
            "cancel_url": back,
            "breadcrumbs": _review_crumbs(
                request, charter, member_return, ("Accept the return", "")
            ),
        },
    )


urlpatterns = [
    path("<slug:charter_slug>/rounds/", anchor_round_list, name="anchor_round_list"),
    path("<slug:charter_slug>/rounds/new/", anchor_round_create, name="anchor_round_create"),
    path(
        "rounds/<uuid:round_id>/",
        anchor_round_detail,
        name="anchor_round_detail",
    ),
    path(
        "rounds/<uuid:round_id>/open/",
        anchor_round_open,
        name="anchor_round_open",
    ),
    path(
        "rounds/<uuid:round_id>/close/",
        anchor_round_close,
        name="anchor_round_close",
    ),
    path(
        "rounds/<uuid:round_id>/add-missing/",
        anchor_round_add_missing,
        name="anchor_round_add_missing",
    ),
    path("rounds/<uuid:round_id>/edit/", anchor_round_edit, name="anchor_round_edit"),
    path("rounds/<uuid:round_id>/remind/", anchor_round_remind, name="anchor_round_remind"),
    path(
        "returns/<uuid:return_id>/review/",
        anchor_return_review,
        name="anchor_return_review",
    ),
    path(
        "returns/<uuid:return_id>/figures/<uuid:figure_id>/query/",
        anchor_query_raise,
        name="anchor_query_raise",
    ),
    path(
        "returns/<uuid:return_id>/accept/",
        anchor_return_accept,
        name="anchor_return_accept",
    ),
]
