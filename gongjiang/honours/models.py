"""Honours: the title a candidate holds after approval, its certificate, term and decisions.

An Honour is created by `services.award_round` in the approval's transaction (one per approved
candidate). Its term, certificate issuer and number series, exits, revocations, renewal and duties
come from the policy file (`honours[].term`, `certificate`, `exits`, `revocations`, `renewal`,
`duties`). State changes go through `services` (one function each, audited).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q


class HonourStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    EXITED = "exited", "已退出"  # benefits stopped (left the post, moved away, higher title, failed renewal)
    REVOKED = "revoked", "已撤销"


class TitleStatus(models.TextChoices):
    HELD = "held", "持有"
    KEPT = "kept", "保留称号"
    REVOKED = "revoked", "已撤销称号"


class CertificateStatus(models.TextChoices):
    NONE = "none", "政策未规定颁发证书"
    VALID = "valid", "有效"
    RECALLED = "recalled", "已收回"


class ReapplyBan(models.TextChoices):
    NONE = "none", "无"
    PERMANENT = "permanent", "不得再次申报"
    CURRENT_ROUND = "current_round", "本批次不得再申报"


class DecisionKind(models.TextChoices):
    EXIT = "exit", "退出"
    REVOCATION = "revocation", "撤销"
    RENEWAL_FAILED = "renewal_failed", "复核未通过"


class CertificateSeries(models.Model):
    """The certificate number series of one programme (policy + honour code). Its row is locked
    while a number is drawn, in the award's transaction, so numbers never repeat or skip."""

    policy = models.ForeignKey("policy.Policy", on_delete=models.PROTECT, related_name="+")
    honour_code = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "honour_code"], name="series_one_per_programme")]


