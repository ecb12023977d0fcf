"""Review actions. Each state change runs in one transaction, moves the application only through
`applications.services.transition` (which checks the transition table and audits who and why),
writes its own audit entry for the review record, and notifies the applicant and the employer.

Sections: candidates and moves · notifications · qualification review · site inspection ·
expert pool and panels · scoring and shortlist · credit check · organisational review · forwarding to a
higher level · committee and secret ballot · board.
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.vocab import Role, SkillLevel

from . import quota
from . import stages as st
from .draw import (
    DrawCandidate, PoolExpert, draw_panel, from_snapshot, new_seed,
    snapshot_json,
)
from .models import (
    Assignment, Ballot, CommitteeDecision, CommitteeSession, ConflictDeclaration, CreditFinding,
    CreditRequest, Department, DecisionOutcome, Disqualification, Expert, Forwarding, InspectionOutcome,
    Notification, OrganisationalOutcome, OrganisationalReview, Panel, QualificationDecision, QualificationOutcome,
    RankingEntry, Score, SessionMode, SiteInspection, StoredFile, VoterRoll,
)
from .scoring import Aggregation, Rubric, TieBreak, rank
from .tally import CHOICE_LABELS, Threshold, tally

# ---------------------------------------------------------------- candidates and moves


def procedure(round_) -> st.Procedure:
    return st.Procedure.for_round(round_)


def candidate_occupation(application) -> str:
    facts = application.facts or {}
    occupation = (facts.get("occupation") or facts.get("职业（工种）")
                  or (facts.get("skill") or {}).get("occupation") or "")
    if not occupation and application.person_id:
        cert = application.person.certificates.order_by("-level", "-issued_on").first()
        occupation = cert.occupation if cert else ""
    return str(occupation)


def candidate_skill_level(application) -> int | None:
    facts = application.facts or {}
    level = facts.get("skill_level")
    if level in (None, "") and application.person_id:
        cert = application.person.certificates.order_by("-level").first()
        level = cert.level if cert else None
    try:
        return int(level) if level not in (None, "") else None
    except (TypeError, ValueError):
        return None


def candidate_category(application) -> str:
    """The tier a candidate competes for in a round of several (仲恺 第五条: 首席技师 / 优秀技师)."""
    return application.round.tier_title(application.tier)


def candidate_age(application) -> int | None:
    person = application.person if application.person_id else None
    if person is None or not person.birth_date:
        return None
    ref = application.round.reference_date
    born = person.birth_date
    return ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))


def candidate_attrs(application) -> dict:
    """The candidate's standing on each of the honour's priority rules (同等条件下优先…), as the
    policy engine evaluated them with the eligibility result: {"priority:<rule id>": True/False},
    None where the engine could not decide."""
    eligibility = application.eligibility if isinstance(application.eligibility, dict) else {}
    return {f"priority:{p['id']}": {"pass": True, "fail": False}.get(p.get("result"))
            for p in eligibility.get("priority", []) if isinstance(p, dict) and p.get("id")}


def tie_breaks(round_, tier=None) -> list[TieBreak]:
    """The honour's (the tier's) priority rules, in the policy's order, as tie-breaks for equal scores."""
    from gongjiang.rounds.policy_link import honour_of

    honour = honour_of(round_.policy, tier or round_.honour_code or None, on=round_.reference_date)
    return [TieBreak(f"priority:{p.id}", "true", p.text, p.article) for p in honour.priority]


def candidate_snapshot(application) -> dict:
    """The fields the public notice shows: name, gender, employer, occupation, skill level, and in
    a round of several tiers the honour of the candidate's tier (else the notice gives the round's)."""
    person = application.person if application.person_id else None
    level = candidate_skill_level(application)
    gender = getattr(person, "gender", "") or ""
    return {
        "application_id": application.pk,
        "serial": application.serial,
        "name": application.name,
        "gender": gender,
        "gender_label": {"M": "男", "F": "女"}.get(gender, ""),
        "employer": application.employer.name if application.employer_id else "",
        "occupation": candidate_occupation(application),
        "skill_level": level,
        "skill_level_label": SkillLevel(level).label if level is not None else "",
        "category": candidate_category(application),
        "honour": candidate_category(application),
    }


def move(application, to, *, actor, reason, applicant_reason=None):
    """Move an application one step; the applications app checks the table and audits."""
    from gongjiang.applications.services import transition

    return transition(application, to, actor=actor, reason=reason, applicant_reason=applicant_reason)


def _require_state(application, state, what):
    if application.status != state:
        raise DomainError(f"该申报当前处于“{application.staff_status}”，不能{what}",
                          log=f"application {application.pk} in {application.status}, expected {state}")


def _lock(application):
    from gongjiang.applications.models import Application

    list(Application.objects.select_for_update().filter(pk=application.pk).values_list("pk"))  # row lock
    application.refresh_from_db()
    return application


@transaction.atomic
def accept(application, *, actor, reason="人社部门受理，进入评审"):
    """Take a recommended application into the first review stage of its round."""
    application = _lock(application)
    _require_state(application, st.RECOMMENDED, "受理")
    require_complete_files([application], what="受理")
    return move(application, procedure(application.round).first_state, actor=actor, reason=reason)


def _advance(application, kind, *, actor, reason, applicant_reason=None):
    proc = procedure(application.round)
    proc.require(kind)
    return move(application, proc.next_state(kind), actor=actor, reason=reason, applicant_reason=applicant_reason)


# ---------------------------------------------------------------- notifications


def applicant_account(application):
    if application.applicant_account_id:
        return application.applicant_account
    if application.person_id and application.person.account_id:
        return application.person.account
    return None


def recipients(application):
    """The applicant's account and the employer's officers (经办人) of the candidate's employer."""
    from gongjiang.accounts.models import User

    users = [u for u in [applicant_account(application)] if u is not None]
    if application.employer_id:
        users.extend(User.objects.filter(role=Role.EMPLOYER, organisation_id=application.employer_id,
                                         is_active=True).order_by("pk"))
    seen, out = set(), []
    for u in users:
        if u.pk not in seen:
            seen.add(u.pk)
            out.append(u)
    return out


def decide(application, to, *, actor, reason, title, applicant_reason=None):
    """Move the application and tell the people concerned, once each, with the reason: the single
    notification path of a review decision (and of the notice outcomes, applications.receivers).

    The applicant's message is the one `applications.services.transition` writes (new status and
    the reason); the employer's officers get the same text as a home-page notification; both get it
    by e-mail once the transaction commits."""
    move(application, to, actor=actor, reason=reason, applicant_reason=applicant_reason)
    told = reason if applicant_reason is None else applicant_reason
    notify(application, title=title, body=_decision_text(application, to, told))
    return application


def _decision_text(application, to, reason):
    from gongjiang.applications.states import applicant_label

    text = f"{application.name}的申报（{application.round.title}，{application.serial}）：{applicant_label(to)}"
    return text + (f"。说明：{reason}" if reason else "")


def notify(application, *, title, body):
    """Home-page message to the employer's officers, e-mail to them and to the applicant. The
    applicant's home-page message is written by the transition itself (see `decide`), so it is not
    repeated here. Called inside the transaction of the decision; e-mail goes out after commit."""
    url = reverse("review:my_application", args=[application.pk])
    now = timezone.now()
    applicant = applicant_account(application)
    for user in recipients(application):
        if applicant is None or user.pk != applicant.pk:
            Notification.objects.create(user=user, application=application, title=title, body=body, url=url,
                                        created_at=now)
        if user.email:
            subject, message, to = f"【工匠平台】{title}", f"{user}，您好：\n\n{body}\n\n详见：{settings.SITE_URL}{url}", user.email
            transaction.on_commit(lambda s=subject, m=message, t=to: send_mail(
                s, m, settings.DEFAULT_FROM_EMAIL, [t], fail_silently=True))


def notifications_for(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)


