"""The stage engine. Each stage kind is a module of this package (qualification_review,
site_inspection, expert_review, credit_check, committee_decision, public_notice, approval, and
the intake kinds run by the rounds and applications apps); each owns its settings model, the states
and moves it adds and its actions (see base.py). `SETTINGS` is the kind-keyed union a policy file's
`procedure` entries are validated with (gongjiang.policy.schema.PolicyFile.procedure); a round's
stored stages are validated with it again when they are read (Procedure.for_round), so an
unknown key is an error there too.

`machine` builds the review part of the application state table; `gongjiang procedure show
<policy>` prints one policy's whole state machine and /policies/<code>/procedure/ draws it.
"""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field, TypeAdapter, ValidationError

from gongjiang.core.errors import DomainError

from . import approval, committee_decision, credit_check, expert_review, forwarding, intake, organisational_review, \
    public_notice, qualification_review, site_inspection
from .approval import ApprovalStage
from .base import PASSED, RECOMMENDED, Action, Stage, StageSettings
from .committee_decision import CommitteeDecisionStage
from .credit_check import CreditCheckStage
from .expert_review import ExpertReviewStage
from .forwarding import ForwardingStage
from .machine import FINAL_NEGATIVE, REVIEW_LABELS, REVIEW_ORDER, REVIEW_STATES, REVIEW_TRANSITIONS
from .organisational_review import OrganisationalReviewStage
from .public_notice import PublicNoticeStage
from .qualification_review import QualificationReviewStage
from .site_inspection import SiteInspectionStage

QUALIFICATION = qualification_review.STATE
QUALIFICATION_REJECTED = qualification_review.REJECTED
DISQUALIFIED = qualification_review.DISQUALIFIED
INSPECTION = site_inspection.STATE
INSPECTION_FAILED = site_inspection.FAILED
EXPERT = expert_review.STATE
NOT_SHORTLISTED = expert_review.NOT_SHORTLISTED
CREDIT = credit_check.STATE
CREDIT_FAILED = credit_check.FAILED
DEFERRED = credit_check.DEFERRED
COMMITTEE = committee_decision.STATE
COMMITTEE_REJECTED = committee_decision.REJECTED
ON_NOTICE = public_notice.ON_NOTICE
REMOVED = public_notice.REMOVED
APPROVED = public_notice.APPROVED
PENDING_APPROVAL = approval.STATE
ORGANISATIONAL = organisational_review.STATE
ORGANISATIONAL_FAILED = organisational_review.FAILED
FORWARDED = forwarding.STATE
HIGHER_SELECTED = forwarding.SELECTED
HIGHER_NOT_SELECTED = forwarding.NOT_SELECTED
SELECTED_STATES = forwarding.SELECTED_STATES

STAGE_CLASSES = {cls.kind: cls for cls in (*REVIEW_ORDER, PublicNoticeStage, ApprovalStage, ForwardingStage)}
NOTICE, APPROVAL, FORWARDING = PublicNoticeStage.kind, ApprovalStage.kind, ForwardingStage.kind

SETTINGS_MODELS = (*intake.SETTINGS, qualification_review.Settings, site_inspection.Settings,
                   expert_review.Settings, credit_check.Settings, organisational_review.Settings,
                   committee_decision.Settings, public_notice.Settings, approval.Settings, forwarding.Settings)
STAGE_KINDS = tuple(m.model_fields["kind"].annotation.__args__[0] for m in SETTINGS_MODELS)
# One entry of a policy's `procedure` list: the model is chosen by `kind`.
Settings = Annotated[Union[SETTINGS_MODELS], Field(discriminator="kind")]  # type: ignore[valid-type]
_procedure = TypeAdapter(list[Settings])


def validate_stages(entries) -> list[StageSettings]:
    """Stage entries (a policy file's `procedure`, or a round's stored copy) as settings models.
    Raises pydantic.ValidationError on an unknown kind, an unknown key or a bad value."""
    return _procedure.validate_python(list(entries or []))


def stage_snapshot(stages) -> list[dict]:
    """Settings models as the plain JSON a round stores (validate_stages reads it back)."""
    return [s.model_dump(mode="json", exclude_none=True) for s in stages]


