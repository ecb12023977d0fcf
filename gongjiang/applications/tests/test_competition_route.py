"""Competition-winner route (环翠 第十条（二）: 从各类职业技能竞赛成绩优异者中推荐): a bureau or unit
officer nominates from the registry's placements that meet the policy's competition clause."""
import datetime as dt

import pytest

from gongjiang.applications import services
from gongjiang.applications.models import Route
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds.tests.factories import open_round, refused


@pytest.fixture
def huancui(jurisdictions, make_user, make_org):
    from gongjiang.registry.models import CompetitionResult, Employment
    from gongjiang.registry.services import register_person

    district = jurisdictions["环翠区"]
    bureau = make_user("bureau", district)
    rnd = open_round(policy_code="huancui-chief-technician", organiser=district, actor=bureau)
    employer = make_org(parent=district, kind="enterprise", name="环翠精密机械")
    person = register_person(name="刘冠军", id_number=make_resident_id("371002", dt.date(1985, 4, 5), 9, female=False),
                             jurisdiction=district, actor=bureau, source="registry")
    Employment.objects.create(person=person, employer=employer, jurisdiction=district, post="钳工", start=dt.date(2010, 1, 1))
    placement = CompetitionResult.objects.create(person=person, name="威海市职业技能大赛钳工项目", level=5, klass=1, rank=1,
                                                 held_on=dt.date(2025, 9, 1), source="registry", verification="verified")
    return {"round": rnd, "bureau": bureau, "person": person, "placement": placement, "employer": employer}


def test_competition_placements_offered_with_the_policy_clause(huancui):
    from gongjiang.applications import eligibility

    offered = eligibility.competition_placements(huancui["person"], huancui["round"])
    assert [o["placement"].pk for o in offered] == [huancui["placement"].pk]
    assert offered[0]["clauses"][0]["article"] == "第七条（二）"


def test_competition_winner_nominated_by_bureau_prefilled(huancui):
    app = services.nominate_competition_winner(round=huancui["round"], actor=huancui["bureau"], person=huancui["person"],
                                               placements=[huancui["placement"].pk])
    assert app.route == Route.COMPETITION and app.employer == huancui["employer"]
    assert app.facts["competitions"][0]["name"] == "威海市职业技能大赛钳工项目"
    assert services.can_edit(huancui["bureau"], app)
    assert services.visible_applications(huancui["bureau"]).filter(pk=app.pk).exists()


def test_competition_winner_refused_without_route_or_for_employer(huancui, jurisdictions, make_user):
    with refused("竞赛优胜者"):
        services.nominate_competition_winner(round=huancui["round"], actor=make_user("employer", huancui["employer"]),
                                             person=huancui["person"], placements=[huancui["placement"].pk])
    other = open_round(policy_code="test-self-route", organiser=jurisdictions["惠阳区"],
                       actor=make_user("bureau", jurisdictions["惠阳区"]))
    with refused("没有竞赛优胜者推荐途径"):
        services.nominate_competition_winner(round=other, actor=huancui["bureau"], person=huancui["person"],
                                             placements=[huancui["placement"].pk])


def test_competition_winner_placement_not_offered_refused(huancui):
    with refused("符合本政策竞赛条件"):
        services.nominate_competition_winner(round=huancui["round"], actor=huancui["bureau"], person=huancui["person"],
                                             placements=[999999])


# ---------------------------------------------------------------- the page

def _page(client, rnd, **params):
    return client.get(f"/applications/rounds/{rnd.pk}/competition/", params)


def test_competition_page_lists_people_in_scope_with_masked_ids_and_clause(client, huancui, jurisdictions):
    from gongjiang.registry.models import CompetitionResult
    from gongjiang.registry.services import register_person

    outside = register_person(name="惠阳选手", jurisdiction=jurisdictions["惠阳区"],
                              id_number=make_resident_id("441303", dt.date(1986, 1, 1), 3, female=False))
    CompetitionResult.objects.create(person=outside, name="惠州市职业技能大赛", level=3, klass=1, rank=1,
                                     held_on=dt.date(2025, 5, 1), source="registry", verification="verified")
    client.force_login(huancui["bureau"])
    resp = _page(client, huancui["round"])
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "刘冠军" in page and huancui["person"].id_number_masked in page
    assert huancui["person"].id_number not in page  # 身份证号码只显示脱敏号码
    assert "由评审认定（第七条（二））" in page and "威海市职业技能大赛钳工项目" in page and "部门数据 / 已核验" in page
    assert "惠阳选手" not in page


