"""The schema of a policy file (pydantic). Reference: docs/policy-schema.md.

A policy file describes one programme: its honours (each with quota, term, eligibility clauses,
priority rules, benefits, renewal, exits and revocations), the recommendation routes, the ordered
procedure stages, and the validity of the policy and its payments. Every clause cites its article.
Amounts are integer fen. Quotas and amounts may be dated: a plain value, or a list of
{value, from, to} periods (OpenFisca style) of which the one in force on a date applies.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import levels
from .facts import ACHIEVEMENT_KINDS, CERT_KINDS, ORG_RECORD_KINDS, RECORD_KINDS, SECTORS, STUDIO_KINDS

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Article = Annotated[str, Field(min_length=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# --- dated parameters ---------------------------------------------------------------------------
class Period(Strict):
    value: int = Field(ge=0)
    valid_from: dt.date | None = Field(None, alias="from")
    valid_to: dt.date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _order(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("to must not be before from")
        return self

    def covers(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


def _check_periods(periods: list[Period]) -> list[Period]:
    ordered = sorted(periods, key=lambda p: p.valid_from or dt.date.min)
    for a, b in zip(ordered, ordered[1:]):
        if a.valid_to is None or (b.valid_from is not None and b.valid_from <= a.valid_to) or b.valid_from is None:
            raise ValueError("dated periods overlap")
    return periods


def _dated(minimum: int):
    what = "a positive integer" if minimum > 0 else "a non-negative integer"

    def check(value):
        if isinstance(value, bool) or value is None:
            raise ValueError(f"must be {what}")
        if isinstance(value, int):
            if value < minimum:
                raise ValueError(f"must be {what}")
            return value
        if isinstance(value, (list, tuple)) and value:
            try:
                periods = [p if isinstance(p, Period) else Period.model_validate(p) for p in value]
            except ValidationError as e:
                first = e.errors()[0]
                raise ValueError(f"period {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
            if any(p.value < minimum for p in periods):
                raise ValueError(f"period values must be {what}")
            return tuple(_check_periods(periods))
        raise ValueError(f"must be {what} or a list of {{value, from, to}} periods")

    return BeforeValidator(check)


Dated = Annotated[Any, _dated(0)]
DatedPositive = Annotated[Any, _dated(1)]


def value_at(dated, on: dt.date | None):
    """The value in force on `on` (None if no period covers it); a plain value is always in force."""
    if dated is None or isinstance(dated, int):
        return dated
    if on is None:
        return dated[-1].value
    for period in dated:
        if period.covers(on):
            return period.value
    return None


# --- clauses ------------------------------------------------------------------------------------
class ClauseBase(Strict):
    id: str = Field(min_length=1, pattern=r"^[\w.\-]+$")
    article: Article
    text: str = ""  # the wording of the seed, quoted
    note: str = ""
    on_fail: Literal["fail", "needs_review"] = "fail"  # "原则上/一般/暂缓": a fail asks a reviewer


class Bound(Strict):
    value: NonNegativeInt
    word: Literal["以上", "以下", "以内", "届满", "满", "不满", "超过", "不超过", "以外"]
    inclusive: bool | None = None  # explicit "（含）" in the text wins over every definition


def _skill(v):
    return None if v is None else levels.skill_level(v)


def _complevel(v):
    return None if v is None else levels.competition_level(v)


class Group(ClauseBase):
    kind: Literal["all_of", "any_of", "none_of"]
    clauses: list["Clause"] = Field(min_length=1)


class Age(ClauseBase):
    kind: Literal["age"]
    min: Bound | None = None
    max: Bound | None = None

    @model_validator(mode="after")
    def _some(self):
        if self.min is None and self.max is None:
            raise ValueError("age needs min or max")
        if self.min and self.min.word not in ("以上", "届满", "满", "超过"):
            raise ValueError(f"min.word {self.min.word} is an upper-bound word")
        if self.max and self.max.word not in ("以下", "以内", "不满", "不超过"):
            raise ValueError(f"max.word {self.max.word} is a lower-bound word")
        return self


class WorkingAge(ClauseBase):
    kind: Literal["working_age"]
    min_age: NonNegativeInt = 16


class Qualification(ClauseBase):
    kind: Literal["qualification"]
    min_level: Any = None
    exact_level: Any = None
    kinds: list[Literal[tuple(CERT_KINDS)]] = []  # type: ignore[valid-type]
    same_occupation: bool = False
    issued_from: dt.date | None = None

    _lv = field_validator("min_level", "exact_level")(lambda v: _skill(v))

    @model_validator(mode="after")
    def _one(self):
        if (self.min_level is None) == (self.exact_level is None):
            raise ValueError("qualification needs exactly one of min_level and exact_level")
        return self


class InsuredEmployment(ClauseBase):
    kind: Literal["insured_employment"]
    months: PositiveInt
    continuous: bool = True
    sectors: list[Literal[tuple(SECTORS)]] = []  # type: ignore[valid-type]


class CurrentPost(ClauseBase):
    kind: Literal["current_post"]
    frontline: bool = True
    in_jurisdiction: bool = True
    or_residence: bool = False
    occupations: list[str] = []  # the post's occupation is one of these (粤菜烹饪, 面点制作…)


class EmployerSector(ClauseBase):
    kind: Literal["employer_sector"]
    allowed: list[Literal[tuple(SECTORS)]] = []  # type: ignore[valid-type]
    excluded: list[Literal[tuple(SECTORS)]] = []  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one(self):
        if bool(self.allowed) == bool(self.excluded):
            raise ValueError("employer_sector needs exactly one of allowed and excluded")
        return self


class Placement(Strict):
    level: Any
    or_higher: bool = False  # "省级以上": this level or any higher one
    klass: Any = Field(None, alias="class")
    rank_max: PositiveInt | None = None

    _lv = field_validator("level")(lambda v: levels.competition_level(v))
    _kl = field_validator("klass")(lambda v: None if v is None else levels.competition_class(v))


class Competition(ClauseBase):
    kind: Literal["competition"]
    placements: list[Placement] = Field(min_length=1)
    within_years: PositiveInt | None = None


class Title(ClauseBase):
    """A title (称号) from `titles`, or any title of `min_level` or higher, optionally only those
    awarded by `issuer` or a place inside it (one city's 技术能手 is not another city's)."""

    kind: Literal["title"]
    titles: list[str] = []
    min_level: Any = None
    issuer: str | None = None  # jurisdiction path of the awarding body
    within_years: PositiveInt | None = None
    held_on_date: bool = False  # the title's term (start..end) covers the reference date
    min_count: PositiveInt = 1  # "累计两次入选": at least this many awards

    _lv = field_validator("min_level")(lambda v: _complevel(v))

    @model_validator(mode="after")
    def _some(self):
        if not self.titles and self.min_level is None:
            raise ValueError("title needs titles or min_level")
        return self


class Tenure(ClauseBase):
    """Years of work from the employment spells, counted in calendar days up to the reference
    date: `min`/`max` are bounds in years ({value, word}) compared with the days of the same
    number of years before the reference date. `continuous`: only the run of spells reaching the
    reference date counts (a gap longer than `max_gap_days` restarts it; a change of employer
    without a gap does not)."""

    kind: Literal["tenure"]
    min: Bound | None = None
    max: Bound | None = None
    continuous: bool = False
    in_jurisdiction: bool = False
    same_occupation: bool = False  # spells in the occupation of the current spell
    full_time_only: bool = False
    max_gap_days: NonNegativeInt = 0

    @model_validator(mode="after")
    def _some(self):
        if self.min is None and self.max is None:
            raise ValueError("tenure needs min or max")
        if self.min and self.min.word not in ("以上", "届满", "满", "超过"):
            raise ValueError(f"min.word {self.min.word} is an upper-bound word")
        if self.max and self.max.word not in ("以下", "以内", "不满", "不超过"):
            raise ValueError(f"max.word {self.max.word} is a lower-bound word")
        return self


class Attribute(ClauseBase):
    """A person attribute (国籍, 户籍, 工会会员, 非遗传承人…) or, with `of: employer`, a designation
    of the current employer (专精特新, 高新技术企业…), as declared in the vocabulary. Passes when a
    row of the attribute holds on the reference date with one of `values` (any value when empty),
    a place inside `within` (place-valued attributes such as 户籍) and at least `min_level`."""

    kind: Literal["attribute"]
    attribute: str = Field(min_length=1)
    of: Literal["person", "employer"] = "person"  # filled from the vocabulary by the loader
    values: list[str] = []
    within: str | None = None
    min_level: Any = None

    _lv = field_validator("min_level")(lambda v: _complevel(v))


class Achievement(ClauseBase):
    kind: Literal["achievement"]
    kinds: list[Literal[tuple(ACHIEVEMENT_KINDS)]] = Field(min_length=1)  # type: ignore[valid-type]
    min_level: Any = None
    max_grade: Annotated[int, Field(ge=1, le=3)] | None = None
    within_years: PositiveInt | None = None

    _lv = field_validator("min_level")(lambda v: _complevel(v))


class Apprentices(ClauseBase):
    kind: Literal["apprentices"]
    min_count: PositiveInt
    min_level: Any = None
    outcomes: list[Literal["backbone", "competition"]] = []
    per_year: PositiveInt | None = None  # each of the last N years has min_count reaching min_level
    agreement: bool = False

    _lv = field_validator("min_level")(lambda v: _skill(v))


class Studio(ClauseBase):
    kind: Literal["studio"]
    min_level: Any
    kinds: list[Literal[tuple(STUDIO_KINDS)]] = []  # type: ignore[valid-type]

    _lv = field_validator("min_level")(lambda v: _complevel(v))


class ProgrammeRef(Strict):
    name: str
    max_grade: str | None = None  # "D": category D or higher (A..D)

    @field_validator("max_grade")
    @classmethod
    def _letter(cls, v):
        if v is not None and (len(v) != 1 or not v.isalpha()):
            raise ValueError("max_grade must be one letter such as D")
        return v


class Programme(ClauseBase):
    kind: Literal["programme"]
    programmes: list[ProgrammeRef] = []
    min_level: Any = None
    current_only: bool = True  # the membership (support period) runs on the reference date
    joined_by: dt.date | None = None  # "2022年及之前入选": joined on or before this date

    _lv = field_validator("min_level")(lambda v: _complevel(v))

    @model_validator(mode="after")
    def _some(self):
        if not self.programmes and self.min_level is None:
            raise ValueError("programme needs programmes or min_level")
        return self


class Record(ClauseBase):
    kind: Literal["record"]
    kinds: list[Literal[tuple(RECORD_KINDS)]] = Field(min_length=1)  # type: ignore[valid-type]
    within_years: PositiveInt | None = None
    open_only: bool = False  # only records still in force / investigations not concluded


class EmployerRecord(ClauseBase):
    kind: Literal["employer_record"]
    kinds: list[Literal[tuple(ORG_RECORD_KINDS)]] = Field(min_length=1)  # type: ignore[valid-type]
    within_years: PositiveInt | None = None
    open_only: bool = False


class Incumbency(ClauseBase):
    kind: Literal["incumbency"]
    title: str
    term_years: PositiveInt | None = None  # used when a title row has no end date
    new_achievement_years: PositiveInt | None = None


class Manual(ClauseBase):
    kind: Literal["manual"]
    evidence: list[Literal["employment", "insurance", "certificates", "competitions", "titles",
                           "achievements", "apprentices", "studios", "programmes", "records"]] = []


Clause = Annotated[
    Union[Group, Age, WorkingAge, Qualification, InsuredEmployment, CurrentPost, EmployerSector,
          Competition, Title, Tenure, Attribute, Achievement, Apprentices, Studio, Programme, Record, EmployerRecord,
          Incumbency, Manual],
    Field(discriminator="kind"),
]
Group.model_rebuild()
CLAUSE_KINDS = ["all_of", "any_of", "none_of", "age", "working_age", "qualification", "insured_employment",
                "current_post", "employer_sector", "competition", "title", "tenure", "attribute", "achievement", "apprentices",
                "studio", "programme", "record", "employer_record", "incumbency", "manual"]


def walk(clause):
    """Every clause of a tree, parents before children."""
    yield clause
    for child in getattr(clause, "clauses", []):
        yield from walk(child)


# --- honours, benefits, exits -------------------------------------------------------------------
class CategoryCap(Strict):
    """Caps inside the total by a category of candidate, as a policy may say (每个职业（工种）不超过
    M名; 某行业不超过N名): the same cap for every category (`max_each`) and/or caps for named
    categories (`caps`). Categories: the candidate's 职业（工种） or the employer's 行业."""
    article: Article
    by: Literal["occupation", "industry"]
    max_each: PositiveInt | None = None
    caps: dict[str, PositiveInt] = {}
    note: str = ""

    @model_validator(mode="after")
    def _some(self):
        if self.max_each is None and not self.caps:
            raise ValueError("a category cap needs max_each or caps")
        return self


class Quota(Strict):
    article: Article
    max: DatedPositive | None = None
    target: DatedPositive | None = None  # "15名左右": about this many
    min: DatedPositive | None = None
    total: PositiveInt | None = None  # cumulative target of the programme ("到2025年共计50名")
    total_by: dt.date | None = None
    per: Literal["cycle", "year", "round"] = "cycle"
    within: list[CategoryCap] = []  # caps per occupation / industry inside the total
    note: str = ""

    @model_validator(mode="after")
    def _some(self):
        if self.max is None and self.target is None:
            raise ValueError("quota needs max or target")
        if len({c.by for c in self.within}) != len(self.within):
            raise ValueError("one category cap per kind of category")
        return self


class Term(Strict):
    years: PositiveInt
    name: str = "管理期"
    article: Article


class Cycle(Strict):
    years: PositiveInt
    article: Article
    month: Annotated[int, Field(ge=1, le=12)] | None = None  # month the call is usually issued
    note: str = ""


class Suspension(Strict):
    article: Article
    employer_records: list[Literal[tuple(ORG_RECORD_KINDS)]] = Field(min_length=1)  # type: ignore[valid-type]
    effect: Literal["suspend", "withhold"] = "suspend"  # 暂缓发放 / 不予发放
    # "暂缓发放或不予发放": the bureau may also refuse a held payment for good, citing the article
    may_refuse: bool = False
    text: str = ""


class Benefit(Strict):
    id: str = Field(pattern=r"^[\w.\-]+$")
    article: Article
    name: str
    kind: Literal["cash", "in_kind", "priority", "status"] = "cash"
    amount_fen: Dated | None = None
    schedule: Literal["monthly", "annual", "one_time"] | None = None
    duration_years: PositiveInt | None = None
    during_term: bool = False
    payments: PositiveInt | None = None  # number of payments when fixed (24 monthly, 2 annual)
    funding: str = ""
    payer: Literal["government", "employer"] = "government"
    pre_tax: bool = True
    pay_to: Literal["social_security_card", "bank_account", "employer", "unspecified"] = "unspecified"
    conditions: list[str] = []
    suspensions: list[Suspension] = []
    payments_valid_to: dt.date | None = None
    # payments from this number on are made only after a passed renewal (环翠 第十二条: 第二年复核认定)
    renewal_required_from: PositiveInt | None = None
    text: str = ""

    @model_validator(mode="after")
    def _cash(self):
        if self.kind == "cash" and (self.amount_fen is None or self.schedule is None):
            raise ValueError("a cash benefit needs amount_fen and schedule")
        return self


class Effects(Strict):
    benefits: Literal["stop", "continue"] = "stop"
    title: Literal["kept", "revoked", "unspecified"] = "unspecified"
    certificate: Literal["kept", "recalled", "unspecified"] = "unspecified"
    clawback: bool = False
    clawback_what: list[str] = []
    ban_reapply: Literal["none", "permanent", "current_round", "unspecified"] = "unspecified"
    referral: bool = False  # 移交司法机关
    # what a clawback covers: everything paid since the award (骗取: 收回津贴补助) or only what was
    # paid after the decision's effective date
    clawback_from: Literal["award", "effective"] = "award"


class Outcome(Strict):
    id: str = Field(pattern=r"^[\w.\-]+$")
    article: Article
    when: str
    event: Literal["left_skilled_post", "moved_away", "higher_title", "term_end", "penalty",
                   "discipline", "misconduct", "fraud", "refused_duties", "accident", "other"]
    during_term_only: bool = False
    decided_by: str = ""
    effects: Effects
    text: str = ""


class Duty(Strict):
    article: Article
    text: str
    who: Literal["holder", "employer", "bureau"] = "holder"
    annual_report: bool = False
    # A dated duty of the term (the honours app makes one task per due date): what it is, when it
    # first falls due after the term starts, how often it repeats within the term, and how many
    # days before the due date the responsible party is reminded. Undated duties are listed only.
    kind: Literal["general", "plan", "annual_report", "assessment", "contact_officer"] = "general"
    due_after_months: NonNegativeInt | None = None
    every_months: PositiveInt | None = None
    remind_days: PositiveInt = 14
    note: str = ""

    @model_validator(mode="after")
    def _dated(self):
        if self.every_months and self.due_after_months is None:
            raise ValueError("every_months needs due_after_months")
        return self


class Renewal(Strict):
    article: Article
    name: str = "复核认定"
    criteria: Clause
    materials: list[str] = []
    materials_article: str = ""
    benefit_note: str = ""
    # the review falls due this many months after the term starts (环翠 第十二条: 第二年复核认定)
    due_after_months: PositiveInt = 12
    # what a failed review does to the honour from its decision date (benefits stop; title per policy)
    on_fail: Effects = Effects(benefits="stop", title="unspecified")


class CertificateSpec(Strict):
    """The certificate an honour carries: who issues it (赣州 第八条: 由市人民政府颁发证书) and the
    prefix of the programme's certificate number series."""

    article: Article
    issuer: str = Field(min_length=2)
    number_prefix: str = Field(pattern=r"^[A-Z0-9]{1,12}$")
    name: str = "荣誉证书"


