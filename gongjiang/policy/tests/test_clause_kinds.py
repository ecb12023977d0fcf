"""Tenure, attribute, title level/issuer, competition "or higher", soft wording, local vocabulary and
unknown places: generic clause kinds a new city's policy is written with (issue 13)."""
import datetime as dt

import pytest

from gongjiang.policy.engine import HINTS, SOFT_HINT, evaluate
from gongjiang.policy.explain import explain
from gongjiang.policy.facts import FAIL, NEEDS_REVIEW, PASS, Facts
from gongjiang.policy.loader import PolicyFileError, parse_text

ON = dt.date(2025, 1, 1)

HEAD = """
title: 测试政策
short_title: 测试
document: {{title: 测试政策}}
jurisdiction: {jurisdiction}
validity: {{article: 第一条}}
recommendation: {{routes: [{{kind: self, article: 第二条}}]}}
procedure: [{{kind: application, article: 第三条, name: 申报}}]
"""


def policy(clauses: str, *, jurisdiction="山东省/淄博市", extra="", definitions=""):
    text = HEAD.format(jurisdiction=jurisdiction) + definitions + extra + f"""
honours:
  - code: t
    title: 测试称号
    eligibility:
      id: root
      kind: all_of
      article: 第四条
      clauses:
{clauses}
"""
    return parse_text(text, "test.yaml", code="test")


def run(pol, people, employers=None, on=ON):
    return evaluate(pol, Facts.from_records(people, employers=employers or {}), on=on)


# --- tenure ---------------------------------------------------------------------------------------
TENURE = """
        - {id: total, kind: tenure, article: 第四条, min: {value: 5, word: 满}}
        - {id: cont, kind: tenure, article: 第四条, min: {value: 3, word: 满}, continuous: true}
        - {id: here, kind: tenure, article: 第四条, min: {value: 3, word: 满}, in_jurisdiction: true}
        - {id: occ, kind: tenure, article: 第四条, min: {value: 3, word: 以上}, same_occupation: true}
        - {id: full, kind: tenure, article: 第四条, min: {value: 3, word: 满}, full_time_only: true}
        - {id: short, kind: tenure, article: 第四条, max: {value: 2, word: 不满}}
"""


def test_tenure_counts_calendar_days_on_the_reference_date_with_boundary_words():
    pol = policy(TENURE)
    people = [
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2020-01-01"}]},  # exactly 5 years
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2020-01-02"}]},  # one day short
        # two employers, no gap: continuous; in total 5 years
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2020-01-01", "end": "2021-12-31"},
                        {"employer": "乙", "place": "张店区", "start": "2022-01-01"}]},
        # a one-day gap restarts the continuous count (3 years needed from 2022-01-01)
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2019-01-01", "end": "2022-01-01"},
                        {"employer": "乙", "place": "张店区", "start": "2022-01-03"}]},
    ]
    r = run(pol, people)
    assert list(r.status["total"]) == [PASS, FAIL, PASS, PASS]
    assert list(r.status["cont"]) == [PASS, PASS, PASS, FAIL]
    assert list(r.status["short"]) == [FAIL, FAIL, FAIL, FAIL]


def test_tenure_overlapping_spells_count_once_and_only_inside_the_jurisdiction_when_asked():
    pol = policy(TENURE)
    people = [
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2020-01-01"},
                        {"employer": "乙", "place": "张店区", "start": "2021-01-01"}]},  # overlap: 5 years, not 9
        {"employment": [{"employer": "甲", "place": "广州市", "start": "2018-01-01", "end": "2022-12-31"},
                        {"employer": "乙", "place": "张店区", "start": "2023-01-01"}]},  # 2 years in Zibo
        {"employment": [{"employer": "丁", "start": "2015-01-01"}]},  # place unknown
    ]
    r = run(pol, people)
    assert list(r.status["total"]) == [PASS, PASS, PASS]
    assert list(r.status["here"]) == [PASS, FAIL, NEEDS_REVIEW]


def test_tenure_same_occupation_full_time_and_unknowns():
    pol = policy(TENURE)
    people = [
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2018-01-01", "end": "2022-12-31",
                         "occupation": "焊工", "full_time": True},
                        {"employer": "乙", "place": "张店区", "start": "2023-01-01", "occupation": "焊工",
                         "full_time": True}]},
        {"employment": [{"employer": "甲", "place": "张店区", "start": "2018-01-01", "end": "2022-12-31",
                         "occupation": "车工", "full_time": False},
                        {"employer": "乙", "place": "张店区", "start": "2023-01-01", "occupation": "焊工"}]},
        {"employment": [{"employer": "甲", "place": "张店区", "occupation": "焊工"}]},  # start unknown
        {},  # employment not declared
    ]
    r = run(pol, people)
    assert list(r.status["occ"]) == [PASS, FAIL, NEEDS_REVIEW, NEEDS_REVIEW]
    assert list(r.status["full"]) == [PASS, FAIL, NEEDS_REVIEW, NEEDS_REVIEW]  # 2 possible years < 3
    assert list(r.status["total"]) == [PASS, PASS, NEEDS_REVIEW, NEEDS_REVIEW]


