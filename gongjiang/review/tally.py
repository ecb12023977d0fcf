"""Counting a committee vote (表决). Pure Python.

The threshold comes from the policy's committee_decision stage; the default is more than half of
the members present (超过到会委员半数). A threshold is a fraction of a basis: members present or all
members, strict ("超过") or not ("达到").
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from gongjiang.core.errors import DomainError

YES, NO, ABSTAIN = "yes", "no", "abstain"
CHOICES = ((YES, "同意"), (NO, "不同意"), (ABSTAIN, "弃权"))
CHOICE_LABELS = dict(CHOICES)


class TallyError(DomainError):
    pass


@dataclass(frozen=True)
class Threshold:
    fraction: Fraction = Fraction(1, 2)
    basis: str = "present"   # present | members
    strict: bool = True      # True: more than (超过); False: at least (达到)

    @classmethod
    def from_params(cls, params=None) -> "Threshold":
        """Accepts {"fraction": "1/2", "basis": "present", "strict": true} or a shorthand string:
        "more_than_half_present" (default), "more_than_half_members", "two_thirds_present",
        "two_thirds_members"."""
        if not params:
            return cls()
        if isinstance(params, str):
            shorthands = {
                "more_than_half_present": cls(Fraction(1, 2), "present", True),
                "more_than_half_members": cls(Fraction(1, 2), "members", True),
                "two_thirds_present": cls(Fraction(2, 3), "present", False),
                "two_thirds_members": cls(Fraction(2, 3), "members", False),
            }
            if params not in shorthands:
                raise TallyError(f"不支持的表决通过规则“{params}”", log=f"unknown threshold {params!r}")
            return shorthands[params]
        try:
            fraction = Fraction(str(params.get("fraction", "1/2")))
        except (ValueError, ZeroDivisionError):
            raise TallyError("表决通过比例无效", log=f"bad fraction {params!r}") from None
        basis = params.get("basis", "present")
        if basis not in ("present", "members") or not (0 < fraction <= 1):
            raise TallyError("表决通过规则无效", log=f"bad threshold {params!r}")
        return cls(fraction, basis, bool(params.get("strict", True)))

    def describe(self) -> str:
        base = "到会委员" if self.basis == "present" else "全体委员"
        frac = "半数" if self.fraction == Fraction(1, 2) else f"{self.fraction.numerator}/{self.fraction.denominator}"
        return f"同意票{'超过' if self.strict else '达到'}{base}{frac}"

    def needed(self, *, present: int, members: int) -> int:
        """The smallest number of yes votes that passes."""
        base = present if self.basis == "present" else members
        bar = self.fraction * base
        n = int(bar) if bar.denominator == 1 else int(bar) + 1
        if self.strict and bar.denominator == 1:
            n += 1
        return max(n, 1)

    def passes(self, yes: int, *, present: int, members: int) -> bool:
        return yes >= self.needed(present=present, members=members)


@dataclass(frozen=True)
class CandidateTally:
    candidate: str
    yes: int
    no: int
    abstain: int
    needed: int
    passed: bool


def tally(choices, *, candidates, present: int, members: int, threshold: Threshold) -> list[CandidateTally]:
    """choices: iterable of (candidate, choice) — anonymous ballots, nothing else.
    A member present who cast no ballot for a candidate counts as not voting yes."""
    if present > members:
        raise TallyError("到会委员人数不能超过委员总数", log=f"present {present} > members {members}")
    counts = {c: Counter() for c in candidates}
    for candidate, choice in choices:
        if choice not in CHOICE_LABELS:
            raise TallyError(f"无效的选票选项“{choice}”", log=f"bad ballot choice {choice!r}")
        if candidate not in counts:
            raise TallyError("选票所投对象不在表决名单中", log=f"ballot for unknown candidate {candidate!r}")
        counts[candidate][choice] += 1
    need = threshold.needed(present=present, members=members)
    out = []
    for c in candidates:
        n = counts[c]
        if sum(n.values()) > present:
            raise TallyError("某候选人的选票数超过到会委员人数", log=f"more ballots than present for {c!r}")
        out.append(CandidateTally(c, n[YES], n[NO], n[ABSTAIN], need, n[YES] >= need))
    return out
