"""The policy engine: a policy's clauses evaluated over N people at once, with explanations.

    result = evaluate(policy, facts, on=date(2025, 1, 1))     # BatchResult, arrays of length N
    result.overall            # int8: 0 fail, 1 needs_review, 2 pass (facts.FAIL/NEEDS_REVIEW/PASS)
    result.status["7.age"]    # per clause
    explain(result, i)        # Explanation of person i: every clause with article, sentence, facts

Statuses follow Kleene's three-valued logic ordered fail < needs_review < pass, so all_of is the
minimum, any_of the maximum and none_of 2 - maximum. A clause with `on_fail: needs_review`
(原则上、一般、暂缓) keeps its own `fail` but hands `needs_review` to its parent. Missing facts give
`needs_review`, never a silent pass or fail (see facts.py on completeness).

Each clause kind is one function `kind(clause, ctx) -> Outcome` over the whole batch; no Python
loop runs over people. Single-person evaluation is a batch of one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import dates
from .facts import (FAIL, NEEDS_REVIEW, PASS, SECTORS, STATUS_NAMES, STUDIO_KINDS, CERT_KINDS, Facts)
from .schema import Honour, PolicyFile, walk

I8 = np.int8


@dataclass
class Outcome:
    status: np.ndarray  # int8[N]
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # table -> bool mask of evidence rows
    person: tuple[str, ...] = ()  # person-level facts used
    hint: np.ndarray | None = None  # int8[N] reason code for needs_review (see HINTS)


HINTS = {0: "", 1: "相关信息未申报或不完整", 2: "部分记录关键信息缺失", 3: "待审核人认定",
         4: "性别或岗位类别不明，无法确定法定退休年龄"}


class Context:
    """What every clause function needs: the facts, the date, the jurisdiction, definitions."""

    def __init__(self, policy: PolicyFile, facts: Facts, on: dt.date, honour: Honour):
        self.policy, self.facts, self.on, self.honour = policy, facts, on, honour
        self.n = facts.n
        self.ord = on.toordinal()
        self.month = on.year * 12 + on.month - 1
        self.inside_place = facts.within(policy.jurisdiction)
        self.definitions = dict(policy.definitions.inclusive) if policy.definitions else {}
        self._cache: dict = {}

    def inside(self, place: np.ndarray) -> np.ndarray:
        """Places inside the jurisdiction (unknown place -1 -> False)."""
        if len(self.inside_place) == 0:
            return np.zeros(len(place), dtype=bool)
        return (place >= 0) & self.inside_place[np.maximum(place, 0)]

    def ok(self, table: str) -> np.ndarray:
        """Rows not rejected by verification."""
        key = ("ok", table)
        if key not in self._cache:
            self._cache[key] = self.facts.tables[table].verification != 2
        return self._cache[key]

    def known(self, table: str) -> np.ndarray:
        return self.facts.person[f"known_{table}"] == 1

    def window_start(self, years: int | None) -> int:
        return dates.years_before(self.on, years).toordinal() if years else 0

    def current_spells(self) -> tuple[np.ndarray, np.ndarray]:
        """(sure, maybe) masks of employment spells running on the reference date."""
        if "current" not in self._cache:
            e = self.facts.employment
            ok = self.ok("employment")
            started = (e.start > 0) & (e.start <= self.ord)
            running = (e.end == 0) | (e.end >= self.ord)
            self._cache["current"] = (ok & started & running, ok & (e.start == 0) & running)
        return self._cache["current"]


# --- helpers turning row masks into person statuses ---------------------------------------------
def _count(ctx, table, rows):
    return np.bincount(ctx.facts.tables[table].person[rows], minlength=ctx.n)


def exists(ctx, table, hit, maybe=None) -> Outcome:
    """pass if a qualifying row exists; fail if none and the list is complete; else needs_review."""
    hit = hit & ctx.ok(table)
    maybe = (maybe & ctx.ok(table) & ~hit) if maybe is not None else None
    return at_least(ctx, table, hit, maybe, 1)


def at_least(ctx, table, hit, maybe, k) -> Outcome:
    sure = _count(ctx, table, hit)
    possible = sure + (_count(ctx, table, maybe) if maybe is not None else 0)
    known = ctx.known(table)
    status = np.where(sure >= k, PASS, np.where((possible >= k) | ~known, NEEDS_REVIEW, FAIL)).astype(I8)
    hint = np.where(status == NEEDS_REVIEW, np.where(known, 2, 1), 0).astype(I8)
    rows = hit | maybe if maybe is not None else hit
    return Outcome(status, {table: rows}, hint=hint)


def within(ctx, column, years):
    """(sure, maybe) masks: a date column inside the last `years` years up to the reference date."""
    if not years:
        return np.ones(len(column), dtype=bool), np.zeros(len(column), dtype=bool)
    start = ctx.window_start(years)
    return (column >= start) & (column <= ctx.ord), column == 0


# --- clause kinds -------------------------------------------------------------------------------
def k_age(c, ctx) -> Outcome:
    birth = ctx.facts.person.birth
    ok = np.ones(ctx.n, dtype=bool)
    if c.min is not None:
        years = c.min.value + (0 if dates.inclusive(c.min.word, c.min.inclusive, ctx.definitions) else 1)
        ok &= birth <= dates.latest_birth_for_age(ctx.on, years)
    if c.max is not None:
        years = c.max.value + (1 if dates.inclusive(c.max.word, c.max.inclusive, ctx.definitions) else 0)
        ok &= birth > dates.latest_birth_for_age(ctx.on, years)
    unknown = birth == 0
    status = np.where(unknown, NEEDS_REVIEW, np.where(ok, PASS, FAIL)).astype(I8)
    return Outcome(status, person=("birth",), hint=np.where(unknown, 1, 0).astype(I8))


def k_working_age(c, ctx) -> Outcome:
    p = ctx.facts.person
    birth, gender, post = p.birth, p.gender, p.post_category
    known = birth > 0
    adult = birth <= dates.latest_birth_for_age(ctx.on, c.min_age)
    before = {s: birth > dates.latest_birth_retired(ctx.on, s) for s in dates.RETIREMENT_SCHEMES}
    male, fc, fw = before["male"], before["female_cadre"], before["female_worker"]
    female_known = np.where(post == 2, fc, fw)
    female_agree = fc == fw
    working = np.where(gender == 1, male, np.where(gender == 2, female_known, male))
    decided = known & (
        (gender == 1) | ((gender == 2) & ((post > 0) | female_agree)) | ((gender == 0) & (male == fc) & (fc == fw))
    )
    decided |= known & ~adult  # too young whatever the retirement age
    status = np.where(~decided, NEEDS_REVIEW, np.where(adult & working, PASS, FAIL)).astype(I8)
    hint = np.where(status == NEEDS_REVIEW, np.where(known, 4, 1), 0).astype(I8)
    return Outcome(status, person=("birth", "gender", "post_category"), hint=hint)


def k_qualification(c, ctx) -> Outcome:
    t = ctx.facts.certificates
    if c.exact_level is not None:
        level_ok, level_maybe = t.level == c.exact_level, t.level < 0
    else:
        level_ok, level_maybe = t.level >= c.min_level, t.level < 0
    kind_ok = np.isin(t.kind, [CERT_KINDS[k] for k in c.kinds]) if c.kinds else np.ones(len(t), bool)
    kind_maybe = (t.kind == 0) if c.kinds else np.zeros(len(t), bool)
    hit = level_ok & kind_ok
    maybe = (level_ok | level_maybe) & (kind_ok | kind_maybe) & ~hit
    if c.issued_from is not None:
        start = c.issued_from.toordinal()
        maybe = (maybe | hit) & (t.issued == 0) | maybe & (t.issued >= start)
        hit = hit & (t.issued >= start) & (t.issued <= ctx.ord)
    if c.same_occupation:
        e = ctx.facts.employment
        sure, _ = ctx.current_spells()
        occ = np.full(ctx.n, -1, dtype=np.int32)
        occ[e.person[sure]] = e.occupation[sure]
        mine = occ[t.person]
        maybe = maybe | hit & ((mine < 0) | (t.occupation < 0))
        hit = hit & (mine >= 0) & (t.occupation == mine)
    out = exists(ctx, "certificates", hit, maybe)
    if c.same_occupation:
        out.rows["employment"] = ctx.current_spells()[0]
    return out


def k_insured_employment(c, ctx) -> Outcome:
    t = ctx.facts.insurance
    rows = ctx.ok("insurance") & ctx.inside(t.place) & (t.month < ctx.month)
    if c.sectors:
        sectors = [SECTORS[s] for s in c.sectors]
        rows &= (t.org >= 0) & np.isin(ctx.facts.orgs.sector[np.maximum(t.org, 0)], sectors)
    if c.continuous:
        first = ctx.month - c.months
        rows &= t.month >= first
    person, month = t.person[rows], t.month[rows]
    if c.continuous:
        present = np.zeros(ctx.n * c.months, dtype=bool)
        present[person.astype(np.int64) * c.months + (month - (ctx.month - c.months))] = True
        full = present.reshape(ctx.n, c.months).all(axis=1)
    else:
        key = np.unique(person.astype(np.int64) * 1_000_000 + month)
        full = np.bincount((key // 1_000_000).astype(np.int64), minlength=ctx.n) >= c.months
    known = ctx.known("insurance")
    status = np.where(full, PASS, np.where(known, FAIL, NEEDS_REVIEW)).astype(I8)
    return Outcome(status, {"insurance": rows}, hint=np.where(status == NEEDS_REVIEW, 1, 0).astype(I8))


def k_current_post(c, ctx) -> Outcome:
    e = ctx.facts.employment
    sure, maybe = ctx.current_spells()
    hit, possible = sure.copy(), sure | maybe
    if c.frontline:
        hit &= e.frontline == 1
        possible &= e.frontline != 0
    if c.in_jurisdiction:
        inside = ctx.inside(e.place)
        hit &= inside
        possible &= inside | (e.place < 0)
    out = exists(ctx, "employment", hit, possible & ~hit)
    if c.or_residence:
        p = ctx.facts.person
        home = ctx.inside(p.residence)
        out.status = np.where(home, PASS, np.where((p.residence < 0) & (out.status == FAIL), NEEDS_REVIEW, out.status)).astype(I8)
        out.person = ("residence",)
    return out


def k_employer_sector(c, ctx) -> Outcome:
    e = ctx.facts.employment
    sure, maybe = ctx.current_spells()
    sector = np.where(e.org >= 0, ctx.facts.orgs.sector[np.maximum(e.org, 0)], SECTORS["individual"]) if len(e) else e.org
    unknown = sector == 0
    if c.allowed:
        good = np.isin(sector, [SECTORS[s] for s in c.allowed])
        return exists(ctx, "employment", sure & good, (sure | maybe) & (good | unknown) & ~(sure & good))
    bad = np.isin(sector, [SECTORS[s] for s in c.excluded])
    out = exists(ctx, "employment", sure & bad, (sure | maybe) & (bad | unknown) & ~(sure & bad))
    out.status = (PASS - out.status).astype(I8)
    out.rows = {"employment": sure | maybe}
    return out


def k_competition(c, ctx) -> Outcome:
    t = ctx.facts.competitions
    hit = np.zeros(len(t), bool)
    maybe = np.zeros(len(t), bool)
    for p in c.placements:
        level = t.level == p.level
        klass_ok = np.ones(len(t), bool) if p.klass is None else t.klass == p.klass
        klass_maybe = np.zeros(len(t), bool) if p.klass is None else t.klass == 0
        rank_ok = np.ones(len(t), bool) if p.rank_max is None else (t.rank >= 1) & (t.rank <= p.rank_max)
        rank_maybe = np.zeros(len(t), bool) if p.rank_max is None else t.rank == 0
        hit |= level & klass_ok & rank_ok
        maybe |= level & (klass_ok | klass_maybe) & (rank_ok | rank_maybe)
    in_window, date_unknown = within(ctx, t.date, c.within_years)
    maybe = (maybe & (in_window | date_unknown)) & ~(hit & in_window)
    return exists(ctx, "competitions", hit & in_window, maybe)


def k_title(c, ctx) -> Outcome:
    t = ctx.facts.titles
    hit = np.isin(t.title, ctx.facts.codes("title", c.titles))
    in_window, unknown = within(ctx, t.start, c.within_years)
    maybe = hit & unknown & ~in_window
    hit &= in_window
    if c.held_on_date:
        held = (t.start > 0) & (t.start <= ctx.ord) & ((t.end == 0) | (t.end >= ctx.ord))
        maybe |= hit & (t.start == 0)
        hit &= held
    return exists(ctx, "titles", hit, maybe)


def k_achievement(c, ctx) -> Outcome:
    t = ctx.facts.achievements
    hit = np.isin(t.kind, ctx.facts.codes("achievement", c.kinds))
    maybe = np.zeros(len(t), bool)
    if c.min_level is not None:
        maybe |= hit & (t.level < 0)
        hit &= t.level >= c.min_level
    if c.max_grade is not None:
        hit &= (t.grade >= 1) & (t.grade <= c.max_grade)
    in_window, unknown = within(ctx, t.date, c.within_years)
    maybe = (maybe | hit & unknown) & ~(hit & in_window)
    return exists(ctx, "achievements", hit & in_window, maybe)


def k_apprentices(c, ctx) -> Outcome:
    t = ctx.facts.apprentices
    ok = ctx.ok("apprentices")
    hit, maybe = ok.copy(), ok.copy()
    if c.min_level is not None:
        hit &= t.level >= c.min_level
        maybe &= (t.level >= c.min_level) | (t.level < 0)
    if c.outcomes:
        good = np.zeros(len(t), bool)
        unsure = np.zeros(len(t), bool)
        for name in c.outcomes:
            good |= t[name] == 1
            unsure |= t[name] < 0
        hit &= good
        maybe &= good | unsure
    if c.agreement:
        hit &= t.agreement == 1
        maybe &= t.agreement != 0
    if not c.per_year:
        return at_least(ctx, "apprentices", hit, maybe & ~hit, c.min_count)
    statuses, used = [], np.zeros(len(t), bool)
    for k in range(c.per_year):
        lo = dates.years_before(ctx.on, k + 1).toordinal()
        hi = dates.years_before(ctx.on, k).toordinal()
        year = (t.level_date >= lo) & (t.level_date < hi)
        yh, ym = hit & year, maybe & (year | (t.level_date == 0)) & ~(hit & year)
        statuses.append(at_least(ctx, "apprentices", yh, ym, c.min_count).status)
        used |= yh | ym
    out = at_least(ctx, "apprentices", hit, maybe, c.min_count)
    return Outcome(np.minimum.reduce(statuses).astype(I8), {"apprentices": used}, hint=out.hint)


def k_studio(c, ctx) -> Outcome:
    t = ctx.facts.studios
    hit = (t.level >= c.min_level) & (t.role == 1)
    if c.kinds:
        hit &= np.isin(t.kind, [STUDIO_KINDS[k] for k in c.kinds])
    running = (t.end == 0) | (t.end >= ctx.ord)
    return exists(ctx, "studios", hit & running)


def k_programme(c, ctx) -> Outcome:
    t = ctx.facts.programmes
    hit = np.zeros(len(t), bool)
    maybe = np.zeros(len(t), bool)
    for ref in c.programmes:
        same = t.programme == ctx.facts.code("programme", ref.name)
        if ref.max_grade:
            top = ord(ref.max_grade.upper()) - ord("A") + 1
            hit |= same & (t.grade >= 1) & (t.grade <= top)
            maybe |= same & (t.grade == 0)
        else:
            hit |= same
    if c.min_level is not None:
        hit |= t.level >= c.min_level
    current = (t.end == 0) | (t.end >= ctx.ord)
    return exists(ctx, "programmes", hit & current, maybe & current & ~hit)


def k_record(c, ctx) -> Outcome:
    t = ctx.facts.records
    hit = np.isin(t.kind, ctx.facts.codes("record", c.kinds))
    in_window, unknown = within(ctx, t.start, c.within_years)
    maybe = hit & unknown & ~in_window
    hit &= in_window & (t.start <= ctx.ord)
    if c.open_only:
        still = (t.end == 0) | (t.end > ctx.ord)
        hit &= still
        maybe &= still
    return exists(ctx, "records", hit, maybe)


def k_employer_record(c, ctx) -> Outcome:
    f = ctx.facts
    r = f.org_records
    ok = r.verification != 2
    hit = ok & np.isin(r.kind, f.codes("org_record", c.kinds)) & (r.start <= ctx.ord)
    in_window, unknown = within(ctx, r.start, c.within_years)
    hit &= in_window | unknown
    if c.open_only:
        hit &= (r.end == 0) | (r.end > ctx.ord)
    bad_org = np.zeros(len(f.orgs), bool)
    bad_org[r.org[hit]] = True
    e = f.employment
    sure, maybe = ctx.current_spells()
    spells = sure | maybe
    org = np.maximum(e.org, 0)
    has_org = e.org >= 0
    bad_spell = spells & has_org & bad_org[org] if len(e) else spells
    unsure_spell = spells & has_org & ~bad_org[org] & (f.orgs.known_records[org] != 1) if len(e) else spells
    out = exists(ctx, "employment", bad_spell, unsure_spell)
    out.rows = {"employment": spells & has_org, "org_records": hit}
    return out


def k_incumbency(c, ctx) -> Outcome:
    f = ctx.facts
    t = f.titles
    mine = ctx.ok("titles") & (t.title == f.code("title", c.title))
    if c.term_years:
        ends = np.where(t.end > 0, t.end, np.where(t.start > 0, dates.add_months(np.maximum(t.start, 1), 12 * c.term_years), 0))
    else:
        ends = t.end
    end_unknown = (ends == 0) | (t.start == 0)
    in_term = mine & ~end_unknown & (t.start <= ctx.ord) & (ends > ctx.ord)
    unsure = mine & end_unknown
    holder = _count(ctx, "titles", in_term) > 0
    unsure_holder = _count(ctx, "titles", unsure) > 0
    former = (_count(ctx, "titles", mine) > 0) & ~holder
    rows = {"titles": mine}
    status = np.where(holder, FAIL, np.where(unsure_holder, NEEDS_REVIEW, PASS)).astype(I8)
    if c.new_achievement_years:
        start = ctx.window_start(c.new_achievement_years)
        fresh = np.zeros(ctx.n, dtype=bool)
        complete = np.ones(ctx.n, dtype=bool)
        for table, col in (("competitions", "date"), ("achievements", "date"), ("titles", "start")):
            tt = f.tables[table]
            new = ctx.ok(table) & (tt[col] >= start) & (tt[col] <= ctx.ord)
            if table == "titles":
                new &= ~mine
            rows[table] = rows.get(table, np.zeros(len(tt), bool)) | new
            fresh |= _count(ctx, table, new) > 0
            complete &= ctx.known(table)
        stale = former & ~fresh
        status = np.where(stale & (status == PASS), np.where(complete, FAIL, NEEDS_REVIEW), status).astype(I8)
    known = ctx.known("titles")
    status = np.where((status == PASS) & ~known & ~former, NEEDS_REVIEW, status).astype(I8)
    return Outcome(status, rows, hint=np.where(status == NEEDS_REVIEW, 1, 0).astype(I8))


def k_manual(c, ctx) -> Outcome:
    f = ctx.facts
    t = f.attestations
    key = f.code("clause", f"{ctx.policy.code}:{c.id}")
    rows = ctx.ok("attestations") & (t.clause == key) if key >= 0 else np.zeros(len(t), bool)
    idx = np.nonzero(rows)[0]
    idx = idx[np.argsort(t.date[idx], kind="stable")]
    status = np.full(ctx.n, NEEDS_REVIEW, dtype=I8)
    status[t.person[idx]] = t.result[idx]
    used = {"attestations": rows}
    for table in c.evidence:
        used[table] = ctx.ok(table).copy()
    return Outcome(status, used, hint=np.where(status == NEEDS_REVIEW, 3, 0).astype(I8))


KINDS = {name.removeprefix("k_"): fn for name, fn in globals().items() if name.startswith("k_")}


# --- evaluation of a tree -----------------------------------------------------------------------
@dataclass
class BatchResult:
    policy: PolicyFile
    honour: Honour
    facts: Facts
    on: dt.date
    ctx: Context
    status: dict[str, np.ndarray]  # clause id -> int8[N] (its own status)
    outcomes: dict[str, Outcome]
    overall: np.ndarray  # int8[N]
    automatic: np.ndarray  # int8[N]: the same with every manual clause taken as passed
    priority: np.ndarray  # int8[N, k]: status of each priority rule (2 = has the priority)
    clauses: dict[str, object]
    tree: str = "eligibility"

    @property
    def in_force(self) -> bool:
        return self.policy.in_force(self.on)

    def tie_break_key(self, i: int) -> tuple[int, ...]:
        """Larger sorts first: the priority rules (同等条件下优先…) in the order of the policy."""
        return tuple(int(x) for x in self.priority[i])

    def counts(self) -> dict[str, int]:
        return {STATUS_NAMES[s]: int((self.overall == s).sum()) for s in (PASS, NEEDS_REVIEW, FAIL)}


def _effective(clause, status):
    if clause.on_fail == "needs_review":
        return np.where(status == FAIL, NEEDS_REVIEW, status).astype(I8)
    return status


def _eval_tree(clause, ctx, status, outcomes, manual_as_pass=False):
    if clause.kind in ("all_of", "any_of", "none_of"):
        kids = [_eval_tree(ch, ctx, status, outcomes, manual_as_pass) for ch in clause.clauses]
        stack = np.vstack(kids)
        if clause.kind == "all_of":
            own = stack.min(axis=0)
        elif clause.kind == "any_of":
            own = stack.max(axis=0)
        else:
            own = PASS - stack.max(axis=0)
        own = own.astype(I8)
        if not manual_as_pass:
            status[clause.id] = own
            outcomes[clause.id] = Outcome(own)
        return _effective(clause, own)
    if manual_as_pass:
        own = np.full(ctx.n, PASS, I8) if clause.kind == "manual" else status[clause.id]
        return _effective(clause, own)
    out = KINDS[clause.kind](clause, ctx)
    status[clause.id] = out.status
    outcomes[clause.id] = out
    return _effective(clause, out.status)


def evaluate(policy: PolicyFile, facts: Facts, *, on: dt.date, honour: str | None = None,
             tree: str = "eligibility") -> BatchResult:
    """Evaluate a policy's honour (default: its first) for every person of `facts` on `on`.
    `tree` is "eligibility" or "renewal" (the renewal criteria, e.g. 环翠 第八条)."""
    h = policy.honour(honour)
    root = h.eligibility if tree == "eligibility" else h.renewal.criteria if h.renewal else None
    if root is None:
        raise ValueError(f"{policy.code}/{h.code} has no {tree} criteria")
    ctx = Context(policy, facts, on, h)
    status: dict[str, np.ndarray] = {}
    outcomes: dict[str, Outcome] = {}
    overall = _eval_tree(root, ctx, status, outcomes)
    automatic = _eval_tree(root, ctx, status, outcomes, manual_as_pass=True)
    prio = [_eval_tree(rule.clause, ctx, status, outcomes) for rule in h.priority] if tree == "eligibility" else []
    priority = np.vstack(prio).T.astype(I8) if prio else np.zeros((facts.n, 0), I8)
    clauses = {c.id: c for c in walk(root)}
    if tree == "eligibility":
        for rule in h.priority:
            clauses.update({c.id: c for c in walk(rule.clause)})
    return BatchResult(policy, h, facts, on, ctx, status, outcomes, overall.astype(I8), automatic.astype(I8),
                       priority, clauses, tree)
