"""The payment ledger's references hold in the database on both backends (migration 0005): a line
whose run, entitlement or re-queued-from line does not exist is refused and nothing of its
statement is stored; an entitlement or run that has lines cannot be deleted. On PostgreSQL
statement triggers check the lines and the ledger never deletes a row; on SQLite the foreign keys
check at commit. Transactional tests, so the commit (where SQLite checks) really happens."""
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from gongjiang.payments import services
from gongjiang.payments.models import Entitlement, LineStatus, PaymentLine, PaymentRun

from .conftest import entitle, make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ledger(pay_world):
    """Two people's 惠阳 allowance (第十二条（一）), the 2026 run computed: two queued lines."""
    w = pay_world
    for name in ("张工", "李工"):
        p = make_person(w["j"]["惠阳区"], name, actor=w["hy"]["finance"])
        entitle(p, w["policies"]["huiyang-chief-technician"], "chief-technician", start=dt.date(2026, 3, 1),
                actor=w["hy"]["bureau"])
    run = services.compute_run(organisation=w["hy"]["org"], period_kind="year", year=2026, actor=w["hy"]["finance"])
    assert run.line_count == 2
    return run


def missing_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def line_like(line, n, **changes) -> PaymentLine:
    """A copy of `line` that does not settle an instalment (so the paid-once index lets it in)."""
    fields = {"run_id": line.run_id, "entitlement_id": line.entitlement_id, "person_id": line.person_id,
              "instalment": line.instalment, "due_date": line.due_date, "amount_fen": line.amount_fen,
              "status": LineStatus.HELD, "reference": f"{line.reference[:-3]}9{n:02d}"}
    return PaymentLine(**{**fields, **changes})


def lines_refused(lines) -> None:
    """The statement storing `lines` fails and stores none of them."""
    before = PaymentLine.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.bulk_create(lines)
    assert PaymentLine.objects.count() == before


def test_line_of_missing_run_refused_nothing_stored(ledger):
    line = ledger.lines.first()
    lines_refused([line_like(line, 1), line_like(line, 2, run_id=missing_id(PaymentRun))])


def test_line_of_missing_entitlement_refused_nothing_stored(ledger):
    line = ledger.lines.first()
    lines_refused([line_like(line, 1, entitlement_id=missing_id(Entitlement)), line_like(line, 2)])


def test_line_requeued_from_missing_line_refused(ledger):
    lines_refused([line_like(ledger.lines.first(), 1, requeued_from_id=missing_id(PaymentLine))])


def test_line_with_existing_references_stored(ledger):
    first, second = ledger.lines.order_by("pk")
    with transaction.atomic():
        PaymentLine.objects.bulk_create([line_like(first, 1, requeued_from_id=first.pk), line_like(second, 2)])
    assert ledger.lines.count() == 4


def test_line_moved_to_missing_entitlement_or_run_refused(ledger):
    line = ledger.lines.first()
    for change in ({"entitlement_id": missing_id(Entitlement)}, {"run_id": missing_id(PaymentRun)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentLine.objects.filter(pk=line.pk).update(**change)
        assert PaymentLine.objects.filter(pk=line.pk, run=ledger, entitlement_id=line.entitlement_id).exists()


@pytest.mark.parametrize("table", ["payments_entitlement", "payments_paymentrun"])
def test_parent_with_lines_not_deleted(ledger, table):
    """Below the ORM (whose PROTECT refuses first): the database itself keeps the ledger whole."""
    line = ledger.lines.first()
    pk = line.entitlement_id if table == "payments_entitlement" else line.run_id
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert Entitlement.objects.filter(pk=line.entitlement_id).exists() and PaymentRun.objects.filter(pk=line.run_id).exists()
    assert PaymentLine.objects.filter(pk=line.pk).exists()


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", ["payments_entitlement", "payments_paymentrun", "payments_paymentline"])
def test_ledger_never_deletes_or_renumbers_on_postgresql(ledger, table):
    """Without foreign keys to lock them, the ledger's rows are never deleted (even without lines)
    nor given another id."""
    empty = PaymentRun.objects.create(organisation=ledger.organisation, period_kind="year", created_by=ledger.created_by,
                                      period_start=dt.date(2030, 1, 1), period_end=dt.date(2030, 12, 31))
    line = ledger.lines.first()
    pk = {"payments_entitlement": line.entitlement_id, "payments_paymentrun": empty.pk,
          "payments_paymentline": line.pk}[table]
    for sql in (f"DELETE FROM {table} WHERE id = %s", f"UPDATE {table} SET id = id + 100000 WHERE id = %s"):
        with pytest.raises(IntegrityError, match="never deletes or renumbers"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(sql, [pk])
    assert PaymentLine.objects.count() == 2 and PaymentRun.objects.filter(pk=empty.pk).exists()


class Rollback(Exception):
    pass


@pytest.mark.postgres_only
def test_truncate_of_parents_under_lines_refused_on_postgresql(ledger):
    """TRUNCATE fires no DELETE trigger: truncating entitlements or runs while lines remain is
    refused after the statement; truncating them with the lines (as the test flush does) is not."""
    for table in ("payments_entitlement", "payments_paymentrun CASCADE"):
        with pytest.raises(IntegrityError, match="truncate them together"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(f"TRUNCATE {table}")
    with pytest.raises(Rollback), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("TRUNCATE payments_paymentline, payments_entitlement, payments_paymentrun CASCADE")
        assert not PaymentLine.objects.exists()
        raise Rollback
    assert PaymentLine.objects.count() == 2