class PriorityRule(Strict):
    id: str = Field(pattern=r"^[\w.\-]+$")
    article: Article
    text: str
    clause: Clause


class Honour(Strict):
    code: str = Field(pattern=r"^[a-z0-9\-]+$")
    title: str
    kind: Literal["honour", "subsidy"] = "honour"
    quota: Quota | None = None
    term: Term | None = None
    eligibility: Clause
    priority: list[PriorityRule] = []
    benefits: list[Benefit] = []
    renewal: Renewal | None = None
    exits: list[Outcome] = []
    revocations: list[Outcome] = []
    duties: list[Duty] = []
    certificate: CertificateSpec | None = None
    note: str = ""

    @model_validator(mode="after")
    def _unique_ids(self):
        seen = set()
        trees = [self.eligibility, *(p.clause for p in self.priority)]
        if self.renewal:
            trees.append(self.renewal.criteria)
        for tree in trees:
            for clause in walk(tree):
                if clause.id in seen:
                    raise ValueError(f"clause id {clause.id} is used twice")
                seen.add(clause.id)
        return self


# --- recommendation and procedure ---------------------------------------------------------------
class Route(Strict):
    kind: Literal["self", "employer", "recommending_unit", "competition_winner"]
    article: Article
    to: str = ""
    note: str = ""


