"""Quotas to the end (惠阳 第四条: 每两年…选拔培育不超过10名; 仲恺 第五条: 50名首席技师): whatever the
order of a policy's stages, the shortlist, the committee and the approval each stay within the
round's quota; programme targets (赣州 第五条: 到2025年共计培养选拔50名) are floors reported with
progress; tie-breaks are the honour's priority rules (环翠 第七条（五）: 同等条件下优先…45周岁以下)."""
import datetime as dt
import threading

import pytest
from django.db import connections

from gongjiang.applications.models import Application
from gongjiang.core.errors import DomainError
from gongjiang.review import quota, services
from gongjiang.review import stages as st
from gongjiang.review.models import Assignment
from gongjiang.review.tests import factories, policy_stages
from gongjiang.review.tests.conftest import ZHONGKAI_STAGES

pytestmark = pytest.mark.django_db

# 惠阳 without the expert review: 资格初审, then straight to 审定, 公示, 批准 — only the committee
# and the approval can hold the quota.
NO_SHORTLIST = policy_stages.stages("huiyang-chief-technician",
                                    only={"qualification_review", "committee_decision", "public_notice", "approval"})


def _at(w, stages, status, n, quota_=10, **kw):
    rnd = w["make_round"](stages, quota=quota_)
    apps = [w["make_app"](rnd, name=f"候选人{i}", **kw) for i in range(n)]
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=status)
    for a in apps:
        a.refresh_from_db()
    return rnd, apps


def _committee(w, make_user, n=3):
    return [make_user("committee", w["district"], password=None) for _ in range(n)]


def test_open_committee_approving_beyond_the_quota_is_refused(review_world, make_user):
    w = review_world
    rnd, apps = _at(w, NO_SHORTLIST, st.COMMITTEE, 3, quota_=2)
    session = services.open_session(rnd, actor=w["bureau"], title="审定", held_on=dt.date(2026, 7, 1),
                                    members=_committee(w, make_user))
    with pytest.raises(DomainError) as e:
        services.close_session(session, actor=w["bureau"], decisions={a.pk: {"outcome": "approved"} for a in apps})
    assert "名额2名" in e.value.message and "本次最多2名" in e.value.message
    services.close_session(session, actor=w["bureau"], decisions={
        apps[0].pk: {"outcome": "approved"}, apps[1].pk: {"outcome": "approved"},
        apps[2].pk: {"outcome": "rejected", "reason": "名额所限，业绩相对靠后"}})
    assert Application.objects.filter(round=rnd, status=st.PASSED).count() == 2


def test_committee_counts_places_already_taken(review_world, make_user):
    """A second meeting of the same round has only the places the first left."""
    w = review_world
    rnd, apps = _at(w, NO_SHORTLIST, st.COMMITTEE, 3, quota_=2)
    Application.objects.filter(pk=apps[0].pk).update(status=st.ON_NOTICE)
    session = services.open_session(rnd, actor=w["bureau"], title="第二次审定", held_on=dt.date(2026, 7, 1),
                                    members=_committee(w, make_user), candidates=apps[1:])
    with pytest.raises(DomainError) as e:
        services.close_session(session, actor=w["bureau"], decisions={a.pk: {"outcome": "approved"} for a in apps[1:]})
    assert "已占用1名" in e.value.message


def _secret_session(w, make_user, quota_, votes):
    """votes: one list of choices per member, one choice per candidate."""
    rnd, apps = _at(w, ZHONGKAI_STAGES, st.COMMITTEE, len(votes[0]), quota_=quota_)
    members = _committee(w, make_user, len(votes))
    session = services.open_session(rnd, actor=w["bureau"], title="无记名投票", held_on=dt.date(2026, 8, 1),
                                    members=members)
    for member, sheet in zip(members, votes):
        services.cast_ballots(session, member=member, choices={a.pk: c for a, c in zip(apps, sheet)})
    return session, apps


