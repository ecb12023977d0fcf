"""Policy content as Chinese text: conditions (for the policy pages, the public call page and the
explanations), benefits, stages, exits. Pure functions of the parsed policy."""
from __future__ import annotations

import datetime as dt

from . import dates
from .facts import ACHIEVEMENT_KINDS, CERT_KIND_LABELS, CERT_KINDS, ORG_RECORD_KINDS, RECORD_KINDS, \
    SECTOR_LABELS, SECTORS, STUDIO_KIND_LABELS, STUDIO_KINDS
from .levels import CLASS_LABELS, LEVEL_LABELS, SKILL_SHORT
from .schema import PolicyFile, value_at

STAGE_LABELS = {
    "information_release": "信息发布", "application": "申报", "unit_recommendation": "单位推荐",
    "qualification_review": "资格审查", "site_inspection": "实地考察", "expert_review": "专家评审",
    "credit_check": "安全信用审查", "committee_decision": "审定", "public_notice": "公示",
    "approval": "批准发证", "organisational_review": "组织审查", "forwarding": "推荐上报",
}
ROUTE_LABELS = {"self": "个人自荐", "employer": "单位推荐", "recommending_unit": "推荐单位推荐",
                "competition_winner": "竞赛优胜者推荐"}
SCHEDULE_LABELS = {"monthly": "每月", "annual": "每年", "one_time": "一次性"}
EVENT_LABELS = {"left_skilled_post": "不再从事技能岗位工作", "moved_away": "调离本地区", "higher_title": "获评更高层级称号",
                "term_end": "管理期满", "penalty": "受到处罚", "discipline": "受到处分", "misconduct": "违法违纪或严重失德",
                "fraud": "弄虚作假骗取称号", "refused_duties": "拒不履行职责义务", "accident": "发生责任事故",
                "other": "其他情形"}
STATUS_LABELS = {0: "不符合", 1: "需人工核实", 2: "符合"}
STATUS_CLASSES = {0: "fail", 1: "needs_review", 2: "pass"}


def yuan(fen: int | None) -> str:
    if fen is None:
        return "—"
    whole, cents = divmod(int(fen), 100)
    return f"{whole:,}元" if cents == 0 else f"{whole:,}.{cents:02d}元"


def amount_text(amount, on: dt.date | None = None) -> str:
    """A (dated) amount in yuan: the value in force on `on`, else every period with its dates."""
    if amount is None or isinstance(amount, int):
        return yuan(amount)
    current = value_at(amount, on) if on else None
    if current is not None:
        return yuan(current)
    return "；".join(f"{yuan(p.value)}（{p.valid_from or '—'}至{p.valid_to or '—'}）" for p in amount)


def place_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _join(items, sep="、"):
    return sep.join(items)


def _bound_text(b, definitions) -> str:
    inc = dates.inclusive(b.word, b.inclusive, definitions)
    return f"{b.value}周岁{b.word}（{'含' if inc else '不含'}{b.value}周岁）"