ORGANISATION_KINDS = ["province", "city", "district", "devzone", "department", "association", "enterprise",
                      "institution", "school"]  # gongjiang.core.vocab.OrgKind


class UnitType(Strict):
    code: str = Field(pattern=r"^[a-z0-9_\-]+$")
    name: str
    article: Article
    # Whom a unit of this kind may nominate: candidates working in its area (its jurisdiction, places
    # below counted: a county, a county bureau, a city department) or its own staff (an enterprise).
    nominates: Literal["area", "staff"]
    # The kinds of organisation that may be a unit of this type (empty: any).
    organisations: list[Literal[tuple(ORGANISATION_KINDS)]] = []  # type: ignore[valid-type]
    quota_max: DatedPositive | None = None
    quota_min: DatedPositive | None = None
    soft: bool = False  # "一般不超过": may be exceeded with reasons


UNIT_STEP_KINDS = {
    "staff_recommendation": "职工代表大会或职工推荐",
    "expert_evaluation": "组织专家综合评定",
    "unit_notice": "单位内公示",
    "unit_approval": "单位党组织或行政审核同意（审定）",
}


class UnitStep(Strict):
    """One step the recommending unit takes before it reports a candidate (聊城 三: 组织7名以上…专家
    综合评定；推荐人选在人选所在单位公示5个工作日并无异议后经县（市、区）人才工作领导小组审定后…报送).
    The bureau receives the candidate only when every step is done (applications.unit_steps)."""

    kind: Literal[tuple(UNIT_STEP_KINDS)]  # type: ignore[valid-type]
    article: Article
    name: str = ""
    by: str = ""
    working_days: PositiveInt | None = None  # unit_notice: 公示N个工作日, counted by the workdays calendar
    min_experts: PositiveInt | None = None   # expert_evaluation: 组织N名以上专家
    text: str = ""

    @model_validator(mode="after")
    def _fields(self):
        if self.kind == "unit_notice" and self.working_days is None:
            raise ValueError("unit_notice needs working_days (公示N个工作日)")
        if self.kind != "unit_notice" and self.working_days is not None:
            raise ValueError("working_days belongs to a unit_notice step")
        if self.kind != "expert_evaluation" and self.min_experts is not None:
            raise ValueError("min_experts belongs to an expert_evaluation step")
        return self

    @property
    def title(self) -> str:
        return self.name or UNIT_STEP_KINDS[self.kind]


