"""A payment line's references (run, entitlement, re-queued-from line) checked once per statement
on PostgreSQL instead of once per row.

A run stores 100,000 lines in one INSERT … SELECT; with the three foreign keys PostgreSQL queued
300,000 row-level checks and ran them at COMMIT (0.75 s of a 1.8 s run). Here, on PostgreSQL:

- an AFTER INSERT statement trigger reads the statement's new lines (a transition table) and checks
  with one join that every run, entitlement and re-queued-from line exists (SQLSTATE 23503, so
  Django raises IntegrityError); a row trigger does the same for an UPDATE that changes one of them;
- a foreign key also keeps its parent from being deleted or renumbered while lines point at it
  (and locks it against a concurrent DELETE): the ledger's rows (entitlements, runs, lines) are
  never deleted and their ids never change, refused by BEFORE DELETE / UPDATE OF id triggers
  (SQLSTATE 23001). No code path deletes them: every foreign key to them is PROTECT. TRUNCATE fires
  no DELETE trigger: an AFTER TRUNCATE trigger refuses truncating entitlements or runs while lines
  remain (truncating them together, as the test flush does, is allowed).

On SQLite the foreign keys stay (the model says db_constraint=False only so that the state matches
PostgreSQL): checked at commit, row by row, cheap there; a parent with lines cannot be deleted.
gongjiang/payments/tests/test_ledger_integrity.py checks both backends.
"""
from django.db import migrations, models

COLUMNS = ("run_id", "entitlement_id", "requeued_from_id")
# (column, parent table) of each reference the triggers check
PARENTS = (("run_id", "payments_paymentrun"), ("entitlement_id", "payments_entitlement"),
           ("requeued_from_id", "payments_paymentline"))

