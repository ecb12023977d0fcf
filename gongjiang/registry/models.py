"""The talent registry: people and the facts that policies judge.

Every fact row carries its source (self-declared, employer, imported, department data) and its
verification state; eligibility explanations show both. Facts are thin rows keyed to a Person;
the batch screening reads them column by column (see `facts.py`), never as ORM objects.

Sensitive numbers (resident ID, phone) are stored only encrypted (Fernet) with a keyed hash
(HMAC-SHA256) for lookups; the birth date and gender derived from the ID number are plain columns
because screening needs them.
"""
from django.conf import settings
from django.db import models

from gongjiang.core.masking import mask_id_number, mask_phone
from gongjiang.core.vocab import (
    CompetitionClass,
    CompetitionLevel,
    FactSource,
    Gender,
    PostCategory,
    SkillLevel,
    Verification,
)

# The administrative level of an honour, programme, studio or standard: the same ordered scale
# as competitions (企业级 < 区县级 < 市级 < 省级 < 国家级 < 世界级).
Level = CompetitionLevel


class TitleCode(models.TextChoices):
    """Titles and awards policies name. Anything else is OTHER with its name in `name`."""

    CHINA_SKILL_AWARD = "china_skill_award", "中华技能大奖"
    STATE_COUNCIL_ALLOWANCE = "state_council_allowance", "享受国务院政府特殊津贴"
    NATIONAL_TECH_EXPERT = "national_tech_expert", "全国技术能手"
    PROVINCIAL_CONTRIBUTION_TECHNICIAN = "prov_contribution_technician", "省突出贡献技师"
    PROVINCIAL_TECH_EXPERT = "provincial_tech_expert", "省技术能手"
    CITY_CONTRIBUTION_TECHNICIAN = "city_contribution_technician", "市突出贡献技师"
    CITY_TECH_EXPERT = "city_tech_expert", "市技术能手"
    CITY_CHIEF_TECHNICIAN = "city_chief_technician", "市管首席技师"
    DISTRICT_CHIEF_TECHNICIAN = "district_chief_technician", "区管首席技师"
    CITY_CRAFTSMAN = "city_craftsman", "市级工匠"
    COUNTY_CRAFTSMAN = "county_craftsman", "县级工匠"
    MODEL_WORKER = "model_worker", "劳动模范"
    MAY_DAY_MEDAL = "may_day_medal", "五一劳动奖章"
    PLATFORM_HONOUR = "platform_honour", "本平台授予的荣誉"
    OTHER = "other", "其他"


class ProgrammeCode(models.TextChoices):
    NATIONAL_TALENT_PLAN = "national_talent_plan", "国家级人才计划"
    PROVINCIAL_DOUBLE_THOUSAND = "prov_double_thousand", "省“双千计划”"
    PROVINCIAL_DOUBLE_HIGH = "prov_double_high", "省“双高工程”高技能领军人才"
    CITY_TALENT_CATALOGUE = "city_talent_catalogue", "市人才目录"
    OTHER = "other", "其他人才工程"


class InnovationKind(models.TextChoices):
    """The achievement kinds of gongjiang.policy.facts.ACHIEVEMENT_KINDS."""

    PATENT = "patent", "专利"
    STANDARD = "standard", "编制标准工艺或技能等级标准"
    INNOVATION = "innovation", "技术创新革新成果"
    OPERATION_METHOD = "operation_method", "先进操作法"
    SCIENCE_AWARD = "science_award", "科学技术发明或科学技术进步奖"
    SKILL_ACHIEVEMENT_AWARD = "skill_achievement_award", "高技能人才技能成果奖"


class PrizeGrade(models.IntegerChoices):
    NONE = 0, "无"
    FIRST = 1, "一等奖"
    SECOND = 2, "二等奖"
    THIRD = 3, "三等奖"


class CertificateKind(models.TextChoices):
    QUALIFICATION = "qualification", "职业资格证书"
    SKILL_LEVEL = "skill_level", "职业技能等级证书"
    FARMER_TITLE = "farmer_title", "职业农民职称证书"
    SPECIAL = "special", "专项职业能力证书"


class StudioKind(models.TextChoices):
    MASTER_STUDIO = "master_studio", "技能大师工作室"
    HIGH_SKILL_STATION = "high_skill_station", "高技能人才工作站"