def test_tenure_exclusive_word_needs_one_more_day():
    pol = policy("""
        - {id: over, kind: tenure, article: 第四条, min: {value: 5, word: 超过}}
""")
    r = run(pol, [{"employment": [{"employer": "甲", "place": "张店区", "start": "2020-01-01"}]},
                  {"employment": [{"employer": "甲", "place": "张店区", "start": "2019-12-31"}]}])
    assert list(r.status["over"]) == [FAIL, PASS]


# --- attributes -----------------------------------------------------------------------------------
ATTRS = """
        - {id: cn, kind: attribute, article: 第四条, attribute: 国籍, values: [中国]}
        - {id: hukou, kind: attribute, article: 第四条, attribute: hukou, within: 山东省/淄博市}
        - {id: union, kind: attribute, article: 第四条, attribute: union_member}
        - {id: heritage, kind: attribute, article: 第四条, attribute: 非遗传承人, min_level: 省级}
        - {id: srdi, kind: attribute, article: 第四条, attribute: 专精特新, min_level: 省级}
"""
FIRMS = {"甲": {"sector": "enterprise", "place": "张店区", "known_attributes": True,
               "attributes": {"specialised_sme": {"level": "国家级", "start": "2022-05-01"}}},
         "乙": {"sector": "enterprise", "place": "张店区", "known_attributes": True},
         "丙": {"sector": "enterprise", "place": "张店区"}}


def test_attribute_clauses_read_person_and_employer_attributes_as_data():
    pol = policy(ATTRS)
    assert [c.of for c in pol.honours[0].eligibility.clauses] == ["person"] * 4 + ["employer"]
    people = [
        {"attributes": {"nationality": "中国", "hukou": "张店区", "union_member": True,
                        "heritage_inheritor": {"level": "省级"}},
         "employment": [{"employer": "甲", "start": "2020-01-01"}]},
        {"attributes": {"nationality": "新加坡", "hukou": "广州市", "union_member": False,
                        "heritage_inheritor": {"level": "市级"}},
         "employment": [{"employer": "乙", "start": "2020-01-01"}]},
        # listed attributes are complete: no nationality row means none; the level is unknown
        {"attributes": {"heritage_inheritor": {}}, "employment": [{"employer": "丙", "start": "2020-01-01"}]},
        {"attributes": [], "employment": []},
        {},  # nothing declared
    ]
    r = run(pol, people, FIRMS)
    assert list(r.status["cn"]) == [PASS, FAIL, FAIL, FAIL, NEEDS_REVIEW]
    assert list(r.status["hukou"]) == [PASS, FAIL, FAIL, FAIL, NEEDS_REVIEW]
    assert list(r.status["union"]) == [PASS, FAIL, FAIL, FAIL, NEEDS_REVIEW]
    assert list(r.status["heritage"]) == [PASS, FAIL, NEEDS_REVIEW, FAIL, NEEDS_REVIEW]
    assert list(r.status["srdi"]) == [PASS, FAIL, NEEDS_REVIEW, FAIL, NEEDS_REVIEW]
    text = explain(r, 0).as_text()
    assert "专精特新" in text and "户籍" in text


def test_attribute_held_only_between_its_dates():
    pol = policy(ATTRS)
    r = run(pol, [{"attributes": {"union_member": {"start": "2025-02-01"}}},
                  {"attributes": {"union_member": {"start": "2010-01-01", "end": "2020-01-01"}}}])
    assert list(r.status["union"]) == [FAIL, FAIL]


def test_unknown_attribute_and_wrong_value_are_refused_with_file_line_field():
    with pytest.raises(PolicyFileError) as e:
        policy("""
        - {id: x, kind: attribute, article: 第四条, attribute: 血型}
""")
    assert "unknown attribute" in str(e.value) and "test.yaml:" in str(e.value)
    with pytest.raises(PolicyFileError) as e:
        policy("""
        - {id: x, kind: attribute, article: 第四条, attribute: union_member, within: 淄博市}
""")
    assert "not place-valued" in str(e.value)