def visible_decisions(user, application_id):
    """An applicant's or employer's view of the review outcome of one application (404 otherwise)."""
    from gongjiang.applications.models import Application

    app = Application.objects.select_related("round", "employer").filter(pk=application_id).first()
    if app is None or not (app.applicant_account_id == user.pk or
                           (user.role == Role.EMPLOYER and app.employer_id and app.employer_id == user.organisation_id)):
        raise Http404("application not visible")
    # Opening the timeline reads what was said about this application (it stays listed on the home page).
    Notification.objects.filter(user=user, application=app, read_at__isnull=True).update(read_at=timezone.now())
    app.messages.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    return app


# Outcomes whose reason the applicant is told as the officer wrote it: the applications app's
# decisions to act on (退回修改, 单位不予推荐, 未被推荐) and the public outcomes of the notice
# (异议成立 with its public reason, 批准 with the document number, 列入公示名单 with the period).
REASON_AS_WRITTEN = {"returned", "employer_declined", "not_recommended", st.REMOVED, st.APPROVED, st.ON_NOTICE,
                     st.FORWARDED, st.HIGHER_SELECTED, st.HIGHER_NOT_SELECTED}


def applicant_history(application) -> list[dict]:
    """The applicant's view of the application's course: every status it went through, oldest
    first, with the applicant-facing state name and, for decisions, the reason they may see.

    Rejections carry their reason and article (惠阳 第十条（三）: 初审不通过的，应告知申请人并说明理由)
    taken from the decision records; internal matter never appears: attestation notes, inspection
    findings, department credit opinions, expert scores and ranks, ballot counts, officers' names.
    Read from the audit log's status entries, which every transition writes."""
    from gongjiang.applications.states import applicant_label
    from gongjiang.audit.models import AuditEntry

    proc = procedure(application.round)
    entries = (AuditEntry.objects.filter(object_type__endswith="application", object_id=str(application.pk))
               .order_by("pk").only("created_at", "after", "reason"))
    out = []
    for e in entries:
        status = (e.after or {}).get("status") if isinstance(e.after, dict) else None
        if not status or (out and out[-1]["status"] == status):
            continue
        out.append({"at": e.created_at, "status": status, "label": applicant_label(status),
                    "reason": _applicant_reason(application, status, e.reason, proc)})
    return out


def _applicant_reason(application, status, written, proc) -> str:
    if status in REASON_AS_WRITTEN:
        return written or ""
    if status == st.QUALIFICATION_REJECTED:
        d = application.qualification_decisions.filter(outcome=QualificationOutcome.REJECT).order_by("-pk").first()
        return f"{d.reason}（依据{d.article}）" if d else ""
    if status == st.DISQUALIFIED:
        dq = Disqualification.objects.filter(application=application).order_by("-pk").first()
        return f"{dq.reason}（依据{dq.article}，取消{dq.year}年度申报资格）" if dq else ""
    if status == st.COMMITTEE_REJECTED:
        d = (application.committee_decisions.filter(outcome=DecisionOutcome.REJECTED)
             .select_related("session").order_by("-pk").first())
        stage = proc.get(st.COMMITTEE)
        basis = f"（依据{stage.article}）" if stage and stage.article else ""
        if d is None:
            return ""
        if d.session.mode == SessionMode.SECRET:
            return "经无记名投票表决，未达到通过所需票数" + basis
        return d.reason + basis
    stage = proc.stage_of_exit(status)
    if stage is not None:
        return f"{stage.title}环节，依据{stage.article}" if stage.article else ""
    return ""


# ---------------------------------------------------------------- qualification review


def clause_results(application) -> list[dict]:
    """The engine's clause-by-clause result for the application, normalised to
    [{id, article, text, result (pass/fail/needs_review/manual), reason, manual}].
    Prefers the policy engine's live explanation; falls back to the result stored at submission."""
    raw = None
    try:
        from gongjiang.policy import services as policy_services

        explain = getattr(policy_services, "explain_application", None)
        if explain is not None:
            raw = explain(application)
    except ImportError:
        raw = None
    if raw is None:
        raw = application.eligibility or {}
    if hasattr(raw, "as_dict"):
        raw = raw.as_dict()
    items = raw.get("clauses", raw.get("results", [])) if isinstance(raw, dict) else list(raw)
    out = []
    for i, c in enumerate(items):
        c = c if isinstance(c, dict) else getattr(c, "__dict__", {})
        result = str(c.get("result") or c.get("status") or "needs_review")
        manual = bool(c.get("manual")) or result == "manual"
        facts = [f"{f.get('text', '')}（{f.get('source', '')}）" if isinstance(f, dict) else str(f)
                 for f in c.get("facts") or []]
        out.append({
            "id": str(c.get("id") or c.get("clause") or c.get("code") or i),
            "article": str(c.get("article", "")),
            "text": str(c.get("text") or c.get("sentence") or c.get("label") or ""),
            "result": "manual" if manual else result,
            # How the result reads: a cleared exclusion ("…：无此情形") is raw "fail" but reads as met.
            "tone": "manual" if manual else str(c.get("tone") or result),
            "label": str(c.get("status_label") or ""),
            "reason": str(c.get("reason") or c.get("explanation") or ""),
            "facts": facts,
            "depth": int(c.get("depth") or 0),
            "manual": manual,
        })
    # A clause is attested by hand when it is undecided, is a leaf of the clause tree and no
    # clause above it is already decided (an "之一" group passed by another item needs nothing more).
    for i, c in enumerate(out):
        leaf = i + 1 == len(out) or out[i + 1]["depth"] <= c["depth"]
        decided_above, depth = False, c["depth"]
        for above in reversed(out[:i]):
            if above["depth"] < depth:
                depth = above["depth"]
                decided_above = decided_above or above["result"] in ("pass", "fail")
        c["attest"] = (c["manual"] or c["result"] == "needs_review") and leaf and not decided_above
    return out


def clauses_to_attest(clauses) -> list[dict]:
    """Manual clauses and those the engine could not decide: an officer attests each."""
    return [c for c in clauses if c["attest"]]


def blocking_failures(clauses) -> list[dict]:
    """Failed clauses that decide the outcome: the top of the tree when there is one."""
    top = [c for c in clauses if c["depth"] == 0]
    if len(top) == len(clauses):
        return [c for c in clauses if c["result"] == "fail"]
    return [c for c in top if c["result"] == "fail"]


@transaction.atomic
def decide_qualification(application, *, actor, outcome, attestations=None, article="", reason=""):
    """资格初审. attestations: {clause id: {"met": bool, "note": str}} for every manual clause.
    Pass needs every machine clause passed and every manual clause attested as met. A rejection
    must cite the article (惠阳 第十条（三）: 初审不通过的，应告知申请人并说明理由). Fraud disqualifies
    the person for the year (环翠 第十条（三）: 材料弄虚作假者，取消当年的申报资格)."""
    application = _lock(application)
    _require_state(application, st.QUALIFICATION, "作出资格初审结论")
    if outcome not in QualificationOutcome.values:
        raise DomainError("请选择初审结论", log=f"bad outcome {outcome!r}")
    attestations = attestations or {}
    clauses = clause_results(application)
    manual = clauses_to_attest(clauses)
    stored = []
    for c in manual:
        a = attestations.get(c["id"])
        if a is None:
            if outcome == QualificationOutcome.PASS:
                raise DomainError(f"请对“{c['article']} {c['text']}”作出人工认定",
                                  log=f"manual clause {c['id']} not attested")
            continue
        note = str(a.get("note", "")).strip()
        if not note:
            raise DomainError(f"人工认定“{c['article']}”须填写认定依据", log=f"attestation {c['id']} without note")
        stored.append({"id": c["id"], "article": c["article"], "text": c["text"], "met": bool(a.get("met")),
                       "note": note, "by": actor.pk})
    article, reason = article.strip(), reason.strip()
    if outcome == QualificationOutcome.PASS:
        failed = blocking_failures(clauses)
        unmet = [a for a in stored if not a["met"]]
        if failed or unmet:
            first = (failed or unmet)[0]
            raise DomainError(f"“{first['article']}”不符合，不能初审通过，请选择“初审不通过”并说明理由",
                              log="pass with failed clauses")
    elif not article or not reason:
        raise DomainError("初审不通过须填写理由并注明依据的条款（如“第七条”）", log="rejection without article")
    decision = QualificationDecision.objects.create(
        application=application, outcome=outcome, article=article, reason=reason, engine_result=clauses,
        attestations=stored, decided_by=actor, decided_at=timezone.now())
    record("review.qualification", actor=actor, obj=decision, after=snapshot(decision), reason=reason or outcome)
    if outcome == QualificationOutcome.PASS:
        proc = procedure(application.round)
        decide(application, proc.next_state(st.QUALIFICATION), actor=actor, reason="资格初审通过", title="资格初审通过")
    elif outcome == QualificationOutcome.REJECT:
        decide(application, st.QUALIFICATION_REJECTED, actor=actor, reason=f"{reason}（依据{article}）",
               title="资格初审未通过")
    else:
        disqualify(application, actor=actor, article=article, reason=reason)
    return decision


