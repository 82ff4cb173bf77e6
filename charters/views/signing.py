"""The organisation side of a charter: an organisation admin signs on the organisation's behalf
(form -> check your answers -> submit), sees the signature, edits and resubmits it, withdraws,
re-confirms on a new version and applies for the next tier. Thin: selectors read, services
write; the services decide who may do what and refuse with a message."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from charters import selectors, services
from charters.forms.signing import (
    SigningForm,
    TierApplicationForm,
    WithdrawForm,
    answers_from_signatory,
)
from charters.models import ACTIVE_SIGNATORY, SignatoryStatus, TierApplication
from charters.views.common import charter_or_404, crumbs, error_text, pledge_groups, posted
from organisations.models import Participation
from organisations.selectors import participation_api_list
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

FORM_TEMPLATE = "charters/signing/sign_form.html"
CHECK_TEMPLATE = "charters/signing/check_answers.html"


def _signature_crumbs(tenant, charter, signatory, *rest):
    url = reverse("signature_detail", args=[tenant.slug, charter.slug, signatory.organisation_id])
    return crumbs(tenant, charter, (f"{signatory.organisation.name}'s signature", url), *rest)


def _tiers(tenant, charter) -> list:
    return list(selectors.tier_list(tenant=tenant, charter=charter))


def _signing_steps(request, *, make_form, session_key: str, submit, context: dict, initial=None):
    """The three steps of signing on one address: the form (GET, POST), check your answers
    (GET ?step=check) and sending (POST with `confirm`). The answers wait in the session
    between the steps; `submit(form)` calls the service and returns the response."""
    answers = request.session.get(session_key)
    if request.method == "POST":
        if "confirm" in request.POST:
            if answers is None:
                return redirect(request.path)
            form = make_form(data=answers)
            if form.is_valid():
                try:
                    response = submit(form)
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    request.session.pop(session_key, None)
                    return response
            return render(request, FORM_TEMPLATE, {**context, "form": form})
        form = make_form(data=request.POST)
        if form.is_valid():
            request.session[session_key] = form.raw_answers()
            return redirect(f"{request.path}?step=check")
        return render(request, FORM_TEMPLATE, {**context, "form": form})
    if request.GET.get("step") == "check":
        if answers is None:
            return redirect(request.path)
        form = make_form(data=answers)
        if not form.is_valid():
            return render(request, FORM_TEMPLATE, {**context, "form": form})
        return render(request, CHECK_TEMPLATE, {**context, "form": form})
    form = make_form(initial=answers if answers is not None else initial)
    return render(request, FORM_TEMPLATE, {**context, "form": form})


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_sign(request, charter_slug):
    tenant, access = request.tenant, request.access
    charter = charter_or_404(tenant, charter_slug)
    organisation_ids = access.organisations_with(Perm.SIGN_CHARTER)
    organisations = [
        participation.organisation
        for participation in participation_api_list(
            tenant=tenant, organisation_ids=organisation_ids
        )
        if participation.status == Participation.Status.ACTIVE
    ]
    if not organisation_ids or not organisations:
        raise PermissionDenied(
            "Only an organisation admin can sign a charter, on behalf of their organisation."
        )
    version = selectors.published_version(tenant=tenant, charter=charter)
    if version is None:
        return render(
            request,
            "charters/signing/not_open.html",
            {"charter": charter, "breadcrumbs": crumbs(tenant, charter, ("Sign", ""))},
        )
    active = {
        signatory.organisation_id: signatory
        for signatory in selectors.signatory_list(
            tenant=tenant, charter=charter, organisation_ids=[o.id for o in organisations]
        )
        if signatory.status in ACTIVE_SIGNATORY
    }
    available = [o for o in organisations if o.id not in active]
    if not available:
        existing = next(iter(active.values()))
        messages.info(
            request,
            f"{existing.organisation.name} has already signed {charter.title} "
            f"({existing.get_status_display().lower()}).",
        )
        return redirect("signature_detail", tenant.slug, charter.slug, existing.organisation_id)
    tiers = _tiers(tenant, charter)

    def make_form(**kwargs):
        return SigningForm(version=version, organisations=available, tiers=tiers, **kwargs)

    def submit(form):
        signatory = services.charter_sign(
            tenant=tenant,
            actor=request.user,
            access=access,
            version=version,
            organisation=form.chosen_organisation,
            data=form.signing_input(),
            tier=form.chosen_tier,
        )
        messages.success(
            request,
            f"{signatory.organisation.name}'s signature of {charter.title} has been sent for "
            "approval. We will email you when the programme team has decided.",
        )
        return redirect("signature_detail", tenant.slug, charter.slug, signatory.organisation_id)

    return _signing_steps(
        request,
        make_form=make_form,
        session_key=f"charters:sign:{charter.id}",
        submit=submit,
        context={
            "charter": charter,
            "version": version,
            "heading": f"Sign {charter.title}",
            "send_label": "Sign and send for approval",
            "cancel_url": reverse("charter_detail", args=[tenant.slug, charter.slug]),
            "breadcrumbs": crumbs(tenant, charter, ("Sign", "")),
        },
    )


def _may_see_signature(access, organisation_id) -> bool:
    return access.can(Perm.MANAGE_CHARTERS) or access.can(
        Perm.VIEW_OWN_SIGNATURE, organisation_id=organisation_id
    )


def _signatory_or_404(tenant, charter, organisation_id):
    """The organisation's signature of the charter, with its pledges."""
    signatory = selectors.signatory_with_pledges(
        tenant=tenant, charter=charter, organisation_id=organisation_id
    )
    if signatory is None:
        raise Http404("This organisation has not signed this charter.")
    return signatory


