"""The audit log viewer and API: read-only, scoped for auditors, filtered, exported, chain status shown."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongjiang.audit.models import AuditEntry, ChainCheck
from gongjiang.audit.services import record


@pytest.fixture
def log(jurisdictions, make_user):
    huiyang_officer = make_user("bureau", jurisdictions["惠阳区"], display_name="惠阳经办")
    weihai_officer = make_user("bureau", jurisdictions["环翠区"], display_name="环翠经办")
    return {
        "huiyang": record("round.publish", actor=huiyang_officer, object_type="rounds.round", object_id="7",
                          object_repr="2026年惠阳区首席技师", reason="按第十三条发布"),
        "weihai": record("round.publish", actor=weihai_officer, object_type="rounds.round", object_id="8",
                         object_repr="2026年环翠区首席技师", reason="环翠发布"),
        "huiyang_other": record("notice.open", actor=huiyang_officer, object_type="notices.notice", object_id="3",
                                object_repr="惠阳公示", reason="公示五个工作日"),
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_auditor_sees_only_entries_of_their_subtree(log, jurisdictions, make_user):
    c = _client(make_user("auditor", jurisdictions["惠州市"]))
    body = c.get(reverse("audit:entry_list")).content.decode()
    assert "2026年惠阳区首席技师" in body and "2026年环翠区首席技师" not in body
    assert c.get(reverse("audit:entry_detail", kwargs={"pk": log["weihai"].pk})).status_code == 404
    assert c.get(reverse("audit:entry_detail", kwargs={"pk": log["huiyang"].pk})).status_code == 200


def test_sysadmin_sees_the_whole_log(log, jurisdictions, make_user):
    body = _client(make_user("sysadmin", jurisdictions["广东省"])).get(reverse("audit:entry_list")).content.decode()
    assert "2026年惠阳区首席技师" in body and "2026年环翠区首席技师" in body
    assert '<option value="round.publish">' in body and '<option value="notice.open">' in body  # action choices


@pytest.mark.parametrize("params, shown, hidden", [
    ({"action": "notice"}, "惠阳公示", "2026年惠阳区首席技师"),
    ({"actor": "环翠经办"}, "2026年环翠区首席技师", "惠阳公示"),
    ({"object": "7"}, "2026年惠阳区首席技师", "惠阳公示"),
    ({"object": "rounds.round"}, "2026年环翠区首席技师", "惠阳公示"),
])
def test_filters_narrow_the_list(log, jurisdictions, make_user, params, shown, hidden):
    c = _client(make_user("sysadmin", jurisdictions["广东省"]))
    body = c.get(reverse("audit:entry_list"), params).content.decode()
    assert shown in body and hidden not in body


def test_date_range_filter(log, jurisdictions, make_user):
    c = _client(make_user("sysadmin", jurisdictions["广东省"]))
    today = timezone.localdate()
    body = c.get(reverse("audit:entry_list"), {"date_from": today, "date_to": today}).content.decode()
    assert "惠阳公示" in body
    body = c.get(reverse("audit:entry_list"), {"date_to": today - dt.timedelta(days=1)}).content.decode()
    assert "惠阳公示" not in body
    r = c.get(reverse("audit:entry_list"), {"date_from": today, "date_to": today - dt.timedelta(days=3)})
    assert r.status_code == 200 and "截止日期不能早于起始日期" in r.content.decode()


@pytest.mark.parametrize("query", ["page=x", "page=0", "date_from=2026-13-45", "date_to=abc", "action=" + "a" * 300,
                                   "object=%00", "actor=<b>x</b>"])
def test_malformed_filters_never_fail(log, jurisdictions, make_user, query):
    c = _client(make_user("auditor", jurisdictions["惠州市"]))
    for name in ["audit:entry_list", "audit:entry_export"]:
        r = c.get(reverse(name) + "?" + query)
        assert r.status_code == (400 if "%00" in query else 200), (name, query)  # NUL: refused up front
    assert c.get("/api/audit/entries?" + query).status_code in {200, 400, 422}


def test_export_is_scoped_excel(log, jurisdictions, make_user):
    c = _client(make_user("auditor", jurisdictions["惠州市"]))
    r = c.get(reverse("audit:entry_export"), {"action": "round"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][:5] == ("序号", "时间", "操作人", "组织", "操作")
    assert [row[7] for row in rows[1:]] == ["2026年惠阳区首席技师"]


def test_verify_button_records_the_check_and_reports_tampering(log, jurisdictions, make_user):
    c = _client(make_user("auditor", jurisdictions["惠州市"]))
    assert c.post(reverse("audit:verify")).status_code == 302
    check = ChainCheck.objects.first()
    assert check.ok and "链完整" in c.get(reverse("audit:entry_list")).content.decode()
    with connection.cursor() as cur:  # a database administrator edits a row behind the application's back
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
            cur.execute("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["改过", log["weihai"].pk])
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")
        else:
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["改过", log["weihai"].pk])
    c.post(reverse("audit:verify"))
    body = c.get(reverse("audit:entry_list")).content.decode()
    assert f"审计日志第 {log['weihai'].pk} 条内容被改动" in body
    assert any("审计日志链已断开" in item.title for item in c.get(reverse("web:home")).context["items"])


def test_viewer_offers_no_way_to_change_entries(log, jurisdictions, make_user):
    c = _client(make_user("sysadmin", jurisdictions["广东省"]))
    url = reverse("audit:entry_detail", kwargs={"pk": log["huiyang"].pk})
    assert c.post(url, {"reason": "x"}).status_code == 405
    assert AuditEntry.objects.get(pk=log["huiyang"].pk).reason == "按第十三条发布"


def test_api_entries_are_scoped_and_verify_needs_csrf(log, jurisdictions, make_user):
    auditor = make_user("auditor", jurisdictions["惠州市"])
    c = _client(auditor)
    items = c.get("/api/audit/entries?limit=100").json()["items"]
    assert {e["object_repr"] for e in items} >= {"2026年惠阳区首席技师", "惠阳公示"}
    assert "2026年环翠区首席技师" not in {e["object_repr"] for e in items}
    assert c.get(f"/api/audit/entries/{log['weihai'].pk}").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(auditor)
    assert strict.post("/api/audit/verify").status_code == 403
    strict.get(reverse("web:home"))  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    r = strict.post("/api/audit/verify", HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 200 and r.json()["ok"] is True


def test_auditor_sees_account_changes_made_to_their_subtree_from_above(jurisdictions, make_user):
    from gongjiang.accounts.services import set_user_active

    admin = make_user("sysadmin", jurisdictions["广东省"])
    officer = make_user("bureau", jurisdictions["惠阳区"], display_name="被停用的经办人")
    set_user_active(officer, active=False, actor=admin, reason="调离")
    body = _client(make_user("auditor", jurisdictions["惠州市"])).get(reverse("audit:entry_list"),
                                                                     {"action": "user.deactivate"}).content.decode()
    assert "被停用的经办人" in body
