"""A registry screening shared by two real `gongjiang db_worker` processes on PostgreSQL, one of
them killed (SIGKILL) in the middle of a shard: its task goes back to the queue when its heartbeat
is older than the lease, the other worker resumes the shard after its last committed chunk, and
every person's result is stored exactly once, the same as a screening run in one process (where
the whole scope is one shard)."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, F

from gongjiang.accounts.models import Organisation
from gongjiang.audit.models import AuditEntry
from gongjiang.policy.models import Policy
from gongjiang.policy.services import load_policies
from gongjiang.registry import screening, synthetic
from gongjiang.registry.models import ScreeningResult, ScreeningRun, ScreeningShard
from gongjiang.registry.services import people_in_org

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
REF = dt.date(2025, 1, 1)
LEASE = 2


def database_url():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(worker_id):
    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "GONGJIANG_SCREENING_CHUNK": "40", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "gongjiang", "db_worker", "--worker-id", worker_id, "--interval", "0.1",
                             "--lease", str(LEASE), "--no-reload", "--no-startup-delay", "--verbosity", "0"],
                            cwd=ROOT, env=env)


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def huizhou_registry(people, seed, make_user):
    """A synthetic registry over 惠州市's districts: (the city, its bureau officer, 惠阳's policy)."""
    load_policies()
    city = Organisation.objects.get(name="惠州市")
    districts = list(Organisation.objects.filter(path__startswith=city.path, kind__in=["district", "devzone"])
                     .values_list("pk", "region_code", "name"))
    synthetic.load(synthetic.generate(people, districts=districts, reference_date=REF, seed=seed), districts=districts)
    return city, make_user("bureau", city), Policy.objects.get(code="huiyang-chief-technician")


def outcomes(run):
    return set(ScreeningResult.objects.filter(run=run).values_list("person_id", "outcome", "fail_mask", "review_mask"))


def test_worker_killed_mid_shard_loses_nothing_and_stores_each_result_once(jurisdictions, make_user, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    city, officer, policy = huizhou_registry(2400, 16, make_user)
    expected = people_in_org(city).count()

    procs = {w: start_worker(w) for w in ("worker-1", "worker-2")}
    try:
        # both alive before the run is planned: with two workers it is split by jurisdiction
        wait_for(lambda: screening.workers_alive() == 2, 120, "both workers' heartbeats")
        run = screening.start_screening(policy=policy, reference_date=REF, actor=officer)  # enqueued on commit
        victim = wait_for(lambda: ScreeningShard.objects.filter(run=run, status="running", done__gt=0)
                          .exclude(done=F("total")).first(), 180, "a shard in the middle of its chunks")
        procs[victim.worker].send_signal(signal.SIGKILL)
        procs[victim.worker].wait()
        killed_at_done = ScreeningShard.objects.get(pk=victim.pk).done
        wait_for(lambda: ScreeningRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(), 240,
                 "the run to finish")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.terminate()
        for p in procs.values():
            p.wait(timeout=60)

    run.refresh_from_db()
    survivor = next(w for w in procs if w != victim.worker)
    shard = ScreeningShard.objects.get(pk=victim.pk)
    assert run.status == "done" and run.total == run.done == expected
    assert 0 < killed_at_done <= shard.total  # killed after committing some of its chunks
    assert shard.status == "done" and shard.attempt == 2 and shard.workers == [victim.worker, survivor]
    stored = ScreeningResult.objects.filter(run=run)
    assert stored.count() == stored.values("person_id").distinct().count() == expected
    assert not stored.values("person_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert {s.jurisdiction_id for s in run.shards.all()} == set(
        people_in_org(city).values_list("jurisdiction_id", flat=True).distinct())
    reclaim = AuditEntry.objects.get(action="ops.task.reclaim")
    assert reclaim.after["lost_worker"] == victim.worker and reclaim.after["reclaimed_by"] == survivor
    assert AuditEntry.objects.filter(action="registry.screening.shard_retry").count() == 1

    # The same screening in one process gives the same result for every person.
    again = ScreeningRun.objects.create(policy=policy, reference_date=REF, scope=city, created_by=officer)
    screening.run_screening(again.pk)
    assert outcomes(again) == outcomes(run)


def test_next_chunk_read_ahead_gives_the_same_results(jurisdictions, make_user):
    """Outside a transaction on PostgreSQL a shard reads its next chunk's facts in a thread while
    it evaluates and stores the current one: the results are those of one chunk read alone."""
    city, officer, policy = huizhou_registry(600, 5, make_user)
    runs = [ScreeningRun.objects.create(policy=policy, reference_date=REF, scope=city, created_by=officer)
            for _ in range(2)]
    assert not connection.in_atomic_block
    chunked = screening.run_screening(runs[0].pk, chunk=70)  # 9 chunks, each read ahead
    whole = screening.run_screening(runs[1].pk, chunk=10_000)
    assert chunked.status == whole.status == "done" and chunked.done == whole.done == people_in_org(city).count()
    assert (chunked.eligible, chunked.needs_review, chunked.not_eligible) == (
        whole.eligible, whole.needs_review, whole.not_eligible)
    assert outcomes(chunked) == outcomes(whole) and len(outcomes(whole)) == whole.done