class UnitProcedure(Strict):
    article: Article
    steps: list[UnitStep] = []  # in the order the unit takes them
    notice_where: str = ""
    deadline: dt.date | None = None
    ranking_required_above: PositiveInt | None = None

    @field_validator("steps")
    @classmethod
    def _one_of_each(cls, steps):
        kinds = [s.kind for s in steps]
        if len(kinds) != len(set(kinds)):
            raise ValueError("each unit step kind may appear once")
        return steps

    def step(self, kind) -> UnitStep | None:
        return next((s for s in self.steps if s.kind == kind), None)

    @property
    def notice_working_days(self) -> int | None:
        notice = self.step("unit_notice")
        return notice.working_days if notice else None

    @property
    def expert_panel_min(self) -> int | None:
        evaluation = self.step("expert_evaluation")
        return evaluation.min_experts if evaluation else None


class ExcludedRoute(Strict):
    """A route the policy refuses in words (不受理个人申请): refused at intake with its article."""
    kind: Literal["self", "employer", "recommending_unit", "competition_winner"]
    article: Article
    text: str = Field(min_length=2)


class Recommendation(Strict):
    routes: list[Route] = Field(min_length=1)
    excluded: list[ExcludedRoute] = []
    unit_types: list[UnitType] = []
    unit_procedure: UnitProcedure | None = None

    @model_validator(mode="after")
    def _excluded_not_offered(self):
        offered = {r.kind for r in self.routes}
        for x in self.excluded:
            if x.kind in offered:
                raise ValueError(f"route {x.kind} is both offered and excluded")
        return self


