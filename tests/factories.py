"""factory_boy factories. Tenant-owned rows must be created inside `tenant_context`."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from accounts.models import User
from organisations.models import Organisation, OrganisationType, Participation, SizeBand
from tenancy.models import Membership, Role, Tenant

TEST_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
TEST_PASSWORD = "a-long-test-password"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Test partnership {n}")
    slug = factory.Sequence(lambda n: f"test-partnership-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    organisation_type = OrganisationType.VCSE
    size_band = SizeBand.SMALL
    registered_postcode = "CH41 2AB"


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    organisation = factory.SubFactory(OrganisationFactory)
    joined_on = factory.LazyFunction(timezone.localdate)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ORGANISATION_MEMBER


def give_totp(user) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TEST_TOTP_SECRET)


def published_charter(cast, *, title="Our Social Value Charter", principles=("Buy local",)):
    """A charter with version 1 published by the cast's tenant admin (services, so audited)."""
    from charters import services
    from tenancy.context import tenant_context
    from tenancy.permissions import tenant_access_for

    with tenant_context(cast.tenant.id):
        access = tenant_access_for(user=cast.tenant_admin, tenant=cast.tenant)
        actor = cast.tenant_admin
        charter = services.charter_create(
            tenant=cast.tenant, actor=actor, access=access, title=title
        )
        version = charter.versions.get()
        services.charter_version_update(
            tenant=cast.tenant,
            actor=actor,
            access=access,
            version=version,
            definition="The good we do for our places beyond our core service.",
        )
        for principle in principles:
            services.principle_save(
                tenant=cast.tenant, actor=actor, access=access, version=version, title=principle
            )
        services.charter_version_transition(
            tenant=cast.tenant,
            actor=actor,
            access=access,
            version=version,
            to_status="endorsed",
            endorsing_body="Integrated Care Partnership",
            endorsed_on=timezone.localdate(),
        )
        services.charter_version_transition(
            tenant=cast.tenant,
            actor=actor,
            access=access,
            version=version,
            to_status="published",
        )
        charter.refresh_from_db()
        return charter


def signing_input(*pledges: str, principle_code="buy-local"):
    from charters.services import PledgeInput, SigningInput

    return SigningInput(
        signers=[{"name": "Ann Chair", "role": "Chair"}],
        signed_on=timezone.localdate(),
        pledges=[PledgeInput(text=text, principle_code=principle_code) for text in pledges],
    )
