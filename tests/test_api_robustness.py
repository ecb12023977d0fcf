"""No 500 on any input (issue 14 item 3): unbounded pagination, huge numbers, NUL characters, non-numeric
ids in forms and query strings, an application without a recommending unit. Each gets a 4xx with a
Chinese message, on SQLite and PostgreSQL."""
import datetime as dt
import json
import re

import pytest
from django.test import Client

from gongjiang.api.pagination import MAX_LIMIT, MAX_OFFSET
from gongjiang.applications import services as app_services
from gongjiang.applications.models import Application, Route
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.core.vocab import Role
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import open_round, submitted_self_application

HUGE = "9223372036854775808"  # 2**63: one more than a bigint holds
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _schema():
    from gongjiang.api.urls import api

    return api.get_openapi_schema()


def _paginated_operations():
    for path, methods in _schema()["paths"].items():
        for method, spec in methods.items():
            names = {p["name"] for p in spec.get("parameters", [])}
            if {"limit", "offset"} <= names:
                yield method, path, spec


def _assert_refused(response, status=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status:
        assert response.status_code == status
    body = response.content.decode()
    detail = json.loads(body)["detail"] if response["Content-Type"].startswith("application/json") else body
    assert CHINESE.search(str(detail)), detail


def test_every_paginated_operation_documents_bounded_limit_and_offset(db):
    operations = list(_paginated_operations())
    assert len(operations) >= 6
    for method, path, spec in operations:
        params = {p["name"]: p["schema"] for p in spec["parameters"]}
        assert params["limit"].get("maximum") == MAX_LIMIT, f"{method} {path}: unbounded limit"
        assert params["offset"].get("maximum") == MAX_OFFSET, f"{method} {path}: unbounded offset"


@pytest.fixture
def officers(jurisdictions, make_user):
    return {role: make_user(role, jurisdictions["惠阳区"] if role != Role.SYSADMIN else jurisdictions["广东省"])
            for role in (Role.BUREAU, Role.AUDITOR, Role.SYSADMIN, Role.FINANCE)}


@pytest.mark.parametrize("param", ["limit", "offset"])
def test_huge_pagination_values_refused_on_every_paginated_endpoint(officers, param):
    from gongjiang.accounts.permissions import check
    from tests.test_permission_matrix import _api_operations

    capability = {key: getattr(op.view_func, "capability", None) for key, _, _, op in _api_operations()}
    checked = 0
    for method, path, _ in _paginated_operations():
        url = re.sub(r"\{\w+\}", "1", path)
        cap = capability.get(f"{method.upper()} {path}")
        users = [u for u in officers.values() if cap is None or check(u, cap)] or [None]
        for value in (HUGE, "1" * 40, "-1", "abc"):
            client = Client()
            if users[0] is not None:
                client.force_login(users[0])
            response = client.get(url, {param: value})
            _assert_refused(response, 422)
            checked += 1
    assert checked >= 24


def test_public_notice_list_refuses_huge_limit_in_chinese(db):
    response = Client().get(f"/api/notices/?limit={HUGE}")
    _assert_refused(response, 422)
    assert f"limit：不能大于 {MAX_LIMIT}" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize("query", [{"unit": HUGE}, {"round": HUGE}, {"unit": "1" * 40}, {"round": "-" + HUGE}])
def test_huge_filter_ids_refused_or_empty(officers, query):
    client = Client()
    client.force_login(officers[Role.BUREAU])
    response = client.get("/api/applications/", query)
    assert response.status_code in (200, 400, 422), response.content[:300]
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        _assert_refused(response)


def test_huge_path_id_is_not_a_server_error(officers):
    client = Client()
    client.force_login(officers[Role.BUREAU])
    for url in (f"/api/applications/{HUGE}", f"/api/registry/people/{HUGE}", f"/api/notices/{HUGE}",
                f"/registry/people/{HUGE}/"):
        assert client.get(url).status_code in (400, 404, 422), url


def test_nul_characters_refused_in_query_form_and_json(officers):
    client = Client()
    client.force_login(officers[Role.BUREAU])
    _assert_refused(client.get("/api/registry/people", {"q": "张\x00三"}), 400)
    _assert_refused(client.get("/registry/", {"q": "张\x00三"}), 400)
    _assert_refused(client.get("/api/notices/", {"organisation": "\x00"}), 400)
    _assert_refused(client.post("/api/registry/screening", data=json.dumps({"policy": "a\u0000b"}),
                                content_type="application/json"), 400)
    _assert_refused(client.post("/accounts/password/", {"old_password": "x\x00"}), 400)


def test_audit_entries_document_their_own_fields(db):
    schema = _schema()
    ref = schema["paths"]["/api/audit/entries/{entry_id}"]["get"]["responses"][200]["content"]["application/json"]
    name = ref["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"hash", "prev_hash", "action"} <= set(schema["components"]["schemas"][name]["properties"])
    titles = [s.get("title") for s in schema["components"]["schemas"].values()]
    assert len(titles) == len(set(titles)), "two API schema classes share a name"


@pytest.fixture
def submitted(jurisdictions, make_user):
    made = submitted_self_application(jurisdictions, make_user)
    return {**made, "app": Application.objects.get(pk=made["app"].pk)}


def test_api_forward_of_application_without_unit_is_refused(submitted):
    assert submitted["app"].unit_id is None
    client = Client()
    client.force_login(submitted["officer"])
    response = client.post(f"/api/applications/{submitted['app'].pk}/forward", data="{}",
                           content_type="application/json")
    _assert_refused(response, 400)
    assert "未选择推荐单位" in response.json()["detail"]


def test_overview_with_non_numeric_unit_is_refused(submitted):
    client = Client()
    client.force_login(submitted["officer"])
    _assert_refused(client.get(f"/rounds/{submitted['round'].pk}/overview.xlsx", {"unit": "abc"}), 400)
    _assert_refused(client.get(f"/rounds/{submitted['round'].pk}/overview.xlsx", {"unit": HUGE}), 400)
    assert client.get(f"/rounds/{submitted['round'].pk}/overview.xlsx", {"unit": "987654"}).status_code == 404


@pytest.fixture
def draft(jurisdictions, make_user):
    officer = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=officer.organisation, actor=officer)
    account = make_user("applicant", display_name="王五")
    from gongjiang.registry.services import register_person

    register_person(name="王五", id_number=make_resident_id("441303", dt.date(1982, 5, 1), 13, female=False),
                    jurisdiction=jurisdictions["惠阳区"], account=account)
    app = app_services.start(round=rnd, actor=account, route=Route.SELF)
    client = Client()
    client.force_login(account)
    return client, f"/applications/{app.pk}/edit/", app


@pytest.mark.parametrize("field,value", [("competitions.count", "abc"), ("competitions.count", HUGE),
                                         ("competitions.count", "-3")])
def test_edit_with_non_numeric_row_count_shows_error(draft, field, value):
    client, url, app = draft
    response = client.post(url, {field: value, "action": "save"})
    assert response.status_code == 200 and "行数应为" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", HUGE, "0"])
def test_edit_with_invalid_unit_is_refused(draft, value):
    client, url, _ = draft
    _assert_refused(client.post(url, {"unit": value, "action": "save"}), 400)


@pytest.mark.parametrize("field,value,words", [
    ("employment.insurance_months", "-5", "在本地连续缴纳社会保险月数应为 0 至"),
    ("employment.insurance_months", "1" * 40, "在本地连续缴纳社会保险月数应为 0 至"),
    ("competitions.0.rank", HUGE, "名次应为 0 至"),
    ("personal.education", "长" * 501, "文化程度不能超过 500 个字"),
])
def test_impossible_values_refused_when_typed(draft, field, value, words):
    client, url, app = draft
    response = client.post(url, {field: value, "competitions.0.name": "技能大赛", "action": "save"})
    assert response.status_code == 200 and words in response.content.decode()
    app.refresh_from_db()
    assert value not in json.dumps(app.facts or {}, ensure_ascii=False)


@pytest.fixture
def unit_page(jurisdictions, make_user, make_org):
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=2, actor=bureau)
    client = Client()
    client.force_login(make_user("recommender", jurisdictions["东昌府区"]))
    return client, f"/applications/units/{unit.pk}/"


@pytest.mark.parametrize("action", ["forward", "move", "unforward", "decline", "classified"])
@pytest.mark.parametrize("application", [None, "abc", HUGE])
def test_unit_action_without_application_is_refused(unit_page, action, application):
    client, url = unit_page
    data = {"action": action} | ({"application": application} if application else {})
    _assert_refused(client.post(url, data), 400)
