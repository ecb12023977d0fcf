"""The policy engine: a policy's clauses evaluated over N people at once, with explanations.

    result = evaluate(policy, facts, on=date(2025, 1, 1))     # BatchResult, arrays of length N
    result.overall            # int8: 0 fail, 1 needs_review, 2 pass (facts.FAIL/NEEDS_REVIEW/PASS)
    result.status["7.age"]    # per clause
    result.culprit_masks(ids) # (fail, review) int64[N]: bit b set when clause ids[b] makes the
                              # automatic result fail / need review (what screening stores)
    explain(result, i)        # Explanation of person i: every clause with article, sentence, facts

Statuses follow Kleene's three-valued logic ordered fail < needs_review < pass, so all_of is the
minimum, any_of the maximum and none_of 2 - maximum. A clause with `on_fail: needs_review`
(原则上、一般、暂缓: soft wording) shows `needs_review` instead of `fail`, on itself (with the hint
that the wording is soft) and so to its parent. Missing facts give
`needs_review`, never a silent pass or fail (see facts.py on completeness).

Each clause kind is one function `kind(clause, ctx) -> Outcome` over the whole batch; no Python
loop runs over people. Single-person evaluation is a batch of one.

Performance (bench/screening.py, "in memory, facts already loaded"). What is computed once when
the facts are loaded (`Facts.check()` -> `Facts.prepare()`, independent of any policy or date):
the per-table "nothing found" statuses (FAIL where a table is complete, NEEDS_REVIEW where not),
whether a table has rejected rows, the insurance months compressed into runs, the employment
spells sorted by person and start, and the person attribute rows grouped by attribute.
Everything that depends on the policy or the reference date is computed here, inside
`evaluate`: row masks over the (small) event tables, one int8 status array per clause, built by
raising the table's base status for the people with a qualifying row, int8 Kleene logic with
in-place minimum/maximum, every leaf evaluated once (the `automatic` view, manual clauses taken
as passed, recombines only the groups above a manual clause). Where numpy would need many passes
over N-long arrays, a compiled loop does the work in one (kernels.py, numba: tenure over the
sorted spells, working age, person attributes and employer codes, the scatter of rows onto
people, and by blocks of people the group clauses of the trees and the culprit masks). numpy's whole-array operations and the kernels release the GIL, so the clauses of a
large batch (PARALLEL_FROM people) are evaluated by a pool of LEAF_THREADS threads and the culprit
masks are split between them. The evidence rows of a clause and the needs-review hints are only
needed to explain a person: hints are computed on first access, evidence rows by evaluating the
clause again on first access (keeping every clause's row masks alive would hold hundreds of MiB
over a million people).
"""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import dates, kernels
from .facts import (FAIL, NEEDS_REVIEW, PASS, SECTORS, STATUS_NAMES, STUDIO_KINDS, CERT_KINDS, Facts)
from .schema import Honour, PolicyFile, walk

I8, I32 = np.int8, np.int32
_PASS, _TWO = I8(PASS), I8(2)


class Outcome:
    """One clause over the batch. `status` (int8[N]) is computed eagerly; `rows` (table -> bool
    mask of the evidence rows) and `hint` (int8[N] reason code for needs_review, see HINTS) are
    only read by explanations and may be given as zero-argument callables, computed on first use."""

    __slots__ = ("status", "person", "_rows", "_hint")

    def __init__(self, status, rows=None, person: tuple[str, ...] = (), hint=None):
        self.status = status
        self.person = person  # person-level facts used
        self._rows = {} if rows is None else rows
        self._hint = hint

    @property
    def rows(self) -> dict[str, np.ndarray]:
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows

    @rows.setter
    def rows(self, value):
        self._rows = value

    @property
    def hint(self) -> np.ndarray | None:
        if callable(self._hint):
            self._hint = self._hint()
        return self._hint

    @hint.setter
    def hint(self, value):
        self._hint = value


HINTS = {0: "", 1: "相关信息未申报或不完整", 2: "部分记录关键信息缺失", 3: "待审核人认定",
         4: "性别或岗位类别不明，无法确定法定退休年龄", 5: "原文为“一般”“原则上”等弹性表述，未满足时由审核人认定"}
SOFT_HINT = 5