def disqualify(application, *, actor, article, reason):
    """Fraud: the person may not apply again in the same year. Called inside a transaction."""
    year = application.round.year
    dq = Disqualification.objects.create(person=application.person, name=application.name, year=year,
                                         application=application, article=article, reason=reason,
                                         decided_by=actor, decided_at=timezone.now())
    record("review.disqualify", actor=actor, obj=dq, after=snapshot(dq), reason=reason)
    decide(application, st.DISQUALIFIED, actor=actor, title="取消当年申报资格",
           reason=f"申报材料存在弄虚作假，依据{article}取消{year}年度申报资格。理由：{reason}")
    return dq


def is_disqualified(person, year: int) -> bool:
    """For the applications app: may this person apply in this year?"""
    return person is not None and Disqualification.objects.filter(person=person, year=year).exists()


# ---------------------------------------------------------------- site inspection


def store_attachment(upload, *, actor, folder, rule=None):
    """Check an uploaded file by content (applications.uploads) and keep it outside the web root."""
    from gongjiang.applications.uploads import PDF_ONLY, check_upload, store_checked

    checked = check_upload(upload, rule=rule or PDF_ONLY)
    path = store_checked(checked, folder=folder)
    return StoredFile.objects.create(path=path, name=checked.name, content_type=checked.content_type,
                                     size=checked.size, sha256=checked.sha256, uploaded_by=actor,
                                     uploaded_at=timezone.now())


@transaction.atomic
def record_inspection(application, *, actor, visited_on, visitors, employer_opinion, findings, outcome,
                      attachments=(), fraud_article=""):
    """实地考察 (惠阳 第十条（四）: 深入申请人所在单位进行现场考察，听取所在单位意见). A passing outcome
    puts the candidate on the list for expert review (形成复审对象名单)."""
    application = _lock(application)
    _require_state(application, st.INSPECTION, "登记实地考察")
    visitors, employer_opinion, findings = visitors.strip(), employer_opinion.strip(), findings.strip()
    missing = [n for n, v in (("考察人员", visitors), ("所在单位意见", employer_opinion), ("考察情况", findings)) if not v]
    if missing:
        raise DomainError("请填写" + "、".join(missing), log=f"inspection missing {missing}")
    if outcome not in InspectionOutcome.values:
        raise DomainError("请选择考察结论", log=f"bad inspection outcome {outcome!r}")
    if visited_on > timezone.localdate():
        raise DomainError("考察日期不能晚于今天", log="inspection in the future")
    inspection = SiteInspection.objects.create(
        application=application, visited_on=visited_on, visitors=visitors, employer_opinion=employer_opinion,
        findings=findings, outcome=outcome, recorded_by=actor, recorded_at=timezone.now())
    for upload in attachments:
        stored = store_attachment(upload, actor=actor, folder="review/inspections")
        stored.inspection = inspection
        stored.save(update_fields=["inspection"])
    record("review.inspection", actor=actor, obj=inspection, after=snapshot(inspection), reason=findings[:200])
    if outcome == InspectionOutcome.PASS:
        _advance(application, st.INSPECTION, actor=actor, reason="实地考察通过，列入复审名单")
    else:
        decide(application, st.INSPECTION_FAILED, actor=actor, reason=f"考察情况：{findings[:300]}",
               title="实地考察未通过")
    return inspection


# ---------------------------------------------------------------- expert pool and panels


@transaction.atomic
def create_expert(*, actor, name, pool, occupations, employer=None, employer_name="", user=None, person=None,
                  title="", email="", other_units=()):
    occupations = [o.strip() for o in occupations if o and o.strip()]
    if not name.strip():
        raise DomainError("请填写专家姓名", log="expert without name")
    if not occupations:
        raise DomainError("请填写专家的职业（工种）或专业领域", log="expert without occupations")
    if user is not None and user.role != Role.EXPERT:
        raise DomainError("关联账号须为“评审专家”角色", log="expert user with wrong role")
    expert = Expert.objects.create(name=name.strip(), pool=pool, occupations=occupations, employer=employer,
                                   employer_name=employer_name, user=user, person=person, title=title, email=email)
    expert.other_units.set(other_units)
    record("review.expert.create", actor=actor, obj=expert, after=snapshot(expert), reason="入库")
    return expert


@transaction.atomic
def add_relation(expert, *, actor, person, kind, note=""):
    rel, created = expert.relations.get_or_create(person=person, kind=kind, defaults={"note": note})
    if created:
        record("review.expert.relation", actor=actor, obj=expert, after={"person": person.pk, "kind": kind},
               reason=note or "申报关系")
    return rel


def expert_pool(round_):
    """Active experts in the pool of the round's organiser or of a jurisdiction above it."""
    ancestors = [int(i) for i in round_.organiser.path.strip("/").split("/") if i]
    return (Expert.objects.filter(pool_id__in=ancestors)
            .select_related("employer").prefetch_related("other_units", "relations").order_by("pk"))


def pool_expert(expert) -> PoolExpert:
    affiliations = ([f"org:{expert.employer_id}"] if expert.employer_id else []) + \
                   [f"org:{o.pk}" for o in expert.other_units.all()]
    if expert.employer_name and not expert.employer_id:
        affiliations.append(f"name:{expert.employer_name}")
    return PoolExpert(key=expert.key, name=expert.name, occupations=tuple(expert.occupations),
                      affiliations=tuple(affiliations),
                      person=f"person:{expert.person_id}" if expert.person_id else "",
                      relations=tuple(f"person:{r.person_id}" for r in expert.relations.all()),
                      active=expert.is_active)


def draw_candidate(application) -> DrawCandidate:
    unit_org = application.unit.organisation_id if application.unit_id else None
    return DrawCandidate(key=f"application:{application.pk}",
                         person=f"person:{application.person_id}" if application.person_id else "",
                         employer=f"org:{application.employer_id}" if application.employer_id else "",
                         recommending_unit=f"org:{unit_org}" if unit_org else "",
                         occupation=candidate_occupation(application))


def _key_id(key: str) -> int:
    return int(key.split(":", 1)[1])


