"""Answering the questions, choosing the areas. The answers page saves as it goes: a small
script (static/js/award-autosave.js) posts each answer to `application_answer_autosave`, which
answers in JSON; with JavaScript off, the page's own form saves every answer at once."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from awards import selectors, services
from awards.forms.applications import AnswersForm, AreasForm, AutosaveForm, answer_field_name
from awards.models import AreasRule
from awards.rules import applicable_criteria, application_missing
from awards.views.application_common import (
    applicant_view,
    application_crumbs,
    detail_url,
    error_text,
    not_editable,
)
from tenancy.decorators import tenant_view


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_answers(request, application_id):
    tenant = request.tenant
    view = applicant_view(request, application_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    criteria = applicable_criteria(tenant=tenant, application=application)
    answers = selectors.application_answers(tenant=tenant, application=application)
    form = AnswersForm(
        request.POST if request.method == "POST" else None, criteria=criteria, answers=answers
    )
    if request.method == "POST" and form.is_valid():
        for criterion in criteria:
            try:
                services.answer_save(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    application=application,
                    criterion=criterion,
                    text=form.text_for(criterion),
                )
            except ValidationError as error:
                form.add_error(answer_field_name(criterion), error_text(error))
        if not form.errors:
            messages.success(request, "Answers saved.")
            if "continue" in request.POST:
                return redirect(detail_url(request, application))
            return redirect(reverse("application_answers", args=[tenant.slug, application.pk]))
    missing = application_missing(tenant=tenant, application=application)
    missing_by_key = {}
    for item in missing:
        missing_by_key.setdefault(item.key, []).append(item.message)
    rows = [
        (criterion, field, words, missing_by_key.get(f"criterion:{criterion.code}", []))
        for criterion, field, words in form.rows()
    ]
    return render(
        request,
        "awards/applications/answers.html",
        {
            "form": form,
            "rows": rows,
            "application": application,
            "missing": missing,
            "breadcrumbs": application_crumbs(request, application, ("Answers", "")),
        },
    )


@tenant_view()
@require_POST
def application_answer_autosave(request, application_id, criterion_id):
    """Save one answer; JSON back: the word count, the limit and what is still missing."""
    tenant = request.tenant
    try:
        view = applicant_view(request, application_id)
    except PermissionDenied as error:
        return JsonResponse({"saved": False, "error": str(error)}, status=403)
    except Http404:
        return JsonResponse({"saved": False, "error": "No such application."}, status=404)
    application = view.application
    criterion = next(
        (
            c
            for c in applicable_criteria(tenant=tenant, application=application)
            if c.pk == criterion_id
        ),
        None,
    )
    if criterion is None:
        return JsonResponse(
            {"saved": False, "error": "That question is not part of this application."},
            status=404,
        )
    form = AutosaveForm(request.POST)
    form.is_valid()
    try:
        answer = services.answer_save(
            tenant=tenant,
            actor=request.user,
            access=request.access,
            application=application,
            criterion=criterion,
            text=form.cleaned_data.get("text", ""),
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "error": error_text(error)}, status=400)
    except PermissionDenied as error:
        return JsonResponse({"saved": False, "error": str(error)}, status=403)
    missing = application_missing(tenant=tenant, application=application)
    limit = criterion.word_limit
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.localtime().strftime("%H:%M"),
            "words": answer.word_count,
            "word_limit": limit,
            "over_limit": bool(limit and answer.word_count > limit),
            "missing": [item.message for item in missing],
            "missing_here": [
                item.message for item in missing if item.key == f"criterion:{criterion.code}"
            ],
        }
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def application_areas(request, application_id):
    view = applicant_view(request, application_id)
    application = view.application
    if not view.can_edit:
        return not_editable(request, application)
    version = application.version
    if version.areas_rule == AreasRule.ALL:
        messages.info(request, "This award covers every area: there is nothing to choose.")
        return redirect(detail_url(request, application))
    form = AreasForm(
        request.POST if request.method == "POST" else None,
        version=version,
        initial={"area_codes": application.area_codes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_areas_choose(
                tenant=request.tenant,
                actor=request.user,
                access=request.access,
                application=application,
                area_codes=form.cleaned_data["area_codes"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Areas saved.")
            return redirect(detail_url(request, application))
    level = application.level
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Which areas will you cover?",
            "caption": application.organisation.name,
            "intro": f"{level.name} asks for at least {level.minimum_areas} area"
            f"{'s' if level.minimum_areas != 1 else ''}. Questions and commitments follow the "
            "areas you choose.",
            "submit_label": "Save areas",
            "cancel_url": detail_url(request, application),
            "breadcrumbs": application_crumbs(request, application, ("Areas", "")),
        },
    )


urlpatterns = [
    path(
        "applications/<uuid:application_id>/answers/",
        application_answers,
        name="application_answers",
    ),
    path(
        "applications/<uuid:application_id>/answers/<uuid:criterion_id>/",
        application_answer_autosave,
        name="application_answer_autosave",
    ),
    path(
        "applications/<uuid:application_id>/areas/",
        application_areas,
        name="application_areas",
    ),
]
