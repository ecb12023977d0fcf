"""Benchmark: the pages people open most, served by gunicorn from PostgreSQL holding a large
bureau's data (not a test; prints its figures and the machine).

    .venv/bin/pip install -e ".[deploy]"       # gunicorn
    .venv/bin/python bench/web.py               # builds the data once, then measures
    .venv/bin/python bench/web.py --rebuild --seconds 15 --clients 16

1. Data, built in bulk (bulk_create, not per-item services) in its own PostgreSQL database
   (BENCH_WEB_PG_URL, default `gongjiang_bench_web`), kept between runs: 50 rounds of the
   惠阳 policy with 2,000 applications each (100,000), 2,000 published notices with 10 entries
   each, 10,000 holders of honours (when the honours app is installed), an officer of the
   organising bureau and an applicant with applications in every round.
2. gunicorn (sync workers, DEBUG off, persistent connections) on 127.0.0.1.
3. For each page, 16 client threads (http.client, one request at a time each) for a fixed time:
   requests per second, p50 and p95 latency, and the share of the trivial view's throughput.
   The trivial view is /healthz (one `SELECT 1` through the full middleware stack), the ceiling
   of this server on this machine.
"""
import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PG_URL = os.environ.get("BENCH_WEB_PG_URL", "postgres://postgres@127.0.0.1:5432/gongjiang_bench_web")
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_WEB_PORT", "8631"))
ROUNDS, PER_ROUND, NOTICES, ENTRIES, HOLDERS = 50, 2000, 2000, 10, 10_000
MARK = "bench-web"


def _django():
    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    import django

    django.setup()


def _recreate_database():
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _database_exists() -> bool:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def build():
    """The bench data, in bulk. Returns the seconds it took."""
    from django.core.management import call_command

    started = time.perf_counter()
    import datetime as dt

    from django.utils import timezone

    from gongjiang.accounts.services import create_organisation, create_user, seed_jurisdictions
    from gongjiang.applications.models import Application
    from gongjiang.core.idnumbers import make_uscc
    from gongjiang.notices.models import Notice, NoticeEntry
    from gongjiang.policy.loader import POLICIES_DIR, read_policy
    from gongjiang.policy.services import load_policy_file
    from gongjiang.rounds import services as rounds
    from gongjiang.rounds.models import Round

    seed_jurisdictions()
    from gongjiang.accounts.models import Organisation

    district = Organisation.objects.get(name="惠阳区")
    officer = create_user(username=f"{MARK}-officer", role="bureau", organisation=district, display_name="局经办人")
    applicant = create_user(username=f"{MARK}-applicant", role="applicant", display_name="李建国")
    employers = [create_organisation(name=f"惠阳测评企业{i}", kind="enterprise", parent=district,
                                     uscc=make_uscc(f"9144130{i:010d}")) for i in range(40)]
    policy = load_policy_file(read_policy(POLICIES_DIR / "huiyang-chief-technician.yaml"))[0]
    today = timezone.localdate()
    first = rounds.open_round(policy=policy, organiser=district, year=today.year, title=f"{today.year}年度首席技师遴选",
                              code=f"{MARK}-0", opens_on=today - dt.timedelta(days=10),
                              application_deadline=today + dt.timedelta(days=30), actor=officer)
    first = rounds.publish(first, actor=officer)
    clones = []
    for i in range(1, ROUNDS):
        r = Round.objects.get(pk=first.pk)
        r.pk, r.code, r.title, r.year = None, f"{MARK}-{i}", f"{today.year - i % 5}年度首席技师遴选（{i}）", today.year - i % 5
        clones.append(r)
    all_rounds = [first] + Round.objects.bulk_create(clones)
    states = ["submitted", "employer_verified", "recommended", "qualification_review", "site_inspection",
              "expert_review", "credit_check", "committee_review"]
    now = timezone.now()
    n = 0
    for rnd in all_rounds:
        batch = []
        for k in range(PER_ROUND):
            n += 1
            mine = k == 0
            batch.append(Application(
                round=rnd, serial=f"BW{n:07d}", route="self" if mine else "employer", name=f"申报人{n}",
                employer=employers[n % len(employers)], applicant_account=applicant if mine else None,
                status=states[n % len(states)], version=1, submitted_at=now, commitment_name=f"申报人{n}",
                forwarded_at=now, facts={"skill": {"occupation": "焊工", "level": 5}}))
        Application.objects.bulk_create(batch, batch_size=2000)
    notices = Notice.objects.bulk_create([
        Notice(title=f"关于第{i}批首席技师拟认定人选的公示", contact="惠阳区人社局 0752-0000000", organisation=district,
               start_date=today - dt.timedelta(days=i % 400), end_date=today - dt.timedelta(days=i % 400) + dt.timedelta(days=7),
               published_by=officer, published_at=now) for i in range(NOTICES)], batch_size=2000)
    NoticeEntry.objects.bulk_create([NoticeEntry(notice=x, position=p, name=f"候选人{x.pk}-{p}", employer="惠阳测评企业",
                                                 occupation="焊工", skill_level=5, honour="区管首席技师")
                                     for x in notices for p in range(1, ENTRIES + 1)], batch_size=5000)
    with __import__("django.db", fromlist=["connection"]).connection.cursor() as c:
        c.execute("ANALYZE")
    return time.perf_counter() - started


