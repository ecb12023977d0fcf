"""Application actions: start, save a draft, attach evidence, submit (freeze a version), employer
verification, unit forwarding within quota, ranking, unit notice and report, re-opening.

`transition(application, to, *, actor, reason)` is the only writer of `Application.status`
(the one table in `states`, which includes the review stage kinds' states). Review calls it too.

Quota safety: `forward` locks the unit's RecommendingUnit row (SELECT ... FOR UPDATE) inside the
transaction and counts the unit's recommended applications under that lock, so two officers
submitting at the same moment cannot exceed the quota. On SQLite every transaction is BEGIN
IMMEDIATE (settings), so writers are serialised and the same count-under-lock holds.
"""
import datetime as dt
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gongjiang.accounts.scope import ORG_SCOPED_ROLES, in_scope
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import Conflict, DomainError, NotAllowed
from gongjiang.core.vocab import Role
from gongjiang.rounds import policy_link
from gongjiang.rounds.models import DeadlineKind, RecommendingUnit
from gongjiang.rounds.services import require_open

from . import nominators, states, unit_steps, uploads
from .models import Application, ApplicationMessage, ApplicationVersion, Evidence, Route
from .states import State

DEED_MIN, DEED_TARGET, DEED_MAX = 300, 1000, 3000
STATUS_FIELDS = ["status", "version", "submitted_at", "employer_verified_at", "forwarded_at", "unit_rank",
                 "classified"]


# ---------------------------------------------------------------- scope

def visible_applications(user):
    """Applications a user may see: applicants their own; employers their employees'; units the
    candidates routed through them; bureau and auditors those of rounds they organise."""
    qs = Application.objects.select_related("round", "employer", "unit__organisation", "person")
    if user.role == Role.APPLICANT:
        return qs.filter(Q(applicant_account=user) | Q(person__account=user))
    if user.role in ORG_SCOPED_ROLES and user.organisation_id:
        path = user.organisation.path
        if user.role == Role.EMPLOYER:
            return qs.filter(employer__path__startswith=path)
        # Drafts stay with whoever writes them; an officer sees the competition nominations it drafted.
        mine = Q(created_by=user, route=Route.COMPETITION)
        if user.role == Role.RECOMMENDER:
            return qs.filter((Q(unit__organisation__path__startswith=path) & ~Q(status=State.DRAFT)) | mine)
        return qs.filter((Q(round__organiser__path__startswith=path) | Q(unit__organisation__path__startswith=path)
                          | Q(employer__path__startswith=path)) & ~Q(status=State.DRAFT) | mine)
    return qs.none()


def stage_history(app, *, for_applicant: bool) -> list[dict]:
    """The application's changes of status, oldest first, read from the audit log: at, from_status,
    to_status, label (staff- or applicant-facing), actor and reason (empty for the applicant)."""
    from gongjiang.audit.models import AuditEntry

    entries = AuditEntry.objects.filter(object_type=app._meta.label_lower, object_id=str(app.pk)).order_by("id")
    out = []
    for e in entries.only("created_at", "actor_name", "before", "after", "reason"):
        before, after = e.before or {}, e.after or {}
        if "status" not in after or before.get("status") == after["status"]:
            continue
        to = after["status"]
        out.append({"at": e.created_at, "from_status": before.get("status"), "to_status": to,
                    "label": states.applicant_label(to) if for_applicant else states.staff_label(to),
                    "actor": "" if for_applicant else e.actor_name, "reason": "" if for_applicant else e.reason})
    return out


def is_owner(user, application) -> bool:
    return user.pk is not None and (application.applicant_account_id == user.pk
                                     or (application.person_id and application.person.account_id == user.pk))


def can_edit(user, application) -> bool:
    if not application.is_editable:
        return False
    if is_owner(user, application):
        return True
    if application.route == Route.COMPETITION and application.created_by_id == user.pk:
        return True  # the bureau or unit officer who nominated the competition winner
    return user.role == Role.EMPLOYER and application.route != Route.SELF and in_scope(user, application.employer)


# ---------------------------------------------------------------- transitions

def notify(application, text):
    """A message to the applicant, shown in their inbox until they open the application."""
    recipient = application.applicant_account or (application.person.account if application.person_id else None)
    if recipient is not None:
        ApplicationMessage.objects.create(application=application, recipient=recipient, text=text)


