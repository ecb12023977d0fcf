"""Policy test cases (OpenFisca style): facts in, expected clause results out.

`policies/<code>.cases.yaml` beside `policies/<code>.yaml`:

    policy: huiyang-chief-technician
    date: 2025-01-01                # reference date (a case may override; not "on", a YAML boolean)
    honour: chief-technician        # default: the policy's first honour
    employers: {甲公司: {sector: enterprise, place: 惠阳区, records: []}}
    base: {...person...}            # merged under every case's person
    cases:
      - name: 年满法定退休年龄
        person: {birth: 1960-01-01}  # top-level keys replace the base's; attestations are merged
        drop: [certificates]         # keys removed from the base (the fact becomes unknown)
        tree: eligibility            # or renewal
        expect: {7.age: fail, overall: fail}

All cases of one (on, honour, tree) run as one batch, so the tests exercise the batch path.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from .engine import evaluate
from .facts import STATUS, STATUS_NAMES, Facts
from .loader import CASES_SUFFIX, POLICIES_DIR, read_policy, vocabulary
from .schema import walk


@dataclass
class CaseResult:
    file: str
    name: str
    clause: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    def __str__(self):
        return f"{self.file}: {self.name}: {self.clause} expected {self.expected}, got {self.actual}"


def case_files(directory: Path = POLICIES_DIR) -> list[Path]:
    return sorted(directory.glob(f"*{CASES_SUFFIX}"))


def policy_path_for(cases_path: Path) -> Path:
    return cases_path.with_name(cases_path.name.removesuffix(CASES_SUFFIX) + ".yaml")


def _merge(base: dict, case: dict) -> dict:
    person = {k: v for k, v in base.items() if k not in case.get("drop", [])}
    for key, value in (case.get("person") or {}).items():
        if key == "attestations" and isinstance(value, dict) and isinstance(person.get(key), dict):
            person[key] = {**person[key], **value}
        else:
            person[key] = value
    person["id"] = case["name"]
    return person


def run_file(path: Path) -> list[CaseResult]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    policy = read_policy(policy_path_for(path)).policy
    if spec.get("policy") != policy.code:
        raise ValueError(f"{path}: policy is {spec.get('policy')!r}, expected {policy.code!r}")
    names, _ = vocabulary().with_local(policy.vocabulary)
    groups: dict[tuple, list[dict]] = {}
    for case in spec["cases"]:
        on = case.get("date", spec.get("date"))
        on = on if isinstance(on, dt.date) else dt.date.fromisoformat(str(on))
        key = (on, case.get("honour", spec.get("honour")), case.get("tree", "eligibility"))
        groups.setdefault(key, []).append(case)
    results = []
    for (on, honour, tree), cases in groups.items():
        people = [_merge(spec.get("base") or {}, c) for c in cases]
        facts = Facts.from_records(people, employers=spec.get("employers") or {}, policy=policy.code,
                                   vocabulary=names)
        batch = evaluate(policy, facts, on=on, honour=honour, tree=tree)
        for i, case in enumerate(cases):
            for clause, expected in case["expect"].items():
                clause = str(clause)
                if expected not in STATUS:
                    raise ValueError(f"{path}: {case['name']}: unknown status {expected!r}")
                if clause in ("overall", "automatic"):
                    actual = getattr(batch, clause)[i]
                elif clause in batch.status:
                    actual = batch.status[clause][i]
                else:
                    raise ValueError(f"{path}: {case['name']}: no clause {clause!r} in {honour or 'first honour'}/{tree}")
                results.append(CaseResult(path.name, case["name"], f"{honour or ''}/{tree}/{clause}", expected,
                                          STATUS_NAMES[int(actual)]))
    return results


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def coverage_gaps(path: Path) -> list[str]:
    """Clauses of the policy (of every edition) lacking a passing or a failing expected case."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    policy = read_policy(policy_path_for(path)).policy
    seen: dict[tuple, set] = {}
    for case in spec["cases"]:
        edition = policy.edition_on(_date(case.get("date", spec.get("date"))))
        honour = case.get("honour", spec.get("honour")) or edition.honours[0].code
        tree = case.get("tree", "eligibility")
        for clause, expected in case["expect"].items():
            seen.setdefault((edition.edition, honour, tree, str(clause)), set()).add(expected)
    gaps = []
    for edition, honours in [("", policy.honours), *((e.id, e.honours) for e in policy.editions)]:
        where = f"edition {edition}: " if edition else ""
        for h in honours:
            trees = [("eligibility", h.eligibility, [r.clause for r in h.priority])]
            if h.renewal:
                trees.append(("renewal", h.renewal.criteria, []))
            for tree, root, extra in trees:
                for top in [root, *extra]:
                    for clause in walk(top):
                        got = seen.get((edition, h.code, tree, clause.id), set())
                        # soft wording never fails on its own: its needs_review is the failing case
                        failing = "needs_review" if clause.on_fail == "needs_review" else "fail"
                        for needed in ("pass", failing):
                            if needed not in got:
                                gaps.append(f"{where}{h.code}/{tree}/{clause.id} lacks a {needed} case")
    return gaps
