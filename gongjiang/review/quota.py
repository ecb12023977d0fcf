"""The round's quota, held to the end (惠阳 第四条 不超过10名; 仲恺 第五条 50名). However a policy orders
its stages, no decision may let more candidates through than the quota: the expert review's
shortlist, a committee's approvals and the final approval each check the places already taken.

A place is taken by every candidate past the deciding stage on a positive path: in a later
stage's state (a deferred candidate keeps the place), or passed, on notice, awaiting approval or
approved. Every check locks the round row first (SELECT ... FOR UPDATE; on SQLite every
transaction is BEGIN IMMEDIATE), so two officers deciding at the same moment queue and the second
sees the first's moves.

Inside the total a policy may cap categories of candidate (quota.within: 同一职业（工种）不超过M名,
某行业不超过N名), and a round of several tiers (仲恺 第五条: 首席技师50名、优秀技师200名) holds each
tier's quota as a cap of its own; the round copies them (Round.quota_caps) and every check holds
them too.

Programme targets (赣州 第五条 到2025年共计培养选拔50名; 仲恺 第四条) are floors, not caps: `progress`
reports them with what the rounds of the programme have approved so far.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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


# --- caps inside the total, per category (policy: quota.within) ---------------------------------

CATEGORY_LABELS = {"occupation": "职业（工种）", "industry": "行业", "tier": "称号"}


@dataclass(frozen=True)
class Cap:
    """One kind of category cap of the round (a snapshot of the policy's quota.within entry)."""
    by: str
    article: str
    max_each: int | None = None
    caps: dict = field(default_factory=dict)
    note: str = ""
    tier: str = ""  # in a round of several tiers: the tier whose candidates this cap counts
    labels: dict = field(default_factory=dict)  # tier code -> title

    def limit(self, value: str) -> int | None:
        return self.caps.get(value, self.max_each)

    def describe(self, value: str) -> str:
        name = self.labels.get(value, value) or "未填写"
        within = f"“{self.labels.get(self.tier, '')}”中" if self.tier and self.labels.get(self.tier) else ""
        return f"{within}{CATEGORY_LABELS[self.by]}“{name}”不超过{self.limit(value)}名（{self.article}）"


def caps(round_) -> list[Cap]:
    return [Cap(**c) for c in (round_.quota_caps or [])]


def category(app, by: str) -> str:
    """The candidate's category for a cap: the tier they compete for, the 职业（工种） they apply in,
    or the employer's 行业."""
    if by == "tier":
        return app.tier
    if by == "occupation":
        from .services import candidate_occupation

        return candidate_occupation(app).strip()
    profile = getattr(app.employer, "employer_profile", None) if app.employer_id else None
    return (profile.sector if profile else "").strip()


def _buckets(app, cps) -> list[tuple[int, str]]:
    """The capped categories `app` counts in: (index of the cap, category)."""
    out = []
    for i, c in enumerate(cps):
        if c.tier and c.tier != app.tier:
            continue
        value = category(app, c.by)
        if c.limit(value) is not None:
            out.append((i, value))
    return out


def _rooms(round_, cps, holders, total_left: int) -> dict:
    """Places left: "" for the total, (cap index, category) for each category cap."""
    used = defaultdict(int)
    for app in holders:
        for b in _buckets(app, cps):
            used[b] += 1

    class Rooms(dict):
        def __missing__(self, b):
            self[b] = cps[b[0]].limit(b[1]) - used[b]
            return self[b]

    rooms = Rooms()
    rooms[""] = total_left
    return rooms


def _holders(round_, states, exclude):
    from gongjiang.applications.models import Application

    return (Application.objects.filter(round=round_, status__in=states).exclude(pk__in=[a.pk for a in exclude])
            .select_related("round", "person", "employer__employer_profile"))


def _check_categories(round_, apps, states, *, what):
    cps = caps(round_)
    if not cps:
        return
    rooms = _rooms(round_, cps, _holders(round_, states, apps), len(apps))
    wanted = defaultdict(int)
    for app in apps:
        for b in _buckets(app, cps):
            wanted[b] += 1
    for b, n in wanted.items():
        if n > rooms[b]:
            cap = cps[b[0]]
            raise DomainError(f"{what}超过分项名额：{cap.describe(b[1])}，已占用{cap.limit(b[1]) - rooms[b]}名，"
                              f"本次{n}名，最多{max(rooms[b], 0)}名", log=f"category cap {cap.by}={b[1]} at {what}")


def cap_lines(round_) -> list[str]:
    """The round's caps inside the total with the places held (评审通过、公示中或已入选), for the
    board: one line per named category, and per category present under a "max_each" cap."""
    cps = caps(round_)
    if not cps:
        return []
    used = defaultdict(int)
    for app in _holders(round_, HOLDING, ()):
        for b in _buckets(app, cps):
            used[b] += 1
    lines = []
    for i, cap in enumerate(cps):
        values = list(cap.caps) + sorted(v for (j, v) in used if j == i and v not in cap.caps)
        lines += [f"{cap.describe(v)}，已占{used[(i, v)]}名" for v in values]
    return lines


def check_apps(round_, kind: str, apps, *, what: str) -> None:
    """Refuse a decision letting `apps` through beyond the quota or a category cap inside it."""
    check(round_, kind, len(apps), what=what)
    proc = st.Procedure.for_round(round_)
    _check_categories(round_, list(apps), places_states(proc, kind), what=what)


def select(round_, kind: str, groups, *, chosen=(), tie_message) -> tuple[list, dict]:
    """Take candidates best first within the places left, the total's and every category cap's.
    groups: lists of candidates equal on everything (best group first). A group that straddles a
    line (more of them fit alone than fit together) needs the deciding body's choice (`chosen`:
    application ids); otherwise tie_message(names, room) is raised. Returns (kept, {pk: why not})."""
    cps = caps(round_)
    proc = st.Procedure.for_round(round_)
    rooms = _rooms(round_, cps, _holders(round_, places_states(proc, kind), [a for g in groups for a in g]),
                   room(round_, kind))
    chosen = {int(x) for x in chosen}
    kept, cut = [], {}

    def full(app):
        for b in ["", *_buckets(app, cps)]:
            if rooms[b] <= 0:
                return "名额已满" if b == "" else f"分项名额已满：{cps[b[0]].describe(b[1])}"
        return ""

    def over(apps):
        want = defaultdict(int)
        for app in apps:
            for b in ["", *_buckets(app, cps)]:
                want[b] += 1
        return next(((b, rooms[b]) for b, n in want.items() if n > rooms[b]), None)

    for group in groups:
        fitting = [a for a in group if not full(a)]
        for a in group:
            if a not in fitting:
                cut[a.pk] = full(a)
        take = fitting
        line = over(fitting)
        if line is not None:
            take = [a for a in fitting if a.pk in chosen]
            rest = [a for a in fitting if a not in take]
            if over(take) is not None or any(over([*take, a]) is None for a in rest):
                raise DomainError(tie_message([a.name for a in fitting], max(line[1], 0)),
                                  log="tie at a quota line needs a choice")
            for a in rest:
                cut[a.pk] = "名额边界同等，未被选定"
        for app in take:
            for b in ["", *_buckets(app, cps)]:
                rooms[b] -= 1
        kept.extend(take)
    return kept, cut


def check_approval(round_, applications) -> None:
    """At the approval: the approved of the round plus those now approved stay within the quota
    and every category cap."""
    from gongjiang.applications.models import Application

    lock_round(round_)
    ids = [a.pk for a in applications]
    approved = Application.objects.filter(round=round_, status__in=st.SELECTED_STATES).exclude(pk__in=ids).count()
    if approved + len(ids) > round_.quota:
        raise DomainError(f"批准人数超过名额：{describe(round_)}，已批准{approved}名，本次拟批准{len(ids)}名",
                          log=f"quota at approval: {approved} + {len(ids)} > {round_.quota}")
    _check_categories(round_, list(applications), st.SELECTED_STATES, what="批准")


def progress(policy, honour_code=None) -> dict | None:
    """The programme target of the honour (a floor: 到2025年共计50名) with what its rounds have
    approved: {target, by, article, approved, remaining}. None where the policy sets no target."""
    from gongjiang.applications.models import Application
    from gongjiang.rounds.policy_link import honour_of

    honour = honour_of(policy, honour_code)
    q = honour.quota
    if q is None or not q.total:
        return None
    from django.db.models import Q

    mine = Q(honour_code=honour.code) | Q(honour_code="", round__honour_code=honour.code)  # its tier, or its round
    approved = Application.objects.filter(mine, round__policy=policy, status__in=st.SELECTED_STATES).count()
    return {"target": q.total, "by": q.total_by, "article": q.article, "approved": approved,
            "remaining": max(q.total - approved, 0), "title": honour.title}


def round_progress(rnd) -> list[dict]:
    """The programme targets of the round's honour, or of each of its tiers, with their progress."""
    codes = [t["code"] for t in rnd.tiers or []] or [rnd.honour_code or None]
    return [p for p in (progress(rnd.policy, code) for code in codes) if p is not None]
