"""Nominators as the policy names them (recommendation in the policy file): a route the policy
excludes is refused at intake with its article (聊城 三、推荐程序及产生方式: 推荐工作以县（市、区）、
市直部门及市直大企业为单位进行); a recommending unit is of an organisation kind its type allows and
nominates only from its own area (a county, places below counted) or its own staff (an enterprise,
current employment in the registry) — 聊城 一、选拔数量及推荐名额."""
import datetime as dt

import pytest

from gongjiang.applications import nominators, services
from gongjiang.applications.models import Application, Route
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import open_round

pytestmark = pytest.mark.django_db

LIAOCHENG = "聊城市首席技师推荐工作以县（市、区）、市直部门及市直大企业为单位进行（三、推荐程序及产生方式）"


@pytest.fixture
def liaocheng(jurisdictions, make_user, clock):
    clock.set(dt.date(2026, 5, 6))
    bureau = make_user("bureau", jurisdictions["聊城市"], password=None)
    rnd = open_round(policy_code="liaocheng-2019-chief-technician", organiser=bureau.organisation, actor=bureau,
                     quota=40)
    return {"round": rnd, "bureau": bureau}


def _person(name, jurisdiction, n, employer=None):
    from gongjiang.core.idnumbers import make_resident_id
    from gongjiang.registry.models import Employment
    from gongjiang.registry.services import register_person

    person = register_person(name=name, jurisdiction=jurisdiction,
                             id_number=make_resident_id("371502", dt.date(1978, 3, n), 21 + 2 * n, female=False))
    if employer is not None:
        Employment.objects.create(person=person, employer=employer, jurisdiction=employer.jurisdiction(),
                                  start=dt.date(2010, 1, 1))
    return person


def _application(rnd, person, employer, unit, status="employer_verified"):
    return Application.objects.create(round=rnd, serial=f"N-{person.pk:05d}", route=Route.EMPLOYER, person=person,
                                      name=person.name, employer=employer, unit=unit, status=status, version=1,
                                      submitted_at=dt.datetime(2026, 5, 6, 9, tzinfo=dt.timezone.utc),
                                      commitment_name=person.name, facts={})


def test_self_application_refused_with_the_article_liaocheng_3(liaocheng, make_user):
    """聊城 三: the programme takes candidates only through units — a person's own application is
    refused at intake, the message quoting the article, in the service the pages and API call."""
    applicant = make_user("applicant", password=None)
    with pytest.raises(DomainError) as e:
        services.start(round=liaocheng["round"], actor=applicant, route=Route.SELF)
    assert e.value.message == f"本批次不受理个人自荐：{LIAOCHENG}"


def test_unit_forwarding_from_outside_its_area_refused_through_the_api_liaocheng_1(liaocheng, jurisdictions,
                                                                                   make_org, make_user, client):
    """The API's forward calls the same service: the refusal and its article, never a 500."""
    w = liaocheng
    unit = round_services.set_unit(w["round"], organisation=jurisdictions["东昌府区"], kind="county", quota=10,
                                   actor=w["bureau"])
    away = make_org(parent=jurisdictions["阳谷县"])
    app = _application(w["round"], _person("外县人", jurisdictions["阳谷县"], 6, away), away, unit)
    client.force_login(make_user("recommender", jurisdictions["东昌府区"], password=None))
    response = client.post(f"/api/applications/{app.pk}/forward", {}, content_type="application/json")
    assert response.status_code == 403, response.content
    assert "一、选拔数量及推荐名额" in response.json()["detail"]


def test_route_the_policy_does_not_offer_names_the_routes_it_does(jurisdictions, make_user, make_org):
    """江门 (实施方案（报道S1）) names only personal applications: an employer's nomination is refused,
    the message listing the policy's own routes with their articles."""
    bureau = make_user("bureau", jurisdictions["惠阳区"], password=None)
    rnd = open_round(policy_code="jiangmen-star-chef", organiser=bureau.organisation, actor=bureau, quota=44)
    assert nominators.route_refusal(rnd, "employer") == "本批次不受理单位推荐，本政策的申报途径为：个人自荐（实施方案（报道S1））"
    assert nominators.route_refusal(rnd, "self") == ""