def test_secret_ballot_beyond_quota_keeps_most_votes_in_favour(review_world, make_user):
    """仲恺 第五条（二）4: all three reach the majority, two places: the two with most 同意 take them."""
    w = review_world
    session, apps = _secret_session(w, make_user, 2, [["yes", "yes", "yes"], ["yes", "yes", "yes"],
                                                      ["yes", "no", "yes"]])
    services.close_session(session, actor=w["bureau"])
    for a in apps:
        a.refresh_from_db()
    assert [a.status for a in apps] == [st.PASSED, st.COMMITTEE_REJECTED, st.PASSED]
    assert "未进入名额" in apps[1].committee_decisions.get().reason


def test_secret_ballot_tie_at_the_quota_line_needs_the_committees_choice(review_world, make_user):
    w = review_world
    session, apps = _secret_session(w, make_user, 1, [["yes", "yes"], ["yes", "yes"], ["no", "no"]])
    with pytest.raises(DomainError) as e:
        services.close_session(session, actor=w["bureau"])
    assert "同票" in e.value.message
    services.close_session(session, actor=w["bureau"], tie_choice=[apps[1].pk])
    assert [Application.objects.get(pk=a.pk).status for a in apps] == [st.COMMITTEE_REJECTED, st.PASSED]


def test_secret_ballot_equal_votes_at_the_line_go_by_the_priority_rule_huiyang_5(review_world, make_user):
    """Equal votes in favour for the last place: 同等条件下优先从高级技师中选取 (惠阳 第五条), as the
    engine evaluated it with each eligibility result, decides before the committee is asked."""
    w = review_world
    session, apps = _secret_session(w, make_user, 1, [["yes", "yes"], ["yes", "yes"], ["no", "no"]])
    for app, result in zip(apps, ("fail", "pass")):
        app.eligibility = {"priority": [{"id": "senior-technician", "article": "第五条", "result": result}]}
        app.save(update_fields=["eligibility"])
    services.close_session(session, actor=w["bureau"])  # no tie to settle by hand
    assert [Application.objects.get(pk=a.pk).status for a in apps] == [st.COMMITTEE_REJECTED, st.PASSED]
    reason = apps[0].committee_decisions.get().reason
    assert "同意票数未进入名额" in reason and "高级技师" in reason and "第五条" in reason


def test_approval_beyond_the_quota_is_refused(review_world):
    w = review_world
    rnd, apps = _at(w, NO_SHORTLIST, st.ON_NOTICE, 3, quota_=2)
    with pytest.raises(DomainError) as e:
        quota.check_approval(rnd, apps)
    assert "批准人数超过名额" in e.value.message
    quota.check_approval(rnd, apps[:2])


def test_shortlist_leaves_room_for_places_already_taken(review_world, expert_pool):
    """An expert review closed a second time (a late panel) only fills the places left."""
    w = review_world
    rnd, apps = _at(w, ZHONGKAI_STAGES, st.EXPERT, 3, quota_=2)
    Application.objects.filter(pk=apps[0].pk).update(status=st.COMMITTEE)  # shortlisted earlier
    services.draw(rnd, actor=w["bureau"], name="补充组", seed="s", size=5, applications=apps[1:])
    for a in Assignment.objects.filter(application__in=apps[1:], active=True):
        services.submit_score(a, actor=a.expert.user, comment="材料详实",
                              points={"skill": 30, "results": 30, "mentoring": 15})
    services.close_expert_review(rnd, actor=w["bureau"], tie_choice=[apps[2].pk])
    statuses = sorted(Application.objects.filter(round=rnd).values_list("status", flat=True))
    assert statuses == sorted([st.COMMITTEE, st.COMMITTEE, st.NOT_SHORTLISTED])


