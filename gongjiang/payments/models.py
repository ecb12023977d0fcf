"""Payments: entitlements derived from a policy's `benefits`, payment runs (batches) of lines,
bank results, budgets, and payee accounts. Money is integer fen.

Never paid twice: a line that settles an instalment (queued for the bank, paid, or refused under
an article) is unique per (entitlement, instalment) by a unique index, so two runs of the same
period, or two runs at the same moment, cannot both carry it. Held (暂缓发放), failed and
voided lines do not settle the instalment: a later run or a re-queue pays it once.
"""
from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, F, Q, Value, When


class Schedule(models.TextChoices):
    MONTHLY = "monthly", "按月"
    ANNUAL = "annual", "按年"
    ONE_TIME = "one_time", "一次性"


class PayTo(models.TextChoices):
    SOCIAL_SECURITY_CARD = "social_security_card", "社会保障卡金融账户"
    BANK_ACCOUNT = "bank_account", "本人银行账户"
    EMPLOYER = "employer", "用人单位"
    UNSPECIFIED = "unspecified", "本人账户（政策未规定）"


class Budget(models.Model):
    """The money set aside for one programme (policy) in one calendar year."""

    policy = models.ForeignKey("policy.Policy", verbose_name="政策", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    amount_fen = models.BigIntegerField("预算（分）")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "预算"
        verbose_name_plural = "预算"
        ordering = ["-year", "policy__title"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "year"], name="payments_budget_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="payments_budget_nonnegative"),
        ]

    def __str__(self):
        return f"{self.policy} {self.year}年预算"


class PayeeAccount(models.Model):
    """Where a person's money goes (惠阳 第二十一条: 社会保障卡金融账户). `sealed` holds the account
    holder's ID number and the account number, encrypted together (payments.crypto) so that a bank
    file of 100,000 lines opens one token per line; pages show the masked number only, the bank
    file carries both in full."""

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="payee_account")
    kind = models.CharField("账户类型", max_length=24, choices=PayTo.choices[:2], default=PayTo.SOCIAL_SECURITY_CARD)
    bank = models.CharField("开户银行", max_length=100)
    sealed = models.BinaryField("身份证号码和账号（密文）")
    number_masked = models.CharField("账号（脱敏）", max_length=40)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "收款账户"
        verbose_name_plural = "收款账户"

    def __str__(self):
        return f"{self.get_kind_display()} {self.bank} {self.number_masked}"


