"""The chain becomes keyed: each entry's hash is an HMAC under the audit key from the environment
(GONGJIANG_AUDIT_KEY) and names the key it used. Existing entries are re-keyed here, once, after their
plain SHA-256 chain has been verified as it stood; a broken legacy chain stops the migration (keep the
database as it is and follow "audit log broken" in docs/operations.md). The append-only triggers are
lifted for the re-keying only: PostgreSQL's is disabled and re-enabled, SQLite's is re-created (adding
the column re-creates the table there, which drops its triggers)."""
import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64
SQLITE_TRIGGER = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
WHEN OLD.hash NOT LIKE 'pending-%' OR NEW.prev_hash != OLD.prev_hash OR NEW.action != OLD.action
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""


def _payload(entry, key_id=None):
    payload = {
        "id": entry.pk, "created_at": entry.created_at.isoformat(), "actor_id": entry.actor_id,
        "actor_name": entry.actor_name, "organisation_id": entry.organisation_id_snapshot,
        "organisation_name": entry.organisation_name, "action": entry.action, "object_type": entry.object_type,
        "object_id": entry.object_id, "object_repr": entry.object_repr, "before": entry.before,
        "after": entry.after, "reason": entry.reason, "prev_hash": entry.prev_hash,
    }
    if key_id is not None:
        payload["key_id"] = key_id
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def rekey(apps, schema_editor):
    from gongjiang.audit import keys

    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditHead")
    connection = schema_editor.connection
    kid, key = keys.current()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        else:
            cur.execute("DROP TRIGGER IF EXISTS audit_no_update")
    old_prev, new_prev, last_id = GENESIS, GENESIS, 0
    for entry in Entry.objects.order_by("pk").iterator(chunk_size=2000):
        if entry.prev_hash != old_prev or hashlib.sha256(_payload(entry)).hexdigest() != entry.hash:
            raise RuntimeError(f"audit chain broken at entry #{entry.pk} before re-keying: investigate first "
                               "(docs/operations.md, 'audit log broken')")
        old_prev = entry.hash
        entry.prev_hash, entry.key_id = new_prev, kid
        entry.hash = keys.mac(key, b"entry", _payload(entry, kid))
        Entry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, key_id=kid, hash=entry.hash)
        new_prev, last_id = entry.hash, entry.pk
    head = Head.objects.filter(id=1).first()
    if head is not None:
        if (head.last_id, head.last_hash) != (last_id, old_prev):
            raise RuntimeError("audit chain head does not match its newest entry before re-keying: investigate first")
        Head.objects.filter(id=1).update(last_hash=new_prev)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")
        else:
            cur.execute(SQLITE_TRIGGER)


def refuse_backwards(apps, schema_editor):
    raise RuntimeError("the keyed audit chain cannot be turned back into an unkeyed one")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chaincheck")]
    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(default="", max_length=12, verbose_name="密钥标识"),
        ),
        migrations.RunPython(rekey, refuse_backwards),
    ]
