"""The application form, generated from the round's policy: fixed sections (personal, employment,
skill), one text box per performance condition of the honour (with its article), row sets for
competitions, titles and apprentices. `read_form` turns a POST into the facts dict and a dict of
field errors in Chinese."""
import datetime as dt

from django import forms

from gongjiang.core.params import int_or_none
from gongjiang.core.vocab import CompetitionClass, CompetitionLevel, SkillLevel

ROWS = {"competitions": 3, "titles": 3, "apprentices": 3}
MAX_ROWS = 30
TEXT_MAX = 500
# Bounds of the numbers a form field can hold (insurance months since 1950, a placement, a level):
# an impossible value is refused when it is typed, not when the application is submitted.
INT_RANGES = {"int": (0, 1200), "skill_level": (1, max(SkillLevel.values)),
              "competition_level": (min(CompetitionLevel.values), max(CompetitionLevel.values)),
              "competition_class": (min(CompetitionClass.values), max(CompetitionClass.values))}
ROW_FIELDS = {
    "competitions": [("name", "竞赛名称", "text"), ("level", "级别", "competition_level"),
                     ("klass", "类别", "competition_class"), ("rank", "名次", "int"), ("held_on", "比赛日期", "date")],
    "titles": [("name", "称号或荣誉", "text"), ("level", "授予级别", "competition_level"), ("awarded_on", "授予日期", "date")],
    "apprentices": [("name", "徒弟姓名", "text"), ("level", "徒弟技能等级", "skill_level"),
                    ("backbone", "成为技能骨干", "bool"), ("competition", "竞赛获奖", "bool"), ("note", "说明", "text")],
}
FIELDS = {
    "personal": [("name", "姓名", "text", True), ("gender", "性别", "gender", True), ("birth_date", "出生日期", "date", True),
                 ("education", "文化程度", "text", False), ("political", "政治面貌", "text", False)],
    "employment": [("employer_name", "工作单位", "text", True), ("post", "岗位/工种", "text", True),
                   ("frontline", "在一线技能岗位工作", "bool", False), ("start", "在本单位工作起始日期", "date", True),
                   ("insurance_months", "在本地连续缴纳社会保险月数", "int", False)],
    "skill": [("occupation", "职业（工种）", "text", True), ("level", "职业资格/技能等级", "skill_level", True),
              ("number", "证书编号", "text", False), ("issued_on", "发证日期", "date", False)],
}
SECTION_LABELS = {"personal": "基本信息", "employment": "工作情况", "skill": "职业资格（技能等级）"}
CHOICES = {
    "skill_level": [("", "请选择")] + [(str(v), lbl) for v, lbl in SkillLevel.choices if v >= 1],
    "competition_level": [("", "—")] + [(str(v), lbl) for v, lbl in CompetitionLevel.choices],
    "competition_class": [(str(v), lbl) for v, lbl in CompetitionClass.choices],
    "gender": [("", "请选择"), ("男", "男"), ("女", "女")],
}


def conditions_for(rnd, tier=None) -> list[dict]:
    """The performance conditions of the honour an applicant describes their record against:
    the alternatives of its any_of groups (e.g. Huiyang 第七条（一）…（八）)."""
    from gongjiang.policy.render import wording
    from gongjiang.policy.schema import walk

    from gongjiang.rounds.policy_link import honour_of, parsed

    out = []
    for clause in walk(honour_of(rnd.policy, tier or rnd.honour_code, on=rnd.reference_date).eligibility):
        if getattr(clause, "kind", "") == "any_of":
            for child in clause.clauses:
                label = child.text or child.note or wording(child, parsed(rnd.policy))
                out.append({"id": child.id, "article": child.article, "label": label})
    return out


TALENT_TYPE_KEY = "skill.talent_type"


def talent_types_for(rnd) -> list[str]:
    """The talent types the round's policy considers (`talent_types`, 惠阳 第三条), or none."""
    from gongjiang.rounds.policy_link import parsed

    spec = parsed(rnd.policy).talent_types
    return list(spec.types) if spec else []


def known_titles(rnd, tier=None) -> list[str]:
    """Titles the policy names (for the form's suggestions: the engine matches them exactly)."""
    from gongjiang.policy.schema import walk

    from gongjiang.rounds.policy_link import honour_of

    honour = honour_of(rnd.policy, tier or rnd.honour_code, on=rnd.reference_date)
    trees = [honour.eligibility, *(p.clause for p in honour.priority)]
    names = []
    for tree in trees:
        for clause in walk(tree):
            for name in getattr(clause, "titles", []) or ([clause.title] if getattr(clause, "kind", "") == "incumbency"
                                                        else []):
                if name not in names:
                    names.append(name)
    return names


