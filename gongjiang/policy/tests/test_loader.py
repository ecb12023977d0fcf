"""Policy file loading: errors name file, line and field; dated parameters pick the value in force."""
import datetime as dt
from pathlib import Path

import pytest

from gongjiang.policy import schema
from gongjiang.policy.loader import PolicyFileError, parse_text, policy_files, read_policy

MINIMAL = """\
title: 测试办法
short_title: 测试
document: {title: 测试办法}
jurisdiction: 广东省/惠州市/惠阳区
validity: {article: 第九条, from: 2024-01-01, to: 2025-12-31}
recommendation: {routes: [{kind: self, article: 第五条}]}
procedure: [{kind: approval, article: 第六条, name: 批准}]
honours:
  - code: test
    title: 测试称号
    quota:
      article: 第四条
      max: QUOTA
    eligibility:
      id: root
      kind: all_of
      article: 第七条
      clauses:
        - {id: age, kind: age, article: 第七条, max: {value: 55, word: 以下}}
"""


def test_loader_error_names_file_line_and_field():
    with pytest.raises(PolicyFileError) as e:
        parse_text(MINIMAL.replace("QUOTA", "0"), "policies/test.yaml")
    assert str(e.value) == "policies/test.yaml:13: honours[0].quota.max must be a positive integer"


def test_loader_error_unknown_clause_kind_points_at_the_clause():
    text = MINIMAL.replace("QUOTA", "5").replace("kind: age, article: 第七条, max: {value: 55, word: 以下}",
                                                 "kind: shoe_size, article: 第七条")
    with pytest.raises(PolicyFileError) as e:
        parse_text(text, "policies/test.yaml")
    assert "policies/test.yaml:19: honours[0].eligibility.clauses[0] has unknown kind 'shoe_size'" in str(e.value)


def test_loader_error_missing_article_is_reported():
    text = MINIMAL.replace("QUOTA", "5").replace("{id: age, kind: age, article: 第七条,", "{id: age, kind: age,")
    with pytest.raises(PolicyFileError) as e:
        parse_text(text, "policies/test.yaml")
    assert "policies/test.yaml:19: honours[0].eligibility.clauses[0].article is required" in str(e.value)


def test_loader_error_yaml_syntax_has_line():
    with pytest.raises(PolicyFileError) as e:
        parse_text("title: [unclosed\nshort_title: x\n", "policies/bad.yaml")
    assert str(e.value).startswith("policies/bad.yaml:")


def test_loader_error_wrong_bound_word_for_max():
    text = MINIMAL.replace("QUOTA", "5").replace("word: 以下", "word: 以上")
    with pytest.raises(PolicyFileError) as e:
        parse_text(text, "policies/test.yaml")
    assert "max.word 以上 is a lower-bound word" in str(e.value)


def test_dated_quota_picks_value_in_force():
    text = MINIMAL.replace("max: QUOTA", "max:\n        - {value: 40, from: 2019-01-01, to: 2019-12-31}\n"
                                          "        - {value: 45, from: 2020-01-01}")
    policy = parse_text(text, "policies/test.yaml")
    quota = policy.honours[0].quota.max
    assert schema.value_at(quota, dt.date(2019, 6, 1)) == 40
    assert schema.value_at(quota, dt.date(2021, 6, 1)) == 45
    assert schema.value_at(quota, dt.date(2018, 6, 1)) is None


def test_dated_periods_that_overlap_are_rejected():
    text = MINIMAL.replace("max: QUOTA", "max:\n        - {value: 40, from: 2019-01-01}\n"
                                          "        - {value: 45, from: 2020-01-01}")
    with pytest.raises(PolicyFileError) as e:
        parse_text(text, "policies/test.yaml")
    assert "policies/test.yaml:13: honours[0].quota.max dated periods overlap" in str(e.value)


def test_policy_validity_in_force():
    policy = parse_text(MINIMAL.replace("QUOTA", "5"), "policies/test.yaml")
    assert policy.in_force(dt.date(2025, 12, 31))
    assert not policy.in_force(dt.date(2026, 1, 1))


def test_every_policy_file_in_the_folder_loads():
    files = policy_files()
    assert len(files) >= 1
    for path in files:
        loaded = read_policy(path)
        assert loaded.code == Path(path).name.removesuffix(".yaml")


TITLE_CLAUSE = "kind: age, article: 第七条, max: {value: 55, word: 以下}}"


def test_loader_rejects_unknown_title_with_file_line_and_field():
    text = MINIMAL.replace("QUOTA", "5").replace(TITLE_CLAUSE, "kind: title, article: 第七条, titles: [市管首席技师, 火星首席技师]}")
    with pytest.raises(PolicyFileError) as e:
        parse_text(text, "policies/test.yaml")
    assert str(e.value).startswith("policies/test.yaml:19: honours[0].eligibility.clauses[0].titles[1] names unknown "
                                   "title '火星首席技师'")


def test_loader_rewrites_title_and_programme_aliases_to_canonical_names():
    text = MINIMAL.replace("QUOTA", "5").replace(
        "        - {id: age, " + TITLE_CLAUSE,
        "        - {id: t, kind: title, article: 第七条, titles: [惠州市市管首席技师]}\n"
        "        - {id: p, kind: programme, article: 第七条, programmes: [{name: 省双千计划}]}")
    policy = parse_text(text, "policies/test.yaml")
    t, p = policy.honours[0].eligibility.clauses
    assert t.titles == ["市管首席技师"] and p.programmes[0].name == "省“双千计划”"


def test_vocabulary_is_not_read_as_a_policy_and_covers_registry_codes():
    from gongjiang.policy.loader import vocabulary
    from gongjiang.registry.models import ProgrammeCode, TitleCode

    assert all(p.name != "vocabulary.yaml" for p in policy_files())
    v = vocabulary()
    for code, label in TitleCode.choices:
        if code not in ("other", "platform_honour"):
            assert v.canonical("titles", label) == label, label
    for code, label in ProgrammeCode.choices:
        if code != "other":
            assert v.canonical("programmes", label) == label, label