def build_holders():
    """10,000 holders of honours (with their registry people), in bulk. Returns the seconds."""
    import datetime as dt
    import secrets

    from gongjiang.accounts.models import Organisation
    from gongjiang.honours.models import Honour
    from gongjiang.registry.models import Person
    from gongjiang.rounds.models import Round

    started = time.perf_counter()
    district = Organisation.objects.get(name="惠阳区")
    employers = list(Organisation.objects.filter(name__startswith="惠阳测评企业"))
    rounds = list(Round.objects.filter(code__startswith=MARK).select_related("policy"))
    people = Person.objects.bulk_create([
        Person(name=f"持有人{i}", id_number_encrypted="bench", id_number_hash=f"bench-holder-{i}",
               id_number_masked="4413**********001X", birth_date=dt.date(1960 + i % 35, 1 + i % 12, 1 + i % 28),
               gender="M" if i % 2 else "F", jurisdiction=district) for i in range(HOLDERS)], batch_size=5000)
    Honour.objects.bulk_create([
        Honour(person=p, name=p.name, policy=rounds[i % len(rounds)].policy, honour_code="chief",
               title="区管首席技师", round=rounds[i % len(rounds)], employer=employers[i % len(employers)],
               occupation=["焊工", "车工", "钳工", "电工", "数控铣工"][i % 5], jurisdiction=district,
               awarded_on=dt.date(2016 + i % 10, 6, 1), term_start=dt.date(2016 + i % 10, 6, 1),
               term_end=dt.date(2018 + i % 10, 6, 1), certificate_number=f"BWZS{i:06d}", token=secrets.token_urlsafe(18))
        for i, p in enumerate(people)], batch_size=5000)
    with __import__("django.db", fromlist=["connection"]).connection.cursor() as c:
        c.execute("ANALYZE registry_person, honours_honour")  # else the planner guesses a handful of holders
    return time.perf_counter() - started