def _parse(kind, raw, label, errors, key, required):
    raw = (raw or "").strip()
    if not raw:
        if required:
            errors[key] = f"请填写{label}"
        return None if kind != "bool" else False
    if kind == "date":
        try:
            d = dt.date.fromisoformat(raw)
        except ValueError:
            errors[key] = f"{label}格式应为 年-月-日"
            return None
        if d > dt.date.today() + dt.timedelta(days=1):
            errors[key] = f"{label}不能晚于今天"
        return d.isoformat()
    if kind in INT_RANGES:
        lo, hi = INT_RANGES[kind]
        number = int_or_none(raw, lo=lo, hi=hi)
        if number is None:
            errors[key] = f"{label}应为 {lo} 至 {hi} 之间的整数"
        return number
    if kind == "bool":
        return raw in ("on", "1", "true", "yes")
    if len(raw) > TEXT_MAX:
        errors[key] = f"{label}不能超过 {TEXT_MAX} 个字"
        return raw[:TEXT_MAX]
    return raw


def read_form(post, rnd, *, strict=False, tier=None) -> tuple[dict, str, dict]:
    """(facts, deed_text, errors). Drafts save with missing required fields (strict=False);
    format errors are always reported."""
    errors, facts = {}, {}
    for section, fields in FIELDS.items():
        facts[section] = {}
        for name, label, kind, required in fields:
            key = f"{section}.{name}"
            facts[section][name] = _parse(kind, post.get(key), label, errors, key, required and strict)
    types = talent_types_for(rnd)
    if types:
        chosen = (post.get(TALENT_TYPE_KEY) or "").strip()
        if chosen and chosen not in types:
            errors[TALENT_TYPE_KEY] = "人才类型应从列表中选择"
        facts["skill"]["talent_type"] = chosen if chosen in types else None
    for table, fields in ROW_FIELDS.items():
        rows = []
        n = int_or_none(post.get(f"{table}.count", ROWS[table]), hi=MAX_ROWS)
        if n is None:
            errors[f"{table}.count"] = f"行数应为 0 至 {MAX_ROWS} 之间的整数"
            n = 0
        for i in range(n):
            row = {name: _parse(kind, post.get(f"{table}.{i}.{name}"), label, errors, f"{table}.{i}.{name}", False)
                   for name, label, kind in fields}
            if row.get("name"):
                rows.append(row)
        facts[table] = rows
    facts["achievements"] = {c["id"]: (post.get(f"achievement.{c['id']}") or "").strip()[:3000]
                             for c in conditions_for(rnd, tier)}
    facts["achievements"] = {k: v for k, v in facts["achievements"].items() if v}
    facts["achievement_labels"] = [c for c in conditions_for(rnd, tier) if c["id"] in facts["achievements"]]
    deed = (post.get("deed_text") or "").replace("\r\n", "\n").strip()
    return facts, deed, errors


def form_context(app, post=None, errors=None) -> dict:
    """Everything the template needs to draw the generated form with current values."""
    facts = app.facts or {}
    sections = []
    for section, fields in FIELDS.items():
        values = facts.get(section, {})
        rows = []
        for name, label, kind, required in fields:
            key = f"{section}.{name}"
            value = post.get(key) if post is not None else values.get(name)
            rows.append({"key": key, "label": label, "kind": kind, "required": required,
                         "value": "" if value is None else value, "choices": CHOICES.get(kind),
                         "error": (errors or {}).get(key)})
        if section == "skill" and talent_types_for(app.round):
            value = post.get(TALENT_TYPE_KEY) if post is not None else values.get("talent_type")
            rows.append({"key": TALENT_TYPE_KEY, "label": "人才类型", "kind": "talent_type", "required": False,
                         "value": value or "", "error": (errors or {}).get(TALENT_TYPE_KEY),
                         "choices": [("", "请选择")] + [(t, t) for t in talent_types_for(app.round)]})
        sections.append({"label": SECTION_LABELS[section], "fields": rows})
    tables = []
    for table, fields in ROW_FIELDS.items():
        existing = facts.get(table, [])
        count = max(ROWS[table], len(existing) + 1)
        rows = []
        for i in range(count):
            row = existing[i] if i < len(existing) else {}
            rows.append([{"key": f"{table}.{i}.{name}", "label": label, "kind": kind, "choices": CHOICES.get(kind),
                          "value": row.get(name) if kind == "bool" else
                          (str(row.get(name)) if row.get(name) not in (None, "") else ""),
                          "list": "known-titles" if table == "titles" and name == "name" else "",
                          "error": (errors or {}).get(f"{table}.{i}.{name}")} for name, label, kind in fields])
        tables.append({"name": table, "label": {"competitions": "竞赛成绩", "titles": "称号与荣誉",
                                                 "apprentices": "带徒情况"}[table],
                       "headers": [f[1] for f in fields], "rows": rows, "count": count})
    achievements = facts.get("achievements", {})
    conds = [{**c, "value": achievements.get(c["id"], "")} for c in conditions_for(app.round, app.tier)]
    return {"sections": sections, "tables": tables, "conditions": conds, "known_titles": known_titles(app.round, app.tier)}


class NominateForm(forms.Form):
    id_number = forms.CharField(label="员工身份证号码", max_length=18)
    name = forms.CharField(label="员工姓名", max_length=60)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class CompetitionSearchForm(forms.Form):
    """Name search over the registry people with competition placements (环翠 第十条（二）)."""
    q = forms.CharField(label="姓名", max_length=60, required=False)
