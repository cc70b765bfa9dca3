"""TRUNCATE empties a table without firing row triggers: a statement trigger refuses it on the
audit log too. A superuser is let through: it can drop any trigger anyway, and the test runner
(a superuser) empties every table between tests. The application must therefore not connect as a
superuser; `grant_app_role` gives its role what it needs, and on the audit log only SELECT and
INSERT (README, Security)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION send_audit_no_truncate() RETURNS trigger AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit log entries cannot be truncated';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS send_audit_no_truncate ON auditlog_logentry;
CREATE TRIGGER send_audit_no_truncate BEFORE TRUNCATE ON auditlog_logentry
  FOR EACH STATEMENT EXECUTE FUNCTION send_audit_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS send_audit_no_truncate ON auditlog_logentry;
DROP FUNCTION IF EXISTS send_audit_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("trusts", "0003_audit_log_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
