"""The holder's term: renewal review (复核认定) and dated duties, from the policy's `renewal` and
`duties`. Each state change is one function here, audited.

- `open_term(honour, spec)`: at the award, the renewal review row (due `renewal.due_after_months`
  after the term starts) and one task per due date of every dated duty.
- `file_renewal(review, *, actor, statement, files)`: the holder (or the employer's officer) files the
  renewal form and materials (环翠 第十一条); uploads are checked like application evidence.
- `renewal_clauses(review)`: the engine's clause-by-clause result of `renewal.criteria` on the due date.
- `decide_renewal(review, *, actor, attestations, reason)`: an officer attests the manual clauses;
  passed when every clause passes; a failure applies `renewal.on_fail` from the due date
  (环翠 第十二条: no second-year allowance).
- `renewal_blocks(honour, on) -> str`: why benefits on `on` wait for or lost the renewal ("" if not).
- `complete_duty(task, *, actor, report, result, files)`, `overdue_duties(qs, today)`,
  `send_reminders(today)` (e-mail and inbox before the due date).
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from gongjiang.accounts.permissions import Decision, check
from gongjiang.accounts.scope import in_scope
from gongjiang.applications.uploads import UploadRule, check_upload, delete_stored, store_checked
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.vocab import Role

from . import signals
from .models import DecisionKind, DutyStatus, DutyTask, HonourDecision, RenewalReview, RenewalStatus, Upload

log = logging.getLogger(__name__)

UPLOAD_RULE = UploadRule(frozenset({"pdf", "jpeg", "png"}), max_bytes=20 * 1024 * 1024, max_pages=100,
                         label="复核、报告材料")
MAX_FILES = 10
ASSESSMENT_RESULTS = {"excellent": "优秀", "pass": "合格", "fail": "不合格"}


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def duty_dates(duty, honour) -> list[dt.date]:
    """The due dates of a dated duty within the honour's term."""
    if duty.due_after_months is None:
        return []
    first = add_months(honour.term_start, duty.due_after_months)
    if honour.term_end and first > honour.term_end + dt.timedelta(days=1):
        return []
    dates, n = [first], 1
    while duty.every_months and honour.term_end:
        nxt = add_months(honour.term_start, duty.due_after_months + n * duty.every_months)
        if nxt > honour.term_end + dt.timedelta(days=1):
            break
        dates.append(nxt)
        n += 1
    return dates


def open_term(honour, spec) -> None:
    """The renewal review and the duty tasks of a new honour (called by services.award)."""
    if spec.renewal is not None:
        RenewalReview.objects.get_or_create(honour=honour, due_on=add_months(honour.term_start, spec.renewal.due_after_months),
                                            defaults={"article": spec.renewal.article})
    for duty in spec.duties:
        for due in duty_dates(duty, honour):
            DutyTask.objects.get_or_create(honour=honour, kind=duty.kind, article=duty.article, due_on=due,
                                           defaults={"who": duty.who, "text": duty.text[:300]})


# ---------------------------------------------------------------- uploads

def _store(files, *, folder, actor, **owner):
    """Check every file before storing any; returns the created Upload rows (files removed if the
    transaction fails)."""
    files = [(material, f) for material, f in files]
    if len(files) > MAX_FILES:
        raise DomainError(f"材料最多{MAX_FILES}个文件", log="too many files")
    checked = [(material, check_upload(f, rule=UPLOAD_RULE)) for material, f in files]
    rows = []
    for material, c in checked:
        rel = store_checked(c, folder=folder)
        rows.append(Upload.objects.create(material=material[:200], name=c.name, content_type=c.content_type,
                                          size=c.size, sha256=c.sha256, path=rel, uploaded_by=actor, **owner))
    return rows


def _holder_or_employer(user, honour) -> bool:
    if honour.person.account_id and honour.person.account_id == user.pk:
        return True
    return user.role == Role.EMPLOYER and honour.employer_id is not None and in_scope(user, honour.employer)


def _officer(user, honour) -> Decision:
    from .services import can_decide

    return can_decide(user, honour)


