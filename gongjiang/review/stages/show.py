"""One policy's whole state machine: every state an application of it can be in and every move,
in the policy's order (for `gongjiang procedure show <policy>` and the page /policies/<code>/procedure/).

Read from the one state table (gongjiang.applications.states) and the policy's stages: where the
table lets a stage pass to any later stage (a policy may leave stages out), only the move to the
stage this policy lists next is kept."""
from __future__ import annotations

from dataclasses import dataclass

from . import APPROVAL, APPROVED, COMMITTEE, NOTICE, ON_NOTICE, PASSED, RECOMMENDED, REVIEW_ORDER, Procedure


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    text: str


@dataclass(frozen=True)
class Step:
    """One stage of the policy (or the intake before review) with its states and moves out of them."""

    title: str
    kind: str
    article: str
    by: str
    describe: str
    states: tuple[str, ...]
    moves: tuple[Move, ...]


def _expected_next(proc: Procedure) -> dict[str, str]:
    """The state a pass leads to, per state, for the review stages this policy lists."""
    out = {RECOMMENDED: proc.first_state}
    for s in proc.stages:
        if s.kind != NOTICE:
            out[s.state] = proc.next_state(s.kind)
    return out


def unit_steps_text(unit_steps) -> str:
    """The recommending unit's steps before it reports (recommendation.unit_procedure.steps)."""
    parts = []
    for s in unit_steps:
        extra = f"{s.working_days}个工作日，" if s.working_days else (f"不少于{s.min_experts}名专家，" if s.min_experts else "")
        parts.append(f"{s.title}（{extra}{s.article}）")
    return ("单位推荐程序（完成后方报送人社部门）：" + " → ".join(parts)) if parts else ""


def machine(settings, unit_steps=()) -> list[Step]:
    """The steps of a policy's procedure (its `procedure` settings models), intake first; the
    recommending unit's steps (`unit_steps`) are told with the intake."""
    from gongjiang.applications.states import LABELS, TRANSITIONS, State

    proc = Procedure(settings)
    forward = {cls.state for cls in REVIEW_ORDER} | {PASSED}
    expected = _expected_next(proc)
    after = proc.stage_after_notice

    def keep(source, target) -> bool:
        if source in expected and target in forward:
            return target == expected[source]
        if source == ON_NOTICE and target == COMMITTEE:
            return after is not None and after.kind == COMMITTEE
        if source == ON_NOTICE and target == APPROVED:
            return after is None
        return True

    def moves(states, used) -> tuple[Move, ...]:
        return tuple(Move(src, dst, text) for src in states for dst, text in TRANSITIONS.get(src, {}).items()
                     if dst in used and keep(src, dst))

    intake_states = [s.value for s in State]
    used = set(intake_states) | {PASSED}
    for s in proc.stages:
        used |= {s.state, *s.exits, *s.outcomes} if s.kind != APPROVAL or after is not None else {APPROVED}
        if s.kind == NOTICE:
            used |= {ON_NOTICE, APPROVED}
    intake = [s for s in settings if s.kind in ("information_release", "application", "unit_recommendation")]
    said = "；".join(x for x in (" → ".join(s.name for s in intake), unit_steps_text(unit_steps)) if x)
    steps = [Step("申报与推荐", "intake", "、".join(dict.fromkeys(s.article for s in intake)), "",
                  said, tuple(intake_states), moves(intake_states, used))]
    seen = set(intake_states)
    for s in proc.stages:
        own = [s.state, *([ON_NOTICE] if s.kind == NOTICE else []), *s.outcomes, *s.exits]
        if s.kind == NOTICE and after is None:
            own.append(APPROVED)
        if s.kind == APPROVAL:
            # Without a committee after the notice, the approval is recorded on the notice and
            # moves its candidates on_notice -> approved (listed with the notice).
            own = [s.state, APPROVED] if after is not None else []
        own = [x for x in dict.fromkeys(own) if x not in seen]
        seen |= set(own)
        steps.append(Step(s.title, s.kind, s.article, s.settings.by, "，".join(s.settings.describe()),
                          tuple(own), moves(own, used)))
    missing = used - set(LABELS)
    if missing:
        raise ValueError(f"states without labels: {sorted(missing)}")
    return steps


def policy_unit_steps(policy) -> list:
    unit = policy.recommendation.unit_procedure
    return list(unit.steps) if unit else []


def as_text(policy) -> str:
    """The machine in Chinese, one state and one move a line."""
    from gongjiang.applications.states import LABELS

    lines = [f"{policy.title}（{policy.code}）· 申报办理状态机", ""]
    for i, step in enumerate(machine(policy.procedure, policy_unit_steps(policy))):
        head = f"{i}. {step.title}" + (f"（{step.article}）" if step.article else "") + \
            (f" · {step.by}" if step.by else "") + f" [{step.kind}]"
        lines.append(head)
        if step.describe:
            lines.append(f"   {step.describe}")
        for state in step.states:
            staff, applicant = LABELS[state]
            lines.append(f"   状态 {state}：{staff}（申报人看到：{applicant}）")
        for m in step.moves:
            lines.append(f"   {LABELS[m.source][0]} → {LABELS[m.target][0]}：{m.text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
