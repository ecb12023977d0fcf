"""Entitlements from the policies' `benefits`, payment runs, suspensions, four eyes, budgets."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.payments import services
from gongjiang.payments.models import Entitlement, LineStatus, PaymentLine, PaymentRun
from gongjiang.registry.models import EmployerRecord

from .conftest import entitle, make_person

pytestmark = pytest.mark.django_db


def run(w, key, kind, year, month=None, who="finance"):
    return services.compute_run(organisation=w[key]["org"], period_kind=kind, year=year, month=month,
                                actor=w[key][who])


def paid(w, key, r):
    """Prepare, approve (second officer), export and mark every queued line paid."""
    services.prepare_run(r, actor=w[key]["finance"], budget_note="测试")
    services.approve_run(r, actor=w[key]["finance2"])
    services.export_bank_file(r, fmt="csv", actor=w[key]["finance"])
    PaymentLine.objects.filter(run=r, status=LineStatus.QUEUED).update(status=LineStatus.PAID)


def test_entitlement_huiyang_allowance_from_policy(pay_world):
    """惠阳 第十二条（一）、第二十一条、第二十三条: 5,000 元 a year, two payments, pre-tax, to the social security card, until 2027-12-31."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    [ent] = entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                    actor=w["hy"]["bureau"])
    assert (ent.amount_fen, ent.instalments, ent.schedule) == (500000, 2, "annual")
    assert ent.article == "第十二条（一）、第二十一条" and ent.pay_to == "social_security_card"
    assert ent.valid_to == dt.date(2027, 12, 31)
    assert AuditEntry.objects.filter(action="payments.entitlement.create", object_id=str(ent.pk)).exists()
    # idempotent per source
    assert entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                   actor=w["hy"]["bureau"]) == [ent]


def test_entitlement_liaocheng_invents_nothing(pay_world):
    """聊城: the notice names no amount, so no entitlement."""
    w = pay_world
    p = make_person(w["j"]["东昌府区"], actor=w["hy"]["finance"])
    assert entitle(p, w["policies"]["liaocheng-2019-chief-technician"], "chief-technician",
                   start=dt.date(2019, 12, 1), actor=w["hy"]["bureau"]) == []


@pytest.mark.parametrize("code,honour,amount", [
    ("ganzhou-craftsman", None, 3000000),
    ("zhongkai-skilled-talent", "chief-technician", 2000000),
    ("zhongkai-skilled-talent", "excellent-technician", 500000),
])
def test_entitlement_one_time_amounts(pay_world, code, honour, amount):
    """赣州 第八条 一次性3万元（市本级就业资金）; 仲恺 第五条 2万元 / 5千元（区人才专项基金）."""
    w = pay_world
    policy = w["policies"][code]
    honour = honour or services.get_policy(code).honours[0].code
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    [ent] = entitle(p, policy, honour, start=dt.date(2015, 6, 1), actor=w["hy"]["bureau"])
    assert (ent.amount_fen, ent.instalments, ent.schedule) == (amount, 1, "one_time")
    assert ent.funding


def test_run_same_period_twice_pays_once_and_validity_date_holds(pay_world):
    """惠阳 第二十三条: a run for the same year again pays nothing more; nothing after 2027-12-31."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    [ent] = entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                    actor=w["hy"]["bureau"])
    first = run(w, "hy", "year", 2026)
    assert (first.line_count, first.total_fen) == (1, 500000)
    line = first.lines.get()
    assert (line.instalment, line.due_date, line.status) == (1, dt.date(2026, 3, 1), LineStatus.QUEUED)
    again = run(w, "hy", "year", 2026, who="finance2")
    assert again.line_count == 0
    paid(w, "hy", first)
    assert run(w, "hy", "year", 2027).lines.get().instalment == 2
    assert AuditEntry.objects.filter(action="payments.run.compute").count() == 3


def test_run_after_payment_validity_pays_no_arrears(pay_world):
    """惠阳 第二十三条: 津贴补助发放有效期至2027年12月31日 — a 2028 run pays nothing, not even arrears."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    assert run(w, "hy", "year", 2028).line_count == 0
    assert run(w, "hy", "year", 2027).line_count == 2  # both, the first as arrears


