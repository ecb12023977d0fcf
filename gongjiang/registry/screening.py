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
from django.db import connection, transaction
from django.utils import timezone

from gongjiang.accounts.permissions import check
from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import DomainError, NotAllowed
from gongjiang.core.params import int_or_none
from gongjiang.policy.engine import evaluate, tables_used
from gongjiang.policy.schema import walk

from .facts import build_facts
from .models import Invitation, Person, ScreeningResult, ScreeningRun
from .services import people_in_org

CHUNK = 250_000
MAX_CLAUSES = 63
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
    return [c.id for c in walk(result.root) if c.id != result.root.id][:MAX_CLAUSES]


def evaluate_people(policy_file, people, on: dt.date, *, labels="ids", pk_range=None):
    facts = build_facts(people, insurance_months=insurance_window(policy_file, on), labels=labels,
                        pk_range=pk_range, tables=tables_used(policy_file, on))
    return facts, evaluate(policy_file, facts, on=on)


def summarise(result, clause_ids):
    """(outcome int16[N], fail_mask int64[N], review_mask int64[N]) from a BatchResult: the outcome
    is the automatic status (manual clauses taken as attested); the masks mark the clauses that
    make a person fail / need review (the engine's `culprit_masks`)."""
    fail, review = result.culprit_masks(clause_ids)
    return OUTCOME_OF_STATUS[result.automatic], fail, review


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


def run_screening(run_id: int, *, chunk: int = CHUNK) -> ScreeningRun:
    """The task body: evaluate the scope chunk by chunk, storing compact results; between chunks
    update progress and stop if cancellation was requested."""
    from gongjiang.core.memory import keep_freed_memory
    from gongjiang.policy.services import get_policy

    keep_freed_memory()  # the worker keeps its pages between chunks and runs (see core/memory.py)
    run = ScreeningRun.objects.select_related("policy", "scope").get(pk=run_id)
    if run.status != ScreeningRun.Status.QUEUED:
        return run
    try:
        policy_file = get_policy(run.policy.code)
        pks = np.array(people_in_org(run.scope).order_by("pk").values_list("pk", flat=True), dtype=np.int64)
        run.total, run.status = len(pks), ScreeningRun.Status.RUNNING
        run.save(update_fields=["total", "status"])
        counts = np.zeros(3, dtype=np.int64)
        for start in range(0, len(pks), chunk):
            if ScreeningRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
                run.status = ScreeningRun.Status.CANCELLED
                break
            part = pks[start:start + chunk]
            lo, hi = int(part[0]), int(part[-1])
            pk_range = (lo, hi) if Person.objects.filter(pk__gte=lo, pk__lte=hi).count() == len(part) else None
            people = people_in_org(run.scope).filter(pk__gte=lo, pk__lte=hi)
            facts, result = evaluate_people(policy_file, people, run.reference_date, pk_range=pk_range)
            if not run.clause_ids:
                run.clause_ids = clause_ids_of(result)
                run.clause_labels = {cid: _clause_label(result.clauses[cid], result.policy) for cid in run.clause_ids}
            outcome, fail, review = summarise(result, run.clause_ids)
            store_results(run.pk, facts.person.ref, outcome, fail, review)
            counts += np.bincount(outcome, minlength=3)[:3]
            run.done = start + len(part)
            run.eligible, run.needs_review, run.not_eligible = (int(c) for c in counts)
            run.save(update_fields=["done", "eligible", "needs_review", "not_eligible", "clause_ids", "clause_labels"])
        else:
            run.status = ScreeningRun.Status.DONE
    except DomainError as e:
        run.status, run.error = ScreeningRun.Status.FAILED, e.message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    record("registry.screening.finish", obj=run, organisation=run.scope,
           after=snapshot(run, ["status", "total", "done", "eligible", "needs_review", "not_eligible"]))
    return run


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
            from django.db.models import F

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
