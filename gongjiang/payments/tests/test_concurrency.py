"""Two payment runs of the same period at the same moment never pay anyone twice.

Real threads, real connections: both runs compute the same due instalments; the paid-once unique
index on (entitlement, instalment) of settling lines lets exactly one run carry each one (the runs'
advisory lock makes the others wait for the first to commit; they then find those instalments settled). Marked
postgres_only because PostgreSQL is where it decides; on SQLite the writers queue and it holds too."""
import datetime as dt
import threading

import pytest
from django.db import connections
from django.db.models import Count, Sum

from gongjiang.payments import services
from gongjiang.payments.models import SETTLING, PaymentLine

from .conftest import entitle, make_person


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_same_period_pay_each_instalment_once(pay_world):
    w = pay_world
    policy = w["policies"]["huiyang-chief-technician"]
    people = [make_person(w["j"]["惠阳区"], f"并发{n}", actor=w["hy"]["finance"]) for n in range(30)]
    for p in people:
        entitle(p, policy, "chief-technician", start=dt.date(2026, 3, 1), actor=w["hy"]["bureau"])
    officers = [w["hy"]["finance"], w["hy"]["finance2"], w["hy"]["finance"], w["hy"]["finance2"]]
    barrier = threading.Barrier(len(officers))
    runs, errors = [], []

    def fire(officer):
        try:
            barrier.wait(timeout=10)
            runs.append(services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2027,
                                             actor=officer))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(runs) == 4
    settled = PaymentLine.objects.filter(status__in=SETTLING)
    per_instalment = settled.values("entitlement", "instalment").annotate(n=Count("id"))
    assert per_instalment.count() == 60 and {r["n"] for r in per_instalment} == {1}
    assert settled.aggregate(s=Sum("amount_fen"))["s"] == 60 * 500000
    for r in runs:
        r.refresh_from_db()
    assert sum(r.line_count for r in runs) == 60 and sum(r.total_fen for r in runs) == 60 * 500000
