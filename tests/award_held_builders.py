"""Awards held, in bulk, for the list pages' and API's query-count tests: `more_awards` adds
awards of new organisations straight into the tables (building each through the whole
assessment journey would make those tests slow; the journey itself is tested elsewhere).

Call inside `tenant_context(cast.tenant.id)`."""

from datetime import timedelta

from django.utils import timezone

from awards.models import Application, ApplicationStatus, Award
from awards.services.decisions import new_verification_code
from tests import factories


def more_awards(cast, scheme, count: int, *, name_prefix: str = "Holder", **award_fields):
    """`count` current Bronze awards of new organisations of the cast's tenant."""
    today = timezone.localdate()
    awards = []
    for i in range(count):
        organisation = factories.ParticipationFactory(
            tenant=cast.tenant, organisation__name=f"{name_prefix} {i:03d} Trust"
        ).organisation
        application = Application.objects.create(
            tenant=cast.tenant,
            scheme=scheme.version.scheme,
            version=scheme.version,
            level=scheme.bronze,
            organisation=organisation,
            status=ApplicationStatus.AWARDED,
        )
        fields = {
            "awarded_on": today - timedelta(days=30),
            "expires_on": today + timedelta(days=365 * 5),
            "category_codes": ["environment"],
            **award_fields,
        }
        awards.append(
            Award.objects.create(
                tenant=cast.tenant,
                organisation=organisation,
                application=application,
                scheme=scheme.version.scheme,
                version=scheme.version,
                level=scheme.bronze,
                verification_code=new_verification_code(),
                **fields,
            )
        )
    return awards
