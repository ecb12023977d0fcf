"""聊城市首席技师 2019 (关于做好2019年度聊城市首席技师选拔推荐工作的通知): the county-level
recommendation route, then the city's selection.

一、推荐名额各县（市、区）一般不超过10名 → 三、县（市、区）组织7名以上专家综合评定、推荐人选在人选所在单位
公示5个工作日、审定后报送（四（一）推荐人选超过2人的要排序; the city receives the candidates only then) → 市首席技师选拔管理工作办公室初审、复核
（二、五（一）: 必须从县（市、区）的首席技师…中推荐，不是县（市、区）、行业的首席技师原则上不予受理） →
市首席技师评审委员会综合评审 (a composed panel of 7 or more experts) → 市人才工作领导小组审定 → 公示
(the notice sets no number of days: the officer enters them) → 报市政府命名表彰."""
import datetime as dt


from gongjiang.applications import services as app_services
from gongjiang.applications import unit_steps
from gongjiang.applications.eligibility import application_facts
from gongjiang.policy.explain import explain
from gongjiang.policy.services import evaluate_people, get_policy
from gongjiang.review import experts
from gongjiang.review import services as review
from gongjiang.review import stages as st
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import pdf_upload, refused

COUNTY_TITLE = [{"name": "县（市、区）首席技师", "level": "", "awarded_on": "2023-05-01"}]


def explanation(app):
    """What `gongjiang policy explain` prints, for the facts of this application."""
    policy = get_policy(app.round.policy.code)
    facts, _basis, _notes = application_facts(app, policy_file=policy)
    return explain(evaluate_people(policy, facts, on=app.round.reference_date), 0)


