"""Approvals recorded at the same instant in one programme draw certificate numbers from one
series: every number once, none skipped (real threads, PostgreSQL row locks)."""
import datetime as dt
import threading

import pytest
from django.db import connections

from gongjiang.honours import services
from gongjiang.honours.models import Honour
from gongjiang.honours.tests.factories import approval_for, approved_applications

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_award_concurrent_approvals_number_series_gap_free(programme):
    p = programme("huiyang-chief-technician")
    batches = [approved_applications(p.round, [f"同时{i}甲", f"同时{i}乙"], district=p.district) for i in range(4)]
    approvals = [approval_for(p.round, actor=p.bureau, decided_on=dt.date(2026, 11, 20), number=f"惠阳人社字〔2026〕{i}号")
                 for i in range(4)]
    barrier = threading.Barrier(len(batches))
    errors = []

    def fire(approval, apps):
        try:
            barrier.wait(timeout=10)
            services.award_round(approval, application_ids=[a.pk for a in apps], actor=p.bureau)
        except Exception as e:  # noqa: BLE001  reported below
            errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire, args=(a, b)) for a, b in zip(approvals, batches)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    numbers = sorted(Honour.objects.filter(round=p.round).values_list("series_number", flat=True))
    assert numbers == list(range(1, 9))
    assert Honour.objects.filter(round=p.round).values("certificate_number").distinct().count() == 8
