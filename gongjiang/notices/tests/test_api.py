"""Public notices API: list and detail without login and without personal numbers or application
links (公示须向社会公开; 身份证号码、手机号码不得公开)."""
import datetime as dt

import pytest
from django.utils import timezone

from gongjiang.notices.models import Notice, NoticeEntry


@pytest.fixture
def notice(jurisdictions, make_user):
    bureau = make_user("bureau", jurisdictions["惠阳区"])
    today = timezone.localdate()
    n = Notice.objects.create(title="惠阳区首席技师拟认定人选公示", contact="区人社局 0752-1234567",
                              organisation=jurisdictions["惠阳区"], start_date=today, end_date=today + dt.timedelta(days=7),
                              published_by=bureau, published_at=timezone.now(), policy_ref="第十条（七）")
    NoticeEntry.objects.create(notice=n, position=1, name="王师傅", gender="M", employer="惠阳精工", skill_level=6,
                               honour="区管首席技师")
    return n


def test_notices_api_list_public_without_login(notice, client):
    body = client.get("/api/notices/").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["title"] == "惠阳区首席技师拟认定人选公示" and item["state"] == "running"
    assert item["objection_page"] == f"/notices/{notice.pk}/objection/"


def test_notices_api_detail_has_entries_without_personal_numbers(notice, client):
    body = client.get(f"/api/notices/{notice.pk}").json()
    entry = body["entries"][0]
    assert entry["name"] == "王师傅" and entry["gender"] == "男" and entry["skill_level"]
    assert set(entry) == {"position", "name", "gender", "employer", "occupation", "skill_level", "honour", "removed"}


def test_notices_api_detail_unknown_is_404(db, client):
    assert client.get("/api/notices/999999").status_code == 404


def test_notices_api_filter_by_state(notice, client):
    assert client.get("/api/notices/?state=ended").json()["count"] == 0
    assert client.get("/api/notices/?state=running").json()["count"] == 1