class Context:
    """What every clause function needs: the facts, the date, the jurisdiction, definitions."""

    def __init__(self, policy: PolicyFile, facts: Facts, on: dt.date, honour: Honour):
        self.policy, self.facts, self.on, self.honour = policy, facts.ensure_prepared(), on, honour
        self.n = facts.n
        self.ord = on.toordinal()
        self.month = on.year * 12 + on.month - 1
        self.inside_place = facts.within(policy.jurisdiction)
        self._inside_ext = np.append(self.inside_place, False)  # index -1 (unknown place) -> False
        self.definitions = dict(policy.definitions.inclusive) if policy.definitions else {}
        self._cache: dict = {}

    def inside(self, place: np.ndarray) -> np.ndarray:
        """Places inside the jurisdiction (unknown place -1 -> False)."""
        return self._inside_ext[place]

    def ok(self, table: str) -> np.ndarray:
        """Rows not rejected by verification."""
        key = ("ok", table)
        if key not in self._cache:
            self._cache[key] = self.facts.tables[table].verification != 2
        return self._cache[key]

    def keep(self, table: str, mask: np.ndarray) -> np.ndarray:
        """`mask` without the rejected rows (the same array when the table has none: never
        modify the result in place)."""
        return mask if self.facts.all_ok[table] else mask & self.ok(table)

    def known(self, table: str) -> np.ndarray:
        return self.facts.person[f"known_{table}"] == 1

    def window_start(self, years: int | None) -> int:
        return dates.years_before(self.on, years).toordinal() if years else 0

    def current_spells(self) -> tuple[np.ndarray, np.ndarray]:
        """(sure, maybe) masks of employment spells running on the reference date, not rejected."""
        if "current" not in self._cache:
            e = self.facts.employment
            sure, maybe = np.empty(len(e), bool), np.empty(len(e), bool)
            kernels.current_spells(e.start, e.end, e.verification, self.facts.all_ok["employment"], self.ord, sure,
                                   maybe)
            self._cache["current"] = (sure, maybe)
        return self._cache["current"]

    def current_occupation(self) -> np.ndarray:
        """int32[N]: the occupation of the person's spell surely running on the reference date
        (-1 none or unknown; of several, the last in row order)."""
        if "occupation" not in self._cache:
            e = self.facts.employment
            sure, _ = self.current_spells()
            self._cache["occupation"] = kernels.put_where(np.full(self.n, -1, dtype=I32), self.facts.pidx["employment"],
                                                          sure, e.occupation)
        return self._cache["occupation"]

    def spells(self) -> np.ndarray:
        """bool mask of the employment spells that may be running (sure or maybe)."""
        if "spells" not in self._cache:
            sure, maybe = self.current_spells()
            self._cache["spells"] = sure | maybe
        return self._cache["spells"]

    def within_mask(self, path: str) -> np.ndarray:
        """bool mask over places: inside `path` (cached per path)."""
        key = ("within", path)
        if key not in self._cache:
            self._cache[key] = self.facts.within(path)
        return self._cache[key]

    def filled(self, status: int) -> np.ndarray:
        """int8[N] of one status (shared: never modify it)."""
        key = ("filled", status)
        if key not in self._cache:
            self._cache[key] = np.full(self.n, status, I8)
        return self._cache[key]


# --- helpers turning row masks into person statuses ---------------------------------------------
def _isin(column: np.ndarray, codes) -> np.ndarray:
    codes = list(codes)
    if not codes:
        return np.zeros(len(column), bool)
    if len(codes) > 4:
        return np.isin(column, codes)
    out = column == codes[0]
    for c in codes[1:]:
        out |= column == c
    return out


def _tri(yes: np.ndarray, unsure: np.ndarray) -> np.ndarray:
    """int8 status: NEEDS_REVIEW where `unsure`, else PASS where `yes`, else FAIL."""
    status = (yes & ~unsure).view(I8) * _TWO  # numpy's int8 shifts and scalar maxima are slow loops
    status |= unsure.view(I8)
    return status


def _review_hint(ctx, table, status):
    """Lazy hint of the `exists` family: 2 (incomplete row) when the list is complete, else 1."""
    return lambda: np.where(status == NEEDS_REVIEW, np.where(ctx.known(table), 2, 1), 0).astype(I8)


def _hint_where(status, code, known=None):
    if known is None:
        return lambda: np.where(status == NEEDS_REVIEW, code, 0).astype(I8)
    return lambda: np.where(status == NEEDS_REVIEW, np.where(known(), code, 1), 0).astype(I8)


def _people(ctx, table, rows) -> np.ndarray:
    """intp indices of the people of the rows selected by the bool mask `rows` (with repeats).
    np.compress over the prepared intp column: a boolean index is several times slower."""
    return np.compress(rows, ctx.facts.pidx[table])


def _any(ctx, table, rows) -> np.ndarray:
    """bool[N]: the person has at least one of `rows`."""
    return kernels.put_value(np.zeros(ctx.n, bool), ctx.facts.pidx[table], rows, True)


def _scatter(ctx, table, hit, maybe) -> np.ndarray:
    """The `exists` status: the table's base (FAIL if complete, else NEEDS_REVIEW), NEEDS_REVIEW
    for people with a `maybe` row, PASS for people with a `hit` row."""
    return kernels.raise_status(ctx.facts.base[table].copy(), ctx.facts.pidx[table], hit,
                                hit if maybe is None else maybe, maybe is not None)


def exists(ctx, table, hit, maybe=None) -> Outcome:
    """pass if a qualifying row exists; fail if none and the list is complete; else needs_review."""
    hit = ctx.keep(table, hit)
    maybe = ctx.keep(table, maybe) if maybe is not None else None
    status = _scatter(ctx, table, hit, maybe)
    rows = (lambda: {table: hit | maybe}) if maybe is not None else {table: hit}
    return Outcome(status, rows, hint=_review_hint(ctx, table, status))


def at_least(ctx, table, hit, maybe, k) -> Outcome:
    """pass with k qualifying rows; needs_review when k are possible or the list is incomplete."""
    if k == 1:
        status = _scatter(ctx, table, hit, maybe)
    else:  # one compiled pass over the rows, counting per person up to k
        status = kernels.at_least(ctx.facts.base[table].copy(), ctx.facts.pidx[table], hit,
                                  hit if maybe is None else maybe, maybe is not None, k)
    rows = (lambda: {table: hit | maybe}) if maybe is not None else {table: hit}
    return Outcome(status, rows, hint=_review_hint(ctx, table, status))


def within(ctx, column, years):
    """(sure, maybe) masks: a date column inside the last `years` years up to the reference date."""
    if not years:
        return np.ones(len(column), dtype=bool), np.zeros(len(column), dtype=bool)
    start = ctx.window_start(years)
    return (column >= start) & (column <= ctx.ord), column == 0


