"""Registry REST API: scope and masking, fact add/verify with the page's validation, screening runs."""
import datetime as dt
import json

import pytest

from gongjiang.core.idnumbers import make_resident_id
from gongjiang.policy.services import load_policies
from gongjiang.registry import services
from gongjiang.registry.models import Certificate, Employment

NUMBER = make_resident_id("441303", dt.date(1980, 2, 2), 41, female=True)


@pytest.fixture
def world(jurisdictions, make_org, make_user, client):
    huiyang = jurisdictions["惠阳区"]
    firm = make_org("惠阳接口测试厂", parent=huiyang)
    person = services.register_person(name="钱师傅", id_number=NUMBER, phone="13900001111", jurisdiction=huiyang)
    Employment.objects.create(person=person, employer=firm, jurisdiction=huiyang, start=dt.date(2016, 1, 1))
    return {"person": person, "client": client, "bureau": make_user("bureau", huiyang),
            "employer": make_user("employer", firm), "outsider": make_user("bureau", jurisdictions["环翠区"])}


def post(c, url, data):
    return c.post(url, json.dumps(data), content_type="application/json")


def test_people_list_and_detail_masked_and_scoped(world):
    c, p = world["client"], world["person"]
    c.force_login(world["bureau"])
    body = c.get("/api/registry/people?q=钱").json()
    assert body["count"] == 1 and body["items"][0]["id_number_masked"] == p.id_number_masked
    detail = json.dumps(c.get(f"/api/registry/people/{p.pk}").json(), ensure_ascii=False)
    assert NUMBER not in detail and "13900001111" not in detail and "惠阳接口测试厂" in detail
    c.force_login(world["outsider"])
    assert c.get("/api/registry/people").json()["count"] == 0
    assert c.get(f"/api/registry/people/{p.pk}").status_code == 404


def test_api_fact_add_validates_like_the_page_then_verify(world):
    c, p = world["client"], world["person"]
    c.force_login(world["employer"])
    url = f"/api/registry/people/{p.pk}/facts/certificate"
    bad = post(c, url, {"occupation": "钳工", "level": 4, "issued_on": "2999-01-01"})
    assert bad.status_code == 400 and "不能晚于今天" in bad.json()["detail"]
    ok = post(c, url, {"occupation": "钳工", "level": 4, "kind": "skill_level", "issued_on": "2020-01-01"})
    assert ok.status_code == 201 and ok.json()["source"] == "employer"
    fact_id = ok.json()["id"]
    verify = f"/api/registry/people/{p.pk}/facts/certificate/{fact_id}/verify"
    assert post(c, verify, {"decision": "verified", "reason": "核对原件"}).status_code == 403
    c.force_login(world["bureau"])
    response = post(c, verify, {"decision": "rejected", "reason": "查无此证"})
    assert response.status_code == 200 and response.json()["verification"] == "rejected"
    assert Certificate.objects.get(pk=fact_id).verification == "rejected"
    c.force_login(world["outsider"])
    assert post(c, url, {}).status_code == 404


def test_api_requires_csrf_on_writes(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world["bureau"])
    response = post(c, f"/api/registry/people/{world['person'].pk}/facts/certificate", {})
    assert response.status_code == 403


def test_api_screening_create_status_results_cancel(world, django_capture_on_commit_callbacks):
    load_policies()
    c = world["client"]
    c.force_login(world["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        created = post(c, "/api/registry/screening", {"policy": "huiyang-chief-technician",
                                                       "reference_date": "2025-01-01"})
    assert created.status_code == 201
    run_id = created.json()["id"]
    status = c.get(f"/api/registry/screening/{run_id}").json()
    assert status["status"] == "done" and status["total"] == 1
    results = c.get(f"/api/registry/screening/{run_id}/results?limit=10").json()
    assert results["count"] == 1 and results["items"][0]["name"] == "钱师傅"
    assert results["items"][0]["outcome"] in {"eligible", "needs_review", "not_eligible"}
    assert c.get(f"/api/registry/screening/{run_id}/results?failing=nope").status_code == 400
    assert post(c, f"/api/registry/screening/{run_id}/cancel", {}).status_code == 400  # already finished
    c.force_login(world["outsider"])
    assert c.get(f"/api/registry/screening/{run_id}").status_code == 404
    assert post(c, "/api/registry/screening", {"policy": "nope", "reference_date": "2025-01-01"}).status_code == 400
