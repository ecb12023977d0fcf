"""Browser paths of issue 5: an applicant self-applies to the Huiyang round with a PDF; an employer
officer nominates an employee to the Huancui round; a Liaocheng county officer forwards and ranks
three candidates and is stopped at the quota."""
import datetime as dt
import re

import pytest

from gongjiang.applications import services
from gongjiang.applications.models import Application, Route
from gongjiang.applications.states import State
from gongjiang.applications.tests import corpus
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import DEED, open_round, ready_application

PASSWORD = "correct-horse-battery-9"
PDF = {"name": "职业资格证书.pdf", "mimeType": "application/pdf", "buffer": corpus.pdf_bytes()}


def fill_common(page, *, birth="1980-05-01"):
    page.fill("input[name='personal.birth_date']", birth)
    page.select_option("select[name='personal.gender']", "男")
    page.fill("input[name='employment.post']", "数控车工")
    page.fill("input[name='employment.start']", "2015-03-01")
    page.fill("input[name='employment.insurance_months']", "60")
    page.fill("input[name='skill.occupation']", "车工")
    page.select_option("select[name='skill.level']", "5")
    page.fill("input[name='competitions.0.name']", "广东省职业技能大赛")
    page.select_option("select[name='competitions.0.level']", "3")
    page.fill("input[name='competitions.0.rank']", "2")


def upload_and_submit(page, name):
    page.click("#save")
    page.wait_for_selector("text=草稿已保存")
    first_file = page.locator("#materials input[type=file]").first  # the first (required) material
    first_file.set_input_files(files=[PDF])
    page.locator("#materials button[value^=upload-]").first.click()
    page.wait_for_selector("text=已上传：职业资格证书.pdf")
    page.fill("#deed_text", DEED)
    assert re.search(r"已输入 \d+ 字", page.inner_text("#deed-count"))
    page.fill("input[name=commitment_name]", name)
    page.click("button[value=submit]")
    page.wait_for_load_state()
    assert "申报已提交（第1版）" in page.inner_text(".messages"), page.inner_text("main")[:600]


@pytest.mark.browser
def test_applicant_self_applies_to_huiyang_round_with_pdf(browser_page, browser_login, jurisdictions, make_user,
                                                           settings, tmp_path):
    from gongjiang.registry.services import register_person

    settings.MEDIA_ROOT = tmp_path
    officer = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="huiyang-chief-technician", organiser=officer.organisation, actor=officer,
                     title="2026年度惠阳区区管首席技师遴选")
    user = make_user("applicant", username="li_jianguo", password=PASSWORD, display_name="李建国")
    register_person(name="李建国", id_number=make_resident_id("441303", dt.date(1980, 5, 1), 11, female=False),
                    jurisdiction=jurisdictions["惠阳区"], account=user)
    page = browser_page
    page.goto(f"/rounds/calls/{rnd.code}/")
    assert "第七条（一）" in page.inner_text("main")  # conditions with their articles, no login needed
    browser_login(page, "li_jianguo", PASSWORD)
    page.goto(f"/applications/new/?round={rnd.pk}")
    page.click("text=开始填写")
    page.wait_for_url(re.compile(r"/applications/\d+/edit/"))
    assert page.input_value("input[name='personal.birth_date']") == "1980-05-01"  # pre-filled from the registry
    page.fill("input[name='employment.employer_name']", "惠阳示范精密制造有限公司")
    fill_common(page)
    page.fill("textarea[name='achievement.7.1']", "总结形成薄壁零件车削操作法，合格率提高到99.5%")
    # A renamed executable is refused (what was typed is kept) and nothing is stored.
    page.set_input_files("input[data-material=certificate]",
                         files=[{"name": "证书.pdf", "mimeType": "application/pdf", "buffer": corpus.windows_exe()}])
    page.click("button[value=upload-certificate]")
    page.wait_for_selector("text=Windows可执行程序")
    assert page.input_value("input[name='skill.occupation']") == "车工"
    assert not list(tmp_path.rglob("*.*"))
    upload_and_submit(page, "李建国")
    assert page.inner_text("#status") == "已报送人社部门，等待资格审查"
    app = Application.objects.get()
    assert app.status == State.RECOMMENDED and app.evidence.count() == 1 and app.version == 1