# ---------------------------------------------------------------- renewal

@transaction.atomic
def file_renewal(review, *, actor, statement: str, files=()) -> RenewalReview:
    """The holder files the renewal form (statement) and materials [(material name, file), ...]."""
    review = (RenewalReview.objects.select_for_update(of=("self",))
              .select_related("honour__person", "honour__employer").get(pk=review.pk))
    honour = review.honour
    if not (_holder_or_employer(actor, honour) or _officer(actor, honour)):
        raise NotAllowed("只有本人、所在单位或主管部门可以提交复核材料")
    if review.status not in (RenewalStatus.OPEN, RenewalStatus.FILED):
        raise DomainError("复核认定已有结论，不能再提交材料", log="renewal already decided")
    if honour.status != "active":
        raise DomainError("该称号已退出或撤销，无需复核认定", log="renewal of inactive honour")
    statement = (statement or "").strip()
    if len(statement) < 10:
        raise DomainError("请填写复核申请表内容（管理期内的工作、技术成果、带徒情况等，至少10字）", log="short statement")
    stored = []
    try:
        stored = _store(files, folder="honours/renewals", actor=actor, renewal=review)
        before = snapshot(review, ["status", "filed_at"])
        review.status, review.statement, review.filed_by, review.filed_at = (
            RenewalStatus.FILED, statement, actor, timezone.now())
        review.evaluation = {"clauses": renewal_clauses(review)}
        review.save()
        record("honour.renewal_file", actor=actor, obj=honour, organisation=honour.jurisdiction, before=before,
               after=snapshot(review, ["status", "filed_at"]) | {"files": len(stored)}, reason=review.article)
    except BaseException:
        for row in stored:
            delete_stored(row.path)
        raise
    return review


def renewal_clauses(review) -> list[dict]:
    """The engine's result of the policy's renewal criteria for the holder on the due date:
    [{id, article, depth, status, sentence, manual, facts}]."""
    from gongjiang.applications.eligibility import registry_facts
    from gongjiang.policy.engine import evaluate
    from gongjiang.policy.explain import explain

    from .services import policy_of

    honour = review.honour
    policy = policy_of(honour)
    facts = registry_facts(honour.person, policy_file=policy, on=review.due_on, honour=honour.honour_code,
                           employer=honour.employer)
    result = explain(evaluate(policy, facts, on=review.due_on, honour=honour.honour_code, tree="renewal"), 0,
                     label=honour.name)
    kinds = {c.id: c.kind for c in _walk(policy.honour(honour.honour_code).renewal.criteria)}
    return [{"id": c.id, "article": c.article, "depth": c.depth, "status": c.status, "tone": c.tone or c.status,
             "status_label": c.status_label, "sentence": c.sentence, "manual": kinds.get(c.id) == "manual",
             "facts": [f"{f.text}（{f.source}，{f.verification}）" for f in c.facts]} for c in result.clauses]


def _walk(clause):
    from gongjiang.policy.schema import walk

    return walk(clause)


def to_attest(clauses) -> list[dict]:
    """Leaf clauses an officer must attest: manual ones and those the engine could not decide."""
    return [c for c in clauses if c["manual"] or (c["status"] == "needs_review" and not _has_children(c, clauses))]


def _has_children(clause, clauses) -> bool:
    i = clauses.index(clause)
    return i + 1 < len(clauses) and clauses[i + 1]["depth"] > clause["depth"]


