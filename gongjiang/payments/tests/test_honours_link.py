"""Holders' entitlements from the policy `benefits`, stops from exits and revocations, clawback
receivables with repayments and a two-officer write-off, and the holder's own statement."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.honours import services as honours
from gongjiang.honours.tests.factories import approve_candidates
from gongjiang.payments import receivables, services
from gongjiang.payments.models import Entitlement, LineStatus, PaymentLine, Receivable
from gongjiang.rounds.tests.factories import open_round

pytestmark = pytest.mark.django_db

AWARDED = dt.date(2026, 3, 2)


def holders(w, code, district, names, *, accounts=None, **round_kw):
    rnd = open_round(policy_code=code, organiser=district, actor=w["bureau"], code=f"pay-{code}", **round_kw)
    return approve_candidates(rnd, names, actor=w["bureau"], district=district, decided_on=AWARDED,
                              employer=w["employer"], accounts=accounts)


@pytest.fixture
def hy(pay_world, clock):
    w = pay_world["hy"]
    return {**w, "district": pay_world["j"]["惠阳区"], "policies": pay_world["policies"]}


def run(w, year, org=None):
    return services.compute_run(organisation=org or w["org"], period_kind="year", year=year, actor=w["finance"])


def pay_all(run_):
    PaymentLine.objects.filter(run=run_, status=LineStatus.QUEUED).update(status=LineStatus.PAID)


def accounts_for(honours_, actor):
    for h in honours_:
        services.set_payee_account(h.person, kind="social_security_card", bank="惠阳农商银行",
                                   number=f"6230{h.person.pk:012d}", actor=actor)


def test_huiyang_holders_paid_from_policy_and_exit_stops(hy):
    """惠阳 第十二条（一）: 5,000 元 a year of the term, to the social security card (第二十一条);
    第十七条 调离本区: nothing due after the exit is paid."""
    a, b = holders(hy, "huiyang-chief-technician", hy["district"], ["黄一", "黄二"])
    accounts_for([a, b], hy["finance"])
    first = run(hy, 2026)
    assert sorted(first.lines.values_list("person__name", "amount_fen", "instalment")) == [
        ("黄一", 500000, 1), ("黄二", 500000, 1)]
    ent = Entitlement.objects.get(source_key=f"honour:{a.pk}")
    assert (ent.first_due, ent.article, ent.pay_to, ent.valid_to) == (AWARDED, "第十二条（一）、第二十一条",
                                                                      "social_security_card", dt.date(2027, 12, 31))
    pay_all(first)
    honours.record_exit(b, exit_id="moved-away", effective=dt.date(2026, 10, 1), actor=hy["bureau"],
                        document_no="惠阳人社〔2026〕9号", decided_by="区人社局", reason="调往市区工作")
    second = run(hy, 2027)
    assert list(second.lines.values_list("person__name", "instalment")) == [("黄一", 2)]
    ent_b = Entitlement.objects.get(source_key=f"honour:{b.pk}")
    assert ent_b.stop_from == dt.date(2026, 10, 1) and "第十七条" in ent_b.stop_reason
    assert not Receivable.objects.exists()


def test_revocation_clawback_receivable_repay_and_writeoff(hy):
    """惠阳 第十八条 弄虚作假: 撤销称号…收回所发证书、津贴补助 — a receivable for exactly what was paid,
    repayments, and a write-off with a reason approved by a second officer."""
    [h] = holders(hy, "huiyang-chief-technician", hy["district"], ["假冒"])
    accounts_for([h], hy["finance"])
    pay_all(run(hy, 2026))
    honours.revoke(h, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=hy["bureau"],
                   document_no="惠阳人社〔2026〕12号", decided_by="区人社局", reason="推荐材料弄虚作假")
    assert run(hy, 2027).line_count == 0
    rec = Receivable.objects.get(honour=h)
    assert (rec.amount_fen, rec.article, rec.since, rec.status) == (500000, "第十八条", AWARDED, "open")
    assert "津贴补助" in rec.items and rec.document_number == "惠阳人社〔2026〕12号"
    run(hy, 2027)  # idempotent
    assert Receivable.objects.count() == 1
    with pytest.raises(DomainError):
        receivables.record_repayment(rec, amount_fen=600000, paid_on=dt.date(2026, 11, 20), reference="R1",
                                     actor=hy["finance"])
    receivables.record_repayment(rec, amount_fen=200000, paid_on=dt.date(2026, 11, 20), reference="缴款001",
                                 actor=hy["finance"])
    with pytest.raises(DomainError):
        receivables.request_writeoff(rec, reason=" ", actor=hy["finance"])
    receivables.request_writeoff(rec, reason="本人无力偿还，法院终结执行", actor=hy["finance"])
    with pytest.raises(DomainError) as e:
        receivables.decide_writeoff(rec, approve=True, actor=hy["finance"])
    assert "另一名财务人员" in e.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        Receivable.objects.filter(pk=rec.pk).update(writeoff_approved_by=hy["finance"])
    rec = receivables.decide_writeoff(rec, approve=True, actor=hy["finance2"])
    assert (rec.status, rec.writeoff_fen) == ("written_off", 300000)
    assert AuditEntry.objects.filter(action="payments.receivable.writeoff_approve").exists()


def test_receivable_fully_repaid_settles(hy):
    [h] = holders(hy, "huiyang-chief-technician", hy["district"], ["退款"])
    accounts_for([h], hy["finance"])
    pay_all(run(hy, 2026))
    honours.revoke(h, revocation_id="loss", effective=dt.date(2026, 11, 2), actor=hy["bureau"],
                   document_no="惠阳人社〔2026〕13号", decided_by="区人社局", reason="重大过失造成重大损失")
    run(hy, 2027)
    rec = Receivable.objects.get(honour=h)
    receivables.record_repayment(rec, amount_fen=500000, paid_on=dt.date(2026, 11, 21), reference="缴款002",
                                 actor=hy["finance"])
    rec.refresh_from_db()
    assert rec.status == "settled"
    with pytest.raises(DomainError):
        receivables.request_writeoff(rec, reason="x", actor=hy["finance"])


def test_revocation_before_any_payment_no_receivable(hy):
    [h] = holders(hy, "huiyang-chief-technician", hy["district"], ["未领"])
    honours.revoke(h, revocation_id="fraud", effective=dt.date(2026, 4, 1), actor=hy["bureau"],
                   document_no="惠阳人社〔2026〕14号", decided_by="区人社局", reason="弄虚作假")
    assert run(hy, 2026).line_count == 0
    assert not Receivable.objects.exists()


def test_ganzhou_one_time_award_and_clawback(pay_world, clock):
    """赣州 第八条: 一次性奖励3万元（市本级就业资金）; 第十二条 骗取的收回奖励资金."""
    gz = pay_world["j"]["赣州市"]
    w = {"bureau": pay_world["hy"]["bureau"], "employer": pay_world["hy"]["employer"]}
    from gongjiang.accounts.models import User

    bureau = User.objects.create(username="gzb", role="bureau", organisation=gz, display_name="赣州人社")
    finance = User.objects.create(username="gzf", role="finance", organisation=gz, display_name="赣州财务")
    w["bureau"] = bureau
    [h] = holders(w, "ganzhou-craftsman", gz, ["赣工"])
    accounts_for([h], finance)
    r = services.compute_run(organisation=gz, period_kind="month", year=2026, month=3, actor=finance)
    line = r.lines.get()
    assert (line.amount_fen, line.entitlement.funding, line.entitlement.article) == (3000000, "市本级就业资金", "第八条")
    assert services.compute_run(organisation=gz, period_kind="year", year=2026, actor=finance).line_count == 0
    pay_all(r)
    honours.revoke(h, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=bureau,
                   document_no="赣市人社〔2026〕3号", decided_by="市人社局", reason="骗取称号")
    services.compute_run(organisation=gz, period_kind="year", year=2026, actor=finance)
    assert Receivable.objects.get(honour=h).amount_fen == 3000000


def test_liaocheng_holder_has_no_entitlement(pay_world, clock):
    """聊城 2019 通知未规定待遇金额：不生成任何应发."""
    lc = pay_world["j"]["聊城市"]
    from gongjiang.accounts.models import User

    bureau = User.objects.create(username="lcb", role="bureau", organisation=lc, display_name="聊城人社")
    # the 2019 notice's quota is not in force in 2026: the round states its own
    holders({"bureau": bureau, "employer": None}, "liaocheng-2019-chief-technician", lc, ["聊工"], quota=5)
    r = services.compute_run(organisation=lc, period_kind="year", year=2026, actor=bureau)
    assert r.line_count == 0 and not Entitlement.objects.exists()


def test_huancui_holder_second_year_after_renewal(pay_world, clock):
    """环翠 第十二条: the first year's 12 monthly payments; the second year after the 复核认定 passes."""
    hc = pay_world["j"]["环翠区"]
    from gongjiang.accounts.models import User

    bureau = User.objects.create(username="hcb", role="bureau", organisation=hc, display_name="环翠人社")
    finance = User.objects.create(username="hcf", role="finance", organisation=hc, display_name="环翠财务")
    [h] = holders({"bureau": bureau, "employer": None}, "huancui-chief-technician", hc, ["环工"])
    accounts_for([h], finance)
    ent_run = services.compute_run(organisation=hc, period_kind="year", year=2027, actor=finance)
    assert ent_run.line_count == 12 and ent_run.total_fen == 12 * 50000
    ent = Entitlement.objects.get(source_key=f"honour:{h.pk}")
    c = Client()
    c.force_login(bureau)
    page = c.post(reverse("payments:renewal", kwargs={"pk": ent.pk}), {"reason": ""}, follow=True).content.decode()
    assert "请填写" in page
    c.post(reverse("payments:renewal", kwargs={"pk": ent.pk}), {"reason": "环翠人社〔2027〕2号 复核认定通过"})
    ent.refresh_from_db()
    assert ent.gate_open
    second = services.compute_run(organisation=hc, period_kind="year", year=2027, actor=finance)
    assert sorted(second.lines.values_list("instalment", flat=True)) == list(range(13, 23))  # 2027-03 … 2027-12