class Honour(models.Model):
    person = models.ForeignKey("registry.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="honours")
    name = models.CharField("姓名", max_length=60)
    policy = models.ForeignKey("policy.Policy", verbose_name="政策", on_delete=models.PROTECT, related_name="honours")
    honour_code = models.CharField("称号代码", max_length=60)
    title = models.CharField("称号", max_length=100)
    round = models.ForeignKey("rounds.Round", verbose_name="批次", on_delete=models.PROTECT, related_name="honours")
    application = models.OneToOneField("applications.Application", verbose_name="申报", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="honour")
    approval = models.ForeignKey("notices.Approval", verbose_name="批准记录", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="honours")
    employer = models.ForeignKey("accounts.Organisation", verbose_name="工作单位", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="honours_held")
    occupation = models.CharField("职业（工种）", max_length=100, blank=True)
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="管理单位", on_delete=models.PROTECT,
                                     related_name="honours_managed")
    awarded_on = models.DateField("授予日期")
    document_number = models.CharField("批准文号", max_length=100, blank=True)
    term_name = models.CharField("期限名称", max_length=20, blank=True)
    term_article = models.CharField("期限依据", max_length=40, blank=True)
    term_start = models.DateField("期限开始")
    term_end = models.DateField("期限届满", null=True, blank=True, help_text="政策未规定期限时为空")
    status = models.CharField("状态", max_length=12, choices=HonourStatus.choices, default=HonourStatus.ACTIVE,
                              db_index=True)
    title_status = models.CharField("称号", max_length=10, choices=TitleStatus.choices, default=TitleStatus.HELD)
    title_award = models.ForeignKey("registry.TitleAward", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    issuer = models.CharField("颁发机关", max_length=120, blank=True)
    certificate_name = models.CharField("证书名称", max_length=60, blank=True,
                                        help_text="授予时政策文件中的证书名称，政策修订不改变已发证书")
    series = models.ForeignKey(CertificateSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    series_number = models.PositiveIntegerField("证书序号", null=True, blank=True)
    certificate_number = models.CharField("证书编号", max_length=40, null=True, blank=True, unique=True)
    certificate_status = models.CharField("证书", max_length=10, choices=CertificateStatus.choices,
                                          default=CertificateStatus.NONE)
    certificate_issue = models.PositiveSmallIntegerField("证书版次", default=1, help_text="补发一次加一")
    token = models.CharField("核验码", max_length=32, unique=True)
    benefits_stop_on = models.DateField("待遇停止日期", null=True, blank=True,
                                        help_text="自该日起（含）不再享受待遇")
    clawback = models.BooleanField("须追回", default=False)
    clawback_from = models.DateField("追回自", null=True, blank=True, help_text="该日起（含）已发放的资金须退回")
    clawback_what = models.JSONField("追回内容", default=list, blank=True)
    reapply_ban = models.CharField("再次申报", max_length=16, choices=ReapplyBan.choices, default=ReapplyBan.NONE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "称号获得者"
        verbose_name_plural = "称号获得者"
        ordering = ["-awarded_on", "series_number", "pk"]
        indexes = [models.Index(fields=["policy", "honour_code", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["series", "series_number"], name="honour_series_number_unique"),
            models.UniqueConstraint(fields=["round", "person"], name="honour_once_per_round"),
            models.CheckConstraint(condition=Q(series__isnull=True) | Q(series_number__isnull=False),
                                   name="honour_series_has_number"),
            models.CheckConstraint(condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                                   name="honour_term_ends_after_start"),
            models.CheckConstraint(condition=Q(status="active") | Q(benefits_stop_on__isnull=False),
                                   name="honour_ended_has_stop_date"),
            models.CheckConstraint(condition=Q(clawback=False) | Q(clawback_from__isnull=False),
                                   name="honour_clawback_has_date"),
        ]

    def __str__(self):
        return f"{self.title} {self.name}"


class HonourDecision(models.Model):
    """An exit, a revocation or a failed renewal: what the policy's outcome says, the document
    number and the bodies that decided (环翠 第十七条: 初步认定、审定、批准)."""

    honour = models.ForeignKey(Honour, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("类别", max_length=16, choices=DecisionKind.choices)
    outcome_id = models.CharField("政策情形", max_length=60)
    article = models.CharField("依据条款", max_length=60)
    when_text = models.CharField("情形", max_length=300)
    event = models.CharField("事由", max_length=30)
    effective_on = models.DateField("生效日期")
    document_number = models.CharField("文号", max_length=100)
    decided_by = models.CharField("决定机关", max_length=300)
    reason = models.TextField("事实和理由")
    effects = models.JSONField("处理结果", default=dict)
    notice_text = models.TextField("告知内容", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "退出与撤销决定"
        verbose_name_plural = "退出与撤销决定"
        ordering = ["honour", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(document_number="") & ~Q(decided_by="") & ~Q(reason=""),
                                   name="decision_has_document"),
        ]


class HolderMessage(models.Model):
    """What the holder is told (a decision with its article, a reminder); shown in their inbox."""

    honour = models.ForeignKey(Honour, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class RenewalStatus(models.TextChoices):
    OPEN = "open", "待提交复核材料"
    FILED = "filed", "已提交，待复核"
    PASSED = "passed", "复核认定通过"
    FAILED = "failed", "复核认定未通过"


class RenewalReview(models.Model):
    """复核认定 (环翠 第八条、第十一条、第十二条): due `renewal.due_after_months` after the term starts;
    the holder files the form and materials, the engine evaluates `renewal.criteria`, an officer
    attests the manual clauses; the outcome decides whether the benefits continue."""

    honour = models.ForeignKey(Honour, on_delete=models.CASCADE, related_name="renewals")
    due_on = models.DateField("复核日期")
    article = models.CharField("依据", max_length=60)
    status = models.CharField("状态", max_length=10, choices=RenewalStatus.choices, default=RenewalStatus.OPEN)
    statement = models.TextField("复核申请内容", blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    filed_at = models.DateTimeField("提交时间", null=True, blank=True)
    evaluation = models.JSONField("逐条评估", default=dict, blank=True)
    attestations = models.JSONField("人工认定", default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    reason = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = "复核认定"
        verbose_name_plural = "复核认定"
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["honour", "due_on"], name="renewal_once_per_due_date"),
            models.CheckConstraint(condition=Q(status__in=["open", "filed"]) | Q(decided_at__isnull=False),
                                   name="renewal_decided_has_time"),
        ]


class DutyStatus(models.TextChoices):
    OPEN = "open", "待完成"
    DONE = "done", "已完成"


class DutyTask(models.Model):
    """One dated duty of a holder's term, from the policy's `duties` (惠阳 第十五条 个人计划与考核,
    赣州 第十一条 年度培养情况报送, 惠阳 第十四条 联系专员)."""

    honour = models.ForeignKey(Honour, on_delete=models.CASCADE, related_name="duties")
    kind = models.CharField("类别", max_length=20)
    who = models.CharField("责任方", max_length=10)
    article = models.CharField("依据", max_length=60)
    text = models.CharField("内容", max_length=300)
    due_on = models.DateField("截止日期")
    status = models.CharField("状态", max_length=8, choices=DutyStatus.choices, default=DutyStatus.OPEN)
    report = models.TextField("报告/记录", blank=True)
    result = models.CharField("结果", max_length=20, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "期内职责"
        verbose_name_plural = "期内职责"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["honour", "kind", "article", "due_on"], name="duty_once_per_due_date"),
            models.CheckConstraint(condition=Q(status="open") | Q(done_at__isnull=False), name="duty_done_has_time"),
        ]


class Upload(models.Model):
    """A file attached to a renewal or a duty report, checked by content like application evidence."""

    renewal = models.ForeignKey(RenewalReview, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads")
    duty = models.ForeignKey(DutyTask, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads")
    material = models.CharField("材料", max_length=200, blank=True)
    name = models.CharField("文件名", max_length=160)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(renewal__isnull=True) ^ Q(duty__isnull=True),
                                              name="upload_belongs_to_one")]