def test_suspension_holds_then_pays_arrears_when_cleared(pay_world):
    """惠阳 第十一条: 单位被立案调查 — 暂缓发放 while open, paid with arrears once the record is closed."""
    w = pay_world
    employer = w["hy"]["employer"]
    p = make_person(w["j"]["惠阳区"], employer=employer, actor=w["hy"]["finance"])
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    rec = EmployerRecord.objects.create(organisation=employer, kind="under_investigation", start=dt.date(2026, 1, 5))
    held = run(w, "hy", "year", 2026)
    line = held.lines.get()
    assert line.status == LineStatus.HELD and "第十一条" in line.reason and "立案调查" in line.reason
    assert (held.line_count, held.held_count) == (0, 1)
    rec.end = dt.date(2026, 12, 1)
    rec.save()
    later = run(w, "hy", "year", 2027)
    assert sorted(later.lines.values_list("instalment", "status")) == [(1, "queued"), (2, "queued")]


def test_suspension_refused_is_never_paid(pay_world):
    """惠阳 第十一条 “暂缓发放或不予发放”: a held payment refused by the bureau is settled, not paid later."""
    w = pay_world
    employer = w["hy"]["employer"]
    p = make_person(w["j"]["惠阳区"], employer=employer, actor=w["hy"]["finance"])
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    EmployerRecord.objects.create(organisation=employer, kind="dishonest_debtor", start=dt.date(2026, 1, 5))
    line = run(w, "hy", "year", 2026).lines.get()
    with pytest.raises(DomainError):
        services.refuse_held(line, actor=w["hy"]["finance"], reason="")
    services.refuse_held(line, actor=w["hy"]["finance"], reason="失信被执行人，决定不予发放")
    line.refresh_from_db()
    assert line.status == LineStatus.REFUSED and "第十一条" in line.reason
    assert list(run(w, "hy", "year", 2027).lines.values_list("instalment", flat=True)) == [2]


def test_no_account_holds_until_registered(pay_world):
    """惠阳 第二十一条: paid to the social security card — without an account the payment waits."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], account=False)
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    assert run(w, "hy", "year", 2026).lines.get().status == LineStatus.HELD
    with pytest.raises(DomainError):
        services.set_payee_account(p, kind="social_security_card", bank="工行", number="12ab", actor=w["hy"]["finance"])
    services.set_payee_account(p, kind="social_security_card", bank="工行", number="6222000011112222",
                               actor=w["hy"]["finance"])
    assert p.payee_account.number_masked == "6222********2222"
    assert run(w, "hy", "year", 2026).lines.get().status == LineStatus.QUEUED


def test_huancui_second_year_only_after_renewal(pay_world):
    """环翠 第四条、第十二条: 500 元 a month; the second year (payment 13 on) only after a passed 复核认定."""
    w = pay_world
    hc = w["j"]["环翠区"]
    p = make_person(hc, actor=w["hy"]["finance"])
    [ent] = entitle(p, w["policies"]["huancui-chief-technician"], "chief-technician", start=dt.date(2025, 1, 1),
                    actor=w["hy"]["bureau"])
    assert (ent.amount_fen, ent.instalments, ent.gated_from) == (50000, 24, 13)
    first = services.compute_run(organisation=hc, period_kind="month", year=2026, month=3, actor=w["hy"]["finance"])
    assert first.line_count == 12 and first.total_fen == 12 * 50000
    services.open_renewal_gate([ent], actor=w["hy"]["bureau"], reason="环翠 第八条 复核认定通过")
    second = services.compute_run(organisation=hc, period_kind="month", year=2026, month=3, actor=w["hy"]["finance"])
    assert sorted(second.lines.values_list("instalment", flat=True)) == [13, 14, 15]


def test_stop_from_exit_date(pay_world):
    """惠阳 第十七条 (调离本区): payments due from the exit on are not paid; queued lines of an open run are voided."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    [ent] = entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                    actor=w["hy"]["bureau"])
    draft = run(w, "hy", "year", 2027)
    assert draft.line_count == 2
    services.stop_entitlements([ent], stop_from=dt.date(2027, 1, 1), actor=w["hy"]["bureau"], reason="第十七条 调离本区")
    assert sorted(draft.lines.values_list("instalment", "status")) == [(1, "queued"), (2, "void")]
    ent.refresh_from_db()
    assert ent.status == Entitlement.Status.STOPPED
    assert run(w, "hy", "year", 2027).line_count == 0


