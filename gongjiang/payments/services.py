"""Payments: every state change is one function here, in a transaction, with its audit entry.

Amounts, articles, schedules, payment validity, pay-to, suspensions and renewal gates come from
the policy's `benefits` (gongjiang.policy.schema.Benefit); nothing here knows a city.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from gongjiang.audit.services import record, snapshot
from gongjiang.core.errors import Conflict, DomainError
from gongjiang.policy.facts import ORG_RECORD_KINDS
from gongjiang.policy.models import Policy
from gongjiang.policy.schema import value_at
from gongjiang.policy.services import get_policy
from gongjiang.registry.models import EmployerRecord, Employment

from . import crypto, honours_link
from .models import (SETTLING, BankImport, Budget, Entitlement, LineStatus, PayeeAccount, PaymentLine, PaymentRun,
                     PayTo, SubsidyClaim)
from .schedule import STEP_MONTHS, count_due, due_date, period_bounds, yuan, yuan_grouped

Status = PaymentRun.Status
NO_ACCOUNT = "未登记收款账户，暂缓发放，登记后随下一批次补发"


# --- policy benefits -----------------------------------------------------------------------------
def cash_benefits(policy_file, honour_code):
    return [b for b in policy_file.honour(honour_code).benefits if b.kind == "cash"]


def benefit_of(entitlement):
    policy_file = get_policy(entitlement.policy.code)
    for b in policy_file.honour(entitlement.honour_code).benefits:
        if b.id == entitlement.benefit_id:
            return b
    raise DomainError("政策中已没有该项待遇", log=f"benefit {entitlement.benefit_id} gone from {entitlement.policy.code}")


def instalments_of(benefit) -> int:
    if benefit.payments:
        return benefit.payments
    if benefit.schedule == "one_time":
        return 1
    years = benefit.duration_years or 1
    return years * 12 if benefit.schedule == "monthly" else years


def create_entitlements(*, person, policy: Policy, honour_code: str, source_key: str, start: dt.date,
                        actor, amount_on: dt.date | None = None, reason: str = "") -> list[Entitlement]:
    """One entitlement per cash benefit of the honour, as the policy says: the amount in force on
    `amount_on` (default `start`), the number of payments, the payment validity date, the renewal
    gate and pay-to. Idempotent per (source_key, benefit)."""
    policy_file = get_policy(policy.code).edition_on(amount_on or start)
    out = []
    with transaction.atomic():
        for b in cash_benefits(policy_file, honour_code):
            existing = Entitlement.objects.filter(source_key=source_key, benefit_id=b.id).first()
            if existing:
                out.append(existing)
                continue
            amount = value_at(b.amount_fen, amount_on or start)
            if not amount:
                raise DomainError(f"{b.article}规定的“{b.name}”在{(amount_on or start):%Y年%m月%d日}没有适用的金额",
                                  log=f"no amount for {policy.code}/{honour_code}/{b.id} on {amount_on or start}")
            ent = Entitlement.objects.create(
                person=person, policy=policy, honour_code=honour_code, benefit_id=b.id, source_key=source_key,
                name=b.name, article=b.article, schedule=b.schedule, amount_fen=amount,
                instalments=instalments_of(b), first_due=start,
                valid_to=b.payments_valid_to or policy_file.validity.payments_valid_to,
                gated_from=b.renewal_required_from, pay_to=b.pay_to, funding=b.funding)
            record("payments.entitlement.create", actor=actor, obj=ent, after=snapshot(ent),
                   reason=reason or f"依据{b.article}")
            out.append(ent)
    return out


def stop_entitlements(entitlements, *, stop_from: dt.date, actor, reason: str) -> int:
    """No instalment due on or after `stop_from` is paid (exit, revocation); queued lines of a run
    not yet approved are voided, so they cannot reach the bank."""
    n = 0
    with transaction.atomic():
        for ent in Entitlement.objects.select_for_update().filter(pk__in=[e.pk for e in entitlements]):
            before = snapshot(ent)
            if ent.stop_from is None or stop_from < ent.stop_from:
                ent.status, ent.stop_from, ent.stop_reason = Entitlement.Status.STOPPED, stop_from, reason[:300]
                ent.save(update_fields=["status", "stop_from", "stop_reason"])
                record("payments.entitlement.stop", actor=actor, obj=ent, before=before, after=snapshot(ent),
                       reason=reason)
                n += 1
            PaymentLine.objects.filter(entitlement=ent, status__in=[LineStatus.QUEUED, LineStatus.HELD],
                                       due_date__gte=stop_from,
                                       run__status__in=[Status.DRAFT, Status.PREPARED]).update(
                status=LineStatus.VOID, reason=f"已停发：{reason}"[:300])
    return n


def open_renewal_gate(entitlements, *, actor, reason: str) -> None:
    """A passed renewal (复核认定) releases the payments the policy holds back for it."""
    with transaction.atomic():
        for ent in Entitlement.objects.select_for_update().filter(pk__in=[e.pk for e in entitlements],
                                                                    gated_from__isnull=False, gate_open=False):
            before = snapshot(ent)
            ent.gate_open = True
            ent.save(update_fields=["gate_open"])
            record("payments.entitlement.renewed", actor=actor, obj=ent, before=before, after=snapshot(ent),
                   reason=reason)


# --- payee accounts ------------------------------------------------------------------------------
ACCOUNT_RE = re.compile(r"^\d{12,30}$")


def mask_account(number: str) -> str:
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def set_payee_account(person, *, kind: str, bank: str, number: str, actor, reason: str = "") -> PayeeAccount:
    number = (number or "").replace(" ", "")
    if kind not in (PayTo.SOCIAL_SECURITY_CARD, PayTo.BANK_ACCOUNT):
        raise DomainError("账户类型不正确", log=f"bad account kind {kind}")
    if not ACCOUNT_RE.match(number):
        raise DomainError("账号应为12至30位数字", log="bad account number format")
    if not bank.strip():
        raise DomainError("请填写开户银行", log="bank missing")
    with transaction.atomic():
        account = PayeeAccount.objects.select_for_update().filter(person=person).first()
        before = snapshot(account) if account else None
        account = account or PayeeAccount(person=person)
        account.kind, account.bank, account.updated_by = kind, bank.strip()[:100], actor
        account.sealed = crypto.seal(person.id_number, number)
        account.number_masked = mask_account(number)
        account.save()
        record("payments.account.set", actor=actor, obj=account, before=before, after=snapshot(account),
               reason=reason or "登记收款账户")
    return account


# --- 仲恺 第六条（一）2: training-and-assessment subsidy -------------------------------------------
def subsidy_items(policy: Policy):
    """(honour code, title, level, benefit) of every subsidy of a policy with a cash benefit."""
    policy_file = get_policy(policy.code)
    out = []
    for h in policy_file.honours:
        cash = cash_benefits(policy_file, h.code)
        if h.kind == "subsidy" and cash:
            out.append((h.code, h.title, _required_level(h), cash[0]))
    return out


def subsidy_policies():
    """Policies with a subsidy honour (read from the stored document, without parsing every policy)."""
    return [p for p in Policy.objects.order_by("code").only("pk", "code", "document")
            if any(isinstance(h, dict) and h.get("kind") == "subsidy" for h in (p.document or {}).get("honours", []))]


def _required_level(honour):
    from gongjiang.policy.schema import walk

    for clause in walk(honour.eligibility):
        if clause.kind == "qualification" and clause.exact_level is not None:
            return clause.exact_level
    return None


def submit_subsidy(*, person, policy: Policy, honour_code: str, certificate, training: str, actor,
                   route: str) -> SubsidyClaim:
    """A claim for one level: the certificate must be the person's, of the level the policy names,
    and the person may hold one claim per level (a rejected one may be made again)."""
    items = {code: (title, level, b) for code, title, level, b in subsidy_items(policy)}
    if honour_code not in items:
        raise DomainError("该政策没有此项补贴", log=f"no subsidy {honour_code} in {policy.code}")
    title, level, benefit = items[honour_code]
    if certificate.person_id != person.pk:
        raise DomainError("所选证书不属于该人员", log="certificate of another person")
    if level is not None and certificate.level != level:
        raise DomainError(f"{benefit.article}：“{title}”须凭{_level_name(level)}证书申请，"
                          f"所选证书为{certificate.get_level_display()}", log="certificate level mismatch")
    if not (training or "").strip():
        raise DomainError(f"请填写参加的区、市组织的培训考核（{benefit.article}）", log="training missing")
    amount = value_at(benefit.amount_fen, certificate.issued_on)
    if not amount:
        raise DomainError(f"证书发证日期{certificate.issued_on:%Y年%m月%d日}不在{benefit.article}补贴的适用期间内",
                          log="certificate date outside the subsidy's dated amount")
    claim = SubsidyClaim(person=person, policy=policy, honour_code=honour_code, title=title, certificate=certificate,
                         training=training.strip()[:200], route=route, amount_fen=amount, article=benefit.article,
                         created_by=actor)
    try:
        with transaction.atomic():
            claim.save()
            record("payments.subsidy.submit", actor=actor, obj=claim, after=snapshot(claim),
                   reason=f"依据{benefit.article}")
    except IntegrityError:
        raise Conflict(f"{benefit.article}：每人每个等级只能享受一次“{title}”，已有申请或已发放",
                       log="duplicate subsidy claim") from None
    return claim


def _level_name(level) -> str:
    from gongjiang.core.vocab import SkillLevel

    return SkillLevel(level).label


def subsidy_check(claim) -> list[tuple[str, str, str]]:
    """The policy engine on the claim's person and honour: (article, text, 符合/不符合/需人工认定)."""
    from gongjiang.policy.engine import FAIL, PASS
    from gongjiang.policy.schema import walk
    from gongjiang.policy.services import evaluate_people
    from gongjiang.registry.facts import facts_for_person

    policy_file = get_policy(claim.policy.code)
    result = evaluate_people(policy_file, facts_for_person(claim.person), on=claim.certificate.issued_on,
                             honour=claim.honour_code)
    rows = []
    for clause in walk(result.root):
        if clause is result.root:
            continue
        status = int(result.status[clause.id][0])
        word = "符合" if status == PASS else "不符合" if status == FAIL else "需人工认定"
        rows.append((clause.article, clause.text or clause.kind, word))
    return rows


