"""The seam between review and the public notice (公示): publish a round's shortlist as a notice,
and, where the policy puts the committee after the notice, open the committee stage once the
notice is closed.

- `publish_shortlist(round)`: `services.shortlist(round)` rows -> `notices.services.publish_notice`
  with the working days and investigation days of the round's public_notice stage (copied from the
  policy when the round was opened: 惠阳 第十条（七）不少于5个工作日、异议5个工作日内调查核实;
  环翠 第十条（五）公示期为5个工作日; 仲恺 第五条（二）5 公示5个工作日; 赣州 第七条（四）不少于5个工作日;
  聊城 sets no figure, so the officer enters it). Each candidate moves `review_passed -> on_notice`
  through `applications.services.transition` (audited).
- `advance_after_notice(round)`: 环翠 第十条（五）（六）: 公示无异议的，提交区委人才工作领导小组研究审定.
  The notice's closure (`notices.services.closure`) is the committee stage's entry condition.

The notice's end (objection upheld, approval recorded) reaches the applications through the
notices app's signals: `applications.receivers`.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongjiang.accounts.permissions import Decision
from gongjiang.core.errors import DomainError

from . import stages as st


def notice_stage(round_) -> st.PublicNoticeStage:
    return st.Procedure.for_round(round_).require(st.NOTICE)


def notice_days(round_, days: int | None = None) -> int:
    """The notice period in working days: the policy's figure, more only where it says 不少于."""
    stage = notice_stage(round_)
    wanted = stage.working_days
    if wanted is None:
        if not days:
            raise DomainError(f"政策未规定公示天数（{stage.article}），请填写公示工作日数", log="notice days missing")
        return int(days)
    if not days:
        return wanted
    days = int(days)
    if stage.at_least and days < wanted:
        raise DomainError(f"公示时间不少于{wanted}个工作日（{stage.article}）", log=f"notice days {days} < {wanted}")
    if not stage.at_least and days != wanted:
        raise DomainError(f"公示期为{wanted}个工作日（{stage.article}）", log=f"notice days {days} != {wanted}")
    return days


def round_notices(round_):
    """The round's own notices (公示 of the shortlist), not the recommending units' notices of their
    candidates (聊城 三: 推荐人选在人选所在单位公示5个工作日, applications.UnitNotice)."""
    from gongjiang.notices.models import Notice

    return Notice.objects.filter(round_id=round_.pk, unit_notice__isnull=True).order_by("-published_at", "-pk")


def current_notice(round_):
    """The round's notice in force: the latest correction of its latest notice, or None."""
    from gongjiang.notices.services import latest_version

    notice = round_notices(round_).filter(corrects__isnull=True).first()
    return latest_version(notice) if notice else None


_UNKNOWN = object()


def ready_to_publish(round_, current=_UNKNOWN) -> Decision:
    """Whether the shortlist can go on notice: the round's policy has a 公示 stage, every stage
    before it in the policy's order is done for every candidate, and nobody is on notice yet.
    `current`: the round's current_notice when the caller has it already."""
    from gongjiang.applications.models import Application

    proc = st.Procedure.for_round(round_)
    if st.NOTICE not in proc:
        return Decision(False, "本批次的政策未设置公示环节")
    if (current_notice(round_) if current is _UNKNOWN else current) is not None:
        return Decision(False, "本批次已发布公示")
    kinds = [s.kind for s in proc]
    earlier = {s.state for s in proc.stages[:kinds.index(st.NOTICE)]} | {st.RECOMMENDED, st.DEFERRED}
    waiting = Application.objects.filter(round=round_, status__in=earlier).count()
    if waiting:
        previous = proc.previous(st.NOTICE)
        what = previous.title if previous else "前一环节"
        return Decision(False, f"尚有{waiting}名申报人未完成“{what}”及之前的环节")
    if not Application.objects.filter(round=round_, status=st.PASSED).exists():
        return Decision(False, "没有拟入选待公示的人选")
    return Decision(True, "前一环节已完成，可以发布公示")


