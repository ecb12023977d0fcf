"""The engine's fast paths (structures prepared when facts are loaded) agree with the plain
definitions: insured months counted once however the rows overlap, culprit masks as the tree says."""
import datetime as dt

import numpy as np

from gongjiang.policy.engine import evaluate
from gongjiang.policy.facts import FAIL, NEEDS_REVIEW, PASS, Facts
from gongjiang.policy.loader import POLICIES_DIR, read_policy
from gongjiang.policy.schema import walk

HUIYANG = read_policy(POLICIES_DIR / "huiyang-chief-technician.yaml").policy
ZHONGKAI = read_policy(POLICIES_DIR / "zhongkai-skilled-talent.yaml").policy
EMPLOYERS = {"甲公司": {"sector": "enterprise", "place": "惠阳区", "records": []},
             "乙公司": {"sector": "enterprise", "place": "惠阳区", "records": []},
             "丙公司": {"sector": "enterprise", "place": "仲恺高新区", "records": []},
             "丁公司": {"sector": "enterprise", "place": "仲恺高新区", "records": []},
             "戊中心": {"sector": "institution", "place": "仲恺高新区", "records": []}}


def _person(insurance, **extra):
    return {"birth": "1985-05-01", "gender": "M", "employment": [{"employer": "甲公司", "start": "2015-01-01",
                                                                   "frontline": True}],
            "insurance": insurance, "certificates": [{"level": 4}], "records": [], "titles": [], **extra}


def test_huiyang_7_insured_twelve_months_from_two_employers_and_overlaps_pass():
    """第七条：连续12个月，换单位、重复缴费的月份只算一次；中间断一个月则不连续。"""
    people = [
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-06"},
                 {"employer": "乙公司", "from": "2024-07", "to": "2024-12"}]),
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-09"},
                 {"employer": "乙公司", "from": "2024-05", "to": "2024-12"},
                 {"employer": "甲公司", "from": "2024-03", "to": "2024-03"}]),
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-05"},
                 {"employer": "乙公司", "from": "2024-07", "to": "2024-12"}]),
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-12", "verification": "rejected"}]),
    ]
    r = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    assert list(r.status["7.insured"]) == [PASS, PASS, FAIL, FAIL]


def test_zhongkai_e1_insured_months_are_distinct_enterprise_months_in_the_zone():
    """仲恺 第五条（一）2（1）：在本区企业缴纳社会保险满36个月；重叠月份不重复计算，事业单位月份不计。"""
    people = [
        _person([{"employer": "丙公司", "from": "2021-01", "to": "2022-06"},
                 {"employer": "丁公司", "from": "2023-01", "to": "2024-06"}]),  # 18 + 18
        _person([{"employer": "丙公司", "from": "2021-01", "to": "2022-06"},
                 {"employer": "丁公司", "from": "2022-01", "to": "2023-05"}]),  # 18 + 11 new
        _person([{"employer": "丙公司", "from": "2021-01", "to": "2022-06"},
                 {"employer": "戊中心", "from": "2022-07", "to": "2024-12"}]),  # institution: 18
        _person([{"employer": "丙公司", "from": "2022-02", "to": "2025-06"}]),  # 35 before 2025-01
    ]
    r = evaluate(ZHONGKAI, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1),
                 honour="excellent-technician")
    assert list(r.status["e.1.years"]) == [PASS, FAIL, FAIL, FAIL]


def _reference_culprits(result, clause_ids, i):
    """Per person, by the definition: walk down from the root along the clauses that carry the
    automatic outcome."""
    auto = result.automatic_status
    root = result.root
    top = int(auto[root.id][i])
    found = set()

    def eff(clause, s):
        return max(s, NEEDS_REVIEW) if clause.on_fail == "needs_review" else s

    def visit(clause, target):
        found.add(clause.id)
        for ch in getattr(clause, "clauses", []):
            own = int(auto[ch.id][i])
            if clause.kind == "none_of":
                if own == (PASS if target == FAIL else NEEDS_REVIEW):
                    visit(ch, PASS)
            elif eff(ch, own) == target:
                visit(ch, target)

    if top != PASS:
        visit(root, top)
    mask = sum(1 << b for b, cid in enumerate(clause_ids) if cid in found)
    return (mask, 0) if top == FAIL else (0, mask) if top == NEEDS_REVIEW else (0, 0)


def test_culprit_masks_match_the_definition_person_by_person():
    people = [
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-12"}]),
        _person([{"employer": "甲公司", "from": "2024-03", "to": "2024-12"}]),
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-12"}], records=[{"kind": "criminal_record",
                                                                                      "start": "2010-01-01"}]),
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-12"}], birth="1950-01-01"),
        {"birth": "1990-01-01"},  # nothing declared: needs review
        _person([], studios=[{"level": "市级", "role": "leader"}], employment=[{"employer": "甲公司", "frontline": None}]),
    ]
    r = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    ids = [c.id for c in walk(r.root) if c.id != r.root.id]
    fail, review = r.culprit_masks(ids)
    assert {FAIL, NEEDS_REVIEW, PASS} <= {int(s) for s in r.automatic}
    for i in range(len(people)):
        assert (int(fail[i]), int(review[i])) == _reference_culprits(r, ids, i), i
    assert fail[1] >> ids.index("7.insured") & 1
    assert fail[2] >> ids.index("6.3") & 1 and fail[2] >> ids.index("6.3.criminal") & 1
    assert np.all((fail == 0) | (r.automatic == FAIL)) and np.all((review == 0) | (r.automatic == NEEDS_REVIEW))


