"""The pages: a finance officer computes, a second approves, the bank file downloads, a bad result
file is shown row by row; masked numbers on every page; a holder sees their own statement."""
import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongjiang.payments import services
from gongjiang.payments.models import PaymentRun, SubsidyClaim
from gongjiang.registry.models import Certificate

from .conftest import entitle, make_person

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_run_pages_end_to_end(pay_world):
    w = pay_world
    person = make_person(w["j"]["惠阳区"], "周师傅", actor=w["hy"]["finance"])
    entitle(person, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    a, b = client_for(w["hy"]["finance"]), client_for(w["hy"]["finance2"])
    bad = a.post(reverse("payments:index"), {"period_kind": "month", "year": "2026"})
    assert bad.status_code == 200 and "月度批次须选择月份" in bad.content.decode()
    r = a.post(reverse("payments:index"), {"period_kind": "year", "year": "2026"})
    run = PaymentRun.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("payments:run", kwargs={"pk": run.pk})
    page = a.get(r["Location"]).content.decode()
    assert "周师傅" in page and person.id_number_masked in page and person.id_number not in page
    assert "预算未录入" in page and "5,000.00" in page and "第十二条（一）" in page
    r = a.post(reverse("payments:run_prepare", kwargs={"pk": run.pk}), {"budget_note": ""}, follow=True)
    assert "请填写超预算说明" in r.content.decode()
    a.post(reverse("payments:run_prepare", kwargs={"pk": run.pk}), {"budget_note": "预算待批"})
    r = a.post(reverse("payments:run_approve", kwargs={"pk": run.pk}), follow=True)
    assert "复核人不能与提交人为同一人" in r.content.decode()
    b.post(reverse("payments:run_approve", kwargs={"pk": run.pk}))
    assert client_for(w["hy"]["bureau"]).get(reverse("payments:run_bank_file", kwargs={"pk": run.pk, "fmt": "csv"})
                                             ).status_code == 403
    bank = a.get(reverse("payments:run_bank_file", kwargs={"pk": run.pk, "fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(bank.content.decode("utf-8-sig"))))
    assert rows[1][2] == person.id_number
    ref = rows[1][7]
    upload = SimpleUploadedFile("回盘.csv", f"业务参考号,金额（元）,处理结果,失败原因\n{ref},5000.01,成功,\n".encode())
    page = a.post(reverse("payments:run_import", kwargs={"pk": run.pk}), {"file": upload}, follow=True).content.decode()
    assert "已拒收，未登记任何结果" in page and "第2行：金额5000.01元与本批次的5000.00元不一致" in page
    upload = SimpleUploadedFile("回盘.csv", f"业务参考号,金额（元）,处理结果,失败原因\n{ref},5000,成功,\n".encode())
    page = a.post(reverse("payments:run_import", kwargs={"pk": run.pk}), {"file": upload}, follow=True).content.decode()
    assert "已登记回盘：成功1笔" in page
    for name in ("payments:ledger", "payments:reconciliation", "payments:budgets"):
        body = client_for(w["hy"]["bureau"]).get(reverse(name)).content.decode()
        assert person.id_number not in body and "None" not in body
    stmt = a.get(reverse("payments:person", kwargs={"pk": person.pk})).content.decode()
    assert "已发放 5,000.00 元" in stmt and "社会保障卡金融账户" in stmt
    xlsx = a.get(reverse("payments:ledger") + "?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_person_statement_out_of_scope_is_404(pay_world):
    w = pay_world
    person = make_person(w["j"]["仲恺高新区"], actor=w["zk"]["finance"])
    assert client_for(w["hy"]["finance"]).get(reverse("payments:person", kwargs={"pk": person.pk})).status_code == 404


def test_budget_form_bad_amount_inline(pay_world):
    w = pay_world
    c = client_for(w["hy"]["finance"])
    policy = w["policies"]["huiyang-chief-technician"]
    page = c.post(reverse("payments:budgets"), {"policy": policy.pk, "year": 2026, "amount": "5万"}).content.decode()
    assert "金额应为元" in page
    c.post(reverse("payments:budgets"), {"policy": policy.pk, "year": 2026, "amount": "50000.5"})
    assert "50,000.50" in c.get(reverse("payments:budgets")).content.decode()


def test_holder_applies_for_subsidy_and_sees_statement(pay_world, make_user, make_org):
    """仲恺 第六条（一）2: the worker applies with the registry's certificate; the bureau approves."""
    w = pay_world
    applicant = make_user("applicant")
    zk = w["j"]["仲恺高新区"]
    person = make_person(zk, "吴高级技工", employer=make_org(parent=zk), actor=w["zk"]["finance"])
    person.account = applicant
    person.save()
    Certificate.objects.create(person=person, occupation="电工", level=3, kind="qualification",
                               issued_on=dt.date(2015, 9, 1))
    c = client_for(applicant)
    policy = w["policies"]["zhongkai-skilled-talent"]
    r = c.post(reverse("payments:subsidy_apply"), {"item": f"{policy.pk}:subsidy-senior-worker", "training": "区高级工培训"})
    assert r.status_code == 302
    claim = SubsidyClaim.objects.get(person=person)
    assert claim.route == "applicant" and claim.amount_fen == 50000
    again = c.post(reverse("payments:subsidy_apply"), {"item": f"{policy.pk}:subsidy-senior-worker", "training": "x"})
    assert "每人每个等级只能享受一次" in again.content.decode()
    bureau = client_for(w["zk"]["bureau"])
    page = bureau.get(reverse("payments:subsidy", kwargs={"pk": claim.pk})).content.decode()
    assert "需人工认定" in page and "吴高级技工" in page
    bureau.post(reverse("payments:subsidy", kwargs={"pk": claim.pk}), {"decision": "approve", "reason": ""})
    claim.refresh_from_db()
    assert claim.status == "approved"
    mine = c.get(reverse("payments:mine")).content.decode()
    assert "培训和鉴定费用补贴" in mine and "500.00" in mine
    # bureau entry by ID number
    page = bureau.post(reverse("payments:subsidies"), {"id_number": "110101199001011234", "item": f"{policy.pk}:subsidy-technician",
                                                       "training": "x"}).content.decode()
    assert "人才库中没有该身份证号码的人员" in page