@transaction.atomic
def publish_shortlist(round_, *, actor, contact: str, start: dt.date | None = None, days: int | None = None,
                      title: str = "", body: str = ""):
    """Publish the round's shortlist as its notice and put every candidate on it `on_notice`."""
    from gongjiang.notices.models import DEFAULT_INVESTIGATION_DAYS
    from gongjiang.notices.services import publish_notice
    from gongjiang.rounds.models import Round

    from .services import decide, shortlist

    round_ = Round.objects.select_for_update().select_related("policy", "organiser").get(pk=round_.pk)
    ready = ready_to_publish(round_)
    if not ready:
        raise DomainError(f"尚不能发布公示：{ready.reason}", log="shortlist not ready for notice")
    stage = notice_stage(round_)
    period = notice_days(round_, days)
    rows = shortlist(round_)
    start = start or timezone.localdate()
    decided = decided_on([row["application"] for row in rows])
    if decided is not None and start < decided:
        raise DomainError(f"公示开始日期不能早于其公示的评审结论作出之日（{decided:%Y年%-m月%-d日}）",
                          log=f"notice start {start} before decision {decided}")
    notice = publish_notice(
        title=title or f"{round_.title}拟入选人选公示", body=body or default_body(round_, stage, period),
        entries=rows, start=start, publisher=actor, contact=contact, days=period,
        investigation_days=stage.investigation_days or DEFAULT_INVESTIGATION_DAYS, round_id=round_.pk,
        policy_ref=f"{round_.policy.title} {stage.article}".strip(), honour=round_.honour_title,
        organisation=round_.organiser)
    for row in rows:
        decide(row["application"], st.ON_NOTICE, actor=actor, title="列入公示名单",
               reason=f"列入“{notice.title}”，公示期{notice.start_date:%Y年%-m月%-d日}至{notice.end_date:%Y年%-m月%-d日}")
    return notice


def decided_on(applications) -> dt.date | None:
    """The day the last of these candidates was passed to the notice list (拟入选): a notice
    cannot start before the decision it publishes. Read from the audit log, which every move writes."""
    from gongjiang.audit.models import AuditEntry

    last = (AuditEntry.objects.filter(action=f"application.{st.PASSED}",
                                      object_id__in=[str(a.pk) for a in applications])
            .order_by("-created_at").values_list("created_at", flat=True).first())
    return timezone.localtime(last).date() if last else None


def default_body(round_, stage, days: int) -> str:
    channels = "、".join(stage.channels)
    return (f"根据{round_.policy.title}{stage.article}规定，现将{round_.title}拟入选人选予以公示，"
            f"公示期{'不少于' if stage.at_least else '为'}{days}个工作日"
            f"{('，公示渠道：' + channels) if channels else ''}。"
            "对公示人选如有异议，请在公示期内实名反映，并提供必要的证明材料。")


def committee_entry(round_, current=_UNKNOWN) -> Decision:
    """The committee stage's entry condition where it follows the notice: the notice is closed
    (period ended, every objection concluded)."""
    from gongjiang.notices.services import closure

    proc = st.Procedure.for_round(round_)
    after = proc.stage_after_notice
    if after is None:
        return Decision(False, "本批次的政策在公示之后没有评审环节")
    notice = current_notice(round_) if current is _UNKNOWN else current
    if notice is None:
        return Decision(False, "尚未发布公示")
    return closure(notice)


@transaction.atomic
def advance_after_notice(round_, *, actor) -> list:
    """环翠 第十条（六）: 公示无异议的，提交研究审定. Moves every candidate still on the closed notice
    into the stage after it (the committee), audited per candidate."""
    from gongjiang.applications.models import Application

    from .services import decide

    entry = committee_entry(round_)
    if not entry:
        raise DomainError(f"尚不能提交审定：{entry.reason}", log="notice not closed")
    after = st.Procedure.for_round(round_).stage_after_notice
    notice = current_notice(round_)
    apps = list(Application.objects.filter(round=round_, status=st.ON_NOTICE).order_by("serial"))
    if not apps:
        raise DomainError("没有公示中的人选", log="nobody on notice")
    for app in apps:
        decide(app, after.state, actor=actor, title=f"提交{after.title}",
               reason=f"“{notice.title}”公示期满，无未办结异议，提交{after.title}（{after.article}）")
    return apps
