"""The PostgreSQL fast paths give exactly what the generic (SQLite) code gives.

compute_run on PostgreSQL stores the lines with one INSERT … SELECT (services.DUE_SQL) instead of
services.due_items + bulk insert, and the bank CSV is formatted by the database around the opened
seals (services.BANK_CSV_SQL) instead of csv.writer over bank_rows. Both are compared here, line by
line and byte by byte, over the cases the rules have: monthly with the renewal gate closed and
open (环翠 第四条、第十二条), day-of-month clamping, annual with the payment validity date (惠阳
第二十三条), one-time (仲恺 第五条), a stop (第十七条), suspensions (惠阳 第十一条), no payee
account, held and failed arrears, and a gap in the settled instalments."""
import datetime as dt

import pytest
from django.db import transaction

from gongjiang.payments import services
from gongjiang.payments.models import LineStatus, PaymentLine, PaymentRun
from gongjiang.registry.models import EmployerRecord

from .conftest import entitle, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]


@pytest.fixture
def mixed(pay_world):
    w = pay_world
    hy, hc, zk = w["j"]["惠阳区"], w["j"]["环翠区"], w["j"]["仲恺高新区"]
    pol = w["policies"]
    fin, bureau = w["hy"]["finance"], w["hy"]["bureau"]
    huiyang, huancui = pol["huiyang-chief-technician"], pol["huancui-chief-technician"]
    emp_inv, emp_debt = w["hy"]["employer"], w["zk"]["employer"]
    EmployerRecord.objects.create(organisation=emp_inv, kind="under_investigation", start=dt.date(2026, 1, 5))
    EmployerRecord.objects.create(organisation=emp_debt, kind="dishonest_debtor", start=dt.date(2026, 1, 5),
                                  end=dt.date(2027, 6, 30))
    for start in (dt.date(2026, 3, 1), dt.date(2025, 7, 31)):
        entitle(make_person(hy, "惠阳甲", actor=fin), huiyang, "chief-technician", start=start, actor=bureau)
    entitle(make_person(hy, "惠阳乙", employer=emp_inv, actor=fin), huiyang, "chief-technician",
            start=dt.date(2026, 3, 1), actor=bureau)
    entitle(make_person(hy, "惠阳丙", employer=emp_debt, account=False, actor=fin), huiyang, "chief-technician",
            start=dt.date(2026, 3, 1), actor=bureau)
    entitle(make_person(hy, "惠阳丁", account=False, actor=fin), huiyang, "chief-technician",
            start=dt.date(2026, 3, 1), actor=bureau)
    stopped = entitle(make_person(hy, "惠阳戊", actor=fin), huiyang, "chief-technician", start=dt.date(2026, 3, 1),
                      actor=bureau)
    services.stop_entitlements(stopped, stop_from=dt.date(2027, 3, 1), actor=bureau, reason="第十七条 调离本区")
    closed = entitle(make_person(hc, "环翠甲", actor=fin), huancui, "chief-technician", start=dt.date(2025, 1, 1),
                     actor=bureau)
    opened = entitle(make_person(hc, "环翠乙", actor=fin), huancui, "chief-technician", start=dt.date(2025, 1, 31),
                     actor=bureau)
    services.open_renewal_gate(opened, actor=bureau, reason="第十二条 复核认定通过")
    [gap] = entitle(make_person(hc, "环翠丙", actor=fin), huancui, "chief-technician", start=dt.date(2026, 1, 1),
                    actor=bureau)
    entitle(make_person(zk, "仲恺甲", actor=fin), pol["zhongkai-skilled-talent"], "chief-technician",
            start=dt.date(2015, 6, 1), actor=bureau)
    # instalments 1, 2 and 4 settled, 3 failed, 5 held: 3 and 5 are still due (arrears)
    past = PaymentRun.objects.create(organisation=hc, period_kind="month", period_start=dt.date(2026, 5, 1),
                                     period_end=dt.date(2026, 5, 31), created_by=fin)
    for inst, status in ((1, "paid"), (2, "paid"), (3, "failed"), (4, "queued"), (5, "held")):
        PaymentLine.objects.create(run=past, entitlement=gap, person=gap.person, instalment=inst,
                                   due_date=services.due_date(gap.first_due, "monthly", inst), amount_fen=gap.amount_fen,
                                   status=status, reference=f"GJT{inst}")
    return {"w": w, "closed": closed, "policies": list(pol[c].pk for c in pol)}


