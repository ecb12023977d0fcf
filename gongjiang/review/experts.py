"""Expert pool management (专家库管理) and manual panel composition (组建专家组).

The pool is managed by bureau officers (capability review.manage) within their jurisdiction
subtree: an expert's `pool` must lie in it, and the registry people and organisations an officer
links to an expert must be visible to them. Every change runs in one transaction with its audit
entry. ID numbers are never shown or logged in full: people are searched by name or by the keyed
hash of the number and shown with the stored masked number.

Panels are drawn at random where the policy says so (仲恺 第五条（二）3: 从区人才工作专家库中随机抽取,
`panel.random_draw: true`, see services.draw) and composed by the officer where the policy gives
the panel to a committee (惠阳 第九条: 评选委员会负责组建专家组, `random_draw: false`; 聊城 三: 组织7名
以上相关职业（工种）或专业领域的专家). A composition is checked against the same avoidance rules as the
draw (draw.conflicts) and refused with the rule named; the policy's minimum size is enforced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from gongjiang.accounts.models import Organisation, User
from gongjiang.accounts.scope import in_scope, org_q, visible_organisations
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError
from gongjiang.core.vocab import JURISDICTION_KINDS, Role

from . import services
from . import stages as st
from .draw import Avoidance, conflicts, draw_panel, snapshot_json
from .models import (
    Assignment, Expert, ExpertRelation, ExpertUnitRelation, Panel, PanelMethod, RelationKind, UnitRelationKind,
)

# ---------------------------------------------------------------- scope and search


def experts_in_scope(user):
    """Experts whose pool lies in the officer's jurisdiction subtree."""
    return (Expert.objects.filter(org_q(user, "pool"))
            .select_related("pool", "employer", "person", "user").order_by("pool__path", "name", "pk"))


def expert_in_scope(user, expert_id) -> Expert:
    expert = experts_in_scope(user).filter(pk=expert_id).first()
    if expert is None:
        raise Http404("expert not in scope")
    return expert


def pools_for(user):
    """The jurisdictions an officer may keep experts in: their own and those below it."""
    return visible_organisations(user).filter(kind__in=JURISDICTION_KINDS, is_active=True).order_by("path")


def split_list(raw) -> list[str]:
    """Occupations as typed or imported: separated by 、 , ， ; ； or new lines; order kept, no repeats."""
    parts = re.split(r"[、,，;；\n]+", str(raw or ""))
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def search_experts(qs, *, q="", occupation="", employer="", level="", active=None):
    """Filter a pool queryset. Occupations are a JSON list, matched in Python so that the search
    behaves the same on SQLite and PostgreSQL (pools hold hundreds, not millions)."""
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if employer:
        qs = qs.filter(Q(employer__name__icontains=employer) | Q(employer_name__icontains=employer))
    if level:
        qs = qs.filter(title__icontains=level)
    if active is not None:
        qs = qs.filter(is_active=active)
    if occupation:
        ids = [pk for pk, occ in qs.values_list("pk", "occupations") if any(occupation in o for o in occ or [])]
        qs = qs.filter(pk__in=ids)
    return qs


def employer_label(expert) -> str:
    return expert.employer.name if expert.employer_id else expert.employer_name


def find_people(user, query: str, limit=20):
    """Registry people the officer may see, by name or by ID number (matched on the keyed hash)."""
    from gongjiang.registry.crypto import lookup_hash
    from gongjiang.registry.services import scoped_people

    query = (query or "").strip()
    if not query:
        return []
    qs = scoped_people(user)
    if re.fullmatch(r"\d{17}[\dXx]", query):
        qs = qs.filter(id_number_hash=lookup_hash(query.upper()))
    else:
        qs = qs.filter(name__icontains=query)
    return list(qs.order_by("name", "pk")[:limit])


