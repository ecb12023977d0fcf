"""Working-day arithmetic on China's official calendar, and the administration of that calendar.

Conventions (every deadline in the project goes through these functions):

* A date is a **working day** when it is an adjusted working day (调休上班日), or a Monday to Friday
  that is not a public holiday. Nothing else is assumed: a year whose schedule has not been entered
  and confirmed raises `CalendarMissing` instead of guessing.
* `working_days_between(a, b)` counts the working days d with a <= d <= b (both ends included).
* `notice_period_end(start, n)` is the last day of a public notice "公示时间不少于n个工作日": the start
  date counts as the first day when it is a working day (a notice published on a working day is
  up for that whole day); the end date is the n-th working day counted from the start, so that
  `working_days_between(start, end) == n`. A notice starting on Monday 2026-11-23 for 5 working
  days ends on Friday 2026-11-27.
* `add_working_days(d, n)` is the n-th working day strictly after d. It is the rule for
  "自接到异议之日起n个工作日内" (Huiyang 第十条（七）): following 民法典第二百零一条 the day of receipt
  is not counted, the period starts the next day; `investigation_deadline(received, n)` is the
  last day on which the investigation must be concluded.

Years covered by the pinned `chinesecalendar` package are seeded from it (data migration, and on
first use if a year is missing, e.g. after a test flushed the tables). Later years are entered by
an administrator (page or file import) and then marked as entered.
"""
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError

from .models import CalendarYear, DayKind, SpecialDay, YearSource

MAX_SPAN_DAYS = 3 * 366  # guard against runaway loops on absurd inputs


