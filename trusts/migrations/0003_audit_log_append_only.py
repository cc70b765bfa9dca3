"""Audit entries can be added, never changed or deleted, whatever code or admin tries.

On PostgreSQL a trigger refuses UPDATE and DELETE on auditlog_logentry. The one change let
through is the actor becoming NULL when a user is deleted (the entry keeps `actor_email`), so
audit rows survive the deletion of the person they name."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION send_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit log entries cannot be deleted';
  END IF;
  IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
     AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit log entries cannot be changed';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS send_audit_append_only ON auditlog_logentry;
CREATE TRIGGER send_audit_append_only BEFORE UPDATE OR DELETE ON auditlog_logentry
  FOR EACH ROW EXECUTE FUNCTION send_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS send_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS send_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("trusts", "0002_login_event"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
