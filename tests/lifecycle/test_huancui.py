"""环翠区首席技师: 第十条 order — 组织推荐（二） → 资格审查（三） → 评审遴选（四） → 考察公示, 公示期为5个工作日（五）
→ 公示无异议的, 研究审定 and 颁发证书（六）. The notice comes BEFORE the committee: its closure is the
committee stage's entry condition. The objection here is upheld (异议成立)."""
import datetime as dt

import pytest

from gongjiang.core.errors import DomainError
from gongjiang.review import notice_link
from gongjiang.review import stages as st


def test_huancui_lifecycle_notice_before_committee_objection_upheld(world):
    w = world("huancui-chief-technician", "环翠区", experts=5)
    kinds = [s.kind for s in w.procedure]
    assert kinds.index("public_notice") < kinds.index("committee_decision") < kinds.index("approval")
    apps = [w.nominate("刘海波"), w.nominate("陈立新"), w.nominate("赵文军")]
    w.accept_all(apps)
    for app in apps:
        w.qualify(app)
    w.expert_review(apps, {apps[0].pk: 0.9, apps[1].pk: 0.85, apps[2].pk: 0.8})
    assert w.statuses(apps) == {"刘海波": st.PASSED, "陈立新": st.PASSED, "赵文军": st.PASSED}

    with pytest.raises(DomainError):
        w.publish(days=6)  # 公示期为5个工作日: exactly five
    notice = w.publish()
    assert (notice.start_date, notice.end_date) == (dt.date(2026, 11, 23), dt.date(2026, 11, 27))
    assert not notice_link.committee_entry(w.round)
    with pytest.raises(DomainError):
        notice_link.advance_after_notice(w.round, actor=w.bureau)

    w.object_to(notice, apps[2], upheld=True)
    assert w.statuses(apps)["赵文军"] == st.REMOVED
    w.after_period(notice)
    with pytest.raises(DomainError):
        w.approve(notice, "威环人社字〔2026〕1号")  # the committee has not decided yet
    moved = notice_link.advance_after_notice(w.round, actor=w.bureau)
    assert [a.name for a in moved] == ["刘海波", "陈立新"]
    w.committee()
    assert w.statuses(apps[:2]) == {"刘海波": st.PENDING_APPROVAL, "陈立新": st.PENDING_APPROVAL}
    w.approve(notice, "威环人社字〔2026〕30号")
    assert w.statuses(apps) == {"刘海波": st.APPROVED, "陈立新": st.APPROVED, "赵文军": st.REMOVED}
    # the approval awards the honours in its own transaction (环翠 第四条: 管理期2年)
    from gongjiang.honours.models import Honour

    honours = Honour.objects.filter(round=w.round).order_by("series_number")
    assert [(h.name, h.certificate_number, h.term_end) for h in honours] == [
        ("刘海波", "HCSX000001", dt.date(2028, 11, 27)), ("陈立新", "HCSX000002", dt.date(2028, 11, 27))]
    w.assert_audited(apps)


def test_huancui_equal_scores_the_younger_candidate_first_7_5(world):
    """环翠 第七条（五）: 同等条件下优先从45周岁（含45周岁）以下的高技能人才中选拔. Two candidates
    submitted through the service score the same; the priority rule the engine evaluated when they
    submitted (stored with the eligibility result) gives the one place to the candidate of 45 or
    under, without a choice by hand and without falling back to the order of submission."""
    w = world("huancui-chief-technician", "环翠区", experts=5, quota=1)
    older = w.nominate("孙建国", birth=dt.date(1970, 3, 1))
    younger = w.nominate("周明", birth=dt.date(1990, 3, 1))
    assert [p["result"] for p in older.eligibility["priority"]] == ["fail"]
    assert [(p["article"], p["result"]) for p in younger.eligibility["priority"]] == [("第七条（五）", "pass")]
    w.accept_all([older, younger])
    for app in (older, younger):
        w.qualify(app)
    ranked = w.expert_review([older, younger], {older.pk: 0.9, younger.pk: 0.9})
    assert [r.key for r in ranked] == [str(younger.pk), str(older.pk)]
    assert ranked[0].rank == 1 and ranked[1].rank == 2 and "45周岁" in ranked[0].decided_by
    assert w.statuses([older, younger]) == {"孙建国": st.NOT_SHORTLISTED, "周明": st.PASSED}
