"""审定/认定 by a committee (仲恺 第五条（二）4: 采取无记名投票的方式进行表决; 惠阳 第十条（七）审定;
环翠 第十条（六）研究审定, after the notice). `ballot: secret` gives an anonymous ballot counted against
the threshold; otherwise the meeting records each decision with its reason."""
from __future__ import annotations

from typing import Literal

from .base import Action, Stage, StageSettings, Strict

STATE = "committee_decision"
REJECTED = "committee_rejected"

STATES = {STATE: ("待委员会审定", "等待评审委员会审定"), REJECTED: ("委员会审定未通过", "评审委员会审定未通过")}
MOVES = {STATE: {REJECTED: "委员会审定未通过"}}

BALLOT_LABELS = {"secret": "无记名投票", "open": "公开表决", "unspecified": "表决方式未规定"}


class Threshold(Strict):
    kind: Literal["majority", "two_thirds", "unspecified"] = "unspecified"
    of: Literal["present", "members"] = "present"


class Settings(StageSettings):
    kind: Literal["committee_decision"]
    ballot: Literal["secret", "open", "unspecified"]
    threshold: Threshold | None = None

    def describe(self) -> list[str]:
        return [BALLOT_LABELS[self.ballot]]


class CommitteeDecisionStage(Stage):
    kind, label, state = STATE, "委员会审定", STATE
    exits = (REJECTED,)
    actions = (Action("session", "召开委员会会议", "review.manage"),
               Action("vote", "委员投票", "review.vote"))
    enter_text, pass_text = "提交委员会审定", "委员会审定通过"

    @property
    def secret_ballot(self) -> bool:
        return self.settings.ballot == "secret"

    @property
    def threshold_params(self) -> dict:
        """The policy's threshold in the form tally.Threshold reads. Unspecified: more than half of
        the members present."""
        t = self.settings.threshold
        if t is None or t.kind == "unspecified":
            return {}
        if t.kind == "two_thirds":
            return {"fraction": "2/3", "basis": t.of, "strict": False}
        return {"fraction": "1/2", "basis": t.of, "strict": True}
