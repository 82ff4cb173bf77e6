"""Demo tenants, organisations and logins built from the public cases in DOMAIN.md.

Idempotent: running it again changes nothing. Identifiers of real NHS bodies are their real ODS
codes; the businesses and charities marked "(demo)" are made up and carry no identifiers.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import transaction

from organisations.models import Organisation, OrganisationType, SizeBand
from organisations.services import participation_ensure
from tenancy.context import tenant_context
from tenancy.models import Role, Tenant
from tenancy.services import membership_grant

DEMO_PASSWORD = "social-value-demo"
# Base32 secret shared by the demo logins that must use two-factor authentication. Add it to an
# authenticator app, or print the current code with `python manage.py demo_totp`.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

T = OrganisationType
S = SizeBand

TENANTS: list[dict[str, Any]] = [
    {
        "slug": "cheshire-and-merseyside",
        "name": "Cheshire and Merseyside Health and Care Partnership",
        "short_name": "Cheshire and Merseyside",
        "description": (
            "Social Value Charter signed by over 80 organisations, a Social Value Award held by "
            "about 50, and an Anchor Institution Charter of 13 anchor institutions."
        ),
        "host": "QYG",
        "organisations": [
            ("NHS Cheshire and Merseyside Integrated Care Board", T.ICB, S.LARGE, "L3 4AF", "QYG"),
            (
                "Wirral Community Health and Care NHS Foundation Trust",
                T.NHS_TRUST,
                S.LARGE,
                "CH41 7ED",
                "RY7",
            ),
            ("Cheshire East Council", T.LOCAL_AUTHORITY, S.LARGE, "CW11 1HZ", ""),
            ("Cheshire West and Chester Council", T.LOCAL_AUTHORITY, S.LARGE, "CH65 0BP", ""),
            ("Wellbeing Enterprises CIC", T.VCSE, S.SMALL, "WA7 2FQ", ""),
            ("Mersey Local Catering (demo)", T.BUSINESS, S.SMALL, "CH41 5AB", ""),
            ("Knowsley Community Transport (demo)", T.VCSE, S.MICRO, "L34 9EA", ""),
        ],
    },
    {
        "slug": "coventry-and-warwickshire",
        "name": "Coventry and Warwickshire Integrated Care System",
        "short_name": "Coventry and Warwickshire",
        "description": (
            "Drafting a co-produced Social Value Charter aiming at the SVQM Health award."
        ),
        "host": "QWU",
        "organisations": [
            (
                "NHS Coventry and Warwickshire Integrated Care Board",
                T.ICB,
                S.LARGE,
                "CV1 4FS",
                "QWU",
            ),
            ("Coventry City Council", T.LOCAL_AUTHORITY, S.LARGE, "CV1 2GN", ""),
            ("Warwick Youth Careers (demo)", T.VCSE, S.SMALL, "CV34 4AB", ""),
        ],
    },
    {
        "slug": "black-country",
        "name": "Black Country Integrated Care System",
        "short_name": "Black Country",
        "description": "Building a social value framework to keep the Black Country pound local.",
        "host": "",
        "organisations": [
            (
                "Black Country Healthcare NHS Foundation Trust",
                T.NHS_TRUST,
                S.LARGE,
                "DY1 4SX",
                "TAJ",
            ),
            ("Dudley Metropolitan Borough Council", T.LOCAL_AUTHORITY, S.LARGE, "DY1 1HF", ""),
            ("Sandwell Supplies (demo)", T.BUSINESS, S.MEDIUM, "B70 9LD", ""),
        ],
    },
]

# (email, name, tenant slug, role, organisation ODS code or name)
LOGINS = [
    ("tenant.admin@demo.example", "Tess Admin", "cheshire-and-merseyside", Role.TENANT_ADMIN, None),
    ("assessor@demo.example", "Asha Assessor", "cheshire-and-merseyside", Role.ASSESSOR, None),
    (
        "board.reporter@demo.example",
        "Ben Reporter",
        "cheshire-and-merseyside",
        Role.BOARD_REPORTER,
        None,
    ),
    (
        "org.admin@demo.example",
        "Olu Admin",
        "cheshire-and-merseyside",
        Role.ORGANISATION_ADMIN,
        "RY7",
    ),
    (
        "org.member@demo.example",
        "Mo Member",
        "cheshire-and-merseyside",
        Role.ORGANISATION_MEMBER,
        "RY7",
    ),
    ("cw.admin@demo.example", "Cal Admin", "coventry-and-warwickshire", Role.TENANT_ADMIN, None),
    ("bc.admin@demo.example", "Bea Admin", "black-country", Role.TENANT_ADMIN, None),
]
PLATFORM_ADMIN = ("platform.admin@demo.example", "Pat Platform")
MFA_ROLES = {Role.TENANT_ADMIN, Role.ASSESSOR}


def _organisation(name, organisation_type, size_band, postcode, ods_code) -> Organisation:
    lookup = {"ods_code": ods_code} if ods_code else {"name": name}
    organisation, _ = Organisation.objects.get_or_create(
        **lookup,
        defaults={
            "name": name,
            "organisation_type": organisation_type,
            "size_band": size_band,
            "registered_postcode": postcode,
        },
    )
    return organisation


def _user(email: str, full_name: str, *, with_totp: bool, platform_admin: bool = False):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if platform_admin else User.objects.create_user
        user = create(email=email, password=DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if (
        with_totp
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


@transaction.atomic
def build_demo() -> None:
    organisations_by_key: dict[str, Organisation] = {}
    tenants: dict[str, Tenant] = {}
    for spec in TENANTS:
        tenant, _ = Tenant.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "short_name": spec["short_name"],
                "description": spec["description"],
            },
        )
        tenants[tenant.slug] = tenant
        with tenant_context(tenant.id):
            for row in spec["organisations"]:
                organisation = _organisation(*row)
                organisations_by_key[row[4] or row[0]] = organisation
                participation_ensure(tenant=tenant, organisation=organisation, actor=None)
        if spec["host"] and tenant.host_organisation_id is None:
            tenant.host_organisation = organisations_by_key[spec["host"]]
            tenant.save(update_fields=["host_organisation"])

    _user(*PLATFORM_ADMIN, with_totp=True, platform_admin=True)
    for email, full_name, slug, role, organisation_key in LOGINS:
        user = _user(email, full_name, with_totp=role in MFA_ROLES)
        tenant = tenants[slug]
        with tenant_context(tenant.id):
            role_organisation = organisations_by_key[organisation_key] if organisation_key else None
            membership_grant(tenant=tenant, user=user, role=role, organisation=role_organisation)
