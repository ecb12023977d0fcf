"""A round of several tiers on its public pages (仲恺 第五条: 每年评选首席技师50名、优秀技师200名;
第五条（一）1 and 2 give each its own conditions): the call states each tier's quota and clauses,
the self-check judges the facts against the tier the worker chooses, the open API lists the tiers."""
import pytest
from django.utils import timezone

from .factories import open_round

CHIEF, EXCELLENT = "chief-technician", "excellent-technician"


@pytest.fixture
def tier_round(jurisdictions, make_user):
    bureau = make_user("bureau", jurisdictions["仲恺高新区"], password=None)
    return open_round(policy_code="zhongkai-skilled-talent", organiser=bureau.organisation, actor=bureau,
                      tiers=[CHIEF, EXCELLENT], tier_quotas={CHIEF: 50, EXCELLENT: 200})


def test_call_page_states_each_tiers_quota_and_conditions_zhongkai_5(client, tier_round):
    body = client.get(f"/rounds/calls/{tier_round.code}/").content.decode()
    assert "首席技师50名（第五条）、优秀技师200名（第五条），各称号名额分别计算，共250名" in body
    chief, excellent = body.index('id="tier-chief-technician"'), body.index('id="tier-excellent-technician"')
    assert chief < excellent
    assert "首席技师（名额50名，第五条）" in body and "优秀技师（名额200名，第五条）" in body
    # 第五条（一）1（6） is 首席技师's competition clause, 第五条（一）2（1） 优秀技师's age-and-years one
    assert chief < body.index("第五条（一）1（6）") < excellent
    assert body.index("第五条（一）2（1）") > excellent
    assert f"?tier={EXCELLENT}" in body


def test_api_call_lists_each_tiers_conditions_zhongkai_5(client, tier_round):
    data = client.get(f"/api/rounds/calls/{tier_round.code}").json()
    assert [(t["title"], t["quota"]) for t in data["tiers"]] == [("首席技师", 50), ("优秀技师", 200)]
    assert any(c["article"] == "第五条（一）2（1）" for c in data["tiers"][1]["conditions"])
    assert not any(c["article"] == "第五条（一）2（1）" for c in data["tiers"][0]["conditions"])
    assert data["conditions"] == []  # never one tier's clauses as the round's


def _self_check(client, rnd, **extra):
    """A worker of 40 with a 高级工 certificate, seven years at the same enterprise, no competition."""
    year = timezone.localdate().year
    return client.post(f"/rounds/calls/{rnd.code}/self-check/", {
        "birth_date": f"{year - 40}-03-01", "gender": "男", "skill_level": "3", "certificate_date": "2015-01-01",
        "job_start": f"{year - 7}-01-01", "frontline": "on", "competition_class": "1", **extra})


def test_self_check_judges_the_chosen_tier_zhongkai_5(client, tier_round):
    """The 技师 condition of 首席技师 (第五条) fails for a 高级工; 优秀技师 has no such clause."""
    page = client.get(f"/rounds/calls/{tier_round.code}/self-check/?tier={EXCELLENT}").content.decode()
    assert f'value="{EXCELLENT}" selected' in page
    unchosen = _self_check(client, tier_round).content.decode()
    assert 'id="result"' not in unchosen and 'aria-invalid="true" aria-describedby="id_tier_error"' in unchosen
    chief = _self_check(client, tier_round, tier=CHIEF).content.decode()
    assert "自测结果：首席技师" in chief and "不符合条件" in chief
    excellent = _self_check(client, tier_round, tier=EXCELLENT).content.decode()
    assert "自测结果：优秀技师" in excellent and "第五条（一）2（1）" in excellent
    assert "第五条（一）1（6）" not in excellent and "第五条（一）1（6）" in chief


def test_unit_report_names_each_candidates_tier_zhongkai_5():
    """A recommending unit's report in a round of tiers says whom it recommends for which honour."""
    from gongjiang.applications.models import Application
    from gongjiang.applications.services import default_report_text
    from gongjiang.policy.models import Policy
    from gongjiang.rounds.models import RecommendingUnit, Round

    rnd = Round(policy=Policy(title="仲恺高新区技能人才百千万工程实施办法"), title="2026年度评选", honour_code=CHIEF,
                honour_title="首席技师、优秀技师",
                tiers=[{"code": CHIEF, "title": "首席技师"}, {"code": EXCELLENT, "title": "优秀技师"}])
    apps = [Application(round=rnd, name=n, honour_code=t) for n, t in (("甲", EXCELLENT), ("乙", CHIEF), ("丙", EXCELLENT))]
    text = default_report_text(RecommendingUnit(round=rnd), apps)
    assert "同意推荐乙1名同志为首席技师推荐人选，甲、丙2名同志为优秀技师推荐人选，共3名，排序如下表。" in text
