"""Pages for the parts of a draft scheme version (MANAGE_AWARD_SCHEMES): add and change its
areas, levels, criteria (questions), award categories and application windows, and remove
any of them after a confirmation page. A version that is no longer a draft is refused with a
message. The URL patterns are joined by awards.views.schemes.

Thin: awards.selectors reads (through awards.views.scheme_common), awards.services writes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from awards import services
from awards.forms.schemes import (
    AreaForm,
    CategoryForm,
    CriterionForm,
    LevelForm,
    WindowForm,
    date_initial,
)
from awards.views.scheme_common import (
    draft_or_redirect,
    error_text,
    find_or_404,
    posted,
    save_form,
    to_version,
    version_crumbs,
    version_or_404,
    writer,
)
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

# URL segment -> (noun, related name on the version)
KINDS = {
    "areas": ("area", "areas"),
    "levels": ("level", "levels"),
    "criteria": ("question", "criteria"),
    "categories": ("category", "categories"),
    "windows": ("application window", "windows"),
}
LEVEL_FIELDS = (
    "name",
    "requirements",
    "minimum_areas",
    "minimum_commitments",
    "kvis_per_commitment",
    "validity_years",
    "tracking_months",
)


def _editable_version(request, version_id):
    """(version, None) for a draft; (version, redirect with a message) otherwise."""
    version = version_or_404(request, version_id)
    return version, draft_or_redirect(request, version)


def _title(noun: str, item) -> str:
    return f"Change the {noun}" if item else f"Add {'an' if noun[0] in 'aeiou' else 'a'} {noun}"


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def area_edit(request, version_id, item_id=None):
    version, refused = _editable_version(request, version_id)
    if refused:
        return refused
    area = find_or_404(version.areas.all(), item_id) if item_id else None
    initial = {"name": area.name, "description": area.description} if area else None
    form = AreaForm(posted(request), initial=initial)
    return save_form(
        request,
        version,
        form,
        lambda: services.area_save(
            **writer(request), version=version, area=area, **form.cleaned_data
        ),
        title=_title("area", area),
        submit_label="Save area",
        done="Area '{}' saved.",
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def level_edit(request, version_id, item_id=None):
    version, refused = _editable_version(request, version_id)
    if refused:
        return refused
    level = find_or_404(version.levels.all(), item_id) if item_id else None
    if level:
        initial = {name: getattr(level, name) for name in LEVEL_FIELDS}
    else:
        initial = {
            "minimum_areas": 1,
            "minimum_commitments": 0,
            "kvis_per_commitment": 0,
            "validity_years": 5,
        }
    form = LevelForm(posted(request), initial=initial)
    return save_form(
        request,
        version,
        form,
        lambda: services.level_save(
            **writer(request), version=version, level=level, data=form.level_input()
        ),
        title=_title("level", level),
        submit_label="Save level",
        done="Level '{}' saved.",
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def criterion_edit(request, version_id, item_id=None):
    version, refused = _editable_version(request, version_id)
    if refused:
        return refused
    criterion = find_or_404(version.criteria.all(), item_id) if item_id else None
    if criterion:
        initial = {
            "text": criterion.text,
            "area": str(criterion.area_id or ""),
            "level": str(criterion.level_id or ""),
            "evidence_expected": criterion.evidence_expected,
            "word_limit": criterion.word_limit,
            "weight": criterion.weight,
        }
    else:
        initial = {"weight": 1, "area": request.GET.get("area", "")}
    form = CriterionForm(
        posted(request),
        initial=initial,
        areas=version.areas.all(),
        levels=version.levels.all(),
    )
    return save_form(
        request,
        version,
        form,
        lambda: services.criterion_save(
            **writer(request), version=version, criterion=criterion, data=form.criterion_input()
        ),
        title=_title("question", criterion),
        submit_label="Save question",
        done="Question saved.",
        intro="A question for one area or every area, and one level or every level. "
        "Assessors score it on the version's rubric; its weight sets how much it counts.",
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def category_edit(request, version_id, item_id=None):
    version, refused = _editable_version(request, version_id)
    if refused:
        return refused
    category = find_or_404(version.categories.all(), item_id) if item_id else None
    form = CategoryForm(posted(request), initial={"name": category.name} if category else None)
    return save_form(
        request,
        version,
        form,
        lambda: services.category_save(
            **writer(request), version=version, category=category, **form.cleaned_data
        ),
        title=_title("category", category),
        submit_label="Save category",
        done="Category '{}' saved.",
        intro="A category an award can be given in, for example Environment.",
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def window_edit(request, version_id, item_id=None):
    version, refused = _editable_version(request, version_id)
    if refused:
        return refused
    window = find_or_404(version.windows.all(), item_id) if item_id else None
    initial = None
    if window:
        initial = {
            "name": window.name,
            "opens_on": date_initial(window.opens_on),
            "closes_on": date_initial(window.closes_on),
        }
    form = WindowForm(posted(request), initial=initial)
    return save_form(
        request,
        version,
        form,
        lambda: services.window_save(
            **writer(request), version=version, window=window, **form.cleaned_data
        ),
        title=_title("application window", window),
        submit_label="Save window",
        done="Application window '{}' saved.",
        intro="Applications can be submitted from the day the window opens to the day it "
        "closes. A version with no windows takes applications whenever it is open.",
    )


@tenant_view(Perm.MANAGE_AWARD_SCHEMES)
@require_http_methods(["GET", "POST"])
def scheme_item_remove(request, version_id, kind, item_id):
    if kind not in KINDS:
        raise Http404("A version has areas, levels, questions, categories and windows only.")
    version, refused = _editable_version(request, version_id)
    if refused:
        return refused
    noun, related = KINDS[kind]
    item = find_or_404(getattr(version, related).all(), item_id)
    if request.method == "POST":
        try:
            services.scheme_item_remove(**writer(request), item=item)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, f"The {noun} '{item}' was removed.")
        return to_version(request.tenant, version)
    dependants = []
    if kind in ("areas", "levels"):
        field = "area_id" if kind == "areas" else "level_id"
        dependants = [c for c in version.criteria.all() if getattr(c, field) == item.pk]
    return render(
        request,
        "awards/schemes/item_remove.html",
        {
            "version": version,
            "item": item,
            "noun": noun,
            "dependants": dependants,
            "breadcrumbs": version_crumbs(request.tenant, version, (f"Remove the {noun}", "")),
        },
    )


VERSION = "schemes/versions/<uuid:version_id>/"
urlpatterns = [
    path(f"{VERSION}areas/new/", area_edit, name="scheme_area_create"),
    path(f"{VERSION}areas/<uuid:item_id>/", area_edit, name="scheme_area_edit"),
    path(f"{VERSION}levels/new/", level_edit, name="scheme_level_create"),
    path(f"{VERSION}levels/<uuid:item_id>/", level_edit, name="scheme_level_edit"),
    path(f"{VERSION}criteria/new/", criterion_edit, name="scheme_criterion_create"),
    path(f"{VERSION}criteria/<uuid:item_id>/", criterion_edit, name="scheme_criterion_edit"),
    path(f"{VERSION}categories/new/", category_edit, name="scheme_category_create"),
    path(f"{VERSION}categories/<uuid:item_id>/", category_edit, name="scheme_category_edit"),
    path(f"{VERSION}windows/new/", window_edit, name="scheme_window_create"),
    path(f"{VERSION}windows/<uuid:item_id>/", window_edit, name="scheme_window_edit"),
    path(
        f"{VERSION}<str:kind>/<uuid:item_id>/remove/", scheme_item_remove, name="scheme_item_remove"
    ),
]
