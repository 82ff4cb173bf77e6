"""Demo charters built from the public cases in DOMAIN.md (run by `manage.py seed_demo`, after
tenancy.demo has built the tenants, organisations and logins).

- Cheshire and Merseyside: the published Social Value Charter, endorsed by the Health and Care
  Partnership, with the "Recipes for a good life" community conversations that shaped it and a
  register of over 80 signatories: the ICB (signed 12 July 2022), Wirral Community Health and
  Care (September 2022) and made-up organisations marked "(demo)", which carry no identifiers.
- Coventry and Warwickshire: the draft charter in consultation, with its working groups (one per
  SVQM theme) and a partner workshop.

Everything goes through charters.services, so the audit trail is the one real use leaves. The
demo then dates history back to when it happened (endorsement, approvals): the services stamp
today. Idempotent: each step is skipped when its result exists, so a second run changes nothing.
People counts at engagement events, dates not given in DOMAIN.md, the demo organisations and
their signers are illustrative.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from charters import selectors, services
from charters.models import Charter, CharterVersion, Signatory, SignatoryStatus, VersionStatus
from charters.services import Decision, PledgeInput, SigningInput
from organisations.models import Organisation, OrganisationType, SizeBand
from organisations.selectors import participation_list
from organisations.services import participation_ensure
from tenancy.context import tenant_context
from tenancy.demo import LOGINS, TENANTS
from tenancy.models import Role, Tenant
from tenancy.permissions import TenantAccess, tenant_access_for

T = OrganisationType
S = SizeBand

CM_SLUG = str(TENANTS[0]["slug"])  # cheshire-and-merseyside
CW_SLUG = str(TENANTS[1]["slug"])  # coventry-and-warwickshire
CM_TITLE = "Cheshire and Merseyside Social Value Charter"
CW_TITLE = "Coventry and Warwickshire Social Value Charter"
CM_ENDORSING_BODY = "Cheshire and Merseyside Health and Care Partnership"
CM_ENDORSED_ON = date(2022, 7, 1)  # illustrative: before the ICB signed on 12 July 2022
ICB_ODS, WIRRAL_ODS = "QYG", "RY7"


def _login(slug: str, role: str, organisation_key=None) -> str:
    return next(
        email
        for email, _name, tenant_slug, login_role, key in LOGINS
        if tenant_slug == slug and login_role == role and key == organisation_key
    )


# --- Cheshire and Merseyside: the charter's text ---------------------------------------------

CM_TEXT = {
    "definition": (
        "Social value is the economic, social and environmental good we do for Cheshire and "
        "Merseyside beyond our core service: local jobs and local spend, apprenticeships, "
        "volunteering, lower emissions and healthier communities.\n"
        'Residents told us, through "Recipes for a good life", that social value means the '
        "good life where they live: connected neighbours, good work close to home, green "
        "spaces, and services that listen."
    ),
    "ambition_social": (
        "Healthier, better connected communities, with the people who live here shaping what "
        "we do and telling us whether it has made a difference."
    ),
    "ambition_economic": (
        "More local people in good, fairly paid work, and more of the public pound spent with "
        "firms and voluntary organisations in Cheshire and Merseyside."
    ),
    "ambition_environmental": (
        "Lower emissions, less waste and cleaner air on the way to Net Zero, and more people "
        "aware of the environmental pressures on their health."
    ),
    "commitments": "\n".join(
        [
            "Embed social value across the commissioning cycle, from planning to contract "
            "management, with at least a 10% net zero and social value weighting in every "
            "procurement (PPN 06/20).",
            "Co-produce with residents, carers and the voluntary sector, and feed back what "
            "changed.",
            "Purchase and employ locally first, and pay the real Living Wage.",
            "Move voluntary, community and social enterprise contracts from one-year to three- "
            "or five-year cycles.",
            "Track what we achieve through the Social Value Outcomes Framework and report it "
            "publicly every year.",
        ]
    ),
}

# (title, description). Codes follow from the titles (charters.services).
CM_PRINCIPLES = [
    (
        "Co-produce with our communities",
        "Social value is defined with the people it is for, starting from what the good life "
        "looks like in their area.",
    ),
    (
        "Embed social value across the commissioning cycle",
        "Social value is part of how we plan, buy, manage and review services, not an add-on "
        "at tender stage.",
    ),
    (
        "Purchase and employ locally first",
        "We look first to local people for our jobs and to local firms and voluntary "
        "organisations for what we buy.",
    ),
    (
        "Pay the real Living Wage",
        "Everyone who works for us, and for those we contract with, is paid at least the real "
        "Living Wage.",
    ),
    (
        "Give the voluntary sector longer contracts",
        "Three- or five-year contracts mean less churn and more delivery.",
    ),
    (
        "Measure and report what changes",
        "We count what matters, using the Social Value Outcomes Framework, and publish it.",
    ),
]

RECIPES_HEARD = (
    "Using the Five Ways to Wellbeing prompt cards (connect, be active, take notice, keep "
    'learning, give), residents answered "tell me what your dream for the good life looks '
    'like in your local area?". '
)
# (held on, kind, audience, people, what was heard, principle titles, theme codes)
EngagementRecord = tuple[date, str, str, int, str, list[str], list[str]]
CM_ENGAGEMENT: list[EngagementRecord] = [
    (
        date(2021, 10, 14),
        "community_conversation",
        "Residents of Halton (Recipes for a good life, with Wellbeing Enterprises)",
        28,
        RECIPES_HEARD
        + "People wanted somewhere to meet that is not a clinic, and local jobs for young "
        "people.",
        ["Co-produce with our communities", "Purchase and employ locally first"],
        ["social-and-community", "employment-and-volunteering"],
    ),
    (
        date(2021, 11, 9),
        "community_conversation",
        "Residents of Wirral (Recipes for a good life, with Wellbeing Enterprises)",
        35,
        RECIPES_HEARD + "Green spaces, safe walking routes and cleaner air came up at every table.",
        ["Co-produce with our communities"],
        ["environmental", "health-and-wellbeing"],
    ),
    (
        date(2022, 1, 20),
        "community_conversation",
        "Carers and older people in Knowsley (Recipes for a good life, with Wellbeing Enterprises)",
        22,
        RECIPES_HEARD + "Loneliness, and support that stops when a short contract ends.",
        ["Co-produce with our communities", "Give the voluntary sector longer contracts"],
        ["health-and-wellbeing", "social-and-community"],
    ),
    (
        date(2022, 2, 17),
        "workshop",
        "Voluntary, community and social enterprise organisations across Cheshire and Merseyside",
        46,
        "One-year contracts mean staff spend months re-bidding instead of delivering; three- or "
        "five-year cycles would let them plan and keep good people.",
        ["Give the voluntary sector longer contracts", "Measure and report what changes"],
        ["economic"],
    ),
    (
        date(2022, 3, 24),
        "workshop",
        "Commissioners and procurement leads of NHS bodies and councils",
        31,
        "Social value gets weighed at tender and then forgotten: build it into specifications, "
        "contract management and review, and measure it with one outcomes framework.",
        ["Embed social value across the commissioning cycle", "Measure and report what changes"],
        ["economic", "leadership"],
    ),
    (
        date(2022, 4, 28),
        "survey",
        "Staff of partner organisations",
        412,
        "Most wanted the real Living Wage for every contracted worker and more apprenticeships "
        "for local young people.",
        ["Pay the real Living Wage", "Purchase and employ locally first"],
        ["education-and-skills", "employment-and-volunteering"],
    ),
]

# --- Cheshire and Merseyside: the register -----------------------------------------------------

# Principle titles and theme codes the demo pledges go under, with pledge texts and targets.
PLEDGE_POOL = [
    (
        "theme",
        "economic",
        "Spend more with firms based in Cheshire and Merseyside postcodes",
        "{n}% of supply-chain spend with local firms in 2024/25",
    ),
    (
        "principle",
        "Purchase and employ locally first",
        "Advertise every vacancy locally first, through Jobcentre Plus and community groups",
        "",
    ),
    (
        "principle",
        "Pay the real Living Wage",
        "Pay all staff and apprentices at least the real Living Wage",
        "Living Wage Foundation accreditation by March 2025",
    ),
    (
        "theme",
        "employment-and-volunteering",
        "Give each member of staff a paid volunteering day a year",
        "{h} volunteering hours in 2024/25",
    ),
    (
        "theme",
        "education-and-skills",
        "Take on apprentices from local schools and colleges",
        "{k} apprenticeships started in 2024/25",
    ),
    (
        "theme",
        "environmental",
        "Cut the carbon from our vehicles and buildings",
        "{n}% lower emissions by 2025/26 than in 2021/22",
    ),
    (
        "theme",
        "health-and-wellbeing",
        "Run Five Ways to Wellbeing sessions for our staff and volunteers",
        "",
    ),
    (
        "theme",
        "social-and-community",
        "Open our rooms to community groups free of charge",
        "{k} community bookings a year",
    ),
    (
        "principle",
        "Co-produce with our communities",
        "Ask the people we serve what the good life looks like to them, and act on it",
        "",
    ),
    ("theme", "leadership", "Name a board-level social value lead and report progress yearly", ""),
]

PLACES = [
    ("Birkenhead", "CH41"), ("Wallasey", "CH44"), ("Bebington", "CH63"), ("Neston", "CH64"),
    ("Ellesmere Port", "CH65"), ("Chester", "CH1"), ("Liverpool", "L1"), ("Everton", "L5"),
    ("Toxteth", "L8"), ("Bootle", "L20"), ("Crosby", "L23"), ("Speke", "L24"),
    ("Kirkby", "L32"), ("Huyton", "L36"), ("Runcorn", "WA7"), ("Widnes", "WA8"),
    ("St Helens", "WA10"), ("Warrington", "WA1"), ("Crewe", "CW1"), ("Nantwich", "CW5"),
    ("Winsford", "CW7"), ("Northwich", "CW9"), ("Macclesfield", "SK10"), ("Wilmslow", "SK9"),
    ("Southport", "PR8"),
]  # fmt: skip

# (organisation type, size bands to cycle through, name patterns, signer roles)
KINDS = [
    (T.VCSE, [S.MICRO, S.SMALL, S.SMALL, S.MEDIUM], [
        "{place} Community Pantry", "{place} Carers Hub", "{place} Youth Project",
        "{place} Men's Shed", "{place} Credit Union", "{place} Mental Health Forum",
        "{place} Dementia Friends Network", "{place} Refugee Welcome", "{place} Walking Group",
        "{place} Family Support Project",
    ], ["Chief Executive", "Chair of Trustees"]),
    (T.BUSINESS, [S.SMALL, S.MEDIUM, S.MICRO, S.LARGE], [
        "{place} Print Works", "{place} Catering Co", "{place} Building Services",
        "{place} Cleaning Services", "{place} IT Solutions", "{place} Facilities Management",
        "{place} Laundry Services", "{place} Electrical Contractors",
    ], ["Managing Director"]),
    (T.PRIMARY_CARE, [S.SMALL, S.MEDIUM], ["{place} Family Practice"],
     ["Senior Partner", "Practice Manager"]),
    (T.EDUCATION, [S.MEDIUM, S.LARGE], ["{place} Learning Partnership"], ["Principal"]),
    (T.HOUSING, [S.MEDIUM, S.LARGE], ["{place} Homes Cooperative"], ["Chief Executive"]),
    (T.OTHER, [S.SMALL, S.MEDIUM], ["{place} Leisure Trust"], ["Chief Executive"]),
    (T.NHS_TRUST, [S.LARGE], ["{place} Integrated Care Services NHS Trust"],
     ["Chair", "Chief Executive"]),
]  # fmt: skip
# How many demo organisations of each kind (80 in all).
KIND_COUNTS = {
    T.VCSE: 30,
    T.BUSINESS: 26,
    T.PRIMARY_CARE: 7,
    T.EDUCATION: 5,
    T.HOUSING: 5,
    T.OTHER: 5,
    T.NHS_TRUST: 2,
}
FIRST_NAMES = [
    "Aisha", "Ben", "Carys", "Dev", "Erin", "Femi", "Grace", "Harun", "Isla", "Jack", "Kemi",
    "Liam", "Maya", "Niall", "Orla", "Priya", "Quinn", "Rhys", "Sana", "Tom",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Brennan", "Clarke", "Doyle", "Evans", "Fletcher", "Gallagher", "Hughes", "Iqbal",
    "Jones", "Kaur", "Lloyd", "McCann", "Nolan", "Owens", "Patel", "Quayle", "Roberts",
    "Shah", "Taylor", "Walsh",
]  # fmt: skip
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters inward codes use
REGISTER_FROM = date(2022, 8, 1)
REGISTER_DAYS = 1060  # the demo signatures spread to mid-2025


@dataclass(frozen=True)
class DemoSignatory:
    organisation: Organisation
    signed_on: date
    signers: list[dict]
    pledges: list[tuple[str, str, str, str]]  # (kind, principle title or theme code, text, target)
    approve: bool = True


def _demo_organisation_specs() -> list[tuple[str, str, str, str]]:
    """(name, type, size band, postcode) of the 80 made-up organisations, always the same."""
    specs: list[tuple[str, str, str, str]] = []
    used: set[str] = set()
    position = 0
    for organisation_type, sizes, patterns, _roles in KINDS:
        for n in range(KIND_COUNTS[organisation_type]):
            while True:
                place, district = PLACES[(position * 7) % len(PLACES)]
                pattern = patterns[(n + position) % len(patterns)]
                name = pattern.format(place=place) + " (demo)"
                position += 1
                if name not in used:
                    break
            used.add(name)
            postcode = (
                f"{district} {1 + position % 9}"
                f"{POSTCODE_LETTERS[position % 20]}{POSTCODE_LETTERS[(position * 3) % 20]}"
            )
            specs.append((name, organisation_type, sizes[n % len(sizes)], postcode))
    return specs


def _roles_for(organisation_type: str) -> list[str]:
    return next(roles for kind, _s, _p, roles in KINDS if kind == organisation_type)


def _demo_signatory(index: int, organisation: Organisation) -> DemoSignatory:
    roles = _roles_for(organisation.organisation_type)
    signers = [
        {
            "name": f"{FIRST_NAMES[(index + 3 * k) % len(FIRST_NAMES)]} "
            f"{SURNAMES[(index * 5 + k) % len(SURNAMES)]}",
            "role": role,
        }
        for k, role in enumerate(roles[: 1 + index % len(roles)])
    ]
    pledges = []
    for k in range(1 + index % 3):
        kind, heading, text, target = PLEDGE_POOL[(index * 3 + k * 4) % len(PLEDGE_POOL)]
        target = target.format(n=10 + index % 15, h=20 * (1 + index % 12), k=1 + index % 6)
        pledges.append((kind, heading, text, target))
    signed_on = REGISTER_FROM + timedelta(days=(index * 37) % REGISTER_DAYS)
    return DemoSignatory(organisation, signed_on, signers, pledges)


def _named_signatories(organisations: dict[str, Organisation]) -> list[DemoSignatory]:
    """The real first signatories (DOMAIN.md), then a demo business; the demo community
    transport charity has signed but waits for approval."""
    icb = organisations[ICB_ODS]
    wirral = organisations[WIRRAL_ODS]
    return [
        DemoSignatory(
            icb,
            date(2022, 7, 12),
            [
                {"name": f"Chair of {icb.name}", "role": "Chair"},
                {"name": f"Chief Executive of {icb.name}", "role": "Chief Executive"},
            ],
            [
                (
                    "principle",
                    "Embed social value across the commissioning cycle",
                    "Give every procurement at least a 10% net zero and social value weighting",
                    "10% weighting in every procurement from April 2022",
                ),
                (
                    "principle",
                    "Give the voluntary sector longer contracts",
                    "Move VCSE contracts from one-year to three- or five-year cycles",
                    "",
                ),
                (
                    "principle",
                    "Measure and report what changes",
                    "Report the social value achieved across the system through the Social "
                    "Value Outcomes Framework",
                    "",
                ),
            ],
        ),
        DemoSignatory(
            wirral,
            date(2022, 9, 15),  # DOMAIN.md: September 2022 (the day is illustrative)
            [
                {"name": f"Chair of {wirral.name}", "role": "Chair"},
                {"name": f"Chief Executive of {wirral.name}", "role": "Chief Executive"},
            ],
            [
                (
                    "theme",
                    "economic",
                    "Spend more of our supply chain with firms in our local postcodes",
                    "18% of supply-chain expenditure in 2022/23 with firms with postcodes in "
                    "Cheshire East, Knowsley, St Helens, Wirral",
                ),
                (
                    "theme",
                    "employment-and-volunteering",
                    "Make our workforce more representative of the people we serve",
                    "5% of WTE staff with declared disabilities, at year end",
                ),
                (
                    "theme",
                    "education-and-skills",
                    "Grow apprenticeships at levels 2, 3 and 4+",
                    "85 employees achieving apprenticeships in 2021/22",
                ),
            ],
        ),
        DemoSignatory(
            organisations["Mersey Local Catering (demo)"],
            date(2022, 11, 3),
            [{"name": "Dev Hughes", "role": "Managing Director"}],
            [PLEDGE_POOL[0][:2] + ("Buy our produce from Wirral and Cheshire growers", "")],
        ),
        DemoSignatory(
            organisations["Knowsley Community Transport (demo)"],
            date(2025, 6, 20),
            [{"name": "Orla Nolan", "role": "Chair of Trustees"}],
            [PLEDGE_POOL[3][:2] + ("Recruit ten more volunteer drivers from Huyton", "")],
            approve=False,
        ),
    ]


# --- Building ------------------------------------------------------------------------------------


@dataclass
class Staff:
    tenant: Tenant
    admin: object
    access: TenantAccess


def _staff(tenant: Tenant, email: str) -> Staff:
    admin = get_user_model().objects.get(email=email)
    return Staff(tenant, admin, tenant_access_for(user=admin, tenant=tenant))


def _as_of(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _publish_cm_charter(staff: Staff) -> Charter:
    tenant, actor, access = staff.tenant, staff.admin, staff.access
    charter = services.charter_create(tenant=tenant, actor=actor, access=access, title=CM_TITLE)
    version = charter.versions.get()
    services.charter_version_update(
        tenant=tenant, actor=actor, access=access, version=version, **CM_TEXT
    )
    for title, description in CM_PRINCIPLES:
        services.principle_save(
            tenant=tenant,
            actor=actor,
            access=access,
            version=version,
            title=title,
            description=description,
        )
    services.charter_version_transition(
        tenant=tenant,
        actor=actor,
        access=access,
        version=version,
        to_status=VersionStatus.ENDORSED,
        endorsing_body=CM_ENDORSING_BODY,
        endorsed_on=CM_ENDORSED_ON,
        note="Endorsed by the Partnership after the Recipes for a good life conversations.",
    )
    services.charter_version_transition(
        tenant=tenant, actor=actor, access=access, version=version, to_status="published"
    )
    # History as it happened: endorsed and published on the day, not today.
    when = _as_of(CM_ENDORSED_ON)
    CharterVersion.objects.filter(pk=version.pk).update(published_at=when)
    version.transitions.update(created_at=when)
    return charter


def _record_engagement(
    staff: Staff, charter: Charter, records: list[EngagementRecord], principle_codes: dict
) -> None:
    if selectors.engagement_list(tenant=staff.tenant, charter=charter).exists():
        return
    for held_on, kind, audience, people, heard, principles, themes in records:
        services.engagement_save(
            tenant=staff.tenant,
            actor=staff.admin,
            access=staff.access,
            charter=charter,
            held_on=held_on,
            kind=kind,
            audience=audience,
            people_count=people,
            heard=heard,
            principle_codes=[principle_codes[title] for title in principles],
            theme_codes=themes,
        )


def _ensure_demo_organisations(tenant: Tenant) -> list[Organisation]:
    specs = _demo_organisation_specs()
    existing = {
        o.name: o for o in Organisation.objects.filter(name__in=[spec[0] for spec in specs])
    }
    missing = [
        Organisation(name=name, organisation_type=kind, size_band=size, registered_postcode=pc)
        for name, kind, size, pc in specs
        if name not in existing
    ]
    Organisation.objects.bulk_create(missing)
    existing.update({o.name: o for o in missing})
    organisations = [existing[spec[0]] for spec in specs]
    for organisation in organisations:
        participation_ensure(tenant=tenant, organisation=organisation, actor=None)
    return organisations


def _sign_and_approve(staff: Staff, charter: Charter, signing: DemoSignatory, principle_codes):
    """Sign as the organisation's admin (its demo login when it has one), then approve as
    the tenant admin, dating the approval a week or two after the signature."""
    tenant = staff.tenant
    organisation = signing.organisation
    if organisation.ods_code == WIRRAL_ODS:
        signer = get_user_model().objects.get(
            email=_login(CM_SLUG, Role.ORGANISATION_ADMIN, WIRRAL_ODS)
        )
        access = tenant_access_for(user=signer, tenant=tenant)
    else:  # no login for this organisation: act as its admin would
        signer = None
        access = TenantAccess(
            tenant_id=tenant.id,
            organisation_roles={organisation.id: frozenset({Role.ORGANISATION_ADMIN})},
        )
    pledges = [
        PledgeInput(
            text=text,
            target=target,
            principle_code=principle_codes[heading] if kind == "principle" else "",
            theme_code=heading if kind == "theme" else "",
        )
        for kind, heading, text, target in signing.pledges
    ]
    signatory = services.charter_sign(
        tenant=tenant,
        actor=signer,
        access=access,
        version=charter.versions.get(status=VersionStatus.PUBLISHED),
        organisation=organisation,
        data=SigningInput(signers=signing.signers, signed_on=signing.signed_on, pledges=pledges),
    )
    if not signing.approve:
        return
    services.signatory_decide(
        tenant=tenant,
        actor=staff.admin,
        access=staff.access,
        signatory=signatory,
        decision=Decision.APPROVE,
    )
    approved_on = signing.signed_on + timedelta(days=5 + signing.signed_on.toordinal() % 10)
    Signatory.objects.filter(pk=signatory.pk, status=SignatoryStatus.SIGNED).update(
        approved_on=approved_on, decided_at=_as_of(approved_on)
    )


def _cheshire_and_merseyside(tenant: Tenant) -> None:
    staff = _staff(tenant, _login(CM_SLUG, Role.TENANT_ADMIN))
    charter = selectors.charter_get(tenant=tenant, slug=slugify(CM_TITLE))
    if charter is None:
        charter = _publish_cm_charter(staff)
    version = selectors.published_version(tenant=tenant, charter=charter)
    if version is None:  # changed by hand since the demo was built: leave it alone
        return
    principle_codes = {p.title: p.code for p in version.principles.all()}
    _record_engagement(staff, charter, CM_ENGAGEMENT, principle_codes)

    participants = {
        p.organisation.ods_code or p.organisation.name: p.organisation
        for p in participation_list(tenant=tenant)
    }
    signings = _named_signatories(participants)
    signings += [
        _demo_signatory(index, organisation)
        for index, organisation in enumerate(_ensure_demo_organisations(tenant))
    ]
    signed = set(
        selectors.signatory_list(tenant=tenant, charter=charter).values_list(
            "organisation_id", flat=True
        )
    )
    for signing in signings:
        if signing.organisation.id not in signed:
            _sign_and_approve(staff, charter, signing, principle_codes)


# --- Coventry and Warwickshire: a draft in consultation -----------------------------------------

CW_TEXT = {
    "definition": (
        "Social value is what our partners do, beyond their core services, to reduce health "
        "inequalities and support independent lives, to encourage local employment and "
        "economic growth, and to reduce our carbon footprint and increase sustainability "
        "across Coventry and Warwickshire. (Draft for consultation.)"
    ),
    "ambition_social": (
        "Reduce health inequalities and support independent lives, aligned to the Marmot "
        "principles."
    ),
    "ambition_economic": "Encourage local employment and economic growth.",
    "ambition_environmental": "Reduce the carbon footprint and increase sustainability.",
    "commitments": "\n".join(
        [
            "Engage and co-produce the charter with partners and communities.",
            "Agree organisational pledges with KVIs and a delivery roadmap.",
            "Apply for the Social Value Quality Mark Health Bronze award.",
            "Take the final charter to the Integrated Care Partnership for endorsement, and "
            "ask each NHS partner to adopt it.",
        ]
    ),
}


def _cw_engagement(themes) -> list[EngagementRecord]:
    records: list[EngagementRecord] = [
        (
            date(2023, 9, 5) + timedelta(days=7 * n),
            "working_group",
            f"{theme.name} working group: ICB, councils, NHS providers and VCSE partners",
            9 + n % 4,
            f"The working group drafted pledges and KVIs for the {theme.name.lower()} theme of "
            "the Social Value Quality Mark and mapped what partners already do.",
            [],
            [theme.code],
        )
        for n, theme in enumerate(themes)
    ]
    records.append(
        (
            date(2023, 11, 21),
            "workshop",
            "Partners across Coventry and Warwickshire (NHS, councils, VCSE, universities)",
            52,
            "Social value work is fragmented: partners asked for one shared definition, a small "
            "set of KVIs everyone reports, and help for smaller organisations to take part.",
            [],
            [theme.code for theme in themes],
        )
    )
    return records


def _coventry_and_warwickshire(tenant: Tenant) -> None:
    staff = _staff(tenant, _login(CW_SLUG, Role.TENANT_ADMIN))
    charter = selectors.charter_get(tenant=tenant, slug=slugify(CW_TITLE))
    if charter is None:
        charter = services.charter_create(
            tenant=tenant, actor=staff.admin, access=staff.access, title=CW_TITLE
        )
        version = charter.versions.get()
        services.charter_version_update(
            tenant=tenant, actor=staff.admin, access=staff.access, version=version, **CW_TEXT
        )
        services.charter_version_transition(
            tenant=tenant,
            actor=staff.admin,
            access=staff.access,
            version=version,
            to_status=VersionStatus.CONSULTATION,
            note="The draft went to the Integrated Care Partnership in July; engagement and "
            "co-production with partners and communities follow.",
        )
        version.transitions.update(created_at=_as_of(date(2023, 7, 27)))
    draft = selectors.version_get(tenant=tenant, charter=charter, number=1)
    if draft is None:
        return
    _record_engagement(staff, charter, _cw_engagement(list(draft.themes.all())), {})


@transaction.atomic
def build_demo() -> None:
    tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=[CM_SLUG, CW_SLUG])}
    if CM_SLUG in tenants:
        with tenant_context(tenants[CM_SLUG].id):
            _cheshire_and_merseyside(tenants[CM_SLUG])
    if CW_SLUG in tenants:
        with tenant_context(tenants[CW_SLUG].id):
            _coventry_and_warwickshire(tenants[CW_SLUG])
