"""组织审查: the organisation department (组织部门) examines each candidate and decides pass or fail,
a failure with its reason; every decision is recorded (OrganisationalReview) and audited. The
department is the one the policy names (`by`: there is no default). It comes after the credit
check and before the committee in the review order.

No seed text of this repository names the stage yet: it is exercised by the test policy
gongjiang/rounds/tests/policies/test-unit-steps-forwarding.yaml."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Action, Stage, StageSettings

STATE = "organisational_review"
FAILED = "organisational_review_failed"

STATES = {STATE: ("组织审查中", "组织审查中"), FAILED: ("组织审查未通过", "组织审查未通过")}
MOVES = {STATE: {FAILED: "组织部门审查不通过，说明理由"}}


class Settings(StageSettings):
    kind: Literal["organisational_review"]
    by: Annotated[str, Field(min_length=2)]  # the organisation department: named by the policy, never defaulted
    scope: list[str] = []                    # what it examines (政治表现、廉洁自律 …), as the text lists it

    def describe(self) -> list[str]:
        return [f"由{self.by}逐人审查"] + (["审查" + "、".join(self.scope)] if self.scope else [])


class OrganisationalReviewStage(Stage):
    kind, label, state = STATE, "组织审查", STATE
    exits = (FAILED,)
    actions = (Action("organisational_review", "登记组织审查意见", "review.manage"),)
    enter_text, pass_text = "提交组织审查", "组织审查通过"