def test_county_unit_nominates_only_from_its_county_liaocheng_1(liaocheng, jurisdictions, make_org, make_user):
    """县（市、区） units (一、选拔数量及推荐名额, nominates: area): 东昌府区 forwards a candidate working in
    a firm of 东昌府区 but not one working in 阳谷县."""
    w = liaocheng
    unit = round_services.set_unit(w["round"], organisation=jurisdictions["东昌府区"], kind="county", quota=10,
                                   actor=w["bureau"])
    officer = make_user("recommender", jurisdictions["东昌府区"], password=None)
    home, away = make_org(parent=jurisdictions["东昌府区"]), make_org(parent=jurisdictions["阳谷县"])
    inside = _application(w["round"], _person("本区人", jurisdictions["东昌府区"], 1, home), home, unit)
    outside = _application(w["round"], _person("外县人", jurisdictions["阳谷县"], 2, away), away, unit)
    with pytest.raises(NotAllowed) as e:
        services.forward(outside, actor=officer)
    assert e.value.message.startswith("东昌府区只能推荐本地区（东昌府区及所辖地区）的人选（县（市、区），一、选拔数量及推荐名额）")
    services.forward(inside, actor=officer)
    assert Application.objects.get(pk=inside.pk).status == "unit_proposed"  # 聊城 三: the unit's own steps (评定、公示、审定) follow
    assert Application.objects.get(pk=outside.pk).status == "employer_verified"


def test_enterprise_unit_nominates_only_its_own_staff_liaocheng_1(liaocheng, jurisdictions, make_org, make_user):
    """各大企业 (nominates: staff): the firm forwards its own employee (current employment in the
    registry), not someone who works for another firm in the same county."""
    w = liaocheng
    firm, other = make_org(parent=jurisdictions["东昌府区"]), make_org(parent=jurisdictions["东昌府区"])
    unit = round_services.set_unit(w["round"], organisation=firm, kind="large-enterprise", quota=3, actor=w["bureau"])
    officer = make_user("recommender", firm, password=None)
    own = _application(w["round"], _person("本厂职工", jurisdictions["东昌府区"], 3, firm), firm, unit)
    theirs = _application(w["round"], _person("他厂职工", jurisdictions["东昌府区"], 4, other), firm, unit)
    with pytest.raises(NotAllowed) as e:
        services.forward(theirs, actor=officer)
    assert "只能推荐本单位在职人员（各大企业，一、选拔数量及推荐名额）" in e.value.message
    services.forward(own, actor=officer)
    assert Application.objects.get(pk=own.pk).status == "unit_proposed"  # 聊城 三: the unit's own steps (评定、公示、审定) follow


def test_choosing_a_unit_that_may_not_nominate_is_refused_liaocheng_1(liaocheng, jurisdictions, make_org, make_user):
    """The applicant's draft cannot pick a county unit outside the county they work in."""
    w = liaocheng
    round_services.set_unit(w["round"], organisation=jurisdictions["东昌府区"], kind="county", quota=10,
                            actor=w["bureau"])
    far = round_services.set_unit(w["round"], organisation=jurisdictions["临清市"], kind="county", quota=10,
                                  actor=w["bureau"])
    firm = make_org(parent=jurisdictions["东昌府区"])
    employer = make_user("employer", firm, password=None)
    person = _person("申报人", jurisdictions["东昌府区"], 5, firm)
    app = services.start(round=w["round"], actor=employer, route=Route.EMPLOYER, person=person)
    assert app.unit.organisation == jurisdictions["东昌府区"]  # the county containing the firm
    with pytest.raises(NotAllowed):
        services.save_draft(app, actor=employer, unit=far)


def test_unit_of_a_kind_the_policy_does_not_allow_is_refused_liaocheng_3(liaocheng, jurisdictions, make_org):
    """行业协会 (三、推荐程序及产生方式, organisations: [association]): a firm cannot be set up as one."""
    w = liaocheng
    with pytest.raises(DomainError) as e:
        round_services.set_unit(w["round"], organisation=make_org(parent=jurisdictions["聊城市"]), kind="association",
                                quota=2, actor=w["bureau"])
    assert "不属于政策规定的“行业协会”（三、推荐程序及产生方式）" in e.value.message
    association = make_org(parent=jurisdictions["聊城市"], kind="association")
    assert round_services.set_unit(w["round"], organisation=association, kind="association", quota=2,
                                   actor=w["bureau"]).kind == "association"


def test_policy_text_states_the_excluded_route_and_whom_units_nominate_liaocheng():
    """`gongjiang policy show` and the policy page's summary say it in the policy's own words."""
    from gongjiang.policy import loader
    from gongjiang.policy.render import summary_lines

    lines = summary_lines(loader.read_policy(loader.POLICIES_DIR / "liaocheng-2019-chief-technician.yaml").policy)
    assert f"不受理个人自荐：{LIAOCHENG}" in lines
    assert "  推荐单位：各大企业，一般不超过3名，推荐本单位在职人员（一、选拔数量及推荐名额）" in lines