PG_UP = r"""
CREATE FUNCTION payments_line_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- every line of the statement at once: hash or merge joins over the new lines, not one
    -- index probe per line and reference
    SELECT n.id, n.run_id, n.entitlement_id, n.requeued_from_id,
           r.id IS NULL AS no_run, e.id IS NULL AS no_entitlement
      INTO bad
      FROM payments_line_new n
      LEFT JOIN payments_paymentrun r ON r.id = n.run_id
      LEFT JOIN payments_entitlement e ON e.id = n.entitlement_id
     WHERE r.id IS NULL OR e.id IS NULL
        OR (n.requeued_from_id IS NOT NULL
            AND NOT EXISTS (SELECT FROM payments_paymentline p WHERE p.id = n.requeued_from_id))
     LIMIT 1;
    IF FOUND THEN
        PERFORM payments_line_reference_missing(bad.no_run, bad.no_entitlement, bad.run_id, bad.entitlement_id,
                                                bad.requeued_from_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION payments_line_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    no_run boolean := NOT EXISTS (SELECT FROM payments_paymentrun WHERE id = NEW.run_id);
    no_entitlement boolean := NOT EXISTS (SELECT FROM payments_entitlement WHERE id = NEW.entitlement_id);
BEGIN
    IF no_run OR no_entitlement OR (NEW.requeued_from_id IS NOT NULL
                                    AND NOT EXISTS (SELECT FROM payments_paymentline WHERE id = NEW.requeued_from_id)) THEN
        PERFORM payments_line_reference_missing(no_run, no_entitlement, NEW.run_id, NEW.entitlement_id,
                                                NEW.requeued_from_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION payments_line_reference_missing(no_run boolean, no_entitlement boolean, run bigint,
                                                entitlement bigint, requeued_from bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    col text := CASE WHEN no_run THEN 'run_id' WHEN no_entitlement THEN 'entitlement_id' ELSE 'requeued_from_id' END;
    val bigint := CASE WHEN no_run THEN run WHEN no_entitlement THEN entitlement ELSE requeued_from END;
    parent text := CASE WHEN no_run THEN 'payments_paymentrun' WHEN no_entitlement THEN 'payments_entitlement'
                        ELSE 'payments_paymentline' END;
BEGIN
    RAISE EXCEPTION 'insert or update on table "payments_paymentline" violates its reference to "%"', parent
        USING ERRCODE = 'foreign_key_violation', TABLE = 'payments_paymentline', COLUMN = col,
              DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, val, parent);
END $$;

CREATE TRIGGER payments_line_references_exist AFTER INSERT ON payments_paymentline
    REFERENCING NEW TABLE AS payments_line_new
    FOR EACH STATEMENT EXECUTE FUNCTION payments_line_references_exist();
CREATE TRIGGER payments_line_reference_changed AFTER UPDATE OF run_id, entitlement_id, requeued_from_id
    ON payments_paymentline FOR EACH ROW
    WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id OR OLD.entitlement_id IS DISTINCT FROM NEW.entitlement_id
          OR OLD.requeued_from_id IS DISTINCT FROM NEW.requeued_from_id)
    EXECUTE FUNCTION payments_line_reference_changed();

CREATE FUNCTION payments_ledger_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% of a row of "%" refused: the payment ledger never deletes or renumbers its rows',
        CASE TG_OP WHEN 'DELETE' THEN 'deletion' ELSE 'change of the id' END, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation', TABLE = TG_TABLE_NAME, DETAIL = format('Key (id)=(%s).', OLD.id);
END $$;

CREATE FUNCTION payments_ledger_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- after the whole TRUNCATE statement: truncating the lines in the same statement is allowed
    IF EXISTS (SELECT FROM payments_paymentline) THEN
        RAISE EXCEPTION 'cannot truncate table "%" while payments_paymentline has rows: truncate them together',
            TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;
"""
KEPT = ("payments_entitlement", "payments_paymentrun", "payments_paymentline")
PG_KEPT = """
CREATE TRIGGER {t}_not_deleted BEFORE DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION payments_ledger_kept();
CREATE TRIGGER {t}_not_renumbered BEFORE UPDATE OF id ON {t} FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION payments_ledger_kept();
"""
PG_TRUNCATE = """
CREATE TRIGGER {t}_not_truncated_under_lines AFTER TRUNCATE ON {t} FOR EACH STATEMENT
    EXECUTE FUNCTION payments_ledger_truncated();
"""
PG_DOWN = """
DROP TRIGGER payments_line_references_exist ON payments_paymentline;
DROP TRIGGER payments_line_reference_changed ON payments_paymentline;
{drop_kept}
DROP FUNCTION payments_line_references_exist(), payments_line_reference_changed(),
    payments_line_reference_missing(boolean, boolean, bigint, bigint, bigint), payments_ledger_kept(),
    payments_ledger_truncated();
"""


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, "payments_paymentline")
    for name, c in sorted(constraints.items()):
        if c["foreign_key"] and c["columns"] and c["columns"][0] in COLUMNS:
            schema_editor.execute(f"ALTER TABLE payments_paymentline DROP CONSTRAINT {schema_editor.quote_name(name)}")
    schema_editor.execute(PG_UP, params=None)
    for t in KEPT:
        schema_editor.execute(PG_KEPT.format(t=t), params=None)
    for t in ("payments_entitlement", "payments_paymentrun"):
        schema_editor.execute(PG_TRUNCATE.format(t=t), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    drop_kept = "\n".join(f"DROP TRIGGER {t}_not_deleted ON {t}; DROP TRIGGER {t}_not_renumbered ON {t};" for t in KEPT)
    drop_kept += "\n" + "\n".join(f"DROP TRIGGER {t}_not_truncated_under_lines ON {t};"
                                  for t in ("payments_entitlement", "payments_paymentrun"))
    schema_editor.execute(PG_DOWN.format(drop_kept=drop_kept), params=None)
    for column, parent in PARENTS:
        schema_editor.execute(
            f"ALTER TABLE payments_paymentline ADD CONSTRAINT payments_paymentline_{column}_fk FOREIGN KEY ({column}) "
            f"REFERENCES {parent} (id) DEFERRABLE INITIALLY DEFERRED")


def line_field(name, **kwargs):
    return migrations.AlterField(model_name="paymentline", name=name, field=models.ForeignKey(
        db_constraint=False, on_delete=models.deletion.PROTECT, **kwargs))


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0004_line_paid_once_indexes_entitlement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                line_field("run", related_name="lines", to="payments.paymentrun"),
                line_field("entitlement", db_index=False, related_name="lines", to="payments.entitlement"),
                line_field("requeued_from", blank=True, null=True, db_index=False, related_name="requeued_as",
                           to="payments.paymentline"),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
