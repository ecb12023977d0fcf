"""Review stages: expert pool and panels, scores, qualification review, site inspection, credit
check, committee decisions and the secret ballot.

Business rules are in services.py, stages.py and the pure modules (draw, scoring, tally); the
models only hold the records and the database constraints that tie a state to the fields it needs.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Expert(models.Model):
    """A member of an expert pool (专家库): a registry person or an outside specialist."""

    name = models.CharField("姓名", max_length=60)
    pool = models.ForeignKey("accounts.Organisation", verbose_name="所属专家库（辖区）", on_delete=models.PROTECT,
                             related_name="+")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="平台账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert_profile")
    person = models.ForeignKey("registry.Person", verbose_name="人员库人员", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    employer = models.ForeignKey("accounts.Organisation", verbose_name="工作单位", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    employer_name = models.CharField("工作单位名称", max_length=200, blank=True,
                                     help_text="工作单位不在组织库中时填写")
    other_units = models.ManyToManyField("accounts.Organisation", verbose_name="其他任职单位", blank=True,
                                         related_name="+")
    occupations = models.JSONField("职业（工种）/专业领域", default=list)
    title = models.CharField("职称/技能等级", max_length=100, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["pool", "name", "pk"]

    def __str__(self):
        return self.name

    @property
    def key(self):
        return f"expert:{self.pk}"


class RelationKind(models.TextChoices):
    RELATIVE = "relative", "亲属"
    MENTOR = "mentor", "师父"
    APPRENTICE = "apprentice", "徒弟"
    OTHER = "other", "其他利害关系"


class ExpertRelation(models.Model):
    """A relation an expert declared in advance (亲属、师徒): avoidance for that person."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="relations")
    person = models.ForeignKey("registry.Person", verbose_name="关系人", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("关系", max_length=12, choices=RelationKind.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "专家申报关系"
        verbose_name_plural = "专家申报关系"
        constraints = [models.UniqueConstraint(fields=["expert", "person", "kind"], name="review_relation_unique")]


class UnitRelationKind(models.TextChoices):
    SAME_UNIT = "same_unit", "同一单位（现任职或曾任职）"
    OTHER = "other", "其他利害关系"


class ExpertUnitRelation(models.Model):
    """A relation an expert declared with an organisation (同单位、其他利害关系): avoidance for every
    candidate employed by or recommended through that organisation. The organisation is also kept
    in the expert's other_units, which the draw and the composition read as affiliations."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="unit_relations")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="关系单位", on_delete=models.CASCADE,
                                     related_name="+")
    kind = models.CharField("关系", max_length=12, choices=UnitRelationKind.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "专家申报关系单位"
        verbose_name_plural = "专家申报关系单位"
        constraints = [models.UniqueConstraint(fields=["expert", "organisation", "kind"],
                                               name="review_unit_relation_unique")]


class PanelMethod(models.TextChoices):
    DRAW = "draw", "随机抽取"
    COMPOSE = "compose", "组建"


class Panel(models.Model):
    """An expert panel drawn at random for a round or an occupation group. The seed and the
    snapshot of the pool and candidates let an auditor re-run the draw (see draw.py)."""

    round = models.ForeignKey("rounds.Round", verbose_name="批次", on_delete=models.PROTECT, related_name="panels")
    name = models.CharField("专家组名称", max_length=120)
    occupations = models.JSONField("职业（工种）组", default=list, blank=True)
    size = models.PositiveSmallIntegerField("抽取人数")
    min_size = models.PositiveSmallIntegerField("最少人数")
    seed = models.CharField("随机种子", max_length=64)
    snapshot = models.JSONField("抽取时专家库与申报人快照")
    result = models.JSONField("抽取结果")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽取时间")
    closed_at = models.DateTimeField("评分结束时间", null=True, blank=True)
    # 惠阳 第九条: 评选委员会负责组建专家组. A composed panel has no seed; drawn_by / drawn_at then
    # record who composed it and when.
    method = models.CharField("产生方式", max_length=8, choices=PanelMethod.choices, default=PanelMethod.DRAW)

    class Meta:
        verbose_name = "专家组"
        verbose_name_plural = "专家组"
        ordering = ["-drawn_at", "pk"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """One expert assessing one candidate on one panel. An expert sees only the candidates of their
    active assignments."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="review_assignments")
    is_reserve = models.BooleanField("替补专家", default=False)
    active = models.BooleanField("有效", default=True)
    withdrawn_reason = models.CharField("撤回原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "评审分配"
        verbose_name_plural = "评审分配"
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert", "application"], name="review_assignment_unique"),
            models.CheckConstraint(condition=Q(active=True) | ~Q(withdrawn_reason=""),
                                   name="review_assignment_withdrawn_has_reason"),
        ]


class ConflictDeclaration(models.Model):
    """An expert's declaration of a conflict on a candidate (主动申请回避)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="conflicts")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="conflicts")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("回避理由", max_length=300)
    declared_at = models.DateTimeField("声明时间")
    replacement = models.ForeignKey(Expert, verbose_name="替补专家", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "回避声明"
        verbose_name_plural = "回避声明"
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert", "application"], name="review_conflict_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="review_conflict_has_reason"),
        ]


class Score(models.Model):
    """One expert's score sheet for one candidate: points per rubric criterion, total, comment."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="score")
    points = models.JSONField("各项得分")
    total = models.DecimalField("总分", max_digits=7, decimal_places=2)
    comment = models.TextField("评语")
    submitted_at = models.DateTimeField("提交时间")
    # 代录: a clerk entered the expert's scores from the signed paper sheet (kept as `sheet`).
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代录人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    sheet = models.ForeignKey("StoredFile", verbose_name="纸质评分表", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "专家评分"
        verbose_name_plural = "专家评分"
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="review_score_nonnegative"),
            models.CheckConstraint(condition=~Q(comment=""), name="review_score_has_comment"),
        ]


class QualificationOutcome(models.TextChoices):
    PASS = "pass", "初审通过"
    REJECT = "reject", "初审不通过"
    FRAUD = "fraud", "材料弄虚作假，取消当年申报资格"


class QualificationDecision(models.Model):
    """资格初审 (惠阳 第十条（三）; 环翠 第十条（三）). The engine's clause results at decision time, the
    manual clauses attested by the officer, and the outcome. A rejection cites the article."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="qualification_decisions")
    outcome = models.CharField("结论", max_length=10, choices=QualificationOutcome.choices)
    article = models.CharField("依据条款", max_length=60, blank=True)
    reason = models.TextField("理由", blank=True)
    engine_result = models.JSONField("资格条件逐条结果", default=list)
    attestations = models.JSONField("人工认定条款", default=list)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        verbose_name = "资格初审"
        verbose_name_plural = "资格初审"
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome="pass") | (~Q(reason="") & ~Q(article="")),
                                   name="review_qualification_rejection_cites_article"),
        ]


class InspectionOutcome(models.TextChoices):
    PASS = "pass", "考察通过，列入复审名单"
    FAIL = "fail", "考察不通过"


class SiteInspection(models.Model):
    """实地考察 (惠阳 第十条（四）): who visited when, the employer's opinion, findings."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="site_inspections")
    visited_on = models.DateField("考察日期")
    visitors = models.CharField("考察人员", max_length=300)
    employer_opinion = models.TextField("所在单位意见")
    findings = models.TextField("考察情况")
    outcome = models.CharField("结论", max_length=10, choices=InspectionOutcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "实地考察"
        verbose_name_plural = "实地考察"
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(visitors="") & ~Q(employer_opinion="") & ~Q(findings=""),
                                   name="review_inspection_complete"),
        ]


