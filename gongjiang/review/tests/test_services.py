"""Review stages on the real database: moves through the transition table, qualification review,
site inspection, panels and scoring, credit check, committee decisions and notifications."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.http import Http404

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.review import services
from gongjiang.review import stages as st
from gongjiang.applications.models import ApplicationMessage
from gongjiang.review.models import Assignment, CreditRequest, Disqualification, Notification, RankingEntry
from gongjiang.review.tests import policy_stages
from gongjiang.review.tests.conftest import HUIYANG_STAGES, ZHONGKAI_STAGES

pytestmark = pytest.mark.django_db

# A sheet on 仲恺's rubric (职业技能水平 40, 经济和社会效益 40, 传授技艺 20; equal weights): 75 points.
FULL = {"skill": 30, "results": 30, "mentoring": 15}


def test_accept_moves_to_first_stage_of_policy_order(review_world):
    w = review_world
    hy = w["make_app"](w["make_round"](HUIYANG_STAGES))
    zk = w["make_app"](w["make_round"](ZHONGKAI_STAGES))
    services.accept(hy, actor=w["bureau"])
    services.accept(zk, actor=w["bureau"])
    assert hy.status == st.QUALIFICATION
    assert zk.status == st.INSPECTION  # 仲恺: 考察 first


def test_move_outside_transition_table_is_refused(review_world):
    w = review_world
    app = w["make_app"](w["make_round"](HUIYANG_STAGES))
    with pytest.raises(DomainError):
        services.move(app, st.PASSED, actor=w["bureau"], reason="跳过")


def test_qualification_rejection_requires_article_and_reason_huiyang_10_3(review_world, make_user,
                                                                         django_capture_on_commit_callbacks):
    w = review_world
    applicant = make_user("applicant", email="a@example.com")
    app = w["make_app"](w["make_round"](HUIYANG_STAGES), account=applicant)
    services.accept(app, actor=w["bureau"])
    with pytest.raises(DomainError):
        services.decide_qualification(app, actor=w["bureau"], outcome="reject", reason="不符合")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_qualification(app, actor=w["bureau"], outcome="reject", article="第七条",
                                      reason="连续在我区工作不满1年")
    app.refresh_from_db()
    assert app.status == st.QUALIFICATION_REJECTED
    # One message to the applicant per decision, carrying the reason (the transition's message).
    messages = list(ApplicationMessage.objects.filter(recipient=applicant, application=app)
                    .order_by("pk").values_list("text", flat=True))
    assert len(messages) == 2  # accepted into qualification review, then the rejection
    assert "第七条" in messages[-1] and "不满1年" in messages[-1]
    assert not Notification.objects.filter(user=applicant).exists()
    assert len(mail.outbox) == 1 and "第七条" in mail.outbox[0].body


def test_qualification_pass_needs_manual_clauses_attested(review_world):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    app = w["make_app"](rnd)
    app.eligibility = {"clauses": [
        {"id": "age", "article": "第七条", "text": "法定劳动年龄内", "result": "pass"},
        {"id": "morals", "article": "第六条（二）", "text": "品德优良", "result": "manual", "manual": True}]}
    app.save()
    services.accept(app, actor=w["bureau"])
    with pytest.raises(DomainError) as e:
        services.decide_qualification(app, actor=w["bureau"], outcome="pass")
    assert "第六条（二）" in e.value.message
    decision = services.decide_qualification(
        app, actor=w["bureau"], outcome="pass",
        attestations={"morals": {"met": True, "note": "单位及社区鉴定意见良好"}})
    app.refresh_from_db()
    assert app.status == st.INSPECTION
    assert decision.attestations[0]["note"] == "单位及社区鉴定意见良好"
    assert AuditEntry.objects.filter(action=f"application.{st.INSPECTION}", object_id=str(app.pk)).exists()


def test_qualification_fraud_disqualifies_for_the_year_huancui_10_3(review_world):
    w = review_world
    app = w["make_app"](w["make_round"](HUIYANG_STAGES))
    services.accept(app, actor=w["bureau"])
    services.decide_qualification(app, actor=w["bureau"], outcome="fraud", article="第十条（三）",
                                  reason="竞赛获奖证书系伪造")
    app.refresh_from_db()
    assert app.status == st.DISQUALIFIED
    assert services.is_disqualified(app.person, 2026)
    assert not services.is_disqualified(app.person, 2027)
    assert Disqualification.objects.get().article == "第十条（三）"


def test_site_inspection_records_visit_and_employer_opinion(review_world):
    w = review_world
    app = w["make_app"](w["make_round"](ZHONGKAI_STAGES))
    services.accept(app, actor=w["bureau"])
    with pytest.raises(DomainError):
        services.record_inspection(app, actor=w["bureau"], visited_on=dt.date(2026, 5, 1), visitors="张三",
                                   employer_opinion="", findings="良好", outcome="pass")
    services.record_inspection(app, actor=w["bureau"], visited_on=dt.date(2026, 5, 1), visitors="张三、李四",
                               employer_opinion="同意推荐", findings="一线岗位，技艺突出", outcome="pass")
    app.refresh_from_db()
    assert app.status == st.EXPERT  # forms the list for expert review
    assert app.site_inspections.get().employer_opinion == "同意推荐"


def _to_expert_review(w, n=3, stages=ZHONGKAI_STAGES, quota=10, **kw):
    rnd = w["make_round"](stages, quota=quota)
    apps = [w["make_app"](rnd, **kw) for _ in range(n)]
    for app in apps:
        app.status = st.EXPERT
        app.save(update_fields=["status"])
    return rnd, apps


def test_draw_creates_assignments_and_rerun_matches(review_world, expert_pool):
    w = review_world
    rnd, apps = _to_expert_review(w)
    panel = services.draw(rnd, actor=w["bureau"], name="第一组", seed="fixed-seed", size=5)
    assert Assignment.objects.filter(panel=panel, active=True).count() == 5 * 3
    assert services.rerun_draw(panel)
    assert panel.snapshot["pool"] and panel.seed == "fixed-seed"


def test_draw_avoids_expert_from_candidate_employer(review_world, expert_pool):
    w = review_world
    rnd, apps = _to_expert_review(w, n=1)
    from gongjiang.review.draw import draw_rank

    colleague = min(expert_pool, key=lambda e: draw_rank("s", e.key))  # first in the draw order
    app = apps[0]
    app.employer = colleague.employer
    app.save(update_fields=["employer"])
    panel = services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    assert not Assignment.objects.filter(panel=panel, expert=colleague).exists()
    assert any(x["expert"] == colleague.key and x["reason"] == "same_employer" for x in panel.result["exclusions"])


def test_expert_sees_only_assigned_candidates(review_world, expert_pool):
    w = review_world
    rnd, apps = _to_expert_review(w, n=2)
    panel = services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    member = Assignment.objects.filter(panel=panel).first().expert
    outsider = next(e for e in expert_pool if not Assignment.objects.filter(expert=e).exists())
    assert services.assignment_for(member.user, apps[0].pk)
    with pytest.raises(Http404):
        services.assignment_for(outsider.user, apps[0].pk)


def test_declared_conflict_draws_replacement_and_rerun_still_matches(review_world, expert_pool):
    w = review_world
    rnd, apps = _to_expert_review(w, n=1)
    panel = services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    a = Assignment.objects.filter(panel=panel, active=True).first()
    conflict = services.declare_conflict(a, actor=a.expert.user, reason="系申报人的师父")
    a.refresh_from_db()
    assert not a.active
    assert conflict.replacement is not None
    assert Assignment.objects.filter(panel=panel, application=apps[0], active=True).count() == 5
    panel.refresh_from_db()
    assert services.rerun_draw(panel)


def _score_all(rnd, totals_by_app):
    """totals_by_app: {application: [points dict per assignment]}"""
    for app, sheets in totals_by_app.items():
        for a, pts in zip(Assignment.objects.filter(application=app, active=True).order_by("pk"), sheets):
            services.submit_score(a, actor=a.expert.user, points=pts, comment="材料详实")


def test_score_above_maximum_is_refused(review_world, expert_pool):
    w = review_world
    rnd, apps = _to_expert_review(w, n=1)
    services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    a = Assignment.objects.filter(active=True).first()
    with pytest.raises(DomainError):
        services.submit_score(a, actor=a.expert.user, points={**FULL, "skill": 41}, comment="好")
    with pytest.raises(Http404):
        other = Assignment.objects.filter(active=True).exclude(expert=a.expert).first()
        services.submit_score(other, actor=a.expert.user, points=FULL, comment="越权")


def test_close_expert_review_averages_ranks_and_shortlists_by_quota(review_world, expert_pool):
    """仲恺's rubric aggregates by the mean (aggregation: mean); the quota cuts the list."""
    w = review_world
    rnd, apps = _to_expert_review(w, n=3, quota=2)
    services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    hi = {**FULL, "skill": 40}   # 83.33
    lo = {**FULL, "skill": 0}    # 50
    _score_all(rnd, {apps[0]: [hi, FULL, FULL, FULL, lo],   # (83.33 + 3 × 75 + 50) / 5 -> 71.67
                     apps[1]: [hi, hi, hi, hi, hi],         # 83.33
                     apps[2]: [lo, lo, lo, lo, FULL]})      # 55
    services.close_expert_review(rnd, actor=w["bureau"])
    for a in apps:
        a.refresh_from_db()
    assert [a.status for a in apps] == [st.COMMITTEE, st.COMMITTEE, st.NOT_SHORTLISTED]
    e0 = RankingEntry.objects.get(application=apps[0])
    assert e0.score == Decimal("71.67") and e0.rank == 2