class SubsidyClaim(models.Model):
    """A training-and-assessment subsidy (仲恺 第六条（一）2): applied for by the worker or
    entered by the bureau from the registry; once per person and level."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已核准"
        REJECTED = "rejected", "不予核准"

    class Route(models.TextChoices):
        APPLICANT = "applicant", "本人申请"
        BUREAU = "bureau", "经办机构录入"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="subsidy_claims")
    policy = models.ForeignKey("policy.Policy", verbose_name="政策", on_delete=models.PROTECT, related_name="+")
    honour_code = models.CharField("补贴项目", max_length=60)
    title = models.CharField("补贴名称", max_length=100)
    certificate = models.ForeignKey("registry.Certificate", verbose_name="证书", on_delete=models.PROTECT,
                                    related_name="+")
    training = models.CharField("参加的培训考核", max_length=200)
    route = models.CharField("途径", max_length=12, choices=Route.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    amount_fen = models.BigIntegerField("金额（分）")
    article = models.CharField("依据", max_length=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "培训和鉴定费用补贴申请"
        verbose_name_plural = "培训和鉴定费用补贴申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "policy", "honour_code"], condition=~Q(status="rejected"),
                                    name="payments_subsidy_once_per_level"),
            models.CheckConstraint(condition=Q(status="submitted") | Q(decided_by__isnull=False),
                                   name="payments_subsidy_decided_has_decider"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_subsidy_positive"),
        ]

    def __str__(self):
        return f"{self.title}（{self.person.name}）"


class Entitlement(models.Model):
    """What a person is owed under one cash benefit of a policy: `instalments` payments of
    `amount_fen`, the first due on `first_due`, then monthly or yearly. `source_key` names what
    created it ("subsidy:<id>", "honour:<id>"), so the same source never yields two."""

    class Status(models.TextChoices):
        ACTIVE = "active", "发放中"
        STOPPED = "stopped", "已停发"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="entitlements")
    policy = models.ForeignKey("policy.Policy", verbose_name="政策", on_delete=models.PROTECT, related_name="+")
    honour_code = models.CharField("称号/项目", max_length=60)
    benefit_id = models.CharField("待遇", max_length=60)
    source_key = models.CharField("来源", max_length=60)
    name = models.CharField("待遇名称", max_length=100)
    article = models.CharField("依据", max_length=80)
    schedule = models.CharField("发放方式", max_length=10, choices=Schedule.choices)
    amount_fen = models.BigIntegerField("每次金额（分）")
    instalments = models.PositiveSmallIntegerField("发放次数")
    first_due = models.DateField("首次应发日期")
    valid_to = models.DateField("发放有效期至", null=True, blank=True)
    gated_from = models.PositiveSmallIntegerField("须复核认定的起始期次", null=True, blank=True,
                                                  help_text="此期及以后须复核认定通过后才发放")
    gate_open = models.BooleanField("复核认定已通过", default=False)
    pay_to = models.CharField("发放至", max_length=24, choices=PayTo.choices, default=PayTo.UNSPECIFIED)
    funding = models.CharField("资金来源", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    stop_from = models.DateField("停发日期", null=True, blank=True, help_text="此日及以后应发的不再发放")
    stop_reason = models.CharField("停发原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "待遇资格"
        verbose_name_plural = "待遇资格"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source_key", "benefit_id"], name="payments_entitlement_once"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_entitlement_positive"),
            models.CheckConstraint(condition=Q(instalments__gt=0), name="payments_entitlement_instalments"),
            models.CheckConstraint(condition=Q(status="active") | Q(stop_from__isnull=False),
                                   name="payments_entitlement_stopped_has_date"),
        ]

    def __str__(self):
        return f"{self.name}（{self.person.name}）"

    @property
    def total_fen(self):
        return self.amount_fen * self.instalments


class PaymentRun(models.Model):
    """One batch for a period: prepared by a finance officer, approved by a different one,
    exported for the bank, settled by the bank's result file."""

    class Status(models.TextChoices):
        DRAFT = "draft", "已计算待提交"
        PREPARED = "prepared", "待复核"
        APPROVED = "approved", "已复核待导出"
        EXPORTED = "exported", "已导出待银行回盘"
        SETTLED = "settled", "已回盘"
        CANCELLED = "cancelled", "已作废"

    class PeriodKind(models.TextChoices):
        MONTH = "month", "月度"
        YEAR = "year", "年度"

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="发放机构", on_delete=models.PROTECT,
                                     related_name="+")
    period_kind = models.CharField("期间类型", max_length=6, choices=PeriodKind.choices)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    requeue_of = models.ForeignKey("self", verbose_name="补发自", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="requeues")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    line_count = models.PositiveIntegerField("笔数", default=0)
    total_fen = models.BigIntegerField("金额（分）", default=0)
    held_count = models.PositiveIntegerField("暂缓笔数", default=0)
    budget_note = models.CharField("超预算说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("计算时间", auto_now_add=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField("复核时间", null=True, blank=True)
    exported_at = models.DateTimeField("导出时间", null=True, blank=True)
    settled_at = models.DateTimeField("回盘时间", null=True, blank=True)

    class Meta:
        verbose_name = "发放批次"
        verbose_name_plural = "发放批次"
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
                                   name="payments_run_four_eyes"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "exported", "settled"])
                | (Q(approved_by__isnull=False) & Q(prepared_by__isnull=False)),
                name="payments_run_approved_has_officers"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="payments_run_period_order"),
        ]

    def __str__(self):
        return f"{self.period_label}{'补发' if self.requeue_of_id else ''}发放批次（第{self.pk}号）"

    @property
    def period_label(self):
        if self.period_kind == self.PeriodKind.MONTH:
            return f"{self.period_start.year}年{self.period_start.month}月"
        return f"{self.period_start.year}年度"


class LineStatus(models.TextChoices):
    QUEUED = "queued", "待发放"
    PAID = "paid", "已发放"
    FAILED = "failed", "发放失败"
    HELD = "held", "暂缓发放"
    REFUSED = "refused", "不予发放"
    VOID = "void", "已作废"


# A line in one of these states settles its instalment: at most one such line per instalment.
SETTLING = [LineStatus.QUEUED, LineStatus.PAID, LineStatus.REFUSED]