class StoredFile(models.Model):
    """An attachment checked by applications.uploads and stored outside the web root."""

    path = models.CharField(max_length=255)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    inspection = models.ForeignKey(SiteInspection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="attachments")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self):
        return self.name


class Department(models.TextChoices):
    """惠阳 第十条（六）: 征求公安、市场监管、法院、检察院、税务等部门意见."""

    POLICE = "police", "公安"
    MARKET = "market", "市场监管"
    COURT = "court", "法院"
    PROCURATORATE = "procuratorate", "检察院"
    TAX = "tax", "税务"


class CreditFinding(models.TextChoices):
    CLEAR = "clear", "无不良记录"
    ADVERSE = "adverse", "有不良记录"
    EMPLOYER = "employer", "所在单位存在暂缓情形"


class CreditRequest(models.Model):
    """One department's security and credit opinion (安全信用审查) on one candidate: the request, then
    the answer with its date and document."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="credit_requests")
    department = models.CharField("征求意见部门", max_length=20, choices=Department.choices)
    requested_on = models.DateField("发函日期")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letter_number = models.CharField("函件文号", max_length=80, blank=True)
    answered_on = models.DateField("复函日期", null=True, blank=True)
    finding = models.CharField("意见", max_length=10, choices=CreditFinding.choices, blank=True)
    summary = models.TextField("意见内容", blank=True)
    document = models.ForeignKey(StoredFile, verbose_name="复函文件", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "安全信用审查"
        verbose_name_plural = "安全信用审查"
        ordering = ["application", "department"]
        constraints = [
            models.UniqueConstraint(fields=["application", "department"], name="review_credit_one_per_department"),
            # Indico style: an answered request has its date and finding; a finding other than clear
            # has its content.
            models.CheckConstraint(condition=(Q(finding="") & Q(answered_on__isnull=True)) |
                                   (~Q(finding="") & Q(answered_on__isnull=False)),
                                   name="review_credit_answer_complete"),
            models.CheckConstraint(condition=Q(finding__in=["", "clear"]) | ~Q(summary=""),
                                   name="review_credit_adverse_has_content"),
        ]


class SessionMode(models.TextChoices):
    SECRET = "secret", "无记名投票"
    OPEN = "open", "集体审定"


class CommitteeSession(models.Model):
    """A committee meeting deciding on a round's shortlist (审定/认定). With mode=secret the members
    vote by secret ballot (仲恺 第五条（二）4 无记名投票)."""

    round = models.ForeignKey("rounds.Round", verbose_name="批次", on_delete=models.PROTECT,
                              related_name="committee_sessions")
    title = models.CharField("会议名称", max_length=120)
    mode = models.CharField("表决方式", max_length=10, choices=SessionMode.choices)
    threshold = models.JSONField("通过规则", default=dict, blank=True)
    held_on = models.DateField("会议日期")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="委员", related_name="committee_sessions")
    present = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="到会委员", related_name="+", blank=True)
    candidates = models.ManyToManyField("applications.Application", verbose_name="表决对象", related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("计票时间", null=True, blank=True)
    result = models.JSONField("计票结果", null=True, blank=True)

    class Meta:
        verbose_name = "评审委员会会议"
        verbose_name_plural = "评审委员会会议"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True, result__isnull=True) |
                                   Q(closed_at__isnull=False, result__isnull=False),
                                   name="review_session_closed_has_result"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.closed_at is None


class VoterRoll(models.Model):
    """Who has voted in a session: enforces one ballot sheet per member. Holds no choice, and no
    Ballot row refers to it."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "投票登记"
        verbose_name_plural = "投票登记"
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="review_vote_once")]


