"""API endpoints for other systems: an application's stage history and eligibility result, the
registry's import batches and screening jobs, each within the caller's data scope."""
import datetime as dt

import pytest

from gongjiang.api.tokens import create_token
from gongjiang.rounds.tests.factories import submitted_self_application


@pytest.fixture
def submitted(jurisdictions, make_user):
    return submitted_self_application(jurisdictions, make_user)


def test_history_lists_each_change_of_status(client, submitted):
    client.force_login(submitted["officer"])
    rows = client.get(f"/api/applications/{submitted['app'].pk}/history").json()
    submitted["app"].refresh_from_db()
    assert rows[0]["from_status"] == "draft" and rows[0]["to_status"] == "submitted"
    assert all(a["to_status"] == b["from_status"] for a, b in zip(rows, rows[1:]))  # a chain, oldest first
    assert rows[-1]["to_status"] == submitted["app"].status and rows[0]["actor"] and rows[0]["label"]


def test_applicant_history_has_no_officer_names(client, submitted):
    client.force_login(submitted["applicant"])
    rows = client.get(f"/api/applications/{submitted['app'].pk}/history").json()
    assert rows and all(r["actor"] == "" and r["reason"] == "" for r in rows)
    assert client.get(f"/api/applications/{submitted['app'].pk}/eligibility").status_code == 403


def test_eligibility_result_with_clauses_for_officers(client, submitted):
    client.force_login(submitted["officer"])
    body = client.get(f"/api/applications/{submitted['app'].pk}/eligibility").json()
    app = submitted["app"]
    app.refresh_from_db()
    assert body["status"] == app.eligibility_status and body["explanation"] == app.eligibility


def test_applications_filter_by_name_and_route(client, submitted):
    client.force_login(submitted["officer"])
    assert client.get("/api/applications/?q=李建&route=self").json()["count"] == 1
    assert client.get("/api/applications/?route=employer").json()["count"] == 0


def test_imports_and_screening_jobs_in_scope(client, jurisdictions, make_user):
    from gongjiang.policy.models import Policy
    from gongjiang.registry.services import start_import
    from gongjiang.rounds.tests.factories import load_test_policy

    bureau = make_user("bureau", jurisdictions["惠阳区"])
    other = make_user("bureau", jurisdictions["惠城区"])
    start_import(kind="people", data=b"not a workbook", file_name="人员.xlsx", actor=bureau)
    load_test_policy("huiyang-chief-technician")
    from gongjiang.registry.screening import start_screening

    start_screening(policy=Policy.objects.get(code="huiyang-chief-technician"), reference_date=dt.date(2026, 1, 1),
                    actor=bureau)
    _t, key = create_token(name="档案系统", role="bureau", organisation=jurisdictions["惠阳区"],
                           actor=make_user("sysadmin", jurisdictions["广东省"]))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    imports = client.get("/api/registry/imports", **auth).json()
    assert imports["count"] == 1 and imports["items"][0]["file_name"] == "人员.xlsx"
    runs = client.get("/api/registry/screening?policy=huiyang-chief-technician", **auth).json()
    assert runs["count"] == 1 and runs["items"][0]["status"] == "queued"  # the task starts on commit
    client.force_login(other)
    assert client.get("/api/registry/imports").json()["count"] == 0
    assert client.get("/api/registry/screening").json()["count"] == 0
