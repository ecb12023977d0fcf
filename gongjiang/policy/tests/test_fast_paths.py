"""The prepared fast paths of the engine (tenure: one compiled loop over the spells sorted once
with the facts, facts.SortedSpells and kernels.tenure) give what the clause means, person by person: a randomised cross-check of the
batch against (a) a plain per-person reading of the tenure rule written independently here and
(b) the same engine over each person alone (a batch of one), on random registries with overlapping,
adjacent and gapped spells, unknown starts, places, occupations and full-time flags, rejected rows,
several running spells, and people with one spell or many. The policy case files (policies/*.cases.yaml) go through the same code (test_cases.py)."""
import datetime as dt
import random

import numpy as np
import pytest

from gongjiang.policy import dates
from gongjiang.policy.engine import evaluate
from gongjiang.policy.facts import FAIL, NEEDS_REVIEW, PASS, Facts
from gongjiang.policy.loader import parse_text

ON = dt.date(2025, 1, 1)
HEAD = """
title: 测试政策
short_title: 测试
document: {title: 测试政策}
jurisdiction: 山东省/淄博市
validity: {article: 第一条}
definitions: {article: 第二条, inclusive: {以上: true, 以下: false}}
recommendation: {routes: [{kind: self, article: 第二条}]}
procedure: [{kind: application, article: 第三条, name: 申报}]
honours:
  - code: t
    title: 测试称号
    eligibility:
      id: root
      kind: all_of
      article: 第四条
      clauses:
"""
# (id, min years, max years, continuous, in_jurisdiction, same_occupation, full_time_only, max_gap_days)
VARIANTS = [
    ("total", 5, None, False, False, False, False, 0),
    ("cont", 3, None, True, False, False, False, 0),
    ("cont.gap", 3, None, True, False, False, False, 31),
    ("here", 3, None, False, True, False, False, 0),
    ("here.cont", 2, None, True, True, False, True, 10),
    ("occ", 4, None, False, False, True, False, 0),
    ("full", 3, None, False, False, False, True, 0),
    ("all", 2, None, True, True, True, True, 5),
    ("short", None, 2, False, False, False, False, 0),
    ("short.here", None, 3, False, True, False, True, 0),
]
PLACES = ["张店区", "淄川区", "广州市", "天河区", None]
OCCUPATIONS = ["焊工", "车工", None]


def policy():
    lines = []
    for cid, lo, hi, cont, here, occ, full, gap in VARIANTS:
        bounds = (f"min: {{value: {lo}, word: 满}}" if lo else "") + (f"max: {{value: {hi}, word: 不满}}" if hi else "")
        lines.append(f"        - {{id: \"{cid}\", kind: tenure, article: 第四条, {bounds}, continuous: {str(cont).lower()}, "
                     f"in_jurisdiction: {str(here).lower()}, same_occupation: {str(occ).lower()}, "
                     f"full_time_only: {str(full).lower()}, max_gap_days: {gap}}}")
    return parse_text(HEAD + "\n".join(lines) + "\n", "test.yaml", code="test")


def random_people(rng: random.Random, n: int, most: int) -> list[dict]:
    people = []
    for _ in range(n):
        if rng.random() < 0.05:
            people.append({})  # employment not declared
            continue
        spells, day = [], ON.toordinal() - rng.randint(200, 6000)
        for _ in range(rng.randint(0, most)):
            start = day + rng.randint(-400, 400)  # overlapping, adjacent or gapped
            length = rng.randint(1, 2500)
            end = start + length if rng.random() < 0.7 else None
            if rng.random() < 0.1:
                end = ON.toordinal() - rng.randint(-3, 3)  # around the reference date
            # an employer of its own per spell: the record builder takes an unknown place of work
            # from the employer's other spells, which would make a person alone differ from the batch
            spell = {"employer": f"单位{len(people)}-{len(spells)}", "place": rng.choice(PLACES),
                     "occupation": rng.choice(OCCUPATIONS), "full_time": rng.choice([True, True, False, None])}
            if rng.random() > 0.08:
                spell["start"] = dt.date.fromordinal(start).isoformat()
            if end is not None and end >= start:
                spell["end"] = dt.date.fromordinal(end).isoformat()
            if rng.random() < 0.05:
                spell["verification"] = "rejected"
            spells.append(spell)
            day = (end if end is not None and end >= start else start) + rng.randint(-30, 60)
        people.append({"employment": spells})
    return people


