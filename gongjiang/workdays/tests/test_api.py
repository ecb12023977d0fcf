"""Working-day API: the same arithmetic as every deadline; a year not entered is a 400 in Chinese."""
import pytest

from gongjiang.workdays import services


@pytest.fixture
def ready(db):
    services.year_ready(2026)


def test_is_working_day_api_public_holiday_and_adjusted_weekend(ready, client):
    assert client.get("/api/workdays/is-working-day?day=2026-10-01").json() == {"day": "2026-10-01", "working": False}
    assert client.get("/api/workdays/is-working-day?day=2026-10-10").json()["working"] is True  # 调休上班


def test_add_working_days_api_skips_national_day(ready, client):
    """Objection received 2026-09-30, 5 working days (惠阳 第十条（七）): the holiday is skipped."""
    body = client.get("/api/workdays/add-working-days?start=2026-09-30&n=5").json()
    assert body["result"] == "2026-10-13"  # 10-08, 10-09, 10-10 (调休上班), 10-12, 10-13


def test_working_days_between_api_counts_both_ends(ready, client):
    body = client.get("/api/workdays/working-days-between?start=2026-11-23&end=2026-11-27").json()
    assert body["working_days"] == 5


def test_workdays_api_year_not_entered_is_400_in_chinese(ready, client):
    response = client.get("/api/workdays/is-working-day?day=2031-03-02")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "calendar_missing" and "2031年的法定节假日和调休安排尚未录入" in body["detail"]


def test_workdays_api_bad_input_is_400_or_422_never_500(ready, client):
    assert client.get("/api/workdays/add-working-days?start=2026-01-05&n=-1").status_code == 422
    assert client.get("/api/workdays/working-days-between?start=2020-01-01&end=2026-01-01").status_code == 400