@transaction.atomic
def transition(application, to, *, actor, reason="", applicant_reason=None, action=None, **fields):
    """Move `application` to state `to` if the table allows it; set `fields`, save, audit, notify.

    `reason` goes into the audit log; the applicant is told `applicant_reason` where the full reason
    holds internal matter (expert scores and ranks), else the reason itself."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if not states.can_move(app.status, to):
        raise Conflict(f"当前状态“{states.staff_label(app.status)}”不能变为“{states.staff_label(to)}”",
                       log=f"transition {app.status} -> {to} not allowed")
    before = snapshot(app, STATUS_FIELDS)
    app.status = to
    for k, v in fields.items():
        setattr(app, k, v)
    app.save()
    record(action or f"application.{to}", actor=actor, obj=app, before=before, after=snapshot(app, STATUS_FIELDS),
           reason=reason)
    text = f"您的申报（{app.round.title}）状态更新为：{states.applicant_label(to)}"
    told = reason if applicant_reason is None else applicant_reason
    notify(app, text + (f"。说明：{told}" if told else ""))
    application.__dict__.update(app.__dict__)
    return application


def _live(rnd):
    return Application.objects.filter(round=rnd).exclude(status=State.WITHDRAWN)


def _refuse_duplicate(rnd, *, route, person, actor):
    """One live application per person (and per applicant account on the self route) and round;
    the database constraints enforce the same under a race."""
    if person is not None and _live(rnd).filter(person=person).exists():
        raise Conflict(f"{person.name}在本批次已有申报，请勿重复申报", log="duplicate application")
    if route == Route.SELF and _live(rnd).filter(route=Route.SELF, applicant_account=actor).exists():
        raise Conflict("您在本批次已有申报，请勿重复申报", log="duplicate self application")


SERIAL_ATTEMPTS = 5


def _save_with_serial(app, *, actor):
    """Save a new application with the round's next serial. Two applications started in the same
    round at the same instant read the same last serial: the loser's insert hits the unique serial
    and takes the next number; only a real duplicate (same person or account, constraint
    application_one_per_person_round / application_one_self_per_account_round) is refused."""
    for _ in range(SERIAL_ATTEMPTS):
        app.serial = _next_serial(app.round)
        try:
            with transaction.atomic():
                app.save()
            return app
        except IntegrityError:
            app.pk = None
            _refuse_duplicate(app.round, route=app.route, person=app.person, actor=actor)
    raise Conflict("同时发起的申报较多，申报编号分配未成功，请稍后重试", log="serial allocation kept colliding")


def _next_serial(rnd) -> str:
    """申报编号: year, round number, sequence (2026-R003-0012)."""
    prefix = f"{rnd.year}-R{rnd.pk:03d}-"
    last = (Application.objects.filter(round=rnd, serial__startswith=prefix)
            .order_by("-serial").values_list("serial", flat=True).first())
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


# ---------------------------------------------------------------- starting and editing

@transaction.atomic
def start(*, round, actor, route, person=None, employer=None, unit=None, honour_code="", reason="") -> Application:
    """Open a draft: an applicant for themselves (self route), or an employer officer for an employee.
    In a round of several tiers (仲恺 第五条: 首席技师、优秀技师) the draft names the tier applied for."""
    require_open(round, DeadlineKind.APPLICATION)
    honour_code = _tier(round, honour_code)
    if route == Route.SELF:
        if actor.role != Role.APPLICANT:
            raise NotAllowed("只有申报人本人可以自荐申报", log="self route by non-applicant")
        nominators.require_route(round, route)  # 聊城 三: 以县（市、区）、市直部门及市直大企业为单位进行
        person = getattr(actor, "person", None) if person is None else person
    elif route in (Route.EMPLOYER, Route.UNIT):
        if actor.role != Role.EMPLOYER:
            raise NotAllowed("只有用人单位经办人可以代员工申报", log="nomination by non-employer")
        nominators.require_route(round, route)
        employer = employer or actor.organisation
        if not in_scope(actor, employer):
            raise NotAllowed("只能为本单位员工申报", log="employer out of scope")
        if person is None:
            raise DomainError("请先选择或登记被推荐员工", log="nomination without person")
    elif route == Route.COMPETITION:
        _require_competition_nominator(actor, round)
        if person is None:
            raise DomainError("请先选择竞赛优胜者", log="competition nomination without person")
    else:
        raise DomainError("不支持的申报途径", log=f"route {route}")
    _refuse_duplicate(round, route=route, person=person, actor=actor)
    if person is not None:
        from gongjiang.honours.services import reapply_barred

        barred = reapply_barred(person, round.policy)  # 惠阳 第十八条: 撤销称号…不得再次申报
        if barred:
            raise DomainError(barred.reason, log="application refused: re-application barred after revocation")
    facts = prefill_facts(person, employer=employer, reference_date=round.reference_date)
    if employer is None and facts.get("employment", {}).get("employer_id"):
        from gongjiang.accounts.models import Organisation

        employer = Organisation.objects.filter(pk=facts["employment"]["employer_id"]).first()
    if unit is None:
        unit = default_unit(round, employer)
    name = person.name if person else (actor.display_name or actor.username)
    app = Application(round=round, route=route, person=person, name=name, employer=employer, unit=unit,
                      honour_code=honour_code,
                      applicant_account=actor if route == Route.SELF else (person.account if person else None),
                      facts=facts, created_by=actor)
    _save_with_serial(app, actor=actor)
    record("application.start", actor=actor, obj=app, after=snapshot(app, ["round", "route", "person", "employer",
                                                                          "unit", "serial", "honour_code"]), reason=reason)
    return app


def _tier(rnd, code) -> str:
    """The tier code an application in `rnd` names ("" in a round of one honour)."""
    choices = policy_link.tier_choices(rnd)
    if not choices:
        return ""
    if code not in dict(choices):
        raise DomainError("请选择申报的称号（等级）：" + "；".join(label for _c, label in choices),
                          log=f"tier {code!r} not in round")
    return code


def competition_route(rnd):
    """The policy's competition-winner route (环翠 第十条（二）: 从各类职业技能竞赛成绩优异者中推荐), or None."""
    for r in policy_link.parsed(rnd.policy).recommendation.routes:
        if r.kind == "competition_winner":
            return r
    return None


NO_COMPETITION_ROUTE = "本批次政策没有竞赛优胜者推荐途径"
NOT_COMPETITION_NOMINATOR = "只有组织单位（人社局）或本批次推荐单位的经办人可以推荐竞赛优胜者"


