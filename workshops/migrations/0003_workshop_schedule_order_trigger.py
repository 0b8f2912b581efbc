"""The database refuses a schedule out of the method's order (e.g. a mixed workshop before the
agents or users workshop), whatever code writes the row. A trigger, because the rule spans
rows. On SQLite, a later migration that rebuilds workshops_workshop must recreate it."""

from django.db import migrations

SQLITE_CONDITION = """
    SELECT RAISE(ABORT, 'workshop_schedule_order: workshops must start in the method order')
    WHERE EXISTS (
        SELECT 1 FROM workshops_workshop w
        WHERE w.concertation_id = NEW.concertation_id
          AND w.id IS NOT NEW.id
          AND w.starts_at IS NOT NULL
          AND ((w."order" < NEW."order" AND w.starts_at >= NEW.starts_at)
            OR (w."order" > NEW."order" AND w.starts_at <= NEW.starts_at))
    );
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER workshop_schedule_order_insert BEFORE INSERT ON workshops_workshop
    WHEN NEW.starts_at IS NOT NULL BEGIN {SQLITE_CONDITION} END;""",
    f"""CREATE TRIGGER workshop_schedule_order_update
    BEFORE UPDATE OF starts_at, "order" ON workshops_workshop
    WHEN NEW.starts_at IS NOT NULL BEGIN {SQLITE_CONDITION} END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS workshop_schedule_order_insert;",
    "DROP TRIGGER IF EXISTS workshop_schedule_order_update;",
]

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION workshops_workshop_schedule_order() RETURNS trigger AS $$
    BEGIN
      IF NEW.starts_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM workshops_workshop w
        WHERE w.concertation_id = NEW.concertation_id
          AND w.id <> NEW.id
          AND w.starts_at IS NOT NULL
          AND ((w."order" < NEW."order" AND w.starts_at >= NEW.starts_at)
            OR (w."order" > NEW."order" AND w.starts_at <= NEW.starts_at))
      ) THEN
        RAISE EXCEPTION 'workshop_schedule_order: workshops must start in the method order'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER workshop_schedule_order
    BEFORE INSERT OR UPDATE OF starts_at, "order" ON workshops_workshop
    FOR EACH ROW EXECUTE FUNCTION workshops_workshop_schedule_order();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS workshop_schedule_order ON workshops_workshop;",
    "DROP FUNCTION IF EXISTS workshops_workshop_schedule_order();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("workshops", "0002_default_method")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
