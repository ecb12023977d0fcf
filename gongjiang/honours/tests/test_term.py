"""The holder's term: 环翠 复核认定 (第八条、第十一条、第十二条) and dated duties (惠阳 第十四条、第十五条,
赣州 第十一条) with reminders and the overdue list."""
import datetime as dt

import pytest
from django.core import mail

from gongjiang.applications.tests.corpus import pdf_bytes, upload
from gongjiang.core.errors import DomainError
from gongjiang.honours import services, term
from gongjiang.honours.models import DutyTask, HonourStatus, RenewalStatus
from gongjiang.registry.models import Apprenticeship, CreditRecord, Employment

AWARD = dt.date(2025, 11, 20)  # renewal due 2026-11-20 (第十二条: 第二年复核认定); the clock is 2026-11-23


def _good_record(honour, district, employer):
    """Frontline in 环翠区 (第八条（一）) and two apprentices a year reaching 高级工 (第八条（五）)."""
    Employment.objects.create(person=honour.person, employer=employer, jurisdiction=district, post="数控车工",
                              frontline=True, start=dt.date(2015, 3, 1), verification="verified")
    for i, got in enumerate([dt.date(2025, 3, 1), dt.date(2025, 6, 1), dt.date(2026, 3, 1), dt.date(2026, 6, 1)]):
        Apprenticeship.objects.create(master=honour.person, apprentice_name=f"{honour.name}徒弟{i}",
                                      agreement_date=dt.date(2024, 1, 1), apprentice_certificate_level=3,
                                      apprentice_certificate_date=got, verification="verified")


def _file(review, user):
    return term.file_renewal(review, actor=user, statement="管理期内带徒4人，均取得高级工证书，参与技术攻关2项。",
                             files=[("环翠区首席技师复核申请表", upload("复核申请表.pdf", pdf_bytes()))])


def _attest_all(review, met=True):
    return {c["id"]: {"met": met, "note": "经查阅技术成果和单位意见认定"} for c in term.to_attest(term.renewal_clauses(review))}


def test_huancui_renewal_one_passes_one_fails(programme, clock):
    p = programme("huancui-chief-technician")
    good, bad = p.award(["刘海波", "陈立新"], decided_on=AWARD)
    for h in (good, bad):
        _good_record(h, p.district, p.employer)
    CreditRecord.objects.create(person=bad.person, kind="safety_accident", start=dt.date(2026, 5, 3),
                                description="操作失误致设备损坏", verification="verified")
    reviews = {h.name: h.renewals.get() for h in (good, bad)}
    assert reviews["刘海波"].due_on == dt.date(2026, 11, 20)
    # before the review: the second year waits for it (第十二条)
    assert services.benefits_payable(good, dt.date(2026, 11, 1))
    assert not services.benefits_payable(good, dt.date(2026, 12, 1))

    for name, honour in (("刘海波", good), ("陈立新", bad)):
        review = _file(reviews[name], p.bureau)
        assert review.status == RenewalStatus.FILED and review.uploads.count() == 1
        term.decide_renewal(review, actor=p.bureau, attestations=_attest_all(review), reason="按第八条逐项复核")

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.renewals.get().status == RenewalStatus.PASSED
    assert services.benefits_payable(good, dt.date(2027, 6, 1))  # 第十二条: 每月仍享受区政府津贴500元
    failed = bad.renewals.get()
    assert failed.status == RenewalStatus.FAILED
    assert bad.status == HonourStatus.EXITED and bad.benefits_stop_on == dt.date(2026, 11, 20)
    assert not services.benefits_payable(bad, dt.date(2026, 12, 1))
    assert services.benefits_payable(bad, dt.date(2026, 11, 19))
    assert "第八条（二）" in bad.messages.first().text


def test_renewal_needs_attestation_of_manual_clauses(programme, clock):
    p = programme("huancui-chief-technician")
    [honour] = p.award(["刘海波"], decided_on=AWARD)
    _good_record(honour, p.district, p.employer)
    review = _file(honour.renewals.get(), p.bureau)
    manual = [c for c in term.to_attest(term.renewal_clauses(review)) if c["manual"]]
    assert [c["article"] for c in manual] == ["第八条（四）"]
    with pytest.raises(DomainError):
        term.decide_renewal(review, actor=p.bureau, attestations={}, reason="复核")


