"""Give the application's database role what it needs, and on the audit log no more than reading
and adding rows.

Run by the role that owns the tables (the one that runs `migrate`), after every migration:

    python manage.py migrate && python manage.py grant_app_role send_app

The web and job processes then connect as `send_app`: it can read and write the app's tables, but
can neither update, delete nor truncate audit rows (the one column it may set is `actor_id`, to
NULL, when a user is deleted, which the append-only trigger also checks), and as it owns no
table it cannot drop or disable the audit triggers."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

AUDIT_TABLE = "auditlog_logentry"


def grant_statements(role: str) -> list[sql.Composed]:
    who = sql.Identifier(role)
    audit = sql.Identifier(AUDIT_TABLE)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(audit, who),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(audit, who),
        sql.SQL("GRANT UPDATE (actor_id) ON {} TO {}").format(audit, who),
    ]


class Command(BaseCommand):
    help = (
        "Grant the application's database role read and write on the app's tables, and only "
        "SELECT and INSERT on the audit log. Run as the tables' owner after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web and job processes connect as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError(f"Database roles are PostgreSQL's: nothing to grant on {connection.vendor}.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(
                    f"There is no database role {role!r}: create it first "
                    f"(CREATE ROLE {role} LOGIN PASSWORD '...')."
                )
            if found[0]:
                raise CommandError(
                    f"{role!r} is a superuser, which no grant can limit: the "
                    "application must connect as an ordinary role."
                )
            for statement in grant_statements(role):
                cursor.execute(statement)
        self.stdout.write(f"Granted {role}: the app's tables, and only SELECT and INSERT on the audit log.")