@transaction.atomic
def draw(round_, *, actor, name, occupations=(), seed=None, applications=None, size=None):
    """Draw a panel at random for the round's candidates in expert review (or those given). The
    size is the officer's (`size`), at least the policy's minimum (聊城: 7名以上相关职业（工种）专家);
    where the policy states a minimum and no size is given, the minimum. Stores seed and snapshot."""
    from gongjiang.applications.models import Application

    stage = procedure(round_).require(st.EXPERT)
    if stage.random_draw is False:
        who = stage.settings.panel.composition or stage.settings.by or "评审机构"
        raise DomainError(f"本批次政策规定专家组由{who}组建（{stage.article}），不采用随机抽取；"
                          f"请通过“组建专家组”选定专家", log="draw where the policy requires a composed panel")
    apps = list(applications) if applications is not None else list(
        Application.objects.filter(round=round_, status=st.EXPERT).select_related("person", "unit"))
    if not apps:
        raise DomainError("没有处于专家评审环节的申报", log="draw without candidates")
    if any(a.round_id != round_.pk or a.status != st.EXPERT for a in apps):
        raise DomainError("只能为本批次专家评审环节的申报抽取专家", log="draw for foreign candidates")
    require_complete_files(apps)
    taken = set(Assignment.objects.filter(application__in=apps, active=True).values_list("application_id", flat=True))
    if taken:
        raise DomainError("部分申报已分配专家组，请勿重复抽取", log=f"already assigned {sorted(taken)}")
    minimum = stage.declared_min_experts
    if size is None and minimum is None:
        raise DomainError(f"政策未规定专家组人数（{stage.article}），请填写抽取专家人数", log="draw without a size")
    size = int(size or minimum)
    if minimum and size < minimum:
        raise DomainError(f"专家组须由{minimum}名以上专家组成（{stage.article}）", log=f"draw size {size} < {minimum}")
    if size < 1:
        raise DomainError("抽取专家人数至少为1名", log=f"draw size {size}")
    minimum = minimum or size
    pool = [pool_expert(e) for e in expert_pool(round_)]
    candidates = [draw_candidate(a) for a in apps]
    seed = seed or new_seed()
    result = draw_panel(pool=pool, candidates=candidates, seed=seed, size=size, min_size=minimum,
                        occupations=occupations)
    panel = Panel.objects.create(
        round=round_, name=name, occupations=list(occupations), size=size, min_size=minimum,
        seed=seed, snapshot=snapshot_json(pool=pool, candidates=candidates), result=result.as_dict(),
        drawn_by=actor, drawn_at=timezone.now())
    members = set(result.members)
    rows = [Assignment(panel=panel, expert_id=_key_id(e), application_id=_key_id(c), is_reserve=e not in members)
            for c, experts in result.assessors.items() for e in experts]
    Assignment.objects.bulk_create(rows)
    record("review.panel.draw", actor=actor, obj=panel,
           after={"seed": seed, "members": result.members, "reserves": result.reserves,
                  "candidates": len(candidates), "pool": len(pool)}, reason=name)
    return panel


def rerun_draw(panel) -> bool:
    """An auditor's check: the stored seed and snapshot give exactly the stored result."""
    return redraw(panel).as_dict() == panel.result


def redraw(panel, snapshot=None):
    """The panel's result recomputed from its seed and (a changed) snapshot. Not strict: a panel a
    declared conflict left short of its minimum is recomputed all the same, so that the result
    stays reproducible; the shortfall is shown on the board (panel_shortfalls)."""
    pool, candidates, declared = from_snapshot(panel.snapshot if snapshot is None else snapshot)
    return draw_panel(pool=pool, candidates=candidates, seed=panel.seed, size=panel.size, min_size=panel.min_size,
                      occupations=panel.occupations, declared=declared, strict=False)


def panel_shortfalls(round_) -> list[dict]:
    """Open panels with a candidate still in expert review who has fewer active assessors than the
    panel's minimum (after a declared conflict): [{panel, application, assessors, minimum}]."""
    out = []
    for panel in Panel.objects.filter(round=round_, closed_at__isnull=True).order_by("pk"):
        counts = defaultdict(int)
        apps = {}
        for a in panel.assignments.filter(application__status=st.EXPERT).select_related("application"):
            apps[a.application_id] = a.application
            counts[a.application_id] += a.active
        out.extend({"panel": panel, "application": apps[i], "assessors": counts[i], "minimum": panel.min_size}
                   for i in sorted(apps, key=lambda k: apps[k].serial) if counts[i] < panel.min_size)
    return out


def expert_for(user) -> Expert:
    expert = Expert.objects.filter(user=user, is_active=True).first()
    if expert is None:
        raise NotAllowed("您的账号未关联专家库中的专家", log="user has no expert profile")
    return expert


def assignments_for(user):
    expert = Expert.objects.filter(user=user).first()
    if expert is None:
        return Assignment.objects.none()
    return (Assignment.objects.filter(expert=expert, active=True, panel__closed_at__isnull=True)
            .select_related("application", "application__round", "application__employer", "panel")
            .order_by("panel_id", "application_id"))


def assignment_for(user, application_id) -> Assignment:
    """The user's active assignment for an application, or 404 (never leak that it exists)."""
    a = assignments_for(user).filter(application_id=application_id).first()
    if a is None:
        raise Http404("no assignment")
    return a


@transaction.atomic
def declare_conflict(assignment, *, actor, reason):
    """An expert declares a conflict on a candidate; the next expert in the panel's draw order
    without a conflict replaces them (the declaration joins the snapshot, so a re-run agrees)."""
    assignment = Assignment.objects.select_for_update().select_related("panel", "expert", "application").get(
        pk=assignment.pk)
    if assignment.expert.user_id != actor.pk:
        raise Http404("not your assignment")
    if not assignment.active or assignment.panel.closed_at:
        raise DomainError("该评审任务已结束", log="conflict on inactive assignment")
    reason = reason.strip()
    if not reason:
        raise DomainError("请说明回避理由", log="conflict without reason")
    panel = Panel.objects.select_for_update().get(pk=assignment.panel_id)
    snap = dict(panel.snapshot)
    declared = list(snap.get("declared", []))
    candidate_key = f"application:{assignment.application_id}"
    declared.append({"expert": assignment.expert.key, "candidate": candidate_key, "reason": reason})
    snap["declared"] = declared
    # The expert is released all the same; if nobody can replace them the panel is short of its
    # minimum for this candidate and the officer adds a member (composed panels) or experts to the
    # pool (the board warns).
    result = redraw(panel, snap)
    new = set(result.assessors[candidate_key]) - set(panel.result["assessors"][candidate_key])
    replacement_key = next(iter(new), None)
    short = len(result.assessors[candidate_key]) < panel.min_size
    panel.result = result.as_dict()
    panel.snapshot = snap
    panel.save(update_fields=["snapshot", "result"])
    assignment.active = False
    assignment.withdrawn_reason = f"专家声明回避：{reason}"
    assignment.save(update_fields=["active", "withdrawn_reason"])
    Score.objects.filter(assignment=assignment).delete()
    replacement = None
    if replacement_key:
        replacement = Expert.objects.get(pk=_key_id(replacement_key))
        Assignment.objects.update_or_create(panel=panel, expert=replacement, application=assignment.application,
                                            defaults={"active": True, "is_reserve": True, "withdrawn_reason": ""})
    conflict = ConflictDeclaration.objects.create(panel=panel, expert=assignment.expert,
                                                  application=assignment.application, reason=reason,
                                                  declared_at=timezone.now(), replacement=replacement)
    record("review.conflict", actor=actor, obj=conflict,
           after={"expert": assignment.expert_id, "application": assignment.application_id,
                  "replacement": replacement.pk if replacement else None, "short": short}, reason=reason)
    return conflict


# ---------------------------------------------------------------- scoring and shortlist


def rubric_for(round_) -> Rubric:
    return Rubric.from_params(procedure(round_).require(st.EXPERT).rubric_params)


@transaction.atomic
def submit_score(assignment, *, actor, points, comment):
    """An expert scores an assigned candidate online."""
    assignment = _scoring(assignment)
    if assignment.expert.user_id != actor.pk:
        raise Http404("not your assignment")
    return _save_score(assignment, actor=actor, points=points, comment=comment, reason="专家评分")


@transaction.atomic
def enter_paper_score(assignment, *, actor, points, comment, sheet):
    """代录: a clerk enters an expert's scores from the signed paper score sheet, uploaded as a PDF.
    The expert needs no account; the score records the sheet and who entered it, and the audit
    entry names the expert."""
    assignment = _scoring(assignment)
    round_for(actor, assignment.application.round_id)  # the clerk's own rounds only (404 otherwise)
    if sheet is None:
        raise DomainError("请上传专家签字的纸质评分表（PDF）", log="paper score without sheet")
    stored = store_attachment(sheet, actor=actor, folder="review/score-sheets")
    return _save_score(assignment, actor=actor, points=points, comment=comment, entered_by=actor, sheet=stored,
                       reason=f"代录{assignment.expert.name}的纸质评分表（{stored.name}）")