def decide_subsidy(claim, *, approve: bool, actor, reason: str = "") -> SubsidyClaim:
    """Approve (the officer attests the training; the engine must find no failing condition) and
    create the one-time entitlement the next payment run pays, or reject with a reason."""
    with transaction.atomic():
        claim = SubsidyClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != SubsidyClaim.Status.SUBMITTED:
            raise Conflict("该申请已审核", log="claim already decided")
        if not approve and not reason.strip():
            raise DomainError("不予核准须填写理由", log="rejection without reason")
        if approve:
            failing = [r for r in subsidy_check(claim) if r[2] == "不符合"]
            if failing:
                raise DomainError("不符合" + "；".join(f"{a}：{t}" for a, t, _ in failing), log="subsidy conditions fail")
        before = snapshot(claim)
        claim.status = SubsidyClaim.Status.APPROVED if approve else SubsidyClaim.Status.REJECTED
        claim.decided_by, claim.decided_at, claim.decision_reason = actor, timezone.now(), reason.strip()[:300]
        claim.save()
        record("payments.subsidy.decide", actor=actor, obj=claim, before=before, after=snapshot(claim),
               reason=reason or ("核准" if approve else "不予核准"))
        if approve:
            create_entitlements(person=claim.person, policy=claim.policy, honour_code=claim.honour_code,
                                source_key=f"subsidy:{claim.pk}", start=claim.decided_at.date(),
                                amount_on=claim.certificate.issued_on, actor=actor,
                                reason=f"{claim.article} 培训和鉴定费用补贴核准")
    return claim


# --- payment runs --------------------------------------------------------------------------------
@dataclass
class Due:
    entitlement_id: int
    person_id: int
    instalment: int
    due: dt.date
    amount_fen: int
    status: str
    reason: str


def _benefit_rules(keys):
    """(policy_id, honour_code, benefit_id) -> Benefit for the distinct keys of a run."""
    codes = dict(Policy.objects.filter(pk__in={k[0] for k in keys}).values_list("pk", "code"))
    out = {}
    for pid, honour, bid in keys:
        for b in get_policy(codes[pid]).honour(honour).benefits:
            if b.id == bid:
                out[(pid, honour, bid)] = b
    return out