@transaction.atomic
def decide_renewal(review, *, actor, attestations: dict, reason: str) -> RenewalReview:
    """Conclude the review. attestations: {clause id: {"met": bool, "note": str}} for every clause of
    `to_attest`. Passed when every top-level clause passes with the attestations applied."""
    from .services import _apply_effects, _d, policy_honour, tell

    review = (RenewalReview.objects.select_for_update(of=("self",))
              .select_related("honour__policy", "honour__jurisdiction").get(pk=review.pk))
    honour = review.honour
    allowed = _officer(actor, honour)
    if not allowed:
        raise NotAllowed(allowed.reason)
    if review.status != RenewalStatus.FILED:
        raise DomainError("复核材料尚未提交或已有结论", log=f"renewal in {review.status}")
    if review.due_on > timezone.localdate():
        raise DomainError(f"复核认定日期为{_d(review.due_on)}，尚未到期", log="renewal before due date")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写复核意见", log="renewal without reason")
    clauses = renewal_clauses(review)
    needed = to_attest(clauses)
    attested = {}
    for c in needed:
        a = (attestations or {}).get(c["id"])
        if a is None or not str(a.get("note", "")).strip():
            raise DomainError(f"请对{c['article']}逐项认定并说明理由", log=f"clause {c['id']} not attested")
        attested[c["id"]] = {"met": bool(a.get("met")), "note": str(a["note"]).strip()[:500], "by": actor.pk}
    failed = [c for c in clauses if c["depth"] == 1 and c["id"] not in attested and c["status"] == "fail"]
    failed += [c for c in needed if not attested[c["id"]]["met"]]
    before = snapshot(review, ["status", "decided_at"])
    review.status = RenewalStatus.FAILED if failed else RenewalStatus.PASSED
    review.evaluation, review.attestations = {"clauses": clauses}, attested
    review.decided_by, review.decided_at, review.reason = actor, timezone.now(), reason
    review.save()
    spec = policy_honour(honour)
    record("honour.renewal_decide", actor=actor, obj=honour, organisation=honour.jurisdiction, before=before,
           after=snapshot(review, ["status", "decided_at"]) | {"failed": [c["article"] for c in failed]}, reason=reason[:500])
    if failed:
        effects = spec.renewal.on_fail
        honour_before = snapshot(honour)
        _apply_effects(honour, effects, effective=review.due_on, status="exited")
        honour.save()
        articles = "、".join(dict.fromkeys(c["article"] for c in failed))
        text = (f"您的“{honour.title}”{spec.renewal.name}未通过（{spec.renewal.article}；未达到{articles}），"
                f"自{_d(review.due_on)}起停止享受相应待遇。复核意见：{reason}")
        HonourDecision.objects.create(
            honour=honour, kind=DecisionKind.RENEWAL_FAILED, outcome_id="renewal", article=spec.renewal.article,
            when_text=f"{spec.renewal.name}未通过", event="other", effective_on=review.due_on,
            document_number=f"复核认定（{_d(timezone.localdate())}）", decided_by=str(actor), reason=reason,
            effects=effects.model_dump(), notice_text=text, recorded_by=actor)
        record("honour.renewal_failed", actor=actor, obj=honour, organisation=honour.jurisdiction, before=honour_before,
               after=snapshot(honour), reason=articles)
        signals.benefits_stopped.send(sender=type(honour), honour=honour, stop_from=review.due_on, actor=actor,
                                      reason=text)
    else:
        text = f"您的“{honour.title}”{spec.renewal.name}已通过（{spec.renewal.article}）。{spec.renewal.benefit_note}"
        signals.renewal_passed.send(sender=type(honour), honour=honour, review=review, actor=actor)
    tell(honour, text)
    return review


def renewal_blocks(honour, on: dt.date) -> str:
    """Why benefits on `on` wait for or lost the renewal review ("" when the renewal allows them)."""
    review = next((r for r in honour.renewals.all() if r.due_on <= on), None)
    if review is None or review.status == RenewalStatus.PASSED:
        return ""
    if review.status == RenewalStatus.FAILED:
        return f"复核认定未通过，自{review.due_on:%Y年%-m月%-d日}起不再享受"
    return f"自{review.due_on:%Y年%-m月%-d日}起的待遇以复核认定通过为前提（{review.article}），复核尚未完成"


# ---------------------------------------------------------------- duties

def can_complete(user, task) -> Decision:
    honour = task.honour
    if task.who in ("holder", "employer") and _holder_or_employer(user, honour):
        return Decision(True)
    return _officer(user, honour) if check(user, "honour.decide") else Decision(False, "只有责任方或主管部门可以办理")


