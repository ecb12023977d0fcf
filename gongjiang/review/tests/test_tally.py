"""Vote counting with the policy's threshold (default: 超过到会委员半数)."""
from fractions import Fraction

import pytest

from gongjiang.review.tally import Threshold, TallyError, tally


def test_threshold_default_more_than_half_present():
    t = Threshold.from_params(None)
    assert t.needed(present=7, members=9) == 4
    assert t.needed(present=8, members=9) == 5   # 4 of 8 is exactly half: not more than half
    assert t.describe() == "同意票超过到会委员半数"


def test_threshold_two_thirds_of_all_members():
    t = Threshold.from_params("two_thirds_members")
    assert t.needed(present=7, members=9) == 6
    assert Threshold.from_params({"fraction": "2/3", "basis": "members", "strict": False}) == t
    assert t.fraction == Fraction(2, 3)


def test_threshold_unknown_rule_rejected():
    with pytest.raises(TallyError):
        Threshold.from_params("unanimous-ish")


def test_tally_counts_and_passes():
    choices = [("a", "yes")] * 4 + [("a", "no")] * 3 + [("b", "yes")] * 3 + [("b", "abstain")] * 4
    result = {t.candidate: t for t in tally(choices, candidates=["a", "b"], present=7, members=9,
                                            threshold=Threshold())}
    assert (result["a"].yes, result["a"].no, result["a"].passed) == (4, 3, True)
    assert (result["b"].yes, result["b"].abstain, result["b"].passed) == (3, 4, False)


def test_tally_more_ballots_than_present_rejected():
    with pytest.raises(TallyError):
        tally([("a", "yes")] * 3, candidates=["a"], present=2, members=5, threshold=Threshold())


def test_tally_invalid_choice_rejected():
    with pytest.raises(TallyError):
        tally([("a", "maybe")], candidates=["a"], present=2, members=5, threshold=Threshold())
