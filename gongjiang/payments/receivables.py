"""Clawback receivables (惠阳 第十八条 收回…津贴补助, 赣州 第十二条 收回…奖励资金): repayments, and
a write-off that needs a reason and a second officer. Each change audited, in a transaction."""
import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import Conflict, DomainError

from .models import Receivable, Repayment

Status = Receivable.Status


def repaid_fen(receivable) -> int:
    return receivable.repayments.aggregate(s=Sum("amount_fen"))["s"] or 0


def balance_fen(receivable) -> int:
    return receivable.amount_fen - repaid_fen(receivable)


def _locked(receivable, *statuses) -> Receivable:
    receivable = Receivable.objects.select_for_update().get(pk=receivable.pk)
    if receivable.status not in statuses:
        raise Conflict(f"该应收款当前状态为“{receivable.get_status_display()}”，不能执行此操作",
                       log=f"receivable {receivable.pk} is {receivable.status}")
    return receivable


def record_repayment(receivable, *, amount_fen: int, paid_on: dt.date, reference: str, actor) -> Repayment:
    """Money returned by the person; at most the balance. The receivable settles at zero."""
    with transaction.atomic():
        receivable = _locked(receivable, Status.OPEN, Status.WRITEOFF_REQUESTED)
        balance = balance_fen(receivable)
        if amount_fen <= 0 or amount_fen > balance:
            raise DomainError(f"退回金额应大于0且不超过未退回余额{balance // 100:,}.{balance % 100:02d}元",
                              log="repayment out of range")
        if paid_on > timezone.localdate():
            raise DomainError("退回日期不能晚于今天", log="repayment in the future")
        if not reference.strip():
            raise DomainError("请填写缴款凭证号", log="repayment without reference")
        repayment = Repayment.objects.create(receivable=receivable, amount_fen=amount_fen, paid_on=paid_on,
                                             reference=reference.strip()[:60], recorded_by=actor)
        record("payments.receivable.repay", actor=actor, obj=receivable, after=snapshot(repayment),
               reason=f"缴款凭证{repayment.reference}")
        if amount_fen == balance:
            before = snapshot(receivable)
            receivable.status = Status.SETTLED
            receivable.save(update_fields=["status"])
            record("payments.receivable.settle", actor=actor, obj=receivable, before=before,
                   after=snapshot(receivable), reason="已全部退回")
    return repayment


def request_writeoff(receivable, *, reason: str, actor) -> Receivable:
    """A finance officer proposes to write off the balance, with the reason (e.g. 无力偿还的证明)."""
    if not reason.strip():
        raise DomainError("核销须填写理由", log="write-off without reason")
    with transaction.atomic():
        receivable = _locked(receivable, Status.OPEN)
        before = snapshot(receivable)
        receivable.status, receivable.writeoff_reason = Status.WRITEOFF_REQUESTED, reason.strip()[:300]
        receivable.writeoff_requested_by, receivable.writeoff_requested_at = actor, timezone.now()
        receivable.save()
        record("payments.receivable.writeoff_request", actor=actor, obj=receivable, before=before,
               after=snapshot(receivable), reason=reason)
    return receivable


def decide_writeoff(receivable, *, approve: bool, actor, reason: str = "") -> Receivable:
    """A second officer approves (the balance is written off) or refuses (back to open); never the
    officer who asked (also a CHECK constraint)."""
    with transaction.atomic():
        receivable = _locked(receivable, Status.WRITEOFF_REQUESTED)
        if receivable.writeoff_requested_by_id == actor.pk:
            raise DomainError("核销须由申请人以外的另一名财务人员审批", log="four-eyes violated on write-off")
        if not approve and not reason.strip():
            raise DomainError("不同意核销须填写理由", log="write-off refusal without reason")
        before = snapshot(receivable)
        if approve:
            receivable.status = Status.WRITTEN_OFF
            receivable.writeoff_fen = balance_fen(receivable)
            receivable.writeoff_approved_by, receivable.writeoff_approved_at = actor, timezone.now()
        else:
            receivable.status = Status.OPEN
            receivable.writeoff_requested_by = receivable.writeoff_requested_at = None
            receivable.writeoff_reason = ""
        receivable.save()
        action = "payments.receivable.writeoff_approve" if approve else "payments.receivable.writeoff_refuse"
        record(action, actor=actor, obj=receivable,
               before=before, after=snapshot(receivable), reason=reason or "同意核销")
    return receivable
