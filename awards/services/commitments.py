"""Writes for an application's commitments: what the organisation commits to in each area,
and the KVIs (kvi.Kvi, the organisation's own) that track each one."""

from django.core.exceptions import ValidationError

from awards.models import Application, Commitment, CommitmentKvi, SchemeArea
from awards.services.common import own_application, require_applicant, require_editable
from kvi.models import Kvi
from tenancy.permissions import TenantAccess
from tenancy.services import audit_record


def commitment_save(
    *,
    tenant,
    actor,
    access: TenantAccess,
    application: Application,
    area: SchemeArea,
    text: str,
    commitment: Commitment | None = None,
) -> Commitment:
    own_application(tenant, application)
    require_applicant(access, application)
    require_editable(application)
    if area.version_id != application.version_id:
        raise ValidationError({"area": "Choose one of this award's areas."})
    if area.code not in application.area_codes:
        raise ValidationError({"area": f"Choose the {area.name} area for this application first."})
    if not text.strip():
        raise ValidationError({"text": "Write the commitment."})
    if commitment is None:
        commitment = Commitment(
            tenant=tenant,
            application=application,
            position=application.commitments.count() + 1,
        )
    elif commitment.application_id != application.pk:
        raise ValidationError({"commitment": "That commitment is not part of this application."})
    commitment.area, commitment.text = area, text.strip()
    commitment.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.commitment_saved",
        obj=commitment,
        changes={"area": area.code, "text": commitment.text[:200]},
    )
    return commitment


def commitment_remove(*, tenant, actor, access: TenantAccess, commitment: Commitment) -> None:
    application = own_application(tenant, commitment.application)
    require_applicant(access, application)
    require_editable(application)
    audit_record(
        tenant=tenant,
        actor=actor,
        verb="award_application.commitment_removed",
        obj=application,
        changes={"text": commitment.text[:200]},
    )
    commitment.delete()


def commitment_kvis_set(
    *, tenant, actor, access: TenantAccess, commitment: Commitment, kvis: list[Kvi]
) -> list[CommitmentKvi]:
    """The KVIs that track a commitment: only the applying organisation's own KVIs."""
    application = own_application(tenant, commitment.application)
    require_applicant(access, application)
    require_editable(application)
    wanted = {kvi.pk for kvi in kvis}
    allowed = set(
        Kvi.objects.filter(
            tenant=tenant, organisation=application.organisation_id, pk__in=wanted
        ).values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise ValidationError({"kvis": f"Choose KVIs of {application.organisation.name} only."})
    current = set(
        CommitmentKvi.objects.filter(tenant=tenant, commitment=commitment).values_list(
            "kvi_id", flat=True
        )
    )
    if wanted != current:
        CommitmentKvi.objects.filter(tenant=tenant, commitment=commitment).exclude(
            kvi_id__in=wanted
        ).delete()
        CommitmentKvi.objects.bulk_create(
            CommitmentKvi(tenant=tenant, commitment=commitment, kvi_id=pk)
            for pk in wanted - current
        )
        audit_record(
            tenant=tenant,
            actor=actor,
            verb="award_application.kvis_linked",
            obj=commitment,
            changes={"kvis": sorted(str(pk) for pk in wanted)},
        )
    return list(
        CommitmentKvi.objects.filter(tenant=tenant, commitment=commitment).select_related("kvi")
    )
