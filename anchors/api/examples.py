"""Examples for the anchor API documentation, after Cheshire and Merseyside's anchor charter."""

from drf_spectacular.utils import OpenApiExample

ROUND_ID = "3f1e9a52-8c0d-4b7e-9d21-5a6c7b8e9f01"
MEMBER_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

CHARTER = OpenApiExample(
    "Cheshire and Merseyside Anchor Institution Charter",
    value={
        "slug": "cheshire-and-merseyside-anchor-institution-charter",
        "title": "Cheshire and Merseyside Anchor Institution Charter",
        "current_version": {"number": 1, "status": "published"},
        "pillars": [
            {
                "code": "workforce",
                "name": "Widening access to quality work",
                "priorities": [
                    {
                        "code": "real-living-wage",
                        "text": "Pay the real living wage",
                        "kind": "priority",
                    }
                ],
            }
        ],
        "metrics": [
            {
                "code": "ANC-APPRENTICESHIPS",
                "name": "Apprenticeships started",
                "pillar": "workforce",
                "unit": "people",
                "direction": "increase",
                "in_collective_total": True,
            }
        ],
        "updated_at": "2023-07-12T09:30:00Z",
    },
)
MEMBER = OpenApiExample(
    "A named member",
    value={
        "member": MEMBER_ID,
        "id": MEMBER_ID,
        "name": "Wirral University Teaching Hospital NHS Foundation Trust",
        "named": True,
        "sector": "nhs",
    },
)
ANONYMISED_MEMBER = OpenApiExample(
    "An anonymised member",
    value={"member": "Member C", "id": None, "name": "Member C", "named": False, "sector": "vcse"},
)
ROUND = OpenApiExample(
    "A half-yearly round",
    value={
        "id": ROUND_ID,
        "name": "2023/24 H1",
        "period_start": "2023-04-01",
        "period_end": "2023-09-30",
        "opens_on": "2023-10-01",
        "due_on": "2023-11-15",
        "status": "closed",
        "monetised_value_gross": "1250000.000000",
        "monetised_value_net": "1000000.000000",
    },
)
FIGURE = OpenApiExample(
    "An anonymised member's figure",
    value={
        "round": ROUND_ID,
        "round_name": "2023/24 H1",
        "metric": "ANC-APPRENTICESHIPS",
        "pillar": "workforce",
        "unit": "people",
        "member": "Member C",
        "member_name": "Member C",
        "named": False,
        "sector": "vcse",
        "value": "12.000000",
        "rank": 4,
        "of": 13,
        "quartile": 2,
        "sector_rank": 1,
        "sector_of": 2,
    },
)
AGGREGATE = OpenApiExample(
    "Apprenticeships in a round",
    value={
        "round": ROUND_ID,
        "round_name": "2023/24 H1",
        "metric": "ANC-APPRENTICESHIPS",
        "pillar": "workforce",
        "unit": "people",
        "in_collective_total": True,
        "members_reporting": 13,
        "total": "412.000000",
        "median": "24.000000",
        "lower_quartile": "11.000000",
        "upper_quartile": "40.000000",
    },
)
