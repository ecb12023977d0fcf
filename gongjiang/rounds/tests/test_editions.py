"""Editions (issue 13): a round takes the edition of the policy in force on its reference date,
keeps what it copied, refuses a tier that edition lacks; a quota not in force is an error."""
import datetime as dt

import pytest

from gongjiang.core.errors import DomainError
from gongjiang.rounds import policy_link, services

from .factories import load_test_policy


@pytest.fixture
def bureau(jurisdictions, make_user):
    return make_user("bureau", jurisdictions["山东省"])


def _open(policy, bureau, year, **kw):
    return services.open_round(policy=policy, organiser=bureau.organisation, year=year, title=f"{year}年度遴选",
                               code=f"{policy.code}-{year}-{kw.get('honour_code', '')}",
                               opens_on=dt.date(year, 3, 1), application_deadline=dt.date(year, 4, 1),
                               actor=bureau, **kw)


def test_round_takes_the_edition_in_force_on_its_reference_date(bureau):
    qilu = load_test_policy("qilu-chief-technician")
    old = _open(qilu, bureau, 2019)
    assert old.quota == 150 and old.reference_date == dt.date(2019, 1, 1)
    assert "2019年通知" in old.quota_article
    conditions = " ".join(c["text"] for c in policy_link.conditions(old))
    assert "55周岁" in conditions and "高级技师" not in conditions  # version A's clauses
    assert "齐鲁首席技师选拔管理办法》" in old.call_text and "（暂行）" not in old.call_text
    # version B (2021 onward) names no yearly quota: no silent default of 1
    with pytest.raises(DomainError) as e:
        _open(qilu, bureau, 2024)
    assert "没有有效的名额规定" in e.value.message
    new = _open(qilu, bureau, 2024, quota=146)
    assert new.quota == 146
    assert "高级技师" in " ".join(c["text"] for c in policy_link.conditions(new))


def test_a_tier_the_edition_does_not_have_is_refused(bureau):
    qilu = load_test_policy("qilu-chief-technician")
    with pytest.raises(DomainError) as e:
        policy_link.honour_of(qilu, "chief-technician-grade-2", on=dt.date(2019, 1, 1))
    assert "没有该称号" in e.value.message


def test_quota_of_a_past_year_is_not_a_default(bureau):
    zibo = load_test_policy("zibo-chief-technician")  # 30 per year, stated for 2018 only
    with pytest.raises(DomainError):
        _open(zibo, bureau, 2023)
    assert _open(zibo, bureau, 2018).quota == 30