def test_competition_page_name_search(client, huancui):
    client.force_login(huancui["bureau"])
    assert "刘冠军" in _page(client, huancui["round"], q="冠军").content.decode()
    page = _page(client, huancui["round"], q="张三").content.decode()
    assert "刘冠军" not in page and "没有找到姓名包含“张三”" in page


def test_competition_page_nominates_draft_audited_and_listed(client, huancui):
    from gongjiang.applications.models import Application
    from gongjiang.audit.models import AuditEntry

    client.force_login(huancui["bureau"])
    resp = client.post(f"/applications/rounds/{huancui['round'].pk}/competition/",
                       {"person": huancui["person"].pk, "placement": [huancui["placement"].pk], "reason": "市赛第一名"})
    app = Application.objects.get()
    assert resp.status_code == 302 and resp.url == f"/applications/{app.pk}/edit/"
    assert app.route == Route.COMPETITION and app.status == "draft" and app.created_by == huancui["bureau"]
    assert app.facts["source"]["competition_placements"] == [huancui["placement"].pk]
    entry = AuditEntry.objects.get(action="application.competition_nominate")
    assert entry.actor == huancui["bureau"] and entry.reason == "市赛第一名"
    assert client.get(resp.url).status_code == 200
    page = _page(client, huancui["round"]).content.decode()
    assert f"已在本批次申报：<a href=\"/applications/{app.pk}/\">{app.serial}</a>" in page


def test_competition_page_without_placement_shows_chinese_error(client, huancui):
    from gongjiang.applications.models import Application

    client.force_login(huancui["bureau"])
    resp = client.post(f"/applications/rounds/{huancui['round'].pk}/competition/", {"person": huancui["person"].pk})
    assert resp.status_code == 400 and "请选择符合本政策竞赛条件的竞赛成绩" in resp.content.decode()
    assert not Application.objects.exists()


def test_competition_page_out_of_scope_person_404(client, huancui, jurisdictions):
    from gongjiang.applications.models import Application
    from gongjiang.registry.models import CompetitionResult
    from gongjiang.registry.services import register_person

    outside = register_person(name="惠阳选手", jurisdiction=jurisdictions["惠阳区"],
                              id_number=make_resident_id("441303", dt.date(1986, 1, 1), 3, female=False))
    placement = CompetitionResult.objects.create(person=outside, name="惠州市职业技能大赛", level=3, klass=1, rank=1,
                                                 held_on=dt.date(2025, 5, 1), source="registry", verification="verified")
    client.force_login(huancui["bureau"])
    url = f"/applications/rounds/{huancui['round'].pk}/competition/"
    resp = client.post(url, {"person": outside.pk, "placement": [placement.pk]})
    assert resp.status_code == 404 and "惠阳选手" not in resp.content.decode()
    assert client.post(url, {"person": "x"}).status_code == 404
    assert not Application.objects.exists()


def test_competition_page_refused_where_policy_has_no_route_403_with_reason(client, huancui):
    other = open_round(policy_code="test-self-route", organiser=huancui["round"].organiser, actor=huancui["bureau"])
    client.force_login(huancui["bureau"])
    resp = _page(client, other)
    page = resp.content.decode()
    assert resp.status_code == 403 and "本批次政策没有竞赛优胜者推荐途径" in page and "刘冠军" not in page


def test_competition_page_roles_unit_officer_allowed_others_refused(client, huancui, jurisdictions, make_user):
    from gongjiang.rounds import services as round_services

    rnd = huancui["round"]
    unit_officer = make_user("recommender", jurisdictions["环翠区"])
    client.force_login(unit_officer)
    resp = _page(client, rnd)
    assert resp.status_code == 403 and "推荐单位的经办人" in resp.content.decode()  # no unit in the round yet
    round_services.set_unit(rnd, organisation=jurisdictions["环翠区"], kind="unit", quota=5, actor=huancui["bureau"])
    assert "刘冠军" in _page(client, rnd).content.decode()
    client.force_login(make_user("employer", huancui["employer"]))
    assert _page(client, rnd).status_code == 403
    client.force_login(make_user("bureau", jurisdictions["惠阳区"]))
    assert _page(client, rnd).status_code == 404  # the round is not theirs