def competition_nominator_refusal(actor, rnd) -> str:
    """Why `actor` may not nominate competition winners in `rnd` ("" when they may)."""
    if competition_route(rnd) is None:
        return NO_COMPETITION_ROUTE
    if actor.role == Role.BUREAU and in_scope(actor, rnd.organiser):
        return ""
    if actor.role == Role.RECOMMENDER and units_for(actor, rnd).exists():
        return ""
    return NOT_COMPETITION_NOMINATOR


def _require_competition_nominator(actor, rnd):
    refusal = competition_nominator_refusal(actor, rnd)
    if refusal == NO_COMPETITION_ROUTE:
        raise DomainError(refusal, log="competition route not in policy")
    if refusal:
        raise NotAllowed(refusal, log="competition nominator")


def competition_candidates(actor, *, query=""):
    """Registry people in `actor`'s scope with at least one competition placement on record,
    optionally narrowed by a name search."""
    from django.db.models import Exists, OuterRef

    from gongjiang.registry.models import CompetitionResult
    from gongjiang.registry.services import scoped_people

    placed = CompetitionResult.objects.filter(person=OuterRef("pk"))
    qs = scoped_people(actor).filter(Exists(placed))
    if (query or "").strip():
        qs = qs.filter(name__icontains=query.strip())
    return qs.order_by("name", "pk")


def competition_offer(person, rnd, tier=None) -> list[dict]:
    """Every placement of `person` on record, each with the policy clauses (of tier `tier` in a
    round of several) it supports (环翠 第十条（二）: 从各类职业技能竞赛成绩优异者中推荐) and whether
    it may be chosen for a nomination."""
    from . import eligibility

    supported = {o["placement"].pk: o["clauses"] for o in eligibility.competition_placements(person, rnd, tier)}
    return [{"placement": c, "clauses": supported.get(c.pk, []), "offered": c.pk in supported}
            for c in person.competition_results.order_by("-held_on", "pk")]


def live_application_of(person, rnd):
    return _live(rnd).filter(person=person).first()


def nominate_competition_winner(*, round, actor, person, placements, honour_code="", reason="") -> Application:
    """Nominate a competition winner from the registry's placements that meet the policy's
    competition clause (环翠 第十条（二）); the draft is pre-filled with the chosen placements. In a
    round of several tiers the nomination names its tier and the placements meet that tier's clauses."""
    from . import eligibility

    _require_competition_nominator(actor, round)
    tier = _tier(round, honour_code)
    offered = {p["placement"].pk: p["placement"] for p in eligibility.competition_placements(person, round, tier)}
    chosen = [offered[pk] for pk in placements if pk in offered]
    if not chosen or len(chosen) != len(set(placements)):
        raise DomainError("请选择符合本政策竞赛条件的竞赛成绩（须为人才库中的记录）", log="placements not offered")
    with transaction.atomic():
        app = start(round=round, actor=actor, route=Route.COMPETITION, person=person, honour_code=tier, reason=reason)
        facts = dict(app.facts)
        facts["competitions"] = [{"name": c.name, "level": c.level, "klass": c.klass, "rank": c.rank,
                                  "held_on": c.held_on.isoformat()} for c in chosen]
        facts.setdefault("source", {})["competition_placements"] = [c.pk for c in chosen]
        Application.objects.filter(pk=app.pk).update(facts=facts)
        app.facts = facts
        record("application.competition_nominate", actor=actor, obj=app,
               after={"placements": [c.pk for c in chosen], "route": competition_route(round).article}, reason=reason)
    return app


def employee_for_nomination(*, employer, actor, id_number, name):
    """The registry person an employer nominates: found by ID number (name must match), or
    registered now with the employer as source. Someone currently employed elsewhere is refused."""
    from gongjiang.registry.services import find_person_by_id_number, register_person

    name = (name or "").strip()
    person = find_person_by_id_number((id_number or "").strip().upper())
    if person is None:
        jurisdiction = employer.jurisdiction() or employer
        return register_person(name=name, id_number=id_number, jurisdiction=jurisdiction, actor=actor,
                               source="employer", reason="单位推荐申报时登记")
    if person.name != name:
        raise DomainError("姓名与身份证号码在人才库中的登记不一致，请核对", log="nominee name mismatch")
    current = person.employments.filter(end__isnull=True)
    if current.exists() and not current.filter(employer__path__startswith=employer.path).exists():
        raise NotAllowed("人才库显示该人员目前不在本单位工作，不能由本单位推荐", log="nominee employed elsewhere")
    return person


def default_unit(rnd, employer):
    """The recommending unit whose organisation contains the employer (nearest first)."""
    if employer is None:
        return None
    units = [u for u in rnd.units.select_related("organisation") if u.organisation.contains(employer)]
    return max(units, key=lambda u: u.organisation.depth) if units else None


