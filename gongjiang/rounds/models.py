"""A round is one year's run of a policy: its calendar, reference date, quota and recommending units.

Business actions (open, publish, extend a deadline, set a unit's quota) are in `services`.
"""
import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "未发布"
    OPEN = "open", "申报中"
    CLOSED = "closed", "已截止"
    ARCHIVED = "archived", "已归档"


class DeadlineKind(models.TextChoices):
    """The deadlines a round enforces, in the order they fall."""

    APPLICATION = "application", "个人/单位申报截止"
    RECOMMENDATION = "recommendation", "推荐单位报送截止"
    REVIEW = "review", "审核评审截止"


class Round(models.Model):
    policy = models.ForeignKey("policy.Policy", verbose_name="政策", on_delete=models.PROTECT, related_name="rounds")
    honour_code = models.CharField("称号", max_length=60, help_text="政策中的称号代码（一个政策可有多个称号）")
    honour_title = models.CharField("称号名称", max_length=100)
    policy_version = models.PositiveIntegerField("政策版本", default=1)
    policy_sha256 = models.CharField("政策文件摘要", max_length=64, blank=True,
                                     help_text="创建批次时政策文件的 sha256，与评审环节参数一同固定")
    code = models.SlugField("批次编号", max_length=60, unique=True)
    title = models.CharField("批次名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    organiser = models.ForeignKey("accounts.Organisation", verbose_name="组织实施单位", on_delete=models.PROTECT,
                                  related_name="organised_rounds")
    reference_date = models.DateField("年龄、岗位计算基准日",
                                      help_text="按政策规定的条件认定日确定，如遴选年度1月1日")
    reference_date_article = models.CharField("基准日依据条款", max_length=40, blank=True)
    opens_on = models.DateField("申报开始日期")
    application_deadline = models.DateField("申报截止日期")
    recommendation_deadline = models.DateField("推荐报送截止日期", null=True, blank=True)
    review_deadline = models.DateField("审核评审截止日期", null=True, blank=True)
    quota = models.PositiveIntegerField("遴选名额")
    quota_article = models.CharField("名额依据条款", max_length=40, blank=True)
    quota_caps = models.JSONField("名额分项上限", default=list, blank=True,
                                  help_text="名额内按称号（等级）、职业（工种）或行业的分项上限，创建批次时从政策文件复制")
    tiers = models.JSONField("称号（等级）", default=list, blank=True,
                             help_text="一个批次同时评选政策中的几个称号（等级）时，各称号及其名额；空表示只评选一个称号")
    allows_self_application = models.BooleanField("允许个人自荐", default=False)
    allows_employer_nomination = models.BooleanField("允许单位推荐", default=True)
    unit_notice_working_days = models.PositiveSmallIntegerField("推荐单位公示工作日数", default=0,
                                                                help_text="0 表示政策不要求推荐单位公示")
    stages = models.JSONField("评审环节", default=list, blank=True,
                              help_text="创建批次时从政策文件复制（含各环节全部参数），之后政策修订不影响本批次")
    materials = models.JSONField("申报材料", default=list, blank=True)
    call_text = models.TextField("申报通知正文", blank=True)
    contact = models.CharField("联系方式", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "遴选批次"
        verbose_name_plural = "遴选批次"
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(application_deadline__gte=models.F("opens_on")),
                                   name="round_deadline_after_opening"),
            models.CheckConstraint(condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                                   name="round_published_has_time"),
        ]

    def __str__(self):
        return self.title

    def deadline(self, kind: str) -> dt.date | None:
        return {
            DeadlineKind.APPLICATION: self.application_deadline,
            DeadlineKind.RECOMMENDATION: self.recommendation_deadline or self.application_deadline,
            DeadlineKind.REVIEW: self.review_deadline,
        }[kind]

    @property
    def has_units(self) -> bool:
        return self.units.exists()

    @property
    def is_accepting(self) -> bool:
        today = timezone.localdate()
        return self.status == RoundStatus.OPEN and self.opens_on <= today <= self.application_deadline

    def tier_title(self, code: str) -> str:
        """The title of tier `code` of this round ("" for a round of one honour)."""
        return next((t["title"] for t in self.tiers or [] if t["code"] == code), "")

    def stage_labels(self):
        return [s.get("name") or s.get("label") or s.get("kind") for s in self.stages]


class RecommendingUnit(models.Model):
    """One recommending unit in a round, with its quota. The row is locked (select_for_update)
    whenever a candidate is forwarded, so a quota holds under concurrent submissions."""

    round = models.ForeignKey(Round, verbose_name="批次", on_delete=models.CASCADE, related_name="units")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="推荐单位", on_delete=models.PROTECT,
                                     related_name="recommending_slots")
    kind = models.CharField("单位类型", max_length=40, help_text="政策文件中推荐单位类型的代码")
    kind_label = models.CharField("单位类型名称", max_length=100, blank=True)
    quota = models.PositiveSmallIntegerField("推荐名额")
    min_quota = models.PositiveSmallIntegerField("最少推荐", default=0)
    quota_article = models.CharField("名额依据", max_length=60, blank=True)
    notice_starts_on = models.DateField("单位公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("单位公示结束", null=True, blank=True)
    notice_text = models.TextField("单位公示内容", blank=True)
    report_text = models.TextField("推荐报告", blank=True)
    report_submitted_at = models.DateTimeField("推荐报告报送时间", null=True, blank=True)
    report_submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "推荐单位"
        verbose_name_plural = "推荐单位"
        ordering = ["round", "kind", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organisation"], name="unit_once_per_round"),
            models.CheckConstraint(condition=models.Q(min_quota__lte=models.F("quota")), name="unit_min_le_quota"),
            models.CheckConstraint(
                condition=models.Q(report_submitted_at__isnull=True) | models.Q(report_submitted_by__isnull=False),
                name="unit_report_has_submitter"),
        ]

    def __str__(self):
        return f"{self.organisation}（{self.round.year}年度）"


class DeadlineExtension(models.Model):
    """History of deadline extensions (the audit log has them too, this is for the round page)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="extensions")
    kind = models.CharField("截止类型", max_length=20, choices=DeadlineKind.choices)
    old_date = models.DateField("原截止日期")
    new_date = models.DateField("新截止日期")
    reason = models.CharField("理由", max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(new_date__gt=models.F("old_date")), name="extension_moves_later"),
        ]