def _inside(place):
    return None if place is None else place in ("张店区", "淄川区")


def reference(person: dict, cid, lo, hi, cont, here, occ, full, gap) -> int:
    """The tenure rule read directly, one person: spells in the order given. Employment not
    declared: the days of no spell, and a fail becomes needs_review (the engine's rule; a maximum
    bound such as 不满2年 then passes, see the report of issue 13 item 9)."""
    if "employment" not in person:
        status = reference({"employment": []}, cid, lo, hi, cont, here, occ, full, gap)
        return NEEDS_REVIEW if status == FAIL else status
    on = ON.toordinal()
    rows = []
    for s in person["employment"]:
        if s.get("verification") == "rejected":
            continue
        start = dt.date.fromisoformat(s["start"]).toordinal() if "start" in s else None
        end = dt.date.fromisoformat(s["end"]).toordinal() if "end" in s else None
        rows.append((start, end, s))
    current = [s.get("occupation") for start, end, s in rows
               if start is not None and start <= on and (end is None or end >= on)]
    mine = current[-1] if current else None
    sure_rows, possible_rows = [], []
    for start, end, s in rows:
        if start is not None and start >= on:
            continue
        tests = []
        if here:
            tests.append(_inside(s.get("place")))
        if full:
            tests.append(None if s.get("full_time") is None else s["full_time"])
        if occ:
            tests.append(None if mine is None or s.get("occupation") is None else s["occupation"] == mine)
        interval = (max(start or 1, 1), min(end + 1, on) if end is not None else on)
        if all(t is not False for t in tests):
            possible_rows.append(interval)
            if start is not None and all(t is True for t in tests):
                sure_rows.append(interval)

    def days(intervals):
        intervals = sorted(intervals)
        if cont:
            run_start, run_stop = None, None
            for a, b in intervals:
                if run_start is None or a > run_stop + gap:
                    run_start, run_stop = a, b
                else:
                    run_stop = max(run_stop, b)
            return on - run_start if run_stop is not None and run_stop >= on else 0
        covered, total = 0, 0
        for a, b in intervals:
            total += max(b - max(a, covered), 0)
            covered = max(covered, b)
        return total

    sure, possible = days(sure_rows), days(possible_rows)

    def need(years):
        return on - dates.years_before(ON, years).toordinal()

    if lo is not None:
        return PASS if sure >= need(lo) else NEEDS_REVIEW if possible >= need(lo) else FAIL
    return PASS if possible < need(hi) else NEEDS_REVIEW if sure < need(hi) else FAIL


@pytest.mark.parametrize("seed,most", [(1, 3), (2, 4), (3, 9), (4, 1)])
def test_tenure_batch_equals_the_rule_read_person_by_person_and_each_person_alone(seed, most):
    """随机登记数据：任职年限条款的批量结果与逐人直接计算、逐人单独评估完全一致（most: 每人最多段数）。"""
    pol = policy()
    people = random_people(random.Random(seed), 300, most)
    batch = evaluate(pol, Facts.from_records(people), on=ON)
    for variant in VARIANTS:
        cid = variant[0]
        expected = [reference(p, *variant) for p in people]
        assert list(batch.status[cid]) == expected, cid
    for i in range(0, len(people), 7):
        alone = evaluate(pol, Facts.from_records([people[i]]), on=ON)
        for variant in VARIANTS:
            assert int(alone.status[variant[0]][0]) == int(batch.status[variant[0]][i]), (variant[0], i)


def _case_batches():
    """Every policy case file as the batches cases.run_file evaluates: (file, policy, facts of the
    people, the same person by person, date, honour, tree)."""
    import yaml

    from gongjiang.policy.cases import _merge, case_files, policy_path_for
    from gongjiang.policy.loader import read_policy, vocabulary

    for path in case_files():
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        pol = read_policy(policy_path_for(path)).policy
        names, _ = vocabulary().with_local(pol.vocabulary)
        groups: dict[tuple, list[dict]] = {}
        for case in spec["cases"]:
            on = case.get("date", spec.get("date"))
            on = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on))
            groups.setdefault((on, case.get("honour", spec.get("honour")), case.get("tree", "eligibility")),
                              []).append(case)
        for (on, honour, tree), cases in groups.items():
            people = [_merge(spec.get("base") or {}, c) for c in cases]

            def facts(rows, spec=spec, pol=pol, names=names):
                return Facts.from_records(rows, employers=spec.get("employers") or {}, policy=pol.code,
                                          vocabulary=names)

            yield path.name, pol, people, facts, on, honour, tree


