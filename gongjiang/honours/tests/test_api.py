"""Certificate verification through the API (public, rate-limited like the page, nothing private):
by the QR code's token and by certificate number + holder name; listed in the OpenAPI document."""
import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client

from gongjiang.honours import services


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


def _lookup(client, number, name):
    return client.post("/api/honours/verify", json.dumps({"number": number, "name": name}),
                       content_type="application/json")


def test_api_verify_by_token_valid_without_id_or_phone(programme):
    [honour] = programme("huiyang-chief-technician").award(["张伟"], decided_on=dt.date(2026, 11, 20))
    response = Client().get(f"/api/honours/verify/{honour.token}")
    assert response.status_code == 200
    data = response.json()
    assert data["verdict"] == "valid" and data["verdict_label"].startswith("有效")
    assert data["name"] == "张伟" and data["certificate_number"] == "HYSX000001" and data["decision"] is None
    assert data["issuer"] == "惠州市惠阳区人力资源和社会保障局"
    body = response.content.decode()
    person = honour.person
    assert person.id_number_masked not in body and person.id_number[:6] not in body
    assert not {"id_number", "phone", "person", "person_id"} & set(data)


def test_api_verify_by_number_and_name_both_must_match(programme):
    """环翠: number compared without spaces and in capitals, as on the page."""
    programme("huancui-chief-technician").award(["刘海波"], decided_on=dt.date(2026, 11, 20))
    client = Client()
    ok = _lookup(client, " hcsx 000001", "刘海波")
    assert ok.status_code == 200 and ok.json()["title"] and ok.json()["verdict"] == "valid"
    wrong = _lookup(client, "HCSX000001", "刘海")
    assert wrong.status_code == 404
    assert wrong.json() == {"code": "not_found", "detail": "未找到与该证书编号和姓名一致的证书，请核对后重新输入"}


def test_api_verify_revoked_shows_the_decision_not_the_reason(programme):
    """赣州 第十二条: a revoked title's certificate reads as revoked, with the article and date."""
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["新乙"], decided_on=dt.date(2023, 6, 1))
    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 4, 1), actor=p.bureau,
                    document_no="赣市人社字〔2026〕8号", decided_by="市人社局核实", reason="伪造获奖证书")
    response = Client().get(f"/api/honours/verify/{honour.token}")
    data = response.json()
    assert data["verdict"] == "revoked" and "已撤销" in data["verdict_label"]
    assert "第十二条" in data["decision"]["article"] and data["decision"]["effective_on"] == "2026-04-01"
    assert "伪造" not in response.content.decode()


def test_api_verify_unknown_token_and_bad_body(db):
    client = Client()
    missing = client.get(f"/api/honours/verify/{'x' * 24}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get(f"/api/honours/verify/{'x' * 200}").status_code == 404
    bad = client.post("/api/honours/verify", "{}", content_type="application/json")
    assert bad.status_code == 422 and "必须填写" in bad.json()["detail"]
    long = _lookup(client, "A" * 41, "某")
    assert long.status_code == 422 and "不能超过 40 个字" in long.json()["detail"]


def test_api_verify_shares_the_page_rate_limit(programme, settings):
    [honour] = programme("huiyang-chief-technician").award(["张伟"], decided_on=dt.date(2026, 11, 20))
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 3
    client = Client()
    codes = [_lookup(client, f"X{i}", "某").status_code for i in range(2)]
    codes.append(client.post("/certificates/", {"number": "X9", "name": "某"}).status_code)  # the page counts too
    limited = client.get(f"/api/honours/verify/{honour.token}")
    assert codes == [404, 404, 400] and limited.status_code == 429
    assert limited.json() == {"code": "rate_limited", "detail": "查询过于频繁，请十分钟后再试"}


def test_api_verify_in_the_openapi_document(db):
    from gongjiang.api.urls import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/honours/verify/{token}" in paths and "/api/honours/verify" in paths
    op = paths["/api/honours/verify"]["post"]
    assert op["tags"] == ["证书查验"] and "security" not in op
