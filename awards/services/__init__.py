"""Writes for the Social Value Award. Every function takes `tenant`, the acting person and
their `access` (tenancy.permissions), refuses with PermissionDenied or ValidationError (a
message naming the field) before writing, records an audit event, and queues email after
commit through awards.tasks. State changes are compare-and-set and leave an ApplicationEvent.
"""

from awards.services.appeals import (
    appeal_deadline,
    appeal_decide,
    appeal_lodge,
    appeal_panel_appoint,
)
from awards.services.applications import (
    answer_save,
    application_areas_choose,
    application_resubmit,
    application_start,
    application_submit,
    application_withdraw,
)
from awards.services.assessment import (
    assessor_assign,
    assessor_unassign,
    conflict_declare,
    information_request,
    score_save,
)
from awards.services.commitments import commitment_kvis_set, commitment_remove, commitment_save
from awards.services.decisions import (
    award_expiry_reminders_send,
    award_grant,
    award_revoke,
    decision_draft,
    decision_send,
    decision_update,
)
from awards.services.evidence import evidence_add, evidence_remove, evidence_replace
from awards.services.scheme_parts import (
    CriterionInput,
    LevelInput,
    area_save,
    category_save,
    criterion_save,
    level_save,
    scheme_item_remove,
    window_save,
)
from awards.services.schemes import (
    scheme_create,
    scheme_version_copy,
    scheme_version_move,
    scheme_version_update,
)

__all__ = [
    "CriterionInput",
    "LevelInput",
    "answer_save",
    "appeal_deadline",
    "appeal_decide",
    "appeal_lodge",
    "appeal_panel_appoint",
    "application_areas_choose",
    "application_resubmit",
    "application_start",
    "application_submit",
    "application_withdraw",
    "area_save",
    "assessor_assign",
    "assessor_unassign",
    "award_expiry_reminders_send",
    "award_grant",
    "award_revoke",
    "category_save",
    "commitment_kvis_set",
    "commitment_remove",
    "commitment_save",
    "conflict_declare",
    "criterion_save",
    "decision_draft",
    "decision_send",
    "decision_update",
    "evidence_add",
    "evidence_remove",
    "evidence_replace",
    "information_request",
    "level_save",
    "scheme_create",
    "scheme_item_remove",
    "scheme_version_copy",
    "scheme_version_move",
    "scheme_version_update",
    "score_save",
    "window_save",
]
