"""安全信用审查 (惠阳 第十条（六）: 征求公安、市场监管、法院、检察院、税务等部门意见): one request per
department the policy names; an adverse answer drops the candidate with its reason.

The policy may also name employer situations that stop the candidate at this stage
(`employer_conditions`, 惠阳 第十一条: 申请人所在单位存在以下情形之一的，暂不予受理或不予审核通过),
each with its effect: `suspend` defers the candidate until the situation ends (暂缓), `refuse`
fails the credit check (不予审核通过). The situations are the employer record kinds of the
registry (gongjiang.policy.facts.ORG_RECORD_KINDS); nothing here names a city."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from gongjiang.policy.facts import ORG_RECORD_KINDS

from .base import Action, Article, Stage, StageSettings, Strict

STATE = "credit_check"
FAILED = "credit_failed"
DEFERRED = "deferred"

STATES = {
    STATE: ("安全信用审查中", "安全信用审查中"),
    FAILED: ("安全信用审查未通过", "安全信用审查未通过"),
    DEFERRED: ("单位存在暂缓情形，暂缓审核", "因所在单位情况暂缓审核"),
}
MOVES = {
    STATE: {FAILED: "有关部门反馈不良记录，或所在单位存在政策规定不予审核通过的情形",
            DEFERRED: "所在单位存在政策规定的暂缓情形"},
    DEFERRED: {STATE: "单位暂缓情形消除，恢复安全信用审查",
               FAILED: "单位情形经查实，不予审核通过"},
}

# The departments a credit check may ask, by code, with the names policy texts use for them.
DEPARTMENTS = {
    "police": ("公安", ("公安局", "公安机关")),
    "market": ("市场监管", ("市场监督管理", "市场监管局", "市场监督管理局")),
    "court": ("法院", ("人民法院",)),
    "procuratorate": ("检察院", ("人民检察院",)),
    "tax": ("税务", ("税务局", "税务部门")),
}


def department_code(name: str) -> str | None:
    """The code of a department as a policy names it ("公安", "人民法院"), or None if unknown."""
    for code, (label, aliases) in DEPARTMENTS.items():
        if name in (code, label, *aliases):
            return code
    return None


class EmployerCondition(Strict):
    article: Article
    records: list[Literal[tuple(ORG_RECORD_KINDS)]] = Field(min_length=1)  # type: ignore[valid-type]
    effect: Literal["suspend", "refuse"]
    text: str = ""


class Settings(StageSettings):
    kind: Literal["credit_check"]
    departments: list[str] = Field(min_length=1)
    employer_conditions: list[EmployerCondition] = []

    @field_validator("departments")
    @classmethod
    def _known(cls, names):
        unknown = [n for n in names if department_code(n) is None]
        if unknown:
            raise ValueError(f"unknown departments {unknown}; known: {[v[0] for v in DEPARTMENTS.values()]}")
        return names

    def describe(self) -> list[str]:
        bits = ["征求" + "、".join(self.departments) + "意见"]
        for c in self.employer_conditions:
            kinds = "、".join(ORG_RECORD_KINDS[k] for k in c.records)
            bits.append(f"所在单位{kinds}的{'暂缓审核' if c.effect == 'suspend' else '不予审核通过'}（{c.article}）")
        return bits


class CreditCheckStage(Stage):
    kind, label, state = STATE, "安全信用审查", STATE
    exits = (FAILED, DEFERRED)
    actions = (Action("request", "征求有关部门意见", "review.manage"),
               Action("answer", "登记部门复函", "review.manage"))
    enter_text, pass_text = "进入安全信用审查", "安全信用审查通过"

    @property
    def department_codes(self) -> list[str]:
        return list(dict.fromkeys(department_code(n) for n in self.settings.departments))

    def employer_findings(self, records) -> list[tuple[EmployerCondition, list]]:
        """The policy's employer conditions met by the employer's records in force: [(condition,
        [records])], refusals first. `records` have `kind`."""
        out = []
        for condition in sorted(self.settings.employer_conditions, key=lambda c: c.effect != "refuse"):
            hits = [r for r in records if r.kind in condition.records]
            if hits:
                out.append((condition, hits))
        return out
