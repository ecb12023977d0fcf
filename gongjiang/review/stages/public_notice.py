"""公示 (惠阳 第十条（七）: 不少于5个工作日, 异议5个工作日内调查核实; 环翠 第十条（五）: 公示期为5个工作日).
Candidates wait in `review_passed` and are `on_notice` once the shortlist is published (notices
app); an objection upheld removes them; the notice's closure approves them, or opens the stage
that follows the notice (环翠: 研究审定)."""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from .base import PASSED, Action, PositiveInt, Stage, StageSettings
from .committee_decision import STATE as COMMITTEE

ON_NOTICE = "on_notice"
REMOVED = "removed_after_objection"
APPROVED = "approved"

STATES = {
    ON_NOTICE: ("公示中", "已列入公示名单，正在公示"),
    REMOVED: ("异议成立，已从名单中取消", "经核实异议成立，已从公示名单中取消"),
    APPROVED: ("已批准入选", "已正式入选"),
}
MOVES = {
    PASSED: {ON_NOTICE: "列入公示名单，公示中"},
    ON_NOTICE: {REMOVED: "异议成立，从公示名单中取消",
                APPROVED: "公示无异议或异议不成立，批准入选",
                COMMITTEE: "公示期满且无未办结异议，提交委员会审定"},
}


class Settings(StageSettings):
    kind: Literal["public_notice"]
    working_days: PositiveInt | None = None
    at_least: bool = True  # "不少于N个工作日": more days allowed, never fewer; otherwise exactly N
    objection_investigation_working_days: PositiveInt | None = None

    @model_validator(mode="after")
    def _days(self):
        if self.working_days is None and not self.note:
            raise ValueError("public_notice needs working_days (or a note saying the text sets none)")
        return self

    def describe(self) -> list[str]:
        bits = []
        if self.working_days:
            bits.append(f"{'不少于' if self.at_least else ''}{self.working_days}个工作日")
        if self.objection_investigation_working_days:
            bits.append(f"异议{self.objection_investigation_working_days}个工作日内调查核实")
        if self.channels:
            bits.append("在" + "、".join(self.channels) + "公示")
        return bits


class PublicNoticeStage(Stage):
    kind, label, state = "public_notice", "公示", PASSED
    exits = (REMOVED,)
    actions = (Action("publish", "发布公示", "notice.manage"),)

    @property
    def investigation_days(self) -> int | None:
        return self.settings.objection_investigation_working_days

    def entry_condition(self, labels) -> str:
        return "前一环节通过，列入拟公示名单（“评审通过，拟入选待公示”）"
