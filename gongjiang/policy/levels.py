"""Names of ordered levels as policy files and test cases write them, mapped to the shared codes
of gongjiang.core.vocab (so "技师", "二级", "technician" and 4 are the same level)."""
from gongjiang.core.vocab import CompetitionClass, CompetitionLevel, SkillLevel

SKILL_ALIASES = {
    "学徒工": 0, "apprentice": 0,
    "初级工": 1, "五级": 1, "junior": 1,
    "中级工": 2, "四级": 2, "intermediate": 2,
    "高级工": 3, "三级": 3, "senior": 3, "高级技工": 3,
    "技师": 4, "二级": 4, "technician": 4,
    "高级技师": 5, "一级": 5, "senior_technician": 5,
    "特级技师": 6, "principal_technician": 6,
    "首席技师": 7, "chief_technician": 7,
}
COMPETITION_LEVEL_ALIASES = {
    "企业级": 0, "enterprise": 0,
    "乡镇（街道）级": 1, "乡镇级": 1, "镇级": 1, "街道级": 1, "乡镇": 1, "township": 1,
    "区县级": 2, "县级": 2, "区级": 2, "district": 2,
    "市级": 3, "city": 3,
    "省级": 4, "provincial": 4,
    "国家级": 5, "全国": 5, "national": 5,
    "世界级": 6, "world": 6,
}
COMPETITION_CLASS_ALIASES = {"未分类": 0, "none": 0, "一类": 1, "first": 1, "二类": 2, "second": 2}
GRADE_ALIASES = {"无": 0, "一等奖": 1, "二等奖": 2, "三等奖": 3}
SKILL_LABELS = {int(c): c.label for c in SkillLevel}
SKILL_SHORT = {0: "学徒工", 1: "初级工", 2: "中级工", 3: "高级工", 4: "技师", 5: "高级技师", 6: "特级技师",
               7: "首席技师"}
LEVEL_LABELS = {int(c): c.label for c in CompetitionLevel}
CLASS_LABELS = {int(c): c.label for c in CompetitionClass}


def _parse(value, aliases, what, top):
    if isinstance(value, bool):
        raise ValueError(f"unknown {what}: {value!r}")
    if isinstance(value, int):
        if 0 <= value <= top:
            return value
        raise ValueError(f"{what} must be between 0 and {top}")
    text = str(value).strip()
    if text in aliases:
        return aliases[text]
    head = text.split("（")[0].split("(")[0]
    if head in aliases:
        return aliases[head]
    raise ValueError(f"unknown {what}: {value!r} (one of {', '.join(k for k in aliases if not k.isascii())})")


def skill_level(value) -> int:
    return _parse(value, SKILL_ALIASES, "skill level", 7)


def competition_level(value) -> int:
    return _parse(value, COMPETITION_LEVEL_ALIASES, "level", 6)


def competition_class(value) -> int:
    return _parse(value, COMPETITION_CLASS_ALIASES, "competition class", 2)


def grade(value) -> int:
    return _parse(value, GRADE_ALIASES, "prize grade", 3)
