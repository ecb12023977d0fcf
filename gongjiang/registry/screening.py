"""Screening the registry against a policy (免申即享): who in my jurisdiction already qualifies?

One implementation of every clause: the policy engine (gongjiang.policy.engine) over the columnar
facts built by `facts.py`. A screening run is that evaluation over the people of a scope, in
chunks (progress, cancel between chunks); a single person is a batch of one through the same code.

Outcome per person (the machine-checkable part): the engine's `automatic` status, i.e. every
manual clause (品德优良, 绝招绝技 ...) taken as attested. Eligible = every automatic clause passes;
needs review = some fact is missing or unverifiable; not eligible = some clause fails. Per-clause
results are stored as two bit masks over `run.clause_ids` (failing, needing review).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from gongjiang.accounts.permissions import check
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.params import int_or_none
from gongjiang.policy.engine import evaluate, tables_used
from gongjiang.policy.schema import walk

from .facts import build_facts
from .models import Invitation, Person, ScreeningResult, ScreeningRun, ScreeningShard
from .services import people_in_org

MAX_CLAUSES = 63
SCOPE, JURISDICTION = "scope", "jurisdiction"  # how a run is split into shards (plan_shards)
OUTCOME_OF_STATUS = np.array([ScreeningResult.Outcome.NOT_ELIGIBLE, ScreeningResult.Outcome.NEEDS_REVIEW,
                              ScreeningResult.Outcome.ELIGIBLE], dtype=np.int16)  # indexed by fail/review/pass


def insurance_window(policy_file, on: dt.date, honour=None):
    """Months of social insurance the policy's clauses can look at, as (first, last) month numbers,
    or None when some clause counts months without a continuity window (then all are loaded)."""
    h = policy_file.edition_on(on).honour(honour)
    months = 0
    for root in [h.eligibility] + [p.clause for p in h.priority]:
        for c in walk(root):
            if c.kind == "insured_employment":
                if not c.continuous:
                    return None
                months = max(months, c.months)
    ref_month = on.year * 12 + on.month - 1
    return (ref_month - months - 1, ref_month)


def clause_ids_of(result) -> list[str]:
    """Clause ids stored per person (all but the root), in the policy's order."""
    return tree_clause_ids(result.root)


def tree_clause_ids(root) -> list[str]:
    """The same from the policy's tree (a shard asks for them before it evaluates)."""
    return [c.id for c in walk(root) if c.id != root.id][:MAX_CLAUSES]


def evaluate_people(policy_file, people, on: dt.date, *, labels="ids", pk_range=None, pks=None):
    facts = build_facts(people, insurance_months=insurance_window(policy_file, on), labels=labels,
                        pk_range=pk_range, tables=tables_used(policy_file, on), pks=pks)
    return facts, evaluate(policy_file, facts, on=on)


def summarise(result, clause_ids):
    """(outcome int16[N], fail_mask int64[N], review_mask int64[N]) from a BatchResult: the outcome
    is the automatic status (manual clauses taken as attested); the masks mark the clauses that
    make a person fail / need review (the engine's `culprit_masks`)."""
    fail, review = result.culprit_masks(clause_ids)
    return np.take(OUTCOME_OF_STATUS, result.automatic), fail, review  # take: no intp copy of the index


def explain_person(person, policy_file, on: dt.date):
    """The single-person evaluation: a batch of one, with the engine's clause-by-clause explanation."""
    from gongjiang.policy.explain import explain

    facts, result = evaluate_people(policy_file, Person.objects.filter(pk=person.pk), on, labels="names")
    return explain(result, 0), result


def _scope_for(actor):
    decision = check(actor, "registry.screen")
    if not decision:
        raise NotAllowed(decision.reason, log="screen not allowed")
    if actor.organisation is None or not actor.organisation.is_jurisdiction:
        raise NotAllowed("只有行政区划的人社部门经办人可以发起筛查", log="screener not at a jurisdiction")
    return actor.organisation


