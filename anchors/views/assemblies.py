"""The Anchor Assembly pages: the charter's assemblies, creating one, an assembly's page (date,
attendees by member, agenda, minutes, its actions with owners and due dates, and the open
actions carried from earlier assemblies), changing its title, date, the round it reviews,
agenda and minutes, adding attendees and actions, removing them or marking an action done
after a confirmation.

The progress pack made from the accepted returns of the round an assembly reviews is a PDF
board report of the reporting app (an assembly report): the assembly's page links to it by
URL name (`report_assembly_pack`) for the people who may see reports; anchors imports nothing
of reporting.

Everyone with a role (VIEW_CHARTERS) reads; the programme team (MANAGE_CHARTERS) writes.
Thin: anchors.selectors read, anchors.services write (and check permissions again). Another
programme's assemblies are not found (404)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from anchors import selectors, services
from anchors.forms.assemblies import (
    ActionDoneForm,
    ActionForm,
    AssemblyEditForm,
    AssemblyForm,
    AttendeeForm,
    date_initial,
)
from anchors.models import ActionStatus, Assembly, AssemblyAction, ReportingRound, RoundStatus
from anchors.selectors import admin as admin_selectors
from anchors.services.assemblies import UNCHANGED
from anchors.views.common import crumbs
from charters.models import ON_REGISTER, Charter, CharterKind, Signatory
from tenancy.decorators import tenant_view
from tenancy.permissions import Perm

ASSEMBLIES_PER_PAGE = 20


# --- Look-ups and helpers --------------------------------------------------------------------


def _charter_or_404(tenant, charter_slug: str) -> Charter:
    charter = Charter.objects.filter(
        tenant=tenant, slug=charter_slug, kind=CharterKind.ANCHOR
    ).first()
    if charter is None:
        raise Http404("No such Anchor Institution Charter in this programme.")
    return charter


def _assembly_or_404(tenant, assembly_id) -> Assembly:
    assembly = (
        Assembly.objects.filter(tenant=tenant, pk=assembly_id)
        .select_related("charter", "round")
        .first()
    )
    if assembly is None:
        raise Http404("No such assembly in this programme.")
    return assembly


def _members(tenant, charter: Charter) -> list[Signatory]:
    return list(
        Signatory.objects.filter(tenant=tenant, charter=charter, status__in=ON_REGISTER)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def _rounds(tenant, charter: Charter) -> list[ReportingRound]:
    """The rounds an assembly can review: every round that has opened, newest first."""
    return list(
        ReportingRound.objects.filter(tenant=tenant, charter=charter)
        .exclude(status=RoundStatus.DRAFT)
        .order_by("-period_start")
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _writer(request) -> dict:
    return {"tenant": request.tenant, "actor": request.user, "access": request.access}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _crumbs(tenant, charter: Charter, *rest: tuple[str, str]) -> list[tuple[str, str]]:
    assemblies = reverse("anchor_assembly_list", args=[tenant.slug, charter.slug])
    return crumbs(tenant, ("Anchor Assembly", assemblies), *rest)


def _detail_url(tenant, assembly: Assembly) -> str:
    return reverse("anchor_assembly_detail", args=[tenant.slug, assembly.pk])


def _assembly_crumbs(tenant, assembly: Assembly, *rest):
    return _crumbs(tenant, assembly.charter, (assembly.title, _detail_url(tenant, assembly)), *rest)


def _form_page(request, assembly: Assembly, form, save, *, title, submit_label, done, intro=""):
    """Validate `form`, call `save()` (a service) and go back to the assembly with a message;
    or show the form page with the errors (a service's field-named errors on their fields)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done.format(saved))
            return redirect(_detail_url(request.tenant, assembly))
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "caption": f"{assembly.title}, {assembly.held_on:%-d %B %Y}",
            "submit_label": submit_label,
            "cancel_url": _detail_url(request.tenant, assembly),
            "breadcrumbs": _assembly_crumbs(request.tenant, assembly, (title, "")),
        },
    )