def _open_employer_records(on: dt.date) -> dict[int, list[tuple[str, int]]]:
    """person id -> [(record kind, record id)] open on `on` at an employer the person works for
    then. Read from the records' side (few), so it costs nothing when no employer is listed."""
    records = defaultdict(list)
    for org, kind, rid in (EmployerRecord.objects.filter(start__lte=on).exclude(verification="rejected")
                           .filter(Q(end__isnull=True) | Q(end__gte=on)).order_by("pk")
                           .values_list("organisation_id", "kind", "pk")):
        records[org].append((kind, rid))
    if not records:
        return {}
    jobs = (Employment.objects.filter(employer_id__in=list(records), start__lte=on)
            .filter(Q(end__isnull=True) | Q(end__gte=on)))
    out = defaultdict(list)
    for pid, org in jobs.order_by("pk").values_list("person_id", "employer_id"):
        out[pid].extend(records[org])
    return out


def suspension_effects(policy_ids, on: dt.date) -> dict[int, tuple[str, str]]:
    """entitlement id -> (held or refused, reason) for the entitlements whose benefit's
    `suspensions` (惠阳 第十一条) name a record open on `on` at the person's employer."""
    open_records = _open_employer_records(on)
    if not open_records:
        return {}
    ents = list(Entitlement.objects.filter(policy_id__in=policy_ids, person_id__in=list(open_records))
                .values_list("pk", "person_id", "policy_id", "honour_code", "benefit_id"))
    rules = _benefit_rules({e[2:] for e in ents})
    out = {}
    for pk, person, *key in ents:
        for s in rules[tuple(key)].suspensions:
            hits = [kind for kind, _ in open_records[person] if kind in s.employer_records]
            if hits:
                words = "、".join(ORG_RECORD_KINDS[k] for k in dict.fromkeys(hits))
                if s.effect == "withhold":
                    out[pk] = (LineStatus.REFUSED, f"不予发放：所在单位{words}（{s.article}）")
                else:
                    out[pk] = (LineStatus.HELD, f"暂缓发放：所在单位{words}（{s.article}）")
                break
    return out


def scope_policies(organisation) -> list[int]:
    """The policies a paying organisation runs: those of its subtree."""
    return sorted(Policy.objects.filter(jurisdiction__path__startswith=organisation.path).values_list("pk", flat=True))


def lock_policies(policy_ids) -> None:
    """Serialise runs over the same programmes (PostgreSQL advisory locks until commit, taken in
    order); SQLite's write transactions already queue. The paid-once unique index stays the guarantee."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for pk in sorted(policy_ids):
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, pk])


LOCK_NAMESPACE = 1101  # advisory lock key space of payment runs (the second key is the policy id)


def due_items(policy_ids, period_start: dt.date, period_end: dt.date) -> list[Due]:
    """What is due by `period_end` and not yet settled, for entitlements of the policies: the period's instalments and any arrears (held or failed before),
    each either to pay, held (暂缓发放) or refused (不予发放) as the benefit's suspensions say.
    Nothing due after the payment validity date is paid, and after that date nothing at all."""
    ents = Entitlement.objects.filter(policy_id__in=policy_ids, first_due__lte=period_end)
    rows = list(ents.values_list("pk", "person_id", "policy_id", "honour_code", "benefit_id", "schedule",
                                 "amount_fen", "instalments", "first_due", "valid_to", "stop_from", "gated_from",
                                 "gate_open", "person__payee_account__id"))
    wanted = {}
    for pk, person, pol, honour, bid, sched, amount, n, first, valid_to, stop_from, gated, gate_open, _ in rows:
        if valid_to and valid_to < period_start:
            continue
        limit = period_end
        if valid_to and valid_to < limit:
            limit = valid_to
        if stop_from and stop_from <= limit:
            limit = stop_from - dt.timedelta(days=1)
        k = count_due(first, sched, n, limit)
        if gated and not gate_open:
            k = min(k, gated - 1)
        if k > 0:
            wanted[pk] = k
    if not wanted:
        return []
    # Settled instalments per entitlement as (count, highest): when they are 1..count, as almost
    # always, what is missing is count+1..due without reading every settled line.
    settled_lines = PaymentLine.objects.filter(status__in=SETTLING, entitlement__policy_id__in=policy_ids)
    summary = {eid: (n, top) for eid, n, top in settled_lines.values_list("entitlement_id").annotate(
        n=Count("id"), top=Max("instalment")).values_list("entitlement_id", "n", "top")}
    gaps = [pk for pk in wanted if pk in summary and summary[pk][0] != summary[pk][1]]
    settled = defaultdict(set)
    for eid, inst in settled_lines.filter(entitlement_id__in=gaps).values_list("entitlement_id", "instalment"):
        settled[eid].add(inst)
    partial = [pk for pk, k in wanted.items() if summary.get(pk, (0, 0))[0] < k]
    by_pk = {r[0]: r for r in rows}
    suspended = suspension_effects(policy_ids, period_end)
    out = []
    for pk in partial:
        _, person, _, _, _, sched, amount, _, first, *_, account = by_pk[pk]
        status, reason = suspended.get(pk) or ((LineStatus.QUEUED, "") if account else (LineStatus.HELD, NO_ACCOUNT))
        if pk in settled:
            missing = [i for i in range(1, wanted[pk] + 1) if i not in settled[pk]]
        else:
            missing = range(summary.get(pk, (0, 0))[0] + 1, wanted[pk] + 1)
        for inst in missing:
            out.append(Due(pk, person, inst, due_date(first, sched, inst), amount, status, reason))
    return out


# The same computation as due_items, set-based in PostgreSQL: the lines go from the entitlements
# straight into the table (INSERT … SELECT), with no Python object per line. Instalments due by the
# limit (the period's end, the payment validity date or the day before a stop) follow
# schedule.count_due; settled instalments are read as (count, highest) as in due_items; a line is
# held when the person has no payee account, and suspensions come from suspension_effects.
# tests/test_fast_path.py checks both give the same lines.
DUE_SQL = """
WITH e AS MATERIALIZED (
    -- the payee account joined here, once per entitlement: joined to the lines, it cost a hash
    -- join and a sort of the numbered lines back into order
    SELECT n.id, n.person_id, n.amount_fen, n.first_due, n.instalments, n.gated_from, n.gate_open,
           CASE n.schedule {steps} END AS step,
           LEAST(%(end)s::date, n.valid_to, n.stop_from - 1) AS lim,
           a.id IS NOT NULL AS has_account
    FROM payments_entitlement n
    LEFT JOIN payments_payeeaccount a ON a.person_id = n.person_id
    WHERE n.policy_id = ANY(%(policies)s) AND n.first_due <= %(end)s
          AND (n.valid_to IS NULL OR n.valid_to >= %(start)s)
), k AS (
    SELECT e.id, e.person_id, e.has_account, e.amount_fen, e.first_due, e.step, LEAST(
        CASE WHEN e.lim < e.first_due THEN 0
             WHEN e.step = 0 THEN 1
             ELSE m.months / e.step + CASE WHEN (e.first_due + make_interval(months => m.months / e.step * e.step))::date
                                              <= e.lim THEN 1 ELSE 0 END
        END,
        e.instalments,
        CASE WHEN e.gated_from <> 0 AND NOT e.gate_open THEN e.gated_from - 1 END) AS due_n
    FROM e, LATERAL (SELECT ((date_part('year', e.lim) - date_part('year', e.first_due)) * 12
                             + date_part('month', e.lim) - date_part('month', e.first_due))::int AS months) m
), s AS (
    -- the settled lines grouped on their own, then joined to k: joined to e first, every settled
    -- line went into a hash table before grouping (0.32 s instead of 0.15 s for 550,000 lines)
    SELECT l.entitlement_id, count(*) AS n, max(l.instalment) AS top
    FROM payments_paymentline l
    WHERE l.status = ANY(%(settling)s)
    GROUP BY l.entitlement_id
), c AS (
    SELECT k.id, k.person_id, k.has_account, k.amount_fen, k.first_due, k.step, g.i,
           coalesce(s.n, 0) <> coalesce(s.top, 0) AS gap
    FROM k LEFT JOIN s ON s.entitlement_id = k.id
    CROSS JOIN LATERAL generate_series(
        CASE WHEN coalesce(s.n, 0) = coalesce(s.top, 0) THEN coalesce(s.n, 0)::int + 1 ELSE 1 END, k.due_n) AS g(i)
    WHERE k.due_n > coalesce(s.n, 0)
), ins AS (
    INSERT INTO payments_paymentline (run_id, entitlement_id, person_id, instalment, due_date, amount_fen, status,
                                      reason, reference)
    SELECT %(run)s, c.id, c.person_id, c.i, (c.first_due + make_interval(months => c.step * (c.i - 1)))::date,
           c.amount_fen,
           coalesce(sp.status, CASE WHEN NOT c.has_account THEN %(held)s ELSE %(queued)s END),
           coalesce(sp.reason, CASE WHEN NOT c.has_account THEN %(no_account)s ELSE '' END),
           %(prefix)s || CASE WHEN c.seq < 100000000 THEN lpad(c.seq::text, 8, '0') ELSE c.seq::text END
    FROM (SELECT c.*, row_number() OVER (ORDER BY c.id, c.i) AS seq
          FROM c
          WHERE NOT c.gap OR NOT EXISTS (
              SELECT 1 FROM payments_paymentline p
              WHERE p.entitlement_id = c.id AND p.instalment = c.i AND p.status = ANY(%(settling)s))) c
    LEFT JOIN unnest(%(sp_ids)s::bigint[], %(sp_status)s::text[], %(sp_reason)s::text[]) AS sp(id, status, reason)
           ON sp.id = c.id
    ORDER BY c.id, c.i  -- the numbering's order: no sort after the window
    RETURNING status, amount_fen
)
SELECT count(*) FILTER (WHERE status = %(queued)s), coalesce(sum(amount_fen) FILTER (WHERE status = %(queued)s), 0),
       count(*) FILTER (WHERE status = %(held)s)