def _scoring(assignment):
    assignment = Assignment.objects.select_for_update().select_related("panel", "expert", "application__round").get(
        pk=assignment.pk)
    if not assignment.active or assignment.panel.closed_at:
        raise DomainError("该评审任务已结束，不能再评分", log="score on closed assignment")
    if assignment.application.status != st.EXPERT:
        raise DomainError("该申报已不在专家评审环节", log="score outside expert review")
    require_complete_files([assignment.application])
    return assignment


def require_complete_files(applications, what="进行专家评审"):
    """Expert review (and intake) refuse a file whose recommending unit has not done every step the
    policy lists before reporting it (聊城 三: 综合评定、单位公示5个工作日、审定), naming the steps
    and their articles."""
    from gongjiang.applications.unit_steps import require_done

    require_done(applications, what=what)


def _save_score(assignment, *, actor, points, comment, reason, entered_by=None, sheet=None):
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("请填写评语", log="score without comment")
    rubric = rubric_for(assignment.application.round)
    clean = rubric.validate(points)
    total = rubric.total(points)
    before = snapshot(assignment.score) if hasattr(assignment, "score") else None
    score, _ = Score.objects.update_or_create(
        assignment=assignment,
        defaults={"points": {k: str(v) for k, v in clean.items()}, "total": total, "comment": comment,
                  "submitted_at": timezone.now(), "entered_by": entered_by, "sheet": sheet})
    record("review.score", actor=actor, obj=score, before=before, after=snapshot(score), reason=reason)
    return score


def score_table(round_):
    """Per candidate in expert review: the experts' totals (without names), count expected,
    aggregated score if all assessors scored."""
    from gongjiang.applications.models import Application

    stage = procedure(round_).require(st.EXPERT)
    agg = Aggregation.from_params(stage.aggregation_params)
    apps = list(Application.objects.filter(round=round_, status=st.EXPERT)
                .select_related("person", "employer", "round").order_by("serial"))
    assigned = defaultdict(int)
    totals = defaultdict(list)
    for a in Assignment.objects.filter(application__in=apps, active=True).select_related("score"):
        assigned[a.application_id] += 1
        if hasattr(a, "score"):
            totals[a.application_id].append(a.score.total)
    rows = []
    for app in apps:
        t = sorted(totals[app.pk], reverse=True)
        complete = assigned[app.pk] > 0 and len(t) == assigned[app.pk] and len(t) >= (stage.declared_min_experts or 1)
        rows.append({"application": app, "totals": t, "assigned": assigned[app.pk], "complete": complete,
                     "score": agg.apply(t) if t else None})
    return rows, agg


def ranked_groups(round_, scored) -> tuple[list, list[list]]:
    """scored: [(application, score)]. One ranking per tier (仲恺 第五条: 首席技师、优秀技师 each with
    its own quota and priority rules): by score, then the tier's priority rules (同等条件下优先…)
    as stored with each eligibility result. Returns (ranked, groups): the groups are the candidates
    equal on the score and every priority rule, best first within each tier, for quota.select."""
    ranked, groups = [], []
    by_key = {str(app.pk): app for app, _score in scored}
    for tier in dict.fromkeys(app.tier for app, _score in scored):
        entries = [(str(app.pk), score, candidate_attrs(app), candidate_category(app))
                   for app, score in scored if app.tier == tier]
        tier_ranked = rank(entries, tie_breaks(round_, tier))
        ranked += tier_ranked
        groups += [[by_key[r.key] for r in tier_ranked if r.rank == n] for n in sorted({r.rank for r in tier_ranked})]
    return ranked, groups


@transaction.atomic
def close_expert_review(round_, *, actor, tie_choice=()):
    """汇总评分: aggregate, rank with the policy's tie-break rules, shortlist up to the quota
    (惠阳 第四条 不超过10名; 仲恺 第五条 50名首席技师、200名优秀技师). If the quota boundary cuts a
    group of exactly equal candidates, the officer must choose among them (tie_choice: application ids)."""
    round_ = quota.lock_round(round_)
    rows, _agg = score_table(round_)
    if not rows:
        raise DomainError("没有处于专家评审环节的申报", log="close review without candidates")
    incomplete = [r["application"].name for r in rows if not r["complete"]]
    if incomplete:
        raise DomainError("以下申报人的专家评分尚未完成（或评分专家不足）：" + "、".join(incomplete),
                          log=f"{len(incomplete)} candidates not fully scored")
    ranked, groups = ranked_groups(round_, [(r["application"], r["score"]) for r in rows])
    # The quota (and its tier and category caps) less the places candidates past this stage hold.

    def tie(names, room):
        return (f"名额边界处有{len(names)}人得分及优先条件完全相同（{'、'.join(names)}），剩余名额{room}名，"
                f"请由评审委员会确定其中{room}人")

    kept, cut = quota.select(round_, st.EXPERT, groups, chosen=tie_choice, tie_message=tie)
    selected = {str(a.pk) for a in kept}
    chosen = {str(x) for x in tie_choice} & selected
    by_id = {str(r["application"].pk): r for r in rows}
    RankingEntry.objects.filter(application_id__in=[int(k) for k in by_id]).delete()
    for r in ranked:
        row = by_id[r.key]
        app = row["application"]
        RankingEntry.objects.create(round=round_, application=app, category=r.category, score=r.score, rank=r.rank,
                                    expert_totals=[str(t) for t in row["totals"]], decided_by=r.decided_by,
                                    shortlisted=r.key in selected,
                                    note="名额边界同分，由委员会确定" if r.key in chosen else "")
    Panel.objects.filter(round=round_, closed_at__isnull=True).update(closed_at=timezone.now())
    record("review.expert.close", actor=actor, obj=round_,
           after={"ranked": [[r.key, str(r.score), r.rank] for r in ranked], "selected": sorted(selected)},
           reason="专家评审汇总")
    for r in ranked:
        app = by_id[r.key]["application"]
        app = _lock(app)
        if r.key in selected:
            # Scores and ranks stay internal (audit log, ranking page); the applicant learns the outcome.
            _advance(app, st.EXPERT, actor=actor, reason=f"专家评审综合得分{r.score}，排名第{r.rank}，入围候选名单",
                     applicant_reason="经专家评审，入围候选名单")
        else:
            decide(app, st.NOT_SHORTLISTED, actor=actor, title="专家评审未入围",
                   reason=f"专家评审综合得分{r.score}，排名第{r.rank}，未进入候选名单（{cut.get(app.pk) or '名额已满'}）",
                   applicant_reason="经专家评审择优，未进入候选名单")
    return ranked


def shortlist(round_) -> list[dict]:
    """The candidates who passed every review stage, in rank order, with the fields the public
    notice shows (name, gender, employer, occupation, skill level). For notices.publish_notice."""
    from gongjiang.applications.models import Application

    apps = list(Application.objects.filter(round=round_, status=st.PASSED)
                .select_related("person", "employer", "round", "ranking_entry"))

    def order(app):
        entry = getattr(app, "ranking_entry", None)
        return (entry is None, entry.category if entry else "", entry.rank if entry else 0, app.serial)

    out = []
    for app in sorted(apps, key=order):
        entry = getattr(app, "ranking_entry", None)
        out.append({**candidate_snapshot(app), "application": app,
                    "score": entry.score if entry else None, "rank": entry.rank if entry else None})
    return out


# ---------------------------------------------------------------- credit check


