"""Working-day calendar: verified day by day against the State Council's published schedules
(国务院办公厅关于2025年/2026年部分节假日安排的通知), and the conventions of the module docstring."""
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongjiang.workdays import services
from gongjiang.workdays.models import CalendarYear, DayKind, SpecialDay
from gongjiang.workdays.services import CalendarMissing

D = dt.date


def _days(a, b):
    return {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}


# Transcribed from the State Council notices, not from the package under test.
OFFICIAL = {
    2025: {
        "holidays": _days(D(2025, 1, 1), D(2025, 1, 1)) | _days(D(2025, 1, 28), D(2025, 2, 4))
        | _days(D(2025, 4, 4), D(2025, 4, 6)) | _days(D(2025, 5, 1), D(2025, 5, 5))
        | _days(D(2025, 5, 31), D(2025, 6, 2)) | _days(D(2025, 10, 1), D(2025, 10, 8)),
        "workdays": {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)},
    },
    2026: {
        "holidays": _days(D(2026, 1, 1), D(2026, 1, 3)) | _days(D(2026, 2, 15), D(2026, 2, 23))
        | _days(D(2026, 4, 4), D(2026, 4, 6)) | _days(D(2026, 5, 1), D(2026, 5, 5))
        | _days(D(2026, 6, 19), D(2026, 6, 21)) | _days(D(2026, 9, 25), D(2026, 9, 27))
        | _days(D(2026, 10, 1), D(2026, 10, 7)),
        "workdays": {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)},
    },
}

SAMPLE_2027 = """# 测试用样例（非官方安排）
2027-01-01~2027-01-03,休,元旦
"""


@pytest.mark.parametrize("year", [2025, 2026])
def test_official_schedule_matches_state_council_notice_day_by_day(db, year):
    official = OFFICIAL[year]
    for day in sorted(_days(D(year, 1, 1), D(year, 12, 31))):
        expected = day in official["workdays"] or (day.weekday() < 5 and day not in official["holidays"])
        assert services.is_working_day(day) is expected, day
    assert services.working_days_between(D(year, 1, 1), D(year, 12, 31)) == 248


def test_named_2026_days_from_the_issue(db):
    assert services.is_working_day(D(2026, 2, 14)) and services.is_working_day(D(2026, 2, 28))
    assert services.is_working_day(D(2026, 10, 10))
    assert not any(services.is_working_day(d) for d in _days(D(2026, 10, 1), D(2026, 10, 7)))


def test_package_years_are_seeded_and_complete(year_2026, db):
    cal = year_2026
    assert cal.complete and cal.source == "package"
    assert SpecialDay.objects.get(date=D(2026, 2, 14)).kind == DayKind.WORKDAY
    assert SpecialDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
    assert list(services.package_years())[-1] == 2026


def test_notice_period_counts_start_day_when_working(db):
    # Monday 2026-11-23: five working days are Mon–Fri of that week.
    assert services.notice_period_end(D(2026, 11, 23), 5) == D(2026, 11, 27)
    assert services.working_days_between(D(2026, 11, 23), D(2026, 11, 27)) == 5


def test_notice_period_starting_on_weekend_counts_from_next_working_day(db):
    assert services.notice_period_end(D(2026, 11, 21), 5) == D(2026, 11, 27)


def test_notice_period_skips_national_day_holiday(db):
    # 9/28, 9/29, 9/30, then 10/1–10/7 off, 10/8, 10/9.
    assert services.notice_period_end(D(2026, 9, 28), 5) == D(2026, 10, 9)


def test_notice_period_counts_working_saturday_before_spring_festival(db):
    # 2/12, 2/13, Saturday 2/14 (调休上班), 2/15–2/23 off, 2/24, 2/25.
    assert services.notice_period_end(D(2026, 2, 12), 5) == D(2026, 2, 25)


def test_investigation_deadline_huiyang_10_7_excludes_day_of_receipt(db):
    """第十条（七）：自接到异议之日起5个工作日内 — received 9/30: 10/8, 10/9, 10/10 (Sat, working), 10/12, 10/13."""
    assert services.investigation_deadline(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert services.add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)