def test_a_policy_declares_its_own_attribute_title_and_programme():
    extra = """
vocabulary:
  attributes:
    - {name: chef_plaque, label: 粤菜师傅挂牌, value_kind: word, values: [一星, 二星]}
  titles:
    - {name: 淄博市首席技师, level: 市级, issuer: 山东省/淄博市, aliases: [淄博首席技师]}
  programmes:
    - {name: 淄博英才计划, level: 市级}
"""
    pol = policy("""
        - {id: star, kind: attribute, article: 第四条, attribute: chef_plaque, values: [二星]}
        - {id: chief, kind: title, article: 第四条, titles: [淄博首席技师]}
        - {id: prog, kind: programme, article: 第四条, programmes: [{name: 淄博英才计划}]}
""", extra=extra)
    clauses = {c.id: c for c in pol.honours[0].eligibility.clauses}
    assert clauses["chief"].titles == ["淄博市首席技师"]
    r = run(pol, [{"attributes": {"chef_plaque": "二星"}, "titles": [{"title": "淄博市首席技师"}],
                   "programmes": [{"programme": "淄博英才计划"}]},
                  {"attributes": {"chef_plaque": "一星"}, "titles": [], "programmes": []}])
    assert list(r.status["star"]) == [PASS, FAIL]
    assert list(r.status["chief"]) == [PASS, FAIL]
    assert list(r.status["prog"]) == [PASS, FAIL]


# --- titles by level and issuer; competitions "or higher" -----------------------------------------
def test_title_by_level_and_by_issuer():
    pol = policy("""
        - {id: prov, kind: title, article: 第四条, min_level: 省级}
        - {id: zibo, kind: title, article: 第四条, titles: [市技术能手], issuer: 山东省/淄博市}
""")
    people = [
        {"titles": [{"title": "市技术能手", "level": "市级", "issuer": "淄博市"}]},
        {"titles": [{"title": "市技术能手", "level": "市级", "issuer": "聊城市"}]},
        {"titles": [{"title": "省技术能手", "level": "省级", "issuer": "山东省"}]},
        {"titles": [{"title": "市技术能手"}]},  # level and issuer unknown
    ]
    r = run(pol, people)
    assert list(r.status["prov"]) == [FAIL, FAIL, PASS, NEEDS_REVIEW]
    assert list(r.status["zibo"]) == [PASS, FAIL, FAIL, NEEDS_REVIEW]


def test_competition_this_level_or_higher():
    pol = policy("""
        - {id: comp, kind: competition, article: 第四条, placements: [{level: 省级, or_higher: true}]}
""")
    r = run(pol, [{"competitions": [{"level": "国家级", "rank": 5, "date": "2023-01-01"}]},
                  {"competitions": [{"level": "省级", "rank": 9, "date": "2023-01-01"}]},
                  {"competitions": [{"level": "市级", "rank": 1, "date": "2023-01-01"}]}])
    assert list(r.status["comp"]) == [PASS, PASS, FAIL]


def test_competition_levels_down_to_township_and_enterprise():
    pol = policy("""
        - {id: town, kind: competition, article: 第四条, placements: [{level: 乡镇（街道）级, or_higher: true}]}
        - {id: firm, kind: competition, article: 第四条, placements: [{level: 企业级}]}
""")
    r = run(pol, [{"competitions": [{"level": "街道级", "rank": 1, "date": "2023-01-01"}]},
                  {"competitions": [{"level": "区县级", "rank": 1, "date": "2023-01-01"}]},
                  {"competitions": [{"level": "企业级", "rank": 1, "date": "2023-01-01"}]}])
    assert list(r.status["town"]) == [PASS, PASS, FAIL]
    assert list(r.status["firm"]) == [FAIL, FAIL, PASS]


# --- soft wording ---------------------------------------------------------------------------------
def test_soft_wording_gives_needs_review_on_the_clause_itself_with_its_reason():
    pol = policy("""
        - {id: age, kind: age, article: 第四条, max: {value: 50, word: 不超过}, on_fail: needs_review,
           text: 一般不超过50周岁}
""")
    r = run(pol, [{"birth": "1960-01-01"}, {"birth": "1990-01-01"}])
    assert list(r.status["age"]) == [NEEDS_REVIEW, PASS]
    assert list(r.status["root"]) == [NEEDS_REVIEW, PASS]
    assert r.outcomes["age"].hint[0] == SOFT_HINT
    assert HINTS[SOFT_HINT] in explain(r, 0).as_text()


# --- places ---------------------------------------------------------------------------------------
def test_unknown_places_are_refused_in_policies_and_case_facts():
    with pytest.raises(PolicyFileError) as e:
        policy("        - {id: a, kind: working_age, article: 第四条}\n", jurisdiction="山东省/不存在市")
    assert "unknown place" in str(e.value) and "jurisdiction" in str(e.value)
    with pytest.raises(ValueError, match="unknown place"):
        Facts.from_records([{"residence": "不存在县"}])


def test_short_names_and_paths_resolve_and_work_in_a_district_counts_in_city_and_province():
    pol = policy("""
        - {id: post, kind: current_post, article: 第四条, frontline: false}
""", jurisdiction="山东")
    assert pol.jurisdiction == "山东省"
    r = run(pol, [{"employment": [{"employer": "甲", "place": "淄博市/张店区", "start": "2020-01-01"}]},
                  {"employment": [{"employer": "甲", "place": "惠阳", "start": "2020-01-01"}]}])
    assert list(r.status["post"]) == [PASS, FAIL]