def start_screening(*, policy, reference_date: dt.date, actor) -> ScreeningRun:
    """Create the run and start it as a background task (inline in development)."""
    from .tasks import screening_task

    scope = _scope_for(actor)
    with transaction.atomic():
        run = ScreeningRun.objects.create(policy=policy, reference_date=reference_date, scope=scope, created_by=actor)
        record("registry.screening.start", actor=actor, obj=run,
               after=snapshot(run, ["policy", "reference_date", "scope"]),
               reason=f"{policy.title}，基准日期 {reference_date.isoformat()}")
    transaction.on_commit(lambda: screening_task.enqueue(run.pk))
    return run


def cancel_screening(run, *, actor):
    _scope_for(actor)
    if run.finished:
        raise DomainError("该筛查已结束，无法取消", log="run finished")
    with transaction.atomic():
        ScreeningRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        record("registry.screening.cancel", actor=actor, obj=run, after={"cancel_requested": True})


def run_screening(run_id: int, *, chunk: int | None = None, by: str = SCOPE) -> ScreeningRun:
    """Plan the run's shards and screen them one after another in this process (tests, benches,
    the inline task backend): one shard of the whole scope unless `by` is JURISDICTION. With
    workers, `screening_task` plans and each shard is a task."""
    for shard_id in plan_shards(run_id, by=by):
        run_shard(shard_id, chunk=chunk)
    return ScreeningRun.objects.select_related("policy", "scope").get(pk=run_id)


def workers_alive() -> int:
    """Background workers whose heartbeat is fresh (gongjiang.ops.workers)."""
    from gongjiang.ops.models import WorkerHeartbeat
    from gongjiang.ops.workers import DEFAULT_LEASE_SECONDS

    since = timezone.now() - dt.timedelta(seconds=DEFAULT_LEASE_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).count()


def plan_shards(run_id: int, *, enqueue: bool = False, by: str | None = None) -> list[int]:
    """Split a queued run into shards; with `enqueue`, one task per shard in the same transaction.
    Idempotent: a run already planned gives no new shards.

    `by` JURISDICTION: one shard per jurisdiction where people of the scope are registered (an
    exact partition of the scope), largest first, so that several workers share the run. `by`
    SCOPE: one shard of the whole scope, read by primary-key ranges: a jurisdiction's people are
    scattered over the fact tables, and reading them shard by shard cost a single process about
    seven times as long as reading everyone in key order. None (the background task): by
    jurisdiction when two or more workers are alive, else the whole scope."""
    from gongjiang.core.tasks import enqueue_in_transaction
    from gongjiang.policy.services import get_policy

    from .tasks import screening_shard_task

    with transaction.atomic():
        run = ScreeningRun.objects.select_for_update().select_related("policy", "scope").get(pk=run_id)
        if run.status != ScreeningRun.Status.QUEUED:
            return []
        try:
            get_policy(run.policy.code)
        except DomainError as e:
            run.status, run.error = ScreeningRun.Status.FAILED, e.message
            _close(run, force=True)
            return []
        if by is None:
            by = JURISDICTION if workers_alive() >= 2 else SCOPE
        if by == JURISDICTION:
            sizes = sorted(people_in_org(run.scope).order_by().values_list("jurisdiction_id")
                           .annotate(n=Count("pk")), key=lambda js: (-js[1], js[0]))
        else:  # counted when the shard starts (it reads the scope's keys anyway)
            sizes = [(None, 0)] if people_in_org(run.scope).exists() else []
        shards = ScreeningShard.objects.bulk_create(
            [ScreeningShard(run=run, jurisdiction_id=j, total=n) for j, n in sizes])
        run.total, run.status = sum(n for _, n in sizes), ScreeningRun.Status.RUNNING
        run.save(update_fields=["total", "status"])
        if not shards:
            _close(run)
        for shard in shards if enqueue else ():
            enqueue_in_transaction(screening_shard_task, shard.pk)
    return [s.pk for s in shards]


class Superseded(Exception):
    """This execution of a shard no longer holds it (a later attempt took over, or it finished)."""


def _hold(shard_id: int, attempt: int) -> ScreeningShard:
    shard = ScreeningShard.objects.select_for_update().get(pk=shard_id)
    if shard.attempt != attempt or shard.finished:
        raise Superseded(shard_id)
    return shard


