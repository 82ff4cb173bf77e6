"""Awards held: the list, one award with its certificate's progress (waiting, ready, failed
with "Try again"), the certificate download and revoking an award.

Who sees what (awards.selectors.held): the programme team every award; an organisation's
people their organisation's awards and certificates; anyone else gets 403 (the list) or 404
(an award they may not see)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from awards import services
from awards.certificate_tasks import certificate_failure_reason
from awards.forms.held import AwardRevokeForm, AwardSearchForm
from awards.models import CertificateStatus
from awards.selectors.held import (
    award_get_for_user,
    award_list,
    award_scope,
    category_names,
    may_download_certificate,
)
from awards.services.certificates import certificate_retry, may_retry_certificate
from awards.verification import award_status, format_code
from awards.views.common import crumbs
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm
from uploads.responses import private_download

PAGE_SIZE = 25
REFRESH_SECONDS = 5


def _award_or_404(request, award_id):
    award = award_get_for_user(tenant=request.tenant, access=request.access, pk=award_id)
    if award is None:
        raise Http404("No such award.")
    return award


@tenant_view()
@require_safe
def award_list_view(request):
    tenant = request.tenant
    scope = award_scope(request.access)
    if scope is not None and not scope:
        raise PermissionDenied("You do not have permission to see awards in this programme.")
    form = AwardSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"q": "", "state": ""}
    awards = award_list(tenant=tenant, access=request.access, **filters)
    page = Paginator(awards, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "awards/held/award_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(award, award_status(award, today)) for award in page.object_list],
            "is_filtered": bool(filters["q"] or filters["state"]),
            "sees_all": scope is None,
            "querystring": querystring.urlencode(),
            "breadcrumbs": crumbs(tenant, ("Awards held", "")),
        },
    )


@tenant_view()
@require_safe
def award_detail(request, award_id):
    tenant = request.tenant
    award = _award_or_404(request, award_id)
    status = award.certificate_status
    return render(
        request,
        "awards/held/award_detail.html",
        {
            "award": award,
            "status": award_status(award, timezone.localdate()),
            "categories": category_names(award),
            "code": format_code(award.verification_code),
            "waiting": status == CertificateStatus.PENDING,
            "refresh_seconds": REFRESH_SECONDS,
            "application_url": reverse(
                "application_detail", args=[tenant.slug, award.application_id]
            ),
            "verify_url": reverse("public_award_verify", args=[tenant.slug])
            + f"?code={format_code(award.verification_code)}",
            "failure_reason": certificate_failure_reason(tenant=tenant, award=award),
            "may_download": may_download_certificate(request.access, award),
            "may_retry": may_retry_certificate(request.access, award),
            "may_revoke": request.access.can(Perm.MANAGE_AWARD_APPLICATIONS)
            and award.revoked_at is None,
            "breadcrumbs": crumbs(
                tenant,
                ("Awards held", reverse("award_list", args=[tenant.slug])),
                (award.organisation.name, ""),
            ),
        },
    )


@tenant_view()
@require_safe
def certificate_download(request, award_id):
    award = _award_or_404(request, award_id)
    if not may_download_certificate(request.access, award):
        raise PermissionDenied("Only the programme team and the holder can download this.")
    if award.certificate_status != CertificateStatus.READY or not award.certificate_key:
        raise Http404("The certificate is not ready yet.")
    name = slugify(f"{award.organisation.name} {award.level.name} certificate") or "certificate"
    return private_download(
        award.certificate_key, file_name=f"{name}.pdf", content_type="application/pdf"
    )


@tenant_view()
@require_POST
def certificate_retry_view(request, award_id):
    tenant = request.tenant
    award = _award_or_404(request, award_id)
    try:
        certificate_retry(tenant=tenant, actor=request.user, access=request.access, award=award)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The certificate is being produced again.")
    return redirect("award_detail", tenant.slug, award.pk)


@tenant_view(Perm.MANAGE_AWARD_APPLICATIONS)
@require_http_methods(["GET", "POST"])
def award_revoke(request, award_id):
    tenant = request.tenant
    award = _award_or_404(request, award_id)
    if award.revoked_at is not None:
        messages.info(request, "This award has already been revoked.")
        return redirect("award_detail", tenant.slug, award.pk)
    form = AwardRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_revoke(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                award=award,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{award.organisation.name}'s award has been revoked.")
            return redirect("award_detail", tenant.slug, award.pk)
    return render(
        request,
        "awards/held/award_revoke.html",
        {
            "award": award,
            "form": form,
            "breadcrumbs": crumbs(
                tenant,
                ("Awards held", reverse("award_list", args=[tenant.slug])),
                (award.organisation.name, reverse("award_detail", args=[tenant.slug, award.pk])),
                ("Revoke", ""),
            ),
        },
    )


urlpatterns = [
    path("held/", award_list_view, name="award_list"),
    path("held/<uuid:award_id>/", award_detail, name="award_detail"),
    path("held/<uuid:award_id>/certificate.pdf", certificate_download, name="certificate_download"),
    path(
        "held/<uuid:award_id>/certificate/retry/",
        certificate_retry_view,
        name="certificate_retry",
    ),
    path("held/<uuid:award_id>/revoke/", award_revoke, name="award_revoke"),
]