def both(run, policy_ids, start, end):
    """(generic lines, fast-path lines and totals), the fast path rolled back afterwards."""
    generic = [(d.entitlement_id, d.person_id, d.instalment, d.due, d.amount_fen, str(d.status), d.reason,
                services.reference_of(run.pk, i)) for i, d in enumerate(services.due_items(policy_ids, start, end), 1)]
    with transaction.atomic():
        totals = services._store_due_postgresql(run, policy_ids, start, end)
        fast = list(run.lines.order_by("id").values_list("entitlement_id", "person_id", "instalment", "due_date",
                                                         "amount_fen", "status", "reason", "reference"))
        transaction.set_rollback(True)
    return generic, fast, tuple(totals)


@pytest.mark.parametrize("kind,year,month", [("month", 2025, 2), ("month", 2026, 11), ("year", 2026, None),
                                             ("year", 2027, None), ("month", 2027, 12), ("year", 2028, None)])
def test_fast_due_lines_equal_generic(mixed, kind, year, month):
    """第四条、第十一条、第十二条、第十七条、第二十三条: the same lines, statuses, reasons and references both ways."""
    start, end = services.period_bounds(kind, year, month)
    run = PaymentRun.objects.create(organisation=mixed["w"]["hy"]["org"], period_kind=kind, period_start=start,
                                    period_end=end, created_by=mixed["w"]["hy"]["finance"])
    generic, fast, totals = both(run, mixed["policies"], start, end)
    assert fast == generic
    queued = [g for g in generic if g[5] == LineStatus.QUEUED]
    assert totals == (len(queued), sum(g[4] for g in queued), sum(1 for g in generic if g[5] == LineStatus.HELD))
    if (kind, year) == ("year", 2026):
        statuses = {g[5] for g in generic}
        assert {"queued", "held"} <= statuses and any("第十一条" in g[6] for g in generic)
        assert any(g[6] == services.NO_ACCOUNT for g in generic)
        # the gap: 3 (failed) and 5 (held) again, then what fell due since
        gap_lines = [g[2] for g in generic if g[1] == PaymentLine.objects.get(reference="GJT1").person_id]
        assert gap_lines[:2] == [3, 5] and 4 not in gap_lines
        # the closed renewal gate stops at payment 12
        assert max(g[2] for g in generic if g[0] == mixed["closed"][0].pk) == 12


def test_fast_bank_csv_equals_csv_writer(pay_world):
    """惠阳 第二十一条: the bank file built by the database is byte for byte csv.writer's, names with commas, quotes and line breaks included."""
    w = pay_world
    names = ["张,三", '李"四"', "王\n五", "赵六"]
    for name in names:
        p = make_person(w["j"]["惠阳区"], name, actor=w["hy"]["finance"])
        entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                actor=w["hy"]["bureau"])
    services.set_payee_account(p, kind="bank_account", bank='工行,"惠阳"支行', number="6222000011113333",
                               actor=w["hy"]["finance"])
    run = services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2027, actor=w["hy"]["finance"])
    services.prepare_run(run, actor=w["hy"]["finance"], budget_note="测试")
    services.approve_run(run, actor=w["hy"]["finance2"])
    fast = services._bank_csv_postgresql(run, chunk=3).decode("utf-8")
    assert fast == "\ufeff" + services.bank_csv(run)
    assert fast.count("\r\n") == 1 + 2 * len(names)
    assert '"张,三"' in fast and '"李""四"""' in fast and '"王\n五"' in fast and '"工行,""惠阳""支行"' in fast
    _, data = services.export_bank_file(run, fmt="csv", actor=w["hy"]["finance"])
    assert data == fast.encode("utf-8") and data.startswith("\ufeff".encode())


def test_bank_csv_queued_line_without_account_refused_run_unchanged(pay_world):
    """惠阳 第二十一条: a queued line whose payee account is gone (removed after the run was
    computed) stops the export with the reason; the COPY is read to its end, so the connection is
    usable and the batch still approved."""
    from gongjiang.core.errors import DomainError
    from gongjiang.payments.models import PayeeAccount

    w = pay_world
    people = [make_person(w["j"]["惠阳区"], name, actor=w["hy"]["finance"]) for name in ("张工", "李工", "王工")]
    for p in people:
        entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                actor=w["hy"]["bureau"])
    run = services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2026, actor=w["hy"]["finance"])
    services.prepare_run(run, actor=w["hy"]["finance"], budget_note="测试")
    services.approve_run(run, actor=w["hy"]["finance2"])
    PayeeAccount.objects.filter(person=people[1]).delete()
    with pytest.raises(DomainError) as refused:
        services.export_bank_file(run, fmt="csv", actor=w["hy"]["finance"])
    assert refused.value.message == "有收款人未登记收款账户，请先登记后再导出"
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.APPROVED and run.lines.filter(status=LineStatus.QUEUED).count() == 3
