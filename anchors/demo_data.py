"""What the anchors demo is made of (anchors.demo builds it): Cheshire and Merseyside's Anchor
Institution Charter (2021), its 13 anchor institutions across NHS, council, voluntary and
private sectors, the figures of three half-yearly reporting rounds, and the first Anchor
Assembly on 12 July 2023 (DOMAIN.md). The institutions are the demo's organisations (the real
NHS bodies and councils, and the made-up ones marked "(demo)"); people's names, figures,
dates not given in DOMAIN.md and the narratives are illustrative."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from organisations.models import OrganisationType as T

ANCHOR_TITLE = "Cheshire and Merseyside Anchor Institution Charter"
ENDORSING_BODY = "Cheshire and Merseyside Health and Care Partnership"
ENDORSED_ON = date(2021, 11, 25)  # DOMAIN.md: the charter dates from 2021 (the day is made up)

TEXT: dict[str, Any] = {  # version text fields (charters.services)
    "definition": (
        "Anchor institutions are large organisations rooted in Cheshire and Merseyside whose "
        "jobs, spending, buildings and partnerships shape the places they serve. This charter "
        "sets out what its members commit to do with them, under five pillars, and how they "
        "show their progress."
    ),
    "ambition_social": (
        "Buildings and spaces open to the communities around them, and partners who plan "
        "together rather than apart."
    ),
    "ambition_economic": (
        "More of every public pound spent with local firms and voluntary organisations, and "
        "more local people in good, fairly paid work."
    ),
    "ambition_environmental": "A Net Zero plan by 2040 for every member, and delivered.",
    "commitments": "\n".join(
        [
            "Report progress against the evidence framework twice a year.",
            "Meet as the Anchor Assembly twice a year to review progress and agree actions.",
            "Share what works with the other members.",
        ]
    ),
}


@dataclass(frozen=True)
class Institution:
    """An anchor institution: found by ODS code or name, or the first demo organisation of
    `kind` not yet used (`kind` set, `key` empty)."""

    key: str
    kind: str = ""
    signed_on: date = date(2021, 12, 8)
    signer: tuple[str, str] = ("", "Chief Executive")  # (name, role); "" -> "<role> of <org>"
    priorities: tuple[str, ...] = ("purchase-locally-first", "real-living-wage")
    pledge: tuple[str, str] = ("purchasing", "Spend more with firms in our boroughs")
    anonymised: bool = False
    scale: Decimal = Decimal(1)  # size: multiplies spend, jobs and hours
    lead: str = ""  # who attends the assembly for it


INSTITUTIONS = [
    Institution(
        "QYG",
        signed_on=date(2021, 11, 30),
        priorities=("social-value-weighting", "purchase-locally-first", "work-with-vcse"),
        pledge=("purchasing", "Give every procurement at least a 10% social value weighting"),
        scale=Decimal("0.6"),
        lead="Aisha Ahmed",
    ),
    Institution(
        "RY7",
        signed_on=date(2022, 9, 15),  # DOMAIN.md: September 2022 (the day is illustrative)
        priorities=("purchase-locally-first", "employ-locally-first", "apprenticeships"),
        pledge=(
            "purchasing",
            "18% of supply-chain expenditure with firms in our local postcodes",
        ),
        scale=Decimal("0.8"),
        lead="Ben Brennan",
    ),
    Institution(
        "Cheshire East Council",
        priorities=("purchase-locally-first", "open-estate-to-communities", "net-zero-2040"),
        pledge=("buildings", "Open our libraries and leisure centres to community groups"),
        scale=Decimal("1.6"),
        lead="Erin Evans",
    ),
    Institution(
        "Cheshire West and Chester Council",
        signed_on=date(2021, 12, 15),
        priorities=("real-living-wage", "open-estate-to-communities", "net-zero-2040"),
        pledge=("environment", "Set out and deliver our Net Zero plan"),
        scale=Decimal("1.5"),
        lead="Harun Hughes",
    ),
    Institution(
        "Wellbeing Enterprises CIC",
        signed_on=date(2022, 1, 20),
        signer=("", "Chief Executive"),
        priorities=("work-with-vcse", "real-living-wage"),
        pledge=("partners", "Bring community groups into the anchors' plans"),
        scale=Decimal("0.02"),
        lead="Kemi Kaur",
    ),
    Institution(
        "Mersey Local Catering (demo)",
        signed_on=date(2022, 3, 3),
        signer=("Dev Hughes", "Managing Director"),
        priorities=("purchase-locally-first", "employ-locally-first"),
        pledge=("workforce", "Recruit our kitchen teams from Birkenhead first"),
        anonymised=True,
        scale=Decimal("0.03"),
        lead="Dev Hughes",
    ),
    Institution(
        "",
        kind=T.NHS_TRUST,
        signed_on=date(2021, 12, 8),
        priorities=("employ-locally-first", "apprenticeships", "net-zero-2040"),
        pledge=("workforce", "Widen access to NHS careers for local young people"),
        scale=Decimal("1.2"),
        lead="Priya Shah",
    ),
    Institution(
        "",
        kind=T.NHS_TRUST,
        signed_on=date(2022, 2, 9),
        priorities=("purchase-locally-first", "apprenticeships", "net-zero-2040"),
        pledge=("environment", "Cut the carbon from our buildings and fleet"),
        scale=Decimal("1.0"),
        lead="Tom Gallagher",
    ),
    Institution(
        "",
        kind=T.EDUCATION,
        signed_on=date(2022, 1, 12),
        signer=("", "Principal"),
        priorities=("apprenticeships", "open-estate-to-communities"),
        pledge=("workforce", "Train local people for jobs with the other anchors"),
        scale=Decimal("0.25"),
        lead="Carys Lloyd",
    ),
    Institution(
        "",
        kind=T.HOUSING,
        signed_on=date(2022, 4, 6),
        priorities=("real-living-wage", "open-estate-to-communities"),
        pledge=("buildings", "Open our community rooms on every estate"),
        anonymised=True,
        scale=Decimal("0.2"),
        lead="Femi Owens",
    ),
    Institution(
        "",
        kind=T.OTHER,
        signed_on=date(2022, 5, 18),
        priorities=("open-estate-to-communities", "net-zero-2040"),
        pledge=("buildings", "Free swimming and gym sessions for community groups"),
        scale=Decimal("0.08"),
        lead="Isla Roberts",
    ),
    Institution(
        "",
        kind=T.BUSINESS,
        signed_on=date(2022, 6, 22),
        signer=("", "Managing Director"),
        priorities=("purchase-locally-first", "real-living-wage"),
        pledge=("purchasing", "Use local subcontractors for our building work"),
        scale=Decimal("0.1"),
        lead="Jack Doyle",
    ),
    Institution(
        "",
        kind=T.VCSE,
        signed_on=date(2022, 7, 7),
        priorities=("work-with-vcse", "employ-locally-first"),
        pledge=("partners", "Link the anchors with the groups we work with"),
        scale=Decimal("0.01"),
        lead="Maya Iqbal",
    ),
]


@dataclass(frozen=True)
class RoundSpec:
    name: str
    period_start: date
    period_end: date
    opens_on: date
    due_on: date
    closed_on: date
    growth: Decimal  # on the first round's figures
    late: tuple[int, ...] = ()  # institutions (by position) that sent theirs after the due date


ROUNDS = [
    RoundSpec(
        "2022/23 H1",
        date(2022, 4, 1),
        date(2022, 9, 30),
        date(2022, 10, 3),
        date(2022, 11, 18),
        date(2022, 12, 2),
        Decimal("1.00"),
    ),
    RoundSpec(
        "2022/23 H2",
        date(2022, 10, 1),
        date(2023, 3, 31),
        date(2023, 4, 3),
        date(2023, 5, 19),
        date(2023, 6, 2),
        Decimal("1.06"),
        late=(11,),
    ),
    RoundSpec(
        "2023/24 H1",
        date(2023, 4, 1),
        date(2023, 9, 30),
        date(2023, 10, 2),
        date(2023, 11, 17),
        date(2023, 12, 1),
        Decimal("1.13"),
    ),
]

# Per metric: (base for an institution of scale 1, how it grows: "scale" multiplies by the
# institution's scale and the round's growth, "pct" adds points per round within limits).
BASES = {
    "ANC-LOCAL-SPEND-PCT": Decimal("21"),
    "ANC-LOCAL-SPEND": Decimal("14500000"),
    "ANC-SV-CONTRACTS": Decimal("55"),
    "ANC-ESTATE-HOURS": Decimal("2400"),
    "ANC-LOCAL-EMPLOYED": Decimal("3900"),
    "ANC-APPRENTICESHIPS": Decimal("48"),
    "ANC-REAL-LIVING-WAGE": Decimal("91"),
    "ANC-EMISSIONS-REDUCED": Decimal("620"),
}
PERCENT_STEP = {  # points gained per round
    "ANC-LOCAL-SPEND-PCT": Decimal("1.4"),
    "ANC-SV-CONTRACTS": Decimal("6"),
    "ANC-REAL-LIVING-WAGE": Decimal("2"),
}

NARRATIVES = {
    "purchasing": "We moved more of our spend to suppliers in Cheshire and Merseyside "
    "postcodes and added a social value weighting to our larger contracts.",
    "buildings": "Community groups used our rooms and spaces free of charge, mostly in the "
    "evenings and at weekends.",
    "workforce": "We advertised vacancies locally first and took on apprentices from local "
    "schools and colleges.",
    "partners": "We worked with voluntary organisations on shared plans for the places we serve.",
    "environment": "Our Net Zero plan is under way: LED lighting, heat pumps and an electric "
    "fleet cut our emissions.",
}


@dataclass(frozen=True)
class ActionSpec:
    text: str
    owner: int | None  # an institution's position in INSTITUTIONS, or None
    owner_name: str
    due_on: date | None
    done_on: date | None = None


@dataclass(frozen=True)
class AssemblySpec:
    held_on: date
    title: str
    round_name: str
    agenda: str
    minutes: str
    attending: tuple[int, ...]  # institutions (by position) represented
    guests: tuple[tuple[str, str], ...] = ()
    actions: tuple[ActionSpec, ...] = field(default_factory=tuple)


ASSEMBLIES = [
    AssemblySpec(
        date(2023, 7, 12),
        "First Anchor Assembly",
        "2022/23 H2",
        "\n".join(
            [
                "1. Welcome and introductions",
                "2. Why an Anchor Assembly: the charter's five pillars",
                "3. Progress from the 2022/23 H2 returns (the progress pack)",
                "4. Local spend: what the benchmarks tell us",
                "5. Widening access to work: apprenticeships across the anchors",
                "6. Actions and the next assembly",
            ]
        ),
        "\n\n".join(
            [
                "The chair welcomed senior representatives of the thirteen anchor institutions "
                "to the first Anchor Assembly, a year and a half after the charter was endorsed.",
                "Members reviewed the progress pack from the 2022/23 H2 returns. Local spend "
                "and the share of contracts with a social value weighting had both risen since "
                "2022/23 H1. Two members chose to be shown anonymised in the benchmarks.",
                "Members agreed that the NHS trusts and councils would share their procurement "
                "pipelines with voluntary and small local suppliers, and that apprenticeship "
                "vacancies would be advertised across all the anchors.",
                "The next assembly will be held in January 2024.",
            ]
        ),
        attending=(0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12),
        guests=(("Chair of the Health and Care Partnership", "Chair"),),
        actions=(
            ActionSpec(
                "Share the procurement pipeline for the next 18 months with VCSE and small "
                "local suppliers",
                0,
                "Head of procurement",
                date(2023, 10, 31),
                date(2023, 10, 20),
            ),
            ActionSpec(
                "Advertise every apprenticeship vacancy across the anchors' job boards",
                1,
                "",
                date(2023, 12, 31),
            ),
            ActionSpec(
                "Propose a shared measure of community use of estate for the evidence framework",
                None,
                "Programme team",
                date(2023, 9, 30),
                date(2023, 9, 14),
            ),
            ActionSpec(
                "Publish each member's Net Zero plan on the charter's pages",
                3,
                "Climate lead",
                date(2024, 1, 10),
            ),
        ),
    ),
]