# Personal credit and discipline records (Huiyang 第八条, Ganzhou 第六条、第十二条, Liaocheng 基本条件):
# exactly the codes of gongjiang.policy.facts.RECORD_KINDS.
CreditKind = models.TextChoices("CreditKind", [
    ("CRIMINAL_RECORD", ("criminal_record", "刑事犯罪记录")),
    ("CRIMINAL_INVESTIGATION", ("criminal_investigation", "被刑事立案侦查且案件处于调查阶段")),
    ("DISHONEST_DEBTOR", ("dishonest_debtor", "被纳入失信被执行人名单")),
    ("FRAUD", ("fraud", "申报资金、人才计划、科技项目或学术研究中弄虚作假")),
    ("MISCONDUCT", ("misconduct", "思想政治、道德品行、职业操守不良记录")),
    ("IP_INFRINGEMENT", ("ip_infringement", "侵犯知识产权")),
    ("IP_INVESTIGATION", ("ip_investigation", "涉嫌侵犯知识产权正在接受调查")),
    ("SERIOUS_VIOLATION", ("serious_violation", "严重违反法律法规或职业道德，造成恶劣影响")),
    ("ADMINISTRATIVE_PENALTY", ("administrative_penalty", "受到行政处罚")),
    ("CRIMINAL_PENALTY", ("criminal_penalty", "受到刑事处罚")),
    ("DISMISSAL", ("dismissal", "受到行政撤职处分")),
    ("PARTY_PROBATION", ("party_probation", "受到留党察看以上党内处分")),
    ("VIOLATION", ("violation", "违法违纪行为")),
    ("IMPROPER_SPEECH", ("improper_speech", "在网络等发表不当言论")),
    ("SAFETY_ACCIDENT", ("safety_accident", "与本人有直接关系的生产安全、技术责任事故")),
])

# Employer status facts (Huiyang 第八条（五）、第十一条): the codes of ORG_RECORD_KINDS.
EmployerRecordKind = models.TextChoices("EmployerRecordKind", [
    ("DISHONEST_DEBTOR", ("dishonest_debtor", "被纳入失信被执行人名单")),
    ("UNDER_INVESTIGATION", ("under_investigation", "被有关部门立案调查，尚未有明确结论")),
    ("ABNORMAL_OPERATION", ("abnormal_operation", "被列入经营异常名录")),
    ("SERIOUS_DISHONEST", ("serious_dishonest", "被列入严重违法失信企业名单")),
    ("BUSINESS_RESTRICTED", ("business_restricted", "被限制开展经营活动")),
    ("ORDERED_SUSPENSION", ("ordered_suspension", "被责令停产停业")),
    ("ORDERED_CLOSURE", ("ordered_closure", "被责令关闭")),
    ("LICENCE_REVOKED", ("licence_revoked", "被吊销许可证或执照")),
])


class FactFields(models.Model):
    """Source and verification state every fact carries."""

    source = models.CharField("来源", max_length=12, choices=FactSource.choices, default=FactSource.SELF_DECLARED)
    verification = models.CharField("核验状态", max_length=12, choices=Verification.choices,
                                    default=Verification.UNVERIFIED)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核验人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    import_batch = models.ForeignKey("registry.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Person(FactFields):
    name = models.CharField("姓名", max_length=60)
    id_number_encrypted = models.TextField("身份证号码（密文）")
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField("身份证号码（脱敏）", max_length=18)
    birth_date = models.DateField("出生日期", db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    region_code = models.CharField("户籍地区划代码", max_length=6, blank=True)
    phone_encrypted = models.TextField("手机号码（密文）", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("手机号码（脱敏）", max_length=20, blank=True)
    post_category = models.CharField("岗位类别", max_length=10, choices=PostCategory.choices,
                                     default=PostCategory.WORKER)
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="所属辖区", on_delete=models.PROTECT,
                                     related_name="registry_people")
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="平台账号", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="person")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "人才"
        verbose_name_plural = "人才"
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def id_number(self):
        """The full number, decrypted. Views show it only through services.reveal_id_number (audited)."""
        from .crypto import decrypt

        return decrypt(self.id_number_encrypted)

    @property
    def phone(self):
        from .crypto import decrypt

        return decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    def set_masks(self, id_number, phone=""):
        self.id_number_masked = mask_id_number(id_number)
        self.phone_masked = mask_phone(phone)


class EmployerProfile(FactFields):
    """What the registry knows about an employer beyond the organisation tree."""

    organisation = models.OneToOneField("accounts.Organisation", verbose_name="单位", on_delete=models.CASCADE,
                                        related_name="employer_profile")
    sector = models.CharField("行业", max_length=60, blank=True)
    is_pillar_industry = models.BooleanField("支柱/优势/战略性新兴产业", default=False)
    is_government = models.BooleanField("政府机关/事业单位", default=False)

    class Meta:
        verbose_name = "用人单位信息"
        verbose_name_plural = "用人单位信息"

    def __str__(self):
        return str(self.organisation)


class EmployerRecord(FactFields):
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="employer_records")
    kind = models.CharField("类型", max_length=30, choices=EmployerRecordKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="空表示仍在持续")
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "用人单位信用记录"
        verbose_name_plural = "用人单位信用记录"
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()}"