# --- clause kinds -------------------------------------------------------------------------------
def k_age(c, ctx) -> Outcome:
    birth = ctx.facts.person.birth
    ok = None
    if c.min is not None:
        years = c.min.value + (0 if dates.inclusive(c.min.word, c.min.inclusive, ctx.definitions) else 1)
        ok = birth <= dates.latest_birth_for_age(ctx.on, years)
    if c.max is not None:
        years = c.max.value + (1 if dates.inclusive(c.max.word, c.max.inclusive, ctx.definitions) else 0)
        young = birth > dates.latest_birth_for_age(ctx.on, years)
        ok = young if ok is None else ok & young
    if ok is None:
        ok = np.ones(ctx.n, dtype=bool)
    unknown = birth == 0
    status = _tri(ok, unknown)
    return Outcome(status, person=("birth",), hint=_hint_where(status, 1))


def k_working_age(c, ctx) -> Outcome:
    p = ctx.facts.person
    status = kernels.working_age(p.birth, p.gender, p.post_category, dates.latest_birth_for_age(ctx.on, c.min_age),
                                 *(dates.latest_birth_retired(ctx.on, s) for s in ("male", "female_cadre", "female_worker")),
                                 np.empty(ctx.n, I8))
    return Outcome(status, person=("birth", "gender", "post_category"),
                   hint=_hint_where(status, 4, lambda: p.birth > 0))


def k_qualification(c, ctx) -> Outcome:
    t = ctx.facts.certificates
    if (c.exact_level is None and not c.kinds and c.issued_from is None and not c.same_occupation
            and c.min_level is not None and c.min_level >= 0):
        return _qualification_by_level(c, ctx)
    if c.exact_level is not None:
        level_ok, level_maybe = t.level == c.exact_level, t.level < 0
    else:
        level_ok, level_maybe = t.level >= c.min_level, t.level < 0
    if c.kinds:
        kind_ok = _isin(t.kind, [CERT_KINDS[k] for k in c.kinds])
        hit = level_ok & kind_ok
        maybe = (level_ok | level_maybe) & (kind_ok | (t.kind == 0)) & ~hit
    else:
        hit = level_ok
        maybe = (level_ok | level_maybe) & ~hit
    if c.issued_from is not None:
        start = c.issued_from.toordinal()
        maybe = (maybe | hit) & (t.issued == 0) | maybe & (t.issued >= start)
        hit = hit & (t.issued >= start) & (t.issued <= ctx.ord)
    if c.same_occupation:
        mine = ctx.current_occupation()[t.person]
        maybe = maybe | hit & ((mine < 0) | (t.occupation < 0))
        hit = hit & (mine >= 0) & (t.occupation == mine)
    out = exists(ctx, "certificates", hit, maybe)
    if c.same_occupation:
        certificate_rows = out._rows
        out.rows = lambda: {**(certificate_rows() if callable(certificate_rows) else certificate_rows),
                            "employment": ctx.current_spells()[0]}
    return out


def _qualification_by_level(c, ctx) -> Outcome:
    """Only a minimum level: the per-person highest level prepared at load decides (a person with
    a certificate of unknown level and none high enough needs review)."""
    f = ctx.facts
    t = f.certificates
    status = np.maximum(f.base["certificates"], f.cert_unknown.view(I8))
    np.maximum(status, (f.cert_max >= c.min_level).view(I8) * _TWO, out=status)

    def rows():
        level_ok = t.level >= c.min_level
        return {"certificates": ctx.keep("certificates", level_ok | (t.level < 0))}

    return Outcome(status, rows, hint=_review_hint(ctx, "certificates", status))


def k_insured_employment(c, ctx) -> Outcome:
    """Over the insurance runs prepared when the facts were loaded (facts.InsuranceRuns): the
    months before the reference month, in the jurisdiction, not rejected (and in the sectors)."""
    f = ctx.facts
    runs = f.runs
    last_month = ctx.month - 1
    org_ok = None
    if c.sectors:
        org_ok = np.append(_isin(f.orgs.sector, [SECTORS[s] for s in c.sectors]), False)  # org -1: no
    first_month = last_month - c.months + 1 if c.continuous else None
    status = kernels.insured_months(f.base["insurance"].copy(), runs.person, runs.org, runs.place, runs.ok, runs.first,
                                    runs.last, ctx._inside_ext, org_ok if org_ok is not None else _NO_ORGS,
                                    org_ok is not None, first_month if c.continuous else 0, last_month, c.months)

    def rows():
        t = f.insurance
        mask = ctx.ok("insurance") & ctx.inside(t.place) & (t.month < ctx.month)
        if org_ok is not None:
            mask &= org_ok[t.org]
        if c.continuous:
            mask &= t.month >= first_month
        return {"insurance": mask}

    return Outcome(status, rows, hint=_hint_where(status, 1))


_NO_ORGS = np.zeros(1, bool)


def k_current_post(c, ctx) -> Outcome:
    f = ctx.facts
    e = f.employment
    sure, maybe = ctx.current_spells()
    codes = f.codes("occupation", c.occupations) if c.occupations else []

    def post(row_status):  # one compiled pass over the spells (kernels.current_post)
        return kernels.current_post(f.base["employment"].copy(), f.pidx["employment"], sure, maybe, e.frontline,
                                    bool(c.frontline), f.emp_place, ctx._inside_ext, bool(c.in_jurisdiction),
                                    e.occupation, np.array(codes, dtype=e.occupation.dtype), bool(c.occupations),
                                    row_status)

    status = post(_NO_ROWS)

    def rows():
        row_status = np.zeros(len(e), I8)
        post(row_status)
        return {"employment": row_status > 0}

    out = Outcome(status, rows, hint=_review_hint(ctx, "employment", status))
    if c.or_residence:
        p = f.person
        home = ctx.inside(p.residence)
        status = out.status.copy()
        status[(p.residence < 0) & (status == FAIL)] = NEEDS_REVIEW
        status[home] = PASS
        out = Outcome(status, out._rows, person=("residence",), hint=out._hint)
    return out


_NO_ROWS = np.zeros(0, I8)


