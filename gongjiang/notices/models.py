"""Public notices (公示) of a shortlist, objections against named candidates, and the approval
that follows. A published notice is immutable: a correction is a new notice linked to it."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from gongjiang.core.vocab import Gender, SkillLevel

# Defaults when the caller does not pass the policy's values: 公示不少于5个工作日 (Huiyang 第十条（七）,
# Huancui 第十条（五）, Ganzhou 第七条（四）, Zhongkai 第五条（二）5), and objections investigated
# within 5 working days of receipt (Huiyang 第十条（七）).
DEFAULT_NOTICE_DAYS = 5
DEFAULT_INVESTIGATION_DAYS = 5

IMMUTABLE_NOTICE_FIELDS = ("title", "body", "contact", "organisation_id", "round_id", "start_date", "end_date",
                           "days", "investigation_days", "require_real_name", "policy_ref", "corrects_id",
                           "published_by_id", "published_at")


class Notice(models.Model):
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", blank=True)
    contact = models.TextField("异议受理方式", help_text="受理单位、电话、地址等（公开）")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="公示单位", on_delete=models.PROTECT,
                                     related_name="notices")
    round_id = models.BigIntegerField("评选轮次", null=True, blank=True, db_index=True)
    policy_ref = models.CharField("依据条款", max_length=200, blank=True)
    start_date = models.DateField("公示开始日期")
    end_date = models.DateField("公示截止日期")
    days = models.PositiveSmallIntegerField("公示工作日数", default=DEFAULT_NOTICE_DAYS)
    investigation_days = models.PositiveSmallIntegerField("异议调查工作日数", default=DEFAULT_INVESTIGATION_DAYS)
    require_real_name = models.BooleanField("异议须实名", default=True)
    corrects = models.OneToOneField("self", verbose_name="更正的公示", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="correction")
    correction_reason = models.TextField("更正说明", blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="notice_end_after_start"),
            models.CheckConstraint(condition=Q(days__gte=1) & Q(investigation_days__gte=1), name="notice_days_positive"),
            models.CheckConstraint(condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                                   name="notice_correction_has_reason"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk:
            old = type(self).objects.filter(pk=self.pk).values(*IMMUTABLE_NOTICE_FIELDS).first()
            if old and any(old[f] != getattr(self, f) for f in IMMUTABLE_NOTICE_FIELDS):
                raise RuntimeError("a published notice cannot be edited; publish a correction instead")
        super().save(*args, **kwargs)


class NoticeEntry(models.Model):
    """A candidate as shown on the notice: a snapshot, never an ID or phone number."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("姓名", max_length=60)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    occupation = models.CharField("职业（工种）", max_length=100, blank=True)
    skill_level = models.PositiveSmallIntegerField("技能等级", choices=SkillLevel.choices, null=True, blank=True)
    honour = models.CharField("拟授予称号", max_length=100, blank=True)
    application = models.ForeignKey("applications.Application", verbose_name="申报", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="notice_entries")
    removed_at = models.DateTimeField("取消时间", null=True, blank=True)
    removed_reason = models.TextField("取消原因", blank=True)
    removed_by_objection = models.ForeignKey("notices.Objection", null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="+")

    class Meta:
        verbose_name = "公示人选"
        verbose_name_plural = "公示人选"
        ordering = ["notice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "position"], name="notice_entry_position_unique"),
            models.CheckConstraint(condition=(Q(removed_at__isnull=True) & Q(removed_reason=""))
                                   | (Q(removed_at__isnull=False) & ~Q(removed_reason="")),
                                   name="notice_entry_removal_has_reason"),
        ]

    def __str__(self):
        return self.name

    @property
    def removed(self):
        return self.removed_at is not None


class Channel(models.TextChoices):
    ONLINE = "online", "网上提出"
    LETTER = "letter", "书面来信"
    PHONE = "phone", "电话"
    VISIT = "visit", "来访"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "调查核实中"
    CONCLUDED = "concluded", "已办结"


class Conclusion(models.TextChoices):
    NOT_UPHELD = "not_upheld", "异议不成立"
    UPHELD = "upheld", "异议成立"


# The only transitions an objection has. Grep for it.
OBJECTION_TRANSITIONS = {ObjectionStatus.OPEN: {ObjectionStatus.CONCLUDED}, ObjectionStatus.CONCLUDED: set()}


class Objection(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(NoticeEntry, verbose_name="异议对象", on_delete=models.PROTECT, related_name="objections")
    receipt = models.CharField("受理编号", max_length=12, unique=True)
    channel = models.CharField("提出方式", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    filer_name = models.CharField("异议人姓名", max_length=60, blank=True)
    filer_contact_encrypted = models.TextField(blank=True)
    filer_contact_hash = models.CharField(max_length=64, blank=True, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    text = models.TextField("异议内容")
    received_at = models.DateTimeField("收到时间", db_index=True)
    received_on = models.DateField("收到日期")
    deadline = models.DateField("调查核实期限", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    conclusion = models.CharField("结论", max_length=12, choices=Conclusion.choices, blank=True)
    findings = models.TextField("调查核实情况", blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["deadline", "received_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="open") & Q(conclusion="") & Q(concluded_at__isnull=True))
                | (Q(status="concluded") & Q(conclusion__in=["not_upheld", "upheld"]) & ~Q(findings="")
                   & Q(concluded_by__isnull=False) & Q(concluded_at__isnull=False)),
                name="objection_concluded_has_decision"),
        ]

    def __str__(self):
        return f"异议 {self.receipt}"

    @property
    def contact(self):
        from gongjiang.registry.crypto import decrypt

        return decrypt(self.filer_contact_encrypted)


class ObjectionAttachment(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField("文件名", max_length=160)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=255, unique=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "异议附件"
        verbose_name_plural = "异议附件"

    def __str__(self):
        return self.name


class ApprovalKind(models.TextChoices):
    APPROVE = "approve", "批准"
    DECIDE = "decide", "审定"
    NAME = "name", "命名"


class Approval(models.Model):
    """The bureau's or government's decision after the notice, with its document number."""

    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="approval")
    kind = models.CharField("方式", max_length=10, choices=ApprovalKind.choices)
    authority = models.CharField("批准机关", max_length=200)
    document_number = models.CharField("文号", max_length=100)
    decided_on = models.DateField("批准日期")
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "批准记录"
        verbose_name_plural = "批准记录"
        constraints = [
            models.CheckConstraint(condition=~Q(document_number="") & ~Q(authority=""), name="approval_has_document"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document_number}"
