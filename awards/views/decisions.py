"""The programme team's pages that end an assessment: moderation (the assessors' scores side by
side, their spread and the pass rule's result), the decision drafted from the scores with its
feedback letter (edited: outcome, categories, the reason for overriding the pass rule, the
letter), and sending it after a confirmation page.

Thin: awards.moderation and awards.selectors read, awards.services write."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from awards import selectors, services
from awards.forms.decisions import DecisionForm, RefusalForm
from awards.models import ASSESSABLE_STATUSES, DecisionOutcome, DecisionStatus
from awards.moderation import moderation as moderation_of
from awards.views.common import crumbs
from awards.views.team_common import (
    application_crumb,
    dashboard_crumb,
    detail_url,
    managed_application_or_404,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

DRAFT, SAVE = "draft", "save"


def _crumbs(tenant, application, label):
    return crumbs(
        tenant, dashboard_crumb(tenant), application_crumb(tenant, application), (label, "")
    )


def _wide(spread, version) -> bool:
    """A spread of half the rubric's scale or more is worth a conversation."""
    return spread is not None and spread * 2 >= version.rubric_max - version.rubric_min


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
def moderation(request, application_id):
    tenant = request.tenant
    application = managed_application_or_404(request, application_id)
    version = application.version
    result = moderation_of(tenant=tenant, application=application)
    rows = [
        {
            "number": number,
            "row": row,
            "cells": list(zip(result.assessors, row.scores, strict=True)),
            "wide": _wide(row.spread, version),
        }
        for number, row in enumerate(result.rows, start=1)
    ]
    return render(
        request,
        "awards/decisions/moderation.html",
        {
            "application": application,
            "version": version,
            "moderation": result,
            "rows": rows,
            "decision": selectors.decision_get(tenant=tenant, application=application),
            "decidable": application.status in ASSESSABLE_STATUSES,
            "detail_url": detail_url(tenant, application),
            "breadcrumbs": _crumbs(tenant, application, "Moderation"),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def decision_draft(request, application_id):
    tenant = request.tenant
    application = managed_application_or_404(request, application_id)
    decision = selectors.decision_get(tenant=tenant, application=application)
    categories = list(application.version.categories.all())
    is_draft = decision is not None and decision.status == DecisionStatus.DRAFT
    refusal = RefusalForm()
    form = None
    if is_draft:
        form = DecisionForm(
            request.POST if request.POST.get("action") == SAVE else None,
            decision=decision,
            categories=categories,
        )
    if request.method == "POST":
        action = request.POST.get("action")
        base = {"tenant": tenant, "actor": request.user, "access": request.access}
        if action == DRAFT:
            try:
                services.decision_draft(**base, application=application)
            except ValidationError as error:
                refusal = RefusalForm({})
                refusal.is_valid()
                refusal.add_service_errors(error)
            else:
                messages.success(
                    request, "The decision is drafted from the scores. Check the letter."
                )
                return redirect("decision_draft", tenant.slug, application.pk)
        elif action == SAVE and form is not None and form.is_valid():
            try:
                services.decision_update(
                    **base,
                    decision=decision,
                    outcome=form.cleaned_data["outcome"],
                    feedback_letter=form.cleaned_data["feedback_letter"],
                    override_reason=form.cleaned_data["override_reason"],
                    category_codes=form.cleaned_data.get("category_codes", []),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "The draft decision is saved.")
                if request.POST.get("next") == "send":
                    return redirect("decision_send", tenant.slug, application.pk)
                return redirect("decision_draft", tenant.slug, application.pk)
        elif action not in (DRAFT, SAVE) or form is None:
            return redirect("decision_draft", tenant.slug, application.pk)
    names = {category.code: category.name for category in categories}
    return render(
        request,
        "awards/decisions/draft.html",
        {
            "application": application,
            "decision": decision,
            "is_draft": is_draft,
            "form": form,
            "refusal": refusal,
            "category_names": [
                names.get(code, code) for code in (decision.category_codes if decision else [])
            ],
            "decidable": application.status in ASSESSABLE_STATUSES,
            "detail_url": detail_url(tenant, application),
            "breadcrumbs": _crumbs(tenant, application, "Decision"),
        },
    )


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def decision_send(request, application_id):
    tenant = request.tenant
    application = managed_application_or_404(request, application_id)
    decision = selectors.decision_get(tenant=tenant, application=application)
    if decision is None or decision.status != DecisionStatus.DRAFT:
        messages.error(
            request,
            "Draft the decision first."
            if decision is None
            else "This decision has already been sent.",
        )
        return redirect("decision_draft", tenant.slug, application.pk)
    refusal = RefusalForm()
    if request.method == "POST":
        try:
            services.decision_send(
                tenant=tenant, actor=request.user, access=request.access, decision=decision
            )
        except ValidationError as error:
            refusal = RefusalForm({})
            refusal.is_valid()
            refusal.add_service_errors(error)
        else:
            outcome = DecisionOutcome(decision.outcome).label.lower()
            messages.success(
                request,
                f"The decision is sent: {application.organisation.name} is {outcome}. "
                "They are emailed the letter.",
            )
            return redirect(detail_url(tenant, application))
    categories = {c.code: c.name for c in application.version.categories.all()}
    return render(
        request,
        "awards/decisions/send.html",
        {
            "application": application,
            "decision": decision,
            "refusal": refusal,
            "category_names": [categories.get(code, code) for code in decision.category_codes],
            "draft_url": reverse("decision_draft", args=[tenant.slug, application.pk]),
            "breadcrumbs": _crumbs(tenant, application, "Send the decision"),
        },
    )


urlpatterns = [
    path("applications/<uuid:application_id>/moderation/", moderation, name="moderation"),
    path("applications/<uuid:application_id>/decision/", decision_draft, name="decision_draft"),
    path(
        "applications/<uuid:application_id>/decision/send/",
        decision_send,
        name="decision_send",
    ),
]