def k_employer_sector(c, ctx) -> Outcome:
    f = ctx.facts
    sure, maybe = ctx.current_spells()
    sector = np.append(f.orgs.sector, I8(SECTORS["individual"]))  # org -1: self-employed
    unknown = sector == 0
    listed = _isin(sector, [SECTORS[s] for s in (c.allowed or c.excluded)])
    code = (listed.view(I8) << 1) | unknown.view(I8)  # 2 listed, 1 unknown, 0 other
    status = kernels.raise_by_org(f.base["employment"].copy(), f.pidx["employment"], sure, maybe, code, f.emp_org,
                                  False)

    def rows():  # allowed: the running spells of a listed or unknown sector; excluded: all running spells
        return {"employment": (sure | maybe) & ((code[f.emp_org] != 0) if c.allowed else True)}

    hint = _review_hint(ctx, "employment", status)
    return Outcome(status, rows, hint=hint) if c.allowed else Outcome(PASS - status, rows, hint=hint)


def k_competition(c, ctx) -> Outcome:
    t = ctx.facts.competitions
    hit = np.zeros(len(t), bool)
    maybe = np.zeros(len(t), bool)
    for p in c.placements:
        level = t.level >= p.level if p.or_higher else t.level == p.level
        h, m = level, level
        if p.klass is not None:
            h, m = h & (t.klass == p.klass), m & ((t.klass == p.klass) | (t.klass == 0))
        if p.rank_max is not None:
            rank_ok = (t.rank >= 1) & (t.rank <= p.rank_max)
            h, m = h & rank_ok, m & (rank_ok | (t.rank == 0))
        hit |= h
        maybe |= m
    in_window, date_unknown = within(ctx, t.date, c.within_years)
    maybe = (maybe & (in_window | date_unknown)) & ~(hit & in_window)
    return exists(ctx, "competitions", hit & in_window, maybe)


def k_title(c, ctx) -> Outcome:
    t = ctx.facts.titles
    named = _isin(t.title, ctx.facts.codes("title", c.titles)) if c.titles else np.ones(len(t), bool)
    sure, possible = named, named
    if c.min_level is not None:
        sure = sure & (t.level >= c.min_level)
        possible = possible & ((t.level >= c.min_level) | (t.level < 0))
    if c.issuer is not None:
        inside = np.append(ctx.within_mask(c.issuer), False)[t.issuer]  # issuer -1 -> False
        sure = sure & inside
        possible = possible & (inside | (t.issuer < 0))
    in_window, unknown = within(ctx, t.start, c.within_years)
    hit = sure & in_window
    maybe = possible & (in_window | unknown) & ~hit
    if c.held_on_date:
        held = (t.start > 0) & (t.start <= ctx.ord) & ((t.end == 0) | (t.end >= ctx.ord))
        maybe |= hit & (t.start == 0)
        hit = hit & held
    if c.min_count > 1:
        hit, maybe = ctx.keep("titles", hit), ctx.keep("titles", maybe)
        return at_least(ctx, "titles", hit, maybe & ~hit, c.min_count)
    return exists(ctx, "titles", hit, maybe)


def _tenure_rows(c, ctx, start, place, full_time, occupation, ok, mine):
    """(sure, possible) masks of the spells that count for tenure clause `c`: begun before the
    reference date, not rejected, and (as asked) in the jurisdiction, full-time, in the occupation
    `mine` of the person's current spell. Sure: all of it known; possible: none of it known false
    (an unknown start is counted from day 1)."""
    begun = start < ctx.ord
    if not ctx.facts.all_ok["employment"]:
        begun &= ok
    sure = begun & (start > 0)
    unsure = None
    if c.in_jurisdiction:
        unknown = place < 0
        inside = ctx.inside(place)
        unsure = unknown
        sure &= inside
        begun &= inside | unknown
    if c.full_time_only:
        unknown = full_time < 0
        unsure = unknown if unsure is None else unsure | unknown
        sure &= full_time == 1
        begun &= full_time != 0
    if c.same_occupation:
        unknown = (mine < 0) | (occupation < 0)
        unsure = unknown if unsure is None else unsure | unknown
        same = occupation == mine
        sure &= same
        begun &= unknown | same
    if unsure is not None:
        sure &= ~unsure
    return sure, begun


def k_tenure(c, ctx) -> Outcome:
    """Years of work from the employment spells, in calendar days on the reference date (see
    schema.Tenure): one compiled loop over the spells in (person, start) order (facts.SortedSpells,
    kernels.tenure) counts the days a person surely has (every condition known true) and the days
    they may have (with the rows of unknown start, place, occupation or full-time flag)."""
    f = ctx.facts
    sp = f.spells
    mine = ctx.current_occupation() if c.same_occupation else _NO_OCCUPATION
    bounds = []
    for bound in (c.min, c.max):
        if bound is None:
            bounds += [-1, False]
        else:
            bounds += [ctx.ord - dates.years_before(ctx.on, bound.value).toordinal(),
                       dates.inclusive(bound.word, bound.inclusive, ctx.definitions)]
    status = kernels.tenure(sp.person, sp.start, sp.first, sp.stop_open, sp.place,
                            sp.full_time, sp.occupation, sp.ok, f.all_ok["employment"], ctx._inside_ext,
                            bool(c.in_jurisdiction), bool(c.full_time_only), mine, bool(c.same_occupation),
                            bool(c.continuous), int(c.max_gap_days or 0), ctx.ord, *bounds,
                            f.person["known_employment"], f.all_known["employment"], np.empty(ctx.n, I8))

    def rows():
        _, possible = _tenure_rows(c, ctx, sp.start, sp.place, sp.full_time, sp.occupation, sp.ok,
                                   None if not c.same_occupation else mine[sp.person])
        mask = np.zeros(len(possible), bool)
        mask[sp.row] = possible
        return {"employment": mask}

    return Outcome(status, rows, hint=_hint_where(status, 1))


