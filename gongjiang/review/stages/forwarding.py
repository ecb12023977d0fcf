"""推荐到上级 (推荐到省/市): the round's selected candidates are forwarded to a higher body, recorded
with the date, the receiving body and the document (the recommendation letter); later the round
records the outcome there, candidate by candidate (上级评定入选 / 未入选). It comes last, after the
approval: the round's own selection stands whatever the higher body decides, so the forwarded
keep their places in the round's quota.

No seed text of this repository makes the city forward its own selection (江门's 四、五星 are the
province's programme, not in the file): it is exercised by the test policy
gongjiang/rounds/tests/policies/test-unit-steps-forwarding.yaml."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Action, Stage, StageSettings
from .public_notice import APPROVED

STATE = "forwarded"
SELECTED = "higher_selected"
NOT_SELECTED = "higher_not_selected"

STATES = {
    STATE: ("已推荐上报，待上级评定", "已推荐上报上级，等待上级评定"),
    SELECTED: ("上级评定入选", "已被上级评定入选"),
    NOT_SELECTED: ("上级评定未入选", "上级评定未入选（本级称号不受影响）"),
}
MOVES = {APPROVED: {STATE: "推荐上报上级（记录日期、接收机关和推荐文件）"},
         STATE: {SELECTED: "上级评定入选", NOT_SELECTED: "上级评定未入选"}}
# Every state of a candidate the round selected: approved, forwarded or decided above.
SELECTED_STATES = {APPROVED, STATE, SELECTED, NOT_SELECTED}


class Settings(StageSettings):
    kind: Literal["forwarding"]
    to: Annotated[str, Field(min_length=2)]  # the receiving body (省人力资源和社会保障厅 …), named by the policy
    level: Literal["省级", "市级", "国家级"]

    def describe(self) -> list[str]:
        return [f"推荐上报{self.to}（{self.level}）"]


class ForwardingStage(Stage):
    kind, label, state = "forwarding", "推荐上报", STATE
    exits = (NOT_SELECTED,)
    outcomes = (SELECTED,)
    actions = (Action("forward", "推荐上报上级", "review.manage"),
               Action("outcome", "登记上级评定结果", "review.manage"))

    def entry_condition(self, labels) -> str:
        return f"已批准入选（“{labels[APPROVED][0]}”）"
