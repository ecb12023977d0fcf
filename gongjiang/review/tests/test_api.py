"""Review API: an expert sees and scores only their assignments (404 otherwise), officers see
panels and board counts of their own rounds, and capabilities are checked before input parsing."""
import json

import pytest

from gongjiang.review import experts as ex
from gongjiang.review import stages as st
from gongjiang.review.models import Score
from gongjiang.review.tests.conftest import HUIYANG_STAGES

pytestmark = pytest.mark.django_db

# A sheet on 惠阳 第十条（五）'s rubric (主要业绩、成果、贡献、技能水平, 25 points each, equal weights).
FULL = {"performance": "25", "results": "25", "contribution": "12", "skill": "20"}


@pytest.fixture
def composed(review_world, expert_pool):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    app = w["make_app"](rnd, status=st.EXPERT, name="API申报人")
    other = w["make_app"](rnd, status=st.EXPERT, name="未分配申报人")
    panel = ex.compose_panel(rnd, actor=w["bureau"], name="API专家组", experts=expert_pool[:5], applications=[app])
    return {**w, "round": rnd, "app": app, "other": other, "panel": panel, "experts": expert_pool}


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_expert_lists_only_own_assignments(composed, client):
    client.force_login(composed["experts"][0].user)
    rows = client.get("/api/review/assignments").json()
    assert [r["name"] for r in rows] == ["API申报人"]
    assert rows[0]["scored"] is False


def test_api_expert_candidate_outside_assignments_is_404(composed, client):
    client.force_login(composed["experts"][0].user)
    assert client.get(f"/api/review/assignments/{composed['other'].pk}").status_code == 404
    outsider = composed["experts"][9].user
    client.force_login(outsider)
    assert client.get(f"/api/review/assignments/{composed['app'].pk}").status_code == 404
    assert post(client, f"/api/review/assignments/{composed['app'].pk}/score",
                {"points": FULL, "comment": "好"}).status_code == 404


def test_api_expert_scores_and_bad_points_give_chinese_error(composed, client):
    client.force_login(composed["experts"][0].user)
    url = f"/api/review/assignments/{composed['app'].pk}/score"
    bad = post(client, url, {"points": {**FULL, "skill": "26"}, "comment": "材料详实"})
    assert bad.status_code == 400 and "技能水平" in bad.json()["detail"]
    ok = post(client, url, {"points": FULL, "comment": "材料详实"})
    assert ok.status_code == 200 and ok.json()["score"]["total"] == "82.00"  # (25 + 25 + 12 + 20) / 100
    assert Score.objects.get(assignment__expert=composed["experts"][0]).comment == "材料详实"
    detail = client.get(f"/api/review/assignments/{composed['app'].pk}").json()
    assert detail["scored"] and [c["code"] for c in detail["rubric"]][0] == "performance"


def test_api_capability_checked_before_parsing_input(composed, client):
    client.force_login(composed["bureau"])
    response = client.post(f"/api/review/assignments/{composed['app'].pk}/score", "not json",
                           content_type="application/json")
    assert response.status_code == 403


def test_api_panel_detail_and_board_for_officer_in_scope_only(composed, client, jurisdictions, make_user):
    client.force_login(composed["bureau"])
    panel = client.get(f"/api/review/panels/{composed['panel'].pk}").json()
    assert panel["method"] == "compose" and len(panel["assignments"]) == 5
    board = client.get(f"/api/review/rounds/{composed['round'].pk}/board").json()
    assert {"state": st.EXPERT, "label": "专家评审中", "count": 2} in board
    client.force_login(make_user("bureau", jurisdictions["环翠区"], password=None))
    assert client.get(f"/api/review/panels/{composed['panel'].pk}").status_code == 404
    assert client.get(f"/api/review/rounds/{composed['round'].pk}/board").status_code == 404


def test_api_expert_pool_search(composed, client):
    client.force_login(composed["bureau"])
    data = client.get("/api/review/experts", {"q": "专家1", "limit": 50}).json()
    assert {e["name"] for e in data["items"]} == {"专家1", "专家10", "专家11"}
