"""批准/审定/命名 (惠阳 第十条（八）批准发证; 环翠 第十条（六）; 赣州 第七条（五）). Recorded on the
notice (notices.services.record_approval): the candidates still on the list are approved. Where a
committee decides after the notice, its approval leaves them waiting for this act."""
from __future__ import annotations

from typing import Literal

from .base import Action, Stage, StageSettings
from .committee_decision import STATE as COMMITTEE
from .public_notice import APPROVED

STATE = "pending_approval"

STATES = {STATE: ("审定通过，待批准", "已审定通过，等待批准")}
MOVES = {COMMITTEE: {STATE: "委员会审定通过（公示已在审定前完成），待批准"},
         STATE: {APPROVED: "批准入选"}}


class Settings(StageSettings):
    kind: Literal["approval"]
    certificate: bool = False  # 颁发证书

    def describe(self) -> list[str]:
        return ["颁发证书"] if self.certificate and "证书" not in self.name else []


class ApprovalStage(Stage):
    kind, label, state = "approval", "批准", STATE
    actions = (Action("approve", "记录批准文号", "notice.manage"),)

    def entry_condition(self, labels) -> str:
        return "公示期满、异议均已办结，且此前各环节均已完成"
