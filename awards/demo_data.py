"""The facts and illustrative text of the award demo (awards.demo builds them).

From DOMAIN.md: Cheshire and Merseyside's Social Value Award (free; four areas, environmental,
social, economic and innovation, of which an applicant need not cover all; valid five years;
evidence says what changed, for whom, how many people, where and when; a decision within 7
working days; an award may be recognised in a category such as "environment"); the Social Value
Quality Mark's health award (themes; Level 1 tracks KVIs linked to pledges over a set period;
Bronze asks for pledges on at least 6 themes and its listed items; Silver adds measurement and
is valid 2 years; below 80% fails; appeals within 10 working days, decided within 21); Wirral
Community Health and Care's award (March 2021) and its eight SVQM Level 1 KVIs (18 months'
tracking, submission due April 2023).

Illustrative (not in DOMAIN.md): the wording of the questions, the Gold and Platinum
requirements, Level 1's validity, the made-up "(demo)" applicants (the same made-up
organisations as the charter demo's register, so seed_demo adds none), their answers, dates and
scores.
"""

from dataclasses import dataclass, field
from datetime import date

CM_AWARD = "Cheshire and Merseyside Social Value Award"
SVQM = "Social Value Quality Mark: Health"
EVIDENCE = "Say what changed, for whom, how many people, where in Cheshire and Merseyside and when."
RUBRIC = {
    "0": "No evidence",
    "1": "Limited evidence: intentions more than results",
    "2": "Some evidence: results for a few people or places",
    "3": "Good evidence: what changed, for whom, how many, where and when",
    "4": "Excellent evidence: sustained results, measured and shared",
}

CM_DESCRIPTION = (
    "Free, and meant for organisations of every size with a quick application. Make and evidence "
    "commitments in any of four areas (environmental, social, economic, innovation): you need "
    "not cover them all. The award lasts five years, or until you can no longer evidence an "
    "area. Successful applicants hear within 7 working days; unsuccessful ones get feedback."
)
CM_LEVEL = (
    "Social Value Award",
    "Commitments and evidence in at least one of the four areas.",
)
CM_GENERAL_QUESTION = "Tell us about your organisation and who leads its social value work."
# area code -> the question for that area
CM_QUESTIONS = {
    "environmental": "What have you done to reduce your environmental impact, and what do you "
    "commit to next?",
    "social": "How do you support the communities you serve, and what do you commit to next?",
    "economic": "How do you spend, employ and invest locally, and what do you commit to next?",
    "innovation": "What have you tried that is new in social value, and what did you learn?",
}
CM_CATEGORIES = ["Environment", "Social", "Economic", "Innovation"]

# The Social Value Quality Mark's health themes (code, name).
SVQM_THEMES = [
    ("health-and-wellbeing", "Health and wellbeing"),
    ("education-and-skills", "Education and skills"),
    ("employment-and-volunteering", "Employment and volunteering"),
    ("social-and-community", "Social and community"),
    ("economic", "Economic"),
    ("environmental", "Environmental"),
    ("leadership", "Leadership"),
]
SVQM_DESCRIPTION = (
    "The Social Value Quality Mark's health award, in levels. Level 1 is about identifying, "
    "tracking and reporting Key Value Indicators (KVIs) linked to your pledges over a set "
    "period, rather than absolute values. Applications below 80% do not pass; an appeal may be "
    "lodged within 10 working days and is decided within 21."
)
# (name, requirements, minimum areas, minimum commitments, KVIs per commitment, validity years,
# tracking months)
SVQM_LEVELS = [
    (
        "Level 1",
        "Identify, track and report KVIs linked to your pledges over 18 months: each pledge "
        "tracked by at least one KVI.",
        1,
        1,
        1,
        5,
        18,
    ),
    (
        "Bronze",
        "Pledges on at least 6 themes: an executive sponsor, a social value lead and an "
        "environmental lead, an internal development group, an organisational definition of "
        "social value, community and patient values, volunteer numbers and hours, a legacy "
        "statement, at least 6 pledges.",
        6,
        6,
        0,
        5,
        None,
    ),
    (
        "Silver",
        "Bronze, plus measurement, evidence, a forecast of annual social value and stakeholder "
        "perception.",
        6,
        6,
        1,
        2,
        None,
    ),
    (
        "Gold",
        "Silver, with social value measured and reported across the organisation.",
        7,
        7,
        1,
        2,
        None,
    ),  # fmt: skip
    (
        "Platinum",
        "Gold, with partners and the supply chain held to the same standard.",
        7,
        7,
        1,
        2,
        None,
    ),  # fmt: skip
]
SVQM_GENERAL_QUESTION = "Tell us about your organisation and its social value work."
# (level name, question)
SVQM_QUESTIONS = [
    ("Level 1", "Which pledges have you made, and which KVIs track each of them?"),
    ("Level 1", "How do you report progress on your KVIs, and to whom?"),
    ("Bronze", "Who are your executive sponsor, social value lead and environmental lead?"),
    ("Bronze", "What is your organisation's definition of social value?"),
    ("Bronze", "How many volunteers do you have, and how many hours did they give?"),
    ("Bronze", "What is your legacy statement?"),
    ("Silver", "What is your forecast of annual social value, and how did you measure it?"),
    ("Silver", "What do your stakeholders think of your social value work?"),
]