def describe(clause, policy: PolicyFile | None = None) -> str:
    """The machine reading of a clause as one Chinese sentence (without its children)."""
    defs = dict(policy.definitions.inclusive) if policy and policy.definitions else {}
    where = place_name(policy.jurisdiction) if policy else "本地区"
    k = clause.kind
    if k == "all_of":
        return "同时符合下列各项"
    if k == "any_of":
        return "符合下列各项之一"
    if k == "none_of":
        return "不存在下列任一情形"
    if k == "age":
        parts = []
        if clause.min:
            parts.append(_bound_text(clause.min, defs))
        if clause.max:
            parts.append(_bound_text(clause.max, defs))
        return "年龄" + "、".join(parts) + "（按参照日计算周岁）"
    if k == "working_age":
        return f"年龄在法定劳动年龄内（年满{clause.min_age}周岁、未达法定退休年龄）"
    if k == "qualification":
        kinds = _join(CERT_KIND_LABELS[CERT_KINDS[x]] for x in clause.kinds) if clause.kinds else "职业资格或职业技能等级证书"
        if clause.exact_level is not None:
            text = f"取得{SKILL_SHORT[clause.exact_level]}{kinds}"
        else:
            text = f"具有{SKILL_SHORT[clause.min_level]}及以上{kinds}"
        if clause.issued_from:
            text += f"（{clause.issued_from.isoformat()}以后取得）"
        if clause.same_occupation:
            text += "（与现从事职业相同）"
        return text
    if k == "insured_employment":
        sectors = _join(SECTOR_LABELS[SECTORS[s]] for s in clause.sectors) if clause.sectors else ""
        if clause.continuous:
            return f"参照日前连续{clause.months}个月在{where}{sectors}工作并依法缴纳社会保险"
        return f"在{where}{sectors}累计工作并缴纳社会保险满{clause.months}个月"
    if k == "current_post":
        post = "一线技能岗位" if clause.frontline else ""
        if clause.in_jurisdiction and clause.or_residence:
            return f"在{where}行政区域内工作或居住"
        if clause.occupations:
            post = _join(clause.occupations, "或") + ("一线" if clause.frontline else "") + "岗位"
        if clause.in_jurisdiction:
            return f"参照日仍在{where}{post}工作"
        return f"参照日在{post or '岗位'}工作"
    if k == "employer_sector":
        if clause.allowed:
            return "所在单位为" + _join(SECTOR_LABELS[SECTORS[s]] for s in clause.allowed)
        return "所在单位不属于" + _join(SECTOR_LABELS[SECTORS[s]] for s in clause.excluded)
    if k == "competition":
        items = []
        for p in clause.placements:
            text = LEVEL_LABELS[p.level] + ("及以上" if p.or_higher else "")
            if p.klass:
                text += CLASS_LABELS[p.klass]
            text += "技能竞赛"
            text += f"前{p.rank_max}名" if p.rank_max and p.rank_max > 1 else ("第一名" if p.rank_max == 1 else "获奖")
            items.append(text)
        return _window(clause.within_years) + "获得" + _join(items, "，或")
    if k == "title":
        held = "现持有" if clause.held_on_date else "获得"
        issuer = f"{place_name(clause.issuer)}授予的" if clause.issuer else ""
        level = f"{LEVEL_LABELS[clause.min_level]}及以上" if clause.min_level is not None else ""
        count = f"（累计{clause.min_count}次及以上）" if clause.min_count > 1 else ""
        if not clause.titles:
            return _window(clause.within_years) + held + issuer + level + "称号" + count
        return (_window(clause.within_years) + held + issuer + level + "下列称号之一："
                + _join([f"“{t}”" for t in clause.titles]) + count)
    if k == "tenure":
        how = "连续" if clause.continuous else "累计"
        place = f"在{where}" if clause.in_jurisdiction else ""
        what = "从事本职业（工种）" if clause.same_occupation else "工作"
        full = "（全职）" if clause.full_time_only else ""
        parts = []
        for b in (clause.min, clause.max):
            if b is not None:
                inc = dates.inclusive(b.word, b.inclusive, defs)
                parts.append(f"{b.value}年{b.word}（{'含' if inc else '不含'}{b.value}年）")
        return f"{place}{how}{what}{full}" + "、".join(parts) + "（按参照日以日历日计算）"
    if k == "attribute":
        label = attribute_label(clause.attribute, policy)
        text = label
        if clause.values:
            text += "为" + _join(clause.values, "或")
        if clause.within:
            text += f"在{place_name(clause.within)}"
        if clause.min_level is not None:
            text += f"（{LEVEL_LABELS[clause.min_level]}及以上）"
        return ("所在单位为" if clause.of == "employer" else "") + text
    if k == "achievement":
        level = f"{LEVEL_LABELS[clause.min_level]}及以上" if clause.min_level is not None else ""
        grade = f"（{'一二三'[clause.max_grade - 1]}等奖及以上）" if clause.max_grade else ""
        return _window(clause.within_years) + "取得" + level + _join(ACHIEVEMENT_KINDS[x] for x in clause.kinds) + grade
    if k == "apprentices":
        level = f"取得{SKILL_SHORT[clause.min_level]}及以上证书" if clause.min_level is not None else ""
        outcomes = _join({"backbone": "成为技能骨干", "competition": "在技能竞赛中取得成绩"}[o] for o in clause.outcomes) if clause.outcomes else ""
        what = "或".join(x for x in (outcomes,) if x) + level
        if clause.per_year:
            return f"近{clause.per_year}年每年所带徒弟至少{clause.min_count}人{what}"
        return f"所带徒弟至少{clause.min_count}人{what}"
    if k == "studio":
        kinds = _join(STUDIO_KIND_LABELS[STUDIO_KINDS[x]] for x in clause.kinds) if clause.kinds else "技能大师工作室"
        return f"{LEVEL_LABELS[clause.min_level]}及以上{kinds}领办人"
    if k == "programme":
        items = [f"“{p.name}”" + (f"{p.max_grade}类及以上" if p.max_grade else "") for p in clause.programmes]
        if clause.min_level is not None:
            items.append(f"{LEVEL_LABELS[clause.min_level]}及以上人才工程")
        when = f"（{clause.joined_by.isoformat()}及以前入选）" if clause.joined_by else ""
        return "已入选" + _join(items) + when
    if k == "record":
        tail = "（尚未了结）" if clause.open_only else ""
        return _window(clause.within_years) + "有" + _join(RECORD_KINDS[x] for x in clause.kinds) + "的记录" + tail
    if k == "employer_record":
        tail = "（尚未了结）" if clause.open_only else ""
        return "所在单位" + _window(clause.within_years) + _join([ORG_RECORD_KINDS[x] for x in clause.kinds], "或") + tail
    if k == "incumbency":
        text = f"不是仍在管理期内的“{clause.title}”"
        if clause.new_achievement_years:
            text += f"；曾获该称号者近{clause.new_achievement_years}年内有新的成果"
        return text
    if k == "manual":
        return clause.text or "由审核人员认定"
    raise ValueError(k)