@transaction.atomic
def complete_duty(task, *, actor, report: str, result: str = "", files=()) -> DutyTask:
    """Record a duty done: the plan or report text (with checked uploads), the assessment result,
    or the contact officer assigned."""
    task = DutyTask.objects.select_for_update(of=("self",)).select_related("honour__person", "honour__employer",
                                                               "honour__jurisdiction").get(pk=task.pk)
    allowed = can_complete(actor, task)
    if not allowed:
        raise NotAllowed(allowed.reason or "无权办理该事项")
    if task.status == DutyStatus.DONE:
        raise DomainError("该事项已办结", log="duty already done")
    report = (report or "").strip()
    if not report:
        raise DomainError("请填写报告或办理情况（联系专员请填写专员姓名和联系方式）", log="duty without report")
    if task.kind == "assessment" and result not in ASSESSMENT_RESULTS:
        raise DomainError("请选择考核结果：优秀、合格或不合格", log=f"bad assessment result {result!r}")
    stored = []
    try:
        stored = _store(files, folder="honours/duties", actor=actor, duty=task)
        task.status, task.report, task.result = DutyStatus.DONE, report, ASSESSMENT_RESULTS.get(result, "")
        task.done_by, task.done_at = actor, timezone.now()
        task.save()
        record("honour.duty_done", actor=actor, obj=task.honour, organisation=task.honour.jurisdiction,
               after={"duty": task.pk, "article": task.article, "due_on": task.due_on, "result": task.result,
                      "files": len(stored)}, reason=task.text[:200])
    except BaseException:
        for row in stored:
            delete_stored(row.path)
        raise
    return task


def overdue_duties(qs, today: dt.date | None = None):
    return qs.filter(status=DutyStatus.OPEN, due_on__lt=today or timezone.localdate(), honour__status="active")


def _recipients(task) -> list:
    """Who is reminded of a task: the holder's account, the employer's officers, or the bureau."""
    from gongjiang.accounts.models import User

    honour = task.honour
    if task.who == "holder":
        return [honour.person.account] if honour.person.account_id else []
    if task.who == "employer" and honour.employer_id:
        return list(User.objects.filter(role=Role.EMPLOYER, organisation=honour.employer, is_active=True))
    return list(User.objects.filter(role=Role.BUREAU, organisation=honour.jurisdiction, is_active=True))


def send_reminders(today: dt.date | None = None) -> int:
    """E-mail (and inbox message for the holder) once per open task whose reminder window has
    begun (`remind_days` before the due date, from the policy). Returns the number of tasks reminded."""
    from .services import _d, policy_honour, tell

    today = today or timezone.localdate()
    done = 0
    tasks = (DutyTask.objects.filter(status=DutyStatus.OPEN, reminded_at__isnull=True, honour__status="active",
                                     due_on__gte=today)
             .select_related("honour__person__account", "honour__policy", "honour__employer", "honour__jurisdiction"))
    for task in tasks:
        spec = policy_honour(task.honour)
        days = next((d.remind_days for d in spec.duties if d.article == task.article and d.kind == task.kind), 14)
        if task.due_on - dt.timedelta(days=days) > today:
            continue
        text = (f"提醒：“{task.honour.title}”{task.honour.name}的期内职责（{task.article}：{task.text}）"
                f"将于{_d(task.due_on)}到期，请及时办理。")
        with transaction.atomic():
            if DutyTask.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()) != 1:
                continue
            if task.who == "holder":
                tell(task.honour, text)
            emails = [u.email for u in _recipients(task) if u and u.email]
            if emails:
                transaction.on_commit(lambda t=text, e=emails: send_mail(
                    "工匠平台：期内职责到期提醒", t, settings.DEFAULT_FROM_EMAIL, e, fail_silently=True))
        done += 1
    return done


def visible_duties(user):
    """Duty tasks of the honours the user may see."""
    from .services import visible_honours

    return DutyTask.objects.filter(honour__in=visible_honours(user)).select_related("honour", "honour__employer")