class Procedure:
    """The review stages of one round, in the policy's order."""

    def __init__(self, settings: list[StageSettings]):
        self.settings = list(settings)
        self.stages: list[Stage] = []
        seen = set()
        rank = {cls.kind: i for i, cls in enumerate(REVIEW_ORDER)}
        last = -1
        for entry in self.settings:
            cls = STAGE_CLASSES.get(entry.kind)
            if cls is None:
                continue  # intake kinds: run by the rounds and applications apps
            if entry.kind in seen:
                raise DomainError(f"评审环节“{cls.label}”在政策中重复出现", log=f"duplicate stage {entry.kind}")
            if entry.kind in rank:
                if rank[entry.kind] < last:
                    raise DomainError(f"评审环节“{entry.name}”的顺序不受支持", log=f"stage {entry.kind} out of order")
                last = rank[entry.kind]
            if FORWARDING in seen:
                raise DomainError("“推荐上报”须为政策的最后一个环节", log=f"stage {entry.kind} after forwarding")
            seen.add(entry.kind)
            self.stages.append(cls(entry))
        if FORWARDING in seen and APPROVAL not in seen and NOTICE not in seen:
            raise DomainError("“推荐上报”之前须有公示或批准环节（推荐上报的是本级入选人选）",
                              log="forwarding without notice or approval")

    @classmethod
    def from_entries(cls, entries) -> "Procedure":
        try:
            return cls(validate_stages(entries))
        except ValidationError as e:
            raise DomainError("本批次的评审环节参数无效，请联系系统管理员",
                              log=f"invalid stage settings: {e.errors(include_url=False)}") from None

    @classmethod
    def for_round(cls, round_) -> "Procedure":
        """The round's own stage list, copied from the policy when the round was opened (a later
        revision of the policy file leaves a running round alone), validated again here."""
        return cls.from_entries(getattr(round_, "stages", None) or [])

    def __iter__(self):
        return iter(self.stages)

    def __contains__(self, kind):
        return any(s.kind == kind for s in self.stages)

    def get(self, kind) -> Stage | None:
        return next((s for s in self.stages if s.kind == kind), None)

    def require(self, kind) -> Stage:
        stage = self.get(kind)
        if stage is None:
            label = STAGE_CLASSES[kind].label if kind in STAGE_CLASSES else kind
            raise DomainError(f"本批次的政策未设置“{label}”环节", log=f"round has no stage {kind}")
        return stage

    @property
    def first_state(self) -> str:
        return self.stages[0].state if self.stages else PASSED

    def next_state(self, kind) -> str:
        kinds = [s.kind for s in self.stages]
        i = kinds.index(kind)
        return self.stages[i + 1].state if i + 1 < len(kinds) else PASSED

    def previous(self, kind) -> Stage | None:
        kinds = [s.kind for s in self.stages]
        i = kinds.index(kind)
        return self.stages[i - 1] if i > 0 else None

    def after_notice(self, kind) -> bool:
        """Whether `kind` comes after the public notice (环翠: 公示, then 审定 and 颁发证书)."""
        kinds = [s.kind for s in self.stages]
        return NOTICE in kinds and kind in kinds and kinds.index(NOTICE) < kinds.index(kind)

    @property
    def stage_after_notice(self) -> Stage | None:
        """The stage the notice's closure opens, when it is not the approval (环翠: 研究审定)."""
        if NOTICE not in self:
            return None
        kinds = [s.kind for s in self.stages]
        i = kinds.index(NOTICE)
        nxt = self.stages[i + 1] if i + 1 < len(kinds) else None
        return nxt if nxt is not None and nxt.kind not in (APPROVAL, FORWARDING) else None

    def stage_of_exit(self, status) -> Stage | None:
        """The stage whose negative outcome `status` is (not_shortlisted -> expert review)."""
        return next((s for s in self.stages if status in s.exits), None)

    def stage_of_state(self, status) -> Stage | None:
        return next((s for s in self.stages if s.state == status), None)

    def columns(self):
        """Board columns: (state, staff label), in procedure order, then the outcomes."""
        cols = [(RECOMMENDED, "已报送，待受理")]
        for s in self.stages:
            cols.append((s.state, REVIEW_LABELS[s.state][0]))
            if s.kind == CREDIT:
                cols.append((DEFERRED, REVIEW_LABELS[DEFERRED][0]))
            if s.kind == NOTICE:
                cols.append((ON_NOTICE, REVIEW_LABELS[ON_NOTICE][0]))
        cols.append((PASSED, REVIEW_LABELS[PASSED][0]))
        if NOTICE in self:
            cols.append((APPROVED, REVIEW_LABELS[APPROVED][0]))
        if FORWARDING in self:
            cols.extend((x, REVIEW_LABELS[x][0]) for x in (FORWARDED, HIGHER_SELECTED))
        cols = list(dict.fromkeys(cols))
        outs = [x for s in self.stages for x in s.exits if x != DEFERRED]
        cols.extend((x, REVIEW_LABELS[x][0]) for x in dict.fromkeys(outs))
        return cols