@pytest.mark.browser
def test_employer_nominates_employee_to_huancui_round(browser_page, browser_login, jurisdictions, make_user, make_org,
                                                      settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = make_user("bureau", jurisdictions["环翠区"])
    rnd = open_round(policy_code="huancui-chief-technician", organiser=officer.organisation, actor=officer,
                     title="2026年度环翠区首席技师选拔")
    shipyard = make_org(name="威海船舶修造有限公司", parent=jurisdictions["环翠区"])
    make_user("employer", shipyard, username="hr_weihai", password=PASSWORD)
    page = browser_page
    browser_login(page, "hr_weihai", PASSWORD)
    page.goto("/applications/new/")
    page.select_option("select[name=round]", str(rnd.pk))
    page.fill("input[name=name]", "于海洋")
    page.fill("input[name=id_number]", make_resident_id("371002", dt.date(1977, 6, 6), 5, female=False))
    page.click("text=开始填写")
    page.wait_for_url(re.compile(r"/applications/\d+/edit/"))
    assert page.input_value("input[name='employment.employer_name']") == "威海船舶修造有限公司"
    page.fill("input[name='personal.name']", "于海洋")
    fill_common(page, birth="1977-06-06")
    upload_and_submit(page, "于海洋")
    assert page.inner_text("#status") == "待单位审核"
    page.fill("textarea[name=opinion]", "经审核，申报材料属实，同意推荐。")
    page.click("#employer-verify button[type=submit]")
    page.wait_for_selector("text=单位审核意见已保存")
    assert page.inner_text("#status") == "已报送，待资格审查"  # Huancui has no recommending-unit step
    app = Application.objects.get()
    assert app.route == Route.EMPLOYER and app.employer == shipyard and app.status == State.RECOMMENDED


@pytest.mark.browser
def test_county_officer_forwards_ranks_three_and_is_stopped_at_quota(browser_page, browser_login, jurisdictions,
                                                                     make_user, make_org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bureau = make_user("bureau", jurisdictions["聊城市"])
    # The 2019 notice's quota (一、选拔数量及推荐名额: 40名) is not in force in the current year, so the
    # officer states the round's quota when opening it (a quota not in force is never defaulted).
    rnd = open_round(policy_code="liaocheng-2019-chief-technician", organiser=bureau.organisation, actor=bureau,
                     title="2026年度聊城市首席技师选拔推荐", quota=40)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=3, actor=bureau)
    org = make_org(parent=jurisdictions["东昌府区"])
    employer = make_user("employer", org)
    names = ["刘洪涛", "张国庆", "赵立新", "孙建军"]
    for n, name in enumerate(names, start=1):
        person = services.employee_for_nomination(employer=org, actor=employer, name=name,
                                                  id_number=make_resident_id("371502", dt.date(1976, 1, n), n, female=False))
        app = services.start(round=rnd, actor=employer, route=Route.EMPLOYER, person=person)
        ready_application(app, actor=employer)
        services.verify_by_employer(app, actor=employer, opinion="同意推荐")
    make_user("recommender", jurisdictions["东昌府区"], username="dongchangfu", password=PASSWORD)
    page = browser_page
    browser_login(page, "dongchangfu", PASSWORD)
    page.click("text=东昌府区待推荐人选")  # the home page inbox leads to the unit's page
    page.wait_for_url(f"**/applications/units/{unit.pk}/")
    for name in names[:3]:
        page.click(f"button[aria-label='推荐{name}']")
        page.wait_for_selector(f"text=已推荐：{name}")
    assert page.inner_text("#used") == "3"
    assert "须排序" in page.inner_text("#quota")
    page.click("button[aria-label='上移赵立新']")
    page.click("button[aria-label='上移赵立新']")
    page.wait_for_function("document.querySelector('#recommended tbody tr td:nth-child(2)').innerText === '赵立新'")
    page.click(f"button[aria-label='推荐{names[3]}']")
    page.wait_for_selector("text=已达到推荐名额上限")
    assert "最多推荐3名" in page.inner_text(".messages")
    # 三: 综合评定、单位公示、审定 come before the city receives them: proposed, not yet reported.
    assert Application.objects.filter(unit=unit, status=State.UNIT_PROPOSED).count() == 3
    assert "单位推荐程序" in page.inner_text("#unit-steps")
    first = Application.objects.get(unit=unit, unit_rank=1)
    assert first.name == "赵立新"
