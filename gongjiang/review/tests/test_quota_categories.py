"""Caps inside the total, per category, as a policy may say (quota.within): the test policy
test-category-caps (名额6名，第四条（一）同一职业（工种）不超过2名，第四条（二）制造业企业人员不超过3名)
— no seed policy words such a cap yet. Each deciding stage holds them: the expert review's
shortlist passes over a candidate whose category is full for the next best, a committee may not
approve beyond them (a secret ballot gives the place to the next most votes), nor may the approval;
concurrent meetings are tested on PostgreSQL."""
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
from gongjiang.rounds import policy_link

pytestmark = pytest.mark.django_db

NO_SHORTLIST = policy_stages.stages("huiyang-chief-technician",
                                    only={"qualification_review", "committee_decision", "public_notice", "approval"})


@pytest.fixture
def caps_world(review_world, make_org, make_user):
    """A round of the test policy (its caps copied from the YAML as open_round copies them)."""
    w = review_world
    policy = factories.make_policy(w["district"], "test-category-caps")

    def make_round(stages, status, people):
        """people: (name, occupation, industry) — one application each, in `status`."""
        rnd = factories.make_round(policy, w["district"], stages, quota=6)
        rnd.quota_caps = policy_link.round_defaults(policy, year=2026)["quota_caps"]
        rnd.save(update_fields=["quota_caps"])
        apps = []
        for name, occupation, industry in people:
            employer = make_org(parent=w["district"])
            if industry:
                from gongjiang.registry.models import EmployerProfile

                EmployerProfile.objects.create(organisation=employer, sector=industry)
            apps.append(w["make_app"](rnd, name=name, employer=employer, status=status,
                                      facts={"skill": {"occupation": occupation}}))
        return rnd, apps

    members = [make_user("committee", w["district"], password=None) for _ in range(3)]
    return {**w, "make_round": make_round, "members": members}


def _statuses(apps):
    return [Application.objects.get(pk=a.pk).status for a in apps]


def test_caps_are_copied_from_the_policy_file_4():
    """第四条（一）（二）: the round keeps the policy's caps (by, article, caps) when it is opened."""
    from gongjiang.rounds.tests.factories import load_test_policy

    caps = policy_link.round_defaults(load_test_policy("test-category-caps"), year=2026)["quota_caps"]
    assert [(c["by"], c["article"], c["max_each"], c["caps"]) for c in caps] == [
        ("occupation", "第四条（一）", 2, {}), ("industry", "第四条（二）", None, {"制造业": 3})]


def test_open_committee_approving_three_welders_is_refused_4_1(caps_world):
    """第四条（一）同一职业（工种）不超过2名: three 焊工 within the total of six are still refused."""
    w = caps_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.COMMITTEE, [("甲", "焊工", ""), ("乙", "焊工", ""),
                                                             ("丙", "焊工", ""), ("丁", "钳工", "")])
    session = services.open_session(rnd, actor=w["bureau"], title="审定", held_on=dt.date(2026, 7, 1),
                                    members=w["members"])
    with pytest.raises(DomainError) as e:
        services.close_session(session, actor=w["bureau"], decisions={a.pk: {"outcome": "approved"} for a in apps})
    assert "职业（工种）“焊工”不超过2名（第四条（一））" in e.value.message and "最多2名" in e.value.message
    services.close_session(session, actor=w["bureau"], decisions={
        **{a.pk: {"outcome": "approved"} for a in (apps[0], apps[1], apps[3])},
        apps[2].pk: {"outcome": "rejected", "reason": "同一职业（工种）名额已满"}})
    assert _statuses(apps) == [st.PASSED, st.PASSED, st.COMMITTEE_REJECTED, st.PASSED]


def test_committee_counts_the_category_places_already_taken_4_1(caps_world):
    """A welder already on notice holds one of the two 焊工 places at a later meeting."""
    w = caps_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.COMMITTEE, [("甲", "焊工", ""), ("乙", "焊工", ""),
                                                             ("丙", "焊工", "")])
    Application.objects.filter(pk=apps[0].pk).update(status=st.ON_NOTICE)
    session = services.open_session(rnd, actor=w["bureau"], title="第二次审定", held_on=dt.date(2026, 7, 1),
                                    members=w["members"], candidates=apps[1:])
    with pytest.raises(DomainError) as e:
        services.close_session(session, actor=w["bureau"], decisions={a.pk: {"outcome": "approved"} for a in apps[1:]})
    assert "已占用1名" in e.value.message and "最多1名" in e.value.message


