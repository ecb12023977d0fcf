"""What rounds and applications read from a policy file: the one place that knows its schema
(gongjiang.policy.schema.PolicyFile).

A round copies its honour, stages, materials, routes, reference date and quota rules from the
policy when it is opened, so a later revision of the policy leaves a running round alone;
applications are evaluated by the policy engine on their snapshot of facts.
"""
import datetime as dt
import re

from gongjiang.core.errors import DomainError

# Materials the platform produces itself (online form, deed text, typed commitment, the unit's
# report and overview table): listed on the call page, never asked for as uploads.
GENERATED_MATERIALS = re.compile(r"申报表|事迹材料|承诺书|推荐报告|一览表|推荐函|推荐意见")
PHOTO = re.compile(r"照片|证件照")
BASE_UPLOADS = [
    {"code": "certificate", "label": "职业资格证书或职业技能等级证书（扫描件）", "required": True,
     "file_types": ["pdf"], "article": "", "upload": True},
    {"code": "evidence", "label": "主要技术成果、获奖证书等佐证材料", "required": False,
     "file_types": ["pdf"], "article": "", "upload": True},
    {"code": "photo", "label": "近期免冠证件照", "required": False, "file_types": ["jpeg", "png"],
     "article": "", "upload": True},
]


def parsed(policy):
    """The parsed PolicyFile of a Policy row."""
    from gongjiang.policy.services import get_policy

    sha256 = None if "sha256" in policy.get_deferred_fields() else policy.sha256
    return get_policy(policy.code, sha256)


def parsed_on(policy, on: dt.date):
    """The parsed policy as the edition in force on `on` has it (gongjiang.policy.schema.Edition)."""
    return parsed(policy).edition_on(on)


def reference_date(policy, year: int) -> dt.date:
    """The reference date of a round of `year`: the policy's own (惠阳 第十三条: 遴选年度1月1日), else
    1 January of the selection year."""
    top = parsed(policy)
    return top.reference_on(year) if top.reference_date else dt.date(year, 1, 1)


def in_force_on(policy, on: dt.date) -> bool:
    """Whether an edition of the policy is in force on `on` (its validity article's dates)."""
    return parsed_on(policy, on).in_force(on)


def honour_of(policy, code=None, *, on: dt.date | None = None):
    p = parsed(policy) if on is None else parsed_on(policy, on)
    try:
        return p.honour(code or None)
    except KeyError:
        if on is not None and p.edition:
            raise DomainError(f"参照日适用的政策版本中没有该称号（等级）",
                              log=f"honour {code} not in edition {p.edition} of {policy.code}") from None
        raise DomainError("政策中没有该称号", log=f"unknown honour {code}") from None


def _value(dated, on):
    from gongjiang.policy.schema import value_at

    return value_at(dated, on)


def honours(policy) -> list[tuple[str, str]]:
    return [(h.code, h.title) for h in parsed(policy).honours]


def round_defaults(policy, *, year: int, honour_code: str | None = None, tiers=None, tier_quotas=None) -> dict:
    """What a round of `policy` copies when it opens. `tiers`: the codes of several honours of the
    policy selected in one round (仲恺 第五条: 首席技师50名、优秀技师200名), each with its own quota;
    `tier_quotas` {code: n}: the quota the officer states for a tier whose policy quota is not in
    force on the reference date (never a silent default)."""
    ref = reference_date(policy, year)
    p = parsed_on(policy, ref)  # the edition in force on the reference date
    if tiers:
        return {**_common(policy, p, ref), **_tiers(policy, p, ref, year, tiers, tier_quotas or {})}
    honour = honour_of(policy, honour_code, on=ref)
    quota = honour.quota
    quota_value = (_value(quota.max, ref) or _value(quota.target, ref)) if quota else None
    return {
        **_common(policy, p, ref),
        "honour_code": honour.code,
        "honour_title": honour.title,
        "quota": int(quota_value) if quota_value else None,  # None: no quota in force (never a default)
        "quota_article": quota.article if quota else "",
        "quota_caps": [c.model_dump() for c in quota.within] if quota else [],
        "tiers": [],
        "call_text": call_text(p, honour.title, year),
    }


