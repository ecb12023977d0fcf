"""The stage engine: each review stage kind is one class; a round's `stages` list (copied from the
policy file) orders and parameterises them.

The application states the review stages add, and the one table of allowed moves between them,
are written out below (grep REVIEW_TRANSITIONS). They are registered into the applications app's
table with `applications.states.extend`, so `applications.services.transition` — the only function
that changes an application's status — checks them and audits every move with who and why.

A stage's "pass" leads to the state of the next stage the round lists, in the policy file's order;
after the last one the application is `review_passed` (拟入选，待公示). The public notice (公示) and
the approval (批准/审定/命名) are stages of the same list: `review_passed` is the state in which a
candidate waits to be published (review.notice_link.publish_shortlist moves them to `on_notice`);
the notices app's signals end the notice (applications.receivers). Where the committee comes after
the notice (环翠 第十条（五）（六）: 考察公示, then 研究审定), the notice's closure is the committee
stage's entry condition (notice_link.advance_after_notice). Stage kinds without a class here
(information_release, application, unit_recommendation) belong to the rounds and applications apps.
"""
from __future__ import annotations

from dataclasses import dataclass

from gongjiang.core.errors import DomainError

RECOMMENDED = "recommended"  # applications.states.State.RECOMMENDED: the entry point of review

QUALIFICATION = "qualification_review"
QUALIFICATION_REJECTED = "qualification_rejected"
DISQUALIFIED = "disqualified"
INSPECTION = "site_inspection"
INSPECTION_FAILED = "inspection_failed"
EXPERT = "expert_review"
NOT_SHORTLISTED = "not_shortlisted"
CREDIT = "credit_check"
CREDIT_FAILED = "credit_failed"
DEFERRED = "deferred"
COMMITTEE = "committee_decision"
COMMITTEE_REJECTED = "committee_rejected"
PASSED = "review_passed"
ON_NOTICE = "on_notice"
REMOVED = "removed_after_objection"
PENDING_APPROVAL = "pending_approval"
APPROVED = "approved"

# state -> (staff-facing name, applicant-facing name)
REVIEW_LABELS = {
    QUALIFICATION: ("资格初审中", "资格审查中"),
    QUALIFICATION_REJECTED: ("资格初审不通过", "资格审查未通过"),
    DISQUALIFIED: ("弄虚作假，取消当年申报资格", "因申报材料弄虚作假，已取消当年申报资格"),
    INSPECTION: ("待实地考察", "等待实地考察"),
    INSPECTION_FAILED: ("实地考察未通过", "实地考察未通过"),
    EXPERT: ("专家评审中", "专家评审中"),
    NOT_SHORTLISTED: ("专家评审未入围", "专家评审未进入候选名单"),
    CREDIT: ("安全信用审查中", "安全信用审查中"),
    CREDIT_FAILED: ("安全信用审查未通过", "安全信用审查未通过"),
    DEFERRED: ("单位存在暂缓情形，暂缓审核", "因所在单位情况暂缓审核"),
    COMMITTEE: ("待委员会审定", "等待评审委员会审定"),
    COMMITTEE_REJECTED: ("委员会审定未通过", "评审委员会审定未通过"),
    PASSED: ("评审通过，拟入选待公示", "已通过评审，等待公示"),
    ON_NOTICE: ("公示中", "已列入公示名单，正在公示"),
    REMOVED: ("异议成立，已从名单中取消", "经核实异议成立，已从公示名单中取消"),
    PENDING_APPROVAL: ("审定通过，待批准", "已审定通过，等待批准"),
    APPROVED: ("已批准入选", "已正式入选"),
}

