"""Applications to a round, their frozen versions, evidence files and unit recommendations.

State changes go through `services.transition` (see `states` for the table).
"""
from django.conf import settings
from django.db import models

from . import states
from .states import State


class Route(models.TextChoices):
    SELF = "self", "个人自荐"
    EMPLOYER = "employer", "单位推荐"
    UNIT = "unit", "推荐单位推荐"
    COMPETITION = "competition", "竞赛优胜推荐"


class Application(models.Model):
    round = models.ForeignKey("rounds.Round", verbose_name="批次", on_delete=models.PROTECT,
                              related_name="applications")
    serial = models.CharField("申报编号", max_length=40, unique=True)
    route = models.CharField("申报途径", max_length=20, choices=Route.choices)
    person = models.ForeignKey("registry.Person", verbose_name="人员库记录", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="applications")
    applicant_account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人账号", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="applications")
    name = models.CharField("姓名", max_length=60)
    employer = models.ForeignKey("accounts.Organisation", verbose_name="工作单位", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="applications")
    unit = models.ForeignKey("rounds.RecommendingUnit", verbose_name="推荐单位", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="applications")
    honour_code = models.CharField("申报称号（等级）", max_length=60, blank=True,
                                   help_text="批次设多个称号（等级）时申报的称号；空表示批次的称号")
    status = models.CharField("状态", max_length=30, default=State.DRAFT, db_index=True)
    facts = models.JSONField("申报信息", default=dict, blank=True)
    deed_text = models.TextField("事迹材料", blank=True)
    commitment_name = models.CharField("承诺书签名", max_length=60, blank=True)
    commitment_signed_at = models.DateTimeField("承诺书签署时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    employer_opinion = models.TextField("单位推荐意见", blank=True)
    employer_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="单位审核人", null=True,
                                             blank=True, on_delete=models.SET_NULL, related_name="+")
    employer_verified_at = models.DateTimeField("单位审核时间", null=True, blank=True)
    unit_rank = models.PositiveSmallIntegerField("推荐排序", null=True, blank=True)
    classified = models.BooleanField("涉密人员", default=False)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="推荐人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    forwarded_at = models.DateTimeField("推荐报送时间", null=True, blank=True)
    eligibility = models.JSONField("资格初判", default=dict, blank=True)
    eligibility_status = models.CharField("资格初判结论", max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        ordering = ["-updated_at"]
        # (round, serial): a round board's page in serial order without sorting the whole round.
        indexes = [models.Index(fields=["round", "status"]), models.Index(fields=["unit", "status"]),
                   models.Index(fields=["round", "serial"], name="application_round_serial")]
        constraints = [
            # A submitted (frozen) application has a version, a signed commitment and a time.
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "withdrawn"]) | (models.Q(version__gte=1) & models.Q(submitted_at__isnull=False)
                                                          & ~models.Q(commitment_name="")),
                name="application_submitted_is_signed"),
            models.CheckConstraint(
                condition=models.Q(employer_verified_at__isnull=True) | models.Q(employer_verified_by__isnull=False),
                name="application_verified_has_verifier"),
            models.CheckConstraint(
                condition=~models.Q(status="recommended") | models.Q(forwarded_at__isnull=False),
                name="application_recommended_has_time"),
            # One live application per person and round.
            models.UniqueConstraint(fields=["round", "person"], condition=~models.Q(status="withdrawn"),
                                    name="application_one_per_person_round"),
            # One live self-application per applicant account and round (applicants not yet in the registry).
            models.UniqueConstraint(fields=["round", "applicant_account"],
                                    condition=models.Q(route="self") & ~models.Q(status="withdrawn"),
                                    name="application_one_self_per_account_round"),
        ]

    def __str__(self):
        return f"{self.serial} {self.name}"

    @property
    def tier(self) -> str:
        """The policy honour this application competes for: its tier, or the round's honour."""
        return self.honour_code or self.round.honour_code

    @property
    def staff_status(self):
        return states.staff_label(self.status)

    @property
    def applicant_status(self):
        return states.applicant_label(self.status)

    @property
    def is_editable(self):
        return self.status in states.EDITABLE


class ApplicationVersion(models.Model):
    """The content of an application as submitted; one row per submission, never changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    facts = models.JSONField("申报信息")
    deed_text = models.TextField("事迹材料")
    commitment_name = models.CharField("承诺书签名", max_length=60)
    evidence = models.JSONField("材料清单", default=list)
    eligibility = models.JSONField("资格初判", default=dict)
    digest = models.CharField("内容摘要", max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间")

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="version_unique_number")]


class Evidence(models.Model):
    """An uploaded file, checked by content (see `uploads`) and stored outside the web root."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    material = models.CharField("材料类别", max_length=60)
    material_label = models.CharField("材料名称", max_length=200)
    name = models.CharField("文件名", max_length=160)
    kind = models.CharField("类型", max_length=10)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField("大小")
    pages = models.PositiveIntegerField("页数", null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=255, unique=True)
    frozen_in_version = models.PositiveIntegerField("随第几版提交", null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["material", "uploaded_at"]

    def __str__(self):
        return self.name


class ApplicationMessage(models.Model):
    """A message to the applicant about their application (state changes, return reasons)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class UnitNotice(models.Model):
    """A recommending unit's notice of its candidates (Liaocheng 三: 推荐人选在人选所在单位公示5个工作日),
    published through the notices app. A re-publication is a correction of the previous notice, so
    the latest row of a unit is the notice in force; the unit's report waits until it is closed."""

    unit = models.ForeignKey("rounds.RecommendingUnit", verbose_name="推荐单位", on_delete=models.CASCADE,
                             related_name="unit_notices")
    notice = models.OneToOneField("notices.Notice", verbose_name="公示", on_delete=models.PROTECT,
                                  related_name="unit_notice")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "推荐单位公示"
        verbose_name_plural = "推荐单位公示"
        ordering = ["unit", "-created_at", "-pk"]


class UnitStepRecord(models.Model):
    """A step the recommending unit took before reporting its candidates, as the policy lists them
    (recommendation.unit_procedure.steps: 职工代表大会或职工推荐, 组织专家综合评定, 单位党组织或行政审核同意),
    with its date and the document that proves it (meeting minutes, the approval). It covers the
    candidates the unit proposed when it was recorded; a candidate proposed later needs a new
    record. The unit's notice (公示) is a step too, but is recorded as a UnitNotice."""

    unit = models.ForeignKey("rounds.RecommendingUnit", verbose_name="推荐单位", on_delete=models.CASCADE,
                             related_name="step_records")
    step = models.CharField("单位推荐程序环节", max_length=40)
    done_on = models.DateField("完成日期")
    body = models.CharField("组织或审定机构", max_length=120, blank=True)
    experts = models.PositiveSmallIntegerField("参加评定专家人数", null=True, blank=True)
    note = models.TextField("情况说明", blank=True)
    applications = models.ManyToManyField(Application, verbose_name="涉及推荐人选", related_name="unit_step_records")
    document_name = models.CharField("证明文件", max_length=160)
    document_path = models.CharField(max_length=255, unique=True)
    document_sha256 = models.CharField(max_length=64)
    document_size = models.PositiveIntegerField("大小")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "单位推荐程序记录"
        verbose_name_plural = "单位推荐程序记录"
        ordering = ["unit", "recorded_at", "pk"]
