"""Pulling holders of honours through the API: new holders since a date, within the token's scope,
with the certificate number and never an ID number."""
import datetime as dt

from gongjiang.api.tokens import create_token
from gongjiang.honours.tests.conftest import programme  # noqa: F401  (fixture)

DAY = dt.date(2026, 11, 20)


def test_new_holders_since_a_date_in_scope(client, programme, jurisdictions, make_user):  # noqa: F811
    p = programme("ganzhou-craftsman")
    p.award(["甲", "乙"], decided_on=DAY - dt.timedelta(days=400), number="旧文号")
    p.award(["丙"], decided_on=DAY)
    admin = make_user("sysadmin", jurisdictions["广东省"], password=None)
    _t, key = create_token(name="人才卡系统", role="finance", organisation=p.district, actor=admin)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = client.get(f"/api/holders/?awarded_since={DAY - dt.timedelta(days=1)}", **auth).json()
    assert body["count"] == 1 and body["items"][0]["name"] == "丙"
    holder = body["items"][0]
    assert holder["certificate_number"].startswith("GZGJ") and holder["status"] == "active"
    assert "id_number" not in str(holder)
    assert client.get("/api/holders/", **auth).json()["count"] == 3
    _t, elsewhere = create_token(name="他区系统", role="finance", organisation=jurisdictions["惠阳区"], actor=admin)
    assert client.get("/api/holders/", HTTP_AUTHORIZATION=f"Bearer {elsewhere}").json()["count"] == 0
