"""A round of several tiers (仲恺 第五条: 每年评选首席技师50名、优秀技师200名): one round selects both
honours, each application names the tier it competes for, and each tier's quota holds separately
at the shortlist, the committee and the approval, whatever the order of the stages. 第五条's
figures are in force 2014-05-09 to 2016-05-08 only, so the 2026 rounds here state each tier's
quota as an officer must (never a silent default); the article stays 第五条."""
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

CHIEF, EXCELLENT = "chief-technician", "excellent-technician"
# 仲恺 without the inspection and expert review: an open meeting decides, then notice and award.
NO_SHORTLIST = policy_stages.stages("huiyang-chief-technician",
                                    only={"qualification_review", "committee_decision", "public_notice", "approval"})


@pytest.fixture
def tiers_world(review_world, make_user):
    w = review_world
    policy = factories.make_policy(w["district"], "zhongkai-skilled-talent")

    def make_round(stages, status, people, chief=1, excellent=3):
        """people: (name, tier) — one application each, in `status`."""
        defaults = policy_link.round_defaults(policy, year=2026, tiers=[CHIEF, EXCELLENT],
                                              tier_quotas={CHIEF: chief, EXCELLENT: excellent})
        rnd = factories.make_round(policy, w["district"], stages, quota=defaults["quota"])
        rnd.tiers, rnd.quota_caps = defaults["tiers"], defaults["quota_caps"]
        rnd.save(update_fields=["tiers", "quota_caps"])
        apps = []
        for i, (name, tier) in enumerate(people):
            app = w["make_app"](rnd, name=name, status=status, facts={"skill": {"occupation": f"工种{i}"}})
            Application.objects.filter(pk=app.pk).update(honour_code=tier)
            app.refresh_from_db()
            apps.append(app)
        return rnd, apps

    members = [make_user("committee", w["district"], password=None) for _ in range(3)]
    return {**w, "make_round": make_round, "members": members}


def _statuses(apps):
    return [Application.objects.get(pk=a.pk).status for a in apps]


def test_round_of_two_tiers_keeps_each_tiers_quota_zhongkai_5(jurisdictions, make_user):
    """第五条: one round of 首席技师 and 优秀技师, the quota of each kept, the round's quota their sum."""
    from gongjiang.rounds.tests.factories import open_round

    bureau = make_user("bureau", jurisdictions["仲恺高新区"], password=None)
    with pytest.raises(DomainError) as e:  # 2026: 第五条's figures are not in force, none is invented
        open_round(policy_code="zhongkai-skilled-talent", organiser=bureau.organisation, actor=bureau,
                   tiers=[CHIEF, EXCELLENT])
    assert "没有有效的名额规定" in e.value.message
    rnd = open_round(policy_code="zhongkai-skilled-talent", organiser=bureau.organisation, actor=bureau,
                     tiers=[CHIEF, EXCELLENT], tier_quotas={CHIEF: 50, EXCELLENT: 200})
    assert rnd.tiers == [{"code": CHIEF, "title": "首席技师", "quota": 50, "article": "第五条"},
                         {"code": EXCELLENT, "title": "优秀技师", "quota": 200, "article": "第五条"}]
    assert rnd.quota == 250 and rnd.honour_title == "首席技师、优秀技师"
    assert policy_link.tier_choices(rnd) == [(CHIEF, "首席技师（名额50名，第五条）"),
                                             (EXCELLENT, "优秀技师（名额200名，第五条）")]


def test_application_names_its_tier_and_is_judged_on_its_clauses_zhongkai_5(jurisdictions, make_user):
    """A draft in a round of tiers must name one; eligibility runs on that tier's clauses."""
    from gongjiang.applications import eligibility
    from gongjiang.applications import services as app_services
    from gongjiang.applications.models import Route
    from gongjiang.rounds.tests.factories import open_round

    bureau = make_user("bureau", jurisdictions["仲恺高新区"], password=None)
    rnd = open_round(policy_code="zhongkai-skilled-talent", organiser=bureau.organisation, actor=bureau,
                     tiers=[CHIEF, EXCELLENT], tier_quotas={CHIEF: 50, EXCELLENT: 200})
    applicant = make_user("applicant", password=None)
    with pytest.raises(DomainError) as e:
        app_services.start(round=rnd, actor=applicant, route=Route.SELF)
    assert e.value.message == "请选择申报的称号（等级）：首席技师（名额50名，第五条）；优秀技师（名额200名，第五条）"
    app = app_services.start(round=rnd, actor=applicant, route=Route.SELF, honour_code=EXCELLENT)
    assert app.tier == EXCELLENT
    assert eligibility.evaluate(app)[0]["honour"] == "优秀技师"  # the tier's clause tree, not 首席技师's