def _common(policy, p, ref) -> dict:
    routes = {r.kind for r in p.recommendation.routes}
    procedure = p.recommendation.unit_procedure
    return {
        "policy_version": policy.version,
        "reference_date": ref,
        "reference_date_article": p.reference_date.article if p.reference_date else "",
        "allows_self_application": "self" in routes,
        "allows_employer_nomination": bool(routes & {"employer", "recommending_unit", "competition_winner"}),
        "unit_notice_working_days": (procedure.notice_working_days or 0) if procedure else 0,
        "policy_sha256": policy.sha256,
        "stages": stage_snapshot(p),
        "materials": materials(p),
    }


def _tiers(policy, p, ref, year, codes, stated) -> dict:
    """A round of several tiers: each tier's quota is a cap of its own (kind "tier"), its caps
    inside (quota.within) hold for that tier's candidates; the round's quota is their sum."""
    honours = [honour_of(policy, code, on=ref) for code in dict.fromkeys(codes)]
    if len(honours) < 2:
        raise DomainError("分称号（等级）评选须选择政策中的两个以上称号", log="tiers: fewer than two")
    tiers, caps = [], []
    for h in honours:
        value = stated.get(h.code) or ((_value(h.quota.max, ref) or _value(h.quota.target, ref)) if h.quota else None)
        if not value:
            raise DomainError(f"“{h.title}”在参照日{ref.isoformat()}没有有效的名额规定，请在政策文件中写明当年名额，"
                              "或在开设批次时填写该称号的名额", log=f"tier {h.code} without quota")
        article = h.quota.article if h.quota else "批次设定"
        tiers.append({"code": h.code, "title": h.title, "quota": int(value), "article": article})
        caps.append({"by": "tier", "article": article, "caps": {h.code: int(value)}, "labels": {h.code: h.title}})
        caps += [{**c.model_dump(), "tier": h.code, "labels": {h.code: h.title}} for c in (h.quota.within if h.quota else [])]
    title = "、".join(t["title"] for t in tiers)
    return {"honour_code": tiers[0]["code"], "honour_title": title[:100], "tiers": tiers,
            "quota": sum(t["quota"] for t in tiers), "quota_article": "、".join(dict.fromkeys(t["article"] for t in tiers))[:40],
            "quota_caps": caps, "call_text": call_text(p, title, year)}


def tier_codes(policy) -> list[str]:
    """The codes of the policy's honours (not its subsidies), for a round of all its tiers."""
    return [h.code for h in parsed(policy).honours if h.kind == "honour"]


def parse_tier_quotas(policy, text: str) -> dict[str, int]:
    """{code: quota} from the officer's words "首席技师50，优秀技师200" (titles as the policy names them)."""
    by_title = {h.title: h.code for h in parsed(policy).honours if h.kind == "honour"}
    out = {}
    for part in re.split(r"[，,；;、\s]+", (text or "").strip()):
        if not part:
            continue
        m = re.fullmatch(r"(.+?)[=：:]?(\d{1,5})名?", part)
        if m is None or m.group(1) not in by_title:
            raise DomainError(f"无法识别“{part}”：请按“称号名称+名额”填写，称号为" + "、".join(by_title),
                              log="tier quotas unreadable")
        out[by_title[m.group(1)]] = int(m.group(2))
    return out


def tier_choices(rnd) -> list[tuple[str, str]]:
    """(code, label) of the round's tiers, each with its quota and article; [] for one honour."""
    return [(t["code"], f"{t['title']}（名额{t['quota']}名，{t['article']}）") for t in rnd.tiers or []]


def stage_snapshot(p) -> list[dict]:
    """The policy's procedure with every stage's full settings (rubric, panel, departments,
    ballot, threshold, notice days ...), as plain JSON: the round keeps them, so a later revision
    of the policy file does not change a round already opened. Read back through the stage kinds'
    settings models (gongjiang.review.stages.Procedure.for_round)."""
    from gongjiang.review.stages import stage_snapshot as snapshot

    return snapshot(p.procedure)