class Employment(FactFields):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employments")
    employer = models.ForeignKey("accounts.Organisation", verbose_name="用人单位", on_delete=models.PROTECT,
                                 related_name="employment_spells")
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="工作地辖区", on_delete=models.PROTECT,
                                     related_name="+")
    post = models.CharField("岗位/工种", max_length=100, blank=True)
    frontline = models.BooleanField("一线技能岗位", default=True)
    full_time = models.BooleanField("全职", null=True, blank=True, help_text="空表示未知")
    is_legal_representative = models.BooleanField("担任单位法定代表人或负责人", default=False)
    start = models.DateField("入职日期")
    end = models.DateField("离职日期", null=True, blank=True, help_text="空表示仍在职")

    class Meta:
        verbose_name = "工作经历"
        verbose_name_plural = "工作经历"
        constraints = [
            models.UniqueConstraint(fields=["person", "employer", "start"], name="employment_natural_key"),
            models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                                   name="employment_end_after_start"),
        ]

    def __str__(self):
        return f"{self.employer} {self.start}–{self.end or '至今'}"


class SocialInsurancePeriod(FactFields):
    """Contributions paid in one jurisdiction for the months first_month..last_month (inclusive,
    both stored as the 1st of the month). Imported month rows are merged into periods."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="insurance_periods")
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="参保地", on_delete=models.PROTECT,
                                     related_name="+")
    employer = models.ForeignKey("accounts.Organisation", verbose_name="缴费单位", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")

    class Meta:
        verbose_name = "社会保险缴费"
        verbose_name_plural = "社会保险缴费"
        constraints = [
            models.UniqueConstraint(fields=["person", "jurisdiction", "first_month"], name="insurance_natural_key"),
            models.CheckConstraint(condition=models.Q(last_month__gte=models.F("first_month")),
                                   name="insurance_last_after_first"),
        ]

    @property
    def months(self):
        return (self.last_month.year - self.first_month.year) * 12 + self.last_month.month - self.first_month.month + 1


class Certificate(FactFields):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates")
    occupation = models.CharField("职业（工种）", max_length=100)
    level = models.PositiveSmallIntegerField("等级", choices=SkillLevel.choices)
    kind = models.CharField("证书类型", max_length=20, choices=CertificateKind.choices,
                            default=CertificateKind.SKILL_LEVEL)
    number = models.CharField("证书编号", max_length=60, blank=True)
    issuer = models.CharField("发证机构", max_length=120, blank=True)
    issued_on = models.DateField("发证日期")

    class Meta:
        verbose_name = "职业资格/技能等级证书"
        verbose_name_plural = "职业资格/技能等级证书"
        constraints = [
            models.UniqueConstraint(fields=["person", "occupation", "level"], name="certificate_natural_key"),
        ]

    def __str__(self):
        return f"{self.occupation} {self.get_level_display()}"


class CompetitionResult(FactFields):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="competition_results")
    name = models.CharField("竞赛名称", max_length=200)
    occupation = models.CharField("竞赛项目/工种", max_length=100, blank=True)
    level = models.PositiveSmallIntegerField("竞赛级别", choices=CompetitionLevel.choices)
    klass = models.PositiveSmallIntegerField("竞赛类别", choices=CompetitionClass.choices, default=CompetitionClass.NONE)
    rank = models.PositiveSmallIntegerField("名次")
    held_on = models.DateField("比赛日期")

    class Meta:
        verbose_name = "竞赛成绩"
        verbose_name_plural = "竞赛成绩"
        constraints = [
            models.UniqueConstraint(fields=["person", "name", "held_on"], name="competition_natural_key"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="competition_rank_positive"),
        ]

    def __str__(self):
        return f"{self.name} 第{self.rank}名"


class TitleAward(FactFields):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="titles")
    code = models.CharField("称号", max_length=40, choices=TitleCode.choices)
    name = models.CharField("称号名称", max_length=200, blank=True,
                            help_text="规范名称（policies/vocabulary.yaml），政策按此名称匹配")
    raw_name = models.CharField("原始名称", max_length=200, blank=True, help_text="填报或导入时的原文")
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    awarded_on = models.DateField("授予日期")
    expires_on = models.DateField("管理期/有效期至", null=True, blank=True)
    issuer = models.CharField("授予机关", max_length=120, blank=True)

    class Meta:
        verbose_name = "称号与奖励"
        verbose_name_plural = "称号与奖励"
        constraints = [
            models.UniqueConstraint(fields=["person", "code", "awarded_on"], name="title_natural_key"),
        ]

    def __str__(self):
        return self.name or self.get_code_display()


class ProgrammeMembership(FactFields):
    """Talent-programme memberships and talent-catalogue classes (Ganzhou: 市人才目录 D类以上)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="programmes")
    code = models.CharField("人才工程", max_length=40, choices=ProgrammeCode.choices)
    name = models.CharField("名称", max_length=200, blank=True,
                            help_text="规范名称（policies/vocabulary.yaml），政策按此名称匹配")
    raw_name = models.CharField("原始名称", max_length=200, blank=True, help_text="填报或导入时的原文")
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    catalogue_class = models.CharField("人才目录类别", max_length=2, blank=True, help_text="A–F，A 最高")
    joined_on = models.DateField("入选日期")
    ends_on = models.DateField("期满日期", null=True, blank=True)

    class Meta:
        verbose_name = "人才工程/人才目录"
        verbose_name_plural = "人才工程/人才目录"