def prefill_facts(person, *, employer=None, reference_date=None) -> dict:
    """The form's starting values from the registry (what is known); the applicant corrects them."""
    facts = {"personal": {}, "employment": {}, "skill": {}, "competitions": [], "titles": [], "apprentices": [],
             "achievements": {}, "source": {}}
    if person is None:
        if employer is not None:
            facts["employment"].update(employer_name=employer.name, employer_id=employer.pk)
        return facts
    facts["personal"] = {"name": person.name, "gender": person.get_gender_display(),
                         "birth_date": person.birth_date.isoformat(), "id_number_masked": person.id_number_masked}
    job = person.employments.filter(end__isnull=True).select_related("employer").order_by("-start").first()
    if employer is not None and job is not None and job.employer_id != employer.pk:
        job = person.employments.filter(employer=employer).order_by("-start").first() or job
    if job:
        facts["employment"] = {"employer_name": job.employer.name, "employer_id": job.employer_id, "post": job.post,
                               "frontline": job.frontline, "start": job.start.isoformat()}
    elif employer is not None:
        facts["employment"] = {"employer_name": employer.name, "employer_id": employer.pk}
    months = sum(p.months for p in person.insurance_periods.all())
    if months:
        facts["employment"]["insurance_months"] = months
    cert = person.certificates.order_by("-level", "-issued_on").first()
    if cert:
        facts["skill"] = {"occupation": cert.occupation, "level": cert.level, "number": cert.number,
                          "issued_on": cert.issued_on.isoformat()}
    facts["competitions"] = [
        {"name": c.name, "level": c.level, "klass": c.klass, "rank": c.rank, "held_on": c.held_on.isoformat()}
        for c in person.competition_results.order_by("-held_on")[:10]]
    facts["titles"] = [{"name": t.name or t.get_code_display(), "code": t.code, "level": t.level,
                        "awarded_on": t.awarded_on.isoformat()} for t in person.titles.order_by("-awarded_on")[:10]]
    facts["apprentices"] = [{"name": a.apprentice_name, "level": a.apprentice_certificate_level,
                             "backbone": bool(a.apprentice_is_backbone),
                             "competition": bool(a.apprentice_competition_rank), "note": ""}
                            for a in person.apprenticeships.all()[:10]]
    facts["source"] = {"registry_person": person.pk, "prefilled_at": timezone.now().isoformat()}
    return facts


@transaction.atomic
def save_draft(application, *, actor, facts=None, deed_text=None, unit=None) -> Application:
    app = Application.objects.select_for_update().get(pk=application.pk)
    if not can_edit(actor, app):
        raise NotAllowed("本申报当前不可修改（已提交的申报需经办人退回后才能修改）", log="edit frozen application")
    changed = []
    if facts is not None:
        # Keys the form does not carry (masked ID number, employer id, registry source) are kept.
        merged = {**app.facts, **facts}
        for section in ("personal", "employment", "skill"):
            merged[section] = {**app.facts.get(section, {}), **facts.get(section, {})}
        if merged != app.facts:
            app.facts = merged
            changed.append("facts")
    if deed_text is not None and deed_text != app.deed_text:
        app.deed_text = deed_text
        changed.append("deed_text")
    if unit is not None and unit.pk != app.unit_id:
        if unit.round_id != app.round_id:
            raise DomainError("所选推荐单位不属于本批次", log="unit from another round")
        nominators.require_nominee(unit, app)
        app.unit = unit
        changed.append("unit")
    if app.facts.get("personal", {}).get("name"):
        app.name = app.facts["personal"]["name"][:60]
    app.save()
    if changed:
        record("application.save_draft", actor=actor, obj=app, after={"changed": changed})
    application.__dict__.update(app.__dict__)
    return application


def material_rule(material: dict) -> uploads.UploadRule:
    kinds = frozenset(material.get("file_types") or ["pdf"])
    max_mb = material.get("max_mb") or (5 if kinds <= {"jpeg", "png"} else 20)
    return uploads.UploadRule(kinds, max_bytes=int(max_mb) * uploads.MB, label=material.get("label", ""))


def find_material(application, code) -> dict:
    for m in application.round.materials:
        if m.get("code") == code:
            return m
    raise DomainError("未知的材料类别", log=f"unknown material {code}")


def attach_evidence(application, *, actor, file, material) -> Evidence:
    """Check the file by content against the material's rule; store it only if it passes."""
    if not can_edit(actor, application):
        raise NotAllowed("本申报当前不可修改，不能上传材料", log="upload to frozen application")
    spec = find_material(application, material)
    checked = uploads.check_upload(file, rule=material_rule(spec))
    if application.evidence.filter(sha256=checked.sha256, material=material).exists():
        raise DomainError("同一文件已上传过", log="duplicate evidence")
    relpath = uploads.store_checked(checked, folder="evidence")
    try:
        with transaction.atomic():
            ev = Evidence.objects.create(application=application, material=material, material_label=spec.get("label", ""),
                                         name=checked.name, kind=checked.kind, content_type=checked.content_type,
                                         size=checked.size, pages=checked.pages, sha256=checked.sha256, path=relpath,
                                         uploaded_by=actor)
            record("application.evidence.add", actor=actor, obj=application,
                   after={"evidence": ev.pk, "material": material, "name": ev.name, "sha256": ev.sha256})
    except Exception:
        uploads.delete_stored(relpath)
        raise
    return ev


@transaction.atomic
def remove_evidence(evidence, *, actor) -> None:
    if not can_edit(actor, evidence.application) or evidence.frozen_in_version:
        raise NotAllowed("已随申报提交的材料不能删除", log="remove frozen evidence")
    record("application.evidence.remove", actor=actor, obj=evidence.application,
           before={"evidence": evidence.pk, "name": evidence.name, "sha256": evidence.sha256})
    path = evidence.path
    evidence.delete()
    transaction.on_commit(lambda: uploads.delete_stored(path))


def log_evidence_access(evidence, *, actor) -> None:
    record("application.evidence.view", actor=actor, obj=evidence.application,
           after={"evidence": evidence.pk, "name": evidence.name})


