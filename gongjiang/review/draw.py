"""The random draw of an expert panel (仲恺 第五条（二）3: 从区人才工作专家库中随机抽取专家).

Pure Python, no database: the input is a snapshot of the pool and of the candidates (plain
dataclasses, serialisable to JSON), and a seed. The output is the panel, each candidate's assessors
and every exclusion with its reason. The draw is reproducible by anyone holding the snapshot and
the seed, without this code: each eligible expert's place in the draw order is
``sha256("<seed>:<expert key>")`` in hexadecimal, smallest first.

Avoidance (回避) is per candidate: an expert who conflicts with one candidate still sits on the
panel and scores the others; for that candidate the next expert in the draw order who has no
conflict replaces them. So a declared conflict changes only that candidate's assessors, and a
re-run with the declared conflicts added to the snapshot gives the same result.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from enum import Enum

from gongjiang.core.errors import DomainError


class Avoidance(str, Enum):
    """Typed conflict-of-interest reasons (HotCRP style: first-class data, not free text)."""

    SELF = "self"
    SAME_EMPLOYER = "same_employer"
    SAME_UNIT = "same_unit"
    RELATION = "relation"
    DECLARED = "declared"
    OCCUPATION = "occupation"
    INACTIVE = "inactive"

    @property
    def label(self):
        return AVOIDANCE_LABELS[self]


AVOIDANCE_LABELS = {
    Avoidance.SELF: "专家本人即为申报人",
    Avoidance.SAME_EMPLOYER: "与申报人同一工作单位",
    Avoidance.SAME_UNIT: "与申报人同一推荐单位",
    Avoidance.RELATION: "与申报人存在申报的亲属、师徒等关系",
    Avoidance.DECLARED: "专家本人声明回避",
    Avoidance.OCCUPATION: "专业领域与本组职业（工种）不符",
    Avoidance.INACTIVE: "专家已停用",
}


@dataclass(frozen=True)
class PoolExpert:
    key: str                                  # stable identifier, e.g. "expert:12"
    name: str = ""
    occupations: tuple[str, ...] = ()         # occupations / fields of expertise
    affiliations: tuple[str, ...] = ()        # organisation keys: employer first, then other units
    person: str = ""                          # registry person key, if the expert is a registry person
    relations: tuple[str, ...] = ()           # person keys of declared relatives, mentors, apprentices
    active: bool = True


@dataclass(frozen=True)
class DrawCandidate:
    key: str                                  # e.g. "application:7"
    person: str = ""
    employer: str = ""
    recommending_unit: str = ""
    occupation: str = ""


@dataclass(frozen=True)
class DeclaredConflict:
    expert: str
    candidate: str
    reason: str = ""


@dataclass(frozen=True)
class Exclusion:
    expert: str
    reason: Avoidance
    candidate: str = ""                       # empty: excluded from the whole panel
    detail: str = ""

    @property
    def text(self):
        return self.detail or self.reason.label


@dataclass
class DrawResult:
    seed: str
    order: list[str]                          # eligible experts in draw order
    members: list[str]                        # the panel proper (first `size` of the order)
    assessors: dict[str, list[str]]           # candidate key -> expert keys who score them
    exclusions: list[Exclusion] = field(default_factory=list)

    @property
    def reserves(self) -> list[str]:
        """Experts outside the panel proper drawn as replacements for some candidate."""
        used = {e for experts in self.assessors.values() for e in experts}
        return [e for e in self.order if e in used and e not in self.members]

    def as_dict(self):
        return {
            "seed": self.seed, "order": self.order, "members": self.members,
            "assessors": self.assessors,
            "exclusions": [{**asdict(x), "reason": x.reason.value} for x in self.exclusions],
        }


class DrawError(DomainError):
    pass


def new_seed() -> str:
    return secrets.token_hex(8)


def draw_rank(seed: str, expert_key: str) -> str:
    return hashlib.sha256(f"{seed}:{expert_key}".encode("utf-8")).hexdigest()


def conflicts(expert: PoolExpert, candidate: DrawCandidate, declared=frozenset()) -> list[Avoidance]:
    """Every avoidance rule the pair breaks, in a fixed order."""
    found = []
    if expert.person and expert.person == candidate.person:
        found.append(Avoidance.SELF)
    if candidate.employer and candidate.employer in expert.affiliations:
        found.append(Avoidance.SAME_EMPLOYER)
    if candidate.recommending_unit and candidate.recommending_unit in expert.affiliations \
            and candidate.recommending_unit != candidate.employer:
        found.append(Avoidance.SAME_UNIT)
    if candidate.person and candidate.person in expert.relations:
        found.append(Avoidance.RELATION)
    if (expert.key, candidate.key) in declared:
        found.append(Avoidance.DECLARED)
    return found


def draw_panel(*, pool, candidates, seed: str, size: int, min_size: int = 1,
               occupations=(), declared=(), strict: bool = True) -> DrawResult:
    """Draw `size` experts from `pool` for `candidates`.

    occupations: the panel's occupation group; an expert qualifies if they cover at least one.
    Empty means any occupation. declared: DeclaredConflict records.
    Raises DrawError (in Chinese) if the pool cannot give every candidate `min_size` assessors;
    with strict=False it returns the result all the same (a panel already formed that a declared
    conflict left short: the officer then adds a member, see experts.add_panel_member).
    """
    if size < 1 or min_size < 1:
        raise DrawError("专家组人数须至少为1人", log="panel size must be positive")
    if size < min_size:
        raise DrawError(f"专家组人数（{size}人）少于政策规定的最少人数（{min_size}人）",
                        log=f"panel size {size} below minimum {min_size}")
    keys = [e.key for e in pool]
    if len(set(keys)) != len(keys):
        raise DrawError("专家库快照中存在重复的专家", log="duplicate expert keys in pool snapshot")
    wanted = set(occupations)
    exclusions: list[Exclusion] = []
    eligible = []
    for expert in sorted(pool, key=lambda e: e.key):
        if not expert.active:
            exclusions.append(Exclusion(expert.key, Avoidance.INACTIVE))
        elif wanted and not wanted.intersection(expert.occupations):
            exclusions.append(Exclusion(expert.key, Avoidance.OCCUPATION))
        else:
            eligible.append(expert)
    eligible.sort(key=lambda e: (draw_rank(seed, e.key), e.key))
    order = [e.key for e in eligible]
    members = order[:size]
    declared_pairs = {(d.expert, d.candidate) for d in declared}
    assessors: dict[str, list[str]] = {}
    short = []
    for candidate in sorted(candidates, key=lambda c: c.key):
        chosen = []
        for expert in eligible:
            if len(chosen) == size:
                break
            found = conflicts(expert, candidate, declared_pairs)
            if found:
                # Record the exclusion only where it mattered: the expert would otherwise have scored.
                exclusions.extend(Exclusion(expert.key, reason, candidate.key) for reason in found)
                continue
            chosen.append(expert.key)
        assessors[candidate.key] = chosen
        if len(chosen) < min_size:
            short.append((candidate.key, len(chosen)))
    if strict and len(order) < min_size:
        raise DrawError(f"符合条件的专家仅{len(order)}人，不足政策规定的{min_size}人，请先充实专家库",
                        log=f"only {len(order)} eligible experts, need {min_size}")
    if strict and short:
        names = "、".join(f"{key}（{n}人）" for key, n in short)
        raise DrawError(f"回避后以下申报人的评审专家不足{min_size}人：{names}",
                        log=f"candidates short of assessors after avoidance: {short}")
    return DrawResult(seed=seed, order=order, members=members, assessors=assessors, exclusions=exclusions)


def snapshot_json(*, pool, candidates, declared=()) -> dict:
    """A JSON-safe snapshot of the draw's inputs, to store with the panel."""
    return {
        "pool": [asdict(e) for e in pool],
        "candidates": [asdict(c) for c in candidates],
        "declared": [asdict(d) for d in declared],
    }


def from_snapshot(data: dict):
    """Inverse of snapshot_json: (pool, candidates, declared)."""
    def tupled(d):
        return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}

    return ([PoolExpert(**tupled(e)) for e in data.get("pool", [])],
            [DrawCandidate(**c) for c in data.get("candidates", [])],
            [DeclaredConflict(**d) for d in data.get("declared", [])])