def test_competition_page_linked_from_round_page_and_home(client, huancui):
    client.force_login(huancui["bureau"])
    url = f"/applications/rounds/{huancui['round'].pk}/competition/"
    assert url in client.get(f"/rounds/{huancui['round'].pk}/").content.decode()
    home = client.get("/home/").content.decode()
    assert url in home and "推荐竞赛优胜者（第十条（二））" in home


# ---------------------------------------------------------------- a round of several tiers

@pytest.fixture
def tiers(jurisdictions, make_user, make_org):
    """A round of two tiers (as 仲恺 第五条) of the test policy with a competition route: a city
    first place meets 优秀技师's clause (第五条（二）1) but not 首席技师's (第五条（一）1)."""
    from gongjiang.registry.models import CompetitionResult, Employment
    from gongjiang.registry.services import register_person

    district = jurisdictions["惠阳区"]
    bureau = make_user("bureau", district)
    rnd = open_round(policy_code="test-tiers-competition", organiser=district, actor=bureau,
                     tiers=["chief-technician", "excellent-technician"])
    employer = make_org(parent=district, kind="enterprise", name="惠阳精工")
    person = register_person(name="陈市赛", id_number=make_resident_id("441303", dt.date(1988, 2, 3), 7, female=False),
                             jurisdiction=district, actor=bureau, source="registry")
    Employment.objects.create(person=person, employer=employer, jurisdiction=district, post="车工", start=dt.date(2012, 1, 1))
    city = CompetitionResult.objects.create(person=person, name="惠州市职业技能大赛车工项目", level=3, klass=1, rank=1,
                                            held_on=dt.date(2025, 6, 1), source="registry", verification="verified")
    return {"round": rnd, "bureau": bureau, "person": person, "city": city}


def test_competition_placements_are_judged_on_the_chosen_tiers_clause(tiers):
    from gongjiang.applications import eligibility

    rnd, person = tiers["round"], tiers["person"]
    assert eligibility.competition_placements(person, rnd, "chief-technician") == []
    offered = eligibility.competition_placements(person, rnd, "excellent-technician")
    assert [(o["placement"].pk, o["clauses"][0]["article"]) for o in offered] == [(tiers["city"].pk, "第五条（二）1")]
    assert [c.article for c in eligibility.competition_clauses(rnd, "chief-technician")] == ["第五条（一）1"]


def test_competition_winner_nominated_for_a_tier(tiers):
    rnd, bureau, person, city = tiers["round"], tiers["bureau"], tiers["person"], tiers["city"]
    with refused("请选择申报的称号（等级）"):
        services.nominate_competition_winner(round=rnd, actor=bureau, person=person, placements=[city.pk])
    with refused("符合本政策竞赛条件"):  # a city placement does not meet 首席技师's clause
        services.nominate_competition_winner(round=rnd, actor=bureau, person=person, placements=[city.pk],
                                             honour_code="chief-technician")
    app = services.nominate_competition_winner(round=rnd, actor=bureau, person=person, placements=[city.pk],
                                               honour_code="excellent-technician")
    assert app.route == Route.COMPETITION and app.tier == "excellent-technician"


def test_competition_page_of_a_round_of_tiers(client, tiers):
    rnd, person, city = tiers["round"], tiers["person"], tiers["city"]
    client.force_login(tiers["bureau"])
    chief = _page(client, rnd).content.decode()  # the first tier unless another is chosen
    assert "“测试首席技师”的竞赛条件" in chief and "不符合本政策竞赛条件" in chief
    excellent = _page(client, rnd, tier="excellent-technician").content.decode()
    assert "“测试优秀技师”的竞赛条件" in excellent and "符合第五条（二）1" in excellent
    resp = client.post(f"/applications/rounds/{rnd.pk}/competition/",
                       {"person": person.pk, "placement": [city.pk], "tier": "excellent-technician"})
    assert resp.status_code == 302
    app = person.applications.get(round=rnd)
    assert app.honour_code == "excellent-technician"
    assert client.get(f"/api/applications/{app.pk}").json()["tier"] == "excellent-technician"  # the API says so too