def materials(p) -> list[dict]:
    """The policy's materials, each marked as an upload slot or as produced online."""
    out, uploads = [], []
    for i, m in enumerate(p.materials, start=1):
        online = bool(GENERATED_MATERIALS.search(m.name))
        item = {"code": f"m{i}", "label": m.name, "article": m.article, "required": not online,
                "file_types": ["jpeg", "png"] if PHOTO.search(m.name) else ["pdf"], "upload": not online,
                "note": m.note}
        (uploads if item["upload"] else out).append(item)
    if not uploads:
        uploads = [dict(b) for b in BASE_UPLOADS]
    elif not any(PHOTO.search(u["label"]) for u in uploads):
        uploads.append(dict(BASE_UPLOADS[2]))
    return uploads + out


def call_text(p, title, year) -> str:
    info = p.document
    based = f"根据《{info.title}》{('（' + info.number + '）') if info.number else ''}"
    return (f"{based}有关规定，现开展{year}年度“{title}”遴选申报工作。"
            "请符合条件的人员认真阅读申报条件，按要求在申报期内在线填写申报表、上传证明材料。"
            "申报人对所填信息和所交材料的真实性负责。")


def unit_rules(policy) -> list[dict]:
    from gongjiang.policy.render import unit_quota_text

    p = parsed(policy)
    on = dt.date.today()
    procedure = p.recommendation.unit_procedure
    rules = [{"kind": u.code, "label": u.name, "article": u.article, "max": _value(u.quota_max, on),
              "min": _value(u.quota_min, on) or 0, "soft": u.soft,
              "ranking_above": procedure.ranking_required_above if procedure else None}
             for u in p.recommendation.unit_types]
    for r in rules:
        r["text"] = unit_quota_text(r["min"], r["max"], soft=r["soft"])
    return rules


def unit_rule(policy, kind) -> dict | None:
    for rule in unit_rules(policy):
        if rule["kind"] == kind:
            return rule
    return None


def ranking_required_above(policy) -> int:
    procedure = parsed(policy).recommendation.unit_procedure
    return (procedure.ranking_required_above if procedure and procedure.ranking_required_above else 2)


def conditions(rnd, tier=None) -> list[dict]:
    """The honour's (in a round of tiers, tier `tier`'s) eligibility clauses rendered in Chinese
    with their articles, as a flat list of {depth, article, text} (parents first), for the call
    page and the self-check."""
    from gongjiang.policy.render import condition_lines

    p = parsed_on(rnd.policy, rnd.reference_date)
    honour = p.honour(tier or rnd.honour_code or None)
    return [{"depth": d, "article": article, "text": text}
            for d, article, text, _clause in condition_lines(honour.eligibility, p)]


def tier_conditions(rnd) -> list[dict]:
    """Each tier of a round of several (仲恺 第五条: 首席技师、优秀技师) with its quota, article and
    its own eligibility clauses; [] for a round of one honour."""
    return [{**t, "conditions": conditions(rnd, t["code"])} for t in rnd.tiers or []]


def evaluate_facts(rnd, facts: dict, *, person=None, employer=None, tier=None) -> tuple[dict, str]:
    """Evaluate one application's facts with the policy engine on the round's reference date,
    against tier `tier`'s clauses in a round of several (default: the round's honour).
    Returns (explanation as plain JSON, overall status "pass" / "fail" / "needs_review")."""
    from gongjiang.policy.engine import evaluate
    from gongjiang.policy.explain import explain
    from gongjiang.policy.facts import Facts

    p = parsed_on(rnd.policy, rnd.reference_date)
    record = application_record(facts, employer=employer)
    employers = {}
    if record.get("employment"):
        job = record["employment"][0]
        employers[job["employer"]] = {k: v for k, v in (("place", job.get("place")), ("sector", job.get("sector")))
                                      if v}
    try:
        batch = Facts.from_records([record], employers=employers, policy=p.code)
    except (ValueError, KeyError) as e:
        return {"error": f"申报信息无法用于资格初判：{e}"}, "needs_review"
    batch_result = evaluate(p, batch, on=rnd.reference_date, honour=tier or rnd.honour_code or None)
    result = explain(batch_result, 0, label=record.get("id", ""))
    data = {
        "overall": result.overall, "automatic": result.automatic, "in_force": result.in_force,
        "on": result.on.isoformat(), "honour": result.honour,
        "clauses": [{"article": c.article, "depth": c.depth, "status": c.status, "tone": c.tone, "status_label": c.status_label,
                     "sentence": c.sentence, "facts": [{"text": f.text, "source": f.source} for f in c.facts]}
                    for c in result.clauses],
        "priority": priority_results(batch_result),
    }
    return data, result.overall


