"""API scopes, in one place: `<resource>:<read|write>`.

A partner key carries scopes chosen by the tenant admin. A person calling the API with their
browser session has the scopes their roles give them (SESSION_SCOPE_PERMISSIONS).
"""

from enum import StrEnum

from tenancy.permissions import Perm


class Scope(StrEnum):
    ORGANISATIONS_READ = "organisations:read"
    CHARTERS_READ = "charters:read"
    KVI_READ = "kvi:read"
    KVI_WRITE = "kvi:write"
    AWARDS_READ = "awards:read"
    ANCHORS_READ = "anchors:read"
    REPORTS_READ = "reports:read"


SCOPE_DESCRIPTIONS: dict[Scope, str] = {
    Scope.ORGANISATIONS_READ: "Read the organisations taking part in the programme",
    Scope.CHARTERS_READ: "Read charters, signatories and pledges",
    Scope.KVI_READ: "Read KVIs and their measurements",
    Scope.KVI_WRITE: "Submit KVI measurements",
    Scope.AWARDS_READ: "Read award schemes and awards held",
    Scope.ANCHORS_READ: "Read the anchor charter, its members, rounds and accepted figures",
    Scope.REPORTS_READ: "Read board reports, their versions and PDFs",
}

# What a signed-in person needs, in the permission layer, to use a scope with their session.
# A scope missing here cannot be used with a session (each issue adds its resources' scopes).
SESSION_SCOPE_PERMISSIONS: dict[Scope, Perm] = {
    Scope.ORGANISATIONS_READ: Perm.VIEW_ORGANISATIONS,
    Scope.CHARTERS_READ: Perm.VIEW_CHARTERS,
    Scope.KVI_READ: Perm.VIEW_KVIS,
    Scope.AWARDS_READ: Perm.MANAGE_AWARD_APPLICATIONS,
    Scope.ANCHORS_READ: Perm.VIEW_CHARTERS,
    Scope.REPORTS_READ: Perm.VIEW_REPORTS,
}

# Scopes a person may also use with their session when their roles give the permission for at
# least one organisation (the views then limit them to those organisations).
SESSION_SCOPE_ORGANISATION_PERMISSIONS: dict[Scope, Perm] = {
    Scope.KVI_READ: Perm.VIEW_OWN_KVIS,
    Scope.KVI_WRITE: Perm.RECORD_MEASUREMENTS,
    Scope.AWARDS_READ: Perm.VIEW_OWN_AWARD_APPLICATIONS,
    Scope.REPORTS_READ: Perm.MANAGE_OWN_REPORTS,
}