def run_shard(shard_id: int, *, worker: str = "", chunk: int | None = None) -> ScreeningShard:
    """Screen one shard chunk by chunk. Each chunk's results are stored in one transaction with
    the shard's progress (`resume_after`, counts), so a shard whose worker died resumes after its
    last committed chunk when its task is run again (gongjiang.ops.workers), and the unique
    (run, person) constraint holds every result to once. Cancellation is checked between chunks."""
    from gongjiang.core.memory import keep_freed_memory
    from gongjiang.policy.services import get_policy

    keep_freed_memory()  # the worker keeps its pages between chunks and runs (see core/memory.py)
    chunk = chunk or settings.SCREENING_CHUNK
    with transaction.atomic():
        shard = (ScreeningShard.objects.select_for_update(of=("self",))
                 .select_related("run__policy", "run__scope", "jurisdiction").get(pk=shard_id))
        if shard.finished:
            return shard
        interrupted = shard.status == ScreeningRun.Status.RUNNING
        shard.attempt += 1
        shard.status, shard.worker, shard.workers = ScreeningRun.Status.RUNNING, worker, [*shard.workers, worker]
        shard.started_at = shard.started_at or timezone.now()
        shard.save(update_fields=["attempt", "status", "worker", "workers", "started_at"])
        if interrupted:
            record("registry.screening.shard_retry", obj=shard.run, organisation=shard.run.scope,
                   after={"shard": shard.label, "done": shard.done, "attempt": shard.attempt},
                   reason=f"{shard.label}分片的上一次执行中断，已筛查的{shard.done}人保留，其余重新筛查")
    run, attempt = shard.run, shard.attempt
    try:
        policy_file = get_policy(run.policy.code)
        people = people_in_org(run.scope)
        if shard.jurisdiction_id:
            people = people.filter(jurisdiction_id=shard.jurisdiction_id)
        pks = _pks(people.filter(pk__gt=shard.resume_after))
        with transaction.atomic():
            held = _hold(shard_id, attempt)
            delta = held.done + len(pks) - held.total
            if delta:
                ScreeningShard.objects.filter(pk=shard_id).update(total=F("total") + delta)
                ScreeningRun.objects.filter(pk=run.pk).update(total=F("total") + delta)
        parts = [pks[start:start + chunk] for start in range(0, len(pks), chunk)]
        for part, facts in _read_ahead(policy_file, people, parts, run.reference_date):
            if ScreeningRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
                return _finish(shard_id, attempt, ScreeningRun.Status.CANCELLED)
            hi = int(part[-1])
            # what is stored: the automatic outcome and its culprit masks, computed with the groups
            clause_ids = run.clause_ids or tree_clause_ids(policy_file.edition_on(run.reference_date).honour(None)
                                                           .eligibility)
            result = evaluate(policy_file, facts, on=run.reference_date, only_automatic=True, culprits=clause_ids)
            outcome, fail, review = summarise(result, clause_ids)
            counts = [int(c) for c in np.bincount(outcome, minlength=3)[:3]]
            with transaction.atomic():
                _hold(shard_id, attempt)
                store_results(run.pk, facts.person.ref, outcome, fail, review)
                ScreeningShard.objects.filter(pk=shard_id).update(
                    done=F("done") + len(part), resume_after=hi, eligible=F("eligible") + counts[0],
                    needs_review=F("needs_review") + counts[1], not_eligible=F("not_eligible") + counts[2])
                fields = {"done": F("done") + len(part), "eligible": F("eligible") + counts[0],
                          "needs_review": F("needs_review") + counts[1], "not_eligible": F("not_eligible") + counts[2]}
                if not run.clause_ids:  # the same ids from every shard: the policy's clauses in order
                    run.clause_ids = clause_ids
                    run.clause_labels = {cid: _clause_label(result.clauses[cid], result.policy) for cid in clause_ids}
                    fields.update(clause_ids=run.clause_ids, clause_labels=run.clause_labels)
                ScreeningRun.objects.filter(pk=run.pk).update(**fields)
            del facts, result  # before the next chunk is read
        return _finish(shard_id, attempt, ScreeningRun.Status.DONE)
    except Superseded:
        return ScreeningShard.objects.get(pk=shard_id)
    except DomainError as e:
        return _finish(shard_id, attempt, ScreeningRun.Status.FAILED, error=e.message)
    except Exception:
        _finish(shard_id, attempt, ScreeningRun.Status.FAILED, error="筛查时发生系统错误，请联系系统管理员")
        raise