# ---------------------------------------------------------------- submission

def problems(application) -> list[str]:
    """What still keeps a draft from being submitted (shown on the form, enforced by submit)."""
    out = []
    f = application.facts or {}
    if not f.get("personal", {}).get("name"):
        out.append("请填写姓名")
    if not f.get("employment", {}).get("employer_name"):
        out.append("请填写工作单位")
    if not f.get("skill", {}).get("occupation"):
        out.append("请填写职业（工种）")
    n = deed_length(application.deed_text)
    if n < DEED_MIN:
        out.append(f"事迹材料过短（现{n}字，应在{DEED_TARGET}字左右，至少{DEED_MIN}字）")
    if n > DEED_MAX:
        out.append(f"事迹材料过长（现{n}字，不超过{DEED_MAX}字）")
    have = set(application.evidence.values_list("material", flat=True))
    for m in application.round.materials:
        if m.get("required") and m.get("upload", True) and m["code"] not in have:
            out.append(f"请上传：{m['label']}")
    if application.round.units.exists() and application.unit_id is None:
        out.append("请选择推荐单位")
    return out


def deed_length(text) -> int:
    """Characters of the deed text, not counting spaces and line breaks (as the page counts)."""
    return len(re.sub(r"\s", "", text or ""))


def _digest(payload) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def submit(application, *, actor, commitment_name, reason="") -> Application:
    """Freeze the content as a new version (after the signed commitment) and pass it on."""
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("round").get(pk=application.pk)
        if not can_edit(actor, app):
            raise NotAllowed("本申报当前不能提交", log=f"submit in {app.status}")
        require_open(app.round, DeadlineKind.APPLICATION)
        issues = problems(app)
        if issues:
            raise DomainError("申报尚不完整：" + "；".join(issues), log="incomplete application")
        signed = (commitment_name or "").strip()
        if signed != app.facts.get("personal", {}).get("name", "").strip():
            raise DomainError("承诺书签名须与申报人姓名一致", log="commitment name mismatch")
        now = timezone.now()
        app.eligibility, app.eligibility_status = evaluate(app)
        evidence = list(app.evidence.values("id", "material", "name", "sha256", "size"))
        number = app.version + 1
        payload = {"facts": app.facts, "deed_text": app.deed_text, "commitment": signed, "evidence": evidence}
        ApplicationVersion.objects.create(application=app, number=number, facts=app.facts, deed_text=app.deed_text,
                                          commitment_name=signed, evidence=evidence, eligibility=app.eligibility,
                                          digest=_digest(payload), submitted_by=actor, submitted_at=now)
        app.evidence.filter(frozen_in_version__isnull=True).update(frozen_in_version=number)
        Application.objects.filter(pk=app.pk).update(eligibility=app.eligibility,
                                                     eligibility_status=app.eligibility_status)
        transition(app, State.SUBMITTED, actor=actor, reason=reason, action="application.submit",
                   version=number, submitted_at=now, commitment_name=signed, commitment_signed_at=now)
        _advance_past_absent_steps(app, actor=actor)
    application.__dict__.update(app.__dict__)
    return application


def needs_employer_step(app) -> bool:
    return app.route != Route.SELF and app.employer_id is not None


def _advance_past_absent_steps(app, *, actor):
    """Skip steps that do not apply: no employer step on the self route; no unit step in rounds
    without recommending units."""
    if app.status == State.SUBMITTED and not needs_employer_step(app):
        if app.unit_id:
            transition(app, State.EMPLOYER_VERIFIED, actor=actor, reason="个人自荐，无用人单位审核环节",
                       action="application.skip_employer")
        else:
            transition(app, State.RECOMMENDED, actor=actor, reason="个人自荐，直接报送", action="application.forward",
                       forwarded_at=timezone.now())
    if app.status == State.EMPLOYER_VERIFIED and app.unit_id is None:
        transition(app, State.RECOMMENDED, actor=actor, reason="本批次无推荐单位环节，单位审核后直接报送",
                   action="application.forward", forwarded_at=timezone.now(), forwarded_by=actor)


def evaluate(app) -> tuple[dict, str]:
    """The engine's eligibility result: the registry person's records merged with the declared
    facts, on the round's reference date (see `eligibility`)."""
    from . import eligibility

    return eligibility.evaluate(app)


def can_reverify(user, application) -> bool:
    return (user.role in (Role.EMPLOYER, Role.RECOMMENDER, Role.BUREAU) and application.status != State.DRAFT
            and visible_applications(user).filter(pk=application.pk).exists())


@transaction.atomic
def reverify(application, *, actor, reason="") -> Application:
    """重新核验: an officer recomputes the eligibility result from the current registry records
    (e.g. after a certificate was verified or a credit record entered). Audited."""
    if actor.role not in (Role.EMPLOYER, Role.RECOMMENDER, Role.BUREAU) or not visible_applications(actor).filter(
            pk=application.pk).exists():
        raise NotAllowed("您无权重新核验本申报", log="reverify not allowed")
    app = Application.objects.select_for_update().get(pk=application.pk)  # no outer joins under FOR UPDATE
    if app.status == State.DRAFT:
        raise DomainError("草稿尚未提交，提交时会自动核验", log="reverify draft")
    before = {"eligibility_status": app.eligibility_status}
    app.eligibility, app.eligibility_status = evaluate(app)
    Application.objects.filter(pk=app.pk).update(eligibility=app.eligibility, eligibility_status=app.eligibility_status)
    record("application.reverify", actor=actor, obj=app, before=before,
           after={"eligibility_status": app.eligibility_status, "basis": app.eligibility.get("basis", "")},
           reason=reason or "重新核验")
    application.eligibility, application.eligibility_status = app.eligibility, app.eligibility_status
    return application


