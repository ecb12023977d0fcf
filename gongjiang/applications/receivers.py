"""Receivers of the notices app's signals: the end of a public notice (公示) for the applications
on it. Connected in ApplicationsConfig.ready(). Both signals are sent inside the transaction of the
notices action (conclude_objection, record_approval), so these moves commit or roll back with it;
a DomainError raised here refuses the whole action.

- `candidate_removed`: 异议成立 — the application leaves the list (`removed_after_objection`) with
  the objection's public reason; the applicant and the employer are told once.
- `notice_approved`: 批准/审定/命名 recorded (惠阳 第十条（八）批准发证; 赣州 第七条（五）) — every
  application still on the list is approved, with the approval's document number in the audit
  reason. Where the policy puts the committee after the notice (环翠 第十条（六）), the committee
  must have decided every candidate first.
"""
import logging

from gongjiang.core.errors import DomainError

from . import states
from .models import Application

log = logging.getLogger(__name__)


def _movable(app, to) -> bool:
    """Entries of a notice published by hand (notices pages) may link applications that never went
    on notice through the review board: those are left as they are, with a warning in the log."""
    if states.can_move(app.status, to):
        return True
    log.warning("notice signal: application %s in %s cannot move to %s", app.pk, app.status, to)
    return False


def on_candidate_removed(sender, *, application_id=None, reason="", objection=None, notice=None, **kwargs):
    from gongjiang.review import stages as st
    from gongjiang.review.services import decide

    if application_id is None:
        return
    app = Application.objects.select_for_update().select_related("round").get(pk=application_id)
    if app.status == st.REMOVED or not _movable(app, st.REMOVED):
        return  # already removed (a correction notice repeats the entry): tell nobody twice
    actor = getattr(objection, "concluded_by", None)
    receipt = f"（异议受理编号{objection.receipt}）" if objection is not None else ""
    decide(app, st.REMOVED, actor=actor, title="异议成立，已从公示名单中取消",
           reason=f"“{notice.title if notice else '公示'}”异议经调查核实成立{receipt}：{reason}")


def on_notice_approved(sender, *, notice, approval, application_ids=(), **kwargs):
    from gongjiang.review import stages as st
    from gongjiang.review.services import decide

    apps = list(Application.objects.select_for_update().select_related("round")
                .filter(pk__in=list(application_ids)).order_by("serial"))
    later = {a.round_id: st.Procedure.for_round(a.round).stage_after_notice for a in apps}
    waiting = [a.name for a in apps if a.status == st.COMMITTEE or (a.status == st.ON_NOTICE and later[a.round_id])]
    if waiting:
        raise DomainError("尚不能记录批准：以下人选尚待委员会审定：" + "、".join(waiting),
                          log="approval before committee decision")
    from gongjiang.review import quota

    by_round = {}
    for app in apps:
        if app.status in (st.ON_NOTICE, st.PENDING_APPROVAL):
            by_round.setdefault(app.round_id, (app.round, []))[1].append(app)
    for round_, approving in by_round.values():
        quota.check_approval(round_, approving)  # the quota holds at the approval too
    reason = (f"{approval.authority}{approval.get_kind_display()}（{approval.document_number}，"
              f"{approval.decided_on:%Y年%-m月%-d日}）")
    for app in apps:
        if app.status in (st.ON_NOTICE, st.PENDING_APPROVAL) or _movable(app, st.APPROVED):
            decide(app, st.APPROVED, actor=approval.recorded_by, title="已正式入选", reason=reason)


def connect():
    from gongjiang.notices.signals import candidate_removed, notice_approved

    candidate_removed.connect(on_candidate_removed, dispatch_uid="applications_candidate_removed")
    notice_approved.connect(on_notice_approved, dispatch_uid="applications_notice_approved")
