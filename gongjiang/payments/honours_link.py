"""Honours → payments, read from the honours app (which knows nothing of payments):

* every holder of a programme whose policy has cash `benefits` gets its entitlements, from the
  term's start (惠阳 第十二条（一）: 2 annual payments; 环翠 第四条: 24 monthly; 赣州 第八条 and
  仲恺 第五条: one payment; 聊城: none, the notice names no amount);
* an exit or revocation stops them from the honour's `benefits_stop_on` (the policy's effects);
* a revocation that recovers money (惠阳 第十八条, 赣州 第十二条: `effects.clawback`) becomes a
  receivable for exactly what was paid since `clawback_from`.

`sync(policy_ids, actor=…)` does all three, idempotently; every payment run calls it first.
"""
from django.db import transaction
from django.db.models import Sum

from gongjiang.audit.services import record, snapshot
from gongjiang.policy.services import get_policy

from .models import Entitlement, LineStatus, PaymentLine, Receivable


def source_key(honour) -> str:
    return f"honour:{honour.pk}"


def _decision_text(honour) -> str:
    decision = honour.decisions.order_by("-recorded_at", "-pk").first()
    if decision is None:
        return "称号待遇停止"
    return f"{decision.article}（{decision.when_text}，{decision.document_number}）"


def sync(policy_ids, *, actor) -> dict:
    from gongjiang.honours.models import Honour

    from .services import cash_benefits, create_entitlements, stop_entitlements

    counts = {"entitlements": 0, "stopped": 0, "receivables": 0}
    with transaction.atomic():
        honours = Honour.objects.filter(policy_id__in=list(policy_ids)).select_related("policy", "person")
        have = set(Entitlement.objects.filter(policy_id__in=list(policy_ids), source_key__startswith="honour:")
                   .values_list("source_key", flat=True))
        for h in honours:
            if source_key(h) not in have and cash_benefits(get_policy(h.policy.code), h.honour_code):
                counts["entitlements"] += len(create_entitlements(
                    person=h.person, policy=h.policy, honour_code=h.honour_code, source_key=source_key(h),
                    start=h.term_start, actor=actor, reason=f"{h.title}（{h.document_number}）"))
        for h in honours.filter(benefits_stop_on__isnull=False):
            ents = [e for e in Entitlement.objects.filter(source_key=source_key(h))
                    if e.stop_from is None or e.stop_from > h.benefits_stop_on]
            if ents:
                counts["stopped"] += stop_entitlements(ents, stop_from=h.benefits_stop_on, actor=actor,
                                                       reason=_decision_text(h))
        for h in honours.filter(clawback=True):
            counts["receivables"] += clawback(h, actor=actor)
    return counts


def paid_since(honour) -> int:
    return PaymentLine.objects.filter(entitlement__source_key=source_key(honour), status=LineStatus.PAID,
                                      due_date__gte=honour.clawback_from).aggregate(s=Sum("amount_fen"))["s"] or 0


def clawback(honour, *, actor) -> int:
    """The receivable of a revoked honour: what was paid under its cash benefits since
    `clawback_from`. Created once; raised if a payment in flight at the revocation was paid."""
    amount = paid_since(honour)
    receivable = Receivable.objects.select_for_update().filter(honour=honour).first()
    if receivable is None:
        if not amount:
            return 0
        decision = honour.decisions.filter(effects__clawback=True).order_by("recorded_at", "pk").first()
        receivable = Receivable.objects.create(
            person=honour.person, honour=honour, amount_fen=amount, since=honour.clawback_from,
            article=decision.article if decision else "", document_number=decision.document_number if decision else "",
            items="、".join(honour.clawback_what))
        record("payments.receivable.create", actor=actor, obj=receivable, after=snapshot(receivable),
               reason=f"依据{receivable.article}追回已发放资金")
        return 1
    if amount > receivable.amount_fen and receivable.status == Receivable.Status.OPEN:
        before = snapshot(receivable)
        receivable.amount_fen = amount
        receivable.save(update_fields=["amount_fen"])
        record("payments.receivable.raise", actor=actor, obj=receivable, before=before, after=snapshot(receivable),
               reason="撤销时在途的款项已发放，一并追回")
    return 0