class Apprenticeship(FactFields):
    """A master–apprentice agreement (名师带徒) and what the apprentice has since achieved."""

    master = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="apprenticeships")
    apprentice_name = models.CharField("徒弟姓名", max_length=60)
    apprentice = models.ForeignKey(Person, verbose_name="徒弟（库内人员）", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="masters")
    agreement_date = models.DateField("带徒协议日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    apprentice_certificate_level = models.PositiveSmallIntegerField("徒弟取得证书等级", choices=SkillLevel.choices,
                                                                    null=True, blank=True)
    apprentice_certificate_date = models.DateField("徒弟取得证书日期", null=True, blank=True)
    apprentice_competition_rank = models.PositiveSmallIntegerField("徒弟竞赛最好名次", null=True, blank=True)
    apprentice_is_backbone = models.BooleanField("徒弟已成为技能骨干", null=True, blank=True)
    has_agreement = models.BooleanField("签订带徒协议", default=True)

    class Meta:
        verbose_name = "带徒记录"
        verbose_name_plural = "带徒记录"

    def __str__(self):
        return f"徒弟{self.apprentice_name}（{self.agreement_date:%Y年%m月%d日}签订协议）"


class Innovation(FactFields):
    """Innovations, patents, standards and achievement awards (Huiyang 第七条（二）（六）, Huancui 第七条（三）,
    Liaocheng 业绩条件1)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="innovations")
    kind = models.CharField("类型", max_length=30, choices=InnovationKind.choices)
    title = models.CharField("名称", max_length=200)
    number = models.CharField("专利号/标准号", max_length=60, blank=True)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices, default=Level.ENTERPRISE)
    grade = models.PositiveSmallIntegerField("奖项等次", choices=PrizeGrade.choices, default=PrizeGrade.NONE)
    dated = models.DateField("日期")

    class Meta:
        verbose_name = "创新成果/专利/标准"
        verbose_name_plural = "创新成果/专利/标准"

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


class MasterStudio(FactFields):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="studios")
    kind = models.CharField("类型", max_length=30, choices=StudioKind.choices, default=StudioKind.MASTER_STUDIO)
    name = models.CharField("名称", max_length=200)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    established_on = models.DateField("认定日期")
    ended_on = models.DateField("撤销/期满日期", null=True, blank=True)
    is_leader = models.BooleanField("领办人", default=True)

    class Meta:
        verbose_name = "技能大师工作室"
        verbose_name_plural = "技能大师工作室"

    def __str__(self):
        return self.name


class CreditRecord(FactFields):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credit_records")
    kind = models.CharField("类型", max_length=30, choices=CreditKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("结束日期", null=True, blank=True, help_text="空表示仍在持续/无期限")
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "信用与纪律记录"
        verbose_name_plural = "信用与纪律记录"


class PersonAttribute(FactFields):
    """A person attribute a policy can test (国籍, 户籍, 工会会员, 非遗传承人…): `attribute` is the
    name declared in policies/vocabulary.yaml (or a policy's own vocabulary). The 户籍 of
    Person.region_code is read as the `hukou` attribute without a row here."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attributes")
    attribute = models.CharField("属性", max_length=60)
    holds = models.BooleanField("具有", default=True, help_text="否：已核实不具有")
    value = models.CharField("取值", max_length=100, blank=True)
    place = models.ForeignKey("accounts.Organisation", verbose_name="地区", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices, null=True, blank=True)
    start = models.DateField("起始日期", null=True, blank=True)
    end = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "人员属性"
        verbose_name_plural = "人员属性"


