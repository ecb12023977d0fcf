"""Person attributes and employer designations: registry pages (add, edit, withdraw, verify, audited,
Chinese validation from the vocabulary) and the Excel import (template, dry run, row errors)."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_resident_id, make_uscc
from gongjiang.registry import services
from gongjiang.registry.imports import template_workbook
from gongjiang.registry.models import EmployerAttribute, Employment, PersonAttribute

NUMBER = make_resident_id("441303", dt.date(1979, 6, 1), 41, female=False)
USCC = make_uscc("91441303MA4UATTR0")


@pytest.fixture
def world(jurisdictions, make_org, make_user, client):
    huiyang = jurisdictions["惠阳区"]
    firm = make_org("惠阳属性测试厂", parent=huiyang, uscc=USCC)
    person = services.register_person(name="钱师傅", id_number=NUMBER, jurisdiction=huiyang)
    Employment.objects.create(person=person, employer=firm, jurisdiction=huiyang, start=dt.date(2015, 1, 1))
    return {"huiyang": huiyang, "firm": firm, "person": person, "client": client,
            "bureau": make_user("bureau", huiyang), "employer": make_user("employer", firm),
            "outsider": make_user("bureau", jurisdictions["环翠区"])}


def test_officer_adds_heritage_inheritor_with_level_then_verifies_audited(world):
    c = world["client"]
    c.force_login(world["bureau"])
    url = reverse("registry:fact_add", args=[world["person"].pk, "attribute"])
    assert "非物质文化遗产代表性传承人" in c.get(url).content.decode()
    response = c.post(url, {"attribute": "heritage_inheritor", "holds": "on", "level": "4", "start": "2020-06-01"})
    assert response.status_code == 302
    attr = PersonAttribute.objects.get(person=world["person"])
    assert (attr.attribute, attr.level, attr.source, attr.verification) == ("heritage_inheritor", 4, "registry",
                                                                           "unverified")
    assert AuditEntry.objects.filter(action="registry.fact.create", object_id=str(attr.pk)).exists()
    page = c.get(reverse("registry:person_detail", args=[world["person"].pk])).content.decode()
    assert "人员属性" in page and "非物质文化遗产代表性传承人" in page and "heritage_inheritor" not in page
    verify = reverse("registry:fact_verify", args=[world["person"].pk, "attribute", attr.pk])
    assert c.post(verify, {"decision": "verified", "reason": "核对省级名录"}).status_code == 302
    attr.refresh_from_db()
    assert attr.verification == "verified"
    assert AuditEntry.objects.filter(action="registry.fact.verify", object_id=str(attr.pk)).exists()


@pytest.mark.parametrize("data,field,message", [
    ({"attribute": "heritage_inheritor", "holds": "on"}, "level", "须填写级别"),
    ({"attribute": "union_member", "holds": "on", "level": "2"}, "level", "不分级别"),
    ({"attribute": "nationality", "holds": "on"}, "value", "须填写取值"),
    ({"attribute": "hukou", "holds": "on"}, "place", "须填写地区"),
    ({"attribute": "union_member", "holds": "on", "value": "是"}, "value", "不填取值"),
    ({"attribute": "specialised_sme", "holds": "on"}, "attribute", ""),
])
def test_attribute_form_checks_the_vocabulary_entry_in_chinese(world, data, field, message):
    c = world["client"]
    c.force_login(world["bureau"])
    response = c.post(reverse("registry:fact_add", args=[world["person"].pk, "attribute"]), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not PersonAttribute.objects.exists()


def test_hukou_takes_a_place(world):
    c = world["client"]
    c.force_login(world["bureau"])
    response = c.post(reverse("registry:fact_add", args=[world["person"].pk, "attribute"]),
                      {"attribute": "hukou", "holds": "on", "place": world["huiyang"].pk})
    assert response.status_code == 302
    assert PersonAttribute.objects.get().place == world["huiyang"]


def test_employer_designation_pages_in_scope_audited_and_checked(world):
    c = world["client"]
    c.force_login(world["bureau"])
    listing = c.get(reverse("registry:employer_list")).content.decode()
    assert "惠阳属性测试厂" in listing
    add = reverse("registry:designation_add", args=[world["firm"].pk])
    bad = c.post(add, {"attribute": "catering_enterprise_size", "holds": "on", "value": "超大型"})
    assert bad.status_code == 400 and "不是“餐饮企业规模”的取值" in bad.content.decode()
    wrong_holder = c.post(add, {"attribute": "union_member", "holds": "on"})
    assert wrong_holder.status_code == 400
    assert c.post(add, {"attribute": "specialised_sme", "holds": "on", "level": "4", "start": "2023-09-01",
                        "end": "2026-08-31"}).status_code == 302
    d = EmployerAttribute.objects.get(organisation=world["firm"])
    assert (d.attribute, d.level, d.verification) == ("specialised_sme", 4, "unverified")
    assert AuditEntry.objects.filter(action="registry.fact.create", object_id=str(d.pk)).exists()
    page = c.get(reverse("registry:designations", args=[world["firm"].pk])).content.decode()
    assert "专精特新企业" in page and "specialised_sme" not in page
    edit = reverse("registry:designation_edit", args=[world["firm"].pk, d.pk])
    assert c.post(edit, {"attribute": "specialised_sme", "holds": "on", "level": "5",
                         "start": "2023-09-01"}).status_code == 302
    d.refresh_from_db()
    assert d.level == 5
    verify = reverse("registry:designation_verify", args=[world["firm"].pk, d.pk])
    assert c.post(verify, {"decision": "verified", "reason": "工信部门名单"}).status_code == 302
    d.refresh_from_db()
    assert d.verification == "verified"
    withdraw = reverse("registry:designation_withdraw", args=[world["firm"].pk, d.pk])
    assert c.post(withdraw, {"reason": "录入错误"}).status_code == 302
    assert not EmployerAttribute.objects.exists()
    assert AuditEntry.objects.filter(action="registry.fact.withdraw").exists()


def test_designation_pages_out_of_scope_and_verify_needs_permission(world):
    c = world["client"]
    c.force_login(world["outsider"])
    assert c.get(reverse("registry:designations", args=[world["firm"].pk])).status_code == 404
    d = EmployerAttribute.objects.create(organisation=world["firm"], attribute="high_tech_enterprise")
    c.force_login(world["employer"])
    assert c.get(reverse("registry:designations", args=[world["firm"].pk])).status_code == 200
    assert c.get(reverse("registry:designation_verify", args=[world["firm"].pk, d.pk])).status_code == 403


def _run(kind, rows, actor, capture):
    data = "\n".join(",".join(r) for r in rows).encode("utf-8-sig")
    with capture(execute=True):
        batch = services.start_import(kind=kind, data=data, file_name="a.csv", actor=actor)
    batch.refresh_from_db()
    return batch


def test_templates_explain_attribute_columns():
    for kind, header in (("attributes", "属性"), ("designations", "认定类型")):
        wb = load_workbook(io.BytesIO(template_workbook(kind)))
        assert header in [c.value for c in wb.active[1]]
        assert any("vocabulary.yaml" in str(r[2].value or "") for r in wb["填写说明"].iter_rows())


def test_import_person_attributes_dry_run_errors_then_idempotent(world, django_capture_on_commit_callbacks):
    head = ["身份证号码", "属性", "是否具有", "取值", "地区", "级别", "起始日期", "结束日期"]
    bad = [head, [NUMBER, "会飞", "", "", "", "", "", ""], [NUMBER, "非遗传承人", "是", "", "", "", "2020-01-01", ""],
           [NUMBER, "户籍", "", "", "火星", "", "", ""], [NUMBER, "工会会员", "", "", "", "市级", "", ""]]
    batch = _run("attributes", bad, world["bureau"], django_capture_on_commit_callbacks)
    assert batch.status == "invalid"
    got = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert "不是词表中的人员属性" in got[(2, "属性")]
    assert "须填写级别" in got[(3, "级别")]
    assert "不是已知的行政区划" in got[(4, "地区")]
    assert "不分级别" in got[(5, "级别")]
    good = [head, [NUMBER, "非遗传承人", "是", "", "", "省级", "2020-01-01", ""],
            [NUMBER, "户籍", "", "", "惠阳", "", "", ""], [NUMBER, "国籍", "", "中国", "", "", "", ""]]
    batch = _run("attributes", good, world["bureau"], django_capture_on_commit_callbacks)
    assert batch.status == "checked", batch.errors
    done = services.commit_import(batch, actor=world["bureau"])
    assert done.rows_created == 3
    rows = {a.attribute: a for a in PersonAttribute.objects.filter(person=world["person"])}
    assert rows["heritage_inheritor"].level == 4 and rows["hukou"].place == world["huiyang"]
    assert rows["nationality"].value == "中国" and rows["hukou"].source == "imported"
    again = services.commit_import(_run("attributes", good, world["bureau"], django_capture_on_commit_callbacks),
                                   actor=world["bureau"])
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 3)


def test_import_designations_checks_employer_and_vocabulary(world, django_capture_on_commit_callbacks):
    head = ["统一社会信用代码", "单位名称", "认定类型", "是否具有", "取值", "级别", "认定日期", "有效期至"]
    unknown = make_uscc("91441303MA4UNKNW0")
    bad = [head, [unknown, "", "高企", "", "", "", "", ""], [USCC, "", "工会会员", "", "", "", "", ""],
           [USCC, "", "餐饮企业规模", "", "巨型", "", "", ""]]
    batch = _run("designations", bad, world["bureau"], django_capture_on_commit_callbacks)
    got = {(e["row"], e["column"]): e["reason"] for e in batch.errors}
    assert "平台中没有此单位" in got[(2, "统一社会信用代码")]
    assert "不是词表中的单位认定类型" in got[(3, "认定类型")]
    assert "不是“餐饮企业规模”的取值" in got[(4, "取值")]
    good = [head, [USCC, "别名厂", "高企", "", "", "", "2022-12-01", "2025-11-30"],
            [USCC, "", "专精特新", "是", "", "省级", "2023-09-01", ""]]
    batch = _run("designations", good, world["bureau"], django_capture_on_commit_callbacks)
    assert batch.status == "checked", batch.errors
    assert any("不一致" in w["reason"] for w in batch.warnings)
    services.commit_import(batch, actor=world["bureau"])
    got = dict(EmployerAttribute.objects.filter(organisation=world["firm"]).values_list("attribute", "level"))
    assert got == {"high_tech_enterprise": None, "specialised_sme": 4}
    outsider = _run("designations", good, world["outsider"], django_capture_on_commit_callbacks)
    assert any("不在本辖区" in e["reason"] for e in outsider.errors)
