"""The demo's board papers, as DOMAIN.md tells them: Wirral Community Health and Care's "Social
value mid-year report" to its public board of 19 October 2022 (agenda item 12; lead director
Anthony Bennett, Chief Strategy Officer; author David Hammond, Deputy Director of Strategy;
action required: to assure), figures to month 6 (30 September 2022), and Cheshire and
Merseyside's system report for the same half year.

The names, dates, figures and standing come from DOMAIN.md; the wording of the other cover sheet
fields (risks, Board Assurance Framework, strategic objectives, history) is illustrative.
Plain values for reporting.demo (which creates the Report rows) and the tests. The demo's KVI
figures are entered when the demo is seeded (kvi.demo), so a demo report's data freeze date must
be the seeding day or later for them to appear: reporting.demo uses the day it runs."""

from datetime import date

WIRRAL_ODS = "RY7"

# The KVIs whose SPC charts the Wirral paper shows (kvi.demo's codes: the three with monthly
# series): local supply-chain spend, WTE with declared disabilities, crisis responses.
WIRRAL_CHART_KVI_CODES = ("ECO-1", "EMP-1", "HWB-2")

WIRRAL_REPORT: dict = {
    "title": "Social value mid-year report",
    "period_end": date(2022, 9, 30),
    "meeting": "Public board",
    "meeting_date": date(2022, 10, 19),
    "agenda_item": "12",
    "enclosure": "",
    "lead_director": "Anthony Bennett, Chief Strategy Officer",
    "authors": "David Hammond, Deputy Director of Strategy",
    "action_required": "Assure",
    "purpose": (
        "To give the board assurance on the trust's social value programme at the mid-point of "
        "2022/23: progress against the Key Value Indicators (KVIs) of its Social Value Quality "
        "Mark Level 1 commitments, and its standing against the Cheshire and Merseyside "
        "Social Value Charter, Social Value Award and Anchor Institution Charter."
    ),
    "executive_summary": (
        "The trust was the first NHS trust to achieve the Social Value Business Quality Mark "
        "Level 1 (October 2021) and reports on eight KVIs linked to its pledges; the Level 1 "
        "submission is due in April 2023. At September 2022, 13.09% of supply-chain expenditure "
        "was with firms in local postcodes (target 18%), 4.76% of WTE staff had declared a "
        "disability (4.09% at March 2022; target 5%), and home-based crisis responses within "
        "two hours averaged 145 a month in June to August 2022, against 58 a month in January "
        "to March 2022. The trust signed the Cheshire and Merseyside Social Value Charter and "
        "Anchor Institution Charter in September 2022 and holds the Social Value Award."
    ),
    "recommendation": "The board is asked to take assurance from the progress reported.",
    "risks_and_opportunities": (
        "Local spend is below the 18% target: procurement will apply the PPN 06/20 social "
        "value weighting of at least 10% to every tender and work with local suppliers."
    ),
    "board_assurance_framework": "BAF risk 4: partnerships and the wider determinants of health.",
    "quality_and_equality_impact": (
        "The workforce dashboard (location, deprivation, ethnicity, religion, sexual "
        "orientation, disability) informs plans for a more representative workforce."
    ),
    "financial_implications": "None beyond existing budgets.",
    "strategic_objectives": "Populations: to support the health and wellbeing of our "
    "communities; People: to be a great place to work.",
    "report_history": "Social value annual report, public board, April 2022.",
    "narratives": {
        "Purchasing and investing locally and for social benefit": (
            "Local spend reached 13.09% of supply-chain expenditure for April to September "
            "2022 (Wirral 11.88%; Cheshire East, Knowsley and St Helens 1.21%). Both contracts "
            "developed in the year carried a social value weighting."
        ),
        "Representative workforce and widening access to quality work": (
            "WTE staff with declared disabilities rose from 4.09% at March 2022 to 4.76% at "
            "September 2022. In 2021/22, 177 NHS cadets took part and 162 career sessions were "
            "offered, 34 supported by WCHC staff; 21 staff were on apprenticeship programmes "
            "and 14 completed."
        ),
        "Increasing wellbeing and health equity": (
            "72% of reportable staff were vaccinated against flu in 2021/22 (target 90%). "
            "Home-based crisis responses within 2 hours averaged 58 a month in January to "
            "March 2022 and 145 a month in June to August 2022."
        ),
    },
}

CM_SLUG = "cheshire-and-merseyside"

CM_SYSTEM_REPORT: dict = {
    "title": "Social value system report: mid-year 2022/23",
    "period_end": date(2022, 9, 30),
    "meeting": "Integrated Care Partnership",
    "meeting_date": date(2022, 11, 9),
    "agenda_item": "7",
    "enclosure": "C",
    "lead_director": "Director of Strategy and Partnerships, NHS Cheshire and Merseyside",
    "authors": "Social Value Programme Lead",
    "action_required": "Note",
    "purpose": (
        "To report the system's social value programme at the mid-point of 2022/23: "
        "signatories of the Social Value Charter, awards held and expiring, the Anchor "
        "Institution Charter's collective impact and KVI progress across organisations."
    ),
    "executive_summary": "",
    "recommendation": "The partnership is asked to note the report.",
    "narratives": {},
}


def wirral_report_fields() -> dict:
    """A fresh copy of the Wirral paper's fields (Report columns; the caller adds tenant,
    organisation, kind, data_freeze_date and chart_kvi_ids from WIRRAL_CHART_KVI_CODES)."""
    return {**WIRRAL_REPORT, "narratives": dict(WIRRAL_REPORT["narratives"])}


def cm_system_report_fields() -> dict:
    return {**CM_SYSTEM_REPORT, "narratives": dict(CM_SYSTEM_REPORT["narratives"])}