# from -> {to: what happens}. The only moves the review stages make. A stage's "pass" may skip
# to any later stage because a policy may leave stages out (仲恺 has no 资格初审 of its own).
REVIEW_TRANSITIONS = {
    RECOMMENDED: {
        QUALIFICATION: "人社部门受理，开始资格初审",
        INSPECTION: "人社部门受理，开始实地考察",
        EXPERT: "人社部门受理，进入专家评审",
        CREDIT: "人社部门受理，进入安全信用审查",
        COMMITTEE: "人社部门受理，提交委员会审定",
    },
    QUALIFICATION: {
        INSPECTION: "资格初审通过，进入实地考察",
        EXPERT: "资格初审通过，进入专家评审",
        CREDIT: "资格初审通过，进入安全信用审查",
        COMMITTEE: "资格初审通过，提交委员会审定",
        PASSED: "资格初审通过（无后续评审环节）",
        QUALIFICATION_REJECTED: "资格初审不通过，告知理由",
        DISQUALIFIED: "材料弄虚作假，取消当年申报资格",
    },
    INSPECTION: {
        EXPERT: "实地考察通过，列入专家复审名单",
        CREDIT: "实地考察通过，进入安全信用审查",
        COMMITTEE: "实地考察通过，提交委员会审定",
        PASSED: "实地考察通过（无后续评审环节）",
        INSPECTION_FAILED: "实地考察未通过",
        DISQUALIFIED: "考察发现弄虚作假，取消当年申报资格",
    },
    EXPERT: {
        CREDIT: "专家评审入围候选名单，进入安全信用审查",
        COMMITTEE: "专家评审入围候选名单，提交委员会审定",
        PASSED: "专家评审入围（无后续评审环节）",
        NOT_SHORTLISTED: "专家评审未入围",
    },
    CREDIT: {
        COMMITTEE: "安全信用审查通过，提交委员会审定",
        PASSED: "安全信用审查通过",
        CREDIT_FAILED: "有关部门反馈不良记录",
        DEFERRED: "所在单位存在暂缓情形（惠阳第十一条）",
    },
    DEFERRED: {
        CREDIT: "单位暂缓情形消除，恢复安全信用审查",
        CREDIT_FAILED: "单位情形经查实，不予审核通过",
    },
    COMMITTEE: {
        PASSED: "委员会审定通过",
        PENDING_APPROVAL: "委员会审定通过（公示已在审定前完成），待批准",
        COMMITTEE_REJECTED: "委员会审定未通过",
    },
    PASSED: {ON_NOTICE: "列入公示名单，公示中"},
    ON_NOTICE: {
        REMOVED: "异议成立，从公示名单中取消",
        APPROVED: "公示无异议或异议不成立，批准入选",
        COMMITTEE: "公示期满且无未办结异议，提交委员会审定",
    },
    PENDING_APPROVAL: {APPROVED: "批准入选"},
}

REVIEW_STATES = set(REVIEW_LABELS)
FINAL_NEGATIVE = {QUALIFICATION_REJECTED, DISQUALIFIED, INSPECTION_FAILED, NOT_SHORTLISTED,
                  CREDIT_FAILED, COMMITTEE_REJECTED, REMOVED}


def register_states():
    """Called from ReviewConfig.ready(): add the review states to the applications table."""
    from gongjiang.applications.states import extend

    extend(labels=REVIEW_LABELS, transitions=REVIEW_TRANSITIONS)


def stage_params(stage: dict) -> dict:
    """A stage entry's parameters, whether nested under "params" or written inline."""
    params = {k: v for k, v in stage.items() if k != "params"}
    params.update(stage.get("params") or {})
    return params


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    capability: str


class Stage:
    """One stage kind. Subclasses say what state an application is in while at this stage, the
    actions officers take, and where a negative outcome leads."""

    kind = ""
    label = ""
    state = ""
    exits: tuple[str, ...] = ()      # negative outcomes out of this stage
    actions: tuple[Action, ...] = ()

    def __init__(self, params: dict | None = None):
        self.params = params or {}
        self.title = self.params.get("label") or self.params.get("name") or self.label
        self.article = self.params.get("article", "")

    def __repr__(self):
        return f"<{type(self).__name__} {self.kind}>"

    def entry_condition(self) -> str:
        return f"前一环节通过，状态变为“{REVIEW_LABELS[self.state][0]}”"


class QualificationReviewStage(Stage):
    """资格初审 (惠阳 第十条（三）; 环翠 第十条（三）资格审查)."""

    kind, label, state = QUALIFICATION, "资格初审", QUALIFICATION
    exits = (QUALIFICATION_REJECTED, DISQUALIFIED)
    actions = (Action("qualify", "逐条审核并作出初审结论", "review.manage"),)