@dataclass(frozen=True)
class Applicant:
    """One demo application to the Cheshire and Merseyside award. `state`: awarded (on
    `decided_on`; expired once five years have passed), not_awarded (decided at build time),
    appealed (not awarded and appealed at build time), in_assessment, submitted, draft."""

    name: str
    kind: str  # organisations.OrganisationType
    size: str  # organisations.SizeBand
    postcode: str
    lead: str  # the answer to the general question
    areas: dict[str, tuple[str, str]]  # area code -> (commitment, evidence answer)
    state: str
    decided_on: date | None = None
    categories: list[str] = field(default_factory=list)
    ods: str = ""


WIRRAL = "Wirral Community Health and Care NHS Foundation Trust"

CM_APPLICANTS = [
    Applicant(
        WIRRAL,
        "nhs_trust",
        "large",
        "CH41 7ED",
        "Our Chief Strategy Officer leads social value, supported by the Deputy Director of "
        "Strategy, and reports to the public board in a mid-year and a year-end report.",
        {
            "economic": (
                "Spend more of our supply chain with firms in our local postcodes",
                "We measure supply-chain spend with firms in Cheshire East, Knowsley, St Helens "
                "and Wirral every month and give every procurement at least a 10% social value "
                "weighting (PPN 06/20).",
            ),
            "social": (
                "Make our workforce more representative of the people we serve",
                "We offer NHS careers sessions with schools, colleges and youth groups across "
                "Wirral, and track the share of staff with declared disabilities.",
            ),
        },
        "awarded",
        date(2021, 3, 19),  # DOMAIN.md: March 2021 (the day is illustrative)
        ["social"],
        ods="RY7",
    ),
    Applicant(
        "Mersey Local Catering (demo)",
        "business",
        "small",
        "CH41 5AB",
        "Our managing director leads it; the whole team of 28 chose our commitments.",
        {
            "economic": (
                "Buy our produce from Wirral and Cheshire growers",
                "Since April 2023, 64% of our produce (by value) comes from 11 growers within 30 "
                "miles of Birkenhead, up from 22%.",
            ),
            "environmental": (
                "Send no food waste to landfill",
                "Food waste went to landfill until 2023; now 3.2 tonnes a year goes to an "
                "anaerobic digester in Ellesmere Port and surplus meals to two food banks.",
            ),
        },
        "awarded",
        date(2024, 5, 14),
        ["environment"],
    ),
    Applicant(
        "Birkenhead Facilities Management (demo)",
        "business",
        "large",
        "CH41 7QS",
        "A director sponsors it and an apprentice-led green team runs it.",
        {
            "environmental": (
                "Halve the energy the buildings we manage use by 2026",
                "New boilers and LED lighting in the 14 buildings we manage in Birkenhead cut "
                "their electricity use by 31% between 2021/22 and 2022/23.",
            ),
            "social": (
                "Repair community buildings at cost",
                "In 2022/23 we did 46 repair jobs at cost for 19 Wirral charities, saving them "
                "about £18,000.",
            ),
        },
        "awarded",
        date(2023, 9, 20),
    ),
    Applicant(
        "Everton Carers Hub (demo)",
        "vcse",
        "small",
        "L5 1JB",
        "Our chief executive and a trustee lead it; carers sit on our planning group.",
        {
            "social": (
                "Reach 200 more unpaid carers a year in north Liverpool",
                "In 2024/25 we supported 612 unpaid carers, 187 more than the year before, half "
                "of them in the most deprived fifth of neighbourhoods.",
            ),
            "innovation": (
                "Run carers' drop-ins in GP surgeries",
                "A pilot in four Everton and Anfield surgeries from June 2024 reached 143 carers "
                "who had never asked for help; two more surgeries joined in 2025.",
            ),
        },
        "awarded",
        date(2025, 11, 3),
        ["social"],
    ),
    Applicant(
        "Runcorn Leisure Trust (demo)",
        "other",
        "medium",
        "WA7 7YT",
        "Our head of community sport leads it.",
        {
            "social": (
                "Free swimming for children on free school meals",
                "In 2018/19, 1,240 children on free school meals swam free in Runcorn pools in "
                "the school holidays.",
            ),
        },
        "awarded",
        date(2019, 6, 12),  # expired in June 2024
    ),
    Applicant(
        "Crewe Cleaning Services (demo)",
        "business",
        "micro",
        "CW1 6PP",
        "Our owner leads it.",
        {
            "economic": (
                "Pay every cleaner the real Living Wage",
                "Since April 2019 all 8 of our cleaners in Crewe and Nantwich earn at least the "
                "real Living Wage.",
            ),
        },
        "awarded",
        date(2020, 2, 5),  # expired in February 2025
    ),
    Applicant(
        "Bootle Credit Union (demo)",
        "vcse",
        "micro",
        "L20 5SZ",
        "Our manager and two board members lead it.",
        {
            "economic": (
                "Offer affordable loans to people refused by banks",
                "In 2024/25 we lent £410,000 to 890 members in Sefton at a fair rate instead of "
                "doorstep lenders.",
            ),
            "social": (
                "Teach money skills in Bootle schools",
                "Volunteers ran 38 money-skills sessions for 950 pupils in six Bootle schools in "
                "2024/25.",
            ),
        },
        "in_assessment",
    ),
    Applicant(
        "Speke Catering Co (demo)",
        "business",
        "medium",
        "L24 5NJ",
        "Our operations director leads it.",
        {
            "economic": (
                "Take on two local apprentice chefs a year",
                "We took on 3 apprentice chefs from Speke and Garston in 2024 and 2 in 2025.",
            ),
        },
        "submitted",
    ),
    Applicant(
        "Toxteth Homes Cooperative (demo)",
        "housing",
        "medium",
        "L8 8PP",
        "Our chief executive leads it.",
        {
            "environmental": (
                "Insulate our older homes",
                "We plan to insulate our homes.",
            ),
            "social": (
                "Help tenants into work",
                "We signpost tenants to job clubs.",
            ),
        },
        "not_awarded",
    ),
    Applicant(
        "Northwich Mental Health Forum (demo)",
        "vcse",
        "medium",
        "CW9 3NJ",
        "Our coordinator leads it with volunteers.",
        {
            "social": (
                "Run weekly peer-support groups",
                "We run peer-support groups in Northwich.",
            ),
            "innovation": (
                "Try walk-and-talk groups in parks",
                "We would like to try walk-and-talk groups.",
            ),
        },
        "appealed",
    ),
    Applicant(
        "Knowsley Community Transport (demo)",
        "vcse",
        "micro",
        "L34 9EA",
        "Our chair of trustees leads it.",
        {
            "social": (
                "Recruit ten more volunteer drivers from Huyton",
                "",
            ),
        },
        "draft",
    ),
    Applicant(
        "Everton Youth Project (demo)",
        "vcse",
        "small",
        "L5 3DH",
        "",
        {"social": ("Give young people a say in our services", "")},
        "draft",
    ),
]