class EmployerAttribute(FactFields):
    """A designation of an employer (专精特新, 高新技术企业…), named as in the vocabulary."""

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="单位", on_delete=models.CASCADE,
                                     related_name="attributes")
    attribute = models.CharField("认定类型", max_length=60)
    holds = models.BooleanField("具有", default=True)
    value = models.CharField("取值", max_length=100, blank=True)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices, null=True, blank=True)
    start = models.DateField("认定日期", null=True, blank=True)
    end = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "单位认定"
        verbose_name_plural = "单位认定"


class ImportBatch(models.Model):
    """One uploaded file: dry run, then an all-or-nothing commit. The file is kept encrypted
    (it holds ID numbers) until committed or discarded."""

    class Kind(models.TextChoices):
        PEOPLE = "people", "人员"
        EMPLOYMENT = "employment", "工作经历"
        CERTIFICATES = "certificates", "证书"
        COMPETITIONS = "competitions", "竞赛成绩"
        INSURANCE = "insurance", "社会保险缴费"
        ATTRIBUTES = "attributes", "人员属性"
        DESIGNATIONS = "designations", "单位认定"

    class Status(models.TextChoices):
        CHECKING = "checking", "校验中"
        CHECKED = "checked", "已校验，可导入"
        INVALID = "invalid", "校验未通过"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        DISCARDED = "discarded", "已放弃"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.CHECKING)
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_encrypted = models.TextField(blank=True)
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="导入辖区", on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理", default=0)
    rows_created = models.PositiveIntegerField("新增", default=0)
    rows_unchanged = models.PositiveIntegerField("无变化", default=0)
    rows_updated = models.PositiveIntegerField("更新", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.get_kind_display()}导入 {self.file_name}"

    @property
    def progress_percent(self):
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ScreeningRun(models.Model):
    """Screening the registry in an officer's scope against one policy on a reference date (免申即享).

    Per-person results are compact: a status and two bit masks over `clause_ids` (the policy's
    clause ids in order), one for failing clauses, one for clauses needing review."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "筛查中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"
        FAILED = "failed", "出错"

    policy = models.ForeignKey("policy.Policy", verbose_name="政策", on_delete=models.PROTECT, related_name="+")
    reference_date = models.DateField("基准日期")
    scope = models.ForeignKey("accounts.Organisation", verbose_name="筛查范围", on_delete=models.PROTECT,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    total = models.PositiveIntegerField("人数", default=0)
    done = models.PositiveIntegerField("已筛查", default=0)
    eligible = models.PositiveIntegerField("符合", default=0)
    needs_review = models.PositiveIntegerField("需人工审核", default=0)
    not_eligible = models.PositiveIntegerField("不符合", default=0)
    clause_ids = models.JSONField("条款", default=list)
    clause_labels = models.JSONField("条款说明", default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "资格筛查"
        verbose_name_plural = "资格筛查"
        ordering = ["-id"]

    def __str__(self):
        return f"筛查#{self.pk} {self.reference_date}"

    @property
    def progress_percent(self):
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)

    @property
    def finished(self):
        return self.status in {self.Status.DONE, self.Status.CANCELLED, self.Status.FAILED}


class ScreeningShard(models.Model):
    """One jurisdiction's part of a screening run: the people of the run's scope registered there;
    or, without a jurisdiction, every person of the scope (the one shard of a run screened inline
    or by a single worker, read by primary-key ranges instead of scattered rows).
    Each shard is a background task of its own, so several workers share a run; a shard commits
    its results chunk by chunk together with `resume_after` (the last person stored), so a shard
    whose worker died is run again from there and every result is stored once. `attempt` fences
    a superseded execution out: a chunk is committed only by the attempt that holds the shard."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="shards")
    jurisdiction = models.ForeignKey("accounts.Organisation", verbose_name="辖区", on_delete=models.PROTECT,
                                     related_name="+", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ScreeningRun.Status.choices,
                              default=ScreeningRun.Status.QUEUED)
    total = models.PositiveIntegerField("人数", default=0)
    done = models.PositiveIntegerField("已筛查", default=0)
    eligible = models.PositiveIntegerField("符合", default=0)
    needs_review = models.PositiveIntegerField("需人工审核", default=0)
    not_eligible = models.PositiveIntegerField("不符合", default=0)
    resume_after = models.BigIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField("执行次数", default=0)
    worker = models.CharField("工作进程", max_length=64, blank=True)
    workers = models.JSONField("历次工作进程", default=list)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "资格筛查分片"
        verbose_name_plural = "资格筛查分片"
        constraints = [models.UniqueConstraint(fields=["run", "jurisdiction"], name="screening_shard_unique")]

    def __str__(self):
        return f"筛查#{self.run_id}分片#{self.pk}"

    @property
    def label(self) -> str:
        """The shard's people in words: its jurisdiction, or the run's whole scope."""
        return self.jurisdiction.name if self.jurisdiction_id else f"{self.run.scope.name}（全部范围）"

    @property
    def finished(self):
        return self.status in {ScreeningRun.Status.DONE, ScreeningRun.Status.CANCELLED, ScreeningRun.Status.FAILED}