@transaction.atomic
def request_credit(application, *, actor, requested_on=None, letter_number="", departments=None):
    """安全信用审查 (惠阳 第十条（六）): one request per department the stage names."""
    application = _lock(application)
    _require_state(application, st.CREDIT, "征求部门意见")
    stage = procedure(application.round).require(st.CREDIT)
    wanted = departments or stage.department_codes
    unknown = [d for d in wanted if d not in Department.values]
    if unknown:
        raise DomainError("未知的征求意见部门：" + "、".join(unknown), log=f"unknown departments {unknown}")
    made = []
    for dep in wanted:
        req, created = CreditRequest.objects.get_or_create(
            application=application, department=dep,
            defaults={"requested_on": requested_on or timezone.localdate(), "requested_by": actor,
                      "letter_number": letter_number})
        if created:
            made.append(req)
            record("review.credit.request", actor=actor, obj=req, after=snapshot(req), reason=letter_number or dep)
    return made


def employer_findings(application, on=None) -> list[tuple]:
    """The credit stage's employer conditions (the policy's `employer_conditions`, e.g. 惠阳
    第十一条) that the candidate's employer meets on `on`: [(condition, [EmployerRecord])], refusals
    first. Records in force: started by `on` and not ended before it."""
    stage = procedure(application.round).get(st.CREDIT)
    if stage is None or not application.employer_id or not stage.settings.employer_conditions:
        return []
    from gongjiang.registry.models import EmployerRecord

    on = on or timezone.localdate()
    records = list(EmployerRecord.objects.filter(organisation_id=application.employer_id, start__lte=on)
                   .exclude(end__lt=on).order_by("start", "pk"))
    return stage.employer_findings(records)


def employer_conditions(application, on=None) -> list[str]:
    """The employer conditions met, in Chinese, each with its article (for the officer's page)."""
    return [f"{_records_text(hits)}（{c.article}，{'暂缓审核' if c.effect == 'suspend' else '不予审核通过'}）"
            for c, hits in employer_findings(application, on)]


def _records_text(records) -> str:
    return "、".join(f"{r.get_kind_display()}（{r.start:%Y-%m-%d}起）" for r in records)


@transaction.atomic
def record_credit_opinion(credit_request, *, actor, answered_on, finding, summary="", document=None):
    """Record a department's answer with its date and document, then settle the candidate if all
    departments have answered: an adverse finding drops the candidate with the reason; the
    employer conditions the policy names defer or refuse them; otherwise they pass to the next stage."""
    req = CreditRequest.objects.select_for_update().select_related("application").get(pk=credit_request.pk)
    application = _lock(req.application)
    _require_state(application, st.CREDIT, "登记部门意见")
    if req.finding:
        raise DomainError(f"{req.get_department_display()}的意见已登记", log="credit opinion twice")
    if finding not in (CreditFinding.CLEAR, CreditFinding.ADVERSE):
        raise DomainError("请选择部门意见", log=f"bad finding {finding!r}")
    if finding == CreditFinding.ADVERSE and not summary.strip():
        raise DomainError("有不良记录的，须登记意见内容", log="adverse without summary")
    if answered_on < req.requested_on or answered_on > timezone.localdate():
        raise DomainError("复函日期须在发函日期之后且不晚于今天", log="bad answer date")
    before = snapshot(req)
    req.answered_on, req.finding, req.summary, req.recorded_by = answered_on, finding, summary.strip(), actor
    if document is not None:
        req.document = store_attachment(document, actor=actor, folder="review/credit")
    req.save()
    record("review.credit.answer", actor=actor, obj=req, before=before, after=snapshot(req),
           reason=f"{req.get_department_display()}：{req.get_finding_display()}")
    settle_credit(application, actor=actor)
    return req


def settle_credit(application, *, actor):
    """Decide the credit stage once every department has answered (inside a transaction)."""
    reqs = list(application.credit_requests.all())
    if not reqs or any(not r.finding for r in reqs):
        return None
    adverse = [r for r in reqs if r.finding == CreditFinding.ADVERSE]
    if adverse:
        reason = "；".join(f"{r.get_department_display()}：{r.summary}" for r in adverse)
        decide(application, st.CREDIT_FAILED, actor=actor, reason=reason, title="安全信用审查未通过")
        return st.CREDIT_FAILED
    findings = employer_findings(application)
    refusals = [(c, hits) for c, hits in findings if c.effect == "refuse"]
    if refusals:
        reason = "；".join(f"所在单位{_records_text(hits)}，依据{c.article}不予审核通过" for c, hits in refusals)
        decide(application, st.CREDIT_FAILED, actor=actor, reason=reason, title="安全信用审查未通过")
        return st.CREDIT_FAILED
    if findings:
        reason = "；".join(f"所在单位{_records_text(hits)}，依据{c.article}暂缓审核" for c, hits in findings)
        decide(application, st.DEFERRED, actor=actor, reason=reason, title="暂缓审核")
        return st.DEFERRED
    _advance(application, st.CREDIT, actor=actor, reason="各部门均无不良记录，安全信用审查通过")
    return application.status


@transaction.atomic
def resume_deferred(application, *, actor, reason):
    """The employer condition is resolved: back to the credit stage and settle again."""
    application = _lock(application)
    _require_state(application, st.DEFERRED, "恢复审查")
    if not reason.strip():
        raise DomainError("请说明暂缓情形消除的依据", log="resume without reason")
    move(application, st.CREDIT, actor=actor, reason=reason)
    if employer_findings(application):
        raise DomainError("所在单位的暂缓情形仍然存在", log="employer condition persists")
    return settle_credit(application, actor=actor)


# ---------------------------------------------------------------- organisational review


@transaction.atomic
def record_organisational_review(application, *, actor, outcome, decided_on, reason="", document=None):
    """组织审查: the decision of the organisation department the policy names on one candidate:
    pass (on to the next stage) or fail with its reason. Recorded, audited, the people concerned told."""
    application = _lock(application)
    _require_state(application, st.ORGANISATIONAL, "登记组织审查意见")
    stage = procedure(application.round).require(st.ORGANISATIONAL)
    reason = (reason or "").strip()
    if outcome not in OrganisationalOutcome.values:
        raise DomainError("请选择组织审查结论", log=f"bad organisational outcome {outcome!r}")
    if outcome == OrganisationalOutcome.FAIL and not reason:
        raise DomainError("组织审查不通过须说明理由", log="organisational fail without reason")
    if decided_on is None or decided_on > timezone.localdate():
        raise DomainError("请填写审查日期（不能晚于今天）", log="organisational review date")
    stored = store_attachment(document, actor=actor, folder="review/organisational") if document else None
    row = OrganisationalReview.objects.create(application=application, department=stage.by, outcome=outcome,
                                              reason=reason, decided_on=decided_on, document=stored, recorded_by=actor)
    record("review.organisational", actor=actor, obj=row, after=snapshot(row), reason=reason[:200])
    said = f"{stage.by}组织审查（{stage.article}）"
    if outcome == OrganisationalOutcome.PASS:
        _advance(application, st.ORGANISATIONAL, actor=actor, reason=f"{said}通过" + (f"：{reason}" if reason else ""))
    else:
        # The department's reason stays with the officers (like a credit opinion): the applicant is
        # told the stage and its article.
        decide(application, st.ORGANISATIONAL_FAILED, actor=actor, reason=f"{said}不通过：{reason}",
               applicant_reason=f"组织审查未通过（依据{stage.article}）", title="组织审查未通过")
    return row


# ---------------------------------------------------------------- forwarding to a higher level


def forwardable(round_):
    """The round's selected candidates not yet forwarded (approved)."""
    from gongjiang.applications.models import Application

    return Application.objects.filter(round=round_, status=st.APPROVED).order_by("serial")


