"""Benchmark: a monthly payment run over 100,000 holders on PostgreSQL (not a test; prints figures).

    .venv/bin/python bench/payments.py                  # 100,000 holders
    .venv/bin/python bench/payments.py --holders 20000

In its own database (BENCH_PG_URL, default gj_payments_bench), recreated every run:
  1. set up in bulk (not timed): 100,000 registry people in 环翠区 with a sealed payee account,
     each with the 环翠 monthly allowance (500 元, 第四条、第十二条) starting in one of the last
     twelve months, and every earlier month already paid (≈550,000 settled lines), so the run
     reads a real ledger; then VACUUM ANALYZE, as autovacuum would have done to a ledger at rest;
  2. timed: the November 2026 run — compute what is due (services.compute_run: entitlements,
     settled instalments, suspensions, accounts) and store the lines (on PostgreSQL one
     INSERT … SELECT; a statement trigger checks the new lines' runs and entitlements at once,
     migration payments 0005), prepare and approve (two officers) and build the bank file (CSV
     with full ID and account numbers: the database formats the lines and streams them by COPY,
     Python opens one AES-GCM seal per line as they come) — with the process's peak RSS growth,
     the CPU time of this process and of its database backend, and the load average around it
     (the machine may be shared);
  3. the floor: COPY of the same lines (every column of the line table) into a bare table of the
     same column types without indexes or constraints, in the same run (median of three), and
     the ratio run / COPY.
"""
import argparse
import datetime as dt
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/gj_payments_bench")
PERIOD = (2026, 11)


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = f", {int(Path('/proc/meminfo').read_text().split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        mem = ""
    return f"{cpu}, {os.cpu_count()} logical cores{mem}; {platform.system()} {platform.release()}; Python {platform.python_version()}"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load average unknown"


class Cpu:
    """CPU seconds used by this process and by its database backend (read from /proc when the
    server runs on this machine): on a shared machine the wall time varies with the load, these
    do much less. Parallel query workers are not counted."""

    def __init__(self, connection):
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cur.fetchone()[0]}/stat")

    def now(self) -> tuple[float, float | None]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            server = None
        return ru.ru_utime + ru.ru_stime, server

    @staticmethod
    def between(a, b) -> str:
        server = f"{b[1] - a[1]:.2f} s" if a[1] is not None and b[1] is not None else "unknown"
        return f"CPU: Python {b[0] - a[0]:.2f} s, database backend {server}"


