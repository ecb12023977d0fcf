"""Pages: public verification (valid / expired / revoked, nothing private, few queries, rate limit),
the register with filters and exports, a holder's page, the decision form."""
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gongjiang.honours import services, term
from gongjiang.web.inbox import items_for


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


def _verify(honour):
    return Client().get(reverse("certificates:verify", args=[honour.token]))


def test_verify_valid_without_private_data_in_two_queries(programme):
    [honour] = programme("huiyang-chief-technician").award(["张伟"], decided_on=dt.date(2026, 11, 20))
    client = Client()
    url = reverse("certificates:verify", args=[honour.token])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and len(queries) <= 2
    body = response.content.decode()
    assert "有效" in body and "HYSX000001" in body and "惠州市惠阳区人力资源和社会保障局" in body
    assert honour.person.id_number_masked not in body and honour.person.id_number[:6] not in body


def test_verify_expired_and_revoked(programme, clock):
    p = programme("ganzhou-craftsman")
    old, new = p.award(["老甲", "新乙"], decided_on=dt.date(2023, 6, 1))
    clock.set(dt.date(2026, 6, 1))
    assert "已于2026年5月31日届满" in _verify(old).content.decode()
    clock.set(dt.date(2026, 5, 1))
    services.revoke(new, revocation_id="fraud", effective=dt.date(2026, 4, 1), actor=p.bureau,
                    document_no="赣市人社字〔2026〕8号", decided_by="市人社局核实", reason="伪造获奖证书")
    body = _verify(new).content.decode()
    assert "已撤销" in body and "证书已收回" in body and "第十二条" in body and "伪造" not in body


def test_verify_shows_a_revocation_at_once_although_the_page_is_cached(programme, clock):
    """The verification page is kept in the process's cache (gongjiang.core.caching) only until the
    next audited change: the QR code shows the revocation on the next scan, not a minute later."""
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["新乙"], decided_on=dt.date(2023, 6, 1))
    clock.set(dt.date(2026, 5, 1))
    assert "有效" in _verify(honour).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert "有效" in _verify(honour).content.decode()
    assert len(queries) == 1  # served from the cache: only the audit log's head is read
    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 4, 1), actor=p.bureau,
                    document_no="赣市人社字〔2026〕8号", decided_by="市人社局核实", reason="伪造获奖证书")
    assert "已撤销" in _verify(honour).content.decode()


def test_verify_unknown_token_404(db):
    assert Client().get(reverse("certificates:verify", args=["x" * 24])).status_code == 404


def test_lookup_by_number_and_name(programme):
    [honour] = programme("huancui-chief-technician").award(["刘海波"], decided_on=dt.date(2026, 11, 20))
    client = Client()
    ok = client.post(reverse("certificates:lookup"), {"number": "hcsx000001", "name": "刘海波"})
    assert ok.status_code == 200 and "有效" in ok.content.decode()
    wrong = client.post(reverse("certificates:lookup"), {"number": honour.certificate_number, "name": "刘海"})
    assert wrong.status_code == 400 and "未找到" in wrong.content.decode()


