"""Notices, objections and approval: the service rules (Huiyang 第十条（七）(八))."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjiang.applications.tests import corpus
from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.notices import services
from gongjiang.notices.models import Conclusion, Notice, Objection
from gongjiang.notices.signals import candidate_removed, notice_approved
from gongjiang.workdays import services as workdays
from gongjiang.workdays.models import CalendarYear

D = dt.date


def _object(notice, *, n=0, address="203.0.113.7", contact="13800138000", **kw):
    args = dict(entry=notice.entries.all()[n], text="该人选的竞赛获奖证书与实际不符，请核实。", filer_name="王五",
                filer_contact=contact, client_address=address)
    args.update(kw)
    return services.file_objection(notice, **args)


def test_publish_computes_end_date_through_workdays_10_7(publish, applications):
    """第十条（七）公示时间不少于5个工作日：Monday 11/23 to Friday 11/27."""
    notice = publish()
    assert (notice.start_date, notice.end_date, notice.days) == (D(2026, 11, 23), D(2026, 11, 27), 5)
    assert [e.name for e in notice.entries.all()] == ["张伟", "李娜"]
    assert notice.entries.get(name="张伟").application == applications[0]
    assert AuditEntry.objects.filter(action="notice.publish", object_id=str(notice.pk)).exists()


def test_publish_over_national_day_uses_policy_days(publish, clock):
    clock.set(D(2026, 9, 28))
    assert publish(days=7).end_date == D(2026, 10, 12)  # 9/28-30, 10/8, 10/9, Saturday 10/10, 10/12


def test_publish_into_unentered_2027_is_refused_with_clear_message(publish, clock):
    clock.set(D(2026, 12, 28))
    with pytest.raises(DomainError) as exc:
        publish()
    assert "2027年" in exc.value.message and "尚未录入" in exc.value.message


@pytest.mark.parametrize("entry", [{"name": "张伟", "employer": "身份证441302199001011234"},
                                   {"name": "张伟13800138000"}])
def test_publish_refuses_id_and_phone_numbers(publish, entry):
    with pytest.raises(DomainError) as exc:
        publish(entries=[entry])
    assert "身份证号码或手机号码" in exc.value.message


def test_publish_needs_notice_capability(publish, jurisdictions, make_user):
    with pytest.raises(NotAllowed):
        publish(publisher=make_user("expert", jurisdictions["惠阳区"]))


def test_published_notice_cannot_be_edited(publish):
    notice = publish()
    notice.title = "改过的标题"
    with pytest.raises(RuntimeError):
        notice.save()


def test_correction_is_a_new_linked_notice(publish):
    original = publish()
    fixed = publish(title="更正：2026年惠阳区区管首席技师拟入选人员公示", corrects=original,
                    correction_reason="李娜工作单位名称有误", entries=services_entries_fixed())
    assert fixed.corrects == original and services.latest_version(original) == fixed
    assert not services.closure(original) and "已被更正" in services.closure(original).reason
    with pytest.raises(DomainError):
        publish(corrects=original, correction_reason="再次更正")
    with pytest.raises(DomainError) as exc:
        _object(original)
    assert "更正" in exc.value.message


def services_entries_fixed():
    from .conftest import ENTRIES

    return [ENTRIES[0], dict(ENTRIES[1], employer="惠阳电子科技有限公司")]


def test_publish_accepts_review_shortlist_rows_and_refuses_unknown_applications(publish, applications):
    rows = [{"application": a, "application_id": a.pk, "serial": a.serial, "name": a.name, "gender": "M",
             "gender_label": "男", "employer": "惠阳精密", "occupation": "焊工", "skill_level": 4,
             "skill_level_label": "技师（二级）", "category": "", "score": 90, "rank": i}
            for i, a in enumerate(applications, 1)]
    notice = publish(entries=rows, honour="区管首席技师")
    assert [(e.application_id, e.honour) for e in notice.entries.all()] == [(a.pk, "区管首席技师") for a in applications]
    with pytest.raises(DomainError) as exc:
        publish(entries=[{"name": "无此人", "application_id": 999999}])
    assert "不存在的申报" in exc.value.message


def test_objection_gets_receipt_and_deadline_10_7(publish, clock):
    """第十条（七）：自接到异议之日起5个工作日内调查核实 — received Wednesday 11/25, due Wednesday 12/2."""
    notice = publish()
    clock.set(D(2026, 11, 25))
    o = _object(notice)
    assert len(o.receipt) == 12 and set(o.receipt) <= set(services.RECEIPT_ALPHABET)
    assert o.received_on == D(2026, 11, 25) and o.deadline == D(2026, 12, 2)
    assert "13800138000" not in o.filer_contact_encrypted and o.contact == "13800138000"
    entry = AuditEntry.objects.get(action="objection.file", object_id=str(o.pk))
    assert "13800138000" not in str(entry.after) and "filer_contact_hash" not in entry.after


def test_real_name_required_by_default_and_configurable(publish):
    notice = publish()
    with pytest.raises(DomainError) as exc:
        _object(notice, filer_name="", contact="")
    assert "实名" in exc.value.message
    anonymous_ok = publish(require_real_name=False)
    assert _object(anonymous_ok, filer_name="", contact="").filer_name == ""


def test_objection_outside_period_is_refused_not_dropped(publish, clock):
    notice = publish(start=D(2026, 11, 30))
    with pytest.raises(DomainError) as exc:
        _object(notice)
    assert "尚未开始" in exc.value.message
    clock.set(D(2026, 12, 5))  # the notice ended on Friday 12/4
    with pytest.raises(DomainError) as exc:
        _object(notice)
    assert "已于2026年12月4日结束" in exc.value.message


def test_rate_limit_per_address_does_not_block_others(publish):
    notice = publish()
    for i in range(services.RATE_PER_ADDRESS):
        _object(notice, contact=f"1390000000{i}")
    with pytest.raises(DomainError) as exc:
        _object(notice, contact="13911111111")
    assert "同一网络地址每小时最多" in exc.value.message and "0752-3333333" in exc.value.message
    assert _object(notice, address="198.51.100.9", contact="13922222222").receipt  # a real filer elsewhere


def test_rate_limit_per_contact_and_window_expires(publish, clock):
    notice = publish()
    for i in range(services.RATE_PER_CONTACT):
        _object(notice, address=f"198.51.100.{i}")
    with pytest.raises(DomainError) as exc:
        _object(notice, address="198.51.100.200")
    assert "同一联系方式" in exc.value.message
    clock.advance(hours=1, minutes=1)
    assert _object(notice, address="198.51.100.200").receipt


def test_officer_records_letter_without_rate_limit(publish, officer):
    notice = publish()
    for i in range(services.RATE_PER_ADDRESS):
        _object(notice, contact=f"1390000000{i}")
    o = _object(notice, channel="letter", recorded_by=officer, client_address="", received_on=D(2026, 11, 23))
    assert o.channel == "letter" and o.recorded_by == officer


def test_public_cannot_use_officer_channel(publish):
    with pytest.raises(NotAllowed):
        _object(publish(), channel="letter")


def test_attachments_checked_by_content_and_stored_outside_web_root(publish, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notice = publish()
    good = SimpleUploadedFile("证明.pdf", corpus.pdf_bytes(), content_type="application/pdf")
    o = _object(notice, attachments=[good])
    att = o.attachments.get()
    assert att.name == "证明.pdf" and (tmp_path / att.path).is_file() and ".." not in att.path
    for bad in (corpus.encrypted_pdf(), corpus.javascript_pdf(), corpus.embedded_file_pdf(), corpus.garbage_pdf()):
        with pytest.raises(DomainError):
            _object(notice, attachments=[SimpleUploadedFile("x.pdf", bad)], contact="13812345678")
    assert Objection.objects.count() == 1
    assert len(list(tmp_path.rglob("*.pdf"))) == 1  # nothing stored for refused objections


def test_not_upheld_objection_then_notice_closes_after_period(publish, officer, clock):
    notice = publish()
    o = _object(notice)
    clock.set(D(2026, 11, 30))
    assert not services.notice_closed(notice) and "1件异议未办结" in services.closure(notice).reason
    services.conclude_objection(o, actor=officer, conclusion=Conclusion.NOT_UPHELD, findings="经核实，证书真实有效。")
    assert services.notice_closed(notice)
    assert not services.notice_closed(notice, today=D(2026, 11, 27))  # last day of the period


def test_upheld_objection_removes_candidate_and_signals(publish, officer, applications):
    notice = publish()
    o = _object(notice, n=1)
    received = []

    def receiver(sender, application_id, reason, **kw):
        received.append((application_id, reason))

    candidate_removed.connect(receiver)
    try:
        with pytest.raises(DomainError):
            services.conclude_objection(o, actor=officer, conclusion=Conclusion.UPHELD, findings="属实")
        services.conclude_objection(o, actor=officer, conclusion=Conclusion.UPHELD, findings="经核实证书系伪造。",
                                    public_reason="经核实不符合第七条规定的条件")
    finally:
        candidate_removed.disconnect(receiver)
    entry = notice.entries.get(name="李娜")
    assert entry.removed and entry.removed_reason == "经核实不符合第七条规定的条件"
    assert received == [(applications[1].pk, "经核实不符合第七条规定的条件")]
    with pytest.raises(DomainError):
        services.conclude_objection(o, actor=officer, conclusion=Conclusion.NOT_UPHELD, findings="x")


def test_officer_outside_scope_cannot_conclude(publish, jurisdictions, make_user):
    o = _object(publish())
    stranger = make_user("bureau", jurisdictions["环翠区"])
    with pytest.raises(NotAllowed):
        services.conclude_objection(o, actor=stranger, conclusion=Conclusion.NOT_UPHELD, findings="x")


def test_approval_only_after_closure_with_document_number(publish, officer, clock, applications):
    """第十条（八）批准发证：公示无异议的，正式入选."""
    notice = publish()
    args = dict(actor=officer, kind="approve", authority="惠阳区人力资源和社会保障局",
                document_number="惠阳人社〔2026〕88号", decided_on=D(2026, 11, 27))
    with pytest.raises(DomainError) as exc:
        services.record_approval(notice, **args)
    assert "尚未结束" in exc.value.message
    clock.set(D(2026, 11, 30))
    seen = []
    notice_approved.connect(lambda sender, application_ids, **kw: seen.append(application_ids), weak=False,
                            dispatch_uid="test-approved")
    try:
        with pytest.raises(DomainError):
            services.record_approval(notice, **args)  # decided before the period ended
        approval = services.record_approval(notice, **dict(args, decided_on=D(2026, 11, 30)))
    finally:
        notice_approved.disconnect(dispatch_uid="test-approved")
    assert approval.document_number == "惠阳人社〔2026〕88号" and seen == [[a.pk for a in applications]]
    with pytest.raises(DomainError):
        services.record_approval(notice, **dict(args, decided_on=D(2026, 11, 30)))


def test_objection_kept_when_deadline_year_not_entered(publish, clock, officer):
    """Received 12/28: the deadline runs into 2027, not yet entered; the objection is still received."""
    clock.set(D(2026, 12, 21))
    notice = publish()  # 12/21 .. 12/25
    clock.set(D(2026, 12, 24))
    o = _object(notice)
    assert o.deadline == D(2026, 12, 31)
    clock.set(D(2026, 12, 25))
    late = _object(notice, contact="13700000000")
    assert late.deadline is None and late.status == "open"
    workdays.import_schedule("2027-01-01~2027-01-03,休,元旦\n", actor=officer, mark_complete=True,
                             source_detail="测试样例")
    late.refresh_from_db()
    assert late.deadline == D(2027, 1, 4)  # 12/28, 29, 30, 31, (1/1 off), 1/4


def test_overdue_objection_is_flagged(publish, clock):
    notice = publish()
    o = _object(notice)
    assert o.deadline == D(2026, 11, 30)
    assert not services.is_overdue(o, today=D(2026, 11, 30)) and services.is_overdue(o, today=D(2026, 12, 1))


def test_lookup_normalises_receipt_and_rejects_junk(publish):
    o = _object(publish())
    spaced = " ".join([o.receipt[:4], o.receipt[4:8], o.receipt[8:]]).lower()
    assert services.lookup_receipt(spaced) == o
    assert services.lookup_receipt("' OR 1=1 --") is None and services.lookup_receipt("") is None


def test_notice_row_constraints_hold(publish):
    notice = publish()
    assert Notice.objects.filter(pk=notice.pk, end_date__gte=notice.start_date).exists()
    assert CalendarYear.objects.filter(year=2026, complete=True).exists()


def test_closed_among_agrees_with_closure_notice_by_notice(publish, clock):
    """The home page's 待记录批准 list (closed_among, a few queries for any number of notices) decides
    as closure does one by one: an open objection on a notice, or on the notice a correction
    replaces, keeps it open; a corrected notice and one still running are never closed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clean, objected, replaced = publish(), publish(), publish()
    _object(objected)
    _object(replaced)
    correction = publish(title="更正公示", corrects=replaced, correction_reason="李娜工作单位名称有误",
                         entries=services_entries_fixed())
    clock.set(D(2026, 11, 25))
    running = publish()
    clock.set(D(2026, 11, 30))  # the first four have ended (11月27日), the last runs on
    every = Notice.objects.order_by("pk")
    with CaptureQueriesContext(connection) as ctx:
        closed = services.closed_among(every)
    assert [n.pk for n in closed] == [n.pk for n in every if services.closure(n)] == [clean.pk]
    assert running.end_date >= D(2026, 11, 30) and correction.corrects == replaced
    assert len(ctx.captured_queries) <= 4
