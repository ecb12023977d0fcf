"""What every stage kind shares: the settings base (the fields each stage entry of a policy file
has), the runtime base class, and the states at the two ends of review.

A stage kind is one module of this package. It owns
- `Settings`: the pydantic model of its entry in a policy file's `procedure` list (strict: an
  unknown key is an error), discriminated by `kind`;
- `Stage`: the runtime class the review services call (its state, actions, negative exits);
- `STATES` and `MOVES`: the application states it adds, each with (staff label, applicant label),
  and the moves between them that are its own (the moves from stage to stage are built from the
  kinds' order in `gongjiang.review.stages.machine`).
This module imports nothing from Django, so `gongjiang.policy.schema` can use the settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

Article = Annotated[str, Field(min_length=2)]
PositiveInt = Annotated[int, Field(gt=0)]

RECOMMENDED = "recommended"  # applications.states.State.RECOMMENDED: the entry point of review
PASSED = "review_passed"      # passed every review stage before the notice: 拟入选，待公示


class StageSettings(BaseModel):
    """The fields every stage entry has. `kind` is set by each subclass as a Literal."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    article: Article
    name: str
    by: str = ""
    text: str = ""
    note: str = ""
    month: Annotated[int, Field(ge=1, le=12)] | None = None
    channels: list[str] = []

    def describe(self) -> list[str]:
        """Phrases saying what the policy sets for this stage (after its name), in Chinese."""
        return []


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    capability: str


class Stage:
    """One stage of a round at run time: its validated settings and what the kind does."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    state: ClassVar[str] = ""
    exits: ClassVar[tuple[str, ...]] = ()       # negative outcomes out of this stage
    outcomes: ClassVar[tuple[str, ...]] = ()    # positive end states it adds (forwarding: 上级评定入选)
    actions: ClassVar[tuple[Action, ...]] = ()
    enter_text: ClassVar[str] = ""               # "进入专家评审": said of a move into this stage
    pass_text: ClassVar[str] = ""                # "专家评审入围候选名单": said of a move out of it on passing

    def __init__(self, settings: StageSettings):
        self.settings = settings
        self.title = settings.name or self.label
        self.article = settings.article

    def __repr__(self):
        return f"<{type(self).__name__} {self.kind}>"

    def __getattr__(self, name):
        # The settings' fields read as the stage's own (stage.working_days, stage.departments).
        if name == "settings":
            raise AttributeError(name)
        return getattr(self.settings, name)

    def entry_condition(self, labels) -> str:
        return f"前一环节通过，状态变为“{labels[self.state][0]}”"


class Strict(BaseModel):
    """A nested part of a stage's settings (rubric, panel, threshold ...): unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