def test_culprit_masks_over_several_blocks_and_threads_are_each_persons_own(monkeypatch):
    """不符合/待审核条款位按块（每块4096人、每8人一个字）分线程计算：跨块、块尾不足8人时，每人的条款位与其单独评估一致。"""
    from gongjiang.policy import engine, kernels

    people = [
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-12"}]),
        _person([{"employer": "甲公司", "from": "2024-03", "to": "2024-12"}]),
        _person([{"employer": "甲公司", "from": "2024-01", "to": "2024-12"}], records=[{"kind": "criminal_record",
                                                                                      "start": "2010-01-01"}]),
        {"birth": "1990-01-01"},
        _person([], studios=[{"level": "市级", "role": "leader"}], employment=[{"employer": "甲公司", "frontline": None}]),
    ]
    on = dt.date(2025, 1, 1)
    alone = []
    for person in people:
        r = evaluate(HUIYANG, Facts.from_records([person], employers=EMPLOYERS), on=on)
        ids = [c.id for c in walk(r.root) if c.id != r.root.id]
        alone.append(tuple(int(m[0]) for m in r.culprit_masks(ids)))
    assert len({m for m in alone}) >= 4  # different causes, fail and needs review
    monkeypatch.setattr(engine, "LEAF_THREADS", 3)
    monkeypatch.setattr(engine, "PARALLEL_FROM", 0)
    n = 3 * kernels.BLOCK + 13  # three threads' ranges, blocks, and a last word of five people
    order = [(i * 7) % len(people) for i in range(n)]
    r = evaluate(HUIYANG, Facts.from_records([people[k] for k in order], employers=EMPLOYERS), on=on)
    fail, review = r.culprit_masks(ids)
    assert [(int(f), int(v)) for f, v in zip(fail, review)] == [alone[k] for k in order]
    fused = evaluate(HUIYANG, Facts.from_records([people[k] for k in order], employers=EMPLOYERS), on=on,
                     only_automatic=True, culprits=ids)  # groups and masks block by block
    assert [(int(f), int(v)) for f, v in zip(*fused.masks[1:])] == [alone[k] for k in order]


def test_automatic_view_shortcuts_give_the_plain_combination_of_the_tree():
    """人工核验条款按通过计算的“自动结论”：含人工条款的任一/全部/均不组合用常量或只读其余子条款计算，
    与逐层按定义组合（none_of、软性表述、嵌套）的结果一致；各条款自身状态亦一致。"""
    import random

    from gongjiang.policy.engine import GROUPS, _combine, _effective
    from gongjiang.policy.tests.test_clause_kinds import policy

    rng = random.Random(13)
    people = [{"birth": f"{rng.randint(1955, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"}
              if rng.random() < 0.85 else {} for _ in range(60)]
    facts = Facts.from_records(people)
    for trial in range(40):
        counter = iter(range(10**6))

        def clause(depth, indent):
            cid = f"c{next(counter)}"
            soft = ", on_fail: needs_review" if rng.random() < 0.25 else ""
            pad = " " * indent
            if depth < 3 and rng.random() < 0.45:
                kind = rng.choice(["all_of", "any_of", "none_of"])
                kids = "".join(clause(depth + 1, indent + 4) for _ in range(rng.randint(1, 4)))
                return f"{pad}- id: {cid}\n{pad}  kind: {kind}\n{pad}  article: 第四条{soft.replace(', ', chr(10) + pad + '  ')}\n" \
                       f"{pad}  clauses:\n{kids}"
            if rng.random() < 0.4:
                return f"{pad}- {{id: {cid}, kind: manual, article: 第四条, text: 人工核验{soft}}}\n"
            return f"{pad}- {{id: {cid}, kind: age, article: 第四条, max: {{value: {rng.randint(20, 70)}, word: 以下}}{soft}}}\n"

        pol = policy("".join(clause(1, 8) for _ in range(rng.randint(1, 5))))
        r = evaluate(pol, facts, on=dt.date(2025, 1, 1))

        def reference(c, automatic):
            if c.kind == "manual" and automatic:
                return np.full(facts.n, PASS, np.int8)
            if c.kind not in GROUPS:
                return r.status[c.id]
            return _effective(c, _combine(c.kind, [reference(ch, automatic) for ch in c.clauses]))

        for c in walk(r.root):
            assert r.status[c.id].tolist() == reference(c, False).tolist(), (trial, c.id)
            assert r.automatic_status[c.id].tolist() == reference(c, True).tolist(), (trial, c.id)
        assert r.automatic.tolist() == _effective(r.root, reference(r.root, True)).tolist()
        lean = evaluate(pol, facts, on=dt.date(2025, 1, 1), only_automatic=True)
        assert {k: v.tolist() for k, v in lean.automatic_status.items()} == \
            {c.id: reference(c, True).tolist() for c in walk(r.root)}, trial
