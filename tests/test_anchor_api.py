"""The anchor API (scope anchors:read): charters with pillars, priorities and the evidence
framework; members, rounds and accepted figures per member and aggregated, with disclosure (an
anonymised member appears without its name or id to keys and to other members); refusals;
another tenant; bad filters; and a fixed number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenancy.context import tenant_context
from tests import factories
from tests.anchors_builders import bulk_dashboard_data
from tests.test_anchor_dashboard_pages import build_board

pytestmark = pytest.mark.django_db


def _url(cast, charter=None, suffix=""):
    base = f"/api/v1/tenants/{cast.tenant.slug}/anchor-charters/"
    return base if charter is None else f"{base}{charter.slug}/{suffix}"


def _get(client, url, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(url, params, **headers)


@pytest.fixture
def board_a(cast_a):
    return build_board(cast_a)


@pytest.fixture
def key_a(cast_a, issue_key):
    return issue_key(cast_a, scopes=["anchors:read"])


def test_the_charter_with_pillars_priorities_and_framework(client, cast_a, board_a, key_a):
    listed = _get(client, _url(cast_a), key_a).json()
    assert [c["slug"] for c in listed["results"]] == [board_a["charter"].slug]
    detail = _get(client, _url(cast_a, board_a["charter"]), key_a)
    assert detail.status_code == 200 and detail["ETag"]
    body = detail.json()
    assert body["current_version"] == {"number": 1, "status": "published"}
    pillars = {p["code"]: p for p in body["pillars"]}
    assert len(pillars) == 5
    assert "Purchasing locally and for social benefit" == pillars["purchasing"]["name"]
    assert any(p["code"] == "real-living-wage" for pl in body["pillars"] for p in pl["priorities"])
    metrics = {m["code"]: m for m in body["metrics"]}
    assert metrics["ANC-APPRENTICESHIPS"]["in_collective_total"] is True
    assert metrics["ANC-LOCAL-SPEND-PCT"]["in_collective_total"] is False
    again = client.get(
        _url(cast_a, board_a["charter"]),
        HTTP_AUTHORIZATION=f"Bearer {key_a}",
        HTTP_IF_NONE_MATCH=detail["ETag"],
    )
    assert again.status_code == 304


def test_an_anonymised_member_appears_without_its_name_or_id(client, login, cast_a, board_a, key_a):
    """Must hold: an anonymised member appears in benchmarks without its name, in the API."""
    charter, label, c_name = board_a["charter"], board_a["label"], board_a["c_name"]
    c_id = str(board_a["c"].signatory.pk)
    members = _get(client, _url(cast_a, charter, "members/"), key_a).json()["results"]
    hidden = next(m for m in members if m["member"] == label)
    assert hidden == {"member": label, "id": None, "name": label, "named": False, "sector": "nhs"}
    named = next(m for m in members if m["name"] == board_a["b"].signatory.organisation.name)
    assert named["id"] == str(board_a["b"].signatory.pk) and named["named"] is True
    figures = _get(
        client, _url(cast_a, charter, "figures/"), key_a, metric="ANC-APPRENTICESHIPS"
    ).json()["results"]
    first = [f for f in figures if f["round"] == str(board_a["first"].pk)]
    assert [(f["member_name"], f["value"], f["rank"], f["of"]) for f in first] == [
        (board_a["b"].signatory.organisation.name, "10.000000", 1, 3),
        (label, "7.000000", 2, 3),
        (board_a["a"].signatory.organisation.name, "4.000000", 3, 3),
    ]
    assert first[1]["sector_rank"] == 2 and first[1]["sector_of"] == 2
    for resource in ("members/", "figures/", "aggregates/", "rounds/", ""):
        for fmt in ({}, {"format": "csv"}):
            text = _get(client, _url(cast_a, charter, resource), key_a, **fmt).content.decode()
            assert c_name not in text and c_id not in text, resource
    # Another member using its session: the label too; the member itself and the team: named.
    login(board_a["a"].admin)
    text = client.get(_url(cast_a, charter, "figures/")).content.decode()
    assert label in text and c_name not in text and c_id not in text
    client.logout()
    login(board_a["c"].admin)
    text = client.get(_url(cast_a, charter, "figures/")).content.decode()
    assert c_name in text and label not in text


def test_rounds_and_aggregates_count_accepted_figures_only(client, cast_a, board_a, key_a):
    charter = board_a["charter"]
    rounds = _get(client, _url(cast_a, charter, "rounds/"), key_a).json()["results"]
    assert [r["name"] for r in rounds] == ["2023/24 H1", "2023/24 H2"]
    assert rounds[0]["monetised_value_gross"] is None
    aggregates = _get(
        client, _url(cast_a, charter, "aggregates/"), key_a, metric="ANC-APPRENTICESHIPS"
    ).json()["results"]
    assert [
        (a["round_name"], a["members_reporting"], a["total"], a["median"]) for a in aggregates
    ] == [
        ("2023/24 H1", 3, "21.000000", "7.000000"),
        ("2023/24 H2", 2, "18.000000", "9.000000"),
    ]
    percent = _get(
        client,
        _url(cast_a, charter, "aggregates/"),
        key_a,
        metric="ANC-LOCAL-SPEND-PCT",
        round=str(board_a["first"].pk),
    ).json()["results"]
    assert len(percent) == 1 and percent[0]["total"] is None and percent[0]["median"] == "15.000000"
    text = _get(client, _url(cast_a, charter, "figures/"), key_a, format="csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 * 2 + 2  # round 1: two metrics × 3; round 2: apprenticeships × 2


def test_bad_filters_are_a_clear_400(client, cast_a, board_a, key_a):
    response = _get(client, _url(cast_a, board_a["charter"], "figures/"), key_a, round="nope")
    assert response.status_code == 400
    assert "round" in response.json()["errors"]
    assert (
        _get(client, _url(cast_a, board_a["charter"], "figures/"), key_a, page="x").status_code
        == 400
    )


def test_refusals_and_other_tenants(client, login, cast_a, cast_b, board_a, issue_key):
    charter = board_a["charter"]
    assert client.get(_url(cast_a, charter, "members/")).status_code == 401
    wrong_scope = issue_key(cast_a, scopes=["charters:read"])
    assert _get(client, _url(cast_a, charter, "members/"), wrong_scope).status_code == 403
    key_b = issue_key(cast_b, scopes=["anchors:read"])
    assert _get(client, _url(cast_a, charter, "members/"), key_b).status_code in (401, 403, 404)
    assert _get(client, _url(cast_b, charter, "members/"), key_b).status_code == 404
    assert _get(client, _url(cast_b), key_b).json()["results"] == []
    social_value = factories.published_charter(cast_a)
    key_a = issue_key(cast_a, scopes=["anchors:read"])
    assert _get(client, _url(cast_a, social_value), key_a).status_code == 404
    login(cast_a.outsider)
    assert client.get(_url(cast_a, charter, "members/")).status_code == 403


def _api_queries(client, cast, issue_key, **sizes) -> list[int]:
    with tenant_context(cast.tenant.id):
        charter = bulk_dashboard_data(cast, **sizes)
    key = issue_key(cast, scopes=["anchors:read"])
    counts = []
    for suffix in ("", "members/", "rounds/", "figures/", "aggregates/"):
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, _url(cast, charter, suffix), key, page_size=200)
        assert response.status_code == 200, response.content
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, _url(cast), key).status_code == 200
    counts.append(len(queries))
    return counts


def test_the_api_reads_a_fixed_number_of_queries(client, cast_a, cast_b, issue_key):
    small = _api_queries(client, cast_a, issue_key, members=2, metrics=2, rounds=1)
    large = _api_queries(client, cast_b, issue_key, members=13, metrics=20, rounds=6)
    assert small == large
