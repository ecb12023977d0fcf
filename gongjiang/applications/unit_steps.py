"""The recommending unit's steps before it reports a candidate, as the policy lists them
(`recommendation.unit_procedure.steps`, gongjiang.policy.schema.UnitStep): 职工代表大会或职工推荐
(staff_recommendation), 组织专家综合评定 (expert_evaluation), 单位内公示N个工作日 (unit_notice) and
单位党组织或行政审核同意/审定 (unit_approval). 聊城 三 is the example: 组织7名以上…专家综合评定；推荐人选
在人选所在单位公示5个工作日并无异议后经县（市、区）人才工作领导小组审定后…报送.

Where a policy lists steps, a unit's candidates wait in `unit_proposed` (not yet the bureau's) until
every step is done for them; the unit's report then hands them to the bureau (`recommended`). The
steps are taken in the policy's order. Every step but the notice is a UnitStepRecord with its date
and document; the notice is the unit's UnitNotice (notices app: working days counted by the
workdays calendar, objections), done when it is closed with the candidate still on it.
Review refuses a file whose steps are not done (`require_done`).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongjiang.audit.services import record
from gongjiang.core.errors import DomainError
from gongjiang.rounds import policy_link

from . import uploads
from .models import Application, UnitStepRecord
from .states import UNIT_CANDIDATES

NOTICE = "unit_notice"


def steps_of(rnd) -> list:
    """The unit steps of the round's policy (the edition in force on its reference date)."""
    procedure = policy_link.parsed_on(rnd.policy, rnd.reference_date).recommendation.unit_procedure
    return list(procedure.steps) if procedure else []


def step_of(rnd, kind):
    step = next((s for s in steps_of(rnd) if s.kind == kind), None)
    if step is None:
        raise DomainError("本批次政策未规定该单位推荐程序环节", log=f"unit step {kind} not in policy")
    return step


def candidates(unit):
    """The unit's candidates: proposed (steps running) or reported."""
    return Application.objects.filter(unit=unit, status__in=UNIT_CANDIDATES)


def _cite(step) -> str:
    return f"{step.title}（{step.article}）"


def _notice_done(unit) -> tuple[set[int], str]:
    """The candidates the unit's closed notice covers, and why it is not closed ("" when it is)."""
    from gongjiang.notices.services import closure

    from .services import current_unit_notice

    notice = current_unit_notice(unit)
    if notice is None:
        return set(), "尚未发布单位公示"
    decision = closure(notice)
    if not decision:
        return set(), (f"单位公示期为{notice.start_date:%Y年%m月%d日}至{notice.end_date:%Y年%m月%d日}，"
                       f"公示期满且无未办结异议后方可进行下一步（{decision.reason}）")
    shown = set(notice.entries.filter(removed_at__isnull=True, application__isnull=False)
                .values_list("application_id", flat=True))
    return shown, ""


def _done_for(unit, step) -> tuple[set[int], str]:
    if step.kind == NOTICE:
        return _notice_done(unit)
    covered = set(UnitStepRecord.objects.filter(unit=unit, step=step.kind).values_list("applications", flat=True))
    return covered - {None}, "尚未登记"


def progress(unit) -> list[dict]:
    """Each step of the policy for the unit's candidates: {step, done, missing (names), problem,
    records}. A step is done when it covers every candidate."""
    apps = list(candidates(unit).order_by("unit_rank", "pk"))
    out = []
    for step in steps_of(unit.round):
        covered, why = _done_for(unit, step)
        missing = [a.name for a in apps if a.pk not in covered]
        problem = ""
        if missing:
            problem = (why if not covered else f"以下推荐人选尚未完成：{'、'.join(missing)}")
        out.append({"step": step, "done": bool(apps) and not missing, "missing": missing, "problem": problem,
                    "records": list(UnitStepRecord.objects.filter(unit=unit, step=step.kind)
                                    .select_related("recorded_by").order_by("done_on", "pk"))
                    if step.kind != NOTICE else []})
    return out


def missing(application) -> list:
    """The policy's unit steps not done for this candidate ([] for a candidate without a unit)."""
    if application.unit_id is None:
        return []
    unit = application.unit
    return [step for step in steps_of(application.round) if application.pk not in _done_for(unit, step)[0]]


