"""Writes for the anchors app. Every function takes `tenant`, the acting person and their
`access` (tenancy.permissions), refuses with PermissionDenied or ValidationError (naming the
field) before writing, records an audit event and queues email after commit (anchors.tasks).

Who may do what (existing permissions, see tenancy/permissions.py):
- the programme team (MANAGE_CHARTERS): the charter, priorities, evidence framework, rounds,
  queries, accepting returns, assemblies;
- a member's organisation admin (SIGN_CHARTER for that organisation): its return, answers to
  queries, its priorities and its disclosure setting;
- people of the member's organisation (VIEW_OWN_SIGNATURE): read its returns and files.
"""

from anchors.services.assemblies import (
    assembly_action_add,
    assembly_action_done,
    assembly_action_remove,
    assembly_attendee_add,
    assembly_attendee_remove,
    assembly_create,
    assembly_update,
    latest_reviewed_round,
)
from anchors.services.framework import (
    DEFAULT_METRICS,
    pillar_metric_add,
    pillar_metric_remove,
    pillar_metric_update,
    pillar_metrics_seed,
)
from anchors.services.members import (
    DEFAULT_PRIORITIES,
    anchor_charter_create,
    member_priorities_follow,
    member_priorities_set,
    member_profile_get_or_create,
    member_profile_update,
    priorities_copy,
    priority_remove,
    priority_save,
)
from anchors.services.return_evidence import (
    return_evidence_add,
    return_evidence_get,
    return_evidence_remove,
)
from anchors.services.return_imports import (
    ImportOutcome,
    return_figures_import,
    return_import_template,
)
from anchors.services.returns import (
    FigureInput,
    field_name,
    figure_query_raise,
    figure_query_respond,
    late_message,
    return_accept,
    return_figures_from_kvis,
    return_reminders_send,
    return_save,
    return_submit,
)
from anchors.services.rounds import (
    RoundDates,
    half_year_dates,
    next_round_dates,
    round_close,
    round_create,
    round_dates_update,
    round_open,
    round_reminders_send,
    round_returns_add_missing,
)

__all__ = [
    "DEFAULT_METRICS",
    "DEFAULT_PRIORITIES",
    "FigureInput",
    "ImportOutcome",
    "RoundDates",
    "anchor_charter_create",
    "assembly_action_add",
    "assembly_action_done",
    "assembly_action_remove",
    "assembly_attendee_add",
    "assembly_attendee_remove",
    "assembly_create",
    "assembly_update",
    "field_name",
    "figure_query_raise",
    "figure_query_respond",
    "half_year_dates",
    "late_message",
    "latest_reviewed_round",
    "member_priorities_follow",
    "member_priorities_set",
    "member_profile_get_or_create",
    "member_profile_update",
    "next_round_dates",
    "pillar_metric_add",
    "pillar_metric_remove",
    "pillar_metric_update",
    "pillar_metrics_seed",
    "priorities_copy",
    "priority_remove",
    "priority_save",
    "return_accept",
    "return_evidence_add",
    "return_evidence_get",
    "return_evidence_remove",
    "return_figures_from_kvis",
    "return_figures_import",
    "return_import_template",
    "return_reminders_send",
    "return_save",
    "return_submit",
    "round_close",
    "round_create",
    "round_dates_update",
    "round_open",
    "round_reminders_send",
    "round_returns_add_missing",
]
