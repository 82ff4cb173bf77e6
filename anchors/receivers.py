"""anchors keeps its rows in step with the charters they belong to: when an anchor charter gets a
new version its priorities are copied, and when a member re-confirms its committed priorities
follow to the new version. Connected in AnchorsConfig.ready()."""

from django.dispatch import receiver

from anchors.services.members import member_priorities_follow, priorities_copy
from charters.models import CharterKind
from charters.signals import charter_version_copied, signatory_reconfirmed


@receiver(charter_version_copied, dispatch_uid="anchors.priorities_copy")
def copy_priorities_to_new_version(sender, *, tenant, from_version, to_version, **kwargs):
    if to_version.charter.kind == CharterKind.ANCHOR:
        priorities_copy(tenant=tenant, from_version=from_version, to_version=to_version)


@receiver(signatory_reconfirmed, dispatch_uid="anchors.member_priorities_follow")
def move_member_priorities(sender, *, tenant, signatory, **kwargs):
    if signatory.charter.kind == CharterKind.ANCHOR:
        member_priorities_follow(tenant=tenant, signatory=signatory)