def person_in_scope(user, person_id):
    from gongjiang.registry.services import scoped_people

    person = scoped_people(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("person not in scope")
    return person


def organisation_in_scope(user, org_id) -> Organisation:
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None or not in_scope(user, org):
        raise Http404("organisation not in scope")
    return org


def current_employer(person):
    job = person.employments.filter(end__isnull=True).select_related("employer").order_by("-start").first()
    return job.employer if job else None


def resolve_employer(user, name: str):
    """(organisation, free text): an organisation in scope with exactly this name is linked."""
    name = (name or "").strip()
    if not name:
        return None, ""
    org = visible_organisations(user).filter(name=name).first()
    return (org, "") if org else (None, name)


def expert_accounts(user):
    """Expert-role accounts in the officer's subtree an expert may be linked to."""
    return User.objects.filter(org_q(user, "organisation"), role=Role.EXPERT, is_active=True).order_by("username")


# ---------------------------------------------------------------- pool changes


def _clean_common(*, occupations, email, title):
    occupations = [o.strip() for o in occupations if o and o.strip()]
    if not occupations:
        raise DomainError("请填写专家的职业（工种）或专业领域", log="expert without occupations")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError("电子邮箱格式不正确", log="bad expert email") from None
    if len(title or "") > 100:
        raise DomainError("职称/技能等级不能超过100个字符", log="title too long")
    return occupations, email, (title or "").strip()


def _check_pool(user, pool):
    if pool is None or pool.kind not in JURISDICTION_KINDS or not in_scope(user, pool):
        raise DomainError("所属专家库须为本辖区或下级辖区", log="pool out of scope")


def _check_account(expert, account):
    if account is None:
        return
    if account.role != Role.EXPERT:
        raise DomainError("关联账号须为“评审专家”角色", log="expert user with wrong role")
    other = Expert.objects.filter(user=account).exclude(pk=getattr(expert, "pk", None)).first()
    if other is not None:
        raise DomainError(f"该账号已关联专家“{other.name}”", log="account already linked")


@transaction.atomic
def add_from_registry(*, actor, person, pool, occupations, title="", email="", employer=None, employer_name="",
                      account=None):
    """Take a registry person into the pool. Employer defaults to the person's current employer."""
    _check_pool(actor, pool)
    occupations, email, title = _clean_common(occupations=occupations, email=email, title=title)
    if Expert.objects.filter(person=person, pool=pool).exists():
        raise DomainError(f"{person.name}已在{pool.name}专家库中", log="person already in pool")
    _check_account(None, account)
    if employer is None and not employer_name:
        employer = current_employer(person)
    return services.create_expert(actor=actor, name=person.name, pool=pool, occupations=occupations,
                                  employer=employer, employer_name=employer_name, person=person, title=title,
                                  email=email, user=account)


@transaction.atomic
def add_outside(*, actor, name, pool, occupations, employer_name="", title="", email="", account=None):
    """An outside specialist (外聘专家) not in the registry: employer as text unless it names an
    organisation in scope."""
    _check_pool(actor, pool)
    occupations, email, title = _clean_common(occupations=occupations, email=email, title=title)
    _check_account(None, account)
    employer, text = resolve_employer(actor, employer_name)
    return services.create_expert(actor=actor, name=name, pool=pool, occupations=occupations, employer=employer,
                                  employer_name=text, title=title, email=email, user=account)


EDITABLE = ("name", "pool", "occupations", "employer", "employer_name", "title", "email", "user")


@transaction.atomic
def update_expert(expert, *, actor, reason="", **changes):
    """Change an expert's entry (fields in EDITABLE); audited with before and after."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise DomainError("请填写专家姓名", log="expert without name")
        if expert.person_id and changes["name"] != expert.person.name:
            raise DomainError("人员库人员的姓名以人员库为准，不能在专家库中修改", log="rename registry expert")
    if "pool" in changes:
        _check_pool(actor, changes["pool"])
    occupations, email, title = _clean_common(occupations=changes.get("occupations", expert.occupations),
                                              email=changes.get("email", expert.email),
                                              title=changes.get("title", expert.title))
    changes.update(occupations=occupations, email=email, title=title)
    if "user" in changes:
        _check_account(expert, changes["user"])
    before = snapshot(expert)
    for name, value in changes.items():
        setattr(expert, name, value)
    after = snapshot(expert)
    if after == before:
        return expert, False
    expert.save()
    record("review.expert.update", actor=actor, obj=expert, before=before, after=after, reason=reason or "修改专家信息")
    return expert, True


@transaction.atomic
def set_active(expert, *, actor, active: bool, reason=""):
    """Deactivate (停用：不再参加抽取或组建) or reactivate an expert. Panels already formed keep them."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    reason = (reason or "").strip()
    if not active and not reason:
        raise DomainError("停用专家须说明理由", log="deactivate without reason")
    if expert.is_active == active:
        raise DomainError("该专家已是" + ("在库" if active else "停用") + "状态", log="no state change")
    before = snapshot(expert)
    expert.is_active = active
    expert.save(update_fields=["is_active"])
    record("review.expert.activate" if active else "review.expert.deactivate", actor=actor, obj=expert,
           before=before, after=snapshot(expert), reason=reason or "恢复在库")
    return expert


@transaction.atomic
def declare_person_relation(expert, *, actor, person, kind, note=""):
    """亲属、师徒或其他利害关系 with a registry person: the expert avoids that candidate."""
    if kind not in RelationKind.values:
        raise DomainError("请选择关系类型", log=f"bad relation kind {kind!r}")
    if expert.person_id and expert.person_id == person.pk:
        raise DomainError("不能申报与专家本人的关系", log="relation to self")
    if expert.relations.filter(person=person, kind=kind).exists():
        raise DomainError(f"已申报与{person.name}的{RelationKind(kind).label}关系", log="relation exists")
    return services.add_relation(expert, actor=actor, person=person, kind=kind, note=(note or "").strip()[:200])


@transaction.atomic
def declare_unit_relation(expert, *, actor, organisation, kind, note=""):
    """同单位或其他利害关系 with an organisation: the expert avoids its employees and its recommendees."""
    if kind not in UnitRelationKind.values:
        raise DomainError("请选择关系类型", log=f"bad unit relation kind {kind!r}")
    if expert.unit_relations.filter(organisation=organisation, kind=kind).exists():
        raise DomainError(f"已申报与{organisation.name}的关系", log="unit relation exists")
    rel = ExpertUnitRelation.objects.create(expert=expert, organisation=organisation, kind=kind,
                                            note=(note or "").strip()[:200])
    if organisation.pk != expert.employer_id:
        expert.other_units.add(organisation)
    record("review.expert.unit_relation", actor=actor, obj=expert,
           after={"organisation": organisation.pk, "kind": kind}, reason=rel.note or rel.get_kind_display())
    return rel


@transaction.atomic
def remove_relation(expert, *, actor, relation_id, unit=False, reason=""):
    """Withdraw a declared relation (audited; the reason is required)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("撤销申报关系须说明理由", log="remove relation without reason")
    model = ExpertUnitRelation if unit else ExpertRelation
    rel = model.objects.filter(expert=expert, pk=relation_id).first()
    if rel is None:
        raise Http404("no such relation")
    before = {"organisation": rel.organisation_id} if unit else {"person": rel.person_id}
    before["kind"] = rel.kind
    rel.delete()
    if unit and not expert.unit_relations.filter(organisation_id=before["organisation"]).exists():
        expert.other_units.remove(before["organisation"])
    record("review.expert.relation_remove", actor=actor, obj=expert, before=before, reason=reason)


# ---------------------------------------------------------------- Excel export and import

COLUMNS = ["专家编号", "姓名", "身份证号码", "所属专家库", "职业（工种）/专业领域", "工作单位", "职称/技能等级",
           "电子邮箱", "在库"]
REQUIRED = ["姓名", "职业（工种）/专业领域"]


def export_rows(qs):
    """Rows for the pool's Excel export; the ID number masked. The file re-imports as it is: the
    专家编号 column matches each row to its expert."""
    for e in qs:
        yield [e.pk, e.name, e.person.id_number_masked if e.person_id else "", e.pool.name,
               "、".join(e.occupations), employer_label(e), e.title, e.email, "是" if e.is_active else "否"]


@dataclass
class ImportRow:
    row: int
    action: str                 # create | update | unchanged
    name: str
    values: dict
    expert: Expert | None = None
    person: object = None


@dataclass
class ImportCheck:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)   # registry.imports.RowError

    @property
    def counts(self):
        out = {"create": 0, "update": 0, "unchanged": 0}
        for r in self.rows:
            out[r.action] += 1
        return out


def check_import(data: bytes, file_name: str, *, actor) -> ImportCheck:
    """Dry run: every row parsed and matched; errors with row, column and a reason in Chinese.
    Matching: 专家编号 (an expert in scope), else the ID number's registry person in the pool, else
    name and employer in the pool. Nothing is written."""
    from gongjiang.registry.crypto import lookup_hash
    from gongjiang.registry.imports import CellError, RowError, parse_bool, parse_text, read_table
    from gongjiang.registry.services import scoped_people

    result = ImportCheck()
    try:
        table = read_table(data, file_name)
    except CellError as e:
        result.errors.append(RowError(0, "文件", str(e)))
        return result
    missing = [c for c in REQUIRED if c not in table.headers]
    if missing:
        result.errors.extend(RowError(1, c, "缺少该列（请使用导出文件或模板的表头）") for c in missing)
        return result
    if not table.rows:
        result.errors.append(RowError(2, "文件", "没有数据行"))
        return result
    pos = {h: i for i, h in enumerate(table.headers) if h in COLUMNS}
    pools = {o.name: o for o in pools_for(actor)}
    in_scope_experts = experts_in_scope(actor)
    people = scoped_people(actor)
    seen = {}
    for n, cells in table.rows:
        def cell(column, _cells=cells):
            i = pos.get(column)
            return _cells[i] if i is not None and i < len(_cells) else None

        errors = []

        def text(column, max_length=200):
            try:
                return parse_text(cell(column), max_length=max_length)
            except CellError as e:
                errors.append(RowError(n, column, str(e)))
                return ""

        name = text("姓名", 60)
        if not name:
            errors.append(RowError(n, "姓名", "不能为空"))
        occupations = split_list(text("职业（工种）/专业领域", 500))
        if not occupations:
            errors.append(RowError(n, "职业（工种）/专业领域", "不能为空"))
        pool_name = text("所属专家库", 100)
        pool = pools.get(pool_name or actor.organisation.name)
        if pool is None:
            errors.append(RowError(n, "所属专家库", f"“{pool_name}”不是本辖区或下级辖区"))
        email = text("电子邮箱", 254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(RowError(n, "电子邮箱", "格式不正确"))
        title = text("职称/技能等级", 100)
        employer_text = text("工作单位", 200)
        active = True
        if cell("在库") not in (None, ""):
            try:
                active = parse_bool(cell("在库"))
            except CellError as e:
                errors.append(RowError(n, "在库", str(e)))
        expert = person = None
        raw_id = text("专家编号", 20)
        if raw_id:
            expert = in_scope_experts.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
            if expert is None:
                errors.append(RowError(n, "专家编号", "本辖区专家库中没有该编号的专家"))
        id_number = text("身份证号码", 18).upper()
        if id_number and "*" not in id_number:
            person = people.filter(id_number_hash=lookup_hash(id_number)).first()
            if person is None:
                errors.append(RowError(n, "身份证号码", "人员库中没有该人员（或不在本辖区范围内）"))
            elif name and person.name != name:
                errors.append(RowError(n, "姓名", "与人员库中该身份证号码的姓名不一致"))
        elif id_number and expert is None:
            errors.append(RowError(n, "身份证号码", "脱敏号码只能与专家编号一起使用"))
        if errors:
            result.errors.extend(errors)
            continue
        if expert is None and person is not None:
            expert = Expert.objects.filter(person=person, pool=pool).first()
        if expert is None and person is None:
            expert = (Expert.objects.filter(pool=pool, name=name, person__isnull=True)
                      .filter(Q(employer_name=employer_text) | Q(employer__name=employer_text)).first())
        key = ("expert", expert.pk) if expert else ("new", pool.pk, person.pk if person else None, name, employer_text)
        if key in seen:
            result.errors.append(RowError(n, "姓名", f"与第{seen[key]}行是同一位专家"))
            continue
        seen[key] = n
        employer, employer_name = resolve_employer(actor, employer_text)
        values = {"pool": pool, "occupations": occupations, "employer": employer, "employer_name": employer_name,
                  "title": title, "email": email, "is_active": active}
        if expert is None:
            result.rows.append(ImportRow(n, "create", name, values, person=person))
            continue
        if expert.person_id and name != expert.person.name:
            result.errors.append(RowError(n, "姓名", "人员库人员的姓名以人员库为准"))
            continue
        current = {"pool": expert.pool, "occupations": expert.occupations, "employer": expert.employer,
                   "employer_name": expert.employer_name, "title": expert.title, "email": expert.email,
                   "is_active": expert.is_active}
        if not expert.person_id:
            values["name"], current["name"] = name, expert.name
        changed = {k: v for k, v in values.items() if current[k] != v}
        result.rows.append(ImportRow(n, "update" if changed else "unchanged", name, changed, expert=expert))
    return result


@transaction.atomic
def apply_import(data: bytes, file_name: str, *, actor) -> ImportCheck:
    """Check, then apply every row in one transaction (all or nothing). Importing the same file
    again changes nothing."""
    check = check_import(data, file_name, actor=actor)
    if check.errors:
        raise DomainError(f"文件有{len(check.errors)}处错误，未导入任何数据，请修改后重新导入",
                          log=f"expert import refused: {len(check.errors)} errors")
    for row in check.rows:
        values = dict(row.values)
        active = values.pop("is_active", None)
        if row.action == "create":
            expert = services.create_expert(actor=actor, name=row.name, person=row.person, **values)
            if active is False:
                set_active(expert, actor=actor, active=False, reason=f"Excel导入第{row.row}行：不在库")
        elif row.action == "update":
            if values:
                update_expert(row.expert, actor=actor, reason=f"Excel导入第{row.row}行", **values)
            if active is not None:
                set_active(row.expert, actor=actor, active=active,
                           reason=f"Excel导入第{row.row}行：" + ("在库" if active else "不在库"))
    record("review.expert.import", actor=actor, obj=actor.organisation, after=check.counts, reason=file_name[:200])
    return check


# ---------------------------------------------------------------- manual composition


def panel_method(stage) -> str:
    """PanelMethod.DRAW where the policy says 随机抽取 (random_draw: true), COMPOSE where it says the
    panel is composed (random_draw: false), "" where it is silent (either is open)."""
    if stage.random_draw is True:
        return PanelMethod.DRAW
    if stage.random_draw is False:
        return PanelMethod.COMPOSE
    return ""


def minimum_size(round_) -> tuple[int | None, str]:
    """The least number of experts and the article saying so: the expert stage's own figure where
    the policy gives one (聊城 三: 组织7名以上相关职业（工种）或专业领域的专家, `panel.min_experts`),
    else the figure the policy states for its units' expert evaluations
    (the `expert_evaluation` step of recommendation.unit_procedure). (None, article) where the policy is silent:
    the panel is then as large as the officer makes it."""
    stage = services.procedure(round_).require(st.EXPERT)
    if stage.declared_min_experts:
        return stage.declared_min_experts, stage.article
    from gongjiang.rounds.policy_link import parsed

    unit = parsed(round_.policy).recommendation.unit_procedure
    if unit is not None and unit.expert_panel_min:
        return unit.expert_panel_min, unit.step("expert_evaluation").article
    return None, stage.article


def candidates_for_panel(round_):
    """Candidates in expert review not yet on an active panel."""
    from gongjiang.applications.models import Application

    taken = Assignment.objects.filter(active=True, application__round=round_).values("application_id")
    return (Application.objects.filter(round=round_, status=st.EXPERT).exclude(pk__in=taken)
            .select_related("person", "unit", "employer").order_by("serial"))


def composition_violations(experts, applications, *, occupations=()) -> list[str]:
    """Every avoidance rule the chosen experts break, in Chinese: "专家 与 申报人：规则"."""
    wanted = set(occupations)
    problems = []
    for e in experts:
        if not e.is_active:
            problems.append(f"{e.name}：{Avoidance.INACTIVE.label}")
        elif wanted and not wanted.intersection(e.occupations):
            problems.append(f"{e.name}：{Avoidance.OCCUPATION.label}（{'、'.join(occupations)}）")
    for e in experts:
        pe = services.pool_expert(e)
        for app in applications:
            for rule in conflicts(pe, services.draw_candidate(app)):
                problems.append(f"{e.name} 与 {app.name}：{rule.label}")
    return problems


@transaction.atomic
def compose_panel(round_, *, actor, name, experts, occupations=(), applications=None):
    """组建专家组: the officer's choice of experts for the round's candidates in expert review.
    Refused where the policy requires a random draw, below the policy's minimum, for experts
    outside the round's pool, and for any avoidance rule broken (named in the message).

    Stored in the draw's shape: the snapshot holds exactly the chosen experts and the result is
    draw_panel over them (which then seats every one of them for every candidate), so the
    auditor's re-run and an expert's later declared conflict work as for a drawn panel."""
    stage = services.procedure(round_).require(st.EXPERT)
    if panel_method(stage) == PanelMethod.DRAW:
        raise DomainError(f"本批次政策规定从专家库中随机抽取专家（{stage.article}），不能手工组建专家组",
                          log="compose where the policy requires a random draw")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写专家组名称", log="panel without name")
    apps = list(applications) if applications is not None else list(candidates_for_panel(round_))
    if not apps:
        raise DomainError("没有待组建专家组的专家评审环节申报", log="compose without candidates")
    if any(a.round_id != round_.pk or a.status != st.EXPERT for a in apps):
        raise DomainError("只能为本批次专家评审环节的申报组建专家组", log="compose for foreign candidates")
    services.require_complete_files(apps)
    if Assignment.objects.filter(application__in=apps, active=True).exists():
        raise DomainError("部分申报已分配专家组，请勿重复组建", log="already assigned")
    pool = {e.pk: e for e in services.expert_pool(round_)}
    chosen_ids = list(dict.fromkeys(e.pk for e in experts))
    outside = [e.name for e in experts if e.pk not in pool]
    if outside:
        raise DomainError("以下专家不在本批次可用的专家库中：" + "、".join(outside), log="expert outside pool")
    chosen = [pool[i] for i in chosen_ids]
    minimum, article = minimum_size(round_)
    if not chosen:
        raise DomainError("请选择专家组成员", log="composed panel without members")
    minimum = minimum or len(chosen)
    if len(chosen) < minimum:
        raise DomainError(f"专家组须由{minimum}名以上专家组成（{article}），当前只选了{len(chosen)}名",
                          log=f"composed panel of {len(chosen)} below {minimum}")
    occupations = [o for o in occupations if o]
    problems = composition_violations(chosen, apps, occupations=occupations)
    if problems:
        raise DomainError("组建不符合回避规定：" + "；".join(problems), log=f"{len(problems)} avoidance violations")
    pool_snapshot = [services.pool_expert(e) for e in chosen]
    candidates = [services.draw_candidate(a) for a in apps]
    result = draw_panel(pool=pool_snapshot, candidates=candidates, seed="", size=len(chosen), min_size=minimum,
                        occupations=occupations)
    panel = Panel.objects.create(
        round=round_, name=name, occupations=occupations, size=len(chosen), min_size=minimum, seed="",
        snapshot=snapshot_json(pool=pool_snapshot, candidates=candidates), result=result.as_dict(),
        drawn_by=actor, drawn_at=timezone.now(), method=PanelMethod.COMPOSE)
    Assignment.objects.bulk_create([Assignment(panel=panel, expert_id=e.pk, application=a)
                                    for a in apps for e in chosen])
    record("review.panel.compose", actor=actor, obj=panel,
           after={"members": [e.key for e in chosen], "candidates": [a.pk for a in apps], "minimum": minimum},
           reason=name)
    return panel


def rounds_to_compose(user, limit=20):
    """Rounds in the officer's scope with an expert stage whose policy does not require a draw."""
    out = []
    for rnd in services.rounds_in_review(user).select_related("policy")[:limit]:
        stage = services.procedure(rnd).get(st.EXPERT)
        if stage is not None and panel_method(stage) != PanelMethod.DRAW:
            out.append(rnd)
    return out


# ---------------------------------------------------------------- board counts


def board_counts(round_) -> list[dict]:
    return [{"state": state, "label": label, "count": count} for state, label, count in services.board(round_)]


# ---------------------------------------------------------------- adding a member to a composed panel


def addable_experts(panel):
    """Active experts of the round's pool not yet on the panel (candidates for 增补专家)."""
    on_panel = {e["key"] for e in panel.snapshot.get("pool", [])}
    return [e for e in services.expert_pool(panel.round).filter(is_active=True) if e.key not in on_panel]


@transaction.atomic
def add_panel_member(panel, *, actor, expert, reason):
    """增补专家: add an expert to a composed panel, typically after a member declared a conflict
    left a candidate with fewer assessors than the minimum (聊城 三: 7名以上; 惠阳 第九条 评选委员会
    负责组建专家组). Checked like the composition (in the round's pool, active, the panel's
    occupations, every avoidance rule against every candidate, named in the message); the expert
    joins the snapshot and the result is recomputed from it, so the panel stays reproducible.
    The new member assesses every candidate of the panel still in expert review. Audited."""
    panel = Panel.objects.select_for_update().select_related("round").get(pk=panel.pk)
    if panel.method != PanelMethod.COMPOSE:
        raise DomainError("随机抽取的专家组不能手工增补专家：回避后由抽取顺序中的下一位专家替补；"
                          "如替补不足，请先充实专家库", log="add member to a drawn panel")
    if panel.closed_at:
        raise DomainError("该专家组的评分已结束，不能增补专家", log="add member to a closed panel")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明增补专家的理由", log="add member without reason")
    pool = {e.pk: e for e in services.expert_pool(panel.round)}
    if expert.pk not in pool:
        raise DomainError(f"{expert.name}不在本批次可用的专家库中", log="added expert outside pool")
    if any(e.get("key") == expert.key for e in panel.snapshot.get("pool", [])):
        raise DomainError(f"{expert.name}已是该专家组成员", log="added expert already on panel")
    from gongjiang.applications.models import Application

    keys = [c["key"] for c in panel.snapshot.get("candidates", [])]
    apps = list(Application.objects.filter(pk__in=[int(k.split(":", 1)[1]) for k in keys], status=st.EXPERT)
                .select_related("person", "unit").order_by("serial"))
    if not apps:
        raise DomainError("该专家组已没有处于专家评审环节的申报人", log="add member without candidates")
    problems = composition_violations([pool[expert.pk]], apps, occupations=panel.occupations)
    if problems:
        raise DomainError("增补不符合回避规定：" + "；".join(problems), log=f"{len(problems)} avoidance violations")
    before = {"members": list(panel.result.get("members", [])), "size": panel.size}
    snap = dict(panel.snapshot)
    snap["pool"] = list(snap.get("pool", [])) + [snapshot_json(pool=[services.pool_expert(pool[expert.pk])],
                                                               candidates=[])["pool"][0]]
    panel.size += 1
    result = services.redraw(panel, snap)
    panel.snapshot, panel.result = snap, result.as_dict()
    panel.save(update_fields=["snapshot", "result", "size"])
    for app in apps:
        if expert.key in result.assessors.get(f"application:{app.pk}", []):
            Assignment.objects.create(panel=panel, expert=expert, application=app)
    record("review.panel.add_member", actor=actor, obj=panel, before=before,
           after={"members": result.members, "size": panel.size, "added": expert.key,
                  "candidates": [a.pk for a in apps]}, reason=reason)
    return panel
