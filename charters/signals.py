"""What charters announce to the apps built on them. A charter kind owned by another app (the
anchor charter of anchors/) keeps its own rows in step by listening here: charters never imports
that app (DESIGN.md: imports run one way).

Both are sent inside the service's transaction, after the charters rows are written, so a
receiver that fails undoes the whole change."""

from django.dispatch import Signal

# A new draft version was copied from the latest one: kwargs tenant, from_version, to_version.
charter_version_copied = Signal()

# A signatory moved to the newly published version: kwargs tenant, signatory.
signatory_reconfirmed = Signal()
