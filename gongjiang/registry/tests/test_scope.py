"""Data scope follows current relations only (issue 14 item 2): residence in the area, an employment
spell not ended, or an application in a round the bureau organises. A person who left years ago is out."""
import datetime as dt

import pytest
from django.test import Client

from gongjiang.applications import services as app_services
from gongjiang.applications.models import Route
from gongjiang.audit.models import AuditEntry
from gongjiang.core.errors import DomainError
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.registry import services
from gongjiang.registry.models import Employment
from gongjiang.rounds.tests.factories import open_round


@pytest.fixture
def area(jurisdictions, make_org, make_user):
    district = jurisdictions["惠阳区"]
    employer = make_org(name="惠阳精工", parent=district)
    former = services.register_person(name="离职多年", id_number=make_resident_id("371002", dt.date(1979, 8, 9), 55, female=True),
                                      jurisdiction=jurisdictions["环翠区"])
    Employment.objects.create(person=former, employer=employer, jurisdiction=district, start=dt.date(2010, 1, 1), end=dt.date(2019, 6, 30))
    current = services.register_person(name="在职职工", id_number=make_resident_id("371002", dt.date(1980, 8, 9), 57, female=False),
                                       jurisdiction=jurisdictions["环翠区"])
    Employment.objects.create(person=current, employer=employer, jurisdiction=district, start=dt.date(2020, 1, 1))
    resident = services.register_person(name="本区居民", id_number=make_resident_id("441303", dt.date(1981, 3, 3), 59, female=False),
                                        jurisdiction=district)
    return {"district": district, "employer": employer, "former": former, "current": current, "resident": resident,
            "bureau": make_user("bureau", district), "employer_user": make_user("employer", employer)}


def test_people_in_org_excludes_ended_employment(area):
    people = set(services.people_in_org(area["district"]))
    assert area["current"] in people and area["resident"] in people
    assert area["former"] not in people


def test_employment_ending_today_still_counts_tomorrow_not(area):
    Employment.objects.filter(person=area["current"]).update(end=dt.date.today())
    assert area["current"] in services.people_in_org(area["district"])
    Employment.objects.filter(person=area["current"]).update(end=dt.date.today() - dt.timedelta(days=1))
    assert area["current"] not in services.people_in_org(area["district"])


def test_former_employee_hidden_from_bureau_and_employer_pages(area):
    for user in (area["bureau"], area["employer_user"]):
        c = Client()
        c.force_login(user)
        assert "离职多年" not in c.get("/registry/").content.decode()
        assert c.get(f"/registry/people/{area['former'].pk}/").status_code == 404
        assert c.post(f"/registry/people/{area['former'].pk}/reveal/", {"reason": "核对"}).status_code == 404
        assert c.get(f"/registry/people/{area['former'].pk}/facts/certificate/add/").status_code == 404
    assert not services.can_see_full_numbers(area["bureau"], area["former"])
    assert not services.can_edit_person(area["bureau"], area["former"])
    with pytest.raises(DomainError):
        services.reveal_numbers(area["former"], actor=area["bureau"], reason="核对申报材料")


def test_application_in_the_bureaus_round_brings_the_person_into_scope(area, make_user):
    rnd = open_round(policy_code="test-self-route", organiser=area["district"], actor=area["bureau"])
    account = make_user("applicant", display_name="离职多年")
    area["former"].account = account
    area["former"].save(update_fields=["account"])
    app_services.start(round=rnd, actor=account, route=Route.SELF, person=area["former"])
    assert area["former"] in services.people_in_org(area["district"])


def test_revealing_a_full_id_requires_and_records_a_reason(area):
    c = Client()
    c.force_login(area["bureau"])
    url = f"/registry/people/{area['resident'].pk}/reveal/"
    page = c.post(url, {"reason": "  "}).content.decode()
    assert "请填写查看完整号码的理由" in page and area["resident"].id_number not in page
    assert not AuditEntry.objects.filter(action="registry.person.view_full_id").exists()
    page = c.post(url, {"reason": "核对申报材料第三页"}).content.decode()
    assert area["resident"].id_number in page
    entry = AuditEntry.objects.get(action="registry.person.view_full_id")
    assert entry.reason == "核对申报材料第三页" and area["resident"].id_number not in entry.reason
    assert "理由不能超过" in c.post(url, {"reason": "长" * 201}).content.decode()


def test_owner_reveals_own_numbers_without_a_reason(area, make_user):
    account = make_user("applicant")
    area["resident"].account = account
    area["resident"].save(update_fields=["account"])
    assert services.reveal_numbers(area["resident"], actor=account)["id_number"] == area["resident"].id_number
    assert AuditEntry.objects.get(action="registry.person.view_full_id").reason == "本人查看"