def session_cookie(username) -> str:
    """A logged-in session for the user, stored in the database like a real login, with the CSRF
    cookie a browser holds after its first page."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from gongjiang.accounts.models import User

    user = User.objects.get(username=username)
    s = SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), "gongjiang.accounts.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    # A browser keeps the CSRF cookie of its first page and sends it with the session from then on.
    from django.middleware.csrf import _get_new_csrf_string

    return f"sessionid={s.session_key}; csrftoken={_get_new_csrf_string()}"


def pages():
    from gongjiang.rounds.models import Round

    from django.apps import apps

    officer = session_cookie(f"{MARK}-officer")
    applicant = session_cookie(f"{MARK}-applicant")
    board = Round.objects.get(code=f"{MARK}-0")
    extra = []
    if apps.is_installed("gongjiang.honours"):
        from gongjiang.honours.models import Honour

        token = Honour.objects.order_by("pk").values_list("token", flat=True)[HOLDERS // 2]
        extra = [("certificate verification", f"/certificates/v/{token}/", None),
                 ("holders dashboard", "/dashboards/holders/", officer)]
    return [
        ("trivial view (/healthz)", "/healthz", None),
        ("public notice list", "/notices/", None),
        ("public call page", f"/rounds/calls/{board.code}/", None),
        ("officer's round board", f"/review/rounds/{board.pk}/", officer),
        ("applicant's home", "/home/", applicant),
        ("round funnel dashboard", f"/dashboards/funnel/?round={board.pk}", officer),
        ("candidates dashboard (1 round)", f"/dashboards/?round={board.pk}", officer),
    ] + extra


def get(path, cookie):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def load(path, cookie, *, clients, seconds, max_requests=100_000):
    """`clients` threads, each sending one request at a time until `seconds` have passed or the
    bound on the total number of requests is reached. Returns (req/s, p50 ms, p95 ms, errors)."""
    for _ in range(10):  # warm-up: each worker compiles templates, opens its connection
        get(path, cookie)
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        mine, bad = [], 0
        while time.perf_counter() < deadline and len(mine) < max_requests // clients:
            t0 = time.perf_counter()
            status = get(path, cookie)
            mine.append(time.perf_counter() - t0)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, q[49] * 1000, q[94] * 1000, errors[0]


def serve(workers, page_cache=True):
    # The bench's 16 clients all come from 127.0.0.1: its own server lifts the per-address limit on
    # certificate checks (real servers keep settings.CERTIFICATE_VERIFY_RATE_LIMIT's default).
    env = {**os.environ, "DATABASE_URL": PG_URL, "GONGJIANG_DEBUG": "0", "ALLOWED_HOSTS": HOST,
           "LOG_LEVEL": "WARNING", "CERTIFICATE_VERIFY_RATE_LIMIT": "100000000"}
    if not page_cache:  # every request renders its page (the first view after a change, at worst)
        env.update({name: "0" for name in ("PUBLIC_PAGE_CACHE_SECONDS", "PRIVATE_PAGE_CACHE_SECONDS",
                                           "DASHBOARD_CACHE_SECONDS")})
    proc = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "gongjiang.wsgi:application",
                             "--bind", f"{HOST}:{PORT}", "--workers", str(workers), "--log-level", "warning"],
                            cwd=ROOT, env=env)
    for _ in range(300):
        try:
            if get("/healthz", None) == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    ap.add_argument("--no-page-cache", action="store_true",
                    help="switch the page caches off: what each page costs when it is rendered")
    args = ap.parse_args()
    from screening import machine

    fresh = args.rebuild or not _database_exists()
    if fresh:
        _recreate_database()
    _django()
    from django.db import connection

    from django.core.management import call_command

    from gongjiang.applications.models import Application

    call_command("migrate", verbosity=0)
    if fresh or not Application.objects.filter(serial__startswith="BW").exists():
        print(f"building {ROUNDS * PER_ROUND:,} applications in {ROUNDS} rounds, {NOTICES:,} notices ...", flush=True)
        print(f"  built in {build():.0f} s")
    from django.apps import apps

    holders = apps.is_installed("gongjiang.honours")
    if holders:
        from gongjiang.honours.models import Honour

        if not Honour.objects.exists():
            print(f"building {HOLDERS:,} holders of honours ...", flush=True)
            print(f"  built in {build_holders():.0f} s")
    from gongjiang.notices.models import Notice

    print(f"machine: {machine()}")
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}; data: "
          f"{Application.objects.count():,} applications, {Notice.objects.count():,} notices, "
          f"{Honour.objects.count() if holders else 0:,} holders; "
          f"gunicorn {args.workers} sync workers; {args.clients} concurrent clients, {args.seconds:.0f} s per page; "
          f"page caches {'off' if args.no_page_cache else 'on'}")
    targets = pages()
    connection.close()
    server = serve(args.workers, page_cache=not args.no_page_cache)
    try:
        results = [(name, *load(path, cookie, clients=args.clients, seconds=args.seconds))
                   for name, path, cookie in targets]
    finally:
        server.terminate()
        server.wait(timeout=30)
    ceiling, ceiling_p95 = results[0][1], results[0][3]
    print(f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'% trivial':>10} {'p95/trivial':>12} errors")
    for name, rps, p50, p95, errors in results:
        print(f"{name:32} {rps:8.1f} {p50:8.1f} {p95:8.1f} {100 * rps / ceiling:9.0f}% {p95 / ceiling_p95:11.1f}x {errors}")


if __name__ == "__main__":
    main()