FROM ins
""".format(steps=" ".join(f"WHEN '{kind}' THEN {months}" for kind, months in STEP_MONTHS.items()))


def _store_due_postgresql(run, policy_ids, start: dt.date, end: dt.date) -> tuple[int, int, int]:
    """Compute and store the run's lines in one statement; (lines to pay, their total, held)."""
    suspended = suspension_effects(policy_ids, end)
    params = {"run": run.pk, "policies": list(policy_ids), "start": start, "end": end,
              "settling": [str(x) for x in SETTLING], "queued": str(LineStatus.QUEUED), "held": str(LineStatus.HELD),
              "no_account": NO_ACCOUNT, "prefix": reference_of(run.pk, 0)[:-8],
              "sp_ids": list(suspended), "sp_status": [str(v[0]) for v in suspended.values()],
              "sp_reason": [v[1] for v in suspended.values()]}
    try:
        with transaction.atomic(), connection.cursor() as cur:
            # the planner's row estimates for generate_series are far off: JIT would cost seconds;
            # the run's sorts and hashes (a few MB per 100,000 lines) stay in memory
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL work_mem = '64MB'")
            cur.execute(DUE_SQL, params)
            return cur.fetchone()
    except IntegrityError:
        raise Conflict("部分待遇已在其他批次中处理，请重新计算", log="instalment settled by another run") from None


def reference_of(run_pk: int, seq: int) -> str:
    return f"GJ{run_pk:07d}{seq:08d}"


def sync_honours(*, organisation, actor) -> dict:
    """honours_link.sync over the organisation's programmes, under the run lock."""
    with transaction.atomic():
        policy_ids = scope_policies(organisation)
        lock_policies(policy_ids)
        return honours_link.sync(policy_ids, actor=actor)


def _store_lines(run, items: list[Due], *, seq_start: int = 1, requeued_from=None) -> None:
    """Insert the lines. Callers hold the programmes' run lock, so no other run settles these
    instalments meanwhile; should one have, the unique index refuses the batch."""
    if not items:
        return
    try:
        with transaction.atomic():
            PaymentLine.objects.bulk_create(
                [PaymentLine(run=run, entitlement_id=d.entitlement_id, person_id=d.person_id, instalment=d.instalment,
                             due_date=d.due, amount_fen=d.amount_fen, status=d.status, reason=d.reason,
                             reference=reference_of(run.pk, i),
                             requeued_from=requeued_from[i - seq_start] if requeued_from else None)
                 for i, d in enumerate(items, seq_start)],
                batch_size=2000)
    except IntegrityError:
        raise Conflict("部分待遇已在其他批次中处理，请重新计算", log="instalment settled by another run") from None


