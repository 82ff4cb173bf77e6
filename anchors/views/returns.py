"""A member's return for a reporting round: its figures per pillar metric (typed, or taken from
the KVIs the member already tracks), a narrative per pillar, evidence files (add, download,
remove after a confirmation page), sending it (confirmation; flagged late after the due date;
refused once the round has closed) and answering the programme team's query on a figure,
correcting it.

Thin: anchors.selectors and anchors.selectors.members read, anchors.services writes and refuses;
a refusal is shown as a form error naming the field (a figure in the wrong unit) or a clear
message (a closed round), never a 500. The return's one door is
anchors.selectors.return_get_for_user (the programme team and people of the member's
organisation; 404 for a return this programme does not have, 403 for anyone else).

Figures can also be imported from a CSV or XLSX (anchors.services.return_imports): the form is on
the return page, posts to anchor_return_import, and on refusal the return page is shown again
with an error summary listing each problem row; anchor_return_import_template downloads the
CSV to fill in."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from anchors import selectors, services
from anchors.forms.return_imports import ReturnImportForm
from anchors.forms.returns import EvidenceAddForm, QueryResponseForm, ReturnForm
from anchors.models import FigureSource, ReturnStatus, RoundStatus
from anchors.selectors import members as member_selectors
from anchors.services.return_evidence import EVIDENCE_EDITABLE
from anchors.services.return_imports import template_file_name
from anchors.services.returns import EDITABLE, round_closed_message
from anchors.views.members import membership_crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm
from uploads.responses import private_download


def return_url(tenant, member_return) -> str:
    return reverse("anchor_return", args=[tenant.slug, member_return.pk])


def return_crumbs(tenant, member_return, *rest) -> list[tuple[str, str]]:
    return membership_crumbs(
        tenant,
        member_return.round.charter,
        (f"{member_return.round.name} return", return_url(tenant, member_return)),
        *rest,
    )


def _return_or_404(request, return_id):
    """(the return, whether the person may change it): 404 when this programme has no such
    return (an unknown id, or another tenant's), 403 when the person may not see it."""
    return selectors.return_get_for_user(tenant=request.tenant, access=request.access, pk=return_id)


def _require_member_admin(request, member_return) -> None:
    organisation = member_return.signatory.organisation
    if not request.access.can(Perm.SIGN_CHARTER, organisation_id=organisation.pk):
        raise PermissionDenied(f"Only an organisation admin of {organisation.name} can do that.")


def is_overdue(member_return) -> bool:
    return timezone.localdate() > member_return.round.due_on


def _sections(detail) -> list[dict]:
    """Read-only sections: each pillar with its figures (as people write them) and narrative."""
    sections = []
    for pillar in detail.pillars:
        rows = []
        for line in detail.lines_by_pillar.get(pillar.code, []):
            figure = line.figure
            rows.append(
                {
                    "pillar_metric": line.pillar_metric,
                    "figure": figure,
                    "text": member_selectors.figure_text(
                        figure.value if figure else None, line.pillar_metric.unit
                    ),
                    "from_kvi": figure is not None and figure.source == FigureSource.KVI,
                    "imported": figure is not None and figure.source == FigureSource.IMPORTED,
                    "queries": [
                        {
                            "query": q,
                            "old": member_selectors.figure_text(q.old_value, figure.unit),
                            "new": member_selectors.figure_text(q.new_value, figure.unit),
                        }
                        for q in (figure.query_list if figure else [])
                    ],
                }
            )
        sections.append(
            {"pillar": pillar, "rows": rows, "narrative": detail.narratives.get(pillar.code, "")}
        )
    return sections


def _return_page(request, member_return, can_edit, *, detail=None, form=None, import_form=None):
    """The return page: the form while the member's admin can change it (with the import form
    and, after a refused import, its problems), else the figures as sent."""
    tenant, access = request.tenant, request.access
    if detail is None:
        detail = selectors.return_detail(tenant=tenant, member_return=member_return)
    organisation_id = member_return.signatory.organisation_id
    is_member_admin = access.can(Perm.SIGN_CHARTER, organisation_id=organisation_id)
    if form is None:
        form = ReturnForm(None, detail=detail)
    round_open = member_return.round.status == RoundStatus.OPEN
    return render(
        request,
        "anchors/returns/detail.html",
        {
            "member_return": member_return,
            "charter": member_return.round.charter,
            "detail": detail,
            "form": form,
            "import_form": ReturnImportForm() if import_form is None else import_form,
            "can_edit": can_edit,
            "sections": _sections(detail),
            "closed_message": round_closed_message(member_return)
            if member_return.status in EDITABLE
            else "",
            "overdue": is_overdue(member_return) and member_return.status in EDITABLE,
            "can_answer": is_member_admin and member_return.status == ReturnStatus.QUERIED,
            "can_add_evidence": is_member_admin
            and round_open
            and member_return.status in EVIDENCE_EDITABLE,
            "can_remove_evidence": can_edit,
            "programme_team": access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": membership_crumbs(
                tenant, member_return.round.charter, (f"{member_return.round.name} return", "")
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def anchor_return(request, return_id):
    tenant, access = request.tenant, request.access
    member_return, can_edit = _return_or_404(request, return_id)
    detail = form = None
    if request.method == "POST":
        _require_member_admin(request, member_return)
        detail = selectors.return_detail(tenant=tenant, member_return=member_return)
        form = ReturnForm(request.POST, detail=detail)
        if form.is_valid():
            try:
                services.return_save(
                    tenant=tenant,
                    actor=request.user,
                    access=access,
                    member_return=member_return,
                    figures=form.figure_inputs(),
                    narratives=form.narratives(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Your return has been saved. Send it when it is ready.")
                return redirect(return_url(tenant, member_return))
    return _return_page(request, member_return, can_edit, detail=detail, form=form)


def _imported_message(outcome) -> str:
    count = outcome.row_count
    text = (
        f"{count} figure{'s' if count != 1 else ''} imported from {outcome.file_name}. Check "
        "them before you send the return."
    )
    if outcome.skipped_rows:
        rows = ", ".join(str(row) for row in outcome.skipped_rows)
        plural = "s" if len(outcome.skipped_rows) != 1 else ""
        text += f" Row{plural} {rows} had no value: those figures are as they were."
    return text


@tenant_view()
@require_POST
def anchor_return_import(request, return_id):
    tenant = request.tenant
    member_return, can_edit = _return_or_404(request, return_id)
    _require_member_admin(request, member_return)
    form = ReturnImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = services.return_figures_import(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                member_return=member_return,
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _imported_message(outcome))
            return redirect(return_url(tenant, member_return))
    return _return_page(request, member_return, can_edit, import_form=form)


@tenant_view()
def anchor_return_import_template(request, return_id):
    """The CSV to fill in and import: anyone who may see the return may download it."""
    member_return, _can_edit = _return_or_404(request, return_id)
    content = services.return_import_template(tenant=request.tenant, member_return=member_return)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{template_file_name(member_return)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_view()
@require_POST
def anchor_return_from_kvis(request, return_id):
    tenant = request.tenant
    member_return, _can_edit = _return_or_404(request, return_id)
    _require_member_admin(request, member_return)
    try:
        made = services.return_figures_from_kvis(
            tenant=tenant, actor=request.user, access=request.access, member_return=member_return
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if made:
            names = ", ".join(f.pillar_metric.metric.name for f in made)
            messages.success(
                request,
                f"{len(made)} figure{'s' if len(made) != 1 else ''} taken from your KVIs: "
                f"{names}. Check them before you send the return.",
            )
        else:
            messages.info(
                request,
                "None of your KVIs had figures for this round's period on a metric you have "
                "not already filled in. Enter the figures yourself.",
            )
    return redirect(return_url(tenant, member_return))


@tenant_view()
@require_http_methods(["GET", "POST"])
def anchor_return_submit(request, return_id):
    tenant = request.tenant
    member_return, can_edit = _return_or_404(request, return_id)
    _require_member_admin(request, member_return)
    if member_return.status not in EDITABLE:
        messages.info(
            request,
            f"This return is {member_return.get_status_display().lower()}: it has already "
            "been sent.",
        )
        return redirect(return_url(tenant, member_return))
    errors = []
    if request.method == "POST":
        try:
            sent = services.return_submit(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                member_return=member_return,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                f"Your return for {sent.round.name} has been sent to the programme team.",
            )
            late = services.late_message(sent)
            if late:
                messages.warning(request, late)
            return redirect(return_url(tenant, sent))
    elif closed := round_closed_message(member_return):
        errors = [closed]
    figure_count = member_return.figures.count()
    return render(
        request,
        "anchors/returns/submit.html",
        {
            "member_return": member_return,
            "errors": errors,
            "refused": bool(round_closed_message(member_return)),
            "overdue": is_overdue(member_return),
            "figure_count": figure_count,
            "back": return_url(tenant, member_return),
            "breadcrumbs": return_crumbs(tenant, member_return, ("Send", "")),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def anchor_return_evidence_add(request, return_id):
    tenant = request.tenant
    member_return, _can_edit = _return_or_404(request, return_id)
    _require_member_admin(request, member_return)
    back = return_url(tenant, member_return) + "#evidence"
    posted = request.method == "POST"
    detail = selectors.return_detail(tenant=tenant, member_return=member_return)
    form = EvidenceAddForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        pillars=detail.pillars,
    )
    if posted and form.is_valid():
        try:
            added = services.return_evidence_add(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                member_return=member_return,
                uploaded_file=form.cleaned_data["file"],
                pillar_code=form.cleaned_data["pillar_code"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{added.file_name} added to the return.")
            return redirect(back)
    return render(
        request,
        "anchors/returns/evidence_add.html",
        {
            "form": form,
            "member_return": member_return,
            "current_files": detail.evidence,
            "cannot_add": round_closed_message(member_return)
            or (
                ""
                if member_return.status in EVIDENCE_EDITABLE
                else f"This return is {member_return.get_status_display().lower()}: files can "
                "no longer be added."
            ),
            "cancel_url": back,
            "breadcrumbs": return_crumbs(tenant, member_return, ("Add a file", "")),
        },
    )


@tenant_view()
def anchor_return_evidence_download(request, evidence_id):
    evidence = services.return_evidence_get(
        tenant=request.tenant, access=request.access, pk=evidence_id
    )
    return private_download(
        evidence.storage_key, file_name=evidence.file_name, content_type=evidence.content_type
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def anchor_return_evidence_remove(request, evidence_id):
    tenant = request.tenant
    evidence = member_selectors.evidence_or_404(tenant=tenant, evidence_id=evidence_id)
    member_return = evidence.member_return
    _require_member_admin(request, member_return)
    back = return_url(tenant, member_return) + "#evidence"
    if request.method == "POST":
        name = evidence.file_name
        try:
            services.return_evidence_remove(
                tenant=tenant, actor=request.user, access=request.access, evidence=evidence
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{name} removed from the return.")
        return redirect(back)
    return render(
        request,
        "anchors/returns/evidence_remove.html",
        {
            "evidence": evidence,
            "member_return": member_return,
            "back": back,
            "breadcrumbs": return_crumbs(
                tenant, member_return, (f"Remove {evidence.file_name}", "")
            ),
        },
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def anchor_query_respond(request, query_id):
    tenant = request.tenant
    query = member_selectors.query_or_404(tenant=tenant, query_id=query_id)
    figure = query.figure
    member_return = figure.member_return
    _require_member_admin(request, member_return)
    back = return_url(tenant, member_return)
    if query.responded_at is not None:
        messages.info(request, "This query has already been answered.")
        return redirect(back)
    pillar_metric = figure.pillar_metric
    form = QueryResponseForm(
        request.POST if request.method == "POST" else None, pillar_metric=pillar_metric
    )
    if request.method == "POST" and form.is_valid():
        value, unit = form.corrected()
        try:
            answered = services.figure_query_respond(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                query=query,
                response=form.cleaned_data["response"],
                corrected_value=value,
                unit=unit,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            text = "Your answer has been sent to the programme team."
            if answered.new_value is not None:
                unit = pillar_metric.unit
                new = member_selectors.figure_text(answered.new_value, unit)
                old = member_selectors.figure_text(answered.old_value, unit)
                text += f" {pillar_metric.metric.name} is now {new} (was {old})."
            messages.success(request, text)
            return redirect(back)
    return render(
        request,
        "anchors/returns/query_respond.html",
        {
            "form": form,
            "query": query,
            "figure": figure,
            "figure_text": member_selectors.figure_text(figure.value, pillar_metric.unit),
            "member_return": member_return,
            "cancel_url": back,
            "breadcrumbs": return_crumbs(tenant, member_return, ("Answer a query", "")),
        },
    )


urlpatterns = [
    path("returns/<uuid:return_id>/", anchor_return, name="anchor_return"),
    path(
        "returns/<uuid:return_id>/from-kvis/",
        anchor_return_from_kvis,
        name="anchor_return_from_kvis",
    ),
    path("returns/<uuid:return_id>/import/", anchor_return_import, name="anchor_return_import"),
    path(
        "returns/<uuid:return_id>/import/template.csv",
        anchor_return_import_template,
        name="anchor_return_import_template",
    ),
    path("returns/<uuid:return_id>/submit/", anchor_return_submit, name="anchor_return_submit"),
    path(
        "returns/<uuid:return_id>/evidence/add/",
        anchor_return_evidence_add,
        name="anchor_return_evidence_add",
    ),
    path(
        "return-evidence/<uuid:evidence_id>/",
        anchor_return_evidence_download,
        name="anchor_return_evidence_download",
    ),
    path(
        "return-evidence/<uuid:evidence_id>/remove/",
        anchor_return_evidence_remove,
        name="anchor_return_evidence_remove",
    ),
    path("queries/<uuid:query_id>/respond/", anchor_query_respond, name="anchor_query_respond"),
]
