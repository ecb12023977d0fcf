"""The finance system pulls batches, lines and budgets through the API: finance role only, within the
token's organisation subtree, amounts in fen, the payee's ID number masked (never in full)."""
import datetime as dt

import pytest

from gongjiang.api.tokens import create_token
from gongjiang.payments import services

from .conftest import entitle, make_person

pytestmark = pytest.mark.django_db


def _bearer(role, org, admin, name):
    _t, key = create_token(name=name, role=role, organisation=org, actor=admin)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_finance_system_pulls_runs_lines_and_budgets_in_scope(client, pay_world, make_user):
    w = pay_world
    hy = w["j"]["惠阳区"]
    person = make_person(hy, "周师傅", actor=w["hy"]["finance"])
    policy = w["policies"]["huiyang-chief-technician"]
    entitle(person, policy, "chief-technician", start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    services.set_budget(policy=policy, year=2026, amount_fen=10_000_000, actor=w["hy"]["finance"])
    run = services.compute_run(organisation=hy, period_kind="year", year=2026, actor=w["hy"]["finance"])
    admin = make_user("sysadmin", w["j"]["广东省"], password=None)
    finance = _bearer("finance", hy, admin, "财政支付系统")

    runs = client.get("/api/payments/runs?year=2026", **finance).json()
    assert runs["count"] == 1 and runs["items"][0]["id"] == run.pk
    assert runs["items"][0]["total_fen"] == run.total_fen == 500_000 and runs["items"][0]["status_label"]
    assert client.get("/api/payments/runs?year=2025", **finance).json()["count"] == 0
    assert client.get(f"/api/payments/runs/{run.pk}", **finance).json()["line_count"] == 1
    lines = client.get(f"/api/payments/runs/{run.pk}/lines?status=queued", **finance).json()
    [line] = lines["items"]
    assert line["name"] == "周师傅" and line["amount_fen"] == 500_000 and line["article"].startswith("第十二条")
    assert line["id_number_masked"] == person.id_number_masked and person.id_number not in str(lines)
    budgets = client.get("/api/payments/budgets?year=2026", **finance).json()
    assert budgets["items"] == [{"policy": "huiyang-chief-technician", "policy_title": policy.title, "year": 2026,
                                 "amount_fen": 10_000_000, "note": ""}]

    elsewhere = _bearer("finance", w["j"]["仲恺高新区"], admin, "他区财政系统")
    assert client.get("/api/payments/runs", **elsewhere).json()["count"] == 0
    missing = client.get(f"/api/payments/runs/{run.pk}/lines", **elsewhere)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_payments_api_is_for_finance_only(client, pay_world, make_user):
    w = pay_world
    admin = make_user("sysadmin", w["j"]["广东省"], password=None)
    for role in ("bureau", "auditor"):
        r = client.get("/api/payments/runs", **_bearer(role, w["j"]["惠阳区"], admin, f"{role}系统"))
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert client.get("/api/payments/budgets").status_code == 401
    bad = client.get("/api/payments/runs?year=99999", **_bearer("finance", w["j"]["惠阳区"], admin, "财务"))
    assert bad.status_code == 422 and "year" in bad.json()["detail"]
