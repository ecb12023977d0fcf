"""The round's quota, held to the end (惠阳 第四条 不超过10名; 仲恺 第五条 50名). However a policy orders
its stages, no decision may let more candidates through than the quota: the expert review's
shortlist, a committee's approvals and the final approval each check the places already taken.

A place is taken by every candidate past the deciding stage on a positive path: in a later
stage's state (a deferred candidate keeps the place), or passed, on notice, awaiting approval or
approved. Every check locks the round row first (SELECT ... FOR UPDATE; on SQLite every
transaction is BEGIN IMMEDIATE), so two officers deciding at the same moment queue and the second
sees the first's moves.

Programme targets (赣州 第五条 到2025年共计培养选拔50名; 仲恺 第四条) are floors, not caps: `progress`
reports them with what the rounds of the programme have approved so far.
"""
from __future__ import annotations

from gongjiang.core.errors import DomainError

from . import stages as st

# The forwarded (推荐上报) keep the place the round gave them, whatever the higher body decides.
HOLDING = {st.PASSED, st.ON_NOTICE, st.PENDING_APPROVAL, *st.SELECTED_STATES}


def lock_round(round_):
    from gongjiang.rounds.models import Round

    return Round.objects.select_for_update().get(pk=round_.pk)


def places_states(proc: st.Procedure, kind: str) -> set[str]:
    """The states of candidates who hold a place once past stage `kind`."""
    kinds = [s.kind for s in proc.stages]
    later = proc.stages[kinds.index(kind) + 1:] if kind in kinds else []
    out = set(HOLDING)
    for s in later:
        if s.kind not in (st.NOTICE, st.APPROVAL):
            out.add(s.state)
        if s.kind == st.CREDIT:
            out.add(st.DEFERRED)
    return out


def taken(round_, kind: str) -> int:
    """Places taken in the round by candidates past stage `kind` (call under lock_round)."""
    from gongjiang.applications.models import Application

    proc = st.Procedure.for_round(round_)
    return Application.objects.filter(round=round_, status__in=places_states(proc, kind)).count()


def room(round_, kind: str) -> int:
    """How many more candidates stage `kind` may let through (call under lock_round)."""
    return max(round_.quota - taken(round_, kind), 0)


def describe(round_) -> str:
    article = f"（{round_.quota_article}）" if round_.quota_article else ""
    return f"名额{round_.quota}名{article}"


def check(round_, kind: str, passing: int, *, what: str) -> None:
    """Refuse a decision that would let `passing` candidates through beyond the quota."""
    free = room(round_, kind)
    if passing > free:
        raise DomainError(f"{what}人数（{passing}名）超过剩余名额：{describe(round_)}，已占用{round_.quota - free}名，"
                          f"本次最多{free}名", log=f"quota: {passing} passing at {kind}, room {free}")


def check_approval(round_, applications) -> None:
    """At the approval: the approved of the round plus those now approved stay within the quota."""
    from gongjiang.applications.models import Application

    lock_round(round_)
    ids = [a.pk for a in applications]
    approved = Application.objects.filter(round=round_, status__in=st.SELECTED_STATES).exclude(pk__in=ids).count()
    if approved + len(ids) > round_.quota:
        raise DomainError(f"批准人数超过名额：{describe(round_)}，已批准{approved}名，本次拟批准{len(ids)}名",
                          log=f"quota at approval: {approved} + {len(ids)} > {round_.quota}")


def progress(policy, honour_code=None) -> dict | None:
    """The programme target of the honour (a floor: 到2025年共计50名) with what its rounds have
    approved: {target, by, article, approved, remaining}. None where the policy sets no target."""
    from gongjiang.applications.models import Application
    from gongjiang.rounds.policy_link import honour_of

    honour = honour_of(policy, honour_code)
    q = honour.quota
    if q is None or not q.total:
        return None
    approved = Application.objects.filter(round__policy=policy, round__honour_code=honour.code,
                                          status__in=st.SELECTED_STATES).count()
    return {"target": q.total, "by": q.total_by, "article": q.article, "approved": approved,
            "remaining": max(q.total - approved, 0)}