def _read_chunk(policy_file, people, part, on: dt.date):
    """The facts of the people of `part` (sorted pks of `people`): by a pk range when no one else
    lies in it, else by the array of pks."""
    lo, hi = int(part[0]), int(part[-1])
    pk_range = (lo, hi) if Person.objects.filter(pk__gte=lo, pk__lte=hi).count() == len(part) else None
    return build_facts(people.filter(pk__gte=lo, pk__lte=hi), insurance_months=insurance_window(policy_file, on),
                       pk_range=pk_range, pks=None if pk_range else part, tables=tables_used(policy_file, on))


def _read_ahead(policy_file, people, parts, on: dt.date):
    """(part, facts) chunk by chunk. On PostgreSQL, outside a transaction, the next chunk's facts
    are read by a thread of their own while the caller evaluates and stores the current one: the
    database and this process then work at the same time instead of taking turns (two chunks'
    facts are in memory at once)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    if len(parts) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        for part in parts:
            yield part, _read_chunk(policy_file, people, part, on)
        return

    def read(part):
        try:
            return _read_chunk(policy_file, people, part, on)
        finally:
            connections.close_all()  # this thread's connections

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening-read") as pool:
        ahead = pool.submit(read, parts[0])
        try:
            for k, part in enumerate(parts):
                facts = ahead.result()
                ahead = pool.submit(read, parts[k + 1]) if k + 1 < len(parts) else None
                yield part, facts
                del facts
        finally:
            if ahead is not None:
                ahead.cancel()


def _finish(shard_id: int, attempt: int, status: str, *, error: str = "") -> ScreeningShard:
    """End a shard; the last shard to end closes the run (both under the run's row lock)."""
    with transaction.atomic():
        try:
            shard = _hold(shard_id, attempt)
        except Superseded:
            return ScreeningShard.objects.get(pk=shard_id)
        shard.status, shard.error, shard.finished_at = status, error, timezone.now()
        shard.save(update_fields=["status", "error", "finished_at"])
        _close(ScreeningRun.objects.select_for_update().get(pk=shard.run_id))
    return shard


def _close(run: ScreeningRun, *, force: bool = False):
    """Close the run once every shard has ended: failed if one failed, cancelled if one was
    cancelled, else done; its counts are the sums of its shards'."""
    if run.finished and not force:
        return
    if not force:
        shards = list(run.shards.values("status", "error", "total", "done", "eligible", "needs_review", "not_eligible"))
        if any(s["status"] in (ScreeningRun.Status.QUEUED, ScreeningRun.Status.RUNNING) for s in shards):
            return
        statuses = {s["status"] for s in shards}
        run.status = next((st for st in (ScreeningRun.Status.FAILED, ScreeningRun.Status.CANCELLED) if st in statuses),
                          ScreeningRun.Status.DONE)
        run.error = next((s["error"] for s in shards if s["error"]), "")
        for f in ("total", "done", "eligible", "needs_review", "not_eligible"):
            setattr(run, f, sum(s[f] for s in shards))
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at", "total", "done", "eligible", "needs_review",
                            "not_eligible"])
    record("registry.screening.finish", obj=run, organisation=run.scope,
           after=snapshot(run, ["status", "total", "done", "eligible", "needs_review", "not_eligible"]))


def _pks(people) -> np.ndarray:
    """Sorted primary keys of a Person queryset as int64, read in one message (no Python int per person)."""
    from .facts import fetch_int_columns

    sql, params = people.order_by().values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = f"SELECT c0 FROM ({sql}) AS s(c0)"  # fetch_int_columns reads column c0
    return np.sort(fetch_int_columns(sql, list(params), 1)[:, 0])