def test_holder_sees_statement_and_money_to_return(hy, make_user):
    """The person's own page: entitlements, payments, and the receivable after a revocation."""
    account = make_user("applicant")
    [h] = holders(hy, "huiyang-chief-technician", hy["district"], ["自查"], accounts={"自查": account})
    accounts_for([h], hy["finance"])
    pay_all(run(hy, 2026))
    honours.revoke(h, revocation_id="fraud", effective=dt.date(2026, 11, 2), actor=hy["bureau"],
                   document_no="惠阳人社〔2026〕15号", decided_by="区人社局", reason="弄虚作假")
    run(hy, 2027)
    c = Client()
    c.force_login(account)
    page = c.get(reverse("payments:mine")).content.decode()
    assert "津贴补助" in page and "已发放 5,000.00 元" in page and "应退回" in page and "第十八条" in page
    assert h.person.id_number not in page
    finance = Client()
    finance.force_login(hy["finance"])
    rec = Receivable.objects.get()
    detail = finance.get(reverse("payments:receivable", kwargs={"pk": rec.pk})).content.decode()
    assert "5,000.00" in detail and "惠阳人社〔2026〕15号" in detail
    finance.post(reverse("payments:receivable", kwargs={"pk": rec.pk}),
                 {"action": "repay", "r-amount": "1000", "r-paid_on": "2026-11-20", "r-reference": "缴款009"})
    assert receivables.balance_fen(rec) == 400000
    listing = finance.get(reverse("payments:receivables")).content.decode()
    assert "自查" in listing and "4,000.00" in listing
