"""Registry pages: scoped lists, masked numbers, audited full-number views, imports and screening."""
import datetime as dt

import pytest

from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.policy.services import load_policies
from gongjiang.registry.models import Employment, ScreeningRun, SocialInsurancePeriod
from gongjiang.registry.services import register_person

NUMBER = make_resident_id("441303", dt.date(1982, 8, 8), 9, female=False)


@pytest.fixture
def setup(jurisdictions, make_user, make_org, client):
    huiyang = jurisdictions["惠阳区"]
    p = register_person(name="王师傅", id_number=NUMBER, phone="13812345678", jurisdiction=huiyang)
    firm = make_org("惠阳测试厂", parent=huiyang)
    Employment.objects.create(person=p, employer=firm, jurisdiction=huiyang, start=dt.date(2018, 1, 1))
    SocialInsurancePeriod.objects.create(person=p, jurisdiction=huiyang, first_month=dt.date(2018, 1, 1),
                                         last_month=dt.date(2025, 1, 1))
    officer = make_user("bureau", huiyang)
    return {"person": p, "officer": officer, "outsider": make_user("bureau", jurisdictions["环翠区"]),
            "employer_user": make_user("employer", firm), "client": client}


def test_person_pages_mask_numbers_and_scope(setup):
    c, p = setup["client"], setup["person"]
    c.force_login(setup["officer"])
    page = c.get("/registry/").content.decode()
    assert "王师傅" in page and NUMBER not in page and p.id_number_masked in page
    detail = c.get(f"/registry/people/{p.pk}/").content.decode()
    assert NUMBER not in detail and "13812345678" not in detail and "查看完整号码" in detail
    assert c.get("/registry/export/").status_code == 200
    c.force_login(setup["outsider"])
    assert c.get(f"/registry/people/{p.pk}/").status_code == 404
    assert "王师傅" not in c.get("/registry/").content.decode()


def test_employer_sees_own_staff_masked_without_full_number(setup):
    c, p = setup["client"], setup["person"]
    c.force_login(setup["employer_user"])
    detail = c.get(f"/registry/people/{p.pk}/").content.decode()
    assert "王师傅" in detail and "查看完整号码" not in detail
    assert c.post(f"/registry/people/{p.pk}/reveal/").status_code == 404


def test_full_number_view_is_audited(setup):
    c, p = setup["client"], setup["person"]
    c.force_login(setup["officer"])
    page = c.post(f"/registry/people/{p.pk}/reveal/", {"reason": "核对申报材料"}).content.decode()
    assert NUMBER in page and "13812345678" in page
    entry = AuditEntry.objects.get(action="registry.person.view_full_id")
    assert entry.object_id == str(p.pk) and NUMBER not in str(entry.after) + entry.reason


def test_import_pages_upload_check_commit(setup):
    c = setup["client"]
    c.force_login(setup["officer"])
    assert c.get("/registry/imports/template/people/").status_code == 200
    other = make_resident_id("441303", dt.date(1990, 3, 3), 4, female=True)
    data = f"姓名,身份证号码\n李四,{other}\n".encode("utf-8-sig")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = c.post("/registry/imports/", {"kind": "people", "file": SimpleUploadedFile("p.csv", data)})
    assert response.status_code == 302
    detail = c.get(response["Location"]).content.decode()
    assert "校验中" in detail  # the dry run starts when the upload's transaction commits


def test_screening_pages(setup):
    load_policies()
    c = setup["client"]
    c.force_login(setup["officer"])
    from gongjiang.policy.models import Policy

    policy = Policy.objects.get(code="huiyang-chief-technician")
    response = c.post("/registry/screening/", {"policy": policy.pk, "reference_date": "2025-01-01"})
    assert response.status_code == 302
    run = ScreeningRun.objects.get()
    from gongjiang.registry.screening import run_screening

    run_screening(run.pk)  # the on-commit task does not fire inside the test transaction
    page = c.get(f"/registry/screening/{run.pk}/").content.decode()
    assert "王师傅" in page and NUMBER not in page
    # the shards of the run: run in one process, one shard of the officer's whole scope
    assert "分片筛查：1 个分片" in page and "（全部范围）" in page and "第1次" in page
    progress = c.get(f"/registry/screening/{run.pk}/?progress=1", HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and 'id="screening-shards"' in progress.content.decode()
    assert c.get(f"/registry/screening/{run.pk}/export/").status_code == 200
    assert c.get(f"/registry/screening/{run.pk}/?failing=7.age").status_code == 200
    explain = c.get(f"/registry/screening/{run.pk}/people/{setup['person'].pk}/").content.decode()
    assert "第七条" in explain
    c.force_login(setup["outsider"])
    assert c.get(f"/registry/screening/{run.pk}/").status_code == 404