def test_liaocheng_lifecycle_county_route_composed_panel_officer_sets_notice_days(world, jurisdictions, make_user):
    w = world("liaocheng-2019-chief-technician", "聊城市", experts=8, quota=40)
    county = jurisdictions["东昌府区"]
    with refused("10名"):  # 一: 各县（市、区）一般不超过10名 (more only with a reason)
        round_services.set_unit(w.round, organisation=county, kind="county", quota=11, actor=w.bureau)
    unit = round_services.set_unit(w.round, organisation=county, kind="county", quota=10, actor=w.bureau)
    w.employer_org = w.make_org(parent=county, name="聊城示范机械有限公司")
    w.employer = w.make_user("employer", w.employer_org, password=None)
    recommender = make_user("recommender", county, password=None)

    # 二: 必须从县（市、区）的首席技师中推荐 — two county chief technicians, one worker without the title.
    apps = [w.nominate("马振华", titles=COUNTY_TITLE), w.nominate("杨建平", titles=COUNTY_TITLE)]
    untitled = w.nominate("孙志刚")
    for app in [*apps, untitled]:
        app_services.forward(app, actor=recommender)
    # 四（一）: 推荐人选超过2人的要排序 — the unit puts 杨建平 first.
    app_services.rank(unit, actor=recommender, order=[apps[1].pk, apps[0].pk, untitled.pk])
    # 三: the unit's steps come first; the city has nothing to accept yet.
    assert [a.name for a in unit.applications.filter(status="unit_proposed").order_by("unit_rank")] == [
        "杨建平", "马振华", "孙志刚"]
    with refused("受理"):
        review.accept(apps[0], actor=w.bureau)
    # 三: 组织7名以上…专家综合评定 (minutes uploaded), then 推荐人选在人选所在单位公示5个工作日
    # (Mon 11-23 .. Fri 11-27), then 县（市、区）人才工作领导小组审定, then the report.
    unit_steps.record_step(unit, actor=recommender, kind="expert_evaluation", done_on=w.clock.now.date(),
                           experts=7, document=pdf_upload("综合评定会议纪要.pdf"))
    unit = app_services.post_unit_notice(unit, actor=recommender, starts_on=w.clock.now.date())
    assert unit.notice_ends_on == dt.date(2026, 11, 27)
    with refused("单位公示"):
        app_services.submit_report(unit, actor=recommender, text="经综合评定，同意推荐。")  # notice still running
    w.clock.set(dt.date(2026, 11, 30))
    with refused("县（市、区）人才工作领导小组审定（三、推荐程序及产生方式）"):
        app_services.submit_report(unit, actor=recommender, text="经综合评定，同意推荐。")  # not yet 审定
    unit_steps.record_step(unit, actor=recommender, kind="unit_approval", done_on=w.clock.now.date(),
                           document=pdf_upload("人才工作领导小组审定意见.pdf"))
    app_services.submit_report(unit, actor=recommender, text="经组织7名专家综合评定并在本单位公示5个工作日无异议，同意推荐。")
    assert w.statuses([*apps, untitled]) == {"马振华": "recommended", "杨建平": "recommended", "孙志刚": "recommended"}

    # The city's 初审、复核: the explanation names the clause the untitled candidate fails.
    w.accept_all([*apps, untitled])
    failing = [c for c in explanation(untitled).clauses if c.status == "fail" and c.depth == 1]
    assert [(c.id, c.article) for c in failing] == [("2.prerequisite", "二、五（一）")]
    assert all(c.status != "fail" or c.depth > 1 for c in explanation(apps[0]).clauses)
    with refused("不能初审通过"):
        w.qualify(untitled)
    review.decide_qualification(untitled, actor=w.bureau, outcome="reject", article="二、五（一）",
                                reason="申报人不是县（市、区）或行业首席技师，不予受理")
    for app in apps:
        w.qualify(app)

    # 综合评审: 组织7名以上…专家 — composed, never drawn.
    stage = w.procedure.require(st.EXPERT)
    assert (stage.random_draw, stage.declared_min_experts, experts.minimum_size(w.round)[0]) == (False, 7, 7)
    with refused("组建专家组"):
        review.draw(w.round, actor=w.bureau, name="专家组")
    panel = w.form_panel()
    assert panel.size == 7
    # One member declares a conflict on 马振华: the panel falls below 7 for him, the board warns,
    # the officer adds the eighth expert (avoidance checked, audited).
    conflicted = panel.assignments.get(application=apps[0], expert=w.experts[0])
    review.declare_conflict(conflicted, actor=w.experts[0].user, reason="与申报人系师徒关系")
    short = review.panel_shortfalls(w.round)
    assert [(s["application"].name, s["assessors"], s["minimum"]) for s in short] == [("马振华", 6, 7)]
    experts.add_panel_member(panel, actor=w.bureau, expert=w.experts[7], reason="专家回避后专家组不足7人，增补")
    assert review.panel_shortfalls(w.round) == []
    panel.refresh_from_db()
    assert review.rerun_draw(panel)
    w.score_and_close({apps[0].pk: 0.9, apps[1].pk: 0.85})
    w.committee()
    assert w.statuses(apps) == {"马振华": st.PASSED, "杨建平": st.PASSED}

    with refused("公示工作日数"):
        w.publish()  # 通知未规定公示天数: the officer must enter them
    notice = w.publish(days=5)
    assert (notice.start_date, notice.end_date) == (dt.date(2026, 11, 30), dt.date(2026, 12, 4))
    w.after_period(notice)
    w.approve(notice, "聊政字〔2026〕20号")  # 报市政府命名表彰
    assert w.statuses([*apps, untitled]) == {"马振华": st.APPROVED, "杨建平": st.APPROVED,
                                             "孙志刚": st.QUALIFICATION_REJECTED}
    # What the employer (and the applicant) see: the rejection with its reason and article.
    history = review.applicant_history(untitled)
    assert history[-1]["reason"] == "申报人不是县（市、区）或行业首席技师，不予受理（依据二、五（一））"
    w.assert_audited([*apps, untitled])