def test_lookup_rate_limited(programme, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 3
    client = Client()
    codes = [client.post(reverse("certificates:lookup"), {"number": f"X{i}", "name": "某"}).status_code for i in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_verification_limit_is_on_by_default_for_real_users(programme):
    """The default limit (30 checks in 10 minutes per address) holds unless the operator raises it."""
    from django.conf import settings

    assert settings.CERTIFICATE_VERIFY_RATE_LIMIT == 30
    [honour] = programme("huiyang-chief-technician").award(["张伟"], decided_on=dt.date(2026, 11, 20))
    codes = [_verify(honour).status_code for _ in range(32)]
    assert codes[:30] == [200] * 30 and codes[30:] == [429, 429]


def test_register_filters_export_and_detail(programme, client):
    p = programme("huiyang-chief-technician")
    honours = p.award(["张伟", "李娜"], decided_on=dt.date(2026, 11, 20))
    client.force_login(p.bureau)
    page = client.get(reverse("honours:register"), {"q": "张伟"}).content.decode()
    assert "张伟" in page and "李娜" not in page
    assert client.get(reverse("honours:register"), {"year": "abc"}).status_code == 200  # inline error, no 500
    export = client.get(reverse("honours:register"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    benefits = client.get(reverse("honours:register"), {"export": "benefits"})
    rows = list(load_workbook(io.BytesIO(benefits.content)).active.iter_rows(values_only=True))
    assert any("归善人才卡" in (r[4] or "") for r in rows[1:])  # 惠阳 第十二条（二）
    detail = client.get(reverse("honours:detail", args=[honours[0].pk])).content.decode()
    assert "HYSX000001" in detail and "津贴补助" in detail and "None" not in detail


def test_decide_page_records_revocation_and_tells_person(programme, client, clock):
    p = programme("huancui-chief-technician")
    [honour] = p.award(["刘海波"], decided_on=dt.date(2026, 1, 5))
    client.force_login(p.bureau)
    url = reverse("honours:decide", args=[honour.pk, "revocation"])
    assert "区委人才工作领导小组审定" in client.get(url).content.decode()
    response = client.post(url, {"outcome": "violation", "effective": "2026-11-01", "document_no": "威环政字〔2026〕3号",
                                 "decided_by": "区首席技师选拔管理办公室初步认定，区委人才工作领导小组审定，区政府批准",
                                 "reason": "管理期内受到行政处罚"})
    assert response.status_code == 302
    honour.refresh_from_db()
    assert honour.status == "revoked" and honour.certificate_status == "recalled"
    assert "第十七条（一）" in honour.messages.first().text
    bad = client.post(reverse("honours:decide", args=[honour.pk, "exit"]), {"outcome": "left-post"})
    assert bad.status_code == 400


def test_renewal_page_holder_files_officer_concludes(programme, client, clock, make_user):
    from gongjiang.applications.tests.corpus import pdf_bytes, upload

    holder = make_user("applicant", password=None, display_name="刘海波")
    p = programme("huancui-chief-technician")
    [honour] = p.award(["刘海波"], decided_on=dt.date(2025, 11, 20), accounts={"刘海波": holder})
    review = honour.renewals.get()
    client.force_login(holder)
    assert "请提交" in "".join(i.title for i in items_for(holder))
    url = reverse("honours:renewal", args=[review.pk])
    page = client.get(url).content.decode()
    assert "环翠区首席技师复核申请表" in page  # 第十一条 materials listed
    response = client.post(url, {"statement": "管理期内带徒4人，均取得高级工证书。",
                                 "files": [upload("申请表.pdf", pdf_bytes())]})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "filed" and review.uploads.count() == 1
    client.force_login(p.bureau)
    page = client.get(url).content.decode()
    assert "第八条（四）" in page and "登记复核结论" in page
    data = {"action": "decide", "reason": "复核不通过：第八条（一）不满足"}
    for c in term.to_attest(review.evaluation["clauses"]):
        data[f"met_{c['id']}"], data[f"note_{c['id']}"] = "yes", "查阅材料认定"
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert review.status == "failed"  # no employment record in the registry: 第八条（一） fails
    other = make_user("applicant", password=None)
    client.force_login(other)
    assert client.get(url).status_code == 404


def test_duty_page_and_overdue_list(programme, client, clock):
    p = programme("huiyang-chief-technician")
    [honour] = p.award(["张伟"], decided_on=dt.date(2024, 11, 1))
    client.force_login(p.bureau)
    page = client.get(reverse("honours:duties"), {"overdue": "1"}).content.decode()
    assert "逾期" in page and "张伟" in page
    task = honour.duties.get(kind="contact_officer")
    response = client.post(reverse("honours:duty", args=[task.pk]), {"report": "指定人才科王某为联系专员，电话0752-3800001"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"


def test_detail_shows_clawback_amount_after_fraud_revocation(programme, client, clock):
    """赣州 第十二条: 收回证书和奖励资金 — the holder page lists the 30,000 元 award to recover."""
    p = programme("ganzhou-craftsman")
    [honour] = p.award(["王磊"], decided_on=dt.date(2026, 3, 2))
    services.revoke(honour, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=p.bureau,
                    document_no="赣市人社字〔2026〕88号", decided_by="市人社局核实", reason="伪造获奖证书")
    client.force_login(p.bureau)
    page = client.get(reverse("honours:detail", args=[honour.pk])).content.decode()
    assert "一次性奖励：30,000元（一次性）" in page and "赣市人社字〔2026〕88号" in page