class CalendarMissing(DomainError):
    """Raised when arithmetic needs a year whose official schedule has not been entered."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日和调休安排尚未录入工作日历，无法计算工作日。"
            f"请系统管理员或人社局经办人在“工作日历”中录入{year}年安排并确认录入完整后再试。",
            log=f"working-day calendar for {year} not entered", code="calendar_missing")


# ---------------------------------------------------------------- the package (chinesecalendar)

def package_years() -> range:
    """The years the pinned chinesecalendar package covers (2004–2026 for 1.11.0)."""
    from chinese_calendar.constants import holidays

    years = [d.year for d in holidays]
    return range(min(years), max(years) + 1)


@lru_cache(maxsize=1)
def package_version() -> str:
    from importlib.metadata import version

    return f"chinesecalendar {version('chinesecalendar')}"


def _package_days(year: int):
    from chinese_calendar.constants import Holiday, holidays, workdays

    names = {h.value: h.chinese for h in Holiday}
    for table, kind in ((holidays, DayKind.HOLIDAY), (workdays, DayKind.WORKDAY)):
        for day, name in sorted(table.items()):
            if day.year == year:
                yield day, kind, names.get(name, name)


def import_year_from_package(year: int, *, actor=None) -> CalendarYear:
    """Create `year` from the package and mark it entered. Refuses years the package lacks."""
    if year not in package_years():
        raise DomainError(f"chinesecalendar 软件包不包含{year}年的数据，请由管理员录入。",
                          log=f"chinesecalendar has no data for {year}")
    with transaction.atomic():
        cal = CalendarYear.objects.create(year=year, source=YearSource.PACKAGE, source_detail=package_version(),
                                          complete=True, completed_at=timezone.now(), completed_by=actor)
        SpecialDay.objects.bulk_create(SpecialDay(calendar=cal, date=d, kind=k, name=n)
                                       for d, k, n in _package_days(year))
        record("workdays.year.import_package", actor=actor, obj=cal, after=snapshot(cal),
               reason=f"从{package_version()}导入")
    return cal


def ensure_package_years(*, actor=None) -> list[int]:
    """Import every package year not yet in the database. Returns the years imported."""
    done = []
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    for year in package_years():
        if year not in existing:
            import_year_from_package(year, actor=actor)
            done.append(year)
    return done


# ---------------------------------------------------------------- arithmetic

def _load_year(year: int) -> dict:
    cal = CalendarYear.objects.filter(year=year).first()
    if cal is None and year in package_years():
        try:
            with transaction.atomic():
                cal = import_year_from_package(year)
        except IntegrityError:  # imported concurrently by another request
            cal = CalendarYear.objects.get(year=year)
    if cal is None or not cal.complete:
        raise CalendarMissing(year)
    return dict(cal.days.values_list("date", "kind"))


class _Calendar:
    """Year tables loaded once per computation."""

    def __init__(self):
        self._years = {}

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self._years:
            self._years[day.year] = _load_year(day.year)
        return _working(day, self._years[day.year])


def _working(day: dt.date, table: dict) -> bool:
    kind = table.get(day)
    if kind == DayKind.WORKDAY:
        return True
    if kind == DayKind.HOLIDAY:
        return False
    return day.weekday() < 5


def _check_count(n):
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"number of working days must be a non-negative integer, got {n!r}")


def is_working_day(day: dt.date) -> bool:
    return _Calendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after `start` (n=0 gives `start` itself)."""
    _check_count(n)
    cal, day = _Calendar(), start
    for _ in range(MAX_SPAN_DAYS):
        if n == 0:
            return day
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    raise ValueError("working-day span too long")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days d with start <= d <= end (0 when end < start)."""
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValueError("working-day span too long")
    cal = _Calendar()
    return sum(cal.is_working_day(start + dt.timedelta(days=i)) for i in range((end - start).days + 1))


def notice_period_end(start: dt.date, days: int) -> dt.date:
    """Last day of a notice of `days` working days starting on `start` (start counts if working)."""
    _check_count(days)
    if days == 0:
        raise ValueError("a notice period needs at least one working day")
    cal = _Calendar()
    first = start if cal.is_working_day(start) else add_working_days(start, 1)
    return add_working_days(first, days - 1)


def investigation_deadline(received: dt.date, days: int) -> dt.date:
    """Last day to conclude an objection received on `received` (第十条（七）: within `days`
    working days from receipt; the day of receipt itself is not counted)."""
    _check_count(days)
    return add_working_days(received, days)


def year_ready(year: int) -> bool:
    """True when arithmetic in `year` works (entered, or importable from the package)."""
    try:
        _load_year(year)
    except CalendarMissing:
        return False
    return True


# ---------------------------------------------------------------- administration

@dataclass(frozen=True)
class YearSummary:
    calendar: CalendarYear
    holidays: int
    adjusted_workdays: int
    working_days: int


def summarise(cal: CalendarYear) -> YearSummary:
    table = dict(cal.days.values_list("date", "kind"))
    first = dt.date(cal.year, 1, 1)
    total = sum(_working(first + dt.timedelta(days=i), table)
                for i in range((dt.date(cal.year, 12, 31) - first).days + 1))
    kinds = list(table.values())
    return YearSummary(cal, kinds.count(DayKind.HOLIDAY), kinds.count(DayKind.WORKDAY), total)


@transaction.atomic
def create_year(year: int, *, actor, source=YearSource.MANUAL, source_detail: str = "") -> CalendarYear:
    if not 1949 < year < 2200:
        raise DomainError("年份不正确", log=f"bad year {year}")
    if CalendarYear.objects.filter(year=year).exists():
        raise DomainError(f"{year}年的工作日历已存在", log=f"calendar {year} exists")
    cal = CalendarYear.objects.create(year=year, source=source, source_detail=source_detail)
    record("workdays.year.create", actor=actor, obj=cal, after=snapshot(cal))
    return cal


def _require_reason_if_complete(cal, reason):
    if cal.complete and not reason.strip():
        raise DomainError(f"{cal.year}年已确认录入完整，修改须填写理由（将影响此后计算的期限）",
                          log="change to completed year without reason")


@transaction.atomic
def add_days(cal: CalendarYear, *, start: dt.date, end: dt.date | None = None, kind: str, name: str = "",
             actor, reason: str = "") -> list[SpecialDay]:
    """Add a holiday range or an adjusted working day to `cal`. Identical existing entries are kept."""
    end = end or start
    if kind not in DayKind.values:
        raise DomainError("类型须为“放假”或“调休上班”", log=f"bad kind {kind}")
    if end < start:
        raise DomainError("结束日期不能早于开始日期", log="range reversed")
    if start.year != cal.year or end.year != cal.year:
        raise DomainError(f"日期须在{cal.year}年内", log="date outside year")
    _require_reason_if_complete(cal, reason)
    created = []
    for i in range((end - start).days + 1):
        day = start + dt.timedelta(days=i)
        if kind == DayKind.WORKDAY and day.weekday() < 5:
            raise DomainError(f"{day:%Y-%m-%d}是周一至周五，本来就是工作日，无需登记为调休上班日",
                              log="adjusted workday on a weekday")
        existing = SpecialDay.objects.filter(date=day).first()
        if existing:
            if existing.kind != kind:
                raise DomainError(f"{day:%Y-%m-%d}已登记为“{existing.get_kind_display()}”，请先删除再修改",
                                  log="conflicting special day")
            continue
        created.append(SpecialDay.objects.create(calendar=cal, date=day, kind=kind, name=name))
    if created:
        record("workdays.days.add", actor=actor, obj=cal,
               after={"kind": kind, "name": name, "dates": [d.date for d in created]}, reason=reason)
    return created


@transaction.atomic
def remove_day(day: SpecialDay, *, actor, reason: str = ""):
    _require_reason_if_complete(day.calendar, reason)
    before = snapshot(day)
    cal = day.calendar
    day.delete()
    record("workdays.days.remove", actor=actor, obj=cal, before=before, reason=reason)


@transaction.atomic
def mark_entered(cal: CalendarYear, *, actor, source_detail: str = "", reason: str = "") -> CalendarYear:
    """Confirm that `cal` holds the whole official schedule; arithmetic in the year is open from now."""
    cal = CalendarYear.objects.select_for_update().get(pk=cal.pk)
    if cal.complete:
        raise DomainError(f"{cal.year}年已确认录入完整", log="already complete")
    if not cal.days.filter(kind=DayKind.HOLIDAY).exists():
        raise DomainError(f"{cal.year}年尚未录入任何法定节假日，不能确认录入完整",
                          log="no holidays entered")
    before = snapshot(cal)
    cal.complete, cal.completed_by, cal.completed_at = True, actor, timezone.now()
    if source_detail:
        cal.source_detail = source_detail
    cal.save()
    record("workdays.year.mark_entered", actor=actor, obj=cal, before=before, after=snapshot(cal), reason=reason)
    from .signals import year_entered

    year_entered.send(sender=CalendarYear, year=cal.year)
    return cal


# ---------------------------------------------------------------- file import

KIND_WORDS = {"休": DayKind.HOLIDAY, "放假": DayKind.HOLIDAY, "holiday": DayKind.HOLIDAY,
              "班": DayKind.WORKDAY, "上班": DayKind.WORKDAY, "调休上班": DayKind.WORKDAY, "workday": DayKind.WORKDAY}
_LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*[~～至]\s*(\d{4}-\d{1,2}-\d{1,2}))?[\s,，\t]+([^\s,，]+)(?:[\s,，\t]+(.+))?$")

IMPORT_HELP = """每行一条：日期或日期范围、类型（休/班）、名称，用逗号或空格分隔；# 开头为注释。例如：
2027-01-01~2027-01-03,休,元旦
2027-02-06,班,春节"""


def parse_schedule(text: str) -> list[tuple[dt.date, dt.date, str, str]]:
    rows, errors = [], []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        kind = KIND_WORDS.get(m.group(3)) if m else None
        try:
            start = dt.date.fromisoformat(_iso(m.group(1))) if m else None
            end = dt.date.fromisoformat(_iso(m.group(2))) if m and m.group(2) else start
        except ValueError:
            start = None
        if not m or kind is None or start is None:
            errors.append(f"第{no}行无法识别：{line[:60]}")
            continue
        rows.append((start, end, kind, (m.group(4) or "").strip()))
    if errors:
        raise DomainError("；".join(errors[:10]) + ("等" if len(errors) > 10 else ""), log="schedule parse errors")
    if not rows:
        raise DomainError("没有可导入的内容", log="empty schedule")
    return rows


def _iso(s):
    y, m, d = s.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


@transaction.atomic
def import_schedule(text: str, *, actor, source_detail: str = "", mark_complete: bool = False,
                    reason: str = "") -> list[CalendarYear]:
    """Import a schedule text (see IMPORT_HELP). Creates missing years; all or nothing."""
    rows = parse_schedule(text)
    years = {}
    for start, end, kind, name in rows:
        if start.year != end.year:
            raise DomainError("日期范围不能跨年，请分两行填写", log="range spans years")
        cal = years.get(start.year) or CalendarYear.objects.filter(year=start.year).first() \
            or create_year(start.year, actor=actor, source=YearSource.FILE, source_detail=source_detail)
        years[start.year] = cal
        add_days(cal, start=start, end=end, kind=kind, name=name, actor=actor, reason=reason)
    if mark_complete:
        for cal in years.values():
            if not cal.complete:
                mark_entered(cal, actor=actor, source_detail=source_detail, reason=reason)
    return list(years.values())


def schedule_text(cal: CalendarYear) -> str:
    """Export a year in the import format (ranges of consecutive same-kind, same-name days)."""
    out, run = [], None
    for day in cal.days.order_by("date"):
        if run and run[2] == day.kind and run[3] == day.name and (day.date - run[1]).days == 1:
            run[1] = day.date
            continue
        if run:
            out.append(run)
        run = [day.date, day.date, day.kind, day.name]
    if run:
        out.append(run)
    word = {DayKind.HOLIDAY: "休", DayKind.WORKDAY: "班"}
    return "\n".join((f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d}~{b:%Y-%m-%d}") + f",{word[k]},{n}"
                     for a, b, k, n in out) + "\n"