def test_tie_break_is_the_honours_priority_rule_huancui_7_5(review_world, expert_pool):
    """环翠 第七条（五）: 同等条件下优先从45周岁（含45周岁）以下的高技能人才中选拔 — the rule the
    engine evaluated with the eligibility result ("priority"), not an age computed in Python."""
    w = review_world
    policy = factories.make_policy(w["district"], "huancui-chief-technician")
    rnd = factories.make_round(policy, w["district"], policy_stages.stages("huancui-chief-technician"), quota=1)
    apps = []
    for name, result in (("年长者", "fail"), ("青年技师", "pass")):
        app = w["make_app"](rnd, name=name, status=st.EXPERT)
        app.eligibility = {"priority": [{"id": "under-45", "article": "第七条（五）", "result": result}]}
        app.save(update_fields=["eligibility"])
        apps.append(app)
    services.draw(rnd, actor=w["bureau"], name="组", seed="s", size=5)
    for a in Assignment.objects.filter(application__in=apps, active=True):
        services.submit_score(a, actor=a.expert.user, comment="相当",
                              points={"skill": 25, "innovation": 25, "mentoring": 15, "onsite": 15})
    ranked = services.close_expert_review(rnd, actor=w["bureau"])  # no tie to settle by hand
    assert [Application.objects.get(pk=int(r.key)).name for r in ranked] == ["青年技师", "年长者"]
    assert ranked[0].decided_by and "45周岁" in ranked[0].decided_by


def test_programme_target_is_a_floor_with_progress_ganzhou_5(review_world):
    policy = factories.make_policy(review_world["district"], "ganzhou-craftsman")
    progress = quota.progress(policy)
    assert progress["target"] == 50 and progress["by"] == dt.date(2025, 12, 31)
    assert progress["approved"] == 0 and progress["remaining"] == 50
    assert quota.progress(factories.make_policy(review_world["district"])) is None  # 惠阳 sets none


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_committee_meetings_never_exceed_the_quota(review_world, make_user):
    """Two meetings of one round close at the same moment, each approving two candidates with
    three places left: the round row lock lets exactly one through."""
    w = review_world
    rnd, apps = _at(w, NO_SHORTLIST, st.COMMITTEE, 4, quota_=3)
    members = _committee(w, make_user)
    sessions = [services.open_session(rnd, actor=w["bureau"], title=f"第{i + 1}次审定", held_on=dt.date(2026, 7, 1),
                                      members=members, candidates=apps[2 * i:2 * i + 2]) for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def close(session, pair):
        try:
            barrier.wait(timeout=10)
            services.close_session(session, actor=w["bureau"],
                                   decisions={a.pk: {"outcome": "approved"} for a in pair})
            outcomes.append("ok")
        except DomainError:
            outcomes.append("quota")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(s, apps[2 * i:2 * i + 2])) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "quota"]
    assert Application.objects.filter(round=rnd, status=st.PASSED).count() == 2


def test_board_shows_quota_and_programme_target_as_a_floor(review_world, client):
    from django.urls import reverse

    w = review_world
    policy = factories.make_policy(w["district"], "ganzhou-craftsman")
    rnd = factories.make_round(policy, w["district"], policy_stages.stages("ganzhou-craftsman"), quota=15)
    client.force_login(w["bureau"])
    body = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    assert "名额：15名" in body and "尚余15名" in body
    assert "累计50名（第五条，为累计目标而非上限）" in body and "尚差50名" in body


def test_priority_rules_are_stored_with_the_eligibility_result_huancui_7_5(jurisdictions, make_user, clock):
    """The engine evaluates the honour's priority rules with the eligibility clauses; the result
    keeps them, in the policy's order, for the ranking's tie-breaks."""
    from gongjiang.rounds import policy_link
    from gongjiang.rounds.tests.factories import complete_facts, open_round

    bureau = make_user("bureau", jurisdictions["环翠区"], password=None)
    rnd = open_round(policy_code="huancui-chief-technician", organiser=bureau.organisation, actor=bureau)
    young = complete_facts("申报人甲")  # born 1980-05-01: 45 on the reference date (含45周岁)
    data, _overall = policy_link.evaluate_facts(rnd, young)
    assert data["priority"] == [{"id": "under-45", "article": "第七条（五）",
                                 "text": "同等条件下优先从45周岁（含45周岁）以下的高技能人才中选拔", "result": "pass"}]
    older = complete_facts("申报人乙")
    older["personal"]["birth_date"] = "1975-05-01"
    assert policy_link.evaluate_facts(rnd, older)[0]["priority"][0]["result"] == "fail"