class SiteInspectionStage(Stage):
    """实地考察 (惠阳 第十条（四）; 仲恺 第五条（二）3 考察)."""

    kind, label, state = INSPECTION, "实地考察", INSPECTION
    exits = (INSPECTION_FAILED, DISQUALIFIED)
    actions = (Action("inspect", "登记实地考察情况", "review.manage"),)


class ExpertReviewStage(Stage):
    """专家评审: random panel, rubric scores, aggregation, shortlist by quota."""

    kind, label, state = EXPERT, "专家评审", EXPERT
    exits = (NOT_SHORTLISTED,)
    actions = (Action("draw", "随机抽取专家组", "review.manage"),
               Action("score", "专家评分", "review.score"),
               Action("close", "汇总评分并确定候选名单", "review.manage"))

    @property
    def panel(self) -> dict:
        return self.params.get("panel") or {}

    @property
    def declared_min_experts(self) -> int | None:
        """The stage's own minimum panel size, where the policy states one (聊城 三: 组织7名以上…专家)."""
        figure = self.panel.get("min_experts") or self.params.get("min_experts")
        return int(figure) if figure else None

    @property
    def min_experts(self) -> int:
        """聊城: 组织7名以上相关职业（工种）的专家. Without a figure in the policy: 5, so that the
        default aggregation (drop the highest and lowest) applies."""
        return self.declared_min_experts or 5

    @property
    def random_draw(self) -> bool | None:
        """True: 随机抽取 (仲恺 第五条（二）3); False: the panel is composed (惠阳 第九条 评选委员会负责
        组建专家组; 聊城 三 组织7名以上…专家); None: the policy is silent."""
        flag = self.panel.get("random_draw")
        return None if flag is None else bool(flag)

    @property
    def panel_size(self) -> int:
        size = self.panel.get("size") or self.params.get("panel_size") or self.min_experts
        return max(int(size), self.min_experts)

    @property
    def rubric_params(self):
        rubric = self.params.get("rubric")
        return rubric.get("criteria") if isinstance(rubric, dict) else rubric

    @property
    def aggregation_params(self):
        rubric = self.params.get("rubric")
        if isinstance(rubric, dict) and rubric.get("aggregation"):
            return rubric["aggregation"]
        return self.params.get("aggregation")


class CreditCheckStage(Stage):
    """安全信用审查 (惠阳 第十条（六）, 第十一条)."""

    kind, label, state = CREDIT, "安全信用审查", CREDIT
    exits = (CREDIT_FAILED, DEFERRED)
    actions = (Action("request", "征求有关部门意见", "review.manage"),
               Action("answer", "登记部门复函", "review.manage"))

    @property
    def departments(self) -> list[str]:
        from .models import Department

        wanted = self.params.get("departments") or [d.value for d in Department]
        out = []
        for name in wanted:
            # Policy files name departments as the text does ("公安", "市场监管", "人民法院"...).
            code = next((d.value for d in Department if name in (d.value, d.label) or d.label in name), name)
            out.append(code)
        return list(dict.fromkeys(out))


class CommitteeDecisionStage(Stage):
    """审定/认定 (仲恺 第五条（二）4 无记名投票; 惠阳 第十条（七）审定)."""

    kind, label, state = COMMITTEE, "委员会审定", COMMITTEE
    exits = (COMMITTEE_REJECTED,)
    actions = (Action("session", "召开委员会会议", "review.manage"),
               Action("vote", "委员投票", "review.vote"))

    @property
    def secret_ballot(self) -> bool:
        ballot = self.params.get("ballot", "open")
        return ballot in ("secret", True) or self.params.get("secret_ballot") is True

    @property
    def threshold_params(self):
        """The policy's threshold ({kind: majority|two_thirds|unspecified, of: present|members}) in the
        form tally.Threshold reads. Unspecified: more than half of the members present."""
        t = self.params.get("threshold")
        if not t or not isinstance(t, dict) or "kind" not in t:
            return t or {}
        basis = t.get("of", "present")
        if t["kind"] == "two_thirds":
            return {"fraction": "2/3", "basis": basis, "strict": False}
        return {"fraction": "1/2", "basis": basis, "strict": True}


