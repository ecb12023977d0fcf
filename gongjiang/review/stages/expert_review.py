"""专家评审: a panel drawn at random from the pool (仲恺 第五条（二）3 随机抽取) or composed by the body
the text names (惠阳 第九条 评选委员会负责组建专家组; 聊城 三 组织7名以上…专家), rubric scores,
aggregation, ranking with the honour's priority rules, and a shortlist within the round's quota."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Action, PositiveInt, Stage, StageSettings, Strict

STATE = "expert_review"
NOT_SHORTLISTED = "not_shortlisted"

STATES = {STATE: ("专家评审中", "专家评审中"), NOT_SHORTLISTED: ("专家评审未入围", "专家评审未进入候选名单")}
MOVES = {STATE: {NOT_SHORTLISTED: "专家评审未入围"}}


class Criterion(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    weight: Annotated[float, Field(gt=0)]
    max_points: PositiveInt
    description: str = ""  # what the expert looks at (shown on the score sheet)


class Rubric(Strict):
    criteria: list[Criterion] = Field(min_length=1)
    aggregation: Literal["mean", "trimmed_mean", "median"] = "mean"
    trim_min_experts: Annotated[int, Field(ge=3)] | None = None  # trimmed_mean: drop the extremes from N on
    note: str = ""

    @model_validator(mode="after")
    def _trim(self):
        if self.aggregation == "trimmed_mean" and self.trim_min_experts is None:
            raise ValueError("trimmed_mean needs trim_min_experts")
        return self


class Panel(Strict):
    min_experts: PositiveInt | None = None
    # True: drawn at random from the pool (仲恺 第五条（二）3); False: composed by the body the text
    # names (惠阳 第九条 评选委员会负责组建专家组); None: the text is silent, either is open.
    random_draw: bool | None = None
    pool: str = ""
    composition: str = ""


class Settings(StageSettings):
    kind: Literal["expert_review"]
    panel: Panel
    rubric: Rubric | None = None  # a text without scoring rules: expert review cannot score (an error, no default)
    skill_test: bool = False  # 现场技能考查, scored as a rubric criterion
    shortlist: bool = False   # the stage forms the shortlist (候选名单) within the quota

    def describe(self) -> list[str]:
        bits = []
        if self.panel.min_experts:
            bits.append(f"专家不少于{self.panel.min_experts}名")
        if self.panel.random_draw:
            bits.append(f"从{self.panel.pool or '专家库'}随机抽取专家")
        elif self.panel.random_draw is False and self.panel.composition:
            bits.append(f"由{self.panel.composition}组成专家组")
        if self.skill_test:
            bits.append("现场技能考查")
        if self.rubric is None:
            bits.append("评分细则原文未规定")
        return bits


class ExpertReviewStage(Stage):
    kind, label, state = STATE, "专家评审", STATE
    exits = (NOT_SHORTLISTED,)
    actions = (Action("draw", "随机抽取或组建专家组", "review.manage"),
               Action("score", "专家评分", "review.score"),
               Action("close", "汇总评分并确定候选名单", "review.manage"))
    enter_text, pass_text = "进入专家评审", "专家评审入围候选名单"

    @property
    def declared_min_experts(self) -> int | None:
        """The stage's own minimum panel size, where the policy states one (聊城 三: 组织7名以上…专家)."""
        return self.settings.panel.min_experts

    @property
    def random_draw(self) -> bool | None:
        return self.settings.panel.random_draw

    @property
    def rubric(self):
        """The policy's rubric; a DomainError where the policy states none (there is no default)."""
        if self.settings.rubric is None:
            from gongjiang.core.errors import DomainError

            raise DomainError(f"政策未规定评分细则（{self.article}），不能评分；请先在政策文件中写明评分项目和分值",
                              log="expert review without a rubric")
        return self.settings.rubric

    @property
    def rubric_params(self) -> list[dict]:
        return [{"code": c.code, "name": c.name, "weight": c.weight, "max_points": c.max_points,
                 "description": c.description} for c in self.rubric.criteria]

    @property
    def aggregation_params(self) -> dict:
        r = self.rubric
        return {"method": r.aggregation, **({"trim_min_experts": r.trim_min_experts} if r.trim_min_experts else {})}