@transaction.atomic
def forward_to_higher(round_, *, actor, forwarded_on, document, receiving_body="", letter_number="",
                      applications=None):
    """推荐上报: forward the round's approved candidates (or those given) to the higher body the
    policy names, with the date and the recommendation letter. Each candidate moves to 已推荐上报."""
    stage = procedure(round_).require(st.FORWARDING)
    quota.lock_round(round_)
    apps = list(forwardable(round_) if applications is None else applications)
    if not apps:
        raise DomainError("没有已批准入选、待推荐上报的人选", log="forwarding without candidates")
    if any(a.round_id != round_.pk or a.status != st.APPROVED for a in apps):
        raise DomainError("只能推荐上报本批次已批准入选的人选", log="forwarding of unapproved candidates")
    if forwarded_on is None or forwarded_on > timezone.localdate():
        raise DomainError("请填写上报日期（不能晚于今天）", log="forwarding date")
    if document is None:
        raise DomainError("请上传推荐上报文件（PDF）", log="forwarding without document")
    body = (receiving_body or "").strip() or stage.to
    stored = store_attachment(document, actor=actor, folder="review/forwarding")
    row = Forwarding.objects.create(round=round_, forwarded_on=forwarded_on, receiving_body=body,
                                    letter_number=(letter_number or "").strip(), document=stored, recorded_by=actor)
    row.applications.set(apps)
    record("review.forwarding", actor=actor, obj=row,
           after={"forwarded_on": forwarded_on.isoformat(), "receiving_body": body, "letter_number": row.letter_number,
                  "document": stored.name, "sha256": stored.sha256, "candidates": [a.pk for a in apps]},
           reason=stage.article)
    number = f"（{row.letter_number}）" if row.letter_number else ""
    for app in apps:
        decide(app, st.FORWARDED, actor=actor, title="已推荐上报",
               reason=f"{forwarded_on:%Y年%-m月%-d日}推荐上报{body}{number}（{stage.article}）")
    return row


@transaction.atomic
def record_forwarding_outcome(forwarding, *, actor, outcome_on, selected, text="", document=None):
    """The higher body's outcome for a forwarding: `selected` (application ids) 入选, the others
    未入选. Recorded once, with its date and, where there is one, its document."""
    row = Forwarding.objects.select_for_update().select_related("round").get(pk=forwarding.pk)
    if row.outcome_on is not None:
        raise DomainError("该次推荐上报的评定结果已登记", log="forwarding outcome twice")
    if outcome_on is None or outcome_on < row.forwarded_on or outcome_on > timezone.localdate():
        raise DomainError("请填写上级评定日期（不早于上报日期，不晚于今天）", log="forwarding outcome date")
    apps = list(row.applications.order_by("serial"))
    chosen = {int(pk) for pk in selected}
    if not chosen <= {a.pk for a in apps}:
        raise DomainError("只能从本次上报的人选中登记入选人员", log="forwarding outcome for foreign candidates")
    row.outcome_on, row.outcome_text, row.outcome_recorded_by = outcome_on, (text or "").strip(), actor
    if document is not None:
        row.outcome_document = store_attachment(document, actor=actor, folder="review/forwarding")
    row.save(update_fields=["outcome_on", "outcome_text", "outcome_recorded_by", "outcome_document"])
    record("review.forwarding.outcome", actor=actor, obj=row,
           after={"outcome_on": outcome_on.isoformat(), "selected": sorted(chosen), "text": row.outcome_text})
    said = f"{row.receiving_body}{outcome_on:%Y年%-m月%-d日}评定" + (f"：{row.outcome_text}" if row.outcome_text else "")
    for app in apps:
        if app.status != st.FORWARDED:
            continue  # left the list in the meantime (e.g. its honour revoked): the record keeps it
        to = st.HIGHER_SELECTED if app.pk in chosen else st.HIGHER_NOT_SELECTED
        decide(app, to, actor=actor, title="上级评定结果", reason=f"{said}（{'入选' if app.pk in chosen else '未入选'}）")
    return row


# ---------------------------------------------------------------- committee and secret ballot


@transaction.atomic
def open_session(round_, *, actor, title, held_on, members, present=None, candidates=None):
    """A committee meeting on the candidates awaiting decision. The stage says secret ballot or not
    (仲恺 第五条（二）4: 采取无记名投票的方式进行表决) and the threshold."""
    from gongjiang.applications.models import Application

    stage = procedure(round_).require(st.COMMITTEE)
    members = list(members)
    present = list(present) if present is not None else members
    if not members:
        raise DomainError("请选择参加会议的委员", log="session without members")
    if any(m.role != Role.COMMITTEE for m in members):
        raise DomainError("参会人员须为评审委员会委员", log="non-committee member")
    if not set(m.pk for m in present) <= set(m.pk for m in members):
        raise DomainError("到会委员须在委员名单内", log="present not subset of members")
    apps = list(candidates) if candidates is not None else list(
        Application.objects.filter(round=round_, status=st.COMMITTEE))
    if not apps or any(a.status != st.COMMITTEE or a.round_id != round_.pk for a in apps):
        raise DomainError("没有待委员会审定的申报", log="session without committee candidates")
    busy = CommitteeSession.objects.filter(closed_at__isnull=True, candidates__in=apps).exists()
    if busy:
        raise DomainError("部分申报已在另一场未结束的会议中", log="candidate in open session")
    threshold = stage.threshold_params
    Threshold.from_params(threshold)  # validate now, not at counting time
    session = CommitteeSession.objects.create(
        round=round_, title=title, mode=SessionMode.SECRET if stage.secret_ballot else SessionMode.OPEN,
        threshold=threshold, held_on=held_on, opened_by=actor)
    session.members.set(members)
    session.present.set(present)
    session.candidates.set(apps)
    record("review.session.open", actor=actor, obj=session,
           after={"mode": session.mode, "members": [m.pk for m in members], "present": [m.pk for m in present],
                  "candidates": [a.pk for a in apps]}, reason=title)
    return session


def sessions_for(user):
    return CommitteeSession.objects.filter(members=user).order_by("-held_on", "-pk")


def session_for_member(user, session_id) -> CommitteeSession:
    s = sessions_for(user).filter(pk=session_id).first()
    if s is None:
        raise Http404("not a member")
    return s


def has_voted(session, user) -> bool:
    return VoterRoll.objects.filter(session=session, member=user).exists()


@transaction.atomic
def cast_ballots(session, *, member, choices: dict):
    """A member's ballot sheet: one choice per candidate (同意/不同意/弃权), once per session.

    Unlinkability: the VoterRoll row says only that the member voted. The ballots of the whole
    session are then rewritten: every ballot so far plus this sheet, deleted and inserted again in
    a fresh random order with fresh random ids (uuid4) and no timestamp. So every live ballot row
    comes from the same, latest transaction and their physical order is a shuffle: neither ids,
    row order nor the inserting transaction tells which rows came from which sheet."""
    session = CommitteeSession.objects.select_for_update().get(pk=session.pk)
    if session.mode != SessionMode.SECRET:
        raise DomainError("本次会议不采用无记名投票", log="ballot in open session")
    if not session.is_open:
        raise DomainError("投票已结束", log="ballot after close")
    if not session.members.filter(pk=member.pk).exists():
        raise Http404("not a member")
    if not session.present.filter(pk=member.pk).exists():
        raise DomainError("您未登记为到会委员，不能投票", log="absent member voting")
    if VoterRoll.objects.filter(session=session, member=member).exists():
        raise DomainError("您已在本次会议投票，每位委员只能投票一次", log="second ballot")
    candidate_ids = set(session.candidates.values_list("pk", flat=True))
    clean = {}
    for key, choice in choices.items():
        try:
            app_id = int(key)
        except (TypeError, ValueError):
            app_id = None
        if app_id not in candidate_ids:
            raise DomainError("选票包含不在表决名单中的对象", log=f"ballot for {key!r}")
        if choice not in CHOICE_LABELS:
            raise DomainError("请对每位候选人选择同意、不同意或弃权", log=f"bad choice {choice!r}")
        clean[app_id] = choice
    if set(clean) != candidate_ids:
        raise DomainError("请对表决名单中的每一位候选人作出选择", log="incomplete ballot sheet")
    VoterRoll.objects.create(session=session, member=member)
    existing = list(Ballot.objects.filter(session=session).values_list("application_id", "choice"))
    pool = existing + list(clean.items())
    random.SystemRandom().shuffle(pool)
    Ballot.objects.filter(session=session).delete()
    Ballot.objects.bulk_create([Ballot(id=uuid.UUID(bytes=secrets.token_bytes(16), version=4), session=session,
                                       application_id=a, choice=c) for a, c in pool])
    record("review.ballot.cast", actor=member, obj=session, after={"voted": True}, reason="无记名投票")