# The stage entries of `procedure` are the stage kinds' own settings models (one module per kind
# in gongjiang.review.stages), a union keyed by `kind`: unknown keys are errors.
from gongjiang.review.stages import STAGE_KINDS, Settings as Stage  # noqa: E402,F401


# --- the policy ---------------------------------------------------------------------------------
class DocumentInfo(Strict):
    title: str
    number: str = ""
    issuer: str = ""
    issued: dt.date | None = None
    status: Literal["draft", "in_force", "notice"] = "in_force"
    seed: str = ""
    based_on: list[str] = []


class Validity(Strict):
    article: Article
    valid_from: dt.date | None = Field(None, alias="from")
    valid_to: dt.date | None = Field(None, alias="to")
    payments_valid_to: dt.date | None = None
    note: str = ""


class Definitions(Strict):
    article: Article
    inclusive: dict[Literal["以上", "以下", "以内", "届满", "满", "不满", "超过", "不超过", "以外"], bool]


class ReferenceDate(Strict):
    article: Article
    month: Annotated[int, Field(ge=1, le=12)] = 1
    day: Annotated[int, Field(ge=1, le=31)] = 1
    note: str = ""


class Material(Strict):
    article: Article
    name: str
    copies: PositiveInt | None = None
    pdf: bool = False
    note: str = ""