def test_duties_dated_from_policy(programme):
    hy = programme("huiyang-chief-technician").award(["张伟"], decided_on=dt.date(2026, 1, 10))[0]
    assert sorted((t.kind, t.due_on) for t in hy.duties.all()) == [
        ("assessment", dt.date(2028, 1, 10)), ("contact_officer", dt.date(2026, 2, 10)), ("plan", dt.date(2026, 2, 10))]
    gz = programme("ganzhou-craftsman").award(["王磊"], decided_on=dt.date(2026, 1, 10))[0]
    assert [t.due_on for t in gz.duties.all()] == [dt.date(2027, 1, 10), dt.date(2028, 1, 10), dt.date(2029, 1, 10)]
    assert {t.who for t in gz.duties.all()} == {"employer"}  # 赣州 第十一条 所在单位每年报送


def test_duty_report_upload_assessment_and_overdue(programme, clock, make_user):
    p = programme("huiyang-chief-technician")
    [honour] = p.award(["张伟"], decided_on=dt.date(2024, 11, 1))
    overdue = term.overdue_duties(DutyTask.objects.filter(honour=honour))
    assert {t.kind for t in overdue} == {"plan", "contact_officer", "assessment"}
    plan = honour.duties.get(kind="plan")
    employer_officer = make_user("employer", p.employer, password=None)
    with pytest.raises(DomainError):
        term.complete_duty(plan, actor=employer_officer, report="计划",
                           files=[("个人计划", upload("计划.exe", b"MZ\x90\x00"))])
    term.complete_duty(plan, actor=employer_officer, report="三年内带徒5人，攻关2项",
                       files=[("个人计划", upload("计划.pdf", pdf_bytes()))])
    assessment = honour.duties.get(kind="assessment")
    with pytest.raises(DomainError):
        term.complete_duty(assessment, actor=p.bureau, report="考核", result="")
    term.complete_duty(assessment, actor=p.bureau, report="管理期考核", result="pass")
    assessment.refresh_from_db()
    assert assessment.result == "合格"
    assert [t.kind for t in term.overdue_duties(DutyTask.objects.filter(honour=honour))] == ["contact_officer"]


def test_reminders_before_due_date_once(programme, clock, make_user, django_capture_on_commit_callbacks):
    p = programme("ganzhou-craftsman")
    officer = make_user("employer", p.employer, password=None, email="hr@example.cn")
    [honour] = p.award(["王磊"], decided_on=dt.date(2025, 12, 1))  # first annual report due 2026-12-01
    assert term.send_reminders(dt.date(2026, 11, 1)) == 0  # more than remind_days (14) before
    with django_capture_on_commit_callbacks(execute=True):
        assert term.send_reminders(dt.date(2026, 11, 20)) == 1
    assert term.send_reminders(dt.date(2026, 11, 21)) == 0  # once
    assert honour.duties.filter(reminded_at__isnull=False).count() == 1
    [message] = mail.outbox
    assert message.to == [officer.email] and "第十一条" in message.body and "2026年12月1日" in message.body


def test_huancui_renewal_outcome_reaches_payments_at_once(programme, clock):
    """环翠 第十二条: a passed 复核认定 releases the second year's 500 元 a month held back for it; a failed
    one stops the holder's instalments from the due date, in the same transaction, without waiting
    for the next payment run."""
    from gongjiang.payments import honours_link
    from gongjiang.payments.models import Entitlement

    p = programme("huancui-chief-technician")
    good, bad = p.award(["刘海波", "陈立新"], decided_on=AWARD)
    for h in (good, bad):
        _good_record(h, p.district, p.employer)
    CreditRecord.objects.create(person=bad.person, kind="safety_accident", start=dt.date(2026, 5, 3),
                                description="操作失误致设备损坏", verification="verified")
    honours_link.sync([p.round.policy_id], actor=p.bureau)
    ent = {h.name: Entitlement.objects.get(source_key=honours_link.source_key(h)) for h in (good, bad)}
    assert all(e.gated_from is not None and not e.gate_open and e.stop_from is None for e in ent.values())

    for honour in (good, bad):
        review = _file(honour.renewals.get(), p.bureau)
        term.decide_renewal(review, actor=p.bureau, attestations=_attest_all(review), reason="按第八条逐项复核")

    for e in ent.values():
        e.refresh_from_db()
    assert ent["刘海波"].gate_open and ent["刘海波"].stop_from is None
    assert ent["陈立新"].stop_from == dt.date(2026, 11, 20) and not ent["陈立新"].gate_open