def reset_database():
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(PG_URL)
    with psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def setup(holders: int):
    """Bulk: people, payee accounts, entitlements and the months already paid (COPY)."""
    from django.db import connection
    from django.utils import timezone

    from gongjiang.accounts.models import Organisation
    from gongjiang.accounts.services import create_user, seed_jurisdictions
    from gongjiang.payments import crypto
    from gongjiang.payments.models import PaymentRun
    from gongjiang.payments.schedule import add_months, due_date
    from gongjiang.payments.services import reference_of, set_budget
    from gongjiang.policy.models import Policy
    from gongjiang.policy.services import load_policies

    seed_jurisdictions()
    load_policies()
    district = Organisation.objects.get(name="环翠区")
    officers = [create_user(username=f"finance{i}", role="finance", organisation=district, password=None,
                            display_name=f"财务{i}") for i in (1, 2)]
    policy = Policy.objects.get(code="huancui-chief-technician")
    set_budget(policy=policy, year=PERIOD[0], amount_fen=10**12, actor=officers[0])
    now = timezone.now()
    start = dt.date(PERIOD[0], PERIOD[1], 1)
    with connection.cursor() as cur:
        with cur.copy("COPY registry_person (name, id_number_encrypted, id_number_hash, id_number_masked, birth_date, "
                      "gender, region_code, phone_encrypted, phone_hash, phone_masked, post_category, jurisdiction_id, "
                      "source, verification, note, created_at, updated_at) FROM STDIN") as copy:
            for i in range(holders):
                copy.write_row((f"持证人{i}", "", f"bench-{i}", "371002********001X", dt.date(1980, 1, 1), "M",
                                "371002", "", "", "", "worker", district.pk, "imported", "verified", "", now, now))
        cur.execute("SELECT min(id) FROM registry_person")
        first = cur.fetchone()[0]
        with cur.copy("COPY payments_payeeaccount (person_id, kind, bank, sealed, number_masked, updated_by_id, "
                      "updated_at) FROM STDIN") as copy:
            for i in range(holders):
                id_number = f"371002198001{i:05d}X"[:18]
                copy.write_row((first + i, "social_security_card", "威海市商业银行", crypto.seal(id_number, f"62{i:017d}"),
                                "62**********0000", officers[0].pk, now))
        with cur.copy("COPY payments_entitlement (person_id, policy_id, honour_code, benefit_id, source_key, name, "
                      "article, schedule, amount_fen, instalments, first_due, gated_from, gate_open, pay_to, funding, "
                      "status, stop_reason, created_at) FROM STDIN") as copy:
            for i in range(holders):
                copy.write_row((first + i, policy.pk, "chief-technician", "allowance", f"bench:{i}", "区政府津贴",
                                "第四条、第十二条", "monthly", 50000, 24, add_months(start, -(i % 12)), 13, False,
                                "unspecified", "区政府", "active", "", now))
        cur.execute("SELECT min(id) FROM payments_entitlement")
        first_ent = cur.fetchone()[0]
        past = PaymentRun.objects.create(organisation=district, period_kind="month", period_start=dt.date(2026, 10, 1),
                                         period_end=dt.date(2026, 10, 31), status="settled", created_by=officers[0],
                                         prepared_by=officers[0], approved_by=officers[1])
        seq = 0
        with cur.copy("COPY payments_paymentline (run_id, entitlement_id, person_id, instalment, due_date, amount_fen, "
                      "status, reason, reference) FROM STDIN") as copy:
            for i in range(holders):
                first_due = add_months(start, -(i % 12))
                for k in range(1, i % 12 + 1):
                    seq += 1
                    copy.write_row((past.pk, first_ent + i, first + i, k, due_date(first_due, "monthly", k), 50000,
                                    "paid", "", reference_of(past.pk, seq)))
        cur.execute("ANALYZE")
    return district, officers, seq


class Where:
    """Where the time goes: database time per statement (first words), commits (deferred
    constraint checks, if any, and the WAL flush), and the rest: Python, and rows read from a COPY
    stream or a server-side cursor (the bank file's COPY is not an execute, so its database time
    is in the rest, overlapping Python's)."""

    def __init__(self):
        self.sql, self.commit = {}, 0.0

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:3])[:40]
            self.sql[key] = self.sql.get(key, 0.0) + time.perf_counter() - t

    def watch_commits(self, connection):
        plain = connection._commit

        def timed():
            t = time.perf_counter()
            try:
                return plain()
            finally:
                self.commit += time.perf_counter() - t
        connection._commit = timed

    def report(self, total: float, top: int = 5) -> str:
        db = sum(self.sql.values())
        parts = [f"{s:.2f} s {k}…" for k, s in sorted(self.sql.items(), key=lambda kv: -kv[1])[:top]]
        return (f"database {db:.2f} s ({'; '.join(parts)}), commits {self.commit:.2f} s, "
                f"Python and streamed rows (COPY, server-side cursors) {total - db - self.commit:.2f} s")


