"""Application states and the one table of allowed transitions (grep TRANSITIONS), in one place:
the states before review below, and the review states the stage kinds add
(gongjiang.review.stages.machine: each stage kind's module lists its states and its own moves),
joined at import time.

Every state has a name for staff and a name for the applicant (what they should understand).
`services.transition(application, to, *, actor, reason)` is the only function that changes
`Application.status`; it checks this table, saves, writes the audit entry and notifies the
applicant's inbox. The status column has no database choices, so a new state needs no migration.
`gongjiang procedure show <policy>` prints the part of the table one policy uses.

The entry point of review is `State.RECOMMENDED` ("forwarded to the organising bureau"): an
application reaches it after the last pre-review step that applies to it (self route: on
submission; employer route: after the employer's opinion; rounds with recommending units: when
the unit reports it; where the policy lists steps the unit takes first (recommendation.unit_procedure.steps:
公示, 审定 …), its candidates wait in `unit_proposed` until every step is done and the unit reports).
"""
from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    EMPLOYER_VERIFIED = "employer_verified", "单位已审核"
    EMPLOYER_DECLINED = "employer_declined", "单位不予推荐"
    UNIT_PROPOSED = "unit_proposed", "推荐单位拟推荐"
    RECOMMENDED = "recommended", "已推荐报送"
    NOT_RECOMMENDED = "not_recommended", "未被推荐"
    WITHDRAWN = "withdrawn", "已撤回"


# state -> (staff-facing name, applicant-facing name)
LABELS = {
    State.DRAFT: ("草稿", "填写中，尚未提交"),
    State.SUBMITTED: ("待单位审核", "已提交，等待所在单位审核"),
    State.RETURNED: ("已退回修改", "已退回，请按意见修改后重新提交"),
    State.EMPLOYER_VERIFIED: ("待推荐单位报送", "单位已审核，等待推荐单位推荐"),
    State.EMPLOYER_DECLINED: ("单位不予推荐", "所在单位未同意推荐"),
    State.UNIT_PROPOSED: ("推荐单位拟推荐，单位推荐程序进行中", "推荐单位拟推荐，正在履行单位推荐程序（公示、审定等）"),
    State.RECOMMENDED: ("已报送，待资格审查", "已报送人社部门，等待资格审查"),
    State.NOT_RECOMMENDED: ("推荐单位未推荐", "推荐单位未推荐本申报"),
    State.WITHDRAWN: ("已撤回", "您已撤回本申报"),
}

# from -> {to: capability-free description of who does it}. The only allowed moves.
TRANSITIONS = {
    State.DRAFT: {State.SUBMITTED: "申报人或单位提交", State.WITHDRAWN: "申报人撤回"},
    State.SUBMITTED: {
        State.EMPLOYER_VERIFIED: "用人单位审核通过并出具推荐意见",
        State.EMPLOYER_DECLINED: "用人单位不同意推荐",
        State.RECOMMENDED: "无需单位环节时提交即报送",
        State.RETURNED: "经办人退回修改",
        State.WITHDRAWN: "申报人撤回",
    },
    State.RETURNED: {State.SUBMITTED: "修改后重新提交", State.WITHDRAWN: "申报人撤回"},
    State.EMPLOYER_VERIFIED: {
        State.RECOMMENDED: "推荐单位在名额内推荐报送（或无推荐单位环节）",
        State.UNIT_PROPOSED: "推荐单位在名额内拟推荐，履行政策规定的单位推荐程序",
        State.NOT_RECOMMENDED: "推荐单位未推荐",
        State.RETURNED: "经办人退回修改",
    },
    State.UNIT_PROPOSED: {State.RECOMMENDED: "单位推荐程序全部完成，推荐单位报送推荐报告",
                          State.EMPLOYER_VERIFIED: "推荐单位撤回拟推荐",
                          State.NOT_RECOMMENDED: "单位推荐程序未通过（公示异议成立或未获审定同意）"},
    State.RECOMMENDED: {State.RETURNED: "经办人退回修改（资格审查开始前）",
                        State.EMPLOYER_VERIFIED: "推荐单位撤回推荐"},
    State.EMPLOYER_DECLINED: {State.RETURNED: "经办人退回修改"},
    State.NOT_RECOMMENDED: {State.EMPLOYER_VERIFIED: "推荐单位恢复待推荐"},
    State.WITHDRAWN: {},
}

# States in which the applicant's content may be edited.
EDITABLE = {State.DRAFT, State.RETURNED}
# States in which the content is frozen (a version exists) and still before review.
PRE_REVIEW_FROZEN = {State.SUBMITTED, State.EMPLOYER_VERIFIED, State.UNIT_PROPOSED, State.RECOMMENDED}
# A recommending unit's candidates: proposed (its steps still running) or reported to the bureau.
UNIT_CANDIDATES = (State.UNIT_PROPOSED, State.RECOMMENDED)


def _join_review_states():
    from gongjiang.review.stages.machine import REVIEW_LABELS, REVIEW_TRANSITIONS

    for code, pair in REVIEW_LABELS.items():
        LABELS.setdefault(code, pair)
    for source, edges in REVIEW_TRANSITIONS.items():
        TRANSITIONS.setdefault(source, {}).update(edges)
    unknown = {s for source, edges in TRANSITIONS.items() for s in [source, *edges]} - set(LABELS)
    if unknown:
        raise ValueError(f"states without labels: {sorted(unknown)}")


_join_review_states()


def staff_label(status) -> str:
    return LABELS.get(status, (str(status), str(status)))[0]


def applicant_label(status) -> str:
    return LABELS.get(status, (str(status), str(status)))[1]


def can_move(current, to) -> bool:
    return to in TRANSITIONS.get(current, {})
