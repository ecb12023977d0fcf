"""赣州工匠: 第七条 — 申报（一）个人自愿申请 → 推荐（二）县（市、区）人社局审核、择优推荐 → 评审（三） →
公示不少于5个工作日（四） → 公布（五）市政府批准. The objection here is upheld (异议成立)."""
import datetime as dt

from gongjiang.applications import services as app_services
from gongjiang.review import stages as st
from gongjiang.rounds import services as round_services


def test_ganzhou_lifecycle_self_route_unit_recommendation_objection_upheld(world, jurisdictions, make_user):
    # 第五条: 每次选拔15名左右.
    w = world("ganzhou-craftsman", "章贡区", experts=5, quota=15)
    unit = round_services.set_unit(w.round, organisation=jurisdictions["章贡区"], kind="county-bureau", quota=3,
                                   actor=w.bureau)
    recommender = make_user("recommender", jurisdictions["章贡区"], password=None)
    apps = [w.self_apply("孙立平"), w.self_apply("钱国强")]
    for app in apps:
        assert app.unit_id == unit.pk and app.status == "employer_verified", app.status
        app_services.forward(app, actor=recommender, reason="经审核，择优推荐（第七条（二））")
    w.accept_all(apps)
    w.expert_review(apps, {apps[0].pk: 0.9, apps[1].pk: 0.8})
    assert w.statuses(apps) == {"孙立平": st.PASSED, "钱国强": st.PASSED}

    notice = w.publish(days=7)  # 不少于5个工作日: more is allowed
    assert (notice.days, notice.end_date) == (7, dt.date(2026, 12, 1))
    w.object_to(notice, apps[1], upheld=True)
    w.after_period(notice)
    w.approve(notice, "赣市府字〔2026〕5号")
    assert w.statuses(apps) == {"孙立平": st.APPROVED, "钱国强": st.REMOVED}
    w.assert_audited(apps)
