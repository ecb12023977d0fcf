"""Rubric, aggregation (去掉一个最高分和一个最低分) and ranking with tie-breaks; the quota is held by review.quota."""
from decimal import Decimal

import pytest

from gongjiang.review.scoring import Aggregation, Rubric, ScoringError, TieBreak, rank
from gongjiang.review.tests.policy_stages import rubric as policy_rubric

# 聊城 三's rubric: 职业技能水平 30, 业绩贡献 40, 带徒传技 30 (equal weights).
FULL = {"skill": 30, "contribution": 40, "mentoring": 30}


def liaocheng_rubric():
    return Rubric.from_params(policy_rubric("liaocheng-2019-chief-technician"))


def test_rubric_sums_shares_of_each_criterion_out_of_100():
    rubric = liaocheng_rubric()
    assert rubric.total_weight == 3
    assert rubric.total(FULL) == Decimal("100.00")
    assert rubric.total({**FULL, "mentoring": "22.5"}) == Decimal("91.67")


def test_no_rubric_is_an_error_not_a_default():
    with pytest.raises(ScoringError):
        Rubric.from_params(None)


def test_rubric_weights_scale_points():
    rubric = Rubric.from_params([{"code": "skill", "label": "技能", "weight": 60, "max_points": 10},
                                 {"code": "test", "label": "现场技能考查", "weight": 40, "max_points": 100}])
    assert rubric.total({"skill": 5, "test": 50}) == Decimal("50.00")


def test_rubric_points_above_maximum_rejected_with_all_problems():
    rubric = liaocheng_rubric()
    with pytest.raises(ScoringError) as e:
        rubric.total({**FULL, "skill": 31, "contribution": "abc", "mentoring": ""})
    msg = e.value.message
    assert "职业技能水平" in msg and "0至30" in msg and "业绩贡献" in msg and "带徒传技”未打分" in msg


def test_rubric_negative_or_unknown_criterion_rejected():
    rubric = liaocheng_rubric()
    with pytest.raises(ScoringError):
        rubric.total({**FULL, "contribution": -1})
    with pytest.raises(ScoringError):
        rubric.total({**FULL, "bonus": 5})


def test_rubric_duplicate_codes_rejected():
    with pytest.raises(ScoringError):
        Rubric.from_params([{"code": "a", "weight": 50, "max_points": 50}, {"code": "a", "weight": 50, "max_points": 50}])


def test_aggregation_five_experts_drop_highest_and_lowest():
    agg = Aggregation.from_params({"method": "trimmed_mean", "trim_min_experts": 5})
    assert agg.apply([90, 80, 70, 60, 10]) == Decimal("70.00")


def test_aggregation_four_experts_plain_mean():
    agg = Aggregation.from_params({"method": "trimmed_mean", "trim_min_experts": 5})
    assert agg.apply([90, 80, 70, 61]) == Decimal("75.25")


def test_aggregation_has_no_default():
    with pytest.raises(ScoringError):
        Aggregation.from_params(None)
    with pytest.raises(ScoringError):
        Aggregation.from_params("trimmed_mean")  # from how many experts on is the policy's


def test_aggregation_median_and_mean_methods():
    assert Aggregation.from_params("median").apply([1, 2, 3, 10]) == Decimal("2.50")
    assert Aggregation.from_params({"method": "mean"}).apply([90, 80, 70, 60, 10]) == Decimal("62.00")


def test_aggregation_without_scores_is_an_error():
    with pytest.raises(ScoringError):
        Aggregation("mean").apply([])


def test_rank_ties_broken_by_policy_priority_age_under_45():
    # 环翠 第七条（五）: 同等条件下优先从45周岁（含）以下的高技能人才中选拔
    rules = TieBreak.list_from_params([{"key": "under_45", "prefer": "true", "label": "45周岁以下优先",
                                        "article": "第七条（五）"}])
    ranked = rank([("old", 88, {"under_45": False}), ("young", 88, {"under_45": True}), ("top", 90, {})], rules)
    assert [r.key for r in ranked] == ["top", "young", "old"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert ranked[1].decided_by == "45周岁以下优先（第七条（五））"


def test_rank_full_tie_shares_rank():
    ranked = rank([("b", 80, {}), ("a", 80, {}), ("c", 70, {})])
    assert [(r.key, r.rank) for r in ranked] == [("a", 1), ("b", 1), ("c", 3)]


def test_rank_low_direction_and_missing_values_last():
    rules = TieBreak.list_from_params([{"key": "age", "prefer": "low"}])
    ranked = rank([("x", 80, {}), ("y", 80, {"age": 50}), ("z", 80, {"age": 40})], rules)
    assert [r.key for r in ranked] == ["z", "y", "x"]


def test_rubric_equal_weights_huiyang_file_gives_sum_of_points():
    # policies/huiyang-chief-technician.yaml: four criteria of 25 points, weight 1 each
    rubric = Rubric.from_params({"aggregation": "mean", "criteria": [
        {"code": c, "name": c, "weight": 1, "max_points": 25} for c in ("performance", "results", "contribution", "skill")]})
    assert rubric.total({"performance": 20, "results": 21, "contribution": 22, "skill": 23}) == Decimal("86.00")
