"""Examples for the award API documentation, after Cheshire and Merseyside's award."""

from drf_spectacular.utils import OpenApiExample

ORGANISATION = {"id": "6b0f8f2e-3a1c-4d8e-9a57-0c2f4e1b7d10", "name": "Wirral Community Trust"}

SCHEME = OpenApiExample(
    "Social Value Award",
    value={
        "slug": "social-value-award",
        "name": "Social Value Award",
        "version": {
            "number": 1,
            "status": "open",
            "name": "Social Value Award",
            "description": "Make and evidence commitments in four areas.",
            "areas_rule": "choose",
            "pass_mark_percent": "80.00",
            "decision_working_days": 7,
            "appeal_working_days": 10,
            "areas": [{"code": "environmental", "name": "Environmental", "description": ""}],
            "levels": [
                {
                    "code": "bronze",
                    "name": "Bronze",
                    "position": 1,
                    "requirements": "Pledges on at least 2 areas.",
                    "minimum_areas": 2,
                    "minimum_commitments": 2,
                    "kvis_per_commitment": 0,
                    "validity_years": 5,
                    "tracking_months": None,
                }
            ],
            "categories": [{"code": "environment", "name": "Environment"}],
            "windows": [
                {"name": "Spring round", "opens_on": "2024-04-01", "closes_on": "2024-06-30"}
            ],
        },
    },
)

HOLDER = OpenApiExample(
    "A current Bronze award",
    value={
        "organisation": ORGANISATION,
        "scheme": "Social Value Award",
        "level": "Bronze",
        "level_code": "bronze",
        "awarded_on": "2024-05-14",
        "expires_on": "2029-05-14",
        "categories": ["environment"],
    },
)

VERIFICATION = OpenApiExample(
    "A current award, checked by its code",
    value={
        "is_current": True,
        "award_status": "current",
        "organisation": ORGANISATION,
        "scheme": "Social Value Award",
        "level": "Bronze",
        "awarded_on": "2024-05-14",
        "expires_on": "2029-05-14",
        "revoked_on": None,
        "categories": ["Environment"],
        "verification_code": "ABCD-EFGH-JKMN",
    },
)

APPLICATION = OpenApiExample(
    "An application being assessed",
    value={
        "id": "0d5c1f7a-2b3e-4c6d-8e9f-1a2b3c4d5e6f",
        "organisation": ORGANISATION,
        "scheme": "social-value-award",
        "scheme_version": 1,
        "level": "Bronze",
        "level_code": "bronze",
        "application_status": "in_assessment",
        "started_at": "2024-04-02T10:15:00Z",
        "submitted_at": "2024-04-20T16:40:00Z",
        "decision_due": "2024-04-30",
        "decided_at": None,
        "updated_at": "2024-04-22T09:00:00Z",
    },
)