def _ballot_id():
    return uuid.uuid4()


class Ballot(models.Model):
    """One anonymous vote on one candidate. Deliberately nothing but a random id, the session, the
    candidate and the choice: no voter, no timestamp, no sequence. The session's ballots are
    rewritten in a fresh random order with fresh random ids whenever a sheet is cast (services.
    cast_ballots), so neither row order nor the inserting transaction tells one sheet from another."""

    id = models.UUIDField(primary_key=True, default=_ballot_id, editable=False)
    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="ballots")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="+")
    choice = models.CharField("表决意见", max_length=8,
                              choices=[("yes", "同意"), ("no", "不同意"), ("abstain", "弃权")])

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"
        # No default ordering: ballots are only ever counted.


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "审定通过"
    REJECTED = "rejected", "审定未通过"


class CommitteeDecision(models.Model):
    """The committee's decision on one candidate: from a counted secret ballot or recorded directly."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.PROTECT, related_name="decisions")
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="committee_decisions")
    outcome = models.CharField("结论", max_length=10, choices=DecisionOutcome.choices)
    yes = models.PositiveSmallIntegerField("同意", null=True, blank=True)
    no = models.PositiveSmallIntegerField("不同意", null=True, blank=True)
    abstain = models.PositiveSmallIntegerField("弃权", null=True, blank=True)
    reason = models.TextField("说明", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        verbose_name = "委员会决定"
        verbose_name_plural = "委员会决定"
        constraints = [
            models.UniqueConstraint(fields=["session", "application"], name="review_decision_once_per_session"),
        ]


class Notification(models.Model):
    """A decision message to an applicant or employer: shown on their home page, also e-mailed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_notifications")
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    url = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "评审通知"
        verbose_name_plural = "评审通知"
        ordering = ["-created_at", "-pk"]