class ScreeningResult(models.Model):
    class Outcome(models.IntegerChoices):
        ELIGIBLE = 0, "符合"
        NEEDS_REVIEW = 1, "需人工审核"
        NOT_ELIGIBLE = 2, "不符合"

    # A run bulk-inserts a million rows, and every index and per-row default costs on each of them
    # (1M rows on this machine: 1.2 s into a bare table, 9-11 s with the id column, its sequence
    # and the five indexes this table had). So: no database FK constraints (per-row triggers) and
    # no id: the primary key is (run, person), which also stores each person's result once, and
    # one index serves the results list (a run's results by outcome, then person). Deletion still
    # cascades through the ORM (a person's results are found by a scan: people are not deleted).
    pk = models.CompositePrimaryKey("run", "person")
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="results", db_constraint=False,
                            db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                               db_index=False)
    outcome = models.PositiveSmallIntegerField(choices=Outcome.choices)
    fail_mask = models.BigIntegerField(default=0)
    review_mask = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "筛查结果"
        verbose_name_plural = "筛查结果"
        indexes = [models.Index(fields=["run", "outcome", "person"], name="screening_result_list")]


class Invitation(models.Model):
    """An eligible person invited to apply (免申即享): shown on the applicant's home page."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed = models.BooleanField("已忽略", default=False)
    dismissed_at = models.DateTimeField("忽略时间", null=True, blank=True)

    class Meta:
        verbose_name = "申报邀请"
        verbose_name_plural = "申报邀请"
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="invitation_unique")]
