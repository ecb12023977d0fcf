"""Working-day arithmetic on China's official calendar (the same functions every deadline uses).

Open to everyone (auth=None): the calendar is public information. A year whose holiday schedule
has not been entered gives 400 with the Chinese "尚未录入工作日历" message (code calendar_missing),
never a guess.
"""
import datetime as dt

from ninja import Query, Router, Schema

from gongjiang.core.errors import DomainError

from . import services

router = Router(tags=["工作日历"])
MAX_WORKING_DAYS = 500


class WorkingDayOut(Schema):
    day: dt.date
    working: bool


class AddOut(Schema):
    start: dt.date
    n: int
    result: dt.date


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int


def _span(start, end):
    if (end - start).days > services.MAX_SPAN_DAYS:
        raise DomainError(f"日期跨度不能超过{services.MAX_SPAN_DAYS}天", log="working-day span too long")


@router.get("/is-working-day", response=WorkingDayOut, auth=None, summary="某日是否为工作日（公开）")
def is_working_day(request, day: dt.date):
    return {"day": day, "working": services.is_working_day(day)}


@router.get("/add-working-days", response=AddOut, auth=None, summary="某日之后第n个工作日（公开）")
def add_working_days(request, start: dt.date, n: int = Query(..., ge=0, le=MAX_WORKING_DAYS)):
    """The n-th working day strictly after `start` (the rule for "自接到异议之日起n个工作日内")."""
    try:
        return {"start": start, "n": n, "result": services.add_working_days(start, n)}
    except ValueError:
        raise DomainError("工作日数过大，无法计算", log="working-day span too long") from None


@router.get("/working-days-between", response=BetweenOut, auth=None, summary="两日之间的工作日数（公开）")
def working_days_between(request, start: dt.date, end: dt.date):
    """Working days d with start <= d <= end, both ends included (0 when end is before start)."""
    _span(start, end)
    return {"start": start, "end": end, "working_days": services.working_days_between(start, end)}