class Edition(Strict):
    """An earlier (or later) edition of the programme in the same file: its own dates, honours
    (tiers, clause trees, title lists, quotas, amounts, term), cycle and procedure. Outside every
    edition's dates the top-level honours, cycle and procedure apply (the current edition, within
    `validity`). Editions may not overlap each other nor the top-level validity."""

    id: str = Field(pattern=r"^[\w.\-]+$")
    title: str = ""  # the edition's document title (default: the policy's)
    number: str = ""  # its 文号
    article: Article
    valid_from: dt.date = Field(alias="from")
    valid_to: dt.date | None = Field(None, alias="to")
    honours: list[Honour] = Field(min_length=1)
    cycle: Cycle | None = None
    procedure: list[Stage] = []  # empty: the top-level procedure
    note: str = ""

    @model_validator(mode="after")
    def _order(self):
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("to must not be before from")
        codes = [h.code for h in self.honours]
        if len(set(codes)) != len(codes):
            raise ValueError("honour codes must be unique")
        return self

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class VocabularyEntry(Strict):
    """A title or programme a policy declares next to the shared vocabulary (policies/vocabulary.yaml)."""

    name: str = Field(min_length=1)
    aliases: list[str] = []
    level: Any = None  # level of the awarding body (市级, 省级…)
    issuer: str | None = None  # jurisdiction path of the awarding body
    note: str = ""

    _lv = field_validator("level")(lambda v: _complevel(v))


