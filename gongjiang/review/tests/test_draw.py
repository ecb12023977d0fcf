"""The seeded random draw (仲恺 第五条（二）3 随机抽取; 聊城 三、7名以上专家) with avoidance rules."""
import hashlib

import pytest

from gongjiang.review.draw import (
    Avoidance, DeclaredConflict, DrawCandidate, DrawError, PoolExpert, draw_panel, from_snapshot,
    snapshot_json,
)


def pool(n=12, occupation="焊工"):
    return [PoolExpert(key=f"e{i:02d}", name=f"专家{i}", occupations=(occupation,),
                       affiliations=(f"org{i}",), person=f"p{i}") for i in range(n)]


CANDIDATES = [DrawCandidate("a1", person="c1", employer="orgX", recommending_unit="unitA", occupation="焊工"),
              DrawCandidate("a2", person="c2", employer="orgY", recommending_unit="unitB", occupation="焊工")]


def test_draw_same_seed_and_snapshot_gives_same_panel():
    first = draw_panel(pool=pool(), candidates=CANDIDATES, seed="abc", size=7, min_size=7)
    shuffled_pool = list(reversed(pool()))
    again = draw_panel(pool=shuffled_pool, candidates=list(reversed(CANDIDATES)), seed="abc", size=7, min_size=7)
    assert first.as_dict() == again.as_dict()
    assert len(first.members) == 7


def test_draw_order_is_sha256_of_seed_and_key_so_an_auditor_can_recompute_it():
    result = draw_panel(pool=pool(), candidates=CANDIDATES, seed="s1", size=7)
    by_hand = sorted((e.key for e in pool()), key=lambda k: hashlib.sha256(f"s1:{k}".encode()).hexdigest())
    assert result.order == by_hand
    assert result.members == by_hand[:7]


def test_draw_different_seed_gives_different_order():
    a = draw_panel(pool=pool(), candidates=CANDIDATES, seed="one", size=7)
    b = draw_panel(pool=pool(), candidates=CANDIDATES, seed="two", size=7)
    assert a.order != b.order


def test_draw_expert_of_same_employer_is_replaced_for_that_candidate_only():
    experts = pool()
    seed = "x"
    base = draw_panel(pool=experts, candidates=CANDIDATES, seed=seed, size=7)
    victim = base.members[0]
    experts = [PoolExpert(e.key, e.name, e.occupations, ("orgX",), e.person) if e.key == victim else e
               for e in experts]
    result = draw_panel(pool=experts, candidates=CANDIDATES, seed=seed, size=7)
    assert victim in result.members
    assert victim not in result.assessors["a1"]
    assert victim in result.assessors["a2"]
    assert len(result.assessors["a1"]) == 7
    assert result.assessors["a1"][-1] == base.order[7]  # next in draw order replaces
    assert result.reserves == [base.order[7]]
    assert any(x.expert == victim and x.candidate == "a1" and x.reason == Avoidance.SAME_EMPLOYER
               for x in result.exclusions)


def test_draw_avoidance_rules_each_recorded_with_reason():
    experts = [
        PoolExpert("self", occupations=("焊工",), person="c1"),
        PoolExpert("unit", occupations=("焊工",), affiliations=("orgZ", "unitA")),
        PoolExpert("kin", occupations=("焊工",), relations=("c1",)),
        PoolExpert("decl", occupations=("焊工",)),
        PoolExpert("ok1", occupations=("焊工",)),
        PoolExpert("ok2", occupations=("焊工", "钳工")),
        PoolExpert("other", occupations=("电工",)),
        PoolExpert("gone", occupations=("焊工",), active=False),
    ]
    result = draw_panel(pool=experts, candidates=CANDIDATES[:1], seed="r", size=6, min_size=2,
                        occupations=["焊工"], declared=[DeclaredConflict("decl", "a1", "曾合作")])
    reasons = {(x.expert, x.reason) for x in result.exclusions}
    assert ("self", Avoidance.SELF) in reasons
    assert ("unit", Avoidance.SAME_UNIT) in reasons
    assert ("kin", Avoidance.RELATION) in reasons
    assert ("decl", Avoidance.DECLARED) in reasons
    assert ("other", Avoidance.OCCUPATION) in reasons
    assert ("gone", Avoidance.INACTIVE) in reasons
    assert sorted(result.assessors["a1"]) == ["ok1", "ok2"]


def test_draw_below_minimum_size_is_refused_in_chinese():
    with pytest.raises(DrawError) as e:
        draw_panel(pool=pool(6), candidates=CANDIDATES, seed="x", size=7, min_size=7)
    assert "不足" in e.value.message


def test_draw_panel_size_below_policy_minimum_is_refused():
    with pytest.raises(DrawError):
        draw_panel(pool=pool(), candidates=CANDIDATES, seed="x", size=5, min_size=7)


def test_draw_avoidance_leaving_candidate_short_is_refused():
    experts = pool(7)
    experts[0] = PoolExpert("e00", occupations=("焊工",), affiliations=("orgX",))
    with pytest.raises(DrawError) as e:
        draw_panel(pool=experts, candidates=CANDIDATES, seed="x", size=7, min_size=7)
    assert "a1" in e.value.message


def test_draw_snapshot_roundtrip_reproduces_result():
    declared = [DeclaredConflict("e03", "a2")]
    snap = snapshot_json(pool=pool(), candidates=CANDIDATES, declared=declared)
    again_pool, again_candidates, again_declared = from_snapshot(snap)
    a = draw_panel(pool=pool(), candidates=CANDIDATES, seed="q", size=7, declared=declared)
    b = draw_panel(pool=again_pool, candidates=again_candidates, seed="q", size=7, declared=again_declared)
    assert a.as_dict() == b.as_dict()