class PaymentLine(models.Model):
    """One instalment in a run. Its run, entitlement and re-queued-from line are real references
    without a foreign-key constraint on PostgreSQL (migration 0005): there a statement trigger
    checks each INSERT's lines at once (a run stores 100,000; per-row foreign-key checks cost more
    than storing them), a row trigger an UPDATE that changes one, and triggers refuse deleting or
    renumbering entitlements, runs and lines (a ledger keeps its rows). On SQLite the foreign keys
    stay. Either way a missing parent is an IntegrityError."""

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    # indexed by payments_line_paid_once, which leads with it and holds every line
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="lines", db_index=False,
                                    db_constraint=False)
    # The entitlement's person, copied for the ledger's name search; the entitlement's reference
    # check guards it, so no check or index of its own per line (a run stores 100,000 lines).
    person = models.ForeignKey("registry.Person", on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False, db_index=False)
    instalment = models.PositiveSmallIntegerField("期次")
    due_date = models.DateField("应发日期")
    amount_fen = models.BigIntegerField("金额（分）")
    status = models.CharField("状态", max_length=8, choices=LineStatus.choices)
    reason = models.CharField("说明", max_length=300, blank=True)
    # unique as a constraint, not unique=True: no second (LIKE) index per line on PostgreSQL
    reference = models.CharField("业务参考号", max_length=24)
    requeued_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="requeued_as", db_index=False, db_constraint=False)
    result_at = models.DateTimeField("回盘时间", null=True, blank=True)

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["id"]
        constraints = [
            # a failed line is re-queued once (a partial index: only re-queued lines are in it)
            models.UniqueConstraint(fields=["requeued_from"], condition=Q(requeued_from__isnull=False),
                                    name="payments_line_requeued_once"),
            # (entitlement, instalment, true) for a settling line, (…, NULL) for any other: NULLs are
            # distinct, so only settling lines can collide. A full index, not a partial one over
            # settling lines, so it is also the entitlement's index (one index per line, not two).
            models.UniqueConstraint(F("entitlement"), F("instalment"),
                                    Case(When(status__in=SETTLING, then=Value(True)), output_field=BooleanField()),
                                    name="payments_line_paid_once"),
            models.UniqueConstraint(fields=["reference"], name="payments_line_reference_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_line_positive"),
        ]

    def __str__(self):
        return f"{self.reference} {self.entitlement.name} 第{self.instalment}期"


class BankImport(models.Model):
    """One bank result file: accepted (every row valid, lines marked) or rejected (nothing marked)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "已接受"
        REJECTED = "rejected", "已拒收"

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="bank_imports")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField("结果", max_length=10, choices=Status.choices)
    errors = models.JSONField("错误", default=list, blank=True)
    rows = models.PositiveIntegerField("行数", default=0)
    paid_count = models.PositiveIntegerField("成功笔数", default=0)
    paid_fen = models.BigIntegerField("成功金额（分）", default=0)
    failed_count = models.PositiveIntegerField("失败笔数", default=0)
    failed_fen = models.BigIntegerField("失败金额（分）", default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行回盘"
        verbose_name_plural = "银行回盘"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.run} 回盘 {self.file_name}"


class Receivable(models.Model):
    """Money a revoked holder must return (惠阳 第十八条 收回…津贴补助, 赣州 第十二条 收回…奖励资金):
    exactly what was paid under the honour's cash benefits since the clawback date."""

    class Status(models.TextChoices):
        OPEN = "open", "待退回"
        WRITEOFF_REQUESTED = "writeoff_requested", "核销待审批"
        SETTLED = "settled", "已全部退回"
        WRITTEN_OFF = "written_off", "已核销"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="receivables")
    honour = models.OneToOneField("honours.Honour", on_delete=models.PROTECT, related_name="receivable")
    article = models.CharField("依据", max_length=60)
    document_number = models.CharField("撤销决定文号", max_length=100, blank=True)
    items = models.CharField("追回内容", max_length=200, blank=True)
    since = models.DateField("追回自")
    amount_fen = models.BigIntegerField("应退回（分）")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    writeoff_reason = models.CharField("核销理由", max_length=300, blank=True)
    writeoff_fen = models.BigIntegerField("核销金额（分）", default=0)
    writeoff_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")
    writeoff_requested_at = models.DateTimeField("核销申请时间", null=True, blank=True)
    writeoff_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")
    writeoff_approved_at = models.DateTimeField("核销审批时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "应追回款"
        verbose_name_plural = "应追回款"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_receivable_positive"),
            models.CheckConstraint(
                condition=Q(writeoff_approved_by__isnull=True) | ~Q(writeoff_approved_by=F("writeoff_requested_by")),
                name="payments_writeoff_four_eyes"),
            models.CheckConstraint(
                condition=~Q(status="written_off") | (Q(writeoff_approved_by__isnull=False) & ~Q(writeoff_reason="")),
                name="payments_writeoff_has_approval_and_reason"),
        ]

    def __str__(self):
        return f"{self.person.name}应退回款（{self.article}）"


class Repayment(models.Model):
    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="repayments")
    amount_fen = models.BigIntegerField("金额（分）")
    paid_on = models.DateField("退回日期")
    reference = models.CharField("缴款凭证号", max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "退回记录"
        verbose_name_plural = "退回记录"
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_repayment_positive")]