def problem(application) -> str:
    """Why the file is incomplete in its unit steps, citing the articles ("" when complete)."""
    left = missing(application)
    if not left:
        return ""
    return f"{application.name}的单位推荐程序尚未完成：{'、'.join(_cite(s) for s in left)}"


def require_done(applications, *, what: str) -> None:
    """Refuse `what` (专家评审, 受理 …) for files whose unit steps are not all done."""
    problems = [p for p in (problem(a) for a in applications) if p]
    if problems:
        raise DomainError(f"申报材料不完整，不能{what}：" + "；".join(problems),
                          log=f"{what}: unit steps incomplete for {len(problems)} files")


def require_earlier_done(unit, kind) -> None:
    """The steps are taken in the policy's order: every step before `kind` must be done for every
    candidate of the unit (聊城 三: 公示…并无异议后经…审定)."""
    for row in progress(unit):
        if row["step"].kind == kind:
            return
        if not row["done"]:
            raise DomainError(f"请先完成“{_cite(row['step'])}”：{row['problem'] or '尚无推荐人选'}",
                              log=f"unit step {kind} before {row['step'].kind}")


def report_problem(unit) -> str:
    """Why the unit may not report its candidates yet because of its steps ("" when it may)."""
    for row in progress(unit):
        if not row["done"]:
            return f"单位推荐程序“{_cite(row['step'])}”尚未完成：{row['problem']}"
    return ""


@transaction.atomic
def record_step(unit, *, actor, kind, done_on: dt.date, document, body="", experts=None, note="") -> UnitStepRecord:
    """Record a step the unit took (not the notice, which is published as the unit's notice), with
    its date and document, for every candidate it has proposed. Audited."""
    from gongjiang.rounds.models import RecommendingUnit

    from .services import _require_unit_officer

    unit = RecommendingUnit.objects.select_for_update().select_related("round__policy", "organisation").get(pk=unit.pk)
    _require_unit_officer(actor, unit)
    step = step_of(unit.round, kind)
    if step.kind == NOTICE:
        raise DomainError("单位公示请通过“发布单位公示”办理", log="unit notice recorded as a step")
    if unit.report_submitted_at:
        raise DomainError("推荐报告已报送，不能再登记单位推荐程序", log="unit step after report")
    apps = list(candidates(unit).order_by("unit_rank", "pk"))
    if not apps:
        raise DomainError("尚无拟推荐人选，不能登记单位推荐程序", log="unit step without candidates")
    if done_on is None or done_on > timezone.localdate():
        raise DomainError("请填写完成日期（不能晚于今天）", log="unit step date")
    if document is None:
        raise DomainError(f"请上传“{step.title}”的证明文件（会议纪要、审核意见等，PDF）", log="unit step without document")
    body = (body or step.by or "").strip()
    if step.kind == "unit_approval" and not body:
        raise DomainError("请填写审核同意（审定）的机构", log="unit approval without body")
    if step.kind == "expert_evaluation":
        if not experts:
            raise DomainError("请填写参加综合评定的专家人数", log="evaluation without experts")
        if step.min_experts and int(experts) < step.min_experts:
            raise DomainError(f"综合评定须组织{step.min_experts}名以上专家（{step.article}），本次仅{experts}名",
                              log=f"evaluation with {experts} < {step.min_experts} experts")
    require_earlier_done(unit, kind)
    checked = uploads.check_upload(document, rule=uploads.PDF_ONLY)
    path = uploads.store_checked(checked, folder="unit_steps")
    try:
        row = UnitStepRecord.objects.create(
            unit=unit, step=kind, done_on=done_on, body=body, experts=experts or None, note=(note or "").strip(),
            document_name=checked.name, document_path=path, document_sha256=checked.sha256,
            document_size=checked.size, recorded_by=actor)
        row.applications.set(apps)
        record("round.unit.step", actor=actor, obj=unit,
               after={"step": kind, "article": step.article, "done_on": done_on.isoformat(), "body": body,
                      "experts": experts or None, "document": checked.name, "sha256": checked.sha256,
                      "candidates": [a.pk for a in apps]}, reason=step.title)
    except Exception:
        uploads.delete_stored(path)
        raise
    return row
