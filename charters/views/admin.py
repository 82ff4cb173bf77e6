"""Charter pages for the programme team: drafting and publishing charters, the co-production
record, tiers, the dashboard, and deciding on signatures and tier applications. Everyone with a
role may read charters that have been published; tenant admins see drafts and do the rest.

Thin: charters.selectors read, charters.services write (and check permissions again)."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from charters import exports, selectors, services
from charters.forms.admin import (
    CharterForm,
    CharterLinkForm,
    EngagementForm,
    PrincipleForm,
    SignatoryDecisionForm,
    SignatoryFilterForm,
    ThemeForm,
    TierApplicationDecisionForm,
    TierForm,
    VersionMoveForm,
    VersionTextForm,
    allowed_moves,
    date_initial,
)
from charters.models import (
    ACTIVE_SIGNATORY,
    Charter,
    CharterVersion,
    SignatoryStatus,
    TierApplication,
    VersionStatus,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

PAGE_SIZE = 25
ITEM_KINDS = ("principles", "themes")
# Versions everyone with a role may read; tenant admins also see drafts.
READABLE_BY_ALL = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
EXPORTS = {"register", "pledges"}
EXPORT_FORMATS = {"csv", "xlsx"}


# --- Look-ups and breadcrumbs ----------------------------------------------------------------


def _charter_or_404(tenant, charter_slug: str) -> Charter:
    charter = selectors.charter_get(tenant=tenant, slug=charter_slug)
    if charter is None:
        raise Http404("No such charter in this programme.")
    return charter


def _charter_with_versions_or_404(tenant, charter_slug: str) -> Charter:
    """The charter with its versions (newest first) prefetched: two queries."""
    charter = selectors.charter_list(tenant=tenant).filter(slug=charter_slug).first()
    if charter is None:
        raise Http404("No such charter in this programme.")
    return charter


def _version_or_404(request, charter: Charter, number: int) -> CharterVersion:
    version = selectors.version_get(tenant=request.tenant, charter=charter, number=number)
    if version is None or not _may_read(request.access, version):
        raise Http404("No such version of this charter.")
    return version


def _may_read(access, version: CharterVersion) -> bool:
    return access.can(Perm.MANAGE_CHARTERS) or version.status in READABLE_BY_ALL


def _readable_charter_or_404(request, charter_slug: str) -> Charter:
    """The charter with its versions; people who cannot manage charters see only charters
    that have been published."""
    charter = _charter_with_versions_or_404(request.tenant, charter_slug)
    if not request.access.can(Perm.MANAGE_CHARTERS) and not any(
        version.status in READABLE_BY_ALL for version in charter.versions.all()
    ):
        raise Http404("This charter has not been published yet.")
    return charter


def _latest_version(request, charter: Charter) -> CharterVersion:
    """The newest version this person may read, with its principles and themes (the
    charter's versions prefetched)."""
    latest = next(v for v in charter.versions.all() if _may_read(request.access, v))
    return selectors.version_get(tenant=request.tenant, charter=charter, number=latest.number)


def _charter_links(charter: Charter) -> list:
    """Related charters. (No selector for these yet: one query.)"""
    return list(charter.links.select_related("related_charter").order_by("title"))


def _charter_tiers(charter: Charter) -> list:
    """The charter's tiers, entry tier first. (No selector for these yet: one query.)"""
    return list(charter.tiers.order_by("position"))


def _crumbs(tenant, charter: Charter | None = None, *rest):
    crumbs = [
        (tenant.name, reverse("tenant_home", args=[tenant.slug])),
        ("Charters", reverse("charter_list", args=[tenant.slug])),
    ]
    if charter is not None:
        crumbs.append((charter.title, reverse("charter_detail", args=[tenant.slug, charter.slug])))
    return crumbs + list(rest)


def _version_crumb(tenant, charter: Charter, version: CharterVersion):
    return (
        f"Version {version.number}",
        reverse("version_detail", args=[tenant.slug, charter.slug, version.number]),
    )


def _to_version(tenant, charter: Charter, version: CharterVersion):
    return redirect("version_detail", tenant.slug, charter.slug, version.number)


def _posted(request):
    """The form data of a POST (even an empty one), or None to show an unbound form."""
    return request.POST if request.method == "POST" else None


def _refuse_unless_editable(request, charter, version):
    """A redirect with a message when the version's text can no longer change, else None."""
    if version.status in services.EDITABLE_STATUSES:
        return None
    messages.error(
        request,
        f"Version {version.number} is {version.get_status_display().lower()}: its text can no "
        "longer change. Start a new version instead.",
    )
    return _to_version(request.tenant, charter, version)


# --- Charters ----------------------------------------------------------------------------------


@dataclass
class CharterRow:
    charter: Charter
    latest: CharterVersion
    published: CharterVersion | None
    signatures: list = field(default_factory=list)
    can_sign: bool = False


@tenant_view(Perm.VIEW_CHARTERS)
def charter_list(request):
    tenant, access = request.tenant, request.access
    manager = access.can(Perm.MANAGE_CHARTERS)
    own_organisations = access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
    signing_for = set(access.organisations_with(Perm.SIGN_CHARTER))
    signatures: dict = {}
    if own_organisations:
        for signature in selectors.organisation_signatures(
            tenant=tenant, organisation_ids=own_organisations
        ):
            signatures.setdefault(signature.charter_id, []).append(signature)
    rows = []
    for charter in selectors.charter_list(tenant=tenant):
        versions = list(charter.versions.all())
        published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
        if published is None and not manager:
            continue
        own = signatures.get(charter.id, [])
        signed = {s.organisation_id for s in own if s.status in ACTIVE_SIGNATORY}
        rows.append(
            CharterRow(
                charter=charter,
                latest=versions[0],
                published=published,
                signatures=own,
                can_sign=published is not None and bool(signing_for - signed),
            )
        )
    return render(
        request,
        "charters/admin/charter_list.html",
        {
            "rows": rows,
            "can_manage": manager,
            "breadcrumbs": _crumbs(tenant)[:1] + [("Charters", "")],
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_create(request):
    tenant = request.tenant
    form = CharterForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.charter_create(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                title=form.cleaned_data["title"],
                has_tiers=form.cleaned_data["has_tiers"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{charter.title} created. Version 1 is a draft: add its text and principles.",
            )
            return redirect("version_detail", tenant.slug, charter.slug, 1)
    return render(
        request,
        "charters/admin/form_page.html",
        {
            "form": form,
            "title": "Create a charter",
            "intro": "Version 1 starts as a draft with the Social Value Quality Mark health "
            "themes, which you can change.",
            "submit_label": "Create charter",
            "cancel_url": reverse("charter_list", args=[tenant.slug]),
            "breadcrumbs": _crumbs(tenant, None, ("Create a charter", "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
def charter_detail(request, charter_slug):
    tenant, access = request.tenant, request.access
    charter = _readable_charter_or_404(request, charter_slug)
    manager = access.can(Perm.MANAGE_CHARTERS)
    versions = list(charter.versions.all())
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    latest = versions[0]
    context = {
        "charter": charter,
        "versions": versions,
        "latest": latest,
        "published": published,
        "can_manage": manager,
        "register_count": selectors.register_count(tenant=tenant, charter=charter),
        "links": _charter_links(charter),
        "breadcrumbs": _crumbs(tenant, None, (charter.title, "")),
    }
    if manager:
        context.update(
            can_start_version=latest.status
            not in (*services.EDITABLE_STATUSES, VersionStatus.ENDORSED),
            pending_count=selectors.pending_signatures(tenant=tenant, charter=charter).count(),
            open_applications=selectors.tier_application_list(
                tenant=tenant, charter=charter
            ).count(),
            exports=[
                (what, file_format)
                for what in ("register", "pledges")
                for file_format in ("csv", "xlsx")
            ],
        )
    own_organisations = access.organisations_with(Perm.VIEW_OWN_SIGNATURE)
    if own_organisations:
        own = list(
            selectors.signatory_list(
                tenant=tenant, charter=charter, organisation_ids=own_organisations
            )
        )
        signed = {s.organisation_id for s in own if s.status in ACTIVE_SIGNATORY}
        signing_for = set(access.organisations_with(Perm.SIGN_CHARTER))
        context.update(
            own_signatures=own,
            can_sign=published is not None and bool(signing_for - signed),
        )
    return render(request, "charters/admin/charter_detail.html", context)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_new_version(request, charter_slug):
    tenant = request.tenant
    charter = _charter_with_versions_or_404(tenant, charter_slug)
    latest = charter.versions.all()[0]
    if request.method == "POST":
        try:
            version = services.charter_new_version(
                tenant=tenant, actor=request.user, access=request.access, charter=charter
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("charter_detail", tenant.slug, charter.slug)
        messages.success(
            request,
            f"Version {version.number} started as a draft, copied from version {latest.number}.",
        )
        return _to_version(tenant, charter, version)
    return render(
        request,
        "charters/admin/new_version_confirm.html",
        {
            "charter": charter,
            "latest": latest,
            "next_number": latest.number + 1,
            "breadcrumbs": _crumbs(tenant, charter, ("Start a new version", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def charter_link_create(request, charter_slug):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    others = [c for c in selectors.charter_list(tenant=tenant) if c.id != charter.id]
    form = CharterLinkForm(_posted(request), other_charters=others)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.charter_link_add(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                charter=charter,
                title=form.cleaned_data["title"],
                related_charter=form.cleaned_data["related_charter"],
                url=form.cleaned_data["url"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{link.title} added to the related charters.")
            return redirect("charter_detail", tenant.slug, charter.slug)
    return render(
        request,
        "charters/admin/form_page.html",
        {
            "form": form,
            "title": "Add a related charter",
            "intro": "Choose another of this programme's charters, or give the web address of "
            "one published elsewhere.",
            "submit_label": "Add related charter",
            "cancel_url": reverse("charter_detail", args=[tenant.slug, charter.slug]),
            "breadcrumbs": _crumbs(tenant, charter, ("Add a related charter", "")),
        },
    )


# --- Versions ------------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def version_detail(request, charter_slug, number):
    tenant, access = request.tenant, request.access
    charter = _charter_or_404(tenant, charter_slug)
    version = _version_or_404(request, charter, number)
    manager = access.can(Perm.MANAGE_CHARTERS)
    return render(
        request,
        "charters/admin/version_detail.html",
        {
            "charter": charter,
            "version": version,
            "can_edit": manager and version.status in services.EDITABLE_STATUSES,
            "can_move": manager and bool(allowed_moves(version.status)),
            "breadcrumbs": _crumbs(tenant, charter, (f"Version {version.number}", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_edit(request, charter_slug, number):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    version = _version_or_404(request, charter, number)
    if request.method == "GET" and (refused := _refuse_unless_editable(request, charter, version)):
        return refused
    initial = {name: getattr(version, name) for name in services.VERSION_TEXT_FIELDS}
    form = VersionTextForm(_posted(request), initial=initial)
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
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return _to_version(tenant, charter, version)
            form.add_service_errors(error)
        else:
            messages.success(request, f"Version {version.number} saved.")
            return _to_version(tenant, charter, version)
    return render(
        request,
        "charters/admin/form_page.html",
        {
            "form": form,
            "title": f"Edit the text of version {version.number}",
            "submit_label": "Save text",
            "cancel_url": reverse("version_detail", args=[tenant.slug, charter.slug, number]),
            "breadcrumbs": _crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), ("Edit the text", "")
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_move(request, charter_slug, number):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    version = _version_or_404(request, charter, number)
    moves = allowed_moves(version.status)
    if not moves:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: it cannot "
            "move on. Start a new version to change the charter.",
        )
        return _to_version(tenant, charter, version)
    form = VersionMoveForm(_posted(request), current_status=version.status)
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
            return _to_version(tenant, charter, version)
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
            "breadcrumbs": _crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), ("Move", "")
            ),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
def version_changes(request, charter_slug, number):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    version = _version_or_404(request, charter, number)
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
            "breadcrumbs": _crumbs(
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
    form = _item_form(kind, _posted(request), item)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _item_save(request, version, kind, form, item)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                messages.error(request, " ".join(error.messages))
                return _to_version(tenant, charter, version)
            form.add_service_errors(error)
        else:
            messages.success(request, f"{noun.capitalize()} '{saved}' saved.")
            return _to_version(tenant, charter, version)
    title = f"Edit the {noun}" if item else f"Add a {noun}"
    return render(
        request,
        "charters/admin/form_page.html",
        {
            "form": form,
            "title": title,
            "caption": f"{charter.title}, version {version.number}",
            "submit_label": f"Save {noun}",
            "cancel_url": reverse(
                "version_detail", args=[tenant.slug, charter.slug, version.number]
            ),
            "breadcrumbs": _crumbs(
                tenant, charter, _version_crumb(tenant, charter, version), (title, "")
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_item_create(request, charter_slug, number, kind):
    _kind_or_404(kind)
    charter = _charter_or_404(request.tenant, charter_slug)
    version = _version_or_404(request, charter, number)
    return _item_form_page(request, charter, version, kind)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_item_edit(request, charter_slug, number, kind, item_id):
    _kind_or_404(kind)
    charter = _charter_or_404(request.tenant, charter_slug)
    version = _version_or_404(request, charter, number)
    item = _item_or_404(version, kind, item_id)
    return _item_form_page(request, charter, version, kind, item)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def version_item_remove(request, charter_slug, number, kind, item_id):
    tenant = request.tenant
    _kind_or_404(kind)
    charter = _charter_or_404(tenant, charter_slug)
    version = _version_or_404(request, charter, number)
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
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{noun.capitalize()} '{item}' removed.")
        return _to_version(tenant, charter, version)
    return render(
        request,
        "charters/admin/item_remove.html",
        {
            "charter": charter,
            "version": version,
            "item": item,
            "noun": noun,
            "breadcrumbs": _crumbs(
                tenant,
                charter,
                _version_crumb(tenant, charter, version),
                (f"Remove the {noun}", ""),
            ),
        },
    )


# --- Co-production ---------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def engagement_list(request, charter_slug):
    tenant = request.tenant
    charter = _readable_charter_or_404(request, charter_slug)
    version = _latest_version(request, charter)
    principle_titles = {p.code: p.title for p in version.principles.all()}
    theme_titles = {t.code: t.name for t in version.themes.all()}
    activities = [
        (
            activity,
            [principle_titles.get(code, code) for code in activity.principle_codes],
            [theme_titles.get(code, code) for code in activity.theme_codes],
        )
        for activity in selectors.engagement_list(tenant=tenant, charter=charter)
    ]
    summary = selectors.engagement_summary(tenant=tenant, charter=charter, version=version)
    return render(
        request,
        "charters/admin/engagement_list.html",
        {
            "charter": charter,
            "version": version,
            "activities": activities,
            "people_total": sum(activity.people_count for activity, _, _ in activities),
            "principle_summary": summary[: len(principle_titles)],
            "theme_summary": summary[len(principle_titles) :],
            "can_manage": request.access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": _crumbs(tenant, charter, ("Co-production", "")),
        },
    )


def _engagement_form_page(request, charter, engagement=None):
    tenant = request.tenant
    version = _latest_version(request, charter)
    initial = None
    if engagement is not None:
        initial = {
            "held_on": date_initial(engagement.held_on),
            "kind": engagement.kind,
            "audience": engagement.audience,
            "people_count": engagement.people_count,
            "heard": engagement.heard,
            "principle_codes": engagement.principle_codes,
            "theme_codes": engagement.theme_codes,
        }
    form = EngagementForm(_posted(request), initial=initial, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        principle_codes, theme_codes = list(data["principle_codes"]), list(data["theme_codes"])
        if engagement is not None:
            # Keep tags to principles and themes that the latest version no longer has.
            principle_codes += _codes_not_offered(engagement.principle_codes, form, "principle")
            theme_codes += _codes_not_offered(engagement.theme_codes, form, "theme")
        try:
            services.engagement_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                charter=charter,
                held_on=data["held_on"],
                kind=data["kind"],
                audience=data["audience"],
                people_count=data["people_count"],
                heard=data["heard"],
                principle_codes=principle_codes,
                theme_codes=theme_codes,
                engagement=engagement,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Engagement activity saved.")
            return redirect("engagement_list", tenant.slug, charter.slug)
    title = "Edit the engagement activity" if engagement else "Record an engagement activity"
    return render(
        request,
        "charters/admin/form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": "Tick the principles and themes of the latest version that this activity "
            "shaped.",
            "submit_label": "Save activity",
            "cancel_url": reverse("engagement_list", args=[tenant.slug, charter.slug]),
            "breadcrumbs": _crumbs(
                tenant,
                charter,
                ("Co-production", reverse("engagement_list", args=[tenant.slug, charter.slug])),
                (title, ""),
            ),
        },
    )


def _codes_not_offered(codes, form, prefix: str) -> list[str]:
    offered = {value for value, _ in form.fields[f"{prefix}_codes"].choices}
    return [code for code in codes if code not in offered]


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def engagement_create(request, charter_slug):
    charter = _charter_with_versions_or_404(request.tenant, charter_slug)
    return _engagement_form_page(request, charter)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def engagement_edit(request, charter_slug, engagement_id):
    charter = _charter_with_versions_or_404(request.tenant, charter_slug)
    engagement = (
        selectors.engagement_list(tenant=request.tenant, charter=charter)
        .filter(id=engagement_id)
        .first()
    )
    if engagement is None:
        raise Http404("No such engagement activity.")
    return _engagement_form_page(request, charter, engagement)


# --- Tiers -----------------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def tier_list(request, charter_slug):
    tenant = request.tenant
    charter = _readable_charter_or_404(request, charter_slug)
    return render(
        request,
        "charters/admin/tier_list.html",
        {
            "charter": charter,
            "tiers": _charter_tiers(charter),
            "can_manage": request.access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": _crumbs(tenant, charter, ("Tiers", "")),
        },
    )


def _tier_form_page(request, charter, tier=None):
    tenant = request.tenant
    initial = None
    if tier is not None:
        initial = {
            "name": tier.name,
            "description": tier.description,
            "requires_panel": tier.requires_panel,
            "review_months": tier.review_months,
        }
    form = TierForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.tier_save(
                tenant=tenant,
                actor=request.user,
                access=request.access,
                charter=charter,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                requires_panel=form.cleaned_data["requires_panel"],
                review_months=form.cleaned_data["review_months"],
                tier=tier,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Tier '{saved.name}' saved.")
            return redirect("tier_list", tenant.slug, charter.slug)
    title = f"Edit the tier {tier.name}" if tier else "Add a tier"
    return render(
        request,
        "charters/admin/form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": None if tier else "New tiers go above the existing ones.",
            "submit_label": "Save tier",
            "cancel_url": reverse("tier_list", args=[tenant.slug, charter.slug]),
            "breadcrumbs": _crumbs(
                tenant,
                charter,
                ("Tiers", reverse("tier_list", args=[tenant.slug, charter.slug])),
                (title, ""),
            ),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_create(request, charter_slug):
    charter = _charter_or_404(request.tenant, charter_slug)
    return _tier_form_page(request, charter)


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_edit(request, charter_slug, tier_id):
    charter = _charter_or_404(request.tenant, charter_slug)
    tier = next((t for t in _charter_tiers(charter) if t.id == tier_id), None)
    if tier is None:
        raise Http404("No such tier.")
    return _tier_form_page(request, charter, tier)


# --- Dashboard -------------------------------------------------------------------------------

CHART_HEIGHT = 160
CHART_BAR_WIDTH = 32
CHART_GAP = 12
CHART_TOP = 20  # room for the value above the tallest bar
CHART_BOTTOM = 24  # room for the month under each bar


def _month_bars(by_month) -> dict | None:
    """Geometry for a server-rendered SVG bar chart of approvals per month."""
    if not by_month:
        return None
    tallest = max(n for _, n in by_month) or 1
    bars = []
    for index, (month, n) in enumerate(by_month):
        height = round(n / tallest * (CHART_HEIGHT - CHART_TOP - CHART_BOTTOM))
        x = CHART_GAP + index * (CHART_BAR_WIDTH + CHART_GAP)
        y = CHART_HEIGHT - CHART_BOTTOM - height
        bars.append(
            {
                "month": month,
                "n": n,
                "x": x,
                "y": y,
                "height": height,
                "label_x": x + CHART_BAR_WIDTH // 2,
                "value_y": y - 4,
            }
        )
    return {
        "bars": bars,
        "width": CHART_GAP + len(by_month) * (CHART_BAR_WIDTH + CHART_GAP),
        "height": CHART_HEIGHT,
        "bar_width": CHART_BAR_WIDTH,
        "axis_y": CHART_HEIGHT - CHART_BOTTOM,
        "month_y": CHART_HEIGHT - 8,
    }


@tenant_view(Perm.MANAGE_CHARTERS)
def charter_dashboard(request, charter_slug):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    dashboard = selectors.charter_dashboard(tenant=tenant, charter=charter)
    return render(
        request,
        "charters/admin/dashboard.html",
        {
            "charter": charter,
            "dashboard": dashboard,
            "chart": _month_bars(dashboard.by_month),
            "breadcrumbs": _crumbs(tenant, charter, ("Dashboard", "")),
        },
    )


# --- Signatories -----------------------------------------------------------------------------


@tenant_view(Perm.MANAGE_CHARTERS)
def signatory_list(request, charter_slug):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    filters = SignatoryFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    signatories = selectors.signatory_list(tenant=tenant, charter=charter, status=status)
    page = Paginator(signatories, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "charters/admin/signatory_list.html",
        {
            "charter": charter,
            "filters": filters,
            "status": status,
            "status_label": SignatoryStatus(status).label if status else "",
            "page_obj": page,
            "querystring": f"status={status}" if status else "",
            "pending_count": (
                selectors.pending_signatures(tenant=tenant, charter=charter).count()
                if status != SignatoryStatus.PENDING
                else page.paginator.count
            ),
            "breadcrumbs": _crumbs(tenant, charter, ("Signatories", "")),
        },
    )


def _signatory_or_404(tenant, charter, signatory_id):
    """The signatory with its organisation, signers and pledges. (selectors has no look-up by
    id with pledges; this finds the organisation first, then uses signatory_with_pledges.)"""
    organisation_id = (
        selectors.signatory_list(tenant=tenant, charter=charter)
        .filter(id=signatory_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    signatory = None
    if organisation_id is not None:
        signatory = selectors.signatory_with_pledges(
            tenant=tenant, charter=charter, organisation_id=organisation_id
        )
    if signatory is None:
        raise Http404("No such signatory of this charter.")
    return signatory


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def signatory_review(request, charter_slug, signatory_id):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    signatory = _signatory_or_404(tenant, charter, signatory_id)
    pending = signatory.status == SignatoryStatus.PENDING
    form = SignatoryDecisionForm(_posted(request)) if pending else None
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                f"Only a signature waiting for approval can be decided; this one is "
                f"{signatory.get_status_display().lower()}.",
            )
            return redirect("signatory_review", tenant.slug, charter.slug, signatory.id)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                services.signatory_decide(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    signatory=signatory,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _decision_message(signatory.organisation, decision))
                return redirect("signatory_list", tenant.slug, charter.slug)
    return render(
        request,
        "charters/admin/signatory_review.html",
        {
            "charter": charter,
            "signatory": signatory,
            "form": form,
            "breadcrumbs": _crumbs(
                tenant,
                charter,
                ("Signatories", reverse("signatory_list", args=[tenant.slug, charter.slug])),
                (signatory.organisation.name, ""),
            ),
        },
    )


def _decision_message(organisation, decision: str) -> str:
    if decision == services.Decision.APPROVE:
        return f"{organisation.name} approved: it is now on the register."
    if decision == services.Decision.REQUEST_CHANGES:
        return f"Changes asked of {organisation.name}. Its admins have been emailed."
    return f"{organisation.name}'s signature rejected. Its admins have been emailed."


# --- Tier applications -----------------------------------------------------------------------


@tenant_view(Perm.MANAGE_CHARTERS)
def tier_application_list(request, charter_slug):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "charters/admin/tier_application_list.html",
        {
            "charter": charter,
            "applications": list(
                selectors.tier_application_list(
                    tenant=tenant, charter=charter, open_only=not show_all
                )
            ),
            "show_all": show_all,
            "breadcrumbs": _crumbs(tenant, charter, ("Tier applications", "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def tier_application_review(request, charter_slug, application_id):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    application = (
        selectors.tier_application_list(tenant=tenant, charter=charter, open_only=False)
        .filter(id=application_id)
        .first()
    )
    if application is None:
        raise Http404("No such tier application.")
    is_open = application.status in (
        TierApplication.Status.PENDING,
        TierApplication.Status.AT_PANEL,
    )
    form = (
        TierApplicationDecisionForm(_posted(request), application=application) if is_open else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(request, "This application has already been decided.")
            return redirect("tier_application_review", tenant.slug, charter.slug, application.id)
        if form.is_valid():
            try:
                decided = services.tier_application_decide(
                    tenant=tenant,
                    actor=request.user,
                    access=request.access,
                    application=application,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    panel_notes=form.cleaned_data["panel_notes"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"{application.signatory.organisation.name}: application "
                    f"{decided.get_status_display().lower()}.",
                )
                return redirect("tier_application_list", tenant.slug, charter.slug)
    organisation = application.signatory.organisation
    return render(
        request,
        "charters/admin/tier_application_review.html",
        {
            "charter": charter,
            "application": application,
            "organisation": organisation,
            "form": form,
            "breadcrumbs": _crumbs(
                tenant,
                charter,
                (
                    "Tier applications",
                    reverse("tier_application_list", args=[tenant.slug, charter.slug]),
                ),
                (organisation.name, ""),
            ),
        },
    )


# --- Exports ---------------------------------------------------------------------------------


@tenant_view(Perm.MANAGE_CHARTERS)
def charter_export(request, charter_slug, what, file_format):
    if what not in EXPORTS or file_format not in EXPORT_FORMATS:
        raise Http404("No such export.")
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    rows_for = exports.register_rows if what == "register" else exports.pledge_rows
    rows = rows_for(tenant=tenant, charter=charter)
    filename = f"{charter.slug}-{what}.{file_format}"
    if file_format == "csv":
        return exports.to_csv_response(rows, filename)
    return exports.to_xlsx_response(rows, filename)
