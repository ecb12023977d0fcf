"""What a database administrator can do to the audit log, and how `audit verify` catches it: the chain is
an HMAC under a key the database does not hold, and signed checkpoints outside the database pin its head.
Every case runs on SQLite and PostgreSQL, with the append-only triggers switched off."""
import hashlib
import json
import os
import subprocess
import sys
import types

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gongjiang.audit import checkpoints, keys
from gongjiang.audit.models import AuditEntry, AuditHead
from gongjiang.audit.services import GENESIS, _payload, digest, record, verify


def _dba(*statements):
    """Run SQL as a database administrator would: with the append-only triggers off."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_no_update")
        for sql, params in statements:
            cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


def _rechain(hash_of):
    """Recompute every entry's link and hash with `hash_of(entry)`, and the head, as an attacker would
    after editing a row."""
    prev, statements = GENESIS, []
    for entry in AuditEntry.objects.order_by("pk"):
        entry.prev_hash = prev
        entry.hash = hash_of(entry)
        statements.append(("UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                           [entry.prev_hash, entry.hash, entry.pk]))
        prev = entry.hash
    statements.append(("UPDATE audit_audithead SET last_hash = %s WHERE id = 1", [prev]))
    _dba(*statements)


@pytest.fixture
def chain(db):
    return [record("test.action", object_type="demo", object_id=str(i), after={"n": i}, reason=f"第{i}条")
            for i in range(5)]


@pytest.fixture
def checkpointed(chain, capsys):
    call_command("audit", "checkpoint")
    assert "checkpoint written: 5 entries" in capsys.readouterr().out
    return chain


def test_checkpoint_is_signed_line_in_append_only_file(checkpointed, settings):
    lines = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    data = json.loads(lines[-1])
    assert data["count"] == 5 and data["last_id"] == checkpointed[-1].pk and data["hash"] == checkpointed[-1].hash
    assert len(data["sig"]) == 64 and data["time"]
    record("test.more", object_type="demo")
    call_command("audit", "checkpoint")
    assert len(settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()) == 2
    result = verify()
    assert result.ok and result.checked == 6 and result.checkpoint.count == 6


def test_truncated_log_with_reset_head_is_reported(checkpointed):
    if connection.vendor == "postgresql":
        _dba(("TRUNCATE audit_auditentry", []))
    else:
        _dba(("DELETE FROM audit_auditentry", []))
    _dba(("UPDATE audit_audithead SET last_id = 0, last_hash = %s WHERE id = 1", [GENESIS]))
    result = verify()
    assert not result.ok and result.kind == "truncated" and "truncated" in result.problem
    assert "清空" in result.summary
    with pytest.raises(CommandError, match="truncated"):
        call_command("audit", "verify")


def test_deleted_tail_with_reset_head_is_reported(checkpointed):
    third = checkpointed[2]
    _dba(("DELETE FROM audit_auditentry WHERE id > %s", [third.pk]),
         ("UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1", [third.pk, third.hash]))
    result = verify()
    assert not result.ok and result.kind == "tail" and result.broken_at == third.pk + 1
    assert f"entries after #{third.pk} deleted" in result.problem


def test_edited_row_with_recomputed_sha256_chain_is_reported(checkpointed):
    """Today's attack: edit a row, recompute the later plain hashes and the head."""
    target = checkpointed[1]
    _dba(("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["篡改", target.pk]))
    _rechain(lambda e: hashlib.sha256(_payload(e)).hexdigest())
    result = verify()
    assert not result.ok and result.kind == "edited" and result.broken_at == checkpointed[0].pk


def test_edited_row_rechained_with_a_guessed_key_is_reported(chain):
    """Without a checkpoint too: the attacker does not hold the key."""
    _dba(("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["篡改", chain[3].pk]))
    _rechain(lambda e: digest(e, b"guessed key"))
    result = verify()
    assert not result.ok and result.kind == "edited" and result.broken_at == chain[0].pk


def test_rows_rewritten_by_a_key_holder_are_caught_by_the_checkpoint(checkpointed):
    """Even someone holding the key cannot rewrite what a checkpoint already pinned."""
    _dba(("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["篡改", checkpointed[2].pk]))
    _, key = keys.current()
    _rechain(lambda e: digest(e, key))
    result = verify()
    assert not result.ok and result.kind == "rewritten" and "rows rewritten" in result.problem
    assert "重写" in result.summary


def test_forged_checkpoint_line_is_reported(checkpointed, settings):
    path = settings.AUDIT_CHECKPOINT_FILE
    data = json.loads(path.read_text().splitlines()[-1])
    data["count"] = 2
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(data) + "\n")
    result = verify()
    assert not result.ok and result.kind == "checkpoint" and "signature" in result.problem


def test_checkpoint_refused_for_a_broken_chain(chain, settings):
    _dba(("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["篡改", chain[0].pk]))
    with pytest.raises(CommandError, match="no checkpoint written"):
        call_command("audit", "checkpoint")
    assert not settings.AUDIT_CHECKPOINT_FILE.exists()


def test_entries_under_a_rotated_key_verify_while_the_old_key_is_listed(checkpointed, settings):
    settings.AUDIT_KEY, settings.AUDIT_OLD_KEYS = "new-audit-key-after-rotation", [""]
    record("test.after_rotation", object_type="demo")
    assert len({e.key_id for e in AuditEntry.objects.all()}) == 2
    assert verify().ok
    settings.AUDIT_OLD_KEYS = []
    result = verify()
    assert not result.ok and result.kind == "checkpoint"  # the old checkpoint's key is gone too
    with open(settings.AUDIT_CHECKPOINT_FILE, "w"):
        pass
    result = verify()
    assert not result.ok and result.kind == "unknown_key" and result.broken_at == checkpointed[0].pk


def test_legacy_sha256_chain_is_rekeyed_by_the_migration(chain):
    """Entries written before the chain was keyed: the migration verifies them as they stood and re-keys."""
    prev, statements = GENESIS, []
    for entry in AuditEntry.objects.order_by("pk"):
        entry.prev_hash = prev
        payload = json.loads(_payload(entry))
        del payload["key_id"]
        entry.hash = hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                                               separators=(",", ":")).encode("utf-8")).hexdigest()
        statements.append(("UPDATE audit_auditentry SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
                           [entry.prev_hash, entry.hash, entry.pk]))
        prev = entry.hash
    statements.append(("UPDATE audit_audithead SET last_hash = %s WHERE id = 1", [prev]))
    _dba(*statements)
    assert not verify().ok
    migration = __import__("gongjiang.audit.migrations.0004_keyed_chain", fromlist=["rekey"])
    migration.rekey(django_apps, types.SimpleNamespace(connection=connection))
    result = verify()
    assert result.ok and result.checked == 5
    assert AuditHead.objects.get(id=1).last_hash == AuditEntry.objects.order_by("pk").last().hash
    with pytest.raises(Exception):  # the trigger is back
        AuditEntry.objects.filter(pk=chain[0].pk).update(reason="x")


def test_production_refuses_to_start_without_an_audit_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGJIANG_")} | {
        "GONGJIANG_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org",
        "GONGJIANG_FIELD_KEY": "k", "GONGJIANG_HASH_KEY": "h"}
    code = "import gongjiang.settings"
    missing = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert missing.returncode != 0 and "GONGJIANG_AUDIT_KEY must be set" in missing.stderr
    given = subprocess.run([sys.executable, "-c", code], env=env | {"GONGJIANG_AUDIT_KEY": "a" * 40},
                           capture_output=True, text=True)
    assert given.returncode == 0, given.stderr
