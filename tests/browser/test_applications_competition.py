"""Browser path of the competition-winner route (环翠 第十条（二）: 从各类职业技能竞赛成绩优异者中推荐):
an officer of 环翠区 finds a registry person with a provincial competition placement, ticks it and
creates the nominated draft in the Huancui round."""
import datetime as dt

import pytest

from gongjiang.applications.models import Application, Route
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds.tests.factories import open_round

PASSWORD = "correct-horse-battery-9"


@pytest.mark.browser
def test_huancui_officer_nominates_provincial_competition_winner(browser_page, browser_login, jurisdictions,
                                                                 make_user, make_org):
    from gongjiang.registry.models import CompetitionResult, Employment
    from gongjiang.registry.services import register_person

    district = jurisdictions["环翠区"]
    officer = make_user("bureau", district, username="huancui_officer", password=PASSWORD)
    rnd = open_round(policy_code="huancui-chief-technician", organiser=district, actor=officer,
                     title="2026年度环翠区首席技师选拔")
    employer = make_org(parent=district, kind="enterprise", name="威海船舶修造有限公司")
    person = register_person(name="孙海波", id_number=make_resident_id("371002", dt.date(1983, 8, 8), 21, female=False),
                             jurisdiction=district, actor=officer, source="registry")
    Employment.objects.create(person=person, employer=employer, jurisdiction=district, post="船舶电焊工",
                              start=dt.date(2008, 7, 1))
    placement = CompetitionResult.objects.create(person=person, name="山东省职业技能大赛焊工项目", level=4, klass=1,
                                                 rank=2, held_on=dt.date(2025, 10, 12), source="registry",
                                                 verification="verified")
    page = browser_page
    browser_login(page, "huancui_officer", PASSWORD)
    page.click("text=推荐竞赛优胜者（第十条（二））")  # the home inbox item of the open round
    page.wait_for_selector("h1:has-text('推荐竞赛优胜者')")
    page.fill("input[name=q]", "孙海")
    page.click("form.filters button[type=submit]")
    card = page.locator(f"#person-{person.pk}")
    assert person.id_number_masked in card.inner_text() and person.id_number not in page.content()
    assert "省级" in card.inner_text() and "由评审认定（第七条（二））" in card.inner_text()
    card.locator(f"input[name=placement][value='{placement.pk}']").check()
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/edit/")
    assert "已推荐竞赛优胜者孙海波" in page.inner_text(".messages")
    app = Application.objects.get(round=rnd, person=person)
    assert app.route == Route.COMPETITION and app.employer == employer
    assert app.serial in page.inner_text("main") and "山东省职业技能大赛焊工项目" in page.content()
    page.goto(f"/applications/rounds/{rnd.pk}/competition/")
    assert app.serial in page.inner_text("main")  # listed among this round's competition nominations
