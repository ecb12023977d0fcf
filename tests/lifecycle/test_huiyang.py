"""惠阳区区管首席技师: the full selection of 第十条 in its order — 申报推荐（二） → 资格初审（三） →
实地考察（四） → 专家评审（五） → 安全信用审查（六） → 审定（七） → 公示不少于5个工作日、异议5个工作日内
调查核实（七） → 批准发证（八）. The objection here is not upheld (异议不成立)."""
import datetime as dt

from gongjiang.applications.models import ApplicationMessage
from gongjiang.notices.models import Notice
from gongjiang.review import stages as st


def test_huiyang_lifecycle_objection_rejected_then_approved(world):
    w = world("huiyang-chief-technician", "惠阳区", experts=5)
    assert [s.kind for s in w.procedure] == ["qualification_review", "site_inspection", "expert_review",
                                             "credit_check", "committee_decision", "public_notice", "approval"]
    apps = [w.nominate("张建华"), w.nominate("李卫东"), w.self_apply("王志强")]
    assert {a.status for a in apps} == {"recommended"}
    w.accept_all(apps)
    for app in apps:
        w.qualify(app)
        w.inspect(app)
    w.expert_review(apps, {apps[0].pk: 0.9, apps[1].pk: 0.8, apps[2].pk: 0.7})
    for app in apps:
        app.refresh_from_db()
        assert app.status == st.CREDIT
        w.credit_check(app)
    w.committee(reject=[apps[2]])
    assert w.statuses(apps) == {"张建华": st.PASSED, "李卫东": st.PASSED, "王志强": st.COMMITTEE_REJECTED}

    notice = w.publish()
    # Monday 2026-11-23 + 不少于5个工作日 -> Friday 11-27; objections within 5 working days.
    assert (notice.start_date, notice.end_date, notice.days, notice.investigation_days) == (
        dt.date(2026, 11, 23), dt.date(2026, 11, 27), 5, 5)
    assert [e.name for e in notice.entries.order_by("position")] == ["张建华", "李卫东"]
    assert w.statuses(apps[:2]) == {"张建华": st.ON_NOTICE, "李卫东": st.ON_NOTICE}

    w.object_to(notice, apps[1], upheld=False)
    assert w.statuses(apps[:2]) == {"张建华": st.ON_NOTICE, "李卫东": st.ON_NOTICE}
    w.after_period(notice)
    approval = w.approve(notice, "惠阳人社〔2026〕88号")
    assert w.statuses(apps) == {"张建华": st.APPROVED, "李卫东": st.APPROVED, "王志强": st.COMMITTEE_REJECTED}
    assert Notice.objects.get(pk=notice.pk).approval == approval

    from gongjiang.audit.models import AuditEntry

    approved = AuditEntry.objects.filter(action=f"application.{st.APPROVED}", object_id=str(apps[0].pk)).get()
    assert "惠阳人社〔2026〕88号" in approved.reason
    # The self-route applicant got exactly one message for the committee's decision, with its reason.
    texts = [m.text for m in ApplicationMessage.objects.filter(application=apps[2]) if "审定未通过" in m.text]
    assert len(texts) == 1 and "综合评议未获通过" in texts[0]
    w.assert_audited(apps)