def test_open_committee_holds_each_tiers_quota_zhongkai_5(tiers_world):
    """One 首席技师 place: two 首席技师 cannot both be approved, though the round's total (4) has room."""
    w = tiers_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.COMMITTEE, [("甲", CHIEF), ("乙", CHIEF), ("丙", EXCELLENT)])
    session = services.open_session(rnd, actor=w["bureau"], title="审定", held_on=dt.date(2026, 7, 1),
                                    members=w["members"])
    with pytest.raises(DomainError) as e:
        services.close_session(session, actor=w["bureau"], decisions={a.pk: {"outcome": "approved"} for a in apps})
    assert "称号“首席技师”不超过1名（第五条）" in e.value.message
    services.close_session(session, actor=w["bureau"], decisions={
        apps[0].pk: {"outcome": "approved"}, apps[2].pk: {"outcome": "approved"},
        apps[1].pk: {"outcome": "rejected", "reason": "首席技师名额已满"}})
    assert _statuses(apps) == [st.PASSED, st.COMMITTEE_REJECTED, st.PASSED]


def test_shortlist_ranks_and_caps_each_tier_separately_zhongkai_5(tiers_world, expert_pool):
    """The expert review shortlists the best 首席技师 for its one place, not the second (though
    scored above every 优秀技师), and the 优秀技师 for theirs; each tier is ranked on its own."""
    w = tiers_world
    rnd, apps = w["make_round"](ZHONGKAI_STAGES, st.EXPERT, [("甲", CHIEF), ("乙", CHIEF), ("丙", EXCELLENT),
                                                             ("丁", EXCELLENT)])
    services.draw(rnd, actor=w["bureau"], name="评审组", seed="s", size=5)
    points = {apps[0].pk: 30, apps[1].pk: 29, apps[2].pk: 20, apps[3].pk: 19}
    for a in Assignment.objects.filter(application__in=apps, active=True):
        services.submit_score(a, actor=a.expert.user, comment="材料详实",
                              points={"skill": points[a.application_id], "results": 30, "mentoring": 15})
    ranked = services.close_expert_review(rnd, actor=w["bureau"])
    assert _statuses(apps) == [st.COMMITTEE, st.NOT_SHORTLISTED, st.COMMITTEE, st.COMMITTEE]
    assert {(Application.objects.get(pk=int(r.key)).name, r.category, r.rank) for r in ranked} == {
        ("甲", "首席技师", 1), ("乙", "首席技师", 2), ("丙", "优秀技师", 1), ("丁", "优秀技师", 2)}


def test_secret_ballot_holds_each_tiers_quota_zhongkai_5_2_4(tiers_world):
    """第五条（二）4 无记名投票: both 首席技师 reach the majority, the one place goes to the more votes."""
    w = tiers_world
    rnd, apps = w["make_round"](ZHONGKAI_STAGES, st.COMMITTEE, [("甲", CHIEF), ("乙", CHIEF), ("丙", EXCELLENT)])
    session = services.open_session(rnd, actor=w["bureau"], title="无记名投票", held_on=dt.date(2026, 8, 1),
                                    members=w["members"])
    for member, sheet in zip(w["members"], [["yes", "yes", "yes"], ["yes", "yes", "yes"], ["no", "yes", "yes"]]):
        services.cast_ballots(session, member=member, choices={a.pk: c for a, c in zip(apps, sheet)})
    services.close_session(session, actor=w["bureau"])
    assert _statuses(apps) == [st.COMMITTEE_REJECTED, st.PASSED, st.PASSED]


