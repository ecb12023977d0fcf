"""Benchmark: screening the registry against a policy (not a test; prints figures and the machine).

    .venv/bin/python bench/screening.py                      # 100,000 people, PostgreSQL and SQLite
    .venv/bin/python bench/screening.py --people 1000000     # the full figure (a few minutes to load)
    .venv/bin/python bench/screening.py --backends postgresql --people 1000000

The policy screened is bench/policies/bench-huiyang-new-kinds.yaml: 惠阳's rules with a group of
the clause kinds of issue 13 added (tenure continuous / in the jurisdiction / full-time / in the
same occupation, person attributes, an employer designation by level, titles by level and issuer,
competitions "this level or higher"); `--policy` names another (policies/ or bench/policies/).
Set BENCH_PG_URL to use another PostgreSQL bench database (helpers: one of their own).

For each backend, in its own bench database (PostgreSQL `gongjiang_bench`, SQLite
var/bench.sqlite3), recreated every run unless --reuse:
  1. generate a synthetic registry (gongjiang.registry.synthetic: realistic distributions plus
     birthdays on the reference date, leap days, employment of exactly 12 months) and load it;
  2. end to end: a screening run over every person (facts read from the database, evaluated by
     the policy engine, per-person results stored), timed;
  3. in memory, facts already loaded: the policy over all people, producing the eligible flag and
     the failing clause ids of every person as a screening shard does (evaluate(only_automatic=True,
     culprits=…): the automatic outcome and its culprit masks, what a run stores), timed over 7
     passes in one process (every pass
     printed: median, best and worst; the engine evaluates the clauses of a large batch on
     engine.LEAF_THREADS threads, and the CPU time printed is the whole process's), with the peak
     memory of one pass, after touching the heap's top once (gongjiang.core.memory.warm_heap: no
     page faults from pass to pass);
  4. the same-run FLOOR of the end-to-end figure: one scan of the loaded facts in the database (a
     sequential read of every fact table, each row's columns summed server-side) plus writing the
     result rows (person, outcome, two clause masks) into a bare table (PostgreSQL: COPY into an
     unlogged table without keys; SQLite: one executemany), printed with end to end / floor.
"""
import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gongjiang_bench")
SQLITE_PATH = ROOT / "var" / "bench.sqlite3"
REFERENCE = dt.date(2025, 1, 1)


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import numpy

    return (f"{cpu}, {os.cpu_count()} logical cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_url(backend):
    return f"sqlite:///{SQLITE_PATH}" if backend == "sqlite" else PG_URL


def reset_database(backend):
    if backend == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(PG_URL)
    with psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                         password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    return PG_URL


def run_backend(backend: str, people: int, policy_code: str, chunk: int, reuse: bool = False) -> dict:
    """Runs in a child process whose DATABASE_URL points at the bench database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gongjiang.accounts.models import Organisation
    from gongjiang.accounts.services import create_user, seed_jurisdictions
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import get_policy, load_policies
    from gongjiang.registry import screening, synthetic
    from gongjiang.registry.facts import build_facts
    from gongjiang.registry.models import Person, ScreeningRun

    from gongjiang.accounts.models import User

    reused = reuse and Person.objects.count() == people
    seed_jurisdictions()
    load_policies()
    load_policies(directory=ROOT / "bench" / "policies")  # the bench's policy with the new clause kinds
    province = Organisation.objects.get(name="广东省")
    districts = list(Organisation.objects.filter(path__startswith=province.path, kind__in=["district", "devzone"])
                     .values_list("pk", "region_code", "name"))
    out = {"backend": connection.vendor, "people": people}
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            out["server"] = f"PostgreSQL {cur.fetchone()[0]}"
    else:
        import sqlite3

        out["server"] = f"SQLite {sqlite3.sqlite_version}"

    out["generate_s"] = out["load_s"] = 0.0
    if not reused:
        t = time.perf_counter()
        data = synthetic.generate(people, districts=districts, reference_date=REFERENCE, seed=11)
        out["generate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        synthetic.load(data, districts=districts)
        del data
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        out["load_s"] = time.perf_counter() - t
    with connection.cursor() as cur:
        counts = {}
        for table in ("registry_person", "registry_employment", "registry_socialinsuranceperiod",
                      "registry_certificate", "registry_competitionresult", "registry_titleaward",
                      "registry_innovation", "registry_apprenticeship", "registry_masterstudio",
                      "registry_programmemembership", "registry_creditrecord", "registry_employerrecord",
                      "accounts_organisation"):
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table.split("_", 1)[1]] = cur.fetchone()[0]
    out["rows"] = counts

    officer = User.objects.filter(username="bench").first() or \
        create_user(username="bench", role="bureau", organisation=province, password=None)
    policy = Policy.objects.get(code=policy_code)
    policy_file = get_policy(policy_code)

    # End to end: the screening task over the whole registry in scope, results stored.
    run = ScreeningRun.objects.create(policy=policy, reference_date=REFERENCE, scope=province, created_by=officer)
    t = time.perf_counter()
    run = screening.run_screening(run.pk, chunk=chunk)
    out["e2e_s"] = time.perf_counter() - t
    out["e2e_status"] = run.status
    out["counts"] = {"eligible": run.eligible, "needs_review": run.needs_review, "not_eligible": run.not_eligible}
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM registry_screeningresult WHERE run_id = %s", [run.pk])
        out["results_stored"] = cur.fetchone()[0]

    # Where the time goes (one pass over everyone, unchunked).
    everyone = Person.objects.all()
    window = screening.insurance_window(policy_file, REFERENCE)
    lo, hi = everyone.order_by("pk").first().pk, everyone.order_by("-pk").first().pk
    t = time.perf_counter()
    facts = build_facts(everyone, insurance_months=window, pk_range=(lo, hi))
    out["build_facts_s"] = time.perf_counter() - t
    # The concurrent reader and the single-connection reader give the same facts, hence results.
    from gongjiang.policy.engine import evaluate

    serial = build_facts(everyone, insurance_months=window, parallel=False)
    same = all(np.array_equal(evaluate(policy_file, f, on=REFERENCE).automatic,
                              evaluate(policy_file, facts, on=REFERENCE).automatic) for f in (serial,))
    out["parallel_equals_serial"] = bool(same)
    del serial  # only the facts the passes read stay in memory
    import gc

    gc.collect()
    out["fact_rows"] = {name: len(table) for name, table in facts.tables.items()}

    # In memory, facts already loaded: eligible flag + failing clause ids of every person. The
    # heap's top is touched once first (gongjiang.core.memory.warm_heap): the state a process that
    # evaluates loaded facts again and again reaches by itself after a few dozen passes, without
    # which every pass paid page faults (with huge pages on a loaded machine, up to its own time).
    from gongjiang.core.memory import warm_heap

    out["warm_heap"] = warm_heap(max(512 << 20, 96 * facts.n * 8))  # ~45 bytes a person a pass

    ids = screening.tree_clause_ids(policy_file.edition_on(REFERENCE).honour(None).eligibility)

    def one_pass():  # as a screening shard does (registry.screening.run_shard)
        result = evaluate(policy_file, facts, on=REFERENCE, only_automatic=True, culprits=ids)
        outcome, fail, review = screening.summarise(result, ids)
        return outcome, fail

    one_pass()  # warm-up
    passes, cpu = [], []
    for _ in range(7):
        t, c = time.perf_counter(), time.process_time()
        outcome, fail = one_pass()
        passes.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    best = min(passes)
    out["in_memory_s"] = best
    out["in_memory_pps"] = facts.n / best
    out["in_memory_passes_s"] = passes
    out["in_memory_median_pps"] = facts.n / float(np.median(passes))
    out["in_memory_worst_pps"] = facts.n / max(passes)
    # CPU time of the process per pass (all its threads: the engine evaluates the clauses of a
    # large batch on every core): on a shared, loaded machine the wall time of a pass of a few
    # milliseconds is partly time slices given to other processes; the CPU time is not.
    out["in_memory_cpu_s"] = cpu
    out["load_average"] = os.getloadavg()
    from gongjiang.policy import engine

    out["threads"] = engine.LEAF_THREADS
    out.update(floor(connection, facts.n, outcome, fail))
    tracemalloc.start()
    one_pass()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["in_memory_peak_mib"] = peak / 1024 / 1024
    out["eligible_in_memory"] = int((outcome == 0).sum())
    out["peak_rss_mib"] = peak_rss_mib()
    return out


FACT_TABLES = ("registry_person", "registry_employment", "registry_socialinsuranceperiod", "registry_certificate",
               "registry_competitionresult", "registry_titleaward", "registry_innovation", "registry_apprenticeship",
               "registry_masterstudio", "registry_programmemembership", "registry_creditrecord",
               "registry_employerrecord", "registry_personattribute", "registry_employerattribute")


def floor(connection, n, outcome, fail) -> dict:
    """The same-run floor of an end-to-end screening: (a) one scan of the loaded facts, a
    sequential read of every fact table with each row's integer and date columns summed on the
    server (no transfer); (b) the result rows written into a bare table (no keys, no indexes)."""
    pg = connection.vendor == "postgresql"
    scan = 0.0
    with connection.cursor() as cur:
        for table in FACT_TABLES:
            if pg:
                cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
                            [table])
            else:
                cur.execute(f"SELECT name, type FROM pragma_table_info('{table}')")
            terms = []
            for col, kind in cur.fetchall():
                kind = kind.lower()
                if kind == "date":
                    terms.append(f"""COALESCE("{col}" - DATE '2000-01-01', 0)""" if pg else
                                 f"""COALESCE(julianday("{col}"), 0)""")
                elif kind in ("integer", "bigint", "smallint", "bool", "boolean"):
                    terms.append(f'COALESCE("{col}"::int, 0)' if pg else f'COALESCE("{col}", 0)')
            t = time.perf_counter()
            cur.execute(f"SELECT COUNT(*), SUM({' + '.join(terms) or '1'}) FROM {table}")
            cur.fetchall()
            scan += time.perf_counter() - t
    rows = np.column_stack([np.arange(n, dtype=np.int64), outcome.astype(np.int64), fail.astype(np.int64),
                            np.zeros(n, np.int64)])
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_floor")
        cur.execute(("CREATE UNLOGGED TABLE" if pg else "CREATE TABLE") +
                    " bench_floor (person bigint, outcome smallint, fail bigint, review bigint)")
        t = time.perf_counter()
        if pg:
            import psycopg

            connection.ensure_connection()
            with psycopg.Cursor(connection.connection) as raw:
                with raw.copy("COPY bench_floor (person, outcome, fail, review) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int8", "int2", "int8", "int8"])
                    for row in rows.tolist():
                        copy.write_row(row)
        else:
            cur.executemany("INSERT INTO bench_floor VALUES (%s, %s, %s, %s)", rows.tolist())
        write = time.perf_counter() - t
        cur.execute("DROP TABLE bench_floor")
    return {"floor_scan_s": scan, "floor_write_s": write}


def report(r: dict):
    n = r["people"]
    print(f"\n== {r['server']} ({r['backend']}), {n:,} people")
    if r["load_s"]:
        print(f"   generated in {r['generate_s']:.1f} s, loaded in {r['load_s']:.1f} s (not part of the screening time)")
    else:
        print("   registry reused from the previous run (--reuse)")
    print("   registry rows: " + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items()))
    print(f"   END TO END screening run (read facts, evaluate, store {r['results_stored']:,} results): "
          f"{r['e2e_s']:.2f} s = {n / r['e2e_s']:,.0f} persons/s  [{r['e2e_status']}]")
    print(f"      outcomes: eligible {r['counts']['eligible']:,}, needs review {r['counts']['needs_review']:,}, "
          f"not eligible {r['counts']['not_eligible']:,}")
    print(f"   build facts from the database, unchunked: {r['build_facts_s']:.2f} s; "
          f"concurrent reader = single-connection reader: {r['parallel_equals_serial']} "
          f"(rows: {', '.join(f'{k} {v:,}' for k, v in r['fact_rows'].items() if v)})")
    print(f"   IN MEMORY (facts loaded; eligible flag + failing clause ids), {len(r['in_memory_passes_s'])} passes: "
          f"median {r['in_memory_median_pps'] / 1e6:,.1f}, best {r['in_memory_pps'] / 1e6:,.1f}, worst "
          f"{r['in_memory_worst_pps'] / 1e6:,.1f} million persons/s (best {r['in_memory_s'] * 1000:.1f} ms; every pass ms: "
          f"{', '.join(f'{x * 1000:.0f}' for x in r['in_memory_passes_s'])}); peak memory of one pass "
          f"{r['in_memory_peak_mib']:,.0f} MiB (tracemalloc)")
    if r.get("warm_heap"):
        print("      (the heap's top touched once before the passes: gongjiang.core.memory.warm_heap)")
    cpu = r["in_memory_cpu_s"]
    print(f"   IN MEMORY, CPU time of the pass, all threads (excludes slices the loaded machine gave to others; "
          f"{r['threads']} threads; load average "
          f"{', '.join(f'{x:.1f}' for x in r['load_average'])}): median {r['people'] / float(np.median(cpu)) / 1e6:,.1f}, "
          f"worst {r['people'] / max(cpu) / 1e6:,.1f} million persons/s (every pass ms: "
          f"{', '.join(f'{x * 1000:.1f}' for x in cpu)})")
    fl = r["floor_scan_s"] + r["floor_write_s"]
    print(f"   FLOOR (same run): one scan of the loaded facts {r['floor_scan_s']:.2f} s + result rows into a bare "
          f"table {r['floor_write_s']:.2f} s = {fl:.2f} s; end to end / floor = {r['e2e_s'] / fl:.2f}")
    print(f"   process peak RSS {r['peak_rss_mib']:,.0f} MiB")


def main():
    from gongjiang.core.memory import keep_freed_memory

    keep_freed_memory()  # as the screening task does in a worker (see gongjiang/core/memory.py)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--policy", default="bench-huiyang-new-kinds",
                        help="a policy code of policies/ or bench/policies/ (default: 惠阳 with the clause kinds of "
                             "issue 13 added: tenure, attributes, titles by level and issuer, competitions or higher)")
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the bench databases when they already hold --people people (skip loading)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(run_backend(args.child, args.people, args.policy, args.chunk, args.reuse)))
        return
    print("Machine: " + machine())
    print(f"Policy: {args.policy}; reference date {REFERENCE}")
    for backend in args.backends.split(","):
        url = database_url(backend) if args.reuse else reset_database(backend)
        env = {**os.environ, "DATABASE_URL": url, "GONGJIANG_DEBUG": "0"}
        proc = subprocess.run([sys.executable, __file__, "--child", backend, "--people", str(args.people),
                               "--policy", args.policy, "--chunk", str(args.chunk)] + (["--reuse"] if args.reuse else []),
                              env=env, cwd=ROOT, capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(f"\n== {backend}: failed\n{proc.stderr[-3000:]}")
            continue
        report(json.loads(lines[-1][7:]))


if __name__ == "__main__":
    main()
