"""Dates of instalments and how many fall due by a date; money shown in 元. Pure functions."""
import calendar
import datetime as dt
import re
from functools import lru_cache

STEP_MONTHS = {"monthly": 1, "annual": 12, "one_time": 0}
YUAN = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=65536)
def due_date(first_due: dt.date, schedule: str, instalment: int) -> dt.date:
    """The date instalment number `instalment` (from 1) falls due."""
    return add_months(first_due, STEP_MONTHS[schedule] * (instalment - 1))


@lru_cache(maxsize=65536)
def count_due(first_due: dt.date, schedule: str, instalments: int, by: dt.date) -> int:
    """How many instalments fall due on or before `by`."""
    if by < first_due:
        return 0
    step = STEP_MONTHS[schedule]
    if step == 0:
        return 1
    months = (by.year - first_due.year) * 12 + by.month - first_due.month
    n = months // step
    if add_months(first_due, n * step) <= by:
        n += 1
    return min(n, instalments)


def period_bounds(kind: str, year: int, month: int | None = None) -> tuple[dt.date, dt.date]:
    if kind == "month":
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def yuan(fen: int) -> str:
    """12345 -> "123.45" (exact, no float)."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_grouped(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def parse_yuan(text) -> int | None:
    """"5000" / "5000.5" / "5000.00" -> fen; None when it is not an amount in 元 with at most two decimals."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text * 100 if text >= 0 else None
    if isinstance(text, float):
        text = repr(text)
    text = str(text).strip().replace(",", "")
    if not YUAN.match(text):
        return None
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])
