"""Round actions: open a round of a policy, publish it, extend a deadline, set unit quotas.

Every change runs in a transaction and writes its audit entry. Deadlines are checked here too
(`require_open`), so a late submission is refused by the server whatever the page showed.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError

from .models import DeadlineExtension, DeadlineKind, RecommendingUnit, Round, RoundStatus


def _fmt(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@transaction.atomic
def open_round(*, policy, organiser, year, title, code, opens_on, application_deadline, actor, quota=None,
               honour_code=None, tiers=None, tier_quotas=None, reference_date=None, recommendation_deadline=None, review_deadline=None,
               call_text="", contact="", reason="") -> Round:
    """Create a round of `policy`: stages, materials, routes, reference date and quota rules come
    from the policy file (copied, so a later revision of the policy leaves this round alone)."""
    from . import cycle, policy_link

    defaults = policy_link.round_defaults(policy, year=year, honour_code=honour_code, tiers=tiers,
                                           tier_quotas=tier_quotas)
    if quota is None and defaults["quota"] is None:  # no silent default
        raise DomainError(f"“{defaults['honour_title']}”在参照日{defaults['reference_date'].isoformat()}没有有效的名额规定，"
                          "请在政策文件中写明当年名额，或在开设批次时填写名额",
                          log=f"no quota in force for {policy.code}/{defaults['honour_code']}")
    if recommendation_deadline is None:
        # The policy's own date for the year (聊城 三: 2019年7月31日前报送) is the round's default.
        recommendation_deadline, article = cycle.policy_deadline(policy, year)
        if recommendation_deadline is not None and recommendation_deadline < application_deadline:
            raise DomainError(f"政策规定推荐人选于{_fmt(recommendation_deadline)}前报送（{article}），"
                              "申报截止日期不能晚于该日期", log="application deadline after the policy's deadline")
    if tiers and quota is not None and quota != defaults["quota"]:
        raise DomainError(f"分称号评选的名额为各称号名额之和（{defaults['quota']}名），请在政策文件中修改各称号名额",
                          log="tiers with a stated total")
    if Round.objects.filter(code=code).exists():
        raise DomainError(f"批次编号“{code}”已被使用", log="duplicate round code")
    rnd = Round(
        policy=policy, honour_code=defaults["honour_code"], honour_title=defaults["honour_title"],
        policy_version=defaults["policy_version"], policy_sha256=defaults["policy_sha256"], organiser=organiser, year=year, title=title, code=code, opens_on=opens_on,
        application_deadline=application_deadline, recommendation_deadline=recommendation_deadline,
        review_deadline=review_deadline, quota=quota if quota is not None else defaults["quota"],
        quota_article=defaults["quota_article"], quota_caps=defaults["quota_caps"], tiers=defaults["tiers"],
        reference_date=reference_date or defaults["reference_date"],
        reference_date_article=defaults["reference_date_article"],
        allows_self_application=defaults["allows_self_application"],
        allows_employer_nomination=defaults["allows_employer_nomination"],
        unit_notice_working_days=defaults["unit_notice_working_days"],
        stages=defaults["stages"], materials=defaults["materials"],
        call_text=call_text or defaults["call_text"], contact=contact, created_by=actor,
    )
    _check_calendar(rnd)
    rnd.save()
    off_cycle = cycle.round_flags(rnd)
    record("round.open", actor=actor, obj=rnd, after=snapshot(rnd),
           reason="；".join([x for x in [reason, *off_cycle] if x]))
    return rnd


def _check_calendar(rnd: Round):
    if rnd.application_deadline < rnd.opens_on:
        raise DomainError("申报截止日期不能早于申报开始日期", log="deadline before opening")
    if rnd.recommendation_deadline and rnd.recommendation_deadline < rnd.application_deadline:
        raise DomainError("推荐报送截止日期不能早于申报截止日期", log="recommendation before application deadline")
    if rnd.review_deadline and rnd.review_deadline < (rnd.recommendation_deadline or rnd.application_deadline):
        raise DomainError("审核评审截止日期不能早于推荐报送截止日期", log="review deadline too early")


@transaction.atomic
def publish(rnd: Round, *, actor, reason="") -> Round:
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status != RoundStatus.DRAFT:
        raise DomainError("只有未发布的批次可以发布", log=f"publish round in {rnd.status}")
    before = snapshot(rnd, ["status", "published_at"])
    rnd.status, rnd.published_at = RoundStatus.OPEN, timezone.now()
    rnd.save(update_fields=["status", "published_at"])
    record("round.publish", actor=actor, obj=rnd, before=before, after=snapshot(rnd, ["status", "published_at"]),
           reason=reason)
    return rnd


@transaction.atomic
def close(rnd: Round, *, actor, reason="") -> Round:
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status != RoundStatus.OPEN:
        raise DomainError("只有申报中的批次可以截止", log=f"close round in {rnd.status}")
    rnd.status = RoundStatus.CLOSED
    rnd.save(update_fields=["status"])
    record("round.close", actor=actor, obj=rnd, before={"status": "open"}, after={"status": "closed"}, reason=reason)
    return rnd


@transaction.atomic
def archive(rnd: Round, *, actor, reason="") -> Round:
    """File a finished round as historical (已归档): its dates, applications and holders stay readable."""
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    if rnd.status != RoundStatus.CLOSED:
        raise DomainError("只有已截止的批次可以归档", log=f"archive round in {rnd.status}")
    rnd.status = RoundStatus.ARCHIVED
    rnd.save(update_fields=["status"])
    record("round.archive", actor=actor, obj=rnd, before={"status": "closed"}, after={"status": "archived"},
           reason=reason)
    return rnd


DEADLINE_FIELDS = {
    DeadlineKind.APPLICATION: "application_deadline",
    DeadlineKind.RECOMMENDATION: "recommendation_deadline",
    DeadlineKind.REVIEW: "review_deadline",
}


@transaction.atomic
def extend_deadline(rnd: Round, *, kind: str, new_date: dt.date, actor, reason: str) -> Round:
    """Move one deadline later; the reason is required and the change is audited."""
    if not (reason or "").strip():
        raise DomainError("延长截止日期须填写理由", log="extension without reason")
    if kind not in DEADLINE_FIELDS:
        raise DomainError("未知的截止类型", log=f"unknown deadline kind {kind}")
    rnd = Round.objects.select_for_update().get(pk=rnd.pk)
    field = DEADLINE_FIELDS[kind]
    old = getattr(rnd, field) or rnd.deadline(kind)
    if old is None or new_date <= old:
        raise DomainError(f"新的截止日期须晚于原截止日期（{_fmt(old)}）" if old else "该截止日期尚未设置",
                          log="extension not later")
    before = snapshot(rnd, [field])
    setattr(rnd, field, new_date)
    _check_calendar(rnd)
    if kind == DeadlineKind.APPLICATION and rnd.status == RoundStatus.CLOSED:
        rnd.status = RoundStatus.OPEN
    rnd.save()
    DeadlineExtension.objects.create(round=rnd, kind=kind, old_date=old, new_date=new_date, reason=reason, actor=actor)
    record("round.extend_deadline", actor=actor, obj=rnd, before=before, after=snapshot(rnd, [field]), reason=reason)
    return rnd


def require_open(rnd: Round, kind: str, *, today: dt.date | None = None) -> None:
    """Refuse an action after its deadline (inclusive: the whole deadline day counts)."""
    today = today or timezone.localdate()
    if kind == DeadlineKind.APPLICATION:
        if rnd.status == RoundStatus.DRAFT:
            raise DomainError("该批次尚未发布，暂不能申报", log="round not published")
        if today < rnd.opens_on:
            raise DomainError(f"申报尚未开始，开始日期为{_fmt(rnd.opens_on)}", log="before opening")
    due = rnd.deadline(kind)
    if due and today > due:
        raise DomainError(f"已超过{DeadlineKind(kind).label}日期（{_fmt(due)}），系统不再接收。"
                          "如确有特殊情况，请联系组织实施单位", log=f"{kind} deadline {due} passed", code="late")


@transaction.atomic
def set_unit(rnd: Round, *, organisation, kind: str, quota: int | None = None, actor, reason="") -> RecommendingUnit:
    """Add or change a recommending unit; the quota defaults to the policy's rule for its kind
    and may not exceed that rule's maximum (unless the policy says "一般不超过" and a reason is given)."""
    from . import policy_link

    rule = policy_link.unit_rule(rnd.policy, kind)
    if rule is None and policy_link.unit_rules(rnd.policy):
        raise DomainError("政策中没有该类推荐单位", log=f"unknown unit kind {kind}")
    maximum = rule["max"] if rule else None
    if maximum is not None and quota is not None and quota > maximum and rule["soft"] and (reason or "").strip():
        maximum = quota  # 一般不超过: an officer may exceed it, with the reason in the audit log
    if quota is None:
        if maximum is None:
            raise DomainError("请填写推荐名额", log="quota missing")
        quota = maximum
    if maximum is not None and quota > maximum:
        raise DomainError(f"该类推荐单位的推荐名额不能超过{maximum}名（{rule['article']}）",
                          log=f"unit quota {quota} over policy max {maximum}")
    if quota < 1:
        raise DomainError("推荐名额至少为1名", log="quota below 1")
    from gongjiang.applications.nominators import organisation_refusal

    refusal = organisation_refusal(rnd, kind, organisation)
    if refusal:
        raise DomainError(refusal, log=f"organisation kind {organisation.kind} not a {kind} unit")
    unit = RecommendingUnit.objects.select_for_update().filter(round=rnd, organisation=organisation).first()
    before = snapshot(unit) if unit else None
    if unit is None:
        unit = RecommendingUnit(round=rnd, organisation=organisation)
    else:
        from gongjiang.applications.states import UNIT_CANDIDATES

        used = unit.applications.filter(status__in=UNIT_CANDIDATES).count()
        if quota < used:
            raise DomainError(f"该单位已推荐{used}名，名额不能改为少于已推荐人数", log="quota below used")
    unit.kind = kind
    unit.kind_label = rule["label"] if rule else ""
    unit.quota = quota
    unit.min_quota = min(rule["min"] if rule else 0, quota)
    unit.quota_article = rule["article"] if rule else ""
    unit.save()
    record("round.set_unit", actor=actor, obj=unit, before=before, after=snapshot(unit), reason=reason)
    return unit


def visible_rounds(user):
    """Rounds an officer works on: organised in their subtree, or in which their organisation (or
    a unit below it) recommends or employs applicants. Applicants see published rounds."""
    from django.db.models import Q

    from gongjiang.accounts.scope import ORG_SCOPED_ROLES

    qs = Round.objects.select_related("policy", "organiser")
    if user.role in ORG_SCOPED_ROLES and user.organisation_id:
        path = user.organisation.path
        ancestors = [int(i) for i in path.strip("/").split("/") if i]
        # A subquery rather than a join on units: no DISTINCT over the rows (and their policy).
        recommending = RecommendingUnit.objects.filter(organisation__path__startswith=path).values("round_id")
        return qs.filter(
            Q(organiser__path__startswith=path) | Q(pk__in=recommending)
            | (Q(organiser_id__in=ancestors) & ~Q(status=RoundStatus.DRAFT))
        )
    return qs.exclude(status=RoundStatus.DRAFT)


def public_rounds():
    return Round.objects.exclude(status=RoundStatus.DRAFT).select_related("policy", "organiser")