@transaction.atomic
def reopen(application, *, actor, reason) -> Application:
    """Send a submitted application back for correction: an officer's audited action."""
    if not (reason or "").strip():
        raise DomainError("退回修改须填写理由", log="reopen without reason")
    if not can_act_as_officer(actor, application):
        raise NotAllowed("您无权退回本申报", log="reopen not allowed")
    return transition(application, State.RETURNED, actor=actor, reason=reason, action="application.reopen")


def can_act_as_officer(user, app) -> bool:
    if user.role == Role.EMPLOYER:
        return in_scope(user, app.employer) and app.status == State.SUBMITTED
    if user.role == Role.RECOMMENDER:
        return app.unit_id is not None and in_scope(user, app.unit.organisation)
    if user.role == Role.BUREAU:
        return in_scope(user, app.round.organiser)
    return False


@transaction.atomic
def withdraw(application, *, actor, reason="") -> Application:
    if not is_owner(actor, application) and not (actor.role == Role.EMPLOYER and in_scope(actor, application.employer)):
        raise NotAllowed("只有申报人或其单位可以撤回", log="withdraw not allowed")
    return transition(application, State.WITHDRAWN, actor=actor, reason=reason, action="application.withdraw")


# ---------------------------------------------------------------- employer

@transaction.atomic
def verify_by_employer(application, *, actor, opinion, agree=True) -> Application:
    """The employer checks the facts and gives its opinion (Huiyang 第十条（二）)."""
    if actor.role != Role.EMPLOYER or not in_scope(actor, application.employer):
        raise NotAllowed("只有申报人所在单位可以审核", log="employer verify out of scope")
    if not (opinion or "").strip():
        raise DomainError("请填写单位推荐意见", log="empty opinion")
    require_open(application.round, DeadlineKind.RECOMMENDATION)
    to = State.EMPLOYER_VERIFIED if agree else State.EMPLOYER_DECLINED
    transition(application, to, actor=actor, reason=opinion, action="application.employer_verify" if agree
               else "application.employer_decline", employer_opinion=opinion, employer_verified_by=actor,
               employer_verified_at=timezone.now())
    if agree:
        _advance_past_absent_steps(application, actor=actor)
    return application


# ---------------------------------------------------------------- recommending units

def units_for(user, rnd=None):
    qs = RecommendingUnit.objects.select_related("round", "organisation")
    if rnd is not None:
        qs = qs.filter(round=rnd)
    if user.role == Role.BUREAU:
        return qs.filter(Q(round__organiser__path__startswith=user.organisation.path)
                         | Q(organisation__path__startswith=user.organisation.path))
    if user.role == Role.RECOMMENDER and user.organisation_id:
        return qs.filter(organisation__path__startswith=user.organisation.path)
    return qs.none()


def _require_unit_officer(actor, unit):
    if actor.role not in (Role.RECOMMENDER, Role.BUREAU) or not (
            in_scope(actor, unit.organisation) or (actor.role == Role.BUREAU and in_scope(actor, unit.round.organiser))):
        raise NotAllowed("您不是该推荐单位的经办人", log="unit action out of scope")


def used_quota(unit) -> int:
    return unit_steps.candidates(unit).count()


def _locked_unit_of(application) -> RecommendingUnit:
    """The application's recommending unit, row-locked; an application without one cannot be forwarded,
    withdrawn from or declined by a unit."""
    if application.unit_id is None:
        raise DomainError("该申报未选择推荐单位，不能由推荐单位处理", log=f"application {application.pk} has no unit")
    return RecommendingUnit.objects.select_for_update().select_related("round", "organisation").get(
        pk=application.unit_id)


def forward(application, *, actor, classified=None, reason="") -> Application:
    """Recommend a candidate within the unit's quota (row lock). Where the policy lists unit steps
    (公示, 审定 …: unit_steps), the candidate is proposed and reaches the bureau only with the unit's
    report once the steps are done; otherwise it goes to the bureau now."""
    with transaction.atomic():
        unit = _locked_unit_of(application)
        _require_unit_officer(actor, unit)
        require_open(unit.round, DeadlineKind.RECOMMENDATION)
        nominators.require_nominee(unit, application)  # its own area or its own staff, as its type says
        if unit.report_submitted_at:
            raise Conflict("本单位推荐报告已报送，不能再增加推荐人选", log="forward after report")
        used = used_quota(unit)
        if used >= unit.quota:
            raise Conflict(f"已达到推荐名额上限：{unit.organisation}本批次最多推荐{unit.quota}名"
                           f"（{unit.quota_article or '批次设定'}），已推荐{used}名",
                           log=f"unit {unit.pk} quota {unit.quota} reached", code="quota")
        fields = {"forwarded_at": timezone.now(), "forwarded_by": actor, "unit_rank": used + 1}
        if classified is not None:
            fields["classified"] = bool(classified)
        if unit_steps.steps_of(unit.round):
            transition(application, State.UNIT_PROPOSED, actor=actor, reason=reason or "推荐单位拟推荐",
                       action="application.propose", **fields)
        else:
            transition(application, State.RECOMMENDED, actor=actor, reason=reason, action="application.forward",
                       **fields)
    return application