def test_arithmetic_into_2027_raises_clear_error(db):
    assert services.notice_period_end(D(2026, 12, 24), 5) == D(2026, 12, 30)
    with pytest.raises(CalendarMissing) as exc:
        services.notice_period_end(D(2026, 12, 28), 5)
    assert exc.value.year == 2027 and "2027年" in exc.value.message and "尚未录入" in exc.value.message
    with pytest.raises(CalendarMissing):
        services.investigation_deadline(D(2026, 12, 30), 5)
    with pytest.raises(CalendarMissing):
        services.working_days_between(D(2026, 12, 1), D(2027, 1, 10))
    assert not services.year_ready(2027) and services.year_ready(2026)


def test_year_with_days_but_not_marked_entered_still_raises(db, jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"])
    services.import_schedule(SAMPLE_2027, actor=admin, source_detail="测试")
    with pytest.raises(CalendarMissing):
        services.is_working_day(D(2027, 1, 4))
    services.mark_entered(CalendarYear.objects.get(year=2027), actor=admin)
    assert services.is_working_day(D(2027, 1, 4)) and not services.is_working_day(D(2027, 1, 1))
    # 12/28, 29, 30, 31, then 1/1 off, 1/4.
    assert services.notice_period_end(D(2026, 12, 28), 5) == D(2027, 1, 4)


def test_mark_entered_refuses_year_without_holidays(db, jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"])
    cal = services.create_year(2027, actor=admin)
    with pytest.raises(services.DomainError) as exc:
        services.mark_entered(cal, actor=admin)
    assert "尚未录入任何法定节假日" in exc.value.message


def test_adjusted_workday_on_weekday_is_refused(db, jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"])
    cal = services.create_year(2027, actor=admin)
    with pytest.raises(services.DomainError) as exc:
        services.add_days(cal, start=D(2027, 1, 5), kind=DayKind.WORKDAY, actor=admin)
    assert "本来就是工作日" in exc.value.message


def test_change_to_entered_year_needs_reason(year_2026, db, jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"])
    cal = year_2026
    with pytest.raises(services.DomainError) as exc:
        services.add_days(cal, start=D(2026, 12, 31), kind=DayKind.HOLIDAY, actor=admin)
    assert "须填写理由" in exc.value.message


def test_missing_package_year_is_reimported_on_first_use(db):
    CalendarYear.objects.filter(year=2025).delete()
    assert services.is_working_day(D(2025, 1, 26))
    assert CalendarYear.objects.get(year=2025).complete


def test_import_reports_bad_lines_with_numbers(db, jurisdictions, make_user):
    admin = make_user("sysadmin", jurisdictions["广东省"])
    with pytest.raises(services.DomainError) as exc:
        services.import_schedule("2027-01-01,休,元旦\n2027-13-01,休,x\n", actor=admin)
    assert "第2行无法识别" in exc.value.message
    assert not CalendarYear.objects.filter(year=2027).exists()  # all or nothing


def test_export_round_trips_through_import(year_2026, db):
    text = services.schedule_text(year_2026)
    assert "2026-10-01~2026-10-07,休,国庆节" in text and "2026-02-14,班,春节" in text
    rows = services.parse_schedule(text)
    assert sum((b - a).days + 1 for a, b, _, _ in rows) == SpecialDay.objects.filter(date__year=2026).count()


def test_negative_day_count_is_a_programming_error(db):
    with pytest.raises(ValueError):
        services.add_working_days(D(2026, 1, 5), -1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(D(2025, 1, 1), D(2026, 10, 31)), n=st.integers(1, 20))
def test_period_end_and_between_agree(db, start, n):
    end = services.notice_period_end(start, n)
    assert services.is_working_day(end)
    assert services.working_days_between(start, end) == n
    deadline = services.add_working_days(start, n)
    assert services.working_days_between(start + dt.timedelta(days=1), deadline) == n