def test_every_case_file_batch_equals_each_person_alone_and_the_culprit_definition():
    """全部政策案例文件：批量评估的每一条款结果与逐人单独评估一致；每人的不符合/待审核条款位与逐人按定义推导一致。"""
    from gongjiang.policy.schema import walk
    from gongjiang.policy.tests.test_engine_paths import _reference_culprits

    batches = 0
    for name, pol, people, facts, on, honour, tree in _case_batches():
        batch = evaluate(pol, facts(people), on=on, honour=honour, tree=tree)
        ids = [c.id for c in walk(batch.root) if c.id != batch.root.id][:63]
        fail, review = batch.culprit_masks(ids)
        for i, person in enumerate(people):
            alone = evaluate(pol, facts([person]), on=on, honour=honour, tree=tree)
            for cid, status in batch.status.items():
                assert int(alone.status[cid][0]) == int(status[i]), (name, person["id"], cid)
            assert int(alone.automatic[0]) == int(batch.automatic[i]), (name, person["id"])
            assert (int(fail[i]), int(review[i])) == _reference_culprits(batch, ids, i), (name, person["id"])
        batches += 1
    assert batches >= 14  # nine policies, several dates, honours and trees


def test_clauses_on_several_threads_give_what_one_thread_gives(monkeypatch):
    """大批量时条款分到多个线程并行评估、不符合/待审核条款位分段计算：每个案例文件与随机登记数据的结果与单线程完全一致。"""
    from gongjiang.policy import engine
    from gongjiang.policy.schema import walk

    def run(threads):
        monkeypatch.setattr(engine, "LEAF_THREADS", threads)
        monkeypatch.setattr(engine, "PARALLEL_FROM", 0)  # every batch counts as large
        out = []
        batches = [(pol, facts(people), on, honour, tree) for _, pol, people, facts, on, honour, tree in _case_batches()]
        batches.append((policy(), Facts.from_records(random_people(random.Random(5), 400, 6)), ON, None, "eligibility"))
        for pol, f, on, honour, tree in batches:
            r = evaluate(pol, f, on=on, honour=honour, tree=tree)
            ids = [c.id for c in walk(r.root) if c.id != r.root.id][:63]
            out.append(({cid: s.tolist() for cid, s in r.status.items()}, r.automatic.tolist(),
                        [m.tolist() for m in r.culprit_masks(ids)]))
        return out

    one, three = run(1), run(3)
    assert one == three
    assert any(any(m) for _, _, masks in one for m in masks)  # some culprit bits were set


def test_only_the_automatic_outcome_gives_what_the_full_evaluation_gives():
    """筛查只需自动结论（人工条款按通过）及其不符合/待审核条款位：只算这些（不算优先条件、人工条款及其上级组合的自身状态）
    与完整评估的结果一致，每个案例文件都如此。"""
    from gongjiang.policy.schema import walk

    for name, pol, people, facts, on, honour, tree in _case_batches():
        f = facts(people)
        full = evaluate(pol, f, on=on, honour=honour, tree=tree)
        lean = evaluate(pol, f, on=on, honour=honour, tree=tree, only_automatic=True)
        assert lean.overall is None and lean.priority is None
        assert lean.automatic.tolist() == full.automatic.tolist(), name
        assert {k: v.tolist() for k, v in lean.automatic_status.items()} == \
            {k: v.tolist() for k, v in full.automatic_status.items()}, name
        ids = [c.id for c in walk(full.root) if c.id != full.root.id][:63]
        assert [m.tolist() for m in lean.culprit_masks(ids)] == [m.tolist() for m in full.culprit_masks(ids)], name
        # the masks computed block by block right after the groups (as a screening shard asks)
        fused = evaluate(pol, f, on=on, honour=honour, tree=tree, only_automatic=True, culprits=ids)
        assert fused.masks is not None and fused.automatic.tolist() == full.automatic.tolist(), name
        assert [m.tolist() for m in fused.culprit_masks(ids)] == [m.tolist() for m in full.culprit_masks(ids)], name