def test_approval_holds_each_tiers_quota_zhongkai_5(tiers_world):
    w = tiers_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.ON_NOTICE, [("甲", CHIEF), ("乙", CHIEF), ("丙", EXCELLENT)])
    with pytest.raises(DomainError) as e:
        quota.check_approval(rnd, apps)
    assert "称号“首席技师”不超过1名（第五条）" in e.value.message
    quota.check_approval(rnd, [apps[0], apps[2]])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_meetings_never_exceed_a_tiers_quota_zhongkai_5(tiers_world):
    """Two meetings close at the same moment, each approving one 首席技师 for the one place (the
    round's total has room for both): the round row lock lets exactly one through."""
    w = tiers_world
    rnd, apps = w["make_round"](NO_SHORTLIST, st.COMMITTEE, [("甲", CHIEF), ("乙", CHIEF)])
    sessions = [services.open_session(rnd, actor=w["bureau"], title=f"第{i + 1}次审定", held_on=dt.date(2026, 7, 1),
                                      members=w["members"], candidates=[apps[i]]) for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def close(session, app):
        try:
            barrier.wait(timeout=10)
            services.close_session(session, actor=w["bureau"], decisions={app.pk: {"outcome": "approved"}})
            outcomes.append("ok")
        except DomainError as e:
            outcomes.append("cap" if "首席技师" in e.message else e.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(s, apps[i])) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["cap", "ok"]
    assert Application.objects.filter(round=rnd, status=st.PASSED).count() == 1


def test_board_shows_each_tiers_quota_and_places_held_zhongkai_5(tiers_world, client):
    from django.urls import reverse

    w = tiers_world
    rnd, _apps = w["make_round"](NO_SHORTLIST, st.PASSED, [("甲", CHIEF), ("乙", EXCELLENT), ("丙", EXCELLENT)])
    client.force_login(w["bureau"])
    body = client.get(reverse("review:board", args=[rnd.pk])).content.decode()
    assert "名额：4名" in body
    assert "称号“首席技师”不超过1名（第五条），已占1名" in body
    assert "称号“优秀技师”不超过3名（第五条），已占2名" in body


def test_start_page_offers_the_rounds_tiers_zhongkai_5(jurisdictions, make_user, client):
    """The applicant picks the tier on the start page; the draft records it."""
    from django.urls import reverse

    from gongjiang.rounds.tests.factories import open_round

    bureau = make_user("bureau", jurisdictions["仲恺高新区"], password=None)
    rnd = open_round(policy_code="zhongkai-skilled-talent", organiser=bureau.organisation, actor=bureau,
                     tiers=[CHIEF, EXCELLENT], tier_quotas={CHIEF: 50, EXCELLENT: 200})
    client.force_login(make_user("applicant", password=None))
    body = client.get(reverse("applications:start")).content.decode()
    assert "申报称号（等级）" in body and "优秀技师（名额200名，第五条）" in body
    client.post(reverse("applications:start"), {"round": rnd.pk, "tier": EXCELLENT})
    assert Application.objects.get(round=rnd).honour_code == EXCELLENT


def test_round_form_opens_a_round_of_all_tiers_with_stated_quotas_zhongkai_5(jurisdictions, make_user, client):
    """The officer ticks "全部称号" and, where 第五条's figures are not in force, states each tier's."""
    from django.urls import reverse
    from django.utils import timezone

    from gongjiang.rounds.models import Round
    from gongjiang.rounds.tests.factories import load_test_policy

    policy = load_test_policy("zhongkai-skilled-talent")
    client.force_login(make_user("bureau", jurisdictions["仲恺高新区"], password=None))
    today = timezone.localdate()
    form = {"policy": policy.pk, "year": today.year, "title": "仲恺分称号评选", "code": "zk-tiers",
            "opens_on": today.isoformat(), "application_deadline": today.isoformat(), "all_tiers": "on"}
    page = client.post(reverse("rounds:create"), {**form, "tier_quotas": "首席技师50，高级技师3"}).content.decode()
    assert "无法识别“高级技师3”" in page
    client.post(reverse("rounds:create"), {**form, "tier_quotas": "首席技师50，优秀技师200"})
    rnd = Round.objects.get(code="zk-tiers")
    assert [(t["title"], t["quota"]) for t in rnd.tiers] == [("首席技师", 50), ("优秀技师", 200)] and rnd.quota == 250


def test_notice_names_each_candidates_tier_zhongkai_5(tiers_world, clock):
    """第五条（二）5 公示: each candidate on the notice with the honour of the tier applied for, not
    the round's "首席技师、优秀技师"."""
    from gongjiang.review import notice_link

    w = tiers_world
    rnd, apps = w["make_round"](ZHONGKAI_STAGES, st.PASSED, [("甲", CHIEF), ("乙", EXCELLENT)])
    notice = notice_link.publish_shortlist(rnd, actor=w["bureau"], contact="区社会事务局", start=clock.now.date())
    assert {e.name: e.honour for e in notice.entries.all()} == {"甲": "首席技师", "乙": "优秀技师"}
