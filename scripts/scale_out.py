"""Two app servers and two background workers on one PostgreSQL, on this machine (a demonstration
on real parts, not a test: it prints what happened and exits non-zero when something is wrong).

    .venv/bin/pip install -e ".[deploy]"
    .venv/bin/python scripts/scale_out.py                  # 100,000 synthetic people
    .venv/bin/python scripts/scale_out.py --people 1000000

1. A fresh database (SCALE_PG_URL, default `gongjiang_scale_out`): the jurisdiction tree, the
   policies, a synthetic registry spread over Guangdong's districts, one bureau officer per district.
2. gunicorn A (127.0.0.1:8641) and gunicorn B (:8642), and two `gongjiang db_worker` processes,
   all with the database task queue (TASKS_BACKEND=django_tasks_db.DatabaseBackend).
3. Each officer logs in on server A and, with the same session cookie, opens the home page and
   starts a registry screening of their district through the API on server B (one screening
   per jurisdiction: the shards of the province's screening).
4. The two workers share the queued screenings; the script waits for every run to finish and
   checks: every person of every district screened, each result stored exactly once, and
   which worker ran which shard.
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
    officers = []
    for pk, _code, name in districts:
        user = create_user(username=f"scale-{pk}", role="bureau", organisation=Organisation.objects.get(pk=pk),
                           display_name=f"{name}经办人", password=PASSWORD)
        officers.append((user.username, name))
    from django.db import connection

    connection.close()
    return officers


def _env():
    return {**os.environ, "DATABASE_URL": PG_URL, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "GONGJIANG_DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}


def start_processes():
    venv = Path(sys.executable).parent
    procs = {}
    for name, port in SERVERS.items():
        procs[f"server {name}"] = subprocess.Popen(
            [str(venv / "gunicorn"), "gongjiang.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--log-level", "warning"], cwd=ROOT, env=_env())
    for w in ("worker-1", "worker-2"):
        procs[w] = subprocess.Popen([sys.executable, "-m", "gongjiang", "db_worker", "--worker-id", w, "--interval", "0.5",
                                     "--no-reload", "--no-startup-delay"], cwd=ROOT, env=_env())
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
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the screenings")
    args = ap.parse_args()
    _recreate_database()
    t0 = time.perf_counter()
    officers = prepare(args.people)
    print(f"database ready: {args.people:,} people in {len(officers)} jurisdictions ({time.perf_counter() - t0:.0f} s)")
    procs = start_processes()
    ok = True
    try:
        runs = {login_on_a_then_screen_on_b(u, d): d for u, d in officers}
        print(f"{len(officers)} officers logged in on server A, their sessions accepted by server B, "
              f"{len(runs)} screenings (one per jurisdiction) queued through server B")
        from django.db.models import Count

        from gongjiang.registry.models import ScreeningResult, ScreeningRun
        from gongjiang.registry.services import people_in_org
        from django_tasks_db.models import DBTaskResult

        t1 = time.perf_counter()
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if not ScreeningRun.objects.filter(pk__in=runs).exclude(status__in=["done", "failed", "cancelled"]).exists():
                break
            time.sleep(1)
        elapsed = time.perf_counter() - t1
        by_run = {}
        for task in DBTaskResult.objects.filter(task_path__endswith="screening_task"):
            run_id = (task.args_kwargs.get("args") or [None])[0]
            if run_id in runs:
                by_run[run_id] = ",".join(task.worker_ids)
        stored = dict(ScreeningResult.objects.filter(run_id__in=runs).values_list("run_id")
                      .annotate(n=Count("pk")).order_by())
        distinct = dict(ScreeningResult.objects.filter(run_id__in=runs).values_list("run_id")
                        .annotate(n=Count("person_id", distinct=True)).order_by())
        print(f"{'jurisdiction':12} {'people':>8} {'screened':>9} {'stored':>8} {'status':8} worker")
        for run in ScreeningRun.objects.filter(pk__in=runs).select_related("scope").order_by("scope__name"):
            expected = people_in_org(run.scope).count()
            good = run.status == "done" and run.done == expected == stored.get(run.pk, 0) == distinct.get(run.pk, 0)
            ok &= good
            print(f"{run.scope.name:12} {expected:8,} {run.done:9,} {stored.get(run.pk, 0):8,} {run.status:8} "
                  f"{by_run.get(run.pk, '?')}{'' if good else '   <-- WRONG'}")
        workers = {w for w in by_run.values()}
        print(f"all shards finished in {elapsed:.0f} s; workers used: {', '.join(sorted(workers))}")
        ok &= len(workers) == 2
    finally:
        for p in procs.values():
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