def test_close_expert_review_tie_at_quota_needs_choice(review_world, expert_pool):
    w = review_world
    rnd, apps = _to_expert_review(w, n=3, quota=1, birth=__import__("datetime").date(1985, 1, 1))
    services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    _score_all(rnd, {apps[0]: [FULL] * 5, apps[1]: [FULL] * 5, apps[2]: [{**FULL, "mentoring": 0}] * 5})
    with pytest.raises(DomainError) as e:
        services.close_expert_review(rnd, actor=w["bureau"])
    assert "委员会确定" in e.value.message
    services.close_expert_review(rnd, actor=w["bureau"], tie_choice=[apps[1].pk])
    apps[1].refresh_from_db()
    apps[0].refresh_from_db()
    assert apps[1].status == st.COMMITTEE and apps[0].status == st.NOT_SHORTLISTED


def test_skill_test_scored_as_rubric_criterion_huancui_10_4(review_world, expert_pool):
    """环翠 第十条（四）: 评审遴选 with 现场技能考查, scored as the rubric's `onsite` criterion."""
    w = review_world
    rnd, apps = _to_expert_review(w, n=1, stages=policy_stages.stages("huancui-chief-technician"))
    services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    a = Assignment.objects.filter(active=True).first()
    score = services.submit_score(a, actor=a.expert.user, comment="实操优秀",
                                  points={"skill": 30, "innovation": 30, "mentoring": 20, "onsite": 10})
    assert score.total == Decimal("87.50")  # four criteria of equal weight: (1 + 1 + 1 + 0.5) / 4
    assert score.points["onsite"] == "10"


