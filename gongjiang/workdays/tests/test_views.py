"""The 工作日历 pages: an administrator enters 2027 from the page and confirms it."""
import datetime as dt

from django.urls import reverse

from gongjiang.audit.models import AuditEntry
from gongjiang.workdays import services
from gongjiang.workdays.models import CalendarYear


def test_calendar_page_forbidden_to_applicant(client, jurisdictions, make_user):
    client.force_login(make_user("applicant"))
    assert client.get(reverse("workdays:index")).status_code == 403


def test_calculator_shows_notice_end_and_missing_year_error(client, jurisdictions, make_user):
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    body = client.get(reverse("workdays:index"), {"start": "2026-09-28", "days": 5}).content.decode()
    assert "2026年10月9日" in body
    body = client.get(reverse("workdays:index"), {"start": "2026-12-28", "days": 5}).content.decode()
    assert "2027年的法定节假日和调休安排尚未录入" in body


def test_admin_enters_2027_by_page_then_marks_it_entered(client, jurisdictions, make_user):
    client.force_login(make_user("sysadmin", jurisdictions["广东省"]))
    r = client.post(reverse("workdays:index"), {"y-year": 2027, "y-source_detail": "测试通知"})
    assert r.status_code == 302
    url = reverse("workdays:year", args=[2027])
    r = client.post(url, {"d-start": "2027-01-01", "d-end": "2027-01-03", "d-kind": "holiday", "d-name": "元旦"})
    assert r.status_code == 302
    r = client.post(url, {"d-start": "2027-01-05", "d-kind": "workday"})
    assert "本来就是工作日" in r.content.decode()
    assert not services.year_ready(2027)
    r = client.post(url, {"m-source_detail": "测试通知", "m-confirm": "on"})
    assert r.status_code == 302
    assert services.is_working_day(dt.date(2027, 1, 4)) and not services.is_working_day(dt.date(2027, 1, 1))
    assert AuditEntry.objects.filter(action="workdays.year.mark_entered").exists()


def test_import_form_creates_and_confirms_year(client, jurisdictions, make_user):
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    r = client.post(reverse("workdays:index"), {"i-text": "2027-01-01~2027-01-03,休,元旦\n2027-02-06,班,春节",
                                                "i-source_detail": "测试", "i-mark_complete": "on"})
    assert r.status_code == 302
    cal = CalendarYear.objects.get(year=2027)
    assert cal.complete and cal.days.count() == 4
    assert services.is_working_day(dt.date(2027, 2, 6))


def test_removing_day_of_entered_year_needs_reason(year_2026, client, jurisdictions, make_user):
    client.force_login(make_user("sysadmin", jurisdictions["广东省"]))
    day = year_2026.days.get(date=dt.date(2026, 10, 10))
    r = client.post(reverse("workdays:remove_day", args=[day.pk]), {"reason": ""})
    assert r.status_code == 400 and "须填写理由" in r.content.decode()
    assert services.is_working_day(dt.date(2026, 10, 10))


def test_reminder_for_2027_from_october_2026(db):
    from gongjiang.workdays.inbox import missing_years

    assert missing_years(dt.date(2026, 11, 21)) == [2027]
    assert missing_years(dt.date(2026, 9, 30)) == []


def test_home_lists_reminder_for_calendar_manager(client, jurisdictions, make_user):
    from gongjiang.workdays.inbox import missing_years

    client.force_login(make_user("sysadmin", jurisdictions["广东省"]))
    body = client.get(reverse("web:home")).content.decode()
    for year in missing_years(dt.date.today()):
        assert f"{year}年工作日历尚未录入完整" in body
    assert "待办事项" in body
