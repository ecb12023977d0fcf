"""The applications API: same scope as the pages, forwarding refused at the quota with the reason."""
import datetime as dt

from gongjiang.applications import services
from gongjiang.applications.models import Route
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import open_round, ready_application


def test_api_forward_refused_at_quota_with_chinese_reason(client, jurisdictions, make_user, make_org):
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=1, actor=bureau)
    org = make_org(parent=jurisdictions["东昌府区"])
    employer = make_user("employer", org)
    apps = []
    for n in (1, 2):
        person = services.employee_for_nomination(employer=org, actor=employer, name=f"候选{n}",
                                                  id_number=make_resident_id("371502", dt.date(1977, 2, n), n, female=False))
        app = services.start(round=rnd, actor=employer, route=Route.EMPLOYER, person=person)
        ready_application(app, actor=employer)
        services.verify_by_employer(app, actor=employer, opinion="同意推荐")
        apps.append(app)
    client.force_login(make_user("recommender", jurisdictions["东昌府区"]))
    listed = client.get(f"/api/applications/?unit={unit.pk}").json()
    assert listed["count"] == 2 and listed["items"][0]["status_label"] == "待推荐单位报送"
    ok = client.post(f"/api/applications/{apps[0].pk}/forward", {"classified": True}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["unit_rank"] == 1 and ok.json()["classified"]
    refused = client.post(f"/api/applications/{apps[1].pk}/forward", {}, content_type="application/json")
    assert refused.status_code == 409 and "已达到推荐名额上限" in refused.json()["detail"]
    assert client.get(f"/api/rounds/{rnd.pk}/units").json()[0]["quota"] == 1


def test_api_applicant_sees_only_own_and_no_engine_result(client, jurisdictions, make_user):
    officer = make_user("bureau", jurisdictions["惠阳区"])
    open_round(policy_code="test-self-route", organiser=officer.organisation, actor=officer)
    client.force_login(make_user("applicant"))
    assert client.get("/api/applications/").json()["count"] == 0
    assert client.get("/api/applications/99999").status_code == 404
    assert client.get("/api/rounds/").status_code == 403