_NO_OCCUPATION = np.full(1, -1, I32)


def k_attribute(c, ctx) -> Outcome:
    """A person attribute or a designation of the current employer (schema.Attribute)."""
    f = ctx.facts
    person = c.of == "person"
    code = f.code("attribute", c.attribute)
    if person:  # only the rows of this attribute (prepared with the facts: Facts.attribute_rows)
        t = f.attribute_rows(code)
        inside = np.append(ctx.within_mask(c.within), False) if c.within is not None else ctx._inside_ext
        status = kernels.attribute_status(
            f.base["attributes"].copy(), t.pidx, t.verification, t.holds, t.start, t.end, t.value, t.place, t.level,
            ctx.ord, f.codes("attribute_value", c.values or []), inside, c.within is not None,
            c.min_level is not None, -1 if c.min_level is None else c.min_level, not f.all_known["attributes"])

        def rows():
            mask = np.zeros(len(f.attributes), bool)
            mask[t.row[t.verification != 2]] = True
            return {"attributes": mask}

        return Outcome(status, rows, person=(), hint=_hint_where(status, 1))
    t = f.org_attributes
    same = (t.attr == code) & (t.verification != 2)
    held = (t.start <= ctx.ord) & ((t.end == 0) | (t.end >= ctx.ord))
    hit = same & (t.holds == 1) & held
    maybe = np.zeros(len(t), bool)
    if c.values:
        hit &= _isin(t.value, f.codes("attribute_value", c.values))
    if c.within is not None:
        hit &= np.append(ctx.within_mask(c.within), False)[t.place]
    if c.min_level is not None:
        maybe |= hit & (t.level < 0)
        hit &= t.level >= c.min_level
    maybe &= ~hit
    # employer designations: judged on the organisations, then on the spells that may be running
    code = (f.orgs.known_attributes != 1).view(I8).copy()  # 1: may hold it
    code[t.org[same]] = 0
    code[t.org[maybe]] = 1
    code[t.org[hit]] = 2
    sure, maybe = ctx.current_spells()
    status = kernels.raise_by_org(f.base["employment"].copy(), f.pidx["employment"], sure, maybe,
                                  np.append(code, I8(0)), f.emp_org, True)

    def rows():
        return {"employment": ctx.spells() & (f.employment.org >= 0), "org_attributes": same}

    return Outcome(status, rows, hint=_review_hint(ctx, "employment", status))


def k_achievement(c, ctx) -> Outcome:
    t = ctx.facts.achievements
    hit = _isin(t.kind, ctx.facts.codes("achievement", c.kinds))
    maybe = np.zeros(len(t), bool)
    if c.min_level is not None:
        maybe |= hit & (t.level < 0)
        hit = hit & (t.level >= c.min_level)
    if c.max_grade is not None:
        hit = hit & (t.grade >= 1) & (t.grade <= c.max_grade)
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
    overall = at_least(ctx, "apprentices", hit, maybe, c.min_count)
    return Outcome(np.minimum.reduce(statuses).astype(I8), {"apprentices": used}, hint=overall._hint)


def k_studio(c, ctx) -> Outcome:
    t = ctx.facts.studios
    hit = (t.level >= c.min_level) & (t.role == 1)
    if c.kinds:
        hit &= _isin(t.kind, [STUDIO_KINDS[k] for k in c.kinds])
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
    if c.joined_by is not None:
        by = c.joined_by.toordinal()
        maybe |= hit & (t.start == 0)
        hit &= (t.start > 0) & (t.start <= by)
    current = (t.end == 0) | (t.end >= ctx.ord) if c.current_only else np.ones(len(t), bool)
    return exists(ctx, "programmes", hit & current, maybe & current & ~hit)


def k_record(c, ctx) -> Outcome:
    t = ctx.facts.records
    hit = _isin(t.kind, ctx.facts.codes("record", c.kinds))
    in_window, unknown = within(ctx, t.start, c.within_years)
    maybe = hit & unknown & ~in_window
    hit = hit & in_window & (t.start <= ctx.ord)
    if c.open_only:
        still = (t.end == 0) | (t.end > ctx.ord)
        hit &= still
        maybe &= still
    return exists(ctx, "records", hit, maybe)


def k_employer_record(c, ctx) -> Outcome:
    """Judged on the organisations (a small table), then on the spells that may be running."""
    f = ctx.facts
    r = f.org_records
    hit = (r.verification != 2) & _isin(r.kind, f.codes("org_record", c.kinds)) & (r.start <= ctx.ord)
    in_window, unknown = within(ctx, r.start, c.within_years)
    hit &= in_window | unknown
    if c.open_only:
        hit &= (r.end == 0) | (r.end > ctx.ord)
    code = (f.orgs.known_records != 1).view(I8).copy()  # 1: the org's records may be incomplete
    code[r.org[hit]] = 2  # 2: a matching record
    spells = ctx.spells()
    status = f.base["employment"].copy()
    for value, result in ((1, NEEDS_REVIEW), (2, PASS)):
        orgs = np.flatnonzero(code == value)
        if len(orgs) * 8 < len(code):  # a few organisations: their spells through the org index
            rows = _rows_of_orgs(f, orgs)
            status[f.pidx["employment"][rows[spells[rows]]]] = result
        else:
            status[_people(ctx, "employment", spells & (np.append(code, I8(0))[f.emp_org] == value))] = result

    def rows():
        return {"employment": spells & (f.employment.org >= 0), "org_records": hit}

    return Outcome(status, rows, hint=_review_hint(ctx, "employment", status))