def _refresh_totals(run) -> None:
    agg = run.lines.aggregate(
        n=Count("id", filter=Q(status__in=[LineStatus.QUEUED, LineStatus.PAID, LineStatus.FAILED])),
        total=Sum("amount_fen", filter=Q(status__in=[LineStatus.QUEUED, LineStatus.PAID, LineStatus.FAILED])),
        held=Count("id", filter=Q(status=LineStatus.HELD)))
    run.line_count, run.total_fen, run.held_count = agg["n"], agg["total"] or 0, agg["held"]
    run.save(update_fields=["line_count", "total_fen", "held_count"])


def compute_run(*, organisation, period_kind: str, year: int, month: int | None = None, actor) -> PaymentRun:
    """A draft batch for the period: everything due and unsettled by the period's end. Running
    the same period again only picks up what is still unsettled (held, failed, new)."""
    if period_kind not in PaymentRun.PeriodKind.values:
        raise DomainError("期间类型不正确", log=f"bad period kind {period_kind}")
    if period_kind == "month" and not (month and 1 <= month <= 12):
        raise DomainError("请选择月份", log="month missing")
    if not 2000 <= year <= 2100:
        raise DomainError("年份不正确", log=f"bad year {year}")
    start, end = period_bounds(period_kind, year, month)
    with transaction.atomic():
        run = PaymentRun.objects.create(organisation=organisation, period_kind=period_kind, period_start=start,
                                        period_end=end, created_by=actor)
        policy_ids = scope_policies(organisation)
        lock_policies(policy_ids)
        honours_link.sync(policy_ids, actor=actor)
        if connection.vendor == "postgresql":
            run.line_count, run.total_fen, run.held_count = _store_due_postgresql(run, policy_ids, start, end)
            run.save(update_fields=["line_count", "total_fen", "held_count"])
        else:
            _store_lines(run, due_items(policy_ids, start, end))
            _refresh_totals(run)
        record("payments.run.compute", actor=actor, obj=run, after=snapshot(run),
               reason=f"计算{run.period_label}应发待遇")
    return run


def _locked(run, *statuses) -> PaymentRun:
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if statuses and run.status not in statuses:
        raise Conflict(f"批次当前状态为“{run.get_status_display()}”，不能执行此操作", log=f"run {run.pk} is {run.status}")
    return run


def _transition(run, *, action: str, actor, reason: str, **fields) -> PaymentRun:
    before = snapshot(run)
    for k, v in fields.items():
        setattr(run, k, v)
    run.save()
    record(action, actor=actor, obj=run, before=before, after=snapshot(run), reason=reason)
    return run


def budget_check(run) -> list[dict]:
    """Per programme of the run: the year's budget, what other batches of the year carry, this
    batch, and whether the total would exceed the budget."""
    year = run.period_start.year
    # one pass over the year's lines: this batch (to pay, paid or failed) and the others (to pay or paid)
    sums = list(PaymentLine.objects.filter(run__period_start__year=year,
                                           status__in=[LineStatus.QUEUED, LineStatus.PAID, LineStatus.FAILED])
                .values_list("entitlement__policy_id")
                .annotate(mine=Sum("amount_fen", filter=Q(run=run)),
                          others=Sum("amount_fen", filter=~Q(run=run) & ~Q(status=LineStatus.FAILED)))
                .values_list("entitlement__policy_id", "mine", "others"))
    mine = {pid: m for pid, m, _ in sums if m is not None}
    others = {pid: o for pid, _, o in sums if pid in mine and o is not None}
    budgets = dict(Budget.objects.filter(year=year, policy_id__in=list(mine)).values_list("policy_id", "amount_fen"))
    titles = dict(Policy.objects.filter(pk__in=list(mine)).values_list("pk", "title"))
    out = []
    for pid, amount in sorted(mine.items()):
        budget, other = budgets.get(pid), others.get(pid, 0)
        out.append({"policy": titles[pid], "year": year, "budget": budget, "others": other, "this": amount,
                    "total": other + amount, "over": budget is not None and other + amount > budget,
                    "missing": budget is None})
    return out


def prepare_run(run, *, actor, budget_note: str = "") -> PaymentRun:
    """The first finance officer submits the batch for approval. A batch that would exceed a
    programme's budget (or has none entered) needs a written explanation."""
    with transaction.atomic():
        run = _locked(run, Status.DRAFT)
        if not run.line_count:
            raise DomainError("本批次没有应发明细，无需提交", log="empty run")
        warnings = [b for b in budget_check(run) if b["over"] or b["missing"]]
        if warnings and not budget_note.strip():
            raise DomainError("本批次将超出预算或预算未录入：" + "；".join(
                f"{b['policy']}{b['year']}年" + ("未录入预算" if b["missing"] else
                                               f"预算{yuan_grouped(b['budget'])}元，合计将达{yuan_grouped(b['total'])}元")
                for b in warnings) + "。请填写超预算说明后再提交", log="budget exceeded without note")
        return _transition(run, action="payments.run.prepare", actor=actor, reason=budget_note or "提交复核",
                           status=Status.PREPARED, prepared_by=actor, prepared_at=timezone.now(),
                           budget_note=budget_note.strip()[:300])


def approve_run(run, *, actor) -> PaymentRun:
    """A second finance officer approves; the one who prepared it may not (also a CHECK constraint)."""
    with transaction.atomic():
        run = _locked(run, Status.PREPARED)
        if run.prepared_by_id == actor.pk:
            raise DomainError("复核人不能与提交人为同一人，请由另一名财务人员复核", log="four-eyes violated")
        return _transition(run, action="payments.run.approve", actor=actor, reason="复核通过",
                           status=Status.APPROVED, approved_by=actor, approved_at=timezone.now())


def cancel_run(run, *, actor, reason: str) -> PaymentRun:
    if not reason.strip():
        raise DomainError("作废批次须填写理由", log="cancel without reason")
    with transaction.atomic():
        run = _locked(run, Status.DRAFT, Status.PREPARED)
        run.lines.filter(status__in=[LineStatus.QUEUED, LineStatus.HELD, LineStatus.REFUSED]).update(
            status=LineStatus.VOID, reason=f"批次作废：{reason}"[:300])
        run = _transition(run, action="payments.run.cancel", actor=actor, reason=reason, status=Status.CANCELLED)
        _refresh_totals(run)
        return run


