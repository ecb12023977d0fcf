"""Two applications started in the same round at the same instant both get a draft with their own
serial; only a real duplicate (same person, or the same applicant on the self route) is refused."""
import datetime as dt
import threading

import pytest
from django.db import connections

from gongjiang.applications import services
from gongjiang.applications.models import Application, Route
from gongjiang.core.errors import Conflict
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds.tests.factories import open_round, refused


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def fire(call):
        try:
            barrier.wait(timeout=10)
            outcomes.append(("ok", call().serial))
        except Conflict as e:
            outcomes.append(("conflict", e.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_start_same_instant_two_people_both_get_drafts(jurisdictions, make_user, make_org):
    bureau = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=bureau.organisation, actor=bureau)
    employer_org = make_org(parent=jurisdictions["惠阳区"])
    employers = [make_user("employer", employer_org) for _ in range(4)]
    people = [services.employee_for_nomination(employer=employer_org, actor=employers[0], name=f"同时{n}",
                                               id_number=make_resident_id("441303", dt.date(1981, 2, n + 1), n + 3,
                                                                          female=False)) for n in range(4)]
    outcomes = _race([lambda e=e, p=p: services.start(round=rnd, actor=e, route=Route.EMPLOYER, person=p)
                      for e, p in zip(employers, people)])
    assert [o[0] for o in outcomes] == ["ok"] * 4, outcomes
    assert len({o[1] for o in outcomes}) == 4
    assert Application.objects.filter(round=rnd).count() == 4


@pytest.mark.django_db(transaction=True)
def test_start_same_instant_same_person_one_draft_clear_message(jurisdictions, make_user, make_org):
    bureau = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=bureau.organisation, actor=bureau)
    employer_org = make_org(parent=jurisdictions["惠阳区"])
    employers = [make_user("employer", employer_org) for _ in range(2)]
    person = services.employee_for_nomination(employer=employer_org, actor=employers[0], name="重复甲",
                                              id_number=make_resident_id("441303", dt.date(1982, 3, 4), 7, female=False))
    outcomes = _race([lambda e=e: services.start(round=rnd, actor=e, route=Route.EMPLOYER, person=person)
                      for e in employers])
    assert sorted(o[0] for o in outcomes) == ["conflict", "ok"], outcomes
    assert [o[1] for o in outcomes if o[0] == "conflict"] == ["重复甲在本批次已有申报，请勿重复申报"]


def test_start_self_route_twice_without_registry_person_refused(jurisdictions, make_user):
    """An applicant not (yet) in the registry cannot open two self applications in one round."""
    bureau = make_user("bureau", jurisdictions["惠阳区"])
    rnd = open_round(policy_code="test-self-route", organiser=bureau.organisation, actor=bureau)
    applicant = make_user("applicant", display_name="未登记人")
    services.start(round=rnd, actor=applicant, route=Route.SELF)
    with refused("您在本批次已有申报"):
        services.start(round=rnd, actor=applicant, route=Route.SELF)