# Wirral's SVQM Level 1 pledges (DOMAIN.md): theme -> (commitment, the KVI code of kvi.demo).
WIRRAL_LEVEL_ONE = [
    (
        "economic",
        "18% of supply-chain expenditure in 2022/23 with firms with postcodes in Cheshire East, "
        "Knowsley, St Helens and Wirral",
        "ECO-1",
    ),
    ("economic", "50% of contracts developed in year with a social value weighting", "ECO-2"),
    (
        "employment-and-volunteering",
        "5% of WTE staff with declared disabilities, at year end",
        "EMP-1",
    ),
    (
        "employment-and-volunteering",
        "24 sessions a year with schools, colleges and youth groups on NHS careers",
        "EMP-2",
    ),
    (
        "education-and-skills",
        "85 employees achieving apprenticeships at levels 2, 3 or 4+ in 2021/22",
        "EDU-1",
    ),
    (
        "education-and-skills",
        "50 sessions of reciprocal mentoring between senior managers/board and BAME staff in "
        "2021/22",
        "EDU-2",
    ),
    ("health-and-wellbeing", "90% of reportable staff vaccinated against flu", "HWB-1"),
    (
        "health-and-wellbeing",
        "50 people a month receiving a home-based crisis response within 2 hours by the end of "
        "2021/22",
        "HWB-2",
    ),
]
WIRRAL_TRACKING_FROM = date(2021, 10, 1)  # 18 months to the April 2023 submission
WIRRAL_LEVEL_ONE_ANSWERS = {
    SVQM_GENERAL_QUESTION: (
        "Wirral Community Health and Care NHS Foundation Trust was the first NHS trust to "
        "achieve the Social Value Quality Mark Level 1, in October 2021. Our Social Value "
        "Framework has five themes, from purchasing locally to engaging with communities."
    ),
    "Which pledges have you made, and which KVIs track each of them?": (
        "Eight pledges across the economic, employment and volunteering, education and skills, "
        "and health and wellbeing themes, each tracked by one KVI (listed with our commitments)."
    ),
    "How do you report progress on your KVIs, and to whom?": (
        "To our public board: the social value mid-year report of 19 October 2022 (agenda item "
        "12, to assure), by the Chief Strategy Officer, and a year-end report."
    ),
}
