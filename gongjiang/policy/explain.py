"""The explanation of one person's result: every clause with its article, a Chinese sentence and the
facts used with their source. Reads a BatchResult; evaluates nothing itself, so it cannot disagree
with batch screening."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import dates
from .engine import HINTS, BatchResult
from .facts import (ACHIEVEMENT_KINDS, CERT_KIND_LABELS, NEEDS_REVIEW, ORG_RECORD_KINDS, RECORD_KINDS,
                    SECTOR_LABELS, SOURCE_LABELS, STATUS_NAMES, STUDIO_KIND_LABELS, VERIFICATION_LABELS)
from .levels import CLASS_LABELS, LEVEL_LABELS, SKILL_SHORT
from .render import STATUS_LABELS, attribute_label, describe


@dataclass
class FactUsed:
    table: str
    text: str
    source: str
    verification: str
    ref: int = -1


@dataclass
class ClauseExplanation:
    id: str
    article: str
    kind: str
    depth: int
    status: str
    status_label: str
    sentence: str
    text: str
    facts: list[FactUsed] = field(default_factory=list)
    # How a page colours the row, from the person's side (pass/fail/needs_review). Equals `status`
    # except under none_of, where an existing disqualifying situation is shown as failing.
    tone: str = ""


@dataclass
class Explanation:
    person: str
    policy: str
    honour: str
    on: dt.date
    overall: str
    automatic: str
    in_force: bool
    tie_break_key: tuple
    clauses: list[ClauseExplanation]
    priority: list[ClauseExplanation]

    def as_text(self) -> str:
        lines = [f"{self.policy} · {self.honour} · 参照日 {self.on.isoformat()} · 人员 {self.person}",
                 f"结论：{_OVERALL[self.overall]}（自动条件：{_OVERALL[self.automatic]}）"]
        if not self.in_force:
            lines.append("注意：参照日不在本政策有效期内")
        for c in self.clauses + self.priority:
            lines.append(f"{'  ' * c.depth}[{c.status_label}] {c.article} {c.sentence}")
            for f in c.facts:
                lines.append(f"{'  ' * c.depth}    · {f.text}（{f.source}，{f.verification}{'' if f.ref < 0 else f'，记录#{f.ref}'}）")
        if self.tie_break_key:
            lines.append("优先排序键：" + " ".join(str(x) for x in self.tie_break_key))
        return "\n".join(lines)


_OVERALL = {"pass": "符合条件", "fail": "不符合条件", "needs_review": "需人工核实"}


def _d(o) -> str:
    return dt.date.fromordinal(int(o)).isoformat() if o > 0 else "日期不明"


def _tri(v) -> str:
    return {1: "是", 0: "否"}.get(int(v), "不明")


def _row_text(facts, table, r) -> str:
    t = facts.tables[table]
    if table == "employment":
        org = facts.org_names[t.org[r]] if t.org[r] >= 0 else "无单位（自由职业）"
        sector = SECTOR_LABELS[int(facts.orgs.sector[t.org[r]])] if t.org[r] >= 0 else "个体/自由职业"
        end = _d(t.end[r]) if t.end[r] > 0 else "今"
        return (f"就业：{org}（{sector}，{facts.place_name(int(t.place[r]))}）{_d(t.start[r])}至{end}，"
                f"一线技能岗位：{_tri(t.frontline[r])}")
    if table == "certificates":
        return f"{CERT_KIND_LABELS[int(t.kind[r])]}：{SKILL_SHORT.get(int(t.level[r]), '等级不明')}，{_d(t.issued[r])}取得"
    if table == "competitions":
        rank = f"第{t.rank[r]}名" if t.rank[r] > 0 else "名次不明"
        return f"竞赛：{LEVEL_LABELS[int(t.level[r])]}{CLASS_LABELS[int(t.klass[r])]}技能竞赛{rank}（{_d(t.date[r])}）"
    if table == "titles":
        end = f"至{_d(t.end[r])}" if t.end[r] > 0 else ""
        issuer = f"，{facts.place_name(int(t.issuer[r]))}授予" if t.issuer[r] >= 0 else ""
        return f"称号：“{facts.word('title', int(t.title[r]))}”（{_d(t.start[r])}起{end}{issuer}）"
    if table == "achievements":
        kind = facts.word("achievement", int(t.kind[r]))
        grade = f"，{'一二三'[t.grade[r] - 1]}等奖" if 1 <= t.grade[r] <= 3 else ""
        level = LEVEL_LABELS.get(int(t.level[r]), "级别不明")
        return f"成果：{ACHIEVEMENT_KINDS.get(kind, kind)}（{level}{grade}，{_d(t.date[r])}）"
    if table == "apprentices":
        return (f"徒弟：{SKILL_SHORT.get(int(t.level[r]), '等级不明')}（{_d(t.level_date[r])}取得），"
                f"技能骨干：{_tri(t.backbone[r])}，竞赛获奖：{_tri(t.competition[r])}")
    if table == "studios":
        role = "领办人" if t.role[r] == 1 else "成员"
        return f"{LEVEL_LABELS[int(t.level[r])]}{STUDIO_KIND_LABELS[int(t.kind[r])]}{role}（{_d(t.start[r])}起）"
    if table == "programmes":
        grade = f"{chr(64 + int(t.grade[r]))}类" if t.grade[r] > 0 else ""
        return f"人才计划：“{facts.word('programme', int(t.programme[r]))}”{grade}"
    if table == "records":
        kind = facts.word("record", int(t.kind[r]))
        end = f"至{_d(t.end[r])}" if t.end[r] > 0 else "，尚未了结"
        return f"记录：{RECORD_KINDS.get(kind, kind)}（{_d(t.start[r])}起{end}）"
    if table == "attestations":
        return f"审核认定：{STATUS_LABELS[int(t.result[r])]}（{_d(t.date[r])}）理由：{facts.attestation_reasons[r] or '未填写'}"
    if table in ("attributes", "org_attributes"):
        name = facts.word("attribute", int(t.attr[r]))
        value = facts.word("attribute_value", int(t.value[r])) if t.value[r] >= 0 else ""
        level = LEVEL_LABELS.get(int(t.level[r]), "") if t.level[r] >= 0 else ""
        holds = "" if t.holds[r] == 1 else "（否）"
        end = f"至{_d(t.end[r])}" if t.end[r] > 0 else ""
        since = f"（{_d(t.start[r])}起{end}）" if t.start[r] > 0 else ""
        who = f"单位“{facts.org_names[t.org[r]]}”：" if table == "org_attributes" else ""
        return f"{who}{attribute_label(name)}{'：' + value if value else ''}{level}{holds}{since}"
    if table == "org_records":
        kind = facts.word("org_record", int(t.kind[r]))
        end = f"至{_d(t.end[r])}" if t.end[r] > 0 else "，尚未了结"
        return f"单位“{facts.org_names[t.org[r]]}”：{ORG_RECORD_KINDS.get(kind, kind)}（{_d(t.start[r])}起{end}）"
    raise ValueError(table)


def _insurance_facts(facts, rows) -> list[FactUsed]:
    """Insurance months grouped by employer and place: '甲公司（惠阳区）2024-01至2024-12，共12个月'."""
    t = facts.insurance
    out = []
    groups: dict[tuple, list[int]] = {}
    for r in rows:
        groups.setdefault((int(t.org[r]), int(t.place[r]), int(t.source[r]), int(t.verification[r])), []).append(int(t.month[r]))
    for (org, place, src, ver), months in groups.items():
        months.sort()
        first, last = months[0], months[-1]
        name = facts.org_names[org] if org >= 0 else "单位不明"
        out.append(FactUsed("insurance", f"社会保险：{name}（{facts.place_name(place)}）{first // 12}-{first % 12 + 1:02d}至"
                                         f"{last // 12}-{last % 12 + 1:02d}，共{len(set(months))}个月",
                            SOURCE_LABELS[src], VERIFICATION_LABELS[ver]))
    return out


def _person_facts(facts, i, names) -> list[FactUsed]:
    p = facts.person
    out = []
    for name in names:
        if name == "birth":
            b = int(p.birth[i])
            out.append(FactUsed("person", f"出生日期：{_d(b)}", SOURCE_LABELS[int(p.src_birth[i])], "—"))
        elif name == "gender":
            out.append(FactUsed("person", "性别：" + {1: "男", 2: "女"}.get(int(p.gender[i]), "不明"),
                                SOURCE_LABELS[int(p.src_birth[i])], "—"))
        elif name == "post_category" and p.gender[i] != 1:
            out.append(FactUsed("person", "岗位类别：" + {1: "工人岗位", 2: "管理/专业技术岗位"}.get(int(p.post_category[i]), "不明"),
                                SOURCE_LABELS[int(p.src_post_category[i])], "—"))
        elif name == "residence":
            out.append(FactUsed("person", f"居住地：{facts.place_name(int(p.residence[i]))}",
                                SOURCE_LABELS[int(p.src_residence[i])], "—"))
    return out


def _facts_used(result: BatchResult, cid: str, i: int) -> list[FactUsed]:
    facts = result.facts
    outcome = result.outcomes[cid]
    used = _person_facts(facts, i, outcome.person)
    for table, mask in outcome.rows.items():
        t = facts.tables[table]
        if table in ("org_records", "org_attributes"):
            emp = facts.employment
            mine = set(emp.org[(emp.person == i) & result.outcomes[cid].rows.get("employment", np.zeros(len(emp), bool))])
            rows = [r for r in np.nonzero(mask)[0] if int(t.org[r]) in mine]
        else:
            rows = np.nonzero(mask & (t.person == i))[0]
        if table == "insurance":
            used.extend(_insurance_facts(facts, rows))
            continue
        for r in rows:
            used.append(FactUsed(table, _row_text(facts, table, r), SOURCE_LABELS[int(t.source[r])],
                                 VERIFICATION_LABELS[int(t.verification[r])], int(t.ref[r])))
    return used


def _detail(result, clause, i) -> str:
    p = result.facts.person
    if clause.kind in ("age", "working_age") and p.birth[i] > 0:
        born = dt.date.fromordinal(int(p.birth[i]))
        text = f"参照日{result.on.isoformat()}时{dates.age_on(born, result.on)}周岁"
        if clause.kind == "working_age":
            schemes = {1: ["male"], 2: {1: ["female_worker"], 2: ["female_cadre"]}.get(int(p.post_category[i]),
                                                                                    ["female_worker", "female_cadre"])}
            names = schemes.get(int(p.gender[i]), list(dates.RETIREMENT_SCHEMES))
            when = sorted({dates.retirement_date(born, s) for s in names})
            text += "，法定退休日期" + "或".join(d.isoformat() for d in when)
        return text
    return ""


# A child of none_of describes a disqualifying situation: its own "pass" means the situation exists,
# which is bad for the person. Explanations speak from the person's side so a clerk is not misled.
EXCLUSION_LABELS = {0: "无此情形", 1: "需人工核实", 2: "存在此情形"}
EXCLUSION_TONE = {0: "pass", 1: "needs_review", 2: "fail"}


def _explain_clause(result, clause, i, depth, *, in_exclusion=False) -> ClauseExplanation:
    status = int(result.status[clause.id][i])
    label = (EXCLUSION_LABELS if in_exclusion else STATUS_LABELS)[status]
    tone = EXCLUSION_TONE[status] if in_exclusion else STATUS_NAMES[status]
    sentence = f"{describe(clause, result.policy)}：{label}"
    detail = _detail(result, clause, i)
    if detail:
        sentence += f"（{detail}）"
    outcome = result.outcomes[clause.id]
    if status == NEEDS_REVIEW and outcome.hint is not None and outcome.hint[i]:
        sentence += f"（{HINTS[int(outcome.hint[i])]}）"
    facts = [] if clause.kind in ("all_of", "any_of", "none_of") else _facts_used(result, clause.id, i)
    return ClauseExplanation(clause.id, clause.article, clause.kind, depth, STATUS_NAMES[status], label, sentence,
                             clause.text, facts, tone=tone)


def _tree(result, root, i, depth=0, *, in_exclusion=False) -> list[ClauseExplanation]:
    out = [_explain_clause(result, root, i, depth, in_exclusion=in_exclusion)]
    for child in getattr(root, "clauses", []):
        out.extend(_tree(result, child, i, depth + 1, in_exclusion=root.kind == "none_of"))
    return out


def explain(result: BatchResult, i: int, *, label: str | None = None) -> Explanation:
    """The explanation of person `i` of the batch."""
    h = result.honour
    root = h.eligibility if result.tree == "eligibility" else h.renewal.criteria
    priority = []
    if result.tree == "eligibility":
        for rule in h.priority:
            priority.extend(_tree(result, rule.clause, i, 0))
    return Explanation(label or result.facts.labels[i], result.policy.short_title, h.title, result.on,
                       STATUS_NAMES[int(result.overall[i])], STATUS_NAMES[int(result.automatic[i])],
                       result.in_force, result.tie_break_key(i), _tree(result, root, i), priority)
