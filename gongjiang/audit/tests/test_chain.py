import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from gongjiang.audit.models import AuditEntry
from gongjiang.audit.services import record, verify


def _tamper(sql, params):
    """What a database administrator could do by hand: bypass the append-only trigger."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
            cur.execute(sql, params)
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")
        else:
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute(sql, params)


@pytest.fixture
def chain(db):
    return [record("test.action", object_type="demo", object_id=str(i), after={"n": i}, reason=f"第{i}条")
            for i in range(5)]


def test_chain_intact_verifies(chain):
    result = verify()
    assert result.ok and result.checked == 5
    assert chain[1].prev_hash == chain[0].hash


def test_audit_verify_command_reports_ok(chain, capsys):
    call_command("audit", "verify")
    assert "5 entries verified" in capsys.readouterr().out


def test_edited_row_is_reported_as_first_broken_link(chain):
    _tamper("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["篡改", chain[2].pk])
    result = verify()
    assert not result.ok and result.broken_at == chain[2].pk and "edited" in result.problem
    with pytest.raises(CommandError, match=f"#{chain[2].pk}"):
        call_command("audit", "verify")


def test_deleted_row_is_reported(chain):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [chain[1].pk])
    result = verify()
    assert not result.ok and result.broken_at == chain[2].pk and "missing" in result.problem


def test_deleted_tail_is_reported(chain):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [chain[4].pk])
    result = verify()
    assert not result.ok and "head" in result.problem


def test_update_refused_by_database_trigger(chain):
    with pytest.raises(Exception), transaction.atomic():
        AuditEntry.objects.filter(pk=chain[0].pk).update(reason="x")
    assert AuditEntry.objects.get(pk=chain[0].pk).reason == "第0条"


def test_model_refuses_resave(chain):
    entry = AuditEntry.objects.get(pk=chain[0].pk)
    with pytest.raises(RuntimeError):
        entry.save()
