"""Database triggers that refuse UPDATE and DELETE of audit entries (defence in depth: the chain
still detects what a database superuser does with triggers off). The one allowed UPDATE sets the
hash of a row inserted a moment before in the same transaction ('pending-' placeholder).
SQLite gets the UPDATE trigger only: Django's test flush deletes rows there with DELETE."""
from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash LIKE 'pending-%' AND NEW.id = OLD.id AND NEW.prev_hash = OLD.prev_hash
     AND NEW.action = OLD.action AND NEW.reason = OLD.reason THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit entries are append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry; DROP FUNCTION IF EXISTS audit_append_only();"
SQLITE_UP = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
WHEN OLD.hash NOT LIKE 'pending-%' OR NEW.prev_hash != OLD.prev_hash OR NEW.action != OLD.action
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_no_update;"


def forwards(apps, schema_editor):
    sql = PG_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    sql = PG_DOWN if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
