"""A charter's versions for the programme team: reading a version, editing its text, its
principles and themes, moving it through its stages (draft, consultation, endorsed, published)
and what changed from the version before.

Thin: charters.selectors read, charters.services write (and check permissions again)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from charters import selectors, services
from charters.forms.admin import (
    PrincipleForm,
    ThemeForm,
    VersionMoveForm,
    VersionTextForm,
    allowed_moves,
)
from charters.models import Charter, CharterVersion, SignatoryStatus, VersionStatus
from charters.views.common import (
    charter_or_404,
    crumbs,
    error_text,
    posted,
    to_version,
    version_or_404,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

ITEM_KINDS = ("principles", "themes")


def _version_crumb(tenant, charter: Charter, version: CharterVersion):
    return (
        f"Version {version.number}",
        reverse("version_detail", args=[tenant.slug, charter.slug, version.number]),
    )


def _refused_or_on_form(request, form, error: ValidationError, charter, version):
    """A service's refusal of the whole change (no field named) as a message on the version's
    page (the redirect is returned); errors naming fields go on the form (None is returned)."""
    if hasattr(error, "error_dict"):
        form.add_service_errors(error)
        return None
    messages.error(request, error_text(error))
    return to_version(request.tenant, charter, version)


def _refuse_unless_editable(request, charter, version):
    """A redirect with a message when the version's text can no longer change, else None."""
    if version.status in services.EDITABLE_STATUSES:
        return None
    messages.error(
        request,
        f"Version {version.number} is {version.get_status_display().lower()}: its text can no "
        "longer change. Start a new version instead.",
    )
    return to_version(request.tenant, charter, version)


# --- Versions ------------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def version_detail(request, charter_slug, number):
    tenant, access = request.tenant, request.access
    charter = charter_or_404(tenant, charter_slug)
    version = version_or_404(request, charter, number)
    manager = access.can(Perm.MANAGE_CHARTERS)
    return render(
        request,
        "charters/admin/version_detail.html",
        {
            "charter": charter,
            "version": version,
            "can_edit": manager and version.status in services.EDITABLE_STATUSES,
            "can_move": manager and bool(allowed_moves(version.status)),
            "breadcrumbs": crumbs(tenant, charter, (f"Version {version.number}", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_edit(request, charter_slug, number):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    version = version_or_404(request, charter, number)
    if request.method == "GET" and (refused := _refuse_unless_editable(request, charter, version)):
        return refused
    initial = {name: getattr(version, name) for name in services.VERSION_TEXT_FIELDS}
    form = VersionTextForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.charter_version_update(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                version=version,
                **{name: form.cleaned_data[name] for name in services.VERSION_TEXT_FIELDS},
            )
        except ValidationError as error:
            if refused := _refused_or_on_form(request, form, error, charter, version):
                return refused
        else:
            messages.success(request, f"Version {version.number} saved.")
            return to_version(tenant, charter, version)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Edit the text of version {version.number}",
            "submit_label": "Save text",
            "cancel_url": reverse("version_detail", args=[tenant.slug, charter.slug, number]),
            "breadcrumbs": crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), ("Edit the text", "")
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_move(request, charter_slug, number):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    version = version_or_404(request, charter, number)
    moves = allowed_moves(version.status)
    if not moves:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: it cannot "
            "move on. Start a new version to change the charter.",
        )
        return to_version(tenant, charter, version)
    form = VersionMoveForm(posted(request), current_status=version.status)
    if request.method == "POST" and form.is_valid():
        to_status = form.cleaned_data["to_status"]
        try:
            services.charter_version_transition(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                version=version,
                to_status=to_status,
                endorsing_body=form.cleaned_data.get("endorsing_body", ""),
                endorsed_on=form.cleaned_data.get("endorsed_on"),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Version {version.number} is now {VersionStatus(to_status).label.lower()}.",
            )
            return to_version(tenant, charter, version)
    publishing = any(status == VersionStatus.PUBLISHED for status, _ in moves)
    reconfirm_count = (
        selectors.signatory_list(
            tenant=tenant, charter=charter, status=SignatoryStatus.SIGNED
        ).count()
        if publishing
        else 0
    )
    return render(
        request,
        "charters/admin/version_move.html",
        {
            "form": form,
            "charter": charter,
            "version": version,
            "publishing": publishing,
            "reconfirm_count": reconfirm_count,
            "breadcrumbs": crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), ("Move", "")
            ),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
def version_changes(request, charter_slug, number):
    tenant = request.tenant
    charter = charter_or_404(tenant, charter_slug)
    version = version_or_404(request, charter, number)
    previous = None
    if number > 1:
        previous = selectors.version_get(tenant=tenant, charter=charter, number=number - 1)
    changes = selectors.version_changes(old=previous, new=version) if previous is not None else None
    return render(
        request,
        "charters/admin/version_changes.html",
        {
            "charter": charter,
            "version": version,
            "previous": previous,
            "changes": changes,
            "breadcrumbs": crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), ("What changed", "")
            ),
        },
    )


