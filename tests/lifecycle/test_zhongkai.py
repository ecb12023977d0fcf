"""仲恺 首席技师: 第五条（二） — 报名推荐 2 → 考察、随机抽取专家评审 3 → 区人才工作领导小组无记名投票认定 4 →
公示5个工作日 5 → 通报表彰. The committee votes by secret ballot; one candidate is not elected."""
import datetime as dt

from gongjiang.review import stages as st
from gongjiang.review.models import Ballot, CommitteeDecision


def test_zhongkai_lifecycle_secret_ballot_then_notice(world):
    # 第五条: 每年选拔50名"首席技师" (the policy's dated quota ran out in 2016: the officer sets it).
    w = world("zhongkai-skilled-talent", "仲恺高新区", experts=5, members=3, quota=50)
    assert w.procedure.require("committee_decision").secret_ballot
    apps = [w.nominate("黄国栋"), w.self_apply("周明辉"), w.nominate("吴晓峰")]
    w.accept_all(apps)
    for app in apps:
        w.inspect(app)
    w.expert_review(apps, {apps[0].pk: 0.9, apps[1].pk: 0.8, apps[2].pk: 0.75})
    w.committee(reject=[apps[2]])
    assert Ballot.objects.filter(session__round=w.round).count() == 9  # 3 members x 3 candidates
    rejected = CommitteeDecision.objects.get(application=apps[2])
    assert (rejected.yes, rejected.no) == (0, 3)
    assert w.statuses(apps) == {"黄国栋": st.PASSED, "周明辉": st.PASSED, "吴晓峰": st.COMMITTEE_REJECTED}

    notice = w.publish()
    assert (notice.days, notice.end_date) == (5, dt.date(2026, 11, 27))
    w.after_period(notice)
    w.approve(notice, "惠仲社〔2026〕12号")
    assert w.statuses(apps) == {"黄国栋": st.APPROVED, "周明辉": st.APPROVED, "吴晓峰": st.COMMITTEE_REJECTED}
    w.assert_audited(apps)