@transaction.atomic
def unforward(application, *, actor, reason) -> Application:
    unit = _locked_unit_of(application)
    _require_unit_officer(actor, unit)
    if unit.report_submitted_at:
        raise Conflict("推荐报告已报送，不能撤回推荐", log="unforward after report")
    transition(application, State.EMPLOYER_VERIFIED, actor=actor, reason=reason or "撤回推荐",
               action="application.unforward", unit_rank=None, forwarded_at=None, forwarded_by=None)
    _renumber(unit)
    return application


@transaction.atomic
def decline(application, *, actor, reason) -> Application:
    unit = _locked_unit_of(application)
    _require_unit_officer(actor, unit)
    if not (reason or "").strip():
        raise DomainError("不予推荐须填写理由", log="decline without reason")
    return transition(application, State.NOT_RECOMMENDED, actor=actor, reason=reason, action="application.decline")


def _renumber(unit):
    for i, app in enumerate(unit_steps.candidates(unit).order_by("unit_rank", "forwarded_at"), start=1):
        if app.unit_rank != i:
            Application.objects.filter(pk=app.pk).update(unit_rank=i)


@transaction.atomic
def rank(unit, *, actor, order: list[int]) -> None:
    """Set the order of the unit's recommended candidates (required when more than two)."""
    unit = RecommendingUnit.objects.select_for_update().get(pk=unit.pk)
    _require_unit_officer(actor, unit)
    if unit.report_submitted_at:
        raise Conflict("推荐报告已报送，不能再调整排序", log="rank after report")
    current = {a.pk: a.unit_rank for a in unit_steps.candidates(unit)}
    if sorted(order) != sorted(current):
        raise DomainError("排序须包含本单位全部已推荐人选，且每人一次", log="rank list mismatch")
    for i, pk in enumerate(order, start=1):
        Application.objects.filter(pk=pk).update(unit_rank=i)
    record("round.unit.rank", actor=actor, obj=unit, before={"order": sorted(current, key=current.get)},
           after={"order": order})


