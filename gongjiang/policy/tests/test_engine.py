"""Engine properties beyond the YAML cases: batch = single by construction, unknowns, windows."""
import datetime as dt

import numpy as np

from gongjiang.policy.engine import evaluate
from gongjiang.policy.explain import explain
from gongjiang.policy.facts import FAIL, NEEDS_REVIEW, PASS, Facts
from gongjiang.policy.loader import POLICIES_DIR, read_policy

HUIYANG = read_policy(POLICIES_DIR / "huiyang-chief-technician.yaml").policy
LIAOCHENG = read_policy(POLICIES_DIR / "liaocheng-2019-chief-technician.yaml").policy
EMPLOYERS = {"甲公司": {"sector": "enterprise", "place": "惠阳区", "records": []}}


def _person(i, **extra):
    return {"id": f"p{i}", "birth": dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28), "gender": "MF"[i % 2],
            "post_category": ["worker", "cadre"][i % 3 % 2],
            "employment": [{"employer": "甲公司", "start": "2015-01-01", "frontline": bool(i % 5)}],
            "insurance": [{"employer": "甲公司", "from": f"2024-{1 + i % 3:02d}", "to": "2024-12"}],
            "certificates": [{"level": 3 + i % 3}], "records": [], "titles": [], **extra}


def test_batch_and_single_person_give_identical_results():
    people = [_person(i) for i in range(60)]
    batch = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    for i in (0, 7, 33, 59):
        one = evaluate(HUIYANG, Facts.from_records([people[i]], employers=EMPLOYERS), on=dt.date(2025, 1, 1))
        assert one.overall[0] == batch.overall[i]
        for cid, status in batch.status.items():
            assert one.status[cid][0] == status[i], cid
        assert explain(one, 0).as_text() == explain(batch, i).as_text()


def test_exactly_twelve_insured_months_pass_and_eleven_fail():
    people = [_person(0, insurance=[{"employer": "甲公司", "from": "2024-01", "to": "2024-12"}]),
              _person(0, insurance=[{"employer": "甲公司", "from": "2024-02", "to": "2024-12"}]),
              _person(0, insurance=[{"employer": "甲公司", "from": "2023-01", "to": "2023-12"}])]
    r = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    assert list(r.status["7.insured"]) == [PASS, FAIL, FAIL]


def test_competition_window_near_four_years_inclusive():
    base = {"titles": [{"title": "县（市、区）首席技师", "start": "2017-01-01"}]}
    people = [_person(0, competitions=[{"level": "省级", "class": "一类", "rank": 1, "date": d}], **base)
              for d in ("2015-07-01", "2015-06-30")]
    people.append(_person(0, competitions=[{"level": "省级", "class": "一类", "rank": 1}], **base))
    r = evaluate(LIAOCHENG, Facts.from_records(people), on=dt.date(2019, 7, 1))
    assert list(r.status["2.2.3"]) == [PASS, FAIL, NEEDS_REVIEW]  # unknown date: a reviewer decides


def test_rejected_rows_are_ignored_and_sources_are_explained():
    people = [_person(0, studios=[{"level": "市级", "role": "leader", "verification": "rejected"}]),
              _person(0, studios=[{"level": "市级", "role": "leader", "source": "registry", "verified": True}])]
    r = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    assert list(r.status["7.8"]) == [FAIL, PASS]
    clause = next(c for c in explain(r, 1).clauses if c.id == "7.8")
    assert clause.facts[0].source == "部门数据" and clause.facts[0].verification == "已核验"


def test_priority_rules_give_a_tie_break_key():
    people = [_person(0, birth="1995-03-01", certificates=[{"level": "高级技师"}]),
              _person(0, birth="1980-03-01", certificates=[{"level": "技师"}])]
    r = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    assert r.tie_break_key(0) == (PASS, PASS)
    assert r.tie_break_key(1) == (FAIL, FAIL)
    order = np.lexsort(-r.priority.T[::-1].astype(int))
    assert list(order) == [0, 1]


def test_policy_not_in_force_is_flagged():
    r = evaluate(HUIYANG, Facts.from_records([_person(0)], employers=EMPLOYERS), on=dt.date(2026, 1, 1))
    assert not r.in_force
    assert "不在本政策有效期内" in explain(r, 0).as_text()


def test_exclusion_children_are_explained_from_the_persons_side():
    """第八条（三）: a criminal record excludes. Under none_of the child clause's own "pass" means the
    situation exists; the explanation says 存在此情形 (coloured as failing) rather than 符合, and 无此情形
    (coloured as passing) rather than 不符合; `status` keeps the engine's raw result."""
    people = [_person(0, records=[{"kind": "criminal_record", "start": "2010-05-01"}]), _person(1)]
    r = evaluate(HUIYANG, Facts.from_records(people, employers=EMPLOYERS), on=dt.date(2025, 1, 1))
    assert r.status["8.3"][0] == PASS and r.status["8.3"][1] == FAIL  # the engine's raw truth is unchanged
    convicted = next(c for c in explain(r, 0).clauses if c.id == "8.3")
    clean = next(c for c in explain(r, 1).clauses if c.id == "8.3")
    assert (convicted.status, convicted.tone, convicted.status_label) == ("pass", "fail", "存在此情形")
    assert (clean.status, clean.tone, clean.status_label) == ("fail", "pass", "无此情形")
    assert clean.sentence.endswith("无此情形")