def attribute_label(name: str, policy: PolicyFile | None = None) -> str:
    """The Chinese label of an attribute (the policy's own vocabulary, then the shared one)."""
    if policy is not None:
        for entry in policy.vocabulary.attributes:
            if entry.name == name:
                return entry.label
    from .loader import vocabulary

    entry = vocabulary().attribute(name)
    return entry.label if entry else name


def _window(years):
    return f"近{years}年内" if years else ""


def wording(clause, policy=None) -> str:
    """The seed's own words when the file quotes them, else the machine reading."""
    return clause.text or describe(clause, policy)


def condition_lines(clause, policy=None, depth=0):
    """The clause tree as [(depth, article, text, clause)], parents first — for pages and notices."""
    lines = [(depth, clause.article, wording(clause, policy), clause)]
    for child in getattr(clause, "clauses", []):
        lines.extend(condition_lines(child, policy, depth + 1))
    return lines


def conditions_text(clause, policy=None) -> str:
    """The whole tree as indented plain text."""
    return "\n".join(f"{'  ' * d}{text}（{article}）" for d, article, text, _ in condition_lines(clause, policy))


def benefit_text(benefit, on: dt.date | None = None) -> str:
    if benefit.kind != "cash":
        return benefit.name
    amount = amount_text(benefit.amount_fen, on)
    text = f"{SCHEDULE_LABELS[benefit.schedule]}{amount}"
    if benefit.duration_years:
        text += f"，共{benefit.duration_years}年"
    elif benefit.during_term:
        text += "，管理期内发放"
    return f"{benefit.name}：{text}"


def effects_text(effects) -> str:
    parts = ["停止待遇" if effects.benefits == "stop" else "待遇继续"]
    parts.append({"kept": "保留称号", "revoked": "撤销称号", "unspecified": "称号去留未规定"}[effects.title])
    if effects.certificate == "recalled":
        parts.append("收回证书")
    if effects.clawback:
        parts.append("追回" + (_join(effects.clawback_what) or "已发资金"))
    if effects.ban_reapply == "permanent":
        parts.append("不得再次申报")
    elif effects.ban_reapply == "current_round":
        parts.append("取消当年申报资格")
    if effects.referral:
        parts.append("涉嫌犯罪的移交司法机关")
    return "，".join(parts)


def stage_text(stage) -> str:
    """The stage's name and what the policy sets for it (each stage kind says, `describe`)."""
    return "，".join([stage.name, *stage.describe()])


def quota_text(quota, on: dt.date | None = None) -> str:
    if quota is None:
        return "未规定名额"
    per = {"cycle": "每届", "year": "每年", "round": "本次"}[quota.per]
    parts = []
    if quota.max is not None:
        value = value_at(quota.max, on)
        parts.append(f"{per}不超过{value}名" if value is not None else "名额在该日期未生效")
    if quota.target is not None:
        target = value_at(quota.target, on)
        parts.append(f"{per}{target}名左右" if target is not None else "名额在该日期未生效")
    if quota.total:
        parts.append(f"累计{quota.total}名" + (f"（至{quota.total_by.isoformat()}）" if quota.total_by else ""))
    inside = [within_text(c) for c in quota.within]
    return "，".join(parts) + f"（{quota.article}）" + (f"；其中{'；'.join(inside)}" if inside else "")


CATEGORY_WORDS = {"occupation": "职业（工种）", "industry": "行业"}