class RankingEntry(models.Model):
    """A candidate's place after expert review: aggregated score, rank, shortlisted or not.
    Written when the bureau closes expert review; the shortlist and the public notice read it."""

    round = models.ForeignKey("rounds.Round", on_delete=models.CASCADE, related_name="ranking")
    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE,
                                       related_name="ranking_entry")
    category = models.CharField("类别", max_length=60, blank=True)
    score = models.DecimalField("综合得分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    expert_totals = models.JSONField("各专家总分（匿名）", default=list)
    decided_by = models.CharField("同分排序依据", max_length=200, blank=True)
    shortlisted = models.BooleanField("入围候选名单")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "评审排名"
        verbose_name_plural = "评审排名"
        ordering = ["round", "category", "rank", "application_id"]


class Disqualification(models.Model):
    """材料弄虚作假者，取消当年的申报资格 (环翠 第十条（三）): the person may not apply again this year."""

    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=60)
    year = models.PositiveSmallIntegerField("年度")
    application = models.OneToOneField("applications.Application", on_delete=models.PROTECT, related_name="+")
    article = models.CharField("依据条款", max_length=60)
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        verbose_name = "取消申报资格"
        verbose_name_plural = "取消申报资格"
        indexes = [models.Index(fields=["person", "year"])]


class OrganisationalOutcome(models.TextChoices):
    PASS = "pass", "组织审查通过"
    FAIL = "fail", "组织审查不通过"


class OrganisationalReview(models.Model):
    """组织审查: the organisation department's decision on one candidate, with its reason (required
    for a failure) and, where there is one, its written opinion."""

    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="organisational_reviews")
    department = models.CharField("审查部门", max_length=120)
    outcome = models.CharField("结论", max_length=10, choices=OrganisationalOutcome.choices)
    reason = models.TextField("理由", blank=True)
    decided_on = models.DateField("审查日期")
    document = models.ForeignKey(StoredFile, verbose_name="审查意见", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "组织审查"
        verbose_name_plural = "组织审查"
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome="pass") | ~Q(reason=""), name="review_org_fail_has_reason"),
        ]


class Forwarding(models.Model):
    """推荐上报: the round's selected candidates forwarded to a higher body on a date with a document
    (the recommendation letter); later the outcome there (date, document, who was selected)."""

    round = models.ForeignKey("rounds.Round", on_delete=models.CASCADE, related_name="forwardings")
    forwarded_on = models.DateField("上报日期")
    receiving_body = models.CharField("接收机关", max_length=120)
    letter_number = models.CharField("推荐文号", max_length=80, blank=True)
    document = models.ForeignKey(StoredFile, verbose_name="推荐文件", on_delete=models.PROTECT, related_name="+")
    applications = models.ManyToManyField("applications.Application", verbose_name="上报人选",
                                          related_name="forwardings")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    outcome_on = models.DateField("上级评定日期", null=True, blank=True)
    outcome_text = models.TextField("上级评定结果", blank=True)
    outcome_document = models.ForeignKey(StoredFile, verbose_name="上级评定文件", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    outcome_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="结果记录人", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "推荐上报"
        verbose_name_plural = "推荐上报"
        ordering = ["-forwarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome_on__isnull=True) | Q(outcome_recorded_by__isnull=False),
                                   name="review_forwarding_outcome_recorded_by"),
        ]