def _own_signatory(request, charter_slug, organisation_id, *, to: str):
    """The charter and the organisation's signature, for its organisation admins only (others
    are refused: "Only an organisation admin of this organisation can <to>.")."""
    charter = charter_or_404(request.tenant, charter_slug)
    if not request.access.can(Perm.SIGN_CHARTER, organisation_id=organisation_id):
        raise PermissionDenied(f"Only an organisation admin of this organisation can {to}.")
    return charter, _signatory_or_404(request.tenant, charter, organisation_id)


def _next_tier(tiers, signatory):
    if signatory.tier is None:
        return None
    return next((t for t in tiers if t.position > signatory.tier.position), None)


@tenant_view(Perm.VIEW_CHARTERS)
def signature_detail(request, charter_slug, organisation_id):
    tenant, access = request.tenant, request.access
    charter = charter_or_404(tenant, charter_slug)
    if not _may_see_signature(access, organisation_id):
        raise PermissionDenied(
            "Only the organisation's own people and the programme team can see its signature."
        )
    signatory = _signatory_or_404(tenant, charter, organisation_id)
    can_act = access.can(Perm.SIGN_CHARTER, organisation_id=organisation_id)
    published = selectors.published_version(tenant=tenant, charter=charter)
    changes = []
    if signatory.status == SignatoryStatus.RECONFIRM and published is not None:
        changes = _changes_since_signed(tenant, charter, signatory, published)
    tiers = _tiers(tenant, charter)
    next_tier = _next_tier(tiers, signatory)
    applications = list(signatory.tier_applications.select_related("to_tier"))
    open_application = next(
        (
            a
            for a in applications
            if a.status in (TierApplication.Status.PENDING, TierApplication.Status.AT_PANEL)
        ),
        None,
    )
    return render(
        request,
        "charters/signing/signature_detail.html",
        {
            "charter": charter,
            "signatory": signatory,
            "published": published,
            "changes": changes,
            "pledge_groups": pledge_groups(signatory.pledges.all()),
            "show_tier": len(tiers) > 1,
            "next_tier": next_tier,
            "latest_application": applications[0] if applications else None,
            "can_resubmit": can_act and signatory.status == SignatoryStatus.CHANGES_REQUESTED,
            "can_withdraw": can_act and signatory.status in ACTIVE_SIGNATORY,
            "can_reconfirm": can_act and signatory.status == SignatoryStatus.RECONFIRM,
            "can_apply": can_act
            and signatory.status == SignatoryStatus.SIGNED
            and next_tier is not None
            and open_application is None,
            "can_review_pledges": can_act
            and signatory.status == SignatoryStatus.SIGNED
            and signatory.review_due is not None,
            "can_sign_again": can_act
            and signatory.status in (SignatoryStatus.WITHDRAWN, SignatoryStatus.REJECTED)
            and published is not None,
            "breadcrumbs": crumbs(tenant, charter, (f"{signatory.organisation.name}", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
@require_POST
def signature_pledges_reviewed(request, charter_slug, organisation_id):
    """The organisation's admin confirms its pledges have been reviewed: the next review falls
    due one review period later."""
    tenant = request.tenant
    charter, signatory = _own_signatory(
        request, charter_slug, organisation_id, to="confirm its pledges have been reviewed"
    )
    name = signatory.organisation.name  # read before the service reloads the signatory
    try:
        reviewed = services.signatory_pledges_reviewed(
            tenant=tenant, actor=request.user, access=request.access, signatory=signatory
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        next_review = (
            f" The next review is due by {date_format(reviewed.review_due, 'j F Y')}."
            if reviewed.review_due
            else ""
        )
        messages.success(request, f"{name}'s pledges are marked as reviewed.{next_review}")
    return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)


def _changes_since_signed(tenant, charter, signatory, published):
    if signatory.version_id == published.id:
        return []
    signed = selectors.version_get(tenant=tenant, charter=charter, number=signatory.version.number)
    return selectors.version_changes(old=signed, new=published)


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def signature_resubmit(request, charter_slug, organisation_id):
    tenant, access = request.tenant, request.access
    charter, signatory = _own_signatory(
        request, charter_slug, organisation_id, to="change its signature"
    )
    if signatory.status != SignatoryStatus.CHANGES_REQUESTED:
        messages.info(request, "Only a signature sent back for changes can be edited.")
        return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)
    version = selectors.version_get(tenant=tenant, charter=charter, number=signatory.version.number)

    def make_form(**kwargs):
        return SigningForm(version=version, **kwargs)

    def submit(form):
        services.signatory_resubmit(
            tenant=tenant,
            actor=request.user,
            access=access,
            signatory=signatory,
            data=form.signing_input(),
        )
        messages.success(
            request,
            f"{signatory.organisation.name}'s changed signature has been sent for approval.",
        )
        return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)

    return _signing_steps(
        request,
        make_form=make_form,
        session_key=f"charters:resubmit:{signatory.id}",
        submit=submit,
        initial=answers_from_signatory(signatory),
        context={
            "charter": charter,
            "version": version,
            "signatory": signatory,
            "heading": f"Change {signatory.organisation.name}'s signature",
            "send_label": "Send the changes for approval",
            "cancel_url": reverse(
                "signature_detail", args=[tenant.slug, charter.slug, organisation_id]
            ),
            "breadcrumbs": _signature_crumbs(tenant, charter, signatory, ("Change", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def signature_withdraw(request, charter_slug, organisation_id):
    tenant, access = request.tenant, request.access
    charter, signatory = _own_signatory(
        request, charter_slug, organisation_id, to="withdraw its signature"
    )
    form = WithdrawForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.signatory_withdraw(
                tenant=tenant,
                actor=request.user,
                access=access,
                signatory=signatory,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"{signatory.organisation.name} has withdrawn from {charter.title}."
            )
            return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)
    return render(
        request,
        "charters/signing/withdraw.html",
        {
            "charter": charter,
            "signatory": signatory,
            "form": form,
            "breadcrumbs": _signature_crumbs(tenant, charter, signatory, ("Withdraw", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def signature_reconfirm(request, charter_slug, organisation_id):
    tenant, access = request.tenant, request.access
    charter, signatory = _own_signatory(
        request, charter_slug, organisation_id, to="re-confirm its signature"
    )
    published = selectors.published_version(tenant=tenant, charter=charter)
    if signatory.status != SignatoryStatus.RECONFIRM or published is None:
        messages.info(request, "This signature has not been asked to re-confirm.")
        return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)
    if request.method == "POST":
        try:
            services.signatory_reconfirm(
                tenant=tenant, actor=request.user, access=access, signatory=signatory
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                f"{signatory.organisation.name} has re-confirmed its signature of version "
                f"{published.number}.",
            )
        return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)
    return render(
        request,
        "charters/signing/reconfirm.html",
        {
            "charter": charter,
            "signatory": signatory,
            "published": published,
            "changes": _changes_since_signed(tenant, charter, signatory, published),
            "pledge_groups": pledge_groups(signatory.pledges.all()),
            "breadcrumbs": _signature_crumbs(tenant, charter, signatory, ("Re-confirm", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_apply(request, charter_slug, organisation_id):
    tenant, access = request.tenant, request.access
    charter, signatory = _own_signatory(
        request, charter_slug, organisation_id, to="apply for a higher tier"
    )
    next_tier = _next_tier(_tiers(tenant, charter), signatory)
    if next_tier is None:
        messages.info(request, "The organisation is already at the highest tier.")
        return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)
    form = TierApplicationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            application = services.tier_application_create(
                tenant=tenant,
                actor=request.user,
                access=access,
                signatory=signatory,
                case=form.cleaned_data["case"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{signatory.organisation.name}'s application to become "
                f"{application.to_tier.name} has been sent to the programme team.",
            )
            return redirect("signature_detail", tenant.slug, charter.slug, organisation_id)
    return render(
        request,
        "charters/signing/tier_apply.html",
        {
            "charter": charter,
            "signatory": signatory,
            "next_tier": next_tier,
            "form": form,
            "breadcrumbs": _signature_crumbs(tenant, charter, signatory, ("Apply", "")),
        },
    )
