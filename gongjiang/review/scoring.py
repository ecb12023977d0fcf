"""Expert scoring: rubric, aggregation and ranking with the policy's tie-break rules (the quota is held by review.quota).

Pure Python. Points are Decimals (never floats): an officer must be able to redo every sum by hand.

A rubric is a list of criteria, each with a weight and the maximum points an expert may give.
An expert's total is on a 100-point scale (百分制): 100 * sum(points / max_points * weight / sum of
weights). When the weights are proportional to the maximum points (the default rubric: weight =
maximum; 惠阳: four criteria of 25 points, equal weights) this is the plain sum of the points. A candidate's score is the aggregate of the
experts' totals; the default (常用做法) drops the highest and the lowest total when five or more
experts scored, then averages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from gongjiang.core.errors import DomainError

TWO_PLACES = Decimal("0.01")


class ScoringError(DomainError):
    pass


def to_decimal(value, *, what="分值") -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ScoringError(f"{what}“{value}”不是有效的数字", log=f"not a number: {value!r}") from None
    if not d.is_finite():
        raise ScoringError(f"{what}“{value}”不是有效的数字", log=f"not finite: {value!r}")
    return d


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: Decimal
    max_points: Decimal
    description: str = ""


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    @classmethod
    def from_params(cls, items=None) -> "Rubric":
        """From the policy's rubric: a list of {code, name (or label), weight, max_points}, or a
        dict with such a list under "criteria". The rubric is the policy's: there is no default."""
        if isinstance(items, dict):
            items = items.get("criteria")
        if not items:
            raise ScoringError("政策未规定评分细则", log="rubric without criteria")
        criteria = []
        for item in items:
            code = str(item.get("code") or "").strip()
            label = str(item.get("label") or item.get("name") or code)
            weight = to_decimal(item.get("weight", item.get("max_points")), what=f"评分项“{label}”的权重")
            max_points = to_decimal(item.get("max_points", item.get("weight")), what=f"评分项“{label}”的满分")
            if not code:
                raise ScoringError("评分细则中有评分项缺少代码", log="rubric criterion without code")
            if weight <= 0 or max_points <= 0:
                raise ScoringError(f"评分项“{label}”的权重和满分须大于0", log=f"non-positive weight/max: {code}")
            criteria.append(Criterion(code, label, weight, max_points, str(item.get("description", ""))))
        codes = [c.code for c in criteria]
        if len(set(codes)) != len(codes):
            raise ScoringError("评分细则中有重复的评分项", log=f"duplicate criterion codes {codes}")
        return cls(tuple(criteria))

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))

    def validate(self, points: dict) -> dict[str, Decimal]:
        """Check one expert's points for one candidate: every criterion given, 0..max_points.
        Returns the points as Decimals. Raises ScoringError with every problem listed."""
        problems, clean = [], {}
        for c in self.criteria:
            raw = points.get(c.code)
            if raw is None or str(raw).strip() == "":
                problems.append(f"“{c.label}”未打分")
                continue
            try:
                value = to_decimal(raw, what=f"“{c.label}”")
            except ScoringError as e:
                problems.append(e.message)
                continue
            if value < 0 or value > c.max_points:
                problems.append(f"“{c.label}”的分值须在0至{fmt(c.max_points)}分之间")
                continue
            clean[c.code] = value
        unknown = sorted(set(points) - {c.code for c in self.criteria})
        if unknown:
            problems.append("存在评分细则以外的评分项：" + "、".join(unknown))
        if problems:
            raise ScoringError("；".join(problems), log=f"invalid score sheet: {problems}")
        return clean

    def total(self, points: dict) -> Decimal:
        clean = self.validate(points)
        weight = self.total_weight
        total = sum((clean[c.code] / c.max_points * c.weight / weight for c in self.criteria), Decimal(0)) * 100
        return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def fmt(d: Decimal) -> str:
    """A Decimal without trailing zeros: 30, 12.5."""
    s = format(d.normalize(), "f")
    return s


