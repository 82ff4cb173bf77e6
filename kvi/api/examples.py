"""Examples for the API documentation, from the Wirral Community Health and Care demo."""

from drf_spectacular.utils import OpenApiExample

WIRRAL = {
    "id": "3f1c2a57-8a64-4d47-9b5e-1c8d7f0e2a11",
    "name": "Wirral Community Health and Care NHS Foundation Trust",
}
FRAMEWORK_ID = "8d2f6a1e-4b7c-4e19-9a3d-2c5e7f9b1a04"
THEME_ID = "c41e9b72-6d3a-4f85-b0e2-7a19d5c3f8e6"
SUBTHEME_ID = "5a7d3e91-2c4b-4f06-8e1a-9b3c6d2f7e45"
METRIC_ID = "e9b4c2a7-1f3d-4a58-b6e0-3d7a9c1e5f82"
KVI_ID = "b2e7f4c1-9a3d-4e6b-8f12-6c5a3d9e7b40"

FRAMEWORK = OpenApiExample(
    "Wirral's Social Value Framework, version 1",
    value={
        "id": FRAMEWORK_ID,
        "name": "Social Value Framework",
        "version": 1,
        "status": "published",
        "description": "Five themes, from Wirral Community Health and Care's board paper.",
        "published_at": "2022-04-01T09:00:00Z",
        "themes": [
            {
                "id": THEME_ID,
                "name": "Purchasing and investing locally and for social benefit",
                "position": 1,
                "subthemes": [
                    {
                        "id": SUBTHEME_ID,
                        "name": "Procurement",
                        "description": "PPN 06/20: at least 10% social value weighting in "
                        "every procurement.",
                        "position": 1,
                    }
                ],
            }
        ],
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

METRIC = OpenApiExample(
    "Expenditure in local supply chain",
    value={
        "id": METRIC_ID,
        "code": "PUR-01",
        "name": "Expenditure in local supply chain",
        "definition": "Supply-chain spend with firms with postcodes in the local area, as a "
        "share of all supply-chain spend.",
        "unit": "%",
        "direction": "increase",
        "aggregation": "ratio",
        "proxy_measure_code": "",
        "feed": "",
        "framework": {
            "id": FRAMEWORK_ID,
            "name": "Social Value Framework",
            "version": 1,
            "status": "published",
        },
        "theme": {
            "id": THEME_ID,
            "name": "Purchasing and investing locally and for social benefit",
        },
        "subtheme": {"id": SUBTHEME_ID, "name": "Procurement"},
        "organisation": None,
        "crosswalks": [
            {
                "scheme": "ppn_0620",
                "item_code": "MAC 2",
                "item_label": "Tackling economic inequality",
            }
        ],
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

KVI = OpenApiExample(
    "18% of supply-chain spend locally",
    value={
        "id": KVI_ID,
        "code": "ECO-1",
        "title": "18% of supply-chain expenditure in 2022/23 with firms with postcodes in "
        "Cheshire East, Knowsley, St Helens and Wirral",
        "organisation": WIRRAL,
        "metric": {
            "id": METRIC_ID,
            "code": "PUR-01",
            "name": "Expenditure in local supply chain",
            "unit": "%",
            "direction": "increase",
            "aggregation": "ratio",
            "framework": FRAMEWORK_ID,
        },
        "pledge": None,
        "baseline": {"value": None, "period": None},
        "target": {"value": "18", "financial_year": "2022/23", "date": None},
        "frequency": "monthly",
        "owner": "Head of Procurement",
        "updated_at": "2026-11-24T21:00:00Z",
    },
    response_only=True,
)

MEASUREMENT = OpenApiExample(
    "September 2022's local spend",
    value={
        "id": "7c3e1a95-4d2b-4f68-a0e7-1b9c5d3f2e86",
        "kvi": KVI_ID,
        "kvi_code": "ECO-1",
        "organisation": WIRRAL["id"],
        "period": "2022-09-01",
        "figure": "13.09",
        "unit": "%",
        "value": None,
        "numerator": "1309000",
        "denominator": "10000000",
        "status": "validated",
        "note": "From the September ledger.",
        "source": "Finance ledger",
        "submitted_at": "2022-10-05T10:12:00Z",
        "validated_at": "2022-10-07T15:40:00Z",
        "updated_at": "2022-10-07T15:40:00Z",
    },
    response_only=True,
)

BATCH = OpenApiExample(
    "Two months of figures",
    value={
        "organisation": WIRRAL["id"],
        "measurements": [
            {
                "kvi_code": "ECO-1",
                "period": "2022-10-01",
                "numerator": "1412000",
                "denominator": "10250000",
                "source": "Finance ledger",
            },
            {
                "kvi_code": "EMP-1",
                "period": "2022-10-01",
                "value": "4.81",
                "note": "ESR, end of month",
            },
        ],
    },
    request_only=True,
)

BATCH_RESULT = OpenApiExample(
    "Saved", value={"created": 1, "changed": 0, "unchanged": 1}, response_only=True
)

BATCH_ERRORS = OpenApiExample(
    "Refused: nothing saved",
    value={
        "code": "invalid",
        "message": "Some of the request's fields are not valid.",
        "errors": {
            "measurements[0].kvi_code": ["This organisation has no KVI with the code ECO-9."],
            "measurements[1].period": [
                "2022-10-15 does not start a monthly period; a monthly KVI's periods are "
                "recorded on their first day (this one: 2022-10-01)."
            ],
        },
    },
    response_only=True,
    status_codes=["400"],
)
