"""A round against its policy's calendar: 惠阳 第四条 每两年选拔 (an off-cycle year is flagged),
仲恺 第五条（二）1 每年5月份下发评选通知 (another month is flagged), and 聊城 三's own deadline
(2019年7月31日前报送) as the round's default recommendation deadline."""
import datetime as dt

import pytest

from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.rounds import cycle, services

from .factories import load_test_policy

pytestmark = pytest.mark.django_db


def _open(policy, organiser, actor, year, opens_on, deadline, **kw):
    return services.open_round(policy=policy, organiser=organiser, year=year, title=f"{year}年度遴选",
                               code=f"{policy.code}-{year}-{opens_on:%m%d}", opens_on=opens_on,
                               application_deadline=deadline, actor=actor, **kw)


def test_off_cycle_year_is_flagged_huiyang_4(jurisdictions, make_user):
    bureau = make_user("bureau", jurisdictions["惠阳区"], password=None)
    policy = load_test_policy("huiyang-chief-technician")
    _open(policy, bureau.organisation, bureau, 2024, dt.date(2024, 3, 1), dt.date(2024, 4, 1))
    off = _open(policy, bureau.organisation, bureau, 2025, dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    on = _open(policy, bureau.organisation, bureau, 2026, dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert cycle.round_flags(off) == ["本政策每2年遴选一次（第四条），首个批次为2024年度，2025年度不在遴选周期内"]
    assert cycle.round_flags(on) == []
    assert "不在遴选周期内" in AuditEntry.objects.get(action="round.open", object_id=str(off.pk)).reason


def test_call_outside_the_policys_month_is_flagged_zhongkai_5_2_1(jurisdictions, make_user):
    bureau = make_user("bureau", jurisdictions["惠阳区"], password=None)
    policy = load_test_policy("zhongkai-skilled-talent")
    assert cycle.flags(policy, year=2015, opens_on=dt.date(2015, 5, 10)) == []
    assert cycle.flags(policy, year=2015, opens_on=dt.date(2015, 3, 10)) == [
        "本政策一般于每年5月下发通知（第五条（二）1），本批次于3月开始申报"]
    rnd = _open(policy, bureau.organisation, bureau, 2015, dt.date(2015, 3, 10), dt.date(2015, 4, 10))
    assert cycle.round_flags(rnd)  # flagged, not refused


def test_policy_deadline_is_the_rounds_default_liaocheng_3(jurisdictions, make_user):
    bureau = make_user("bureau", jurisdictions["聊城市"], password=None)
    policy = load_test_policy("liaocheng-2019-chief-technician")
    rnd = _open(policy, bureau.organisation, bureau, 2019, dt.date(2019, 6, 1), dt.date(2019, 7, 15))
    assert rnd.recommendation_deadline == dt.date(2019, 7, 31)
    with pytest.raises(DomainError) as e:
        _open(policy, bureau.organisation, bureau, 2019, dt.date(2019, 6, 2), dt.date(2019, 8, 15))
    assert "2019年7月31日前报送" in e.value.message
    later = _open(policy, bureau.organisation, bureau, 2020, dt.date(2020, 6, 1), dt.date(2020, 8, 15), quota=40)
    assert later.recommendation_deadline is None  # the policy's date is for 2019 only
