"""The review part of the application state table, built from the stage kinds: every state a kind
adds (with its staff and applicant labels), the kind's own moves, and the moves from stage to stage.

A stage's "pass" leads to the state of the next stage the round lists. Stages keep the order of
REVIEW_ORDER, but a policy may leave any of them out (仲恺 has no 资格初审), so every review stage
may be entered from the entry point (`recommended`) and from any stage before it, and every one
may pass straight to `review_passed` (拟入选，待公示) when nothing follows before the notice.
The public notice, the approval and the forwarding to a higher level add their own moves
(public_notice.MOVES, approval.MOVES, forwarding.MOVES).
`gongjiang.applications.states` joins this table to the states before review: that is the one
table `applications.services.transition` checks."""
from __future__ import annotations

from . import approval, committee_decision, credit_check, expert_review, forwarding, organisational_review, \
    public_notice, qualification_review, site_inspection
from .base import PASSED, RECOMMENDED

MODULES = (qualification_review, site_inspection, expert_review, credit_check, organisational_review,
           committee_decision, public_notice, approval, forwarding)
# The review stages that decide one candidate after another, in the only order they may come.
REVIEW_ORDER = (qualification_review.QualificationReviewStage, site_inspection.SiteInspectionStage,
                expert_review.ExpertReviewStage, credit_check.CreditCheckStage,
                organisational_review.OrganisationalReviewStage, committee_decision.CommitteeDecisionStage)

REVIEW_LABELS = {PASSED: ("评审通过，拟入选待公示", "已通过评审，等待公示")}
for _m in MODULES:
    REVIEW_LABELS.update(_m.STATES)


def _moves() -> dict:
    table: dict[str, dict[str, str]] = {}
    for i, stage in enumerate(REVIEW_ORDER):
        table.setdefault(RECOMMENDED, {})[stage.state] = f"人社部门受理，{stage.enter_text}"
        for later in REVIEW_ORDER[i + 1:]:
            table.setdefault(stage.state, {})[later.state] = f"{stage.pass_text}，{later.enter_text}"
        table.setdefault(stage.state, {})[PASSED] = f"{stage.pass_text}，拟入选待公示"
    for m in MODULES:
        for source, edges in m.MOVES.items():
            table.setdefault(source, {}).update(edges)
    return table


REVIEW_TRANSITIONS = _moves()
REVIEW_STATES = set(REVIEW_LABELS)
FINAL_NEGATIVE = {qualification_review.REJECTED, qualification_review.DISQUALIFIED, site_inspection.FAILED,
                  expert_review.NOT_SHORTLISTED, credit_check.FAILED, organisational_review.FAILED,
                  committee_decision.REJECTED, public_notice.REMOVED}