def refuse_held(line, *, actor, reason: str) -> PaymentLine:
    """不予发放 for a held payment, where the benefit's suspension allows it (may_refuse)."""
    if not reason.strip():
        raise DomainError("不予发放须填写理由", log="refuse without reason")
    with transaction.atomic():
        line = PaymentLine.objects.select_for_update().select_related("entitlement__policy").get(pk=line.pk)
        if line.status != LineStatus.HELD or line.reason == NO_ACCOUNT:
            raise Conflict("只有因单位情形暂缓发放的明细可以决定不予发放", log="not a suspended line")
        rules = [s for s in benefit_of(line.entitlement).suspensions if s.may_refuse]
        if not rules:
            raise DomainError("政策未规定可以不予发放", log="suspension has no may_refuse")
        before = snapshot(line)
        line.status, line.reason = LineStatus.REFUSED, f"不予发放（{rules[0].article}）：{reason.strip()}"[:300]
        try:
            with transaction.atomic():
                line.save(update_fields=["status", "reason"])
        except IntegrityError:
            raise Conflict("该期待遇已在其他批次中处理", log="instalment already settled") from None
        record("payments.line.refuse", actor=actor, obj=line, before=before, after=snapshot(line), reason=reason)
    return line


# --- bank file -----------------------------------------------------------------------------------
BANK_HEADERS = ["序号", "姓名", "身份证号码", "账户类型", "开户银行", "账号", "金额（元）", "业务参考号", "摘要"]


def bank_rows(run):
    """The queued lines with the payee's full ID number and account (only for the bank file)."""
    lines = list(run.lines.filter(status=LineStatus.QUEUED).order_by("id").values_list(
        "person__name", "person__payee_account__kind", "person__payee_account__bank",
        "person__payee_account__sealed", "amount_fen", "reference", "entitlement__name", "entitlement__article",
        "instalment"))
    opened = crypto.unseal_many(line[3] for line in lines)
    kinds = dict(PayTo.choices)
    for i, (line, (id_number, account)) in enumerate(zip(lines, opened), 1):
        name, kind, bank, _, amount, ref, ent_name, article, inst = line
        yield [i, name, id_number, kinds[kind], bank, account, yuan(amount), ref, f"{ent_name}第{inst}期（{article}）"]


def bank_csv(run) -> str:
    """The bank file as CSV text (csv.writer over bank_rows)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(BANK_HEADERS)
    writer.writerows(bank_rows(run))
    return buf.getvalue()


CSV_SPECIAL = re.compile(r'[",\r\n]')


def _csv_sql(expr: str) -> str:
    """SQL quoting `expr` as csv.writer does (QUOTE_MINIMAL, excel dialect)."""
    return f"""(CASE WHEN {expr} ~ %(special)s THEN '"' || replace({expr}, '"', '""') || '"' ELSE {expr} END)"""


def _csv_py(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if CSV_SPECIAL.search(value) else value


# The bank CSV on PostgreSQL: the database formats each line around the two sealed values (the
# same text csv.writer makes of bank_rows; tests/test_fast_path.py compares them), Python only
# opens the seal and joins.
BANK_CSV_SQL = f"""
SELECT a.sealed,
       row_number() OVER (ORDER BY l.id) || ',' || {_csv_sql("p.name")} || ',',
       ',' || (%(kinds)s::jsonb ->> a.kind) || ',' || {_csv_sql("a.bank")} || ',',
       ',' || (l.amount_fen / 100) || '.' || lpad((l.amount_fen %% 100)::text, 2, '0') || ','
           || l.reference || ','
           || {_csv_sql("(e.name || '第' || l.instalment || '期（' || e.article || '）')")} || E'\\r\\n'