def _clause_label(clause, policy=None) -> str:
    """The clause's article and its words in Chinese (the seed's text, else the engine's reading)."""
    from gongjiang.policy.render import wording

    return f"{clause.article} {clause.note if not clause.text and clause.note else wording(clause, policy)}"


def store_results(run_id, person_refs, outcome, fail, review):
    """Bulk insert: binary COPY on PostgreSQL (one structured numpy buffer), executemany on SQLite."""
    n = len(person_refs)
    if not n:
        return
    if connection.vendor == "postgresql":
        dtype = np.dtype([("n", ">i2"), ("l0", ">i4"), ("run", ">i8"), ("l1", ">i4"), ("person", ">i8"),
                          ("l2", ">i4"), ("outcome", ">i2"), ("l3", ">i4"), ("fail", ">i8"), ("l4", ">i4"),
                          ("review", ">i8")])
        buf = np.empty(n, dtype=dtype)
        buf["n"], buf["l0"], buf["l1"], buf["l2"], buf["l3"], buf["l4"] = 5, 8, 8, 2, 8, 8
        buf["run"], buf["person"], buf["outcome"] = run_id, person_refs, outcome
        buf["fail"], buf["review"] = fail, review
        payload = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + buf.tobytes() + b"\xff\xff"
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            with cur.copy("COPY registry_screeningresult (run_id, person_id, outcome, fail_mask, review_mask) "
                          "FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(payload)
        return
    rows = zip([run_id] * n, person_refs.tolist(), outcome.tolist(), fail.tolist(), review.tolist())
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany("INSERT INTO registry_screeningresult (run_id, person_id, outcome, fail_mask, review_mask) "
                        "VALUES (%s, %s, %s, %s, %s)", rows)


def results_query(run, *, outcome=None, failing=None, reviewing=None):
    """Results of a run, filtered by outcome and by a failing / needs-review clause id."""
    qs = ScreeningResult.objects.filter(run=run).select_related("person", "person__jurisdiction")
    if outcome is not None and outcome != "":
        value = int_or_none(outcome, hi=len(ScreeningResult.Outcome.choices))
        if value is None:
            raise DomainError("筛查结论参数不正确", log=f"bad outcome filter {str(outcome)[:40]!r}")
        qs = qs.filter(outcome=value)
    for cid, field in ((failing, "fail_mask"), (reviewing, "review_mask")):
        if cid:
            if cid not in run.clause_ids:
                raise DomainError("未知的条款", log=f"unknown clause {cid}")
            bit = 1 << run.clause_ids.index(cid)
            qs = qs.alias(hit=F(field).bitand(bit)).filter(hit__gt=0)
    return qs.order_by("outcome", "person_id")


def clauses_of_mask(run, mask: int) -> list[str]:
    return [cid for bit, cid in enumerate(run.clause_ids) if mask >> bit & 1]


def invite_eligible(run, *, actor, person_pk: int | None = None) -> int:
    """Invite the eligible people of a finished run to apply (免申即享): all of them, or only
    `person_pk` (who must be eligible in this run). Idempotent; audited."""
    _scope_for(actor)
    if run.status != ScreeningRun.Status.DONE:
        raise DomainError("筛查完成后才能发送申报邀请", log="run not done")
    if not actor.organisation.contains(run.scope):
        raise NotAllowed()
    with transaction.atomic():
        already = set(Invitation.objects.filter(run=run).values_list("person_id", flat=True))
        eligible = ScreeningResult.objects.filter(run=run, outcome=ScreeningResult.Outcome.ELIGIBLE)
        if person_pk is not None:
            eligible = eligible.filter(person_id=person_pk)
            if not eligible.exists():
                raise DomainError("该人员在本次筛查中不符合条件，不能邀请", log="invitee not eligible")
        new = [Invitation(run=run, person_id=pk, created_by=actor)
               for pk in eligible.values_list("person_id", flat=True) if pk not in already]
        Invitation.objects.bulk_create(new, batch_size=2000)
        record("registry.screening.invite", actor=actor, obj=run,
               after={"invited": len(new), **({"person_id": person_pk} if person_pk is not None else {})},
               reason=f"邀请{len(new)}名符合条件人员申报")
    return len(new)