def timed_run(district, officers):
    from django.db import connection

    from gongjiang.payments import services

    before = rss_mib()
    cpu = Cpu(connection)
    compute, bank = Where(), Where()
    with connection.execute_wrapper(compute):
        compute.watch_commits(connection)
        c0 = cpu.now()
        t0 = time.perf_counter()
        run = services.compute_run(organisation=district, period_kind="month", year=PERIOD[0], month=PERIOD[1],
                                   actor=officers[0])
        t1 = time.perf_counter()
        c1 = cpu.now()
    with connection.execute_wrapper(bank):
        bank.watch_commits(connection)
        services.prepare_run(run, actor=officers[0])
        services.approve_run(run, actor=officers[1])
        t_bank = time.perf_counter()
        name, data = services.export_bank_file(run, fmt="csv", actor=officers[0])
        t2 = time.perf_counter()
        c2 = cpu.now()
    del connection._commit
    bank_where = f"prepare + approve {t_bank - t1:.2f} s, bank file {t2 - t_bank:.2f} s; " + bank.report(t2 - t1)
    cpu_where = (f"compute + store {Cpu.between(c0, c1)}; prepare + approve + bank file {Cpu.between(c1, c2)}; "
                 f"whole run {Cpu.between(c0, c2)}")
    return (run, data, t1 - t0, t2 - t1, rss_mib() - before, compute.report(t1 - t0), bank_where, cpu_where)


def copy_floor(run, repeat: int = 3):
    """COPY the run's lines (every column of the line table, same values) into a bare table of the
    same column types (CREATE TABLE … (LIKE payments_paymentline): no index, key, check or foreign
    key): the floor for storing them. Repeated, the median taken (one COPY is ~0.1-0.2 s, and
    the machine is shared)."""
    from django.db import connection

    cols = ("id, run_id, entitlement_id, person_id, instalment, due_date, amount_fen, status, reason, reference, "
            "requeued_from_id, result_at")
    times = []
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM payments_paymentline WHERE run_id = %s ORDER BY id", [run.pk])
        rows = cur.fetchall()
        cur.execute("CREATE TABLE bench_bare (LIKE payments_paymentline)")
        for _ in range(repeat):
            cur.execute("TRUNCATE bench_bare")
            t = time.perf_counter()
            with cur.copy(f"COPY bench_bare ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            times.append(time.perf_counter() - t)
        cur.execute("DROP TABLE bench_bare")
    return sorted(times)[len(times) // 2], times, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holders", type=int, default=100_000)
    args = parser.parse_args()
    reset_database()
    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
    os.environ["GONGJIANG_DEBUG"] = "0"
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    print("Machine: " + machine())
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        print(f"Database: PostgreSQL {cur.fetchone()[0]}")
    t = time.perf_counter()
    with transaction.atomic():
        district, officers, settled = setup(args.holders)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"Setup (bulk, not timed): {args.holders:,} holders, {settled:,} lines already paid, {time.perf_counter() - t:.1f} s")
    load_before = load()
    run, data, compute_s, bank_s, rss_growth, compute_where, bank_where, cpu_where = timed_run(district, officers)
    load_after = load()
    total = compute_s + bank_s
    floor, floors, rows = copy_floor(run)
    print(f"Monthly run {PERIOD[0]}-{PERIOD[1]:02d}: {run.line_count:,} lines, {run.total_fen // 100:,} 元, held {run.held_count}")
    print(f"   compute + store lines: {compute_s:.2f} s; prepare + approve + bank file ({len(data) / 1e6:.1f} MB CSV): {bank_s:.2f} s")
    print(f"      compute + store: {compute_where}")
    print(f"      prepare + approve + bank file: {bank_where}")
    print(f"      {cpu_where}")
    print(f"   TOTAL {total:.2f} s (goal <= 3 s); peak RSS growth {rss_growth:,.0f} MiB, process peak RSS {rss_mib():,.0f} MiB")
    print(f"   COPY of the same {rows:,} rows (every column) into a bare table: {floor:.3f} s (median of "
          f"{', '.join(f'{t:.3f}' for t in floors)}); ratio run / COPY = {total / floor:.1f}x (goal <= 5x)")
    print(f"   {load_before} before the run, {load_after} after")


if __name__ == "__main__":
    main()
