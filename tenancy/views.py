"""Pages for tenants, people and invitations. Thin: selectors read, services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from organisations.selectors import participation_list
from tenancy import selectors, services
from tenancy.decorators import tenant_view
from tenancy.forms import InvitationForm, TenantSettingsForm
from tenancy.models import Invitation, Membership
from tenancy.permissions import Perm

PAGE_SIZE = 25


def home(request):
    return render(request, "home.html")


@tenant_view(Perm.VIEW_TENANT)
def tenant_home(request):
    tenant = request.tenant
    context = {
        "organisation_count": participation_list(tenant=tenant).count(),
        "breadcrumbs": [("Home", reverse("home")), (tenant.name, "")],
    }
    return render(request, "tenancy/tenant_home.html", context)


def _people_scope(access) -> list | None:
    """None for everyone in the tenant, or the organisations whose people this person may see."""
    return access.organisation_scope(
        tenant_wide=Perm.VIEW_PEOPLE, per_organisation=Perm.VIEW_OWN_PEOPLE
    )


@tenant_view(Perm.VIEW_TENANT)
def people_list(request):
    tenant, access = request.tenant, request.access
    search = request.GET.get("q", "").strip()
    memberships = selectors.membership_list(
        tenant=tenant, organisation_ids=_people_scope(access), search=search
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tenancy/people_list.html",
        {
            "page_obj": page,
            "search": search,
            "querystring": f"q={search}" if search else "",
            "can_remove": access.can(Perm.REMOVE_MEMBERSHIP),
            "breadcrumbs": [
                (tenant.name, reverse("tenant_home", args=[tenant.slug])),
                ("People", ""),
            ],
        },
    )


@tenant_view(Perm.REMOVE_MEMBERSHIP)
@require_http_methods(["GET", "POST"])
def membership_remove(request, membership_id):
    tenant = request.tenant
    membership = (
        Membership.objects.filter(tenant=tenant, id=membership_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such person in this programme.")
    if request.method == "POST":
        try:
            services.membership_remove(
                tenant=tenant, actor=request.user, access=request.access, membership=membership
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{membership.user.email} no longer has that role.")
        return redirect("people_list", tenant.slug)
    return render(request, "tenancy/membership_remove.html", {"membership": membership})


def _invitation_scope(access) -> list | None:
    """None for invitations across the tenant, or the organisations this person invites to."""
    return access.organisation_scope(
        tenant_wide=Perm.INVITE_STAFF, per_organisation=Perm.INVITE_COLLEAGUE
    )


@tenant_view(Perm.VIEW_TENANT)
def invitation_list(request):
    tenant, access = request.tenant, request.access
    status = request.GET.get("status", "")
    if status not in Invitation.Status.values:
        status = ""
    invitations = selectors.invitation_list(
        tenant=tenant, organisation_ids=_invitation_scope(access), status=status
    )
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tenancy/invitation_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": Invitation.Status.choices,
            "querystring": f"status={status}" if status else "",
            "breadcrumbs": [
                (tenant.name, reverse("tenant_home", args=[tenant.slug])),
                ("Invitations", ""),
            ],
        },
    )


@tenant_view(Perm.VIEW_TENANT)
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    tenant, access = request.tenant, request.access
    scope = _invitation_scope(access)
    participations = participation_list(tenant=tenant)
    if scope is not None:
        participations = participations.filter(organisation_id__in=scope)
    form = InvitationForm(request.POST or None, access=access, participations=participations)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                tenant=tenant,
                actor=request.user,
                access=access,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("invitation_list", tenant.slug)
    return render(
        request,
        "tenancy/invitation_form.html",
        {
            "form": form,
            "breadcrumbs": [
                (tenant.name, reverse("tenant_home", args=[tenant.slug])),
                ("Invitations", reverse("invitation_list", args=[tenant.slug])),
                ("Invite someone", ""),
            ],
        },
    )


@tenant_view(Perm.VIEW_TENANT)
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, invitation_id):
    tenant = request.tenant
    invitation = (
        selectors.invitation_list(tenant=tenant, organisation_ids=_invitation_scope(request.access))
        .filter(id=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    if request.method == "POST":
        try:
            services.invitation_revoke(
                tenant=tenant, actor=request.user, access=request.access, invitation=invitation
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
        return redirect("invitation_list", tenant.slug)
    return render(request, "tenancy/invitation_revoke.html", {"invitation": invitation})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, tenant_slug, token):
    """Open to anyone with the link: shows the invitation, asks to sign in, then accepts."""
    tenant = request.tenant
    if tenant is None:
        raise Http404("There is no programme at this address.")
    invitation = selectors.invitation_get_by_token(tenant=tenant, token=token)
    if invitation is None:
        raise Http404("This invitation link is not valid. Check you copied the whole link.")
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            services.invitation_accept(tenant=tenant, invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You have joined {tenant.name}.")
            return redirect("tenant_home", tenant.slug)
    return render(
        request,
        "tenancy/invitation_accept.html",
        {
            "invitation": invitation,
            "error": error,
            "login_url": reverse("account_login"),
            "signup_url": reverse("account_signup"),
        },
        status=400 if error else 200,
    )


@tenant_view(Perm.MANAGE_TENANT_SETTINGS)
@require_http_methods(["GET", "POST"])
def tenant_settings(request):
    tenant = request.tenant
    form = TenantSettingsForm(
        request.POST or None,
        initial={
            "description": tenant.description,
            "require_mfa_for_all": tenant.require_mfa_for_all,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.tenant_settings_update(
            tenant=tenant, actor=request.user, access=request.access, **form.cleaned_data
        )
        messages.success(request, "Settings saved.")
        return redirect("tenant_home", tenant.slug)
    return render(
        request,
        "tenancy/tenant_settings.html",
        {
            "form": form,
            "breadcrumbs": [
                (tenant.name, reverse("tenant_home", args=[tenant.slug])),
                ("Settings", ""),
            ],
        },
    )


@login_required
def platform_overview(request):
    """Platform admins: every tenant with its counts, read through the audited platform path."""
    if not request.user.is_platform_admin:
        raise PermissionDenied("Only platform admins can see the platform overview.")
    return render(
        request,
        "tenancy/platform_overview.html",
        {"tenants": selectors.platform_tenant_summary(actor=request.user)},
    )
