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