def test_same_instalment_twice_refused_by_database(pay_world):
    """Never paid twice: the paid-once unique index refuses a second settling line for one instalment."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    line = run(w, "hy", "year", 2026).lines.get()
    other = PaymentRun.objects.create(organisation=w["hy"]["org"], period_kind="year", period_start=dt.date(2026, 1, 1),
                                      period_end=dt.date(2026, 12, 31), created_by=w["hy"]["finance"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(run=other, entitlement=line.entitlement, person=p, instalment=1,
                                   due_date=line.due_date, amount_fen=line.amount_fen, status=LineStatus.PAID,
                                   reference="GJX1")
    # a held or failed line does not settle it, however many there are
    for ref, status in (("GJX2", LineStatus.FAILED), ("GJX3", LineStatus.FAILED), ("GJX4", LineStatus.HELD)):
        PaymentLine.objects.create(run=other, entitlement=line.entitlement, person=p, instalment=1,
                                   due_date=line.due_date, amount_fen=line.amount_fen, status=status, reference=ref)


def test_four_eyes_prepare_and_approve(pay_world):
    """A batch is prepared by one finance officer and approved by another, never the same (also a CHECK)."""
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    r = run(w, "hy", "year", 2026)
    with pytest.raises(DomainError) as e:
        services.prepare_run(r, actor=w["hy"]["finance"])
    assert "预算" in e.value.message
    services.set_budget(policy=w["policies"]["huiyang-chief-technician"], year=2026, amount_fen=10_000_00,
                        actor=w["hy"]["finance"])
    services.prepare_run(r, actor=w["hy"]["finance"])
    with pytest.raises(DomainError) as e:
        services.approve_run(r, actor=w["hy"]["finance"])
    assert "同一人" in e.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRun.objects.filter(pk=r.pk).update(approved_by=w["hy"]["finance"], status="approved")
    r = services.approve_run(r, actor=w["hy"]["finance2"])
    assert r.status == PaymentRun.Status.APPROVED and r.approved_by == w["hy"]["finance2"]


def test_budget_warning_before_run_exceeds(pay_world):
    """A run that would take a programme past its year's budget is flagged, and needs a written reason."""
    w = pay_world
    policy = w["policies"]["huiyang-chief-technician"]
    for n in range(3):
        entitle(make_person(w["j"]["惠阳区"], f"工{n}", actor=w["hy"]["finance"]), policy, "chief-technician",
                start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    services.set_budget(policy=policy, year=2026, amount_fen=1_000_000, actor=w["hy"]["finance"])
    r = run(w, "hy", "year", 2026)
    [b] = services.budget_check(r)
    assert (b["budget"], b["this"], b["over"]) == (1_000_000, 1_500_000, True)
    with pytest.raises(DomainError) as e:
        services.prepare_run(r, actor=w["hy"]["finance"])
    assert "超出预算" in e.value.message and "10,000.00" in e.value.message
    services.prepare_run(r, actor=w["hy"]["finance"], budget_note="追加预算已报批")
    assert AuditEntry.objects.filter(action="payments.run.prepare", reason="追加预算已报批").exists()


def test_budget_counts_other_batches_of_the_year_but_not_failed_lines(pay_world):
    """The budget warning adds what the year's other batches carry (to pay or paid); a failed payment uses no budget."""
    w = pay_world
    policy = w["policies"]["huiyang-chief-technician"]
    first = make_person(w["j"]["惠阳区"], "先发", actor=w["hy"]["finance"])
    entitle(first, policy, "chief-technician", start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    earlier = run(w, "hy", "year", 2026)
    paid(w, "hy", earlier)
    for n in range(2):
        entitle(make_person(w["j"]["惠阳区"], f"后发{n}", actor=w["hy"]["finance"]), policy, "chief-technician",
                start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    services.set_budget(policy=policy, year=2026, amount_fen=1_200_000, actor=w["hy"]["finance"])
    later = run(w, "hy", "year", 2026)
    [b] = services.budget_check(later)
    assert (b["others"], b["this"], b["total"], b["over"]) == (500_000, 1_000_000, 1_500_000, True)
    earlier.lines.update(status=LineStatus.FAILED)
    [b] = services.budget_check(later)
    assert (b["others"], b["this"], b["over"]) == (0, 1_000_000, False)


def test_cancel_frees_instalments(pay_world):
    w = pay_world
    p = make_person(w["j"]["惠阳区"], actor=w["hy"]["finance"])
    entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
            actor=w["hy"]["bureau"])
    r = run(w, "hy", "year", 2026)
    with pytest.raises(DomainError):
        services.cancel_run(r, actor=w["hy"]["finance"], reason=" ")
    services.cancel_run(r, actor=w["hy"]["finance"], reason="期间选错")
    r.refresh_from_db()
    assert r.status == "cancelled" and r.line_count == 0
    assert run(w, "hy", "year", 2026).line_count == 1
