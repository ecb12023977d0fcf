"""Two app servers and two background workers on one PostgreSQL, on this machine (a demonstration
on real parts, not a test: it prints what happened and exits non-zero when something is wrong).

    .venv/bin/pip install -e ".[deploy]"
    .venv/bin/python scripts/scale_out.py                  # 100,000 synthetic people
    .venv/bin/python scripts/scale_out.py --people 1000000

1. A fresh database (SCALE_PG_URL, default `gongjiang_scale_out`): the jurisdiction tree, the
   policies, a synthetic registry spread over Guangdong's districts, one bureau officer per district.
2. gunicorn A (127.0.0.1:8641) and gunicorn B (:8642), and two `gongjiang db_worker` processes,
   all with the database task queue (TASKS_BACKEND=django_tasks_db.DatabaseBackend).
3. The province's officer logs in on server A and, with the same session cookie, opens the home
   page and starts one registry screening of the province through the API on server B.
4. The screening is split into shards by jurisdiction (one task per district), which the two
   workers share. In the middle of the run one worker is killed (SIGKILL) while it is screening
   a shard; the other reclaims that shard's task once the dead worker's heartbeat is older than
   the lease, and resumes it after its last committed chunk. The script waits for the run to
   finish and checks: every person screened, each result stored exactly once, the killed shard
   retried by the surviving worker; it prints the timings.

    nice -n 10 .venv/bin/python scripts/scale_out.py --people 1000000 --chunk 5000
"""
import argparse
import datetime as dt
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("SCALE_PG_URL", "postgres://postgres@127.0.0.1:5432/gongjiang_scale_out")
SERVERS = {"A": 8641, "B": 8642}
PASSWORD = "scale-out-demo-2026"
REFERENCE = dt.date(2026, 1, 1)


def _recreate_database():
    import psycopg

    base, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(people: int):
    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from gongjiang.accounts.models import Organisation
    from gongjiang.accounts.services import create_user, seed_jurisdictions
    from gongjiang.policy.services import load_policies
    from gongjiang.registry import synthetic

    call_command("migrate", verbosity=0)
    seed_jurisdictions()
    load_policies()
    province = Organisation.objects.get(name="广东省")
    districts = list(Organisation.objects.filter(path__startswith=province.path, kind__in=["district", "devzone"])
                     .values_list("pk", "region_code", "name"))
    data = synthetic.generate(people, districts=districts, reference_date=REFERENCE, seed=16)
    synthetic.load(data, districts=districts)
    create_user(username="scale-province", role="bureau", organisation=province, display_name="广东省经办人",
                password=PASSWORD)
    from django.db import connection

    connection.close()
    return len(districts)


def _env(chunk=None):
    return {**os.environ, "DATABASE_URL": PG_URL, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "GONGJIANG_DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
            **({"GONGJIANG_SCREENING_CHUNK": str(chunk)} if chunk else {})}


def start_processes(*, chunk, lease):
    venv = Path(sys.executable).parent
    procs = {}
    for name, port in SERVERS.items():
        procs[f"server {name}"] = subprocess.Popen(
            [str(venv / "gunicorn"), "gongjiang.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--log-level", "warning"], cwd=ROOT, env=_env())
    for w in ("worker-1", "worker-2"):
        procs[w] = subprocess.Popen([sys.executable, "-m", "gongjiang", "db_worker", "--worker-id", w, "--interval", "0.5",
                                     "--lease", str(lease), "--no-reload", "--no-startup-delay", "--verbosity", "0"],
                                    cwd=ROOT, env=_env(chunk))
    from gongjiang.registry.screening import workers_alive

    for _ in range(600):  # both workers alive before a run is planned: it is then split by jurisdiction
        if workers_alive() == 2:
            break
        time.sleep(0.1)
    else:
        raise SystemExit("the two workers did not start")
    for port in SERVERS.values():
        for _ in range(300):
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"server on port {port} did not start")
    return procs


