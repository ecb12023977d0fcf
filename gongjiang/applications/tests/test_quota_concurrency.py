"""A unit's quota holds when officers submit recommendations at the same moment.

Runs with real threads and real connections: on PostgreSQL the RecommendingUnit row lock
(SELECT ... FOR UPDATE) serialises the forwards; on SQLite every transaction is BEGIN IMMEDIATE,
so writers queue. Either way exactly `quota` candidates end up recommended.
"""
import datetime as dt
import threading

import pytest
from django.db import connection, connections

from gongjiang.applications import services
from gongjiang.applications.models import Application, Route
from gongjiang.applications.states import State
from gongjiang.core.errors import Conflict
from gongjiang.core.idnumbers import make_resident_id
from gongjiang.rounds import services as round_services
from gongjiang.rounds.tests.factories import open_round, ready_application


@pytest.mark.django_db(transaction=True)
def test_forward_concurrent_submissions_never_exceed_quota(jurisdictions, make_user, make_org):
    """聊城 一、选拔数量及推荐名额: a county recommends at most its quota, even under a race."""
    bureau = make_user("bureau", jurisdictions["聊城市"])
    rnd = open_round(policy_code="test-county-quota", organiser=bureau.organisation, actor=bureau)
    unit = round_services.set_unit(rnd, organisation=jurisdictions["东昌府区"], kind="county", quota=3, actor=bureau)
    employer_org = make_org(parent=jurisdictions["东昌府区"])
    employer = make_user("employer", employer_org)
    officers = [make_user("recommender", jurisdictions["东昌府区"]) for _ in range(2)]
    apps = []
    for n in range(8):
        person = services.employee_for_nomination(
            employer=employer_org, actor=employer, name=f"候选{n}",
            id_number=make_resident_id("371502", dt.date(1976, 1, n + 1), n + 1, female=False))
        app = services.start(round=rnd, actor=employer, route=Route.EMPLOYER, person=person)
        ready_application(app, actor=employer)
        services.verify_by_employer(app, actor=employer, opinion="同意推荐")
        apps.append(app)

    barrier = threading.Barrier(len(apps))
    outcomes = []

    def fire(app, officer):
        try:
            barrier.wait(timeout=10)
            services.forward(Application.objects.get(pk=app.pk), actor=officer)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("quota")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire, args=(a, officers[i % 2])) for i, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok"] * 3 + ["quota"] * 5, (connection.vendor, outcomes)
    # The policy lists a unit notice (三: 公示5个工作日): the forwarded are proposed, not yet reported.
    assert Application.objects.filter(unit=unit, status=State.UNIT_PROPOSED).count() == 3
    ranks = sorted(Application.objects.filter(unit=unit, status=State.UNIT_PROPOSED).values_list("unit_rank", flat=True))
    assert ranks == [1, 2, 3]