def _rows_of_orgs(f, orgs: np.ndarray) -> np.ndarray:
    """Employment row indices of the organisations `orgs` (through the prepared CSR)."""
    lo, hi = f.emp_org_offsets[orgs], f.emp_org_offsets[orgs + 1]
    lens = hi - lo
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.intp)
    shift = np.repeat(lo - (np.cumsum(lens) - lens), lens)
    return f.emp_by_org[np.arange(total, dtype=np.intp) + shift]


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
    holder = _any(ctx, "titles", in_term)
    former = _any(ctx, "titles", mine) & ~holder
    rows = {"titles": mine}
    status = np.full(ctx.n, PASS, I8)
    kernels.put_value(status, f.pidx["titles"], unsure, NEEDS_REVIEW)
    status[holder] = FAIL
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
            fresh |= _any(ctx, table, new)
            complete &= ctx.known(table)
        stale = former & ~fresh & (status == PASS)
        status[stale] = np.where(complete[stale], FAIL, NEEDS_REVIEW)
    status[(status == PASS) & ~ctx.known("titles") & ~former] = NEEDS_REVIEW
    return Outcome(status, rows, hint=_hint_where(status, 1))


def k_manual(c, ctx) -> Outcome:
    f = ctx.facts
    t = f.attestations
    key = f.code("clause", f"{ctx.policy.code}:{c.id}")
    rows = ctx.ok("attestations") & (t.clause == key) if key >= 0 else np.zeros(len(t), bool)
    idx = np.nonzero(rows)[0]
    idx = idx[np.argsort(t.date[idx], kind="stable")]
    status = np.full(ctx.n, NEEDS_REVIEW, dtype=I8)
    status[t.person[idx]] = t.result[idx]

    def used():
        out = {"attestations": rows}
        for table in c.evidence:
            out[table] = ctx.ok(table).copy()
        return out

    return Outcome(status, used, hint=_hint_where(status, 3))


KINDS = {name.removeprefix("k_"): fn for name, fn in globals().items() if name.startswith("k_")}

# The event tables each clause kind reads (to compute statuses; explanations may show more).
TABLES_OF_KIND = {
    "age": (), "working_age": (), "qualification": ("certificates", "employment"), "insured_employment": ("insurance",),
    "current_post": ("employment",), "employer_sector": ("employment",), "employer_record": ("employment",),
    "tenure": ("employment",), "competition": ("competitions",), "title": ("titles",),
    "achievement": ("achievements",), "apprentices": ("apprentices",), "studio": ("studios",),
    "programme": ("programmes",), "record": ("records",), "attribute": ("attributes", "employment"),
    "incumbency": ("titles", "competitions", "achievements"), "manual": ("attestations",),
    "all_of": (), "any_of": (), "none_of": (),
}


def tables_used(policy: PolicyFile, on: dt.date) -> set[str]:
    """The event tables the edition of `policy` in force on `on` reads, over all its honours and
    trees: a builder may leave the others out."""
    used: set[str] = set()
    for h in policy.edition_on(on).honours:
        roots = [h.eligibility, *(r.clause for r in h.priority)] + ([h.renewal.criteria] if h.renewal else [])
        for root in roots:
            for c in walk(root):
                used.update(TABLES_OF_KIND[c.kind])
    return used


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
    overall: np.ndarray | None  # int8[N] (None: evaluated with only_automatic)
    automatic: np.ndarray  # int8[N]: the same with every manual clause taken as passed
    priority: np.ndarray | None  # int8[N, k]: status of each priority rule (2 = has the priority)
    clauses: dict[str, object]
    tree: str = "eligibility"
    automatic_status: dict[str, np.ndarray] | None = None  # clause id -> own status, manual passed
    masks: tuple | None = None  # (clause ids, fail, review): culprit masks computed with the groups

    @property
    def in_force(self) -> bool:
        return self.policy.in_force(self.on)

    @property
    def root(self):
        return self.honour.eligibility if self.tree == "eligibility" else self.honour.renewal.criteria

    def tie_break_key(self, i: int) -> tuple[int, ...]:
        """Larger sorts first: the priority rules (同等条件下优先…) in the order of the policy."""
        return tuple(int(x) for x in self.priority[i])

    def counts(self) -> dict[str, int]:
        return {STATUS_NAMES[s]: int((self.overall == s).sum()) for s in (PASS, NEEDS_REVIEW, FAIL)}

    def culprit_masks(self, clause_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(fail, review) int64[N]: bit b is set when clause `clause_ids[b]` (at most 63) is a cause
        of the person's automatic outcome (manual clauses taken as passed) being fail / needs
        review. Going down from the root over people with that outcome: a child of all_of/any_of
        is a cause when its effective status equals the outcome; a child of none_of when it holds
        (pass where the outcome is fail, needs_review where it is needs_review), and below it the
        causes are the clauses that pass. Computed with the groups when `evaluate` was given the
        same `culprits`."""
        if self.masks is not None and self.masks[0] == list(clause_ids):
            return self.masks[1], self.masks[2]
        args, kept = _culprit_args(self.root, self.automatic_status, clause_ids, self.facts.n)
        _by_people(kernels.culprits, args, self.facts.n)
        del kept  # the status arrays the kernels read by address: alive until they are done
        return args[-2], args[-1]


def _culprit_args(root, automatic_status, clause_ids, n: int):
    """(arguments of kernels.culprits but the range, the arrays they point at): the tree in
    preorder with each node's automatic status, and the fail / review masks to fill."""
    if len(clause_ids) > 63:
        raise ValueError("at most 63 clause ids fit a mask")
    position = {cid: b for b, cid in enumerate(clause_ids)}
    statuses, depth, under_none_of, target_pass, soft, bit = [], [], [], [], [], []

    def flatten(clause, d, parent, parent_by_pass):  # preorder
        statuses.append(automatic_status[clause.id])
        depth.append(d)
        under_none_of.append(parent is not None and parent.kind == "none_of")
        target_pass.append(parent_by_pass)  # the parent is judged against PASS, not the outcome
        soft.append(clause.on_fail == "needs_review")
        bit.append(position.get(clause.id, -1))
        by_pass = parent_by_pass or (parent is not None and parent.kind == "none_of")
        for ch in getattr(clause, "clauses", []):
            flatten(ch, d + 1, clause, by_pass)

    flatten(root, 0, None, False)
    pointers, kept = kernels.addresses(statuses)
    return (pointers, np.array(depth, np.int64), np.array(under_none_of), np.array(target_pass), np.array(soft),
            np.array(bit, np.int64), statuses[0], np.empty(n, np.int64), np.empty(n, np.int64)), kept


def _effective(clause, status):
    """What a clause hands its parent: `on_fail: needs_review` turns its fail into needs_review."""
    return status + (status == FAIL).view(I8) if clause.on_fail == "needs_review" else status


def _combine(kind, kids: list[np.ndarray]) -> np.ndarray:
    op = np.minimum if kind == "all_of" else np.maximum
    own = op(kids[0], kids[1]) if len(kids) > 1 else kids[0].copy()
    for k in kids[2:]:
        op(own, k, out=own)
    if kind == "none_of":
        np.subtract(_PASS, own, out=own)
    return own


GROUPS = ("all_of", "any_of", "none_of")


LEAF_THREADS = min(os.cpu_count() or 1, 4)  # threads evaluating the clauses of a large batch
PARALLEL_FROM = 50_000  # people: below, one thread (the pool's hand-offs cost more than they save)
_POOL: list = []


class _Inline:
    @staticmethod
    def map(fn, items):
        return map(fn, items)


def _pool(parts: int = LEAF_THREADS):
    """The shared thread pool (or, for one part, the calling thread)."""
    if parts <= 1:
        return _Inline
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(max_workers=LEAF_THREADS, thread_name_prefix="policy-clauses"))
    return _POOL[0]