def within_text(cap) -> str:
    """A cap inside the total in words: 同一职业（工种）不超过2名, 行业“制造业”不超过3名 (article)."""
    parts = [f"同一{CATEGORY_WORDS[cap.by]}不超过{cap.max_each}名"] if cap.max_each else []
    parts += [f"{CATEGORY_WORDS[cap.by]}“{name}”不超过{n}名" for name, n in cap.caps.items()]
    return "，".join(parts) + f"（{cap.article}）"


def validity_text(policy: PolicyFile) -> str:
    v = policy.validity
    start = v.valid_from.isoformat() if v.valid_from else "发布之日"
    end = v.valid_to.isoformat() if v.valid_to else "未规定"
    text = f"自{start}起施行，有效期至{end}"
    if v.payments_valid_to:
        text += f"；待遇发放有效期至{v.payments_valid_to.isoformat()}"
    return text + f"（{v.article}）"


def summary_lines(policy: PolicyFile, *, on: dt.date | None = None) -> list[str]:
    """A readable summary of the whole policy in Chinese (for `gongjiang policy show`)."""
    out = [f"{policy.title}（{policy.code}）", f"文件：{policy.document.title} {policy.document.number}".rstrip(),
           f"实施地区：{policy.jurisdiction}", f"有效期：{validity_text(policy)}"]
    if on is not None:
        out.append(f"{on.isoformat()}：{'在有效期内' if policy.in_force(on) else '不在有效期内'}")
    if policy.definitions:
        out.append("用语：" + "，".join(f"“{w}”{'含' if inc else '不含'}本数" for w, inc in policy.definitions.inclusive.items())
                   + f"（{policy.definitions.article}）")
    if policy.reference_date:
        r = policy.reference_date
        out.append(f"条件认定日：遴选年度{r.month}月{r.day}日（{r.article}）")
    if policy.cycle:
        out.append(f"周期：每{policy.cycle.years}年（{policy.cycle.article}）")
    for e in policy.editions:
        out.append(f"另有版本“{e.title or e.id}”：{e.valid_from.isoformat()}至{e.valid_to.isoformat() if e.valid_to else '—'}"
                   f"，称号：{'、'.join(h.title for h in e.honours)}（{e.article}）；参照日在此期间的批次按该版本")
    for h in policy.honours:
        out += ["", f"【{h.title}】" + ("（补贴）" if h.kind == "subsidy" else ""), f"名额：{quota_text(h.quota, on)}"]
        if h.term:
            out.append(f"{h.term.name}：{h.term.years}年（{h.term.article}）")
        out.append("条件：")
        out += [f"  {'  ' * d}{text}（{article}）" for d, article, text, _ in condition_lines(h.eligibility, policy)]
        for rule in h.priority:
            out.append(f"优先：{rule.text}（{rule.article}）")
        for b in h.benefits:
            out.append(f"待遇：{benefit_text(b, on)}（{b.article}）")
        if h.renewal:
            out.append(f"{h.renewal.name}（{h.renewal.article}）：")
            out += [f"  {'  ' * d}{text}（{article}）" for d, article, text, _ in condition_lines(h.renewal.criteria, policy)]
        for o in h.exits:
            out.append(f"退出：{o.when} → {effects_text(o.effects)}（{o.article}）")
        for o in h.revocations:
            out.append(f"撤销：{o.when} → {effects_text(o.effects)}（{o.article}）")
        for d in h.duties:
            out.append(f"职责：{d.text}（{d.article}）")
    out += ["", "推荐渠道：" + "；".join(f"{ROUTE_LABELS[r.kind]}（{r.article}）" for r in policy.recommendation.routes)]
    out += [f"不受理{ROUTE_LABELS[x.kind]}：{x.text}（{x.article}）" for x in policy.recommendation.excluded]
    for u in policy.recommendation.unit_types:
        quota = unit_quota_text(value_at(u.quota_min, on), value_at(u.quota_max, on), soft=u.soft)
        out.append(f"  推荐单位：{u.name}，{quota}，{NOMINATES[u.nominates]}（{u.article}）")
    out.append("程序：")
    out += [f"  {i}. {stage_text(s)}（{s.article}）" for i, s in enumerate(policy.procedure, 1)]
    return out


NOMINATES = {"area": "推荐本地区（含所辖地区）人选", "staff": "推荐本单位在职人员"}


def unit_quota_text(lo, hi, *, soft=False) -> str:
    """A recommending unit's quota in words: 1至2名, (一般)不超过3名, 不少于1名, 名额未规定."""
    if lo and hi:
        return f"{lo}至{hi}名"
    if hi:
        return f"{'一般' if soft else ''}不超过{hi}名"
    return f"不少于{lo}名" if lo else "名额未规定"
