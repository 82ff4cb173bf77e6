"""Examples for the API documentation, from the Cheshire and Merseyside demo."""

from drf_spectacular.utils import OpenApiExample

ICB = {
    "id": "6b0f8f2e-3a1c-4d8e-9a57-0c2f4e1b7d10",
    "name": "NHS Cheshire and Merseyside Integrated Care Board",
    "organisation_type": "icb",
    "sector": "nhs",
    "size_band": "large",
    "postcode_district": "L3",
    "ods_code": "QYG",
    "org_ids": [],
}
SIGNERS = [
    {"name": "Chair of NHS Cheshire and Merseyside ICB", "role": "Chair"},
    {"name": "Chief Executive of NHS Cheshire and Merseyside ICB", "role": "Chief Executive"},
]

CHARTER = OpenApiExample(
    "Cheshire and Merseyside Social Value Charter",
    value={
        "slug": "cheshire-and-merseyside-social-value-charter",
        "title": "Cheshire and Merseyside Social Value Charter",
        "has_tiers": False,
        "current_version": 1,
        "versions": [
            {
                "number": 1,
                "status": "published",
                "title": "Cheshire and Merseyside Social Value Charter",
                "endorsing_body": "Cheshire and Merseyside Health and Care Partnership",
                "endorsed_on": "2022-07-01",
                "published_at": "2022-07-01T09:00:00Z",
            }
        ],
        "tiers": [
            {
                "id": "1d7e5c34-98b2-4a0e-8f3d-5b6c7a8e9f01",
                "name": "Signatory",
                "description": "",
                "position": 1,
            }
        ],
        "links": [],
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

VERSION = OpenApiExample(
    "Version 1, published",
    value={
        "number": 1,
        "status": "published",
        "title": "Cheshire and Merseyside Social Value Charter",
        "definition": "Social value is the economic, social and environmental good we do for "
        "our places beyond our core service.",
        "ambition_social": "Healthier communities, co-produced with residents.",
        "ambition_economic": "Local jobs and local spend.",
        "ambition_environmental": "Lower emissions on the way to Net Zero.",
        "commitments_intro": "In order to meet these ambitions, we will ...",
        "commitments": ["Embed social value across the commissioning cycle"],
        "change_summary": "",
        "endorsing_body": "Cheshire and Merseyside Health and Care Partnership",
        "endorsed_on": "2022-07-01",
        "published_at": "2022-07-01T09:00:00Z",
        "principles": [
            {
                "code": "purchase-and-employ-locally-first",
                "title": "Purchase and employ locally first",
                "description": "",
            }
        ],
        "themes": [
            {"code": "health-and-wellbeing", "name": "Health and wellbeing", "description": ""}
        ],
        "transitions": [
            {
                "from_status": "draft",
                "to_status": "endorsed",
                "at": "2022-07-01T09:00:00Z",
                "endorsing_body": "Cheshire and Merseyside Health and Care Partnership",
                "endorsed_on": "2022-07-01",
            },
            {
                "from_status": "endorsed",
                "to_status": "published",
                "at": "2022-07-01T09:00:00Z",
                "endorsing_body": "",
                "endorsed_on": None,
            },
        ],
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

SIGNATORY = OpenApiExample(
    "The ICB, signed",
    value={
        "organisation": ICB,
        "status": "signed",
        "version": 1,
        "tier": "Signatory",
        "signed_on": "2022-07-12",
        "approved_on": "2022-07-19",
        "signers": SIGNERS,
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

PLEDGE = OpenApiExample(
    "A pledge under a theme",
    value={
        "id": "0c5d2b8a-7f61-4e3b-a2d4-9e8f1c0b3a72",
        "organisation": {"id": ICB["id"], "name": ICB["name"]},
        "principle": None,
        "theme": {"code": "economic", "name": "Economic"},
        "text": "Spend more of our budget with firms in Cheshire and Merseyside postcodes.",
        "target": "18% of supply-chain expenditure with local firms in 2023/24",
        "version": 1,
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

REGISTER_ENTRY = OpenApiExample(
    "A charity on the register",
    value={
        "organisation": {
            "id": "9a3e7c15-2b4d-4f6a-8c1e-7d5b3a9f0e24",
            "name": "Birkenhead Community Pantry (demo)",
            "organisation_type": "vcse",
            "sector": "voluntary",
            "size_band": "small",
            "postcode_district": "CH41",
            "ods_code": "",
            "org_ids": ["GB-CHC-1234567"],
        },
        "status": "signed",
        "version": 1,
        "tier": "Signatory",
        "signed_on": "2023-03-14",
        "approved_on": "2023-03-21",
        "signers": [{"name": "Sam Jones", "role": "Chair of Trustees"}],
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)
