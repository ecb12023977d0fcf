"""资格初审/资格审查 (惠阳 第十条（三）; 环翠 第十条（三）; 聊城 三 初审、复核): an officer checks the
engine's clause results and attests the manual clauses; a rejection cites its article; fraud in
the materials cancels the year's application where the policy says so (`disqualify_fraud`)."""
from __future__ import annotations

from typing import Literal

from .base import Action, Stage, StageSettings

STATE = "qualification_review"
REJECTED = "qualification_rejected"
DISQUALIFIED = "disqualified"

STATES = {
    STATE: ("资格初审中", "资格审查中"),
    REJECTED: ("资格初审不通过", "资格审查未通过"),
    DISQUALIFIED: ("弄虚作假，取消当年申报资格", "因申报材料弄虚作假，已取消当年申报资格"),
}
MOVES = {STATE: {REJECTED: "资格初审不通过，告知理由", DISQUALIFIED: "材料弄虚作假，取消当年申报资格"}}


class Settings(StageSettings):
    kind: Literal["qualification_review"]
    notify_reasons: bool = False    # the applicant is told why (初审不通过的，应告知申请人并说明理由)
    disqualify_fraud: bool = False  # fraud in the materials cancels this year's application

    def describe(self) -> list[str]:
        return (["不通过的告知理由"] if self.notify_reasons else []) + \
            (["材料弄虚作假的取消当年申报资格"] if self.disqualify_fraud else [])


class QualificationReviewStage(Stage):
    kind, label, state = STATE, "资格初审", STATE
    exits = (REJECTED, DISQUALIFIED)
    actions = (Action("qualify", "逐条审核并作出初审结论", "review.manage"),)
    enter_text, pass_text = "开始资格初审", "资格初审通过"