def test_secret_ballot_gives_a_full_category_place_to_the_next_most_votes_4_1(caps_world, make_user):
    """仲恺's secret ballot (第五条（二）4) in a round with the 第四条（一） cap: three welders reach the
    majority, the two with most 同意 take the 焊工 places and the third is not approved; the 钳工
    with fewer votes than all of them still passes."""
    w = caps_world
    rnd, apps = w["make_round"](ZHONGKAI_STAGES, st.COMMITTEE, [("甲", "焊工", ""), ("乙", "焊工", ""),
                                                                ("丙", "焊工", ""), ("丁", "钳工", "")])
    members = w["members"] + [make_user("committee", w["district"], password=None)]
    session = services.open_session(rnd, actor=w["bureau"], title="无记名投票", held_on=dt.date(2026, 8, 1),
                                    members=members)
    sheets = [["yes", "yes", "yes", "yes"], ["yes", "yes", "yes", "yes"], ["yes", "yes", "yes", "no"],
              ["yes", "no", "yes", "yes"]]
    for member, sheet in zip(members, sheets):
        services.cast_ballots(session, member=member, choices={a.pk: c for a, c in zip(apps, sheet)})
    services.close_session(session, actor=w["bureau"])
    assert _statuses(apps) == [st.PASSED, st.COMMITTEE_REJECTED, st.PASSED, st.PASSED]
    reason = Application.objects.get(pk=apps[1].pk).committee_decisions.get().reason
    assert "未进入名额" in reason and "职业（工种）“焊工”不超过2名" in reason


def test_shortlist_passes_over_a_full_category_for_the_next_best_4_1(caps_world, expert_pool):
    """The expert review's shortlist (名额6名) takes the two best welders, passes over the third
    (higher score than the 钳工) and shortlists the 钳工."""
    w = caps_world
    rnd, apps = w["make_round"](ZHONGKAI_STAGES, st.EXPERT, [("甲", "焊工", ""), ("乙", "焊工", ""),
                                                             ("丙", "焊工", ""), ("丁", "钳工", "")])
    services.draw(rnd, actor=w["bureau"], name="评审组", seed="s", size=5)
    points = {apps[0].pk: 30, apps[1].pk: 29, apps[2].pk: 28, apps[3].pk: 20}
    for a in Assignment.objects.filter(application__in=apps, active=True):
        services.submit_score(a, actor=a.expert.user, comment="材料详实",
                              points={"skill": points[a.application_id], "results": 30, "mentoring": 15})
    services.close_expert_review(rnd, actor=w["bureau"])
    assert _statuses(apps) == [st.COMMITTEE, st.COMMITTEE, st.NOT_SHORTLISTED, st.COMMITTEE]
    from gongjiang.applications.services import stage_history

    last = stage_history(Application.objects.get(pk=apps[2].pk), for_applicant=False)[-1]
    assert "职业（工种）“焊工”不超过2名（第四条（一））" in last["reason"]


def test_approval_beyond_the_industry_cap_is_refused_4_2(caps_world):
    """第四条（二）制造业企业人员不超过3名: four candidates from 制造业 employers (all different
    occupations) cannot all be approved; three can."""
    w = caps_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.ON_NOTICE, [(n, o, "制造业") for n, o in
                                                             (("甲", "焊工"), ("乙", "钳工"), ("丙", "车工"), ("丁", "电工"))])
    with pytest.raises(DomainError) as e:
        quota.check_approval(rnd, apps)
    assert "行业“制造业”不超过3名（第四条（二））" in e.value.message
    quota.check_approval(rnd, apps[:3])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_meetings_never_exceed_the_occupation_cap_4_1(caps_world):
    """Two meetings close at the same moment, each approving one welder where one 焊工 place is left
    (and the total has room for both): the round row lock lets exactly one through."""
    w = caps_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.COMMITTEE, [("甲", "焊工", ""), ("乙", "焊工", ""),
                                                             ("丙", "焊工", "")])
    Application.objects.filter(pk=apps[0].pk).update(status=st.ON_NOTICE)
    sessions = [services.open_session(rnd, actor=w["bureau"], title=f"第{i + 1}次审定", held_on=dt.date(2026, 7, 1),
                                      members=w["members"], candidates=[apps[i + 1]]) for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def close(session, app):
        try:
            barrier.wait(timeout=10)
            services.close_session(session, actor=w["bureau"], decisions={app.pk: {"outcome": "approved"}})
            outcomes.append("ok")
        except DomainError as e:
            outcomes.append("cap" if "焊工" in e.message else e.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(s, apps[i + 1])) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["cap", "ok"]
    assert Application.objects.filter(round=rnd, status__in=[st.PASSED, st.ON_NOTICE]).count() == 2


def test_policy_text_states_the_caps_inside_the_total_4():
    from gongjiang.policy import loader
    from gongjiang.policy.render import quota_text
    from gongjiang.rounds.tests.factories import POLICY_DIR

    honour = loader.read_policy(POLICY_DIR / "test-category-caps.yaml").policy.honours[0]
    assert quota_text(honour.quota) == ("每届不超过6名（第四条）；其中同一职业（工种）不超过2名（第四条（一））；"
                                        "行业“制造业”不超过3名（第四条（二））")