def progress(session) -> dict:
    """What the committee sees while the vote is open: how many have voted, never the tally."""
    return {"members": session.members.count(), "present": session.present.count(),
            "voted": VoterRoll.objects.filter(session=session).count()}


def session_tally(session):
    """The tally of a secret-ballot session from the anonymous ballots alone."""
    threshold = Threshold.from_params(session.threshold)
    candidates = list(session.candidates.order_by("serial"))
    result = tally(Ballot.objects.filter(session=session).values_list("application_id", "choice"),
                   candidates=[a.pk for a in candidates], present=session.present.count(),
                   members=session.members.count(), threshold=threshold)
    return candidates, result, threshold


@transaction.atomic
def close_session(session, *, actor, decisions=None, tie_choice=()):
    """Count (secret ballot) or record (open decision) and move every candidate on, within the
    round's quota (review.quota): an open decision approving more than the places left is refused;
    where more candidates reach the ballot's threshold than places are left, those with the most
    votes in favour take them, equal votes in the order of the policy's priority rules, and a tie
    left at the last place is for the committee to settle (tie_choice: application ids).
    decisions (open mode only): {application id: {"outcome": approved|rejected, "reason": str}}."""
    session = CommitteeSession.objects.select_for_update().select_related("round__policy").get(pk=session.pk)
    if not session.is_open:
        raise DomainError("会议已结束", log="close twice")
    proc = procedure(session.round)
    now = timezone.now()
    outcomes = {}
    if session.mode == SessionMode.SECRET:
        candidates, result, threshold = session_tally(session)
        for app, t in zip(candidates, result):
            outcomes[app.pk] = (DecisionOutcome.APPROVED if t.passed else DecisionOutcome.REJECTED,
                                f"同意{t.yes}票，不同意{t.no}票，弃权{t.abstain}票；{threshold.describe()}（需{t.needed}票）",
                                t)
        session.result = {"threshold": threshold.describe(), "voted": VoterRoll.objects.filter(session=session).count(),
                          "present": session.present.count(), "members": session.members.count(),
                          "tally": [{"application": t.candidate, "yes": t.yes, "no": t.no, "abstain": t.abstain,
                                     "needed": t.needed, "passed": t.passed} for t in result]}
    else:
        decisions = {int(k): v for k, v in (decisions or {}).items()}
        candidates = list(session.candidates.order_by("serial"))
        missing = [a.name for a in candidates if a.pk not in decisions]
        if missing:
            raise DomainError("请对以下候选人作出审定结论：" + "、".join(missing), log="open session incomplete")
        for app in candidates:
            d = decisions[app.pk]
            if d.get("outcome") not in DecisionOutcome.values:
                raise DomainError(f"请选择“{app.name}”的审定结论", log="bad outcome")
            if d["outcome"] == DecisionOutcome.REJECTED and not str(d.get("reason", "")).strip():
                raise DomainError(f"“{app.name}”审定未通过须说明理由", log="rejection without reason")
            outcomes[app.pk] = (d["outcome"], str(d.get("reason", "")).strip() or "集体审定通过", None)
        session.result = {"decisions": {str(k): v[0] for k, v in outcomes.items()}}
    _within_quota(session, outcomes, tie_choice)
    session.closed_at = now
    session.save(update_fields=["closed_at", "result"])
    for app in candidates:
        outcome, reason, t = outcomes[app.pk]
        decision = CommitteeDecision.objects.create(
            session=session, application=app, outcome=outcome, reason=reason, decided_by=actor, decided_at=now,
            yes=t.yes if t else None, no=t.no if t else None, abstain=t.abstain if t else None)
        record("review.committee.decide", actor=actor, obj=decision, after=snapshot(decision), reason=reason)
        app = _lock(app)
        if outcome == DecisionOutcome.APPROVED:
            decide(app, proc.next_state(st.COMMITTEE), actor=actor, reason=f"{session.title}：{reason}",
                   title="评审委员会审定通过")
        else:
            decide(app, st.COMMITTEE_REJECTED, actor=actor, reason=f"{session.title}：{reason}",
                   title="评审委员会审定未通过")
    record("review.session.close", actor=actor, obj=session, after=session.result, reason=session.title)
    return session


def _within_quota(session, outcomes, tie_choice):
    """Hold the committee's approvals to the places left in the round's quota and its category
    caps (see close_session): an open meeting decides again; a secret ballot's places go to the
    most votes in favour, then the priority rules, a tie left at the line to the committee's choice."""
    from gongjiang.applications.models import Application

    round_ = quota.lock_round(session.round)
    passing = [k for k, (outcome, _r, _t) in outcomes.items() if outcome == DecisionOutcome.APPROVED]
    apps = {a.pk: a for a in Application.objects.filter(pk__in=passing).select_related("round", "person", "employer")}
    if session.mode != SessionMode.SECRET:
        quota.check_apps(round_, st.COMMITTEE, list(apps.values()), what="审定通过")
        return
    # Most votes in favour first; equal votes by the policy's priority rules (同等条件下优先…).
    ranked, groups = ranked_groups(round_, [(apps[k], outcomes[k][2].yes) for k in sorted(passing)])
    rules = {(r.category, r.score): r.decided_by for r in ranked if r.decided_by}

    def tie(names, room):
        return (f"达到通过票数的人数超过剩余名额（{quota.describe(round_)}），同票且优先条件相同"
                f"（{'、'.join(names)}），请由委员会确定其中{room}人")

    _kept, cut = quota.select(round_, st.COMMITTEE, groups, chosen=tie_choice, tie_message=tie)
    for r in ranked:
        if int(r.key) not in cut:
            continue
        k = int(r.key)
        _outcome, reason, t = outcomes[k]
        rule = rules.get((r.category, r.score))
        order = f"，同票者按{rule}排序" if rule else ""
        outcomes[k] = (DecisionOutcome.REJECTED,
                       f"{reason}；同意票数未进入名额（{cut[k]}，{quota.describe(round_)}{order}）", t)


# ---------------------------------------------------------------- board


def board(round_):
    """The round's stage counts: [(state, label, count)] in procedure order (one query)."""
    from django.db.models import Count

    from gongjiang.applications.models import Application

    cols = procedure(round_).columns()
    counts = dict(Application.objects.filter(round=round_, status__in=[s for s, _ in cols])
                  .values_list("status").annotate(n=Count("pk")).order_by())
    return [(s, label, counts.get(s, 0)) for s, label in cols]


def board_applications(round_, *, state: str = "", q: str = ""):
    """The applications on the round's board (in one stage with `state`, by name or serial with
    `q`), in serial order: a queryset the board pages through."""
    from django.db.models import Q

    from gongjiang.applications.models import Application

    states = [s for s, _ in procedure(round_).columns()]
    qs = Application.objects.filter(round=round_, status__in=[state] if state in states else states)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(serial__contains=q))
    # The columns the board shows (not the facts and deed text of 50 applications per page).
    return (qs.select_related("employer").only("serial", "name", "status", "round", "employer__name")
            .order_by("serial", "pk"))


def rounds_in_review(user):
    from gongjiang.accounts.scope import org_q
    from gongjiang.rounds.models import Round

    return Round.objects.filter(org_q(user, "organiser")).order_by("-year", "title")


def round_for(user, round_id):
    r = (rounds_in_review(user).select_related("policy", "organiser")
         .defer("policy__source").filter(pk=round_id).first())
    if r is None:
        raise Http404("round not in scope")
    return r


def application_for(user, application_id):
    """A bureau officer's view of an application in a round they organise (404 otherwise)."""
    from gongjiang.applications.models import Application

    app = (Application.objects.select_related("round", "employer", "person", "unit")
           .filter(pk=application_id, round__in=rounds_in_review(user)).first())
    if app is None:
        raise Http404("application not in scope")
    return app


def today() -> dt.date:
    return timezone.localdate()