class AttributeEntry(Strict):
    """A person attribute or employer designation an `attribute` clause can test. Adding the next
    attribute is one entry here (or in policies/vocabulary.yaml), not Python."""

    name: str = Field(min_length=1, pattern=r"^[\w\-]+$")  # the key in facts and clauses
    label: str = Field(min_length=1)  # 户籍, 专精特新中小企业…
    of: Literal["person", "employer"] = "person"
    value_kind: Literal["none", "word", "place"] = "none"  # none: held or not; place: 户籍地…
    values: list[str] = []  # the allowed words of a `word` attribute (empty: any)
    levels: bool = False  # rows carry a level (国家级, 省级…)
    aliases: list[str] = []
    note: str = ""


class LocalVocabulary(Strict):
    titles: list[VocabularyEntry] = []
    programmes: list[VocabularyEntry] = []
    attributes: list[AttributeEntry] = []


class TargetItem(Strict):
    """One headcount a policy sets out to reach: new holders of a skill level (`level`), or, with
    `stock: true` and no level, the total number of skilled workers (anyone holding a certificate)."""
    label: str
    count: PositiveInt
    level: Any = None
    stock: bool = False
    _lv = field_validator("level")(lambda v: _skill(v))

    @model_validator(mode="after")
    def _level_or_stock(self):
        if (self.level is None) != self.stock:
            raise ValueError("a target counts either new holders of a level or (stock: true) every skilled worker")
        return self