def _at_credit(w, stages=HUIYANG_STAGES):
    rnd = w["make_round"](stages)
    app = w["make_app"](rnd)
    app.status = st.CREDIT
    app.save(update_fields=["status"])
    services.request_credit(app, actor=w["bureau"], requested_on=dt.date(2026, 6, 1), letter_number="惠阳人社函〔2026〕8号")
    return app


def _all_clear(w, app):
    """Every department answers 无不良记录."""
    for r in CreditRequest.objects.filter(application=app):
        services.record_credit_opinion(r, actor=w["bureau"], answered_on=dt.date(2026, 6, 10), finding="clear")
    app.refresh_from_db()


def test_credit_check_asks_five_departments_and_passes_when_all_clear(review_world):
    w = review_world
    app = _at_credit(w)
    reqs = list(CreditRequest.objects.filter(application=app))
    assert sorted(r.department for r in reqs) == sorted(["police", "market", "court", "procuratorate", "tax"])
    for r in reqs:
        services.record_credit_opinion(r, actor=w["bureau"], answered_on=dt.date(2026, 6, 10), finding="clear")
    app.refresh_from_db()
    assert app.status == st.COMMITTEE


def test_credit_adverse_finding_drops_candidate_with_reason(review_world):
    w = review_world
    app = _at_credit(w)
    reqs = list(CreditRequest.objects.filter(application=app).order_by("department"))
    for r in reqs:
        finding = "adverse" if r.department == "court" else "clear"
        services.record_credit_opinion(r, actor=w["bureau"], answered_on=dt.date(2026, 6, 10), finding=finding,
                                       summary="被纳入失信被执行人名单" if finding == "adverse" else "")
    app.refresh_from_db()
    assert app.status == st.CREDIT_FAILED
    entry = AuditEntry.objects.filter(action=f"application.{st.CREDIT_FAILED}", object_id=str(app.pk)).get()
    assert "失信被执行人" in entry.reason


def test_credit_employer_under_investigation_defers_huiyang_11(review_world):
    from gongjiang.registry.models import EmployerRecord

    w = review_world
    app = _at_credit(w)
    EmployerRecord.objects.create(organisation=app.employer, kind="under_investigation", start=dt.date(2026, 1, 5))
    _all_clear(w, app)
    assert app.status == st.DEFERRED