@transaction.atomic
def move_rank(unit, *, actor, application, up: bool) -> None:
    """Swap a candidate with the one above (up) or below it in the unit's order."""
    order = list(unit_steps.candidates(unit).order_by("unit_rank", "forwarded_at").values_list("pk", flat=True))
    if application.pk not in order:
        raise DomainError("该人选尚未推荐，不能排序", log="move unranked")
    i = order.index(application.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
        rank(unit, actor=actor, order=order)


def default_report_text(unit, recommended) -> str:
    """The unit's recommendation report as the page pre-fills it; in a round of several tiers
    (仲恺 第五条) the candidates are named under the tier each is recommended for."""
    rnd = unit.round

    def names(apps):
        return "、".join(f"{a.name}{'（涉密）' if a.classified else ''}" for a in apps) or "（尚无）"

    if rnd.tiers and recommended:
        by_tier = [(t["title"], [a for a in recommended if a.tier == t["code"]]) for t in rnd.tiers]
        whom = "，".join(f"{names(apps)}{len(apps)}名同志为{title}推荐人选" for title, apps in by_tier if apps)
        decision = f"同意推荐{whom}，共{len(recommended)}名"
    else:
        decision = f"同意推荐{names(recommended)}共{len(recommended)}名同志为{rnd.honour_title}推荐人选"
    notice = ""
    if rnd.unit_notice_working_days and unit.notice_ends_on and unit.notice_ends_on < timezone.localdate():
        notice = (f"推荐人选已于{unit.notice_starts_on:%Y年%m月%d日}至{unit.notice_ends_on:%Y年%m月%d日}"
                  f"在本单位公示{rnd.unit_notice_working_days}个工作日，无异议。")
    return (f"根据{rnd.policy.title}和{rnd.title}工作安排，本单位组织开展了推荐工作，"
            f"对申报人员的职业资格、业绩贡献和申报材料真实性进行了审核。{notice}"
            f"经研究，{decision}" + ("，排序如下表。" if len(recommended) > 2 else "。"))


@transaction.atomic
def set_classified(application, *, actor, classified: bool) -> None:
    unit = application.unit
    _require_unit_officer(actor, unit)
    before = application.classified
    Application.objects.filter(pk=application.pk).update(classified=classified)
    application.classified = classified
    record("application.classified", actor=actor, obj=application, before={"classified": before},
           after={"classified": classified})


def current_unit_notice(unit):
    """The notice in force of a unit (the latest publication), or None."""
    link = unit.unit_notices.select_related("notice").first()
    return link.notice if link else None


def _notice_entry(app) -> dict:
    facts = app.facts or {}
    gender = {"男": "M", "女": "F"}.get(facts.get("personal", {}).get("gender"), "")
    level = facts.get("skill", {}).get("level")
    return {"name": app.name, "gender": gender, "employer": str(app.employer or facts.get("employment", {}).get(
        "employer_name", "")), "occupation": facts.get("skill", {}).get("occupation") or "",
            "skill_level": int(level) if level not in (None, "") else None, "application_id": app.pk}


@transaction.atomic
def post_unit_notice(unit, *, actor, starts_on: dt.date, text="", contact="") -> RecommendingUnit:
    """The unit's notice of its candidates for N working days (Liaocheng 三、推荐程序: 推荐人选在人选所在
    单位公示5个工作日), published through the notices app (public page, objections, working-day end
    date). Publishing again (e.g. after the list changed) corrects the previous notice."""
    from gongjiang.notices.services import publish_notice

    from .models import UnitNotice

    unit = RecommendingUnit.objects.select_for_update().select_related("round__policy", "organisation").get(pk=unit.pk)
    _require_unit_officer(actor, unit)
    rnd = unit.round
    days = rnd.unit_notice_working_days
    if not days:
        raise DomainError("本批次政策未要求推荐单位公示", log="unit notice not required")
    apps = list(unit_steps.candidates(unit).select_related("employer").order_by("unit_rank"))
    if not apps:
        raise DomainError("尚无推荐人选，不能公示", log="notice without candidates")
    unit_steps.require_earlier_done(unit, unit_steps.NOTICE)
    procedure = policy_link.parsed(rnd.policy).recommendation.unit_procedure
    previous = current_unit_notice(unit)
    notice = publish_notice(
        title=f"{unit.organisation}{rnd.title}推荐人选公示", entries=[_notice_entry(a) for a in apps],
        start=starts_on, publisher=actor, contact=(contact or "").strip() or f"{unit.organisation}推荐工作经办人",
        body=text or default_notice_text(unit, [a.name for a in apps]), days=days, round_id=rnd.pk,
        policy_ref=f"{rnd.policy.title} {procedure.article}" if procedure else rnd.policy.title,
        honour=rnd.honour_title, organisation=unit.organisation, corrects=previous,
        correction_reason="推荐人选调整后重新公示" if previous else "")
    UnitNotice.objects.create(unit=unit, notice=notice, published_by=actor)
    before = snapshot(unit, ["notice_starts_on", "notice_ends_on"])
    unit.notice_starts_on, unit.notice_ends_on, unit.notice_text = notice.start_date, notice.end_date, notice.body
    unit.save(update_fields=["notice_starts_on", "notice_ends_on", "notice_text"])
    record("round.unit.notice", actor=actor, obj=unit, before=before,
           after={**snapshot(unit, ["notice_starts_on", "notice_ends_on"]), "notice": notice.pk})
    return unit


def unit_notice_problem(unit) -> str:
    """Why the unit may not report yet because of its notice (empty when it may)."""
    from gongjiang.notices.services import closure

    days = unit.round.unit_notice_working_days
    if not days:
        return ""
    notice = current_unit_notice(unit)
    if notice is None:
        return f"推荐人选须在本单位公示{days}个工作日后方可报送，请先发布单位公示"
    decision = closure(notice)
    if not decision:
        return (f"单位公示期为{notice.start_date:%Y年%m月%d日}至{notice.end_date:%Y年%m月%d日}，"
                f"公示期满且无未办结异议后方可报送（{decision.reason}）")
    shown = set(notice.entries.filter(removed_at__isnull=True, application__isnull=False)
                .values_list("application_id", flat=True))
    missing = [a.name for a in unit_steps.candidates(unit).exclude(pk__in=shown)]
    if missing:
        return f"以下推荐人选未经单位公示：{'、'.join(missing)}，请重新发布单位公示"
    return ""


def default_notice_text(unit, names) -> str:
    rnd = unit.round
    return (f"根据{rnd.policy.title}有关规定，经本单位组织评定，拟推荐{'、'.join(names)}"
            f"为{rnd.title}推荐人选，现予公示。公示期为{unit.round.unit_notice_working_days}个工作日。"
            "如有异议，请在公示期内向本单位反映。")


@transaction.atomic
def submit_report(unit, *, actor, text) -> RecommendingUnit:
    """The unit's recommendation report: candidates ranked when more than two, classified
    personnel marked, after the unit's notice period has ended and every unit step the policy
    lists is done. The proposed candidates reach the bureau now (unit_proposed -> recommended)."""
    unit = RecommendingUnit.objects.select_for_update().select_related("round").get(pk=unit.pk)
    _require_unit_officer(actor, unit)
    require_open(unit.round, DeadlineKind.RECOMMENDATION)
    if unit.report_submitted_at:
        raise Conflict("推荐报告已报送", log="report twice")
    apps = list(unit_steps.candidates(unit).order_by("unit_rank"))
    if not apps:
        raise DomainError("尚无推荐人选，不能报送推荐报告", log="report without candidates")
    above = policy_link.ranking_required_above(unit.round.policy)
    if len(apps) > above and sorted(a.unit_rank or 0 for a in apps) != list(range(1, len(apps) + 1)):
        raise DomainError(f"推荐人选超过{above}人的须排序", log="unranked report")
    problem = unit_notice_problem(unit) or unit_steps.report_problem(unit)
    if problem:
        raise DomainError(problem, log="report before the unit notice is closed or the unit steps are done")
    if not (text or "").strip():
        raise DomainError("请填写推荐报告（推荐工作情况、推荐意见）", log="empty report")
    unit.report_text = text
    unit.report_submitted_at = timezone.now()
    unit.report_submitted_by = actor
    unit.save(update_fields=["report_text", "report_submitted_at", "report_submitted_by"])
    record("round.unit.report", actor=actor, obj=unit, after={"candidates": [a.pk for a in apps]})
    done = "、".join(f"{s.title}（{s.article}）" for s in unit_steps.steps_of(unit.round))
    for app in apps:
        if app.status == State.UNIT_PROPOSED:
            transition(app, State.RECOMMENDED, actor=actor, action="application.forward",
                       reason=f"单位推荐程序已完成（{done}），推荐单位报送推荐报告")
    return unit
