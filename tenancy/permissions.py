"""The one permission layer: may this person do this here?

Every view, API call and task asks `TenantAccess.can(...)` (or `require`). Permissions are an
enum; which roles grant them is the table below, in one place.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from django.core.exceptions import PermissionDenied

from tenancy.models import Membership, Role


class Perm(StrEnum):
    VIEW_TENANT = "view_tenant"
    VIEW_ORGANISATIONS = "view_organisations"
    MANAGE_ORGANISATIONS = "manage_organisations"  # add and edit any organisation in the tenant
    EDIT_OWN_ORGANISATION = "edit_own_organisation"  # organisation-scoped
    VIEW_PEOPLE = "view_people"
    VIEW_OWN_PEOPLE = "view_own_people"  # organisation-scoped
    INVITE_STAFF = "invite_staff"  # tenant admins, assessors, board reporters, organisation admins
    INVITE_COLLEAGUE = "invite_colleague"  # organisation-scoped: members of one's organisation
    MANAGE_TENANT_SETTINGS = "manage_tenant_settings"
    REMOVE_MEMBERSHIP = "remove_membership"
    MANAGE_API_KEYS = "manage_api_keys"
    # Charters (charters/)
    VIEW_CHARTERS = "view_charters"
    MANAGE_CHARTERS = "manage_charters"  # draft, move, engagement, tiers, decide signatories
    SIGN_CHARTER = "sign_charter"  # organisation-scoped
    VIEW_OWN_SIGNATURE = "view_own_signature"  # organisation-scoped
    # KVIs (kvi/)
    VIEW_KVIS = "view_kvis"  # every organisation's KVIs and the tenant overview
    VIEW_OWN_KVIS = "view_own_kvis"  # organisation-scoped: its KVIs, figures and uploads
    MANAGE_FRAMEWORKS = "manage_frameworks"  # the tenant's frameworks, metrics and crosswalks
    RECORD_MEASUREMENTS = "record_measurements"  # organisation-scoped: enter, submit, correct
    UPLOAD_ORGANISATION_DATA = "upload_organisation_data"  # org-scoped: spend ledgers, workforce
    VALIDATE_MEASUREMENTS = "validate_measurements"  # organisation-scoped: validate, return
    # Awards (awards/). Assessors and appeal panels reach one application only through their
    # assignment or appointment, which awards/ checks per application.
    MANAGE_AWARD_SCHEMES = "manage_award_schemes"  # schemes, versions, rubric, windows
    # Every application: assign assessors, ask for information, decide, appoint appeal panels.
    MANAGE_AWARD_APPLICATIONS = "manage_award_applications"
    ASSESS_AWARDS = "assess_awards"  # may be assigned applications to score, or sit on a panel
    APPLY_FOR_AWARD = "apply_for_award"  # organisation-scoped: start, submit, withdraw, appeal
    EDIT_AWARD_APPLICATION = "edit_award_application"  # org-scoped: answers, commitments, files
    VIEW_OWN_AWARD_APPLICATIONS = "view_own_award_applications"  # organisation-scoped
    # Board reports (reporting/).
    VIEW_REPORTS = "view_reports"  # every report of the tenant and its PDFs
    PREPARE_REPORTS = "prepare_reports"  # create and edit drafts, generate PDFs
    SCHEDULE_REPORTS = "schedule_reports"  # schedules of any report
    # Organisation-scoped: the organisation's own reports (view, prepare, generate, schedule).
    MANAGE_OWN_REPORTS = "manage_own_reports"


# Tenant-wide permissions per role.
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.TENANT_ADMIN: frozenset(
        {
            Perm.VIEW_TENANT,
            Perm.VIEW_ORGANISATIONS,
            Perm.MANAGE_ORGANISATIONS,
            Perm.VIEW_PEOPLE,
            Perm.INVITE_STAFF,
            Perm.MANAGE_TENANT_SETTINGS,
            Perm.REMOVE_MEMBERSHIP,
            Perm.MANAGE_API_KEYS,
            Perm.VIEW_CHARTERS,
            Perm.MANAGE_CHARTERS,
            Perm.VIEW_KVIS,
            Perm.MANAGE_FRAMEWORKS,
            Perm.MANAGE_AWARD_SCHEMES,
            Perm.MANAGE_AWARD_APPLICATIONS,
            Perm.VIEW_REPORTS,
            Perm.PREPARE_REPORTS,
            Perm.SCHEDULE_REPORTS,
        }
    ),
    Role.ASSESSOR: frozenset(
        {
            Perm.VIEW_TENANT,
            Perm.VIEW_ORGANISATIONS,
            Perm.VIEW_CHARTERS,
            Perm.VIEW_KVIS,
            Perm.ASSESS_AWARDS,
        }
    ),
    Role.BOARD_REPORTER: frozenset(
        {
            Perm.VIEW_TENANT,
            Perm.VIEW_ORGANISATIONS,
            Perm.VIEW_CHARTERS,
            Perm.VIEW_KVIS,
            Perm.VIEW_REPORTS,
            Perm.PREPARE_REPORTS,
        }
    ),
    Role.ORGANISATION_ADMIN: frozenset(
        {Perm.VIEW_TENANT, Perm.VIEW_ORGANISATIONS, Perm.VIEW_CHARTERS}
    ),
    Role.ORGANISATION_MEMBER: frozenset(
        {Perm.VIEW_TENANT, Perm.VIEW_ORGANISATIONS, Perm.VIEW_CHARTERS}
    ),
}

# Permissions that hold only for the organisation named in the membership.
ORGANISATION_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ORGANISATION_ADMIN: frozenset(
        {
            Perm.EDIT_OWN_ORGANISATION,
            Perm.VIEW_OWN_PEOPLE,
            Perm.INVITE_COLLEAGUE,
            Perm.SIGN_CHARTER,
            Perm.VIEW_OWN_SIGNATURE,
            Perm.VIEW_OWN_KVIS,
            Perm.RECORD_MEASUREMENTS,
            Perm.VALIDATE_MEASUREMENTS,
            Perm.UPLOAD_ORGANISATION_DATA,
            Perm.APPLY_FOR_AWARD,
            Perm.EDIT_AWARD_APPLICATION,
            Perm.VIEW_OWN_AWARD_APPLICATIONS,
            Perm.MANAGE_OWN_REPORTS,
        }
    ),
    Role.ORGANISATION_MEMBER: frozenset(
        {
            Perm.VIEW_OWN_PEOPLE,
            Perm.VIEW_OWN_SIGNATURE,
            Perm.VIEW_OWN_KVIS,
            Perm.RECORD_MEASUREMENTS,
            Perm.EDIT_AWARD_APPLICATION,
            Perm.VIEW_OWN_AWARD_APPLICATIONS,
        }
    ),
}

# Roles a permission lets a person invite others into.
INVITABLE_ROLES: dict[Perm, frozenset[str]] = {
    Perm.INVITE_STAFF: frozenset(
        {Role.TENANT_ADMIN, Role.ASSESSOR, Role.BOARD_REPORTER, Role.ORGANISATION_ADMIN}
    ),
    Perm.INVITE_COLLEAGUE: frozenset({Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER}),
}


@dataclass(frozen=True)
class TenantAccess:
    """What one person may do in one tenant, worked out once per request from their roles."""

    tenant_id: UUID | None
    roles: frozenset[str] = frozenset()
    # organisation id -> the roles held for that organisation
    organisation_roles: dict[UUID, frozenset[str]] = field(default_factory=dict)

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    def can(self, perm: Perm, *, organisation_id: UUID | None = None) -> bool:
        if any(perm in ROLE_PERMISSIONS.get(role, ()) for role in self.roles):
            return True
        if organisation_id is not None:
            roles = self.organisation_roles.get(organisation_id, frozenset())
            return any(perm in ORGANISATION_PERMISSIONS.get(role, ()) for role in roles)
        return False

    def can_for_any_organisation(self, perm: Perm) -> bool:
        return any(self.can(perm, organisation_id=org) for org in self.organisation_roles)

    def organisations_with(self, perm: Perm) -> list[UUID]:
        return [org for org in self.organisation_roles if self.can(perm, organisation_id=org)]

    def require(self, perm: Perm, *, organisation_id: UUID | None = None) -> None:
        if not self.can(perm, organisation_id=organisation_id):
            raise PermissionDenied("You do not have permission to do that in this programme.")

    def may_invite(self, role: str, *, organisation_id: UUID | None = None) -> bool:
        if role in INVITABLE_ROLES[Perm.INVITE_STAFF] and self.can(Perm.INVITE_STAFF):
            return True
        return role in INVITABLE_ROLES[Perm.INVITE_COLLEAGUE] and self.can(
            Perm.INVITE_COLLEAGUE, organisation_id=organisation_id
        )

    def organisation_scope(self, *, tenant_wide: Perm, per_organisation: Perm) -> list[UUID] | None:
        """None when the person may act across the tenant, else the organisations where they
        may; refuses anyone who may do neither."""
        if self.can(tenant_wide):
            return None
        organisations = self.organisations_with(per_organisation)
        if not organisations:
            raise PermissionDenied("You do not have permission to do that in this programme.")
        return organisations

    def organisations_with_invite(self) -> list[UUID]:
        return self.organisations_with(Perm.INVITE_COLLEAGUE)

    def flags(self) -> dict[str, bool]:
        """Booleans for templates (navigation), e.g. `perms_here.view_people`."""
        return {
            "view_people": self.can(Perm.VIEW_PEOPLE)
            or self.can_for_any_organisation(Perm.VIEW_OWN_PEOPLE),
            "invite": self.can(Perm.INVITE_STAFF)
            or self.can_for_any_organisation(Perm.INVITE_COLLEAGUE),
            "manage_organisations": self.can(Perm.MANAGE_ORGANISATIONS),
            "manage_settings": self.can(Perm.MANAGE_TENANT_SETTINGS),
            "manage_api_keys": self.can(Perm.MANAGE_API_KEYS),
            "view_charters": self.can(Perm.VIEW_CHARTERS),
            "manage_charters": self.can(Perm.MANAGE_CHARTERS),
            "sign_charter": self.can_for_any_organisation(Perm.SIGN_CHARTER),
            "view_kvis": self.can(Perm.VIEW_KVIS)
            or self.can_for_any_organisation(Perm.VIEW_OWN_KVIS),
            "view_all_kvis": self.can(Perm.VIEW_KVIS),
            "manage_frameworks": self.can(Perm.MANAGE_FRAMEWORKS),
            "manage_award_schemes": self.can(Perm.MANAGE_AWARD_SCHEMES),
            "manage_award_applications": self.can(Perm.MANAGE_AWARD_APPLICATIONS),
            "assess_awards": self.can(Perm.ASSESS_AWARDS),
            "view_own_award_applications": self.can_for_any_organisation(
                Perm.VIEW_OWN_AWARD_APPLICATIONS
            ),
            "apply_for_award": self.can_for_any_organisation(Perm.APPLY_FOR_AWARD),
            # Everyone with a role may open the anchor charter's pages (what they see depends
            # on their role and, for figures, on each member's disclosure setting).
            "view_anchors": self.can(Perm.VIEW_CHARTERS),
            "view_reports": self.can(Perm.VIEW_REPORTS)
            or self.can_for_any_organisation(Perm.MANAGE_OWN_REPORTS),
            # Every report of the tenant, the system report and assembly packs included.
            "view_all_reports": self.can(Perm.VIEW_REPORTS),
            "view_awards": self.can(Perm.MANAGE_AWARD_SCHEMES)
            or self.can(Perm.MANAGE_AWARD_APPLICATIONS)
            or self.can(Perm.ASSESS_AWARDS)
            or self.can_for_any_organisation(Perm.VIEW_OWN_AWARD_APPLICATIONS),
        }


NO_ACCESS = TenantAccess(tenant_id=None)


def tenant_access_for(*, user, tenant) -> TenantAccess:
    """One query: the person's memberships in the tenant (the tenant context must be set)."""
    if tenant is None or not user.is_authenticated:
        return NO_ACCESS
    rows = Membership.objects.filter(tenant=tenant, user=user).values_list(
        "role", "organisation_id"
    )
    roles: set[str] = set()
    organisation_roles: dict[UUID, set[str]] = {}
    for role, organisation_id in rows:
        roles.add(role)
        if organisation_id is not None:
            organisation_roles.setdefault(organisation_id, set()).add(role)
    return TenantAccess(
        tenant_id=tenant.id,
        roles=frozenset(roles),
        organisation_roles={k: frozenset(v) for k, v in organisation_roles.items()},
    )