def priority_results(batch_result, i: int = 0) -> list[dict]:
    """Person `i`'s standing on the honour's priority rules (同等条件下优先…), in the policy's order,
    as stored with the eligibility result: the tie-breaks of the expert review's ranking
    (review.services.candidate_attrs)."""
    return [{"id": rule.id, "article": rule.article, "text": rule.text,
             "result": {2: "pass", 1: "needs_review", 0: "fail"}[int(batch_result.priority[i][k])]}
            for k, rule in enumerate(batch_result.honour.priority)]


def _org_path(org) -> str:
    return "/".join(o.name for o in org.ancestors() if o.is_jurisdiction) if org is not None else ""


def application_record(facts: dict, *, employer=None) -> dict:
    """An application's snapshot as the person dict `Facts.from_records` reads. Lists the applicant
    filled in (even empty) count as complete declarations; what the form does not ask (credit
    records, studios ...) stays unknown, so those clauses come out as needs_review."""
    personal, job, skill = facts.get("personal", {}), facts.get("employment", {}), facts.get("skill", {})
    rec = {"id": personal.get("name") or "申报人"}
    if personal.get("birth_date"):
        rec["birth"] = personal["birth_date"]
    if personal.get("gender") in ("男", "女", "M", "F"):
        rec["gender"] = {"男": "M", "女": "F"}.get(personal["gender"], personal["gender"])
    if employer is None and job.get("employer_id"):
        from gongjiang.accounts.models import Organisation

        employer = Organisation.objects.filter(pk=job["employer_id"]).first()
    if job.get("employer_name") and job.get("start"):
        row = {"employer": job["employer_name"], "start": job["start"], "frontline": bool(job.get("frontline"))}
        place = _org_path(employer)
        if place:
            row["place"] = place
        if employer is not None and employer.kind in ("department", "institution"):
            row["sector"] = "government" if employer.kind == "department" else "institution"
        elif employer is not None and employer.kind == "enterprise":
            row["sector"] = "enterprise"
        if skill.get("occupation"):
            row["occupation"] = skill["occupation"]
        rec["employment"] = [row]
        months = int(job.get("insurance_months") or 0)
        if months and place:
            import datetime as _dt

            today = _dt.date.today()
            last = today.year * 12 + today.month - 2
            first = last - months + 1
            rec["insurance"] = [{"employer": job["employer_name"], "place": place,
                                 "from": f"{first // 12}-{first % 12 + 1:02d}", "to": f"{last // 12}-{last % 12 + 1:02d}"}]
    if skill.get("level") not in (None, ""):
        rec["certificates"] = [{"level": int(skill["level"]), "occupation": skill.get("occupation") or None,
                                "issued": skill.get("issued_on") or None}]
    else:
        rec["certificates"] = []
    rec["competitions"] = [{"level": int(c["level"]), "class": int(c.get("klass") or 0), "rank": int(c["rank"]),
                            "date": c.get("held_on") or None}
                           for c in facts.get("competitions", []) if c.get("rank") and c.get("level") not in (None, "")]
    rec["titles"] = [{"title": t["name"], "level": int(t["level"]) if t.get("level") not in (None, "") else None,
                      "start": t.get("awarded_on") or None} for t in facts.get("titles", []) if t.get("name")]
    rec["apprentices"] = [{"count": 1, "backbone": bool(a.get("backbone")), "competition": bool(a.get("competition")),
                           **({"level": int(a["level"])} if a.get("level") not in (None, "") else {})}
                          for a in facts.get("apprentices", []) if a.get("name")]
    return rec