class Targets(Strict):
    """Development targets over several years (仲恺 第四条: 未来5年内引进培养高级技师100名…),
    tracked on the dashboards against the registry's certificates, year by year."""
    article: Article
    starts: dt.date
    years: PositiveInt
    text: str = ""
    items: list[TargetItem] = Field(min_length=1)


class TalentTypes(Strict):
    """The types of skilled talent the selection must consider (惠阳 第三条: 充分考虑技术技能型、
    知识技能型、复合技能型高技能人才的不同特点): the application form asks which one the
    applicant is, and the dashboards count candidates and holders by it."""
    article: Article
    text: str = ""
    types: list[str] = Field(min_length=2)

    @model_validator(mode="after")
    def _distinct(self):
        if len(set(self.types)) != len(self.types):
            raise ValueError("talent types must be distinct")
        return self


class PolicyFile(Strict):
    schema_version: Literal[1] = 1
    title: str
    short_title: str
    document: DocumentInfo
    jurisdiction: str = Field(min_length=2)  # path in the jurisdiction tree: 广东省/惠州市/惠阳区
    validity: Validity
    definitions: Definitions | None = None
    reference_date: ReferenceDate | None = None
    cycle: Cycle | None = None
    principles: str = ""
    honours: list[Honour] = Field(min_length=1)
    recommendation: Recommendation
    procedure: list[Stage] = Field(min_length=1)
    materials: list[Material] = []
    duties: list[Duty] = []
    targets: Targets | None = None
    talent_types: TalentTypes | None = None
    notes: list[str] = []
    vocabulary: LocalVocabulary = LocalVocabulary()  # titles, programmes, attributes of this policy
    editions: list[Edition] = []
    edition: str = ""  # set by edition_on: the id of the edition these honours belong to ("" current)

    # set by the loader from the file name
    code: str = Field("", pattern=r"^[a-z0-9\-]*$")

    @model_validator(mode="after")
    def _unique(self):
        codes = [h.code for h in self.honours]
        if len(set(codes)) != len(codes):
            raise ValueError("honour codes must be unique")
        spans = [(e.valid_from, e.valid_to or dt.date.max, e.id) for e in self.editions]
        v = self.validity
        if self.editions:
            if v.valid_from is None:
                raise ValueError("a policy with editions needs validity.from (the current edition's start)")
            spans.append((v.valid_from, v.valid_to or dt.date.max, "current"))
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            if b[0] <= a[1]:
                raise ValueError(f"editions {a[2]} and {b[2]} overlap")
        return self

    def edition_on(self, on: dt.date) -> "PolicyFile":
        """The policy as the edition in force on `on` has it (itself when no edition covers `on`)."""
        for e in self.editions:
            if e.covers(on):
                return self.model_copy(update={
                    "honours": e.honours, "cycle": e.cycle or self.cycle, "procedure": e.procedure or self.procedure,
                    "edition": e.id, "editions": [],
                    "document": self.document.model_copy(update={"title": e.title or self.document.title,
                                                                  "number": e.number}),
                    "validity": self.validity.model_copy(update={"valid_from": e.valid_from, "valid_to": e.valid_to}),
                })
        return self

    def edition_title(self, on: dt.date) -> str:
        for e in self.editions:
            if e.covers(on):
                return e.title or e.id
        return self.document.title

    def honour(self, code: str | None = None) -> Honour:
        if code is None:
            return self.honours[0]
        for h in self.honours:
            if h.code == code:
                return h
        raise KeyError(code)

    def in_force(self, on: dt.date) -> bool:
        v = self.validity
        return (v.valid_from is None or v.valid_from <= on) and (v.valid_to is None or on <= v.valid_to)

    def reference_on(self, year: int) -> dt.date:
        ref = self.reference_date or ReferenceDate(article="—")
        return dt.date(year, ref.month, ref.day)
