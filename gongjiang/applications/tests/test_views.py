"""Pages: the generated form, uploads through the view, evidence access logging, unit page, exports."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gongjiang.applications import services
from gongjiang.applications.models import Application, Evidence, Route
from gongjiang.applications.states import State
from gongjiang.audit.models import AuditEntry
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import DEED, open_round, ready_application

from . import corpus


@pytest.fixture
def setup(jurisdictions, make_user, make_org):
    from gongjiang.registry.services import register_person

    officer = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=officer.organisation, actor=officer)
    user = make_user("applicant", display_name="李建国")
    register_person(name="李建国", id_number=make_resident_id("441303", dt.date(1980, 5, 1), 11, female=False),
                    jurisdiction=jurisdictions["惠阳区"], account=user)
    return {"round": rnd, "officer": officer, "applicant": user}


FORM = {
    "personal.name": "李建国", "personal.gender": "男", "personal.birth_date": "1980-05-01",
    "employment.employer_name": "惠阳精密制造", "employment.post": "数控车工", "employment.frontline": "on",
    "employment.start": "2015-03-01", "employment.insurance_months": "60",
    "skill.occupation": "车工", "skill.level": "5", "skill.issued_on": "2018-06-01",
    "competitions.count": "3", "competitions.0.name": "省职业技能大赛", "competitions.0.level": "3",
    "competitions.0.klass": "1", "competitions.0.rank": "2", "competitions.0.held_on": "2024-09-01",
    "achievement.7.1": "创造了“李建国数控操作法”", "deed_text": DEED,
}


def test_applicant_fills_form_uploads_and_submits_through_pages(client, setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(setup["applicant"])
    resp = client.post("/applications/new/", {"round": setup["round"].pk})
    app = Application.objects.get()
    assert resp.status_code == 302 and resp.url == f"/applications/{app.pk}/edit/"
    page = client.get(f"/applications/{app.pk}/edit/").content.decode()
    assert "第七条（一）" in page and "事迹材料" in page and 'data-count="deed-count"' in page
    resp = client.post(f"/applications/{app.pk}/edit/", {**FORM, "action": "save"})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert "*" in app.facts["personal"]["id_number_masked"]  # registry-derived, kept through saves
    bad = client.post(f"/applications/{app.pk}/edit/", {**FORM, "action": "upload-certificate",
                                                        "file.certificate": corpus.upload("证书.pdf", corpus.windows_exe())},
                      follow=True)
    assert "Windows可执行程序" in bad.content.decode()
    assert not Evidence.objects.exists() and not any(tmp_path.rglob("*.*"))
    client.post(f"/applications/{app.pk}/edit/", {**FORM, "action": "upload-certificate",
                                                  "file.certificate": corpus.upload("../../证书.pdf", corpus.pdf_bytes())})
    ev = Evidence.objects.get()
    assert ev.name == "证书.pdf" and (tmp_path / ev.path).exists()
    resp = client.post(f"/applications/{app.pk}/edit/", {**FORM, "action": "submit", "commitment_name": "李建国"})
    app.refresh_from_db()
    assert resp.status_code == 302 and app.status == State.RECOMMENDED and app.version == 1
    detail = client.get(f"/applications/{app.pk}/").content.decode()
    assert "已报送人社部门" in detail and "资格初判" not in detail  # applicants do not see the engine result


def test_form_bad_date_shown_inline_and_nothing_saved(client, setup):
    client.force_login(setup["applicant"])
    app = services.start(round=setup["round"], actor=setup["applicant"], route=Route.SELF)
    resp = client.post(f"/applications/{app.pk}/edit/", {**FORM, "personal.birth_date": "1980-13-45", "action": "save"})
    assert resp.status_code == 200 and "出生日期格式应为" in resp.content.decode()
    app.refresh_from_db()
    assert app.deed_text == ""


def test_officer_sees_eligibility_and_file_access_is_logged(client, setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = services.start(round=setup["round"], actor=setup["applicant"], route=Route.SELF)
    ready_application(app, actor=setup["applicant"])
    client.force_login(setup["officer"])
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "资格初判" in page and "第七条" in page
    ev = app.evidence.get()
    resp = client.get(f"/applications/{app.pk}/files/{ev.pk}/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content)[:4] == b"%PDF"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="application.evidence.view", actor=setup["officer"]).count() == 1


def test_other_applicant_gets_404_for_application_and_file(client, setup, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = services.start(round=setup["round"], actor=setup["applicant"], route=Route.SELF)
    ready_application(app, actor=setup["applicant"])
    client.force_login(make_user("applicant"))
    assert client.get(f"/applications/{app.pk}/").status_code == 404
    assert client.get(f"/applications/{app.pk}/files/{app.evidence.get().pk}/").status_code == 404


def test_exports_application_pdf_overview_xlsx_a3_landscape(client, setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = services.start(round=setup["round"], actor=setup["applicant"], route=Route.SELF)
    ready_application(app, actor=setup["applicant"])
    client.force_login(setup["officer"])
    pdf = client.get(f"/applications/{app.pk}/form.pdf").content
    assert pdf[:4] == b"%PDF" and b"FontFile2" in pdf  # TrueType font embedded
    resp = client.get(f"/rounds/{setup['round'].pk}/overview.xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert int(ws.page_setup.paperSize) == 8 and ws.page_setup.orientation == "landscape"  # 8 = A3
    assert ws.print_title_rows == "$1:$2" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(3, 4).value == "李建国" and "一览表" in ws.cell(1, 1).value
    listing = client.get("/applications/?export=xlsx")
    assert load_workbook(io.BytesIO(listing.content)).active.cell(2, 2).value == "李建国"


def test_list_filters_sorts_and_paginates(client, setup):
    client.force_login(setup["officer"])
    app = services.start(round=setup["round"], actor=setup["applicant"], route=Route.SELF)
    ready_application(app, actor=setup["applicant"])
    page = client.get("/applications/?status=recommended&sort=name&q=李").content.decode()
    assert app.serial in page and "共1条" in page
    assert "共0条" in client.get("/applications/?status=draft").content.decode()


def test_unit_page_forward_and_report_pdf(client, jurisdictions, make_user, make_org):
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=1, actor=bureau)
    org = make_org(parent=jurisdictions["东昌府区"])
    employer = make_user("employer", org)
    apps = []
    for n in (1, 2):
        person = services.employee_for_nomination(employer=org, actor=employer, name=f"候选{n}",
                                                  id_number=make_resident_id("371502", dt.date(1977, 1, n), n, female=False))
        a = services.start(round=rnd, actor=employer, route=Route.EMPLOYER, person=person)
        ready_application(a, actor=employer)
        services.verify_by_employer(a, actor=employer, opinion="同意推荐")
        apps.append(a)
    officer = make_user("recommender", jurisdictions["东昌府区"])
    client.force_login(officer)
    client.post(f"/applications/units/{unit.pk}/", {"action": "forward", "application": apps[0].pk})
    page = client.post(f"/applications/units/{unit.pk}/", {"action": "forward", "application": apps[1].pk},
                       follow=True).content.decode()
    assert "已达到推荐名额上限" in page
    assert client.get(f"/applications/units/{unit.pk}/report.pdf").content[:4] == b"%PDF"
