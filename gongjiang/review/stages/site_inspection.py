"""实地考察 (惠阳 第十条（四）; 仲恺 第五条（二）3 考察): a visit to the candidate's unit, hearing the
unit's opinion where the policy says so (`hear_employer`); a finding of fraud disqualifies."""
from __future__ import annotations

from typing import Literal

from .base import Action, Stage, StageSettings
from .qualification_review import DISQUALIFIED

STATE = "site_inspection"
FAILED = "inspection_failed"

STATES = {STATE: ("待实地考察", "等待实地考察"), FAILED: ("实地考察未通过", "实地考察未通过")}
MOVES = {STATE: {FAILED: "实地考察未通过", DISQUALIFIED: "考察发现弄虚作假，取消当年申报资格"}}


class Settings(StageSettings):
    kind: Literal["site_inspection"]
    hear_employer: bool = False  # 听取所在单位意见

    def describe(self) -> list[str]:
        return ["听取所在单位意见"] if self.hear_employer else []


class SiteInspectionStage(Stage):
    kind, label, state = STATE, "实地考察", STATE
    exits = (FAILED, DISQUALIFIED)
    actions = (Action("inspect", "登记实地考察情况", "review.manage"),)
    enter_text, pass_text = "开始实地考察", "实地考察通过"
