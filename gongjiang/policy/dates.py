"""Age and statutory retirement age, as cut-off dates so that N people are judged by one comparison.

Age is counted in completed years (周岁). A person born on 29 February reaches an anniversary in a
common year on 28 February (民法典 第二百零二条: 没有对应日的，月末日为期间的最后一日).

Comparison words (民法典 第一千二百五十九条): 以上、以下、以内、届满 include the number; 不满、超过、以外
exclude it. A policy may define them otherwise (惠阳 第二十条: 以上含本数、以下不含本数) and a text may
say so explicitly ("45周岁（含）以下"), which wins.

Statutory retirement age: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定
(2024-09-13, in force 2025-01-01) and its annex tables: men from 60 toward 63, one month every four
months, for those born from January 1965; women of 55 (管理和专业技术岗位) toward 58 likewise from
January 1970; women of 50 (工人岗位) toward 55, one month every two months, from January 1975.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

CIVIL_CODE_INCLUSIVE = {"以上": True, "以下": True, "以内": True, "届满": True, "满": True,
                        "不满": False, "超过": False, "以外": False, "不超过": True}
_EPOCH = dt.date(1970, 1, 1).toordinal()


def anniversary(born: dt.date, years: int = 0, months: int = 0) -> dt.date:
    """The date `years` and `months` after `born`; a missing day is the month's last day."""
    total = born.year * 12 + born.month - 1 + years * 12 + months
    y, m = divmod(total, 12)
    m += 1
    for day in (born.day, 30, 29, 28):
        if day <= born.day:
            try:
                return dt.date(y, m, day)
            except ValueError:
                continue
    raise ValueError(born)


def age_on(born: dt.date, on: dt.date) -> int:
    """Completed years on `on` (reference implementation; the engine uses cut-offs)."""
    years = on.year - born.year
    return years if anniversary(born, years) <= on else years - 1


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February -> 28 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return dt.date(on.year - years, 2, 28)


def latest_birth_for_age(on: dt.date, years: int) -> int:
    """Ordinal of the latest birth date whose holder has completed `years` on `on`:
    age(b, on) >= years  <=>  b.toordinal() <= latest_birth_for_age(on, years)."""
    y = on.year - years
    candidate = years_before(on, years)
    if on.month == 2 and on.day == 28 and not _leap(on.year) and _leap(y):
        candidate = dt.date(y, 2, 29)
    return candidate.toordinal()


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def inclusive(word: str, explicit: bool | None, definitions: dict[str, bool] | None) -> bool:
    if explicit is not None:
        return explicit
    if definitions and word in definitions:
        return definitions[word]
    return CIVIL_CODE_INCLUSIVE[word]


# --- retirement ---------------------------------------------------------------------------------
# scheme -> (base age in months, first birth month of the reform, months of birth per step, cap)
RETIREMENT_SCHEMES = {
    "male": (60 * 12, 1965 * 12, 4, 36),
    "female_cadre": (55 * 12, 1970 * 12, 4, 36),
    "female_worker": (50 * 12, 1975 * 12, 2, 60),
}


def retirement_age_months(birth_month: np.ndarray | int, scheme: str):
    """Statutory retirement age in months for births in `birth_month` (year * 12 + month - 1)."""
    base, first, step, cap = RETIREMENT_SCHEMES[scheme]
    m = np.asarray(birth_month, dtype=np.int64)
    delay = np.where(m >= first, np.minimum((m - first) // step + 1, cap), 0)
    return base + delay


def retirement_date(born: dt.date, scheme: str) -> dt.date:
    months = int(retirement_age_months(born.year * 12 + born.month - 1, scheme))
    return anniversary(born, 0, months)


def to_datetime64(ordinals: np.ndarray) -> np.ndarray:
    return (np.asarray(ordinals, dtype=np.int64) - _EPOCH).astype("datetime64[D]")


def add_months(ordinals: np.ndarray, months) -> np.ndarray:
    """Vectorised `anniversary`: each date plus `months` months (a missing day is the month's last)."""
    days = to_datetime64(ordinals)
    month = days.astype("datetime64[M]")
    day = (days - month.astype("datetime64[D]")).astype(np.int64) + 1
    target = month + np.asarray(months, dtype=np.int64)
    dim = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    when = target.astype("datetime64[D]") + (np.minimum(day, dim) - 1)
    return when.astype(np.int64) + _EPOCH


@lru_cache(maxsize=256)
def latest_birth_retired(on: dt.date, scheme: str) -> int:
    """Ordinal of the latest birth date whose holder has reached the statutory retirement age on
    `on`: retired(b)  <=>  b.toordinal() <= latest_birth_retired(on, scheme). The retirement date
    never decreases with the birth date, so a binary search over dates finds the cut-off and N
    people are then judged by one comparison."""
    lo, hi = dt.date(1900, 1, 1).toordinal(), on.toordinal()  # lo retired, hi not (born on `on`)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if retirement_date(dt.date.fromordinal(mid), scheme) <= on:
            lo = mid
        else:
            hi = mid
    return lo
