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
    placement = CompetitionResult.objects.create(person=person, name="威海市职业技能大赛钳工项目", level=4, klass=1, rank=1,
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