FROM payments_paymentline l
JOIN registry_person p ON p.id = l.person_id
JOIN payments_entitlement e ON e.id = l.entitlement_id
LEFT JOIN payments_payeeaccount a ON a.person_id = l.person_id
WHERE l.run_id = %(run)s AND l.status = %(queued)s
ORDER BY l.id
"""


def _bank_csv_postgresql(run, chunk: int = 10_000) -> bytes:
    """The bank CSV as UTF-8 with a byte order mark. The lines come by COPY … TO STDOUT (binary),
    which the database sends as it formats them while Python opens the seals (the two overlap,
    ~0.2 s less for 100,000 lines than fetching a server-side cursor's chunks in turn); `chunk`
    lines at a time are joined and encoded, so the file, not the rows, is what stays in memory."""
    import json

    kinds = {k: _csv_py(label) for k, label in PayTo.choices}
    open_seal, n = crypto.aead().decrypt, crypto.NONCE
    out = [("\ufeff" + ",".join(_csv_py(h) for h in BANK_HEADERS) + "\r\n").encode("utf-8")]
    text, unsealed = [], 0
    append = text.append
    with connection.cursor() as cur:
        # every line of the run is read: hash joins, in memory (the planner's statistics may not
        # know the run's lines yet and would probe 100,000 times)
        cur.execute("SET LOCAL enable_nestloop = off")
        cur.execute("SET LOCAL work_mem = '64MB'")
        with cur.copy(f"COPY ({BANK_CSV_SQL}) TO STDOUT (FORMAT BINARY)",
                      {"run": run.pk, "queued": str(LineStatus.QUEUED), "special": CSV_SPECIAL.pattern,
                       "kinds": json.dumps(kinds)}) as copy:
            copy.set_types(["bytea", "text", "text", "text"])
            for sealed, head, mid, tail in copy.rows():
                if sealed is None:  # read on to the end: leaving a COPY early cancels it on the server
                    unsealed += 1
                    continue
                try:
                    plain = open_seal(sealed[:n], sealed[n:], None)
                except crypto.InvalidTag:
                    raise ValueError("cannot open payee seal: wrong FIELD_ENCRYPTION_KEY?") from None
                id_number, account = plain.decode("ascii").split("|", 1)
                if not (id_number.isalnum() and account.isalnum()):
                    id_number, account = _csv_py(id_number), _csv_py(account)
                append(head + id_number + mid + account + tail)
                if len(text) == chunk:
                    out.append("".join(text).encode("utf-8"))
                    text.clear()
    if unsealed:
        raise DomainError("有收款人未登记收款账户，请先登记后再导出", log=f"{unsealed} queued lines without payee account")
    out.append("".join(text).encode("utf-8"))
    return b"".join(out)


def export_bank_file(run, *, fmt: str, actor) -> tuple[str, bytes]:
    """The bank file (CSV or Excel) of an approved batch: (file name, bytes). It carries full ID
    and account numbers, so every export is audited."""
    from gongjiang.core.excel import workbook_bytes

    if fmt not in ("csv", "xlsx"):
        raise DomainError("导出格式不正确", log=f"bad format {fmt}")
    with transaction.atomic():
        run = _locked(run, Status.APPROVED, Status.EXPORTED, Status.SETTLED)
        if fmt == "csv":
            if connection.vendor == "postgresql":
                data = _bank_csv_postgresql(run)
            else:
                data = ("\ufeff" + bank_csv(run)).encode("utf-8")
        else:
            data = workbook_bytes("银行代发", BANK_HEADERS, bank_rows(run))
        fields = {"status": Status.EXPORTED, "exported_at": timezone.now()} if run.status == Status.APPROVED else {}
        _transition(run, action="payments.run.export", actor=actor,
                    reason=f"导出银行代发文件（{fmt}，含完整身份证号码和账号）", **fields)
    return f"代发-{run.pk}-{run.period_start:%Y%m}.{fmt}", data


# --- bank results --------------------------------------------------------------------------------
RESULT_HEADERS = {"reference": "业务参考号", "amount": "金额（元）", "result": "处理结果", "reason": "失败原因"}
RESULT_WORDS = {"成功": LineStatus.PAID, "失败": LineStatus.FAILED}
MAX_ERRORS = 200


def _read_table(file_name: str, data: bytes) -> list[list]:
    import csv
    import io

    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ValueError("无法读取Excel文件") from None
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    if not file_name.lower().endswith(".csv"):
        raise ValueError("只接受 .csv 或 .xlsx 文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("无法识别文件编码（应为UTF-8或GB18030）")
    return [row for row in csv.reader(io.StringIO(text))]


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def check_bank_result(run, file_name: str, data: bytes) -> tuple[list[dict], list[tuple]]:
    """(errors, [(line pk, new status, reason)]): row-by-row Chinese errors, and what would change."""
    from .schedule import parse_yuan

    try:
        table = _read_table(file_name, data)
    except ValueError as e:
        return [{"row": 0, "message": f"文件格式不正确：{e}"}], []
    table = [r for r in table if any(_cell(c) for c in r)]
    if not table:
        return [{"row": 0, "message": "文件格式不正确：文件为空"}], []
    header = [_cell(c) for c in table[0]]
    missing = [label for label in RESULT_HEADERS.values() if label not in header]
    if missing:
        return [{"row": 1, "message": f"文件格式不正确：缺少列“{'”“'.join(missing)}”"}], []
    col = {key: header.index(label) for key, label in RESULT_HEADERS.items()}
    lines = {ref: (pk, status, amount) for pk, ref, status, amount in
             run.lines.values_list("pk", "reference", "status", "amount_fen")}
    errors, changes, seen = [], [], {}
    for n, row in enumerate(table[1:], 2):
        row = list(row) + [None] * (len(header) - len(row))
        ref, amount_text, word, reason = (_cell(row[col[k]]) for k in ("reference", "amount", "result", "reason"))
        problems = []
        if not ref:
            problems.append("缺少业务参考号")
        elif ref in seen:
            problems.append(f"业务参考号“{ref}”与第{seen[ref]}行重复")
        elif ref not in lines:
            problems.append(f"业务参考号“{ref}”不属于本批次")
        seen.setdefault(ref, n)
        amount = parse_yuan(amount_text)
        if amount is None:
            problems.append(f"金额“{amount_text}”格式不正确（应为元，最多两位小数）")
        elif ref in lines and amount != lines[ref][2]:
            problems.append(f"金额{amount_text}元与本批次的{yuan(lines[ref][2])}元不一致")
        if word not in RESULT_WORDS:
            problems.append(f"处理结果应为“成功”或“失败”，不能是“{word}”")
        elif word == "失败" and not reason:
            problems.append("失败的记录须注明失败原因")
        if ref in lines and lines[ref][1] != LineStatus.QUEUED and not problems:
            problems.append(f"业务参考号“{ref}”已登记为“{LineStatus(lines[ref][1]).label}”，不能重复回盘")
        if problems:
            errors.append({"row": n, "message": f"第{n}行：" + "；".join(problems)})
            if len(errors) >= MAX_ERRORS:
                errors.append({"row": n, "message": f"错误过多，仅显示前{MAX_ERRORS}条"})
                break
        else:
            changes.append((lines[ref][0], RESULT_WORDS[word], reason[:300]))
    if not errors and not changes:
        errors.append({"row": 0, "message": "文件格式不正确：没有回盘记录"})
    return errors, changes


def import_bank_result(run, *, file_name: str, data: bytes, actor) -> BankImport:
    """Mark lines paid / failed from the bank's result file, all or nothing: a file with any bad
    row is kept as rejected, with its row-by-row errors, and changes nothing."""
    with transaction.atomic():
        run = _locked(run, Status.EXPORTED)
        errors, changes = check_bank_result(run, file_name, data)
        imp = BankImport(run=run, file_name=file_name[:200], sha256=hashlib.sha256(data).hexdigest(),
                         imported_by=actor, rows=len(changes) + len(errors))
        if errors:
            imp.status, imp.errors = BankImport.Status.REJECTED, errors
            imp.save()
            record("payments.bank.reject", actor=actor, obj=imp, after=snapshot(imp, ["file_name", "sha256", "status"]),
                   reason=f"银行回盘文件有{len(errors)}处错误，未登记任何结果")
            return imp
        now = timezone.now()
        amounts = dict(run.lines.filter(pk__in=[c[0] for c in changes]).values_list("pk", "amount_fen"))
        by_status = defaultdict(list)
        for pk, status, reason in changes:
            by_status[(status, reason)].append(pk)
        for (status, reason), pks in by_status.items():
            PaymentLine.objects.filter(pk__in=pks, status=LineStatus.QUEUED).update(
                status=status, reason=reason, result_at=now)
        imp.status = BankImport.Status.ACCEPTED
        imp.paid_count = sum(1 for c in changes if c[1] == LineStatus.PAID)
        imp.failed_count = len(changes) - imp.paid_count
        imp.paid_fen = sum(amounts[c[0]] for c in changes if c[1] == LineStatus.PAID)
        imp.failed_fen = sum(amounts[c[0]] for c in changes if c[1] == LineStatus.FAILED)
        imp.save()
        record("payments.bank.accept", actor=actor, obj=imp, after=snapshot(imp), reason="银行回盘")
        if not run.lines.filter(status=LineStatus.QUEUED).exists():
            _transition(run, action="payments.run.settle", actor=actor, reason="全部明细已回盘",
                        status=Status.SETTLED, settled_at=now)
    return imp


def requeue_failed(run, *, actor) -> PaymentRun:
    """The failed lines of a batch, again, in a new draft batch of the same period (after the
    payee's account is corrected). An instalment a later batch has settled meanwhile is skipped."""
    with transaction.atomic():
        run = _locked(run, Status.EXPORTED, Status.SETTLED)
        lock_policies(scope_policies(run.organisation))
        failed = list(run.lines.filter(status=LineStatus.FAILED, requeued_as__isnull=True).order_by("id"))
        settled = set(PaymentLine.objects.filter(entitlement_id__in={l.entitlement_id for l in failed},
                                                 status__in=SETTLING).values_list("entitlement_id", "instalment"))
        failed = [l for l in failed if (l.entitlement_id, l.instalment) not in settled]
        if not failed:
            raise DomainError("本批次没有待重新发放的失败明细", log="nothing to requeue")
        new = PaymentRun.objects.create(organisation=run.organisation, period_kind=run.period_kind,
                                        period_start=run.period_start, period_end=run.period_end,
                                        requeue_of=run, created_by=actor)
        items = [Due(l.entitlement_id, l.person_id, l.instalment, l.due_date, l.amount_fen, LineStatus.QUEUED, "")
                 for l in failed]
        _store_lines(new, items, requeued_from=failed)
        _refresh_totals(new)
        record("payments.run.requeue", actor=actor, obj=new, after=snapshot(new),
               reason=f"重新发放{run}的{len(failed)}笔失败明细")
    return new


# --- budgets, ledger, reconciliation -------------------------------------------------------------
def set_budget(*, policy: Policy, year: int, amount_fen: int, actor, note: str = "") -> Budget:
    if amount_fen < 0:
        raise DomainError("预算金额不能为负数", log="negative budget")
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(policy=policy, year=year).first()
        before = snapshot(budget) if budget else None
        budget = budget or Budget(policy=policy, year=year)
        budget.amount_fen, budget.note, budget.updated_by = amount_fen, note.strip()[:200], actor
        budget.save()
        record("payments.budget.set", actor=actor, obj=budget, before=before, after=snapshot(budget),
               reason=note or "录入预算")
    return budget


def programme_totals(organisation) -> list[dict]:
    """Per programme and year: budget, paid, in batches not yet paid, remaining."""
    lines = (PaymentLine.objects.filter(run__organisation__path__startswith=organisation.path,
                                        status__in=[LineStatus.QUEUED, LineStatus.PAID])
             .values_list("entitlement__policy_id", "run__period_start__year", "status")
             .annotate(s=Sum("amount_fen")))
    table = defaultdict(lambda: {"paid": 0, "pending": 0, "budget": None})
    for pid, year, status, s in lines:
        table[(pid, year)]["paid" if status == LineStatus.PAID else "pending"] += s
    for pid, year, amount in Budget.objects.filter(policy__jurisdiction__path__startswith=organisation.path
                                                    ).values_list("policy_id", "year", "amount_fen"):
        table[(pid, year)]["budget"] = amount
    titles = dict(Policy.objects.filter(pk__in={k[0] for k in table}).values_list("pk", "title"))
    out = []
    for (pid, year), v in sorted(table.items(), key=lambda kv: (-kv[0][1], titles[kv[0][0]])):
        used = v["paid"] + v["pending"]
        out.append({"policy": titles[pid], "year": year, **v,
                    "remaining": None if v["budget"] is None else v["budget"] - used,
                    "over": v["budget"] is not None and used > v["budget"]})
    return out


def reconciliation(runs) -> list[dict]:
    """Per batch: the stored totals against the sum of its lines, and the accepted bank results
    against the lines they marked; `ok` only when both agree and nothing is unexplained."""
    out = []
    for run in runs:
        agg = run.lines.aggregate(
            n=Count("id", filter=Q(status__in=[LineStatus.QUEUED, LineStatus.PAID, LineStatus.FAILED])),
            total=Sum("amount_fen", filter=Q(status__in=[LineStatus.QUEUED, LineStatus.PAID, LineStatus.FAILED])),
            paid=Sum("amount_fen", filter=Q(status=LineStatus.PAID)),
            failed=Sum("amount_fen", filter=Q(status=LineStatus.FAILED)),
            pending=Sum("amount_fen", filter=Q(status=LineStatus.QUEUED)))
        bank = run.bank_imports.filter(status=BankImport.Status.ACCEPTED).aggregate(
            paid=Sum("paid_fen"), failed=Sum("failed_fen"))
        lines_total, paid, failed = agg["total"] or 0, agg["paid"] or 0, agg["failed"] or 0
        row = {"run": run, "stored_count": run.line_count, "stored_total": run.total_fen,
               "lines_count": agg["n"], "lines_total": lines_total, "paid": paid, "failed": failed,
               "pending": agg["pending"] or 0, "bank_paid": bank["paid"] or 0, "bank_failed": bank["failed"] or 0}
        row["batch_ok"] = row["stored_count"] == row["lines_count"] and row["stored_total"] == lines_total
        row["bank_ok"] = row["bank_paid"] == paid and row["bank_failed"] == failed
        row["ok"] = row["batch_ok"] and row["bank_ok"] and lines_total == paid + failed + row["pending"]
        out.append(row)
    return out


def statement(person) -> dict:
    """A person's ledger: each entitlement with its lines, and the totals."""
    ents = list(Entitlement.objects.filter(person=person).select_related("policy").order_by("first_due", "pk"))
    lines = list(PaymentLine.objects.filter(entitlement__person=person).exclude(status=LineStatus.VOID)
                 .select_related("run", "entitlement").order_by("due_date", "instalment", "id"))
    totals = defaultdict(int)
    for line in lines:
        totals[line.status] += line.amount_fen
    from .receivables import balance_fen

    receivables = list(person.receivables.prefetch_related("repayments").order_by("created_at"))
    for r in receivables:
        r.balance = balance_fen(r) - r.writeoff_fen
    return {"entitlements": ents, "lines": lines, "receivables": receivables, "paid": totals[LineStatus.PAID],
            "pending": totals[LineStatus.QUEUED], "held": totals[LineStatus.HELD],
            "failed": totals[LineStatus.FAILED]}