# --- Pages -----------------------------------------------------------------------------------


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_assembly_list(request, charter_slug):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    assemblies = selectors.assembly_list(tenant=tenant, charter=charter)
    page_obj = Paginator(assemblies, ASSEMBLIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "anchors/assemblies/list.html",
        {
            "charter": charter,
            "page_obj": page_obj,
            "assemblies": list(page_obj.object_list),
            "can_manage": request.access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": _crumbs(tenant, charter)[:-1] + [("Anchor Assembly", "")],
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_assembly_create(request, charter_slug):
    tenant = request.tenant
    charter = _charter_or_404(tenant, charter_slug)
    form = AssemblyForm(_posted(request), rounds=_rounds(tenant, charter))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assembly = services.assembly_create(
                **_writer(request),
                charter=charter,
                held_on=data["held_on"],
                title=data["title"],
                agenda=data["agenda"],
                reporting_round=data["round"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"{assembly.title} added. Record who attended, then the minutes and actions.",
            )
            return redirect(_detail_url(tenant, assembly))
    title = "Add an assembly"
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "caption": charter.title,
            "intro": "The Anchor Assembly brings members' senior representatives together, "
            "usually twice a year, to review progress from the latest accepted returns and "
            "agree actions.",
            "submit_label": "Add assembly",
            "cancel_url": reverse("anchor_assembly_list", args=[tenant.slug, charter.slug]),
            "breadcrumbs": _crumbs(tenant, charter, (title, "")),
        },
    )


@tenant_view(Perm.VIEW_CHARTERS)
def anchor_assembly_detail(request, assembly_id):
    tenant = request.tenant
    assembly = _assembly_or_404(tenant, assembly_id)
    detail = selectors.assembly_detail(tenant=tenant, assembly=assembly)
    members: dict = {}
    guests = []
    for attendee in detail["attendees"]:
        if attendee.signatory_id:
            organisation = attendee.signatory.organisation
            members.setdefault(organisation.name, []).append(attendee)
        else:
            guests.append(attendee)
    return render(
        request,
        "anchors/assemblies/detail.html",
        {
            "assembly": assembly,
            "charter": assembly.charter,
            "attendees_by_member": sorted(members.items()),
            "guests": guests,
            "attendee_count": len(detail["attendees"]),
            "actions": detail["actions"],
            "carried": detail["carried"],
            "today": timezone.localdate(),
            "can_manage": request.access.can(Perm.MANAGE_CHARTERS),
            "breadcrumbs": _assembly_crumbs(tenant, assembly),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_assembly_edit(request, assembly_id):
    """Change the assembly's title, date, the round it reviews, agenda and minutes."""
    assembly = _assembly_or_404(request.tenant, assembly_id)
    form = AssemblyEditForm(
        _posted(request),
        rounds=_rounds(request.tenant, assembly.charter),
        initial={
            "title": assembly.title,
            "held_on": date_initial(assembly.held_on),
            "round": str(assembly.round_id) if assembly.round_id else "",
            "agenda": assembly.agenda,
            "minutes": assembly.minutes,
        },
    )

    def save():
        data = form.cleaned_data
        return services.assembly_update(
            **_writer(request),
            assembly=assembly,
            title=data["title"],
            held_on=data["held_on"],
            # Left as it was: an assembly saved with no round keeps none (not today's latest).
            reporting_round=data["round"] if "round" in form.changed_data else UNCHANGED,
            agenda=data["agenda"],
            minutes=data["minutes"],
        )

    return _form_page(
        request,
        assembly,
        form,
        save,
        title="Change the assembly",
        intro="Open actions of earlier assemblies are carried to the assembly after them: "
        "changing the date changes which are carried to this one.",
        submit_label="Save changes",
        done="{.title} saved.",
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_attendee_add(request, assembly_id):
    assembly = _assembly_or_404(request.tenant, assembly_id)
    form = AttendeeForm(_posted(request), members=_members(request.tenant, assembly.charter))
    return _form_page(
        request,
        assembly,
        form,
        lambda: services.assembly_attendee_add(
            **_writer(request), assembly=assembly, **form.cleaned_data
        ),
        title="Add an attendee",
        submit_label="Add attendee",
        done="{} added to the attendees.",
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_action_add(request, assembly_id):
    assembly = _assembly_or_404(request.tenant, assembly_id)
    form = ActionForm(_posted(request), members=_members(request.tenant, assembly.charter))
    return _form_page(
        request,
        assembly,
        form,
        lambda: services.assembly_action_add(
            **_writer(request), assembly=assembly, **form.cleaned_data
        ),
        title="Add an action",
        intro="Open actions are carried to every later assembly until they are marked done.",
        submit_label="Add action",
        done="Action added.",
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_action_done(request, action_id):
    tenant = request.tenant
    action = (
        AssemblyAction.objects.filter(tenant=tenant, pk=action_id)
        .select_related("assembly__charter", "owner_signatory__organisation")
        .first()
    )
    if action is None:
        raise Http404("No such action in this programme.")
    assembly = action.assembly
    # Back to the assembly the person came from (a later one, for a carried action).
    came_from = request.GET.get("from", "")
    back = _assembly_or_404(tenant, came_from) if _is_uuid(came_from) else assembly
    if action.status != ActionStatus.OPEN:
        messages.info(request, "This action is already done.")
        return redirect(_detail_url(tenant, back))
    form = ActionDoneForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.assembly_action_done(
                **_writer(request), action=action, done_on=form.cleaned_data["done_on"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Action marked as done: it is no longer carried forward.")
            return redirect(_detail_url(tenant, back))
    title = "Mark this action as done?"
    return render(
        request,
        "anchors/assemblies/action_done.html",
        {
            "form": form,
            "action": action,
            "assembly": assembly,
            "title": title,
            "cancel_url": _detail_url(tenant, back),
            "breadcrumbs": _assembly_crumbs(tenant, back, (title, "")),
        },
    )


def _remove_page(request, assembly: Assembly, remove, *, title, what, consequence, done):
    """A confirmation before removing something from an assembly (GET), then the removal
    (POST, `remove()` a service) and back to the assembly with a message."""
    back = _detail_url(request.tenant, assembly)
    if request.method == "POST":
        try:
            remove()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect(back)
    return render(
        request,
        "anchors/assemblies/remove.html",
        {
            "assembly": assembly,
            "title": title,
            "what": what,
            "consequence": consequence,
            "cancel_url": back,
            "breadcrumbs": _assembly_crumbs(request.tenant, assembly, (title, "")),
        },
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_attendee_remove(request, attendee_id):
    attendee = admin_selectors.assembly_attendee_get(tenant=request.tenant, pk=attendee_id)
    if attendee is None:
        raise Http404("No such attendee in this programme.")
    member = attendee.signatory.organisation.name if attendee.signatory_id else "a guest"
    return _remove_page(
        request,
        attendee.assembly,
        lambda: services.assembly_attendee_remove(**_writer(request), attendee=attendee),
        title=f"Remove {attendee.name} from the attendees?",
        what=f"{attendee.name}{f', {attendee.role}' if attendee.role else ''}, for {member}.",
        consequence="They no longer show as having attended this assembly.",
        done=f"{attendee.name} removed from the attendees.",
    )


@tenant_view(Perm.MANAGE_CHARTERS)
@require_http_methods(["GET", "POST"])
def anchor_action_remove(request, action_id):
    action = admin_selectors.assembly_action_get(tenant=request.tenant, pk=action_id)
    if action is None:
        raise Http404("No such action in this programme.")
    owner = (
        action.owner_signatory.organisation.name if action.owner_signatory_id else ""
    ) or action.owner_name
    due = f", due {action.due_on:%-d %B %Y}" if action.due_on else ""
    return _remove_page(
        request,
        action.assembly,
        lambda: services.assembly_action_remove(**_writer(request), action=action),
        title="Remove this action?",
        what=f"{action.text} (owner: {owner}{due}).",
        consequence="It is no longer carried to later assemblies. If it was done, mark it as "
        "done instead: the record of it stays.",
        done="Action removed.",
    )


CHARTER = "<slug:charter_slug>/assemblies/"
ASSEMBLY = "assemblies/<uuid:assembly_id>/"
urlpatterns = [
    path(CHARTER, anchor_assembly_list, name="anchor_assembly_list"),
    path(f"{CHARTER}new/", anchor_assembly_create, name="anchor_assembly_create"),
    path(ASSEMBLY, anchor_assembly_detail, name="anchor_assembly_detail"),
    path(f"{ASSEMBLY}edit/", anchor_assembly_edit, name="anchor_assembly_edit"),
    path(f"{ASSEMBLY}attendees/new/", anchor_attendee_add, name="anchor_attendee_add"),
    path(f"{ASSEMBLY}actions/new/", anchor_action_add, name="anchor_action_add"),
    path("actions/<uuid:action_id>/done/", anchor_action_done, name="anchor_action_done"),
    path(
        "attendees/<uuid:attendee_id>/remove/",
        anchor_attendee_remove,
        name="anchor_attendee_remove",
    ),
    path("actions/<uuid:action_id>/remove/", anchor_action_remove, name="anchor_action_remove"),
]