@dataclass(frozen=True)
class Aggregation:
    method: str                    # trimmed_mean | mean | median
    trim_min_experts: int = 0      # trimmed_mean drops the highest and lowest from this many experts on

    @classmethod
    def from_params(cls, params) -> "Aggregation":
        """The policy's aggregation: "mean", "median", or {"method": "trimmed_mean",
        "trim_min_experts": N}. There is no default."""
        if isinstance(params, str):
            params = {"method": params}
        method = (params or {}).get("method")
        if method not in ("trimmed_mean", "mean", "median"):
            raise ScoringError(f"不支持的汇总方式“{method or '未规定'}”", log=f"unknown aggregation {method!r}")
        trim = int(params.get("trim_min_experts") or 0)
        if method == "trimmed_mean" and trim < 3:
            raise ScoringError("去掉最高分和最低分的汇总方式须规定适用的最少专家人数（至少3名）",
                               log=f"trimmed_mean with trim_min_experts {trim}")
        return cls(method=method, trim_min_experts=trim)

    def describe(self) -> str:
        if self.method == "trimmed_mean":
            return f"{self.trim_min_experts}名及以上专家评分时去掉一个最高分和一个最低分后取平均分"
        if self.method == "median":
            return "取专家评分的中位数"
        return "取专家评分的平均分"

    def apply(self, totals) -> Decimal:
        values = sorted(to_decimal(t) for t in totals)
        if not values:
            raise ScoringError("尚无专家评分，无法汇总", log="no scores to aggregate")
        if self.method == "median":
            n = len(values)
            mid = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
            return mid.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if self.method == "trimmed_mean" and len(values) >= self.trim_min_experts:
            values = values[1:-1]
        return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TieBreak:
    """One priority rule for equal scores (同等条件下优先…): a candidate attribute and a direction.
    `prefer`: "high" (larger first), "low" (smaller first) or "true" (True first)."""

    key: str
    prefer: str = "high"
    label: str = ""
    article: str = ""

    @classmethod
    def list_from_params(cls, items=None) -> list["TieBreak"]:
        rules = []
        for item in items or []:
            if isinstance(item, str):
                item = {"key": item}
            prefer = item.get("prefer", "high")
            if prefer not in ("high", "low", "true"):
                raise ScoringError(f"同分排序规则“{item.get('key')}”的方向“{prefer}”无效",
                                   log=f"bad tie-break direction {prefer!r}")
            rules.append(cls(item["key"], prefer, item.get("label", item["key"]), item.get("article", "")))
        return rules

    def sort_value(self, attrs: dict):
        value = attrs.get(self.key)
        if value is None:
            return (1, 0)  # unknown sorts last, whatever the direction
        if self.prefer == "true":
            return (0, 0 if value else 1)
        if self.prefer == "high":
            return (0, -to_decimal(value))
        return (0, to_decimal(value))


@dataclass
class Ranked:
    key: str
    score: Decimal
    rank: int                       # 1-based; equal scores AND equal tie-break values share a rank
    category: str = ""
    attrs: dict = field(default_factory=dict)
    decided_by: str = ""            # the tie-break rule that separated it from the one above, if any


def rank(entries, tie_breaks=()) -> list[Ranked]:
    """entries: iterable of (key, score, attrs) or (key, score, attrs, category).
    Sort by score (high first), then each tie-break rule in turn. Candidates equal on everything
    share a rank (1, 2, 2, 4) and keep a stable order by key; no hidden coin toss."""
    rows = []
    for e in entries:
        key, score, attrs = e[0], to_decimal(e[1]), dict(e[2] or {})
        rows.append((key, score, attrs, e[3] if len(e) > 3 else ""))

    def sort_key(row):
        return (-row[1], *[t.sort_value(row[2]) for t in tie_breaks], row[0])

    def equal_key(row):
        return (row[1], *[t.sort_value(row[2]) for t in tie_breaks])

    rows.sort(key=sort_key)
    out: list[Ranked] = []
    for i, row in enumerate(rows):
        decided = ""
        if i and out[-1].score == row[1]:
            prev = rows[i - 1]
            if equal_key(prev) == equal_key(row):
                out.append(Ranked(row[0], row[1], out[-1].rank, row[3], row[2]))
                continue
            for t in tie_breaks:
                if t.sort_value(prev[2]) != t.sort_value(row[2]):
                    decided = t.label + (f"（{t.article}）" if t.article else "")
                    break
            out[-1].decided_by = out[-1].decided_by or decided
        out.append(Ranked(row[0], row[1], i + 1, row[3], row[2]))
    return out