class PublicNoticeStage(Stage):
    """公示 (惠阳 第十条（七）: 不少于5个工作日, 异议5个工作日内调查核实; 环翠 第十条（五）: 公示期为5个工作日).
    Candidates wait in `review_passed` and are `on_notice` once the shortlist is published."""

    kind, label, state = "public_notice", "公示", PASSED
    exits = (REMOVED,)
    actions = (Action("publish", "发布公示", "notice.manage"),)

    @property
    def working_days(self) -> int | None:
        days = self.params.get("working_days")
        return int(days) if days else None

    @property
    def at_least(self) -> bool:
        """"不少于N个工作日": the officer may give more days, never fewer; otherwise exactly N."""
        return bool(self.params.get("at_least", True))

    @property
    def investigation_days(self) -> int | None:
        days = self.params.get("objection_investigation_working_days")
        return int(days) if days else None

    def entry_condition(self) -> str:
        return "前一环节通过，列入拟公示名单（“评审通过，拟入选待公示”）"


class ApprovalStage(Stage):
    """批准/审定/命名 (惠阳 第十条（八）批准发证; 环翠 第十条（六）; 赣州 第七条（五）). Recorded on the
    notice (notices.services.record_approval); the candidates still on the list are approved."""

    kind, label, state = "approval", "批准", PENDING_APPROVAL
    actions = (Action("approve", "记录批准文号", "notice.manage"),)

    def entry_condition(self) -> str:
        return "公示期满、异议均已办结，且此前各环节均已完成"


STAGE_CLASSES = {cls.kind: cls for cls in
                 (QualificationReviewStage, SiteInspectionStage, ExpertReviewStage, CreditCheckStage,
                  CommitteeDecisionStage, PublicNoticeStage, ApprovalStage)}
NOTICE, APPROVAL = PublicNoticeStage.kind, ApprovalStage.kind
# Kind names policy files may use for the same stage.
ALIASES = {"qualification": QUALIFICATION, "资格初审": QUALIFICATION, "资格审查": QUALIFICATION,
           "inspection": INSPECTION, "实地考察": INSPECTION, "考察": INSPECTION,
           "expert": EXPERT, "专家评审": EXPERT, "评审": EXPERT,
           "credit": CREDIT, "安全信用审查": CREDIT,
           "committee": COMMITTEE, "审定": COMMITTEE, "认定": COMMITTEE,
           "notice": "public_notice", "公示": "public_notice", "approval": "approval", "批准": "approval"}


class Procedure:
    """The review stages of one round, in the policy's order."""

    def __init__(self, stages: list[dict]):
        self.stages: list[Stage] = []
        seen = set()
        for entry in stages or []:
            kind = ALIASES.get(entry.get("kind"), entry.get("kind"))
            if kind not in STAGE_CLASSES:
                continue
            if kind in seen:
                raise DomainError(f"评审环节“{STAGE_CLASSES[kind].label}”在政策中重复出现",
                                  log=f"duplicate stage {kind}")
            seen.add(kind)
            self.stages.append(STAGE_CLASSES[kind](stage_params(entry)))

    @classmethod
    def for_round(cls, round_) -> "Procedure":
        """The round's own stage list with each stage's parameters (rubric, panel, departments,
        ballot, threshold, notice days), copied from the policy when the round was opened: a later
        revision of the policy file leaves a running round alone."""
        return cls(getattr(round_, "stages", None) or [])

    def __iter__(self):
        return iter(self.stages)

    def __contains__(self, kind):
        return any(s.kind == kind for s in self.stages)

    def get(self, kind) -> Stage | None:
        return next((s for s in self.stages if s.kind == kind), None)

    def require(self, kind) -> Stage:
        stage = self.get(kind)
        if stage is None:
            raise DomainError(f"本批次的政策未设置“{STAGE_CLASSES[kind].label}”环节",
                              log=f"round has no stage {kind}")
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
        return nxt if nxt is not None and nxt.kind != APPROVAL else None

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
        cols = list(dict.fromkeys(cols))
        outs = [x for s in self.stages for x in s.exits if x != DEFERRED]
        cols.extend((x, REVIEW_LABELS[x][0]) for x in dict.fromkeys(outs))
        return cols