# --- Principles and themes of a version -----------------------------------------------------


def _kind_or_404(kind: str) -> str:
    if kind not in ITEM_KINDS:
        raise Http404("A version has principles and themes only.")
    return kind


def _item_or_404(version: CharterVersion, kind: str, item_id):
    items = version.principles.all() if kind == "principles" else version.themes.all()
    item = next((item for item in items if item.id == item_id), None)
    if item is None:
        raise Http404("No such principle or theme in this version.")
    return item


def _item_noun(kind: str) -> str:
    return "principle" if kind == "principles" else "theme"


def _item_form(kind: str, data=None, item=None):
    if kind == "principles":
        initial = {"title": item.title, "description": item.description} if item else None
        return PrincipleForm(data, initial=initial)
    initial = {"name": item.name, "description": item.description} if item else None
    return ThemeForm(data, initial=initial)


def _item_save(request, version, kind, form, item=None):
    common = {
        "tenant": request.tenant,
        "actor": request.user,
        "access": request.access,
        "version": version,
        "description": form.cleaned_data["description"],
    }
    if kind == "principles":
        return services.principle_save(**common, title=form.cleaned_data["title"], principle=item)
    return services.theme_save(**common, name=form.cleaned_data["name"], theme=item)


def _item_form_page(request, charter, version, kind, item=None):
    tenant = request.tenant
    if request.method == "GET" and (refused := _refuse_unless_editable(request, charter, version)):
        return refused
    noun = _item_noun(kind)
    form = _item_form(kind, posted(request), item)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _item_save(request, version, kind, form, item)
        except ValidationError as error:
            if refused := _refused_or_on_form(request, form, error, charter, version):
                return refused
        else:
            messages.success(request, f"{noun.capitalize()} '{saved}' saved.")
            return to_version(tenant, charter, version)
    title = f"Edit the {noun}" if item else f"Add a {noun}"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": f"{charter.title}, version {version.number}",
            "submit_label": f"Save {noun}",
            "cancel_url": reverse(
                "version_detail", args=[tenant.slug, charter.slug, version.number]
            ),
            "breadcrumbs": crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), (title, "")
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_item_create(request, charter_slug, number, kind):
    _kind_or_404(kind)
    charter = charter_or_404(request.tenant, charter_slug)
    version = version_or_404(request, charter, number)
    return _item_form_page(request, charter, version, kind)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_item_edit(request, charter_slug, number, kind, item_id):
    _kind_or_404(kind)
    charter = charter_or_404(request.tenant, charter_slug)
    version = version_or_404(request, charter, number)
    item = _item_or_404(version, kind, item_id)
    return _item_form_page(request, charter, version, kind, item)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_item_remove(request, charter_slug, number, kind, item_id):
    tenant = request.tenant
    _kind_or_404(kind)
    charter = charter_or_404(tenant, charter_slug)
    version = version_or_404(request, charter, number)
    item = _item_or_404(version, kind, item_id)
    if request.method == "GET" and (refused := _refuse_unless_editable(request, charter, version)):
        return refused
    noun = _item_noun(kind)
    if request.method == "POST":
        try:
            services.version_item_remove(
                tenant=tenant, actor=request.user, access=request.access, item=item
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, f"{noun.capitalize()} '{item}' removed.")
        return to_version(tenant, charter, version)
    return render(
        request,
        "charters/admin/item_remove.html",
        {
            "charter": charter,
            "version": version,
            "item": item,
            "noun": noun,
            "breadcrumbs": crumbs(
                tenant,
                charter,
                _version_crumb(tenant, charter, version),
                (f"Remove the {noun}", ""),
            ),
        },
    )
