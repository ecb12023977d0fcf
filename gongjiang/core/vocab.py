"""Shared vocabularies: the codes every app uses for organisations, roles, levels and sources.

Ordered scales are IntegerChoices so that "at or above a level" is a plain comparison, in Python,
in SQL and in numpy alike.
"""
from django.db import models


class OrgKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区/县"
    DEVZONE = "devzone", "开发区"
    DEPARTMENT = "department", "政府部门"
    ASSOCIATION = "association", "行业协会"
    ENTERPRISE = "enterprise", "企业"
    INSTITUTION = "institution", "事业单位"
    SCHOOL = "school", "院校/培训机构"


JURISDICTION_KINDS = {OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT, OrgKind.DEVZONE}


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报人"
    EMPLOYER = "employer", "用人单位经办人"
    RECOMMENDER = "recommender", "推荐单位经办人"
    BUREAU = "bureau", "人社局经办人"
    EXPERT = "expert", "评审专家"
    COMMITTEE = "committee", "评审委员会委员"
    FINANCE = "finance", "财务人员"
    AUDITOR = "auditor", "审计人员"
    SYSADMIN = "sysadmin", "系统管理员"


class SkillLevel(models.IntegerChoices):
    """The eight-level scale (新八级工制度); the national 五级…一级 names map onto it."""

    APPRENTICE = 0, "学徒工"
    JUNIOR = 1, "初级工（五级）"
    INTERMEDIATE = 2, "中级工（四级）"
    SENIOR = 3, "高级工（三级）"
    TECHNICIAN = 4, "技师（二级）"
    SENIOR_TECHNICIAN = 5, "高级技师（一级）"
    PRINCIPAL_TECHNICIAN = 6, "特级技师"
    CHIEF_TECHNICIAN = 7, "首席技师"


class CompetitionLevel(models.IntegerChoices):
    """The level of a competition, title, programme or designation: the awarding body's rank, from an
    enterprise's own contest up to the world. Stored values were renumbered when 乡镇（街道）级
    was added (registry migration 0009, applications migration shifting the facts JSON)."""

    ENTERPRISE = 0, "企业级"
    TOWNSHIP = 1, "乡镇（街道）级"
    DISTRICT = 2, "区县级"
    CITY = 3, "市级"
    PROVINCIAL = 4, "省级"
    NATIONAL = 5, "国家级"
    WORLD = 6, "世界级"


class CompetitionClass(models.IntegerChoices):
    NONE = 0, "未分类"
    FIRST = 1, "一类"
    SECOND = 2, "二类"


class FactSource(models.TextChoices):
    SELF_DECLARED = "self", "本人申报"
    EMPLOYER = "employer", "单位填报"
    IMPORTED = "imported", "批量导入"
    REGISTRY = "registry", "部门数据"


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", "未核验"
    VERIFIED = "verified", "已核验"
    REJECTED = "rejected", "核验不通过"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class PostCategory(models.TextChoices):
    """For the statutory retirement age of women (全国人大常委会 2024-09-13 决定)."""

    WORKER = "worker", "工人岗位"
    CADRE = "cadre", "管理/专业技术岗位"
