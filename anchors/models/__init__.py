"""Anchor Institution Charter models.

The anchor charter itself is a `charters.Charter` of kind "anchor": its versions, endorsement
record, principles and themes come from charters, and its themes are the pillars. Members are
the charter's `charters.Signatory` rows (signing, pledges under a pillar, approval, leaving and
re-confirming are the charters app's). This app adds what is particular to anchors:

- priorities under each pillar, versioned with the charter version, and members' commitments;
- a member profile (disclosure, sector override, a stable anonymised label);
- the evidence framework: pillar metrics (KVI engine metrics), reporting rounds, members'
  returns, their figures, queries, narratives and evidence files;
- the Anchor Assembly: meetings, attendees and actions.
"""

from anchors.models.assemblies import (
    ActionStatus,
    Assembly,
    AssemblyAction,
    AssemblyAttendee,
)
from anchors.models.members import (
    Disclosure,
    MemberPriority,
    MemberProfile,
    PillarMetric,
    Priority,
    PriorityKind,
    anonymised_label,
)
from anchors.models.returns import (
    FigureQuery,
    FigureSource,
    MemberReturn,
    PillarNarrative,
    ReportingRound,
    ReturnEvidence,
    ReturnFigure,
    ReturnStatus,
    RoundStatus,
)

__all__ = [
    "ActionStatus",
    "Assembly",
    "AssemblyAction",
    "AssemblyAttendee",
    "Disclosure",
    "FigureQuery",
    "FigureSource",
    "MemberPriority",
    "MemberProfile",
    "MemberReturn",
    "PillarMetric",
    "PillarNarrative",
    "Priority",
    "PriorityKind",
    "ReportingRound",
    "ReturnEvidence",
    "ReturnFigure",
    "ReturnStatus",
    "RoundStatus",
    "anonymised_label",
]