def _by_people(kernel, args, n: int):
    """kernel(*args, start, stop) over the people [0, n), split between the threads for a large batch
    at multiples of 64 people (the kernels read eight people to a word; no two threads write into
    one cache line)."""
    parts = LEAF_THREADS if n >= PARALLEL_FROM else 1
    bounds = [n * k // parts // 64 * 64 for k in range(parts)] + [n]
    list(_pool(parts).map(lambda k: kernel(*args, bounds[k], bounds[k + 1]), range(parts)))


def _eval_leaves(roots, ctx, *, manual: bool = True) -> dict[str, Outcome]:
    """Every leaf clause of the trees, each once (without the manual clauses unless `manual`)."""
    leaves = [c for root in roots for c in walk(root) if c.kind not in GROUPS and (manual or c.kind != "manual")]
    # the longest first (a tenure clause merges each person's spells in order: several times
    # any other clause), so that the others fill the threads around it instead of one thread
    # finishing it alone at the end
    leaves.sort(key=lambda c: c.kind != "tenure")

    def leaf(c):
        return _soften(c, KINDS[c.kind](c, ctx))

    # numpy's whole-array operations and the compiled kernels release the GIL: the clauses of a
    # large batch go to the cores (the context's caches are filled idempotently)
    outs = list(_pool(LEAF_THREADS if ctx.n >= PARALLEL_FROM else 1).map(leaf, leaves))
    for c, out in zip(leaves, outs):
        # The evidence rows are recomputed when an explanation asks for them: keeping every
        # clause's row masks alive would hold hundreds of MiB over a large batch and make the
        # allocator fetch fresh pages for every later array.
        out.rows = lambda c=c: KINDS[c.kind](c, ctx).rows
    return {c.id: out for c, out in zip(leaves, outs)}


def _soften(clause, out: Outcome) -> Outcome:
    """Soft wording (一般、原则上: `on_fail: needs_review`): where the clause would fail, its own
    status is needs_review with the reason that the wording is soft."""
    if clause.on_fail != "needs_review":
        return out
    failed = out.status == FAIL
    if not failed.any():
        return out
    status = out.status + failed.view(I8)
    inner = out._hint

    def hint():
        base = inner() if callable(inner) else inner
        base = np.zeros(len(status), I8) if base is None else base
        return np.where(failed, I8(SOFT_HINT), base).astype(I8)

    return Outcome(status, out._rows, out.person, hint)


GROUP_KINDS = {"all_of": kernels.ALL_OF, "any_of": kernels.ANY_OF, "none_of": kernels.NONE_OF}


def _eval_trees(root, rules, leaves, ctx, *, own: bool = True, culprits=None):
    """(status, outcomes, auto): the own status and Outcome of every clause of the tree `root` and
    of the priority rules' trees from the evaluated leaves, and the own statuses of `root`'s tree
    with every manual clause taken as passed (`auto`: the groups without a manual clause below
    them keep their array). Without `own`, only `auto` is wanted: the clauses with a manual
    clause at or below them get no own status. The groups are combined by one compiled program
    over blocks of people (kernels.combine_groups), split between threads for a large batch. With
    `culprits` (clause ids), each block's culprit masks are computed right after its groups,
    while its statuses are in the cache (kernels.groups_then_culprits): returned as a fourth item."""
    status: dict[str, np.ndarray] = {}
    outcomes: dict[str, Outcome] = {}
    auto: dict[str, np.ndarray] = {}
    slots: list[np.ndarray] = []
    slot_of: dict[str, int] = {}
    program: list[tuple[int, object, list[int]]] = []  # (slot written, group, slots read), postorder

    def new_slot(array):
        slots.append(array)
        return len(slots) - 1

    def group(clause, kids):
        own = np.empty(ctx.n, I8)
        program.append((new_slot(own), clause, kids))
        return own

    def plan(clause):
        if not own and any(c.kind == "manual" for c in walk(clause)):
            for ch in getattr(clause, "clauses", []):
                plan(ch)
            return None
        if clause.kind in GROUPS:
            own_status = group(clause, [plan(ch) for ch in clause.clauses])
            outcomes[clause.id] = Outcome(own_status, hint=_soft_group_hint(clause, status)
                                          if clause.on_fail == "needs_review" else None)
        else:
            outcomes[clause.id] = leaves[clause.id]
            own_status = leaves[clause.id].status
            new_slot(own_status)
        status[clause.id] = own_status
        slot_of[clause.id] = len(slots) - 1
        return slot_of[clause.id]

    def plan_automatic(clause):
        """(slot, whether it differs from the clause's own status, its one status for everybody
        or None). A manual clause passes; a group with a child that passes for everybody needs
        no pass over the people: any_of passes, none_of fails (needs review if soft), all_of
        combines the other children only."""
        if clause.kind == "manual":
            return constant(clause, PASS)
        if clause.kind in GROUPS:
            kids = [plan_automatic(ch) for ch in clause.clauses]
            if any(changed for _, changed, _ in kids):
                if any(value == PASS for _, _, value in kids) and clause.kind != "all_of":
                    fails = NEEDS_REVIEW if clause.on_fail == "needs_review" else FAIL
                    return constant(clause, PASS if clause.kind == "any_of" else fails)
                read = [k for k, _, value in kids if value != PASS]
                if not read:  # all_of over children that all pass
                    return constant(clause, PASS)
                auto[clause.id] = group(clause, read)
                return len(slots) - 1, True, None
        auto[clause.id] = status[clause.id]
        return slot_of[clause.id], False, None

    def constant(clause, value):
        auto[clause.id] = ctx.filled(value)
        return new_slot(auto[clause.id]), True, value

    plan(root)
    for rule in rules:
        plan(rule)
    plan_automatic(root)
    masks = None
    blame, blamed = _culprit_args(root, auto, culprits, ctx.n) if culprits is not None else ((), [])
    if program:
        pointers, kept = kernels.addresses(slots)
        first = np.cumsum([0] + [len(kids) for _, _, kids in program])
        args = (pointers, ctx.n, np.array([w for w, _, _ in program], np.int64),
                np.array([GROUP_KINDS[g.kind] for _, g, _ in program], np.int64),
                np.array([g.on_fail == "needs_review" for _, g, _ in program]), first.astype(np.int64),
                np.array([k for _, _, kids in program for k in kids], np.int64))
        _by_people(kernels.groups_then_culprits if blame else kernels.combine_groups, args + blame, ctx.n)
        del kept  # the arrays the kernels read and write by address: alive until they are done
    elif blame:
        _by_people(kernels.culprits, blame, ctx.n)
    if blame:
        masks = (list(culprits), blame[-2], blame[-1])
    del blamed
    return status, outcomes, auto, masks


def _soft_group_hint(clause, status):
    """Lazy hint of a soft group: the soft wording where the group itself would fail."""
    return lambda: np.where(_combine(clause.kind, [status[ch.id] for ch in clause.clauses]) == FAIL,
                            I8(SOFT_HINT), I8(0)).astype(I8)


def evaluate(policy: PolicyFile, facts: Facts, *, on: dt.date, honour: str | None = None,
             tree: str = "eligibility", only_automatic: bool = False, culprits: list[str] | None = None
             ) -> BatchResult:
    """Evaluate a policy's honour (default: its first) for every person of `facts` on `on`.
    `tree` is "eligibility" or "renewal" (the renewal criteria, e.g. 环翠 第八条). The edition of the
    policy in force on `on` applies; a tier (honour) that edition lacks raises KeyError.

    `only_automatic`: only what a screening run stores, the automatic outcome and the statuses
    it is made of (`automatic`, `automatic_status`, hence `culprit_masks`); no priority rules,
    manual clauses or own statuses of the groups above a manual clause (`overall` and `priority`
    are None, `status` and `outcomes` lack those clauses). `culprits`: the clause ids whose
    culprit masks to compute with the groups (BatchResult.culprit_masks then returns them)."""
    policy = policy.edition_on(on)
    h = policy.honour(honour)
    root = h.eligibility if tree == "eligibility" else h.renewal.criteria if h.renewal else None
    if root is None:
        raise ValueError(f"{policy.code}/{h.code} has no {tree} criteria")
    ctx = Context(policy, facts, on, h)
    rules = [rule.clause for rule in h.priority] if tree == "eligibility" and not only_automatic else []
    leaves = _eval_leaves([root, *rules], ctx, manual=not only_automatic)
    status, outcomes, auto, masks = _eval_trees(root, rules, leaves, ctx, own=not only_automatic, culprits=culprits)
    automatic = _effective(root, auto[root.id]).astype(I8, copy=False)
    clauses = {c.id: c for c in walk(root)}
    if only_automatic:
        return BatchResult(policy, h, facts, on, ctx, status, outcomes, None, automatic, None, clauses, tree, auto,
                           masks)
    overall = _effective(root, status[root.id])
    prio = [_effective(rule, status[rule.id]) for rule in rules]
    priority = np.vstack(prio).T if prio else np.zeros((facts.n, 0), I8)
    for rule in h.priority if tree == "eligibility" else ():
        clauses.update({c.id: c for c in walk(rule.clause)})
    return BatchResult(policy, h, facts, on, ctx, status, outcomes, overall.astype(I8, copy=False), automatic,
                       priority, clauses, tree, auto, masks)