def test_credit_employer_on_serious_dishonest_list_is_refused_huiyang_11_1_3(review_world):
    """惠阳 第十一条（三）: 所在单位被列入…严重违法失信企业名单 → 不予审核通过. The employer record kind
    is `serious_dishonest` (before, the check looked for `serious_violation`, a personal record
    kind, and let such an employer's candidate pass)."""
    from gongjiang.registry.models import EmployerRecord

    w = review_world
    app = _at_credit(w)
    EmployerRecord.objects.create(organisation=app.employer, kind="serious_dishonest", start=dt.date(2025, 11, 1))
    _all_clear(w, app)
    assert app.status == st.CREDIT_FAILED
    entry = AuditEntry.objects.filter(action=f"application.{st.CREDIT_FAILED}", object_id=str(app.pk)).get()
    assert "严重违法失信企业名单" in entry.reason and "第十一条（一）（三）" in entry.reason
    assert "惠阳" not in entry.reason


def test_credit_employer_conditions_are_the_policys_own(review_world):
    """A credit check whose policy names no employer conditions does not apply 惠阳 第十一条: the
    candidate of an employer under investigation passes it, and no message names 惠阳."""
    from gongjiang.registry.models import EmployerRecord

    w = review_world
    stages = policy_stages.stages("huiyang-chief-technician", credit_check={"employer_conditions": []})
    app = _at_credit(w, stages)
    EmployerRecord.objects.create(organisation=app.employer, kind="under_investigation", start=dt.date(2026, 1, 5))
    assert services.employer_conditions(app) == []
    _all_clear(w, app)
    assert app.status == st.COMMITTEE
    assert not AuditEntry.objects.filter(object_id=str(app.pk), action__startswith="application.",
                                     reason__contains="惠阳").exists()


def test_deferred_candidate_resumes_when_the_investigation_ends_huiyang_11_2(review_world):
    from gongjiang.registry.models import EmployerRecord

    w = review_world
    app = _at_credit(w)
    record = EmployerRecord.objects.create(organisation=app.employer, kind="under_investigation",
                                           start=dt.date(2026, 1, 5))
    _all_clear(w, app)
    assert app.status == st.DEFERRED
    assert "第十一条（二）" in services.employer_conditions(app)[0]
    with pytest.raises(DomainError):
        services.resume_deferred(app, actor=w["bureau"], reason="已结案")
    record.end = dt.date(2026, 6, 1)
    record.save(update_fields=["end"])
    app.refresh_from_db()
    services.resume_deferred(app, actor=w["bureau"], reason="立案调查已结案，未发现违法行为")
    app.refresh_from_db()
    assert app.status == st.COMMITTEE


def test_open_committee_decision_and_shortlist_snapshot(review_world, make_user):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    apps = [w["make_app"](rnd, name=n) for n in ("甲", "乙")]
    for a in apps:
        a.status = st.COMMITTEE
        a.save(update_fields=["status"])
    members = [make_user("committee", w["district"]) for _ in range(3)]
    session = services.open_session(rnd, actor=w["bureau"], title="领导小组办公室审定", held_on=dt.date(2026, 7, 1),
                                    members=members)
    assert session.mode == "open"
    with pytest.raises(DomainError):
        services.close_session(session, actor=w["bureau"], decisions={apps[0].pk: {"outcome": "approved"}})
    services.close_session(session, actor=w["bureau"], decisions={
        apps[0].pk: {"outcome": "approved"}, apps[1].pk: {"outcome": "rejected", "reason": "业绩不突出"}})
    result = services.shortlist(rnd)
    assert [r["name"] for r in result] == ["甲"]
    assert set(result[0]) >= {"name", "gender", "employer", "occupation", "skill_level"}
    assert result[0]["occupation"] == "焊工"


def test_decision_notifies_employer_officer_by_inbox_and_mail(review_world, make_user,
                                                               django_capture_on_commit_callbacks):
    w = review_world
    rnd = w["make_round"](HUIYANG_STAGES)
    app = w["make_app"](rnd)
    officer = make_user("employer", app.employer, email="hr@example.com")
    services.accept(app, actor=w["bureau"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_qualification(app, actor=w["bureau"], outcome="reject", article="第八条（三）",
                                      reason="有刑事犯罪记录")
    assert Notification.objects.filter(user=officer, application=app).exists()
    assert [m.to for m in mail.outbox] == [["hr@example.com"]]
