"""Age cut-offs and the statutory retirement age (2024 NPCSC decision) — pure functions, no database."""
import datetime as dt

import numpy as np
import pytest

from gongjiang.policy import dates


def _brute_age(born, on):
    return dates.age_on(born, on)


@pytest.mark.parametrize("on", [dt.date(2025, 1, 1), dt.date(2024, 2, 29), dt.date(2025, 2, 28),
                                dt.date(2023, 3, 1), dt.date(2024, 2, 28)])
def test_latest_birth_for_age_matches_completed_years(on):
    start = dt.date(1968, 1, 1).toordinal()
    for years in (16, 35, 45, 55):
        cutoff = dates.latest_birth_for_age(on, years)
        for o in range(start, start + 366 * 60, 7):
            born = dt.date.fromordinal(o)
            assert (o <= cutoff) == (_brute_age(born, on) >= years), (born, on, years)
        # the days around the cut-off itself
        for o in range(cutoff - 3, cutoff + 4):
            born = dt.date.fromordinal(o)
            assert (o <= cutoff) == (_brute_age(born, on) >= years), (born, on, years)


def test_age_birthday_on_reference_date_counts_the_year():
    assert dates.age_on(dt.date(1980, 1, 1), dt.date(2025, 1, 1)) == 45
    assert dates.age_on(dt.date(1980, 1, 2), dt.date(2025, 1, 1)) == 44


def test_age_leap_day_birth_reaches_anniversary_on_28_february():
    born = dt.date(2004, 2, 29)
    assert dates.age_on(born, dt.date(2022, 2, 27)) == 17
    assert dates.age_on(born, dt.date(2022, 2, 28)) == 18  # 民法典 第二百零二条：月末日
    assert dates.age_on(born, dt.date(2024, 2, 28)) == 19
    assert dates.age_on(born, dt.date(2024, 2, 29)) == 20


@pytest.mark.parametrize("word,expected", [("以上", True), ("以下", True), ("以内", True), ("届满", True),
                                           ("不满", False), ("超过", False), ("以外", False)])
def test_inclusive_civil_code_1259_default(word, expected):
    assert dates.inclusive(word, None, None) is expected


def test_inclusive_policy_definition_and_explicit_wording_win():
    huiyang = {"以上": True, "以下": False}  # 惠阳 第二十条
    assert dates.inclusive("以下", None, huiyang) is False
    assert dates.inclusive("以下", True, huiyang) is True  # "45周岁（含）以下"


@pytest.mark.parametrize("born,scheme,retire", [
    (dt.date(1964, 12, 15), "male", dt.date(2024, 12, 15)),          # before the reform: 60
    (dt.date(1965, 1, 15), "male", dt.date(2025, 2, 15)),            # 60 + 1 month
    (dt.date(1965, 5, 10), "male", dt.date(2025, 7, 10)),            # 60 + 2 months
    (dt.date(1976, 9, 1), "male", dt.date(2039, 9, 1)),              # capped at 63
    (dt.date(1980, 3, 31), "male", dt.date(2043, 3, 31)),
    (dt.date(1969, 12, 1), "female_cadre", dt.date(2024, 12, 1)),   # 55
    (dt.date(1970, 1, 31), "female_cadre", dt.date(2025, 2, 28)),   # 55 + 1 month, month end
    (dt.date(1981, 9, 1), "female_cadre", dt.date(2039, 9, 1)),     # capped at 58
    (dt.date(1974, 12, 1), "female_worker", dt.date(2024, 12, 1)),  # 50
    (dt.date(1975, 1, 1), "female_worker", dt.date(2025, 2, 1)),    # 50 + 1 month
    (dt.date(1975, 3, 1), "female_worker", dt.date(2025, 5, 1)),    # 50 + 2 months (every two months)
    (dt.date(1984, 11, 1), "female_worker", dt.date(2039, 11, 1)),  # capped at 55
])
def test_retirement_date_by_birth_month(born, scheme, retire):
    assert dates.retirement_date(born, scheme) == retire


def test_add_months_vectorised_matches_anniversary():
    births = [dt.date(2000, 1, 31), dt.date(2004, 2, 29), dt.date(1999, 12, 31), dt.date(2001, 6, 15)]
    got = dates.add_months(np.array([b.toordinal() for b in births]), 13)
    assert [dt.date.fromordinal(int(g)) for g in got] == [dates.anniversary(b, 0, 13) for b in births]


@pytest.mark.parametrize("scheme", list(dates.RETIREMENT_SCHEMES))
@pytest.mark.parametrize("on", [dt.date(2025, 1, 1), dt.date(2030, 6, 30), dt.date(2041, 2, 28)])
def test_latest_birth_retired_cutoff_matches_retirement_dates(scheme, on):
    cutoff = dates.latest_birth_retired(on, scheme)
    for o in list(range(cutoff - 40, cutoff + 40)) + list(range(cutoff - 4000, cutoff + 4000, 37)):
        born = dt.date.fromordinal(o)
        assert (o <= cutoff) == (dates.retirement_date(born, scheme) <= on), (born, scheme, on)