def request(port, method, path, *, cookies=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        h = dict(headers or {})
        if cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        set_cookies = {}
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                k, _, rest = value.partition("=")
                set_cookies[k] = rest.split(";", 1)[0]
        return resp.status, data, set_cookies
    finally:
        conn.close()


def login_on_a_then_screen_on_b(username, district):
    """Log in on server A; the session must work on server B, where the screening is started."""
    from urllib.parse import urlencode

    a, b = SERVERS["A"], SERVERS["B"]
    status, page, cookies = request(a, "GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _, new = request(a, "POST", "/login/", cookies=cookies,
                             body=urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}),
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{a}/login/"})
    cookies.update(new)
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"login of {username} on server A failed ({status})")
    status, home, new = request(b, "GET", "/home/", cookies=cookies)
    cookies.update(new)
    if status != 200 or f"{district}经办人" not in home:
        raise SystemExit(f"the session made on server A is not valid on server B ({status})")
    status, body, _ = request(b, "POST", "/api/registry/screening", cookies=cookies,
                              body=json.dumps({"policy": "huiyang-chief-technician", "reference_date": str(REFERENCE)}),
                              headers={"Content-Type": "application/json", "X-CSRFToken": cookies["csrftoken"],
                                       "Referer": f"http://127.0.0.1:{b}/"})
    if status != 201:
        raise SystemExit(f"starting the screening on server B failed ({status}): {body[:200]}")
    return json.loads(body)["id"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=2_000, help="people per chunk of a shard (the unit a shard resumes from)")
    ap.add_argument("--lease", type=float, default=15, help="seconds without a heartbeat before a worker counts as dead")
    ap.add_argument("--kill-at", type=float, default=0.3, help="kill a worker once this share of people is screened")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the screening")
    args = ap.parse_args()
    _recreate_database()
    t0 = time.perf_counter()
    n_districts = prepare(args.people)
    print(f"database ready: {args.people:,} people in {n_districts} jurisdictions ({time.perf_counter() - t0:.0f} s); "
          f"load average {os.getloadavg()[0]:.2f}")
    procs = start_processes(chunk=args.chunk, lease=args.lease)
    ok = True
    try:
        from django.db.models import Count, F

        from gongjiang.registry.models import ScreeningResult, ScreeningRun, ScreeningShard
        from gongjiang.registry.services import people_in_org

        t1 = time.perf_counter()
        run_id = login_on_a_then_screen_on_b("scale-province", "广东省")
        print("the province's officer logged in on server A, the session was accepted by server B, "
              "one screening of the province started through server B")
        killed = victim = None
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            run = ScreeningRun.objects.get(pk=run_id)
            if run.finished:
                break
            if killed is None and run.total and run.done >= args.kill_at * run.total:
                running = ScreeningShard.objects.filter(run_id=run_id, status="running").select_related("jurisdiction")
                unfinished = running.exclude(done=F("total")).order_by("-total")
                victim = unfinished.filter(done__gt=0).first() or unfinished.first() or running.first()
                if victim is not None and victim.worker in procs:
                    procs[victim.worker].send_signal(signal.SIGKILL)
                    procs[victim.worker].wait()
                    killed = time.perf_counter() - t1
                    print(f"{killed:6.0f} s  SIGKILL {victim.worker} while it screened {victim.jurisdiction.name} "
                          f"({victim.done:,} of {victim.total:,} done); run at {run.done:,} of {run.total:,}")
            time.sleep(0.05 if killed is None else 1)
        elapsed = time.perf_counter() - t1
        run = ScreeningRun.objects.select_related("scope").get(pk=run_id)
        expected = people_in_org(run.scope).count()
        stored = ScreeningResult.objects.filter(run_id=run_id).count()
        distinct = ScreeningResult.objects.filter(run_id=run_id).values("person_id").distinct().count()
        shards = list(ScreeningShard.objects.filter(run_id=run_id).select_related("jurisdiction"))
        per_worker = {}
        for s in shards:
            w = per_worker.setdefault(s.worker, [0, 0])
            w[0], w[1] = w[0] + 1, w[1] + s.done
        print(f"run {run.get_status_display()} in {elapsed:.0f} s: {run.done:,} of {expected:,} people screened, "
              f"{stored:,} results stored ({distinct:,} distinct people); {len(shards)} shards; "
              f"{run.done / elapsed:,.0f} people/s; load average {os.getloadavg()[0]:.2f}")
        for w, (n, people) in sorted(per_worker.items()):
            print(f"   {w}: {n} shards finished, {people:,} people")
        ok &= run.status == "done" and run.done == expected == stored == distinct
        if victim is not None:
            again = ScreeningShard.objects.get(pk=victim.pk)
            retried = f"{again.jurisdiction.name}: attempts {again.attempt}, workers {' → '.join(again.workers)}, " \
                      f"{again.done:,} of {again.total:,} people, finished {again.finished_at - again.started_at}"
            print(f"   killed shard {retried} after its start")
            ok &= again.attempt == 2 and again.status == "done" and len(set(again.workers)) == 2
        else:
            print("   no worker was killed (the run ended before --kill-at)")
            ok = False
        ok &= not ScreeningResult.objects.filter(run_id=run_id).values("person_id").annotate(n=Count("pk")) \
            .filter(n__gt=1).exists()
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
