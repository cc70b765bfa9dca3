import csv
import io
import uuid
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, transaction

from trusts import audit
from trusts.exports import neutralise
from trusts.models import LoginEvent

from .factories import SchoolFactory, data_admin, executive, head_of_send, senco

pytestmark = pytest.mark.django_db


def an_entry(actor, school):
    audit.record_export(actor=actor, subject=school, what="register CSV", rows=12)
    return LogEntry.objects.latest("pk")


def test_an_export_entry_names_who_what_and_the_trust_without_values():
    school = SchoolFactory()
    user = senco(school)
    entry = an_entry(user, school)
    assert entry.actor == user and entry.actor_email == user.email
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.additional_data == {
        "trust_id": school.trust_id,
        "school_id": school.pk,
        "export": "register CSV",
        "rows": 12,
    }


def test_audit_entries_cannot_be_changed():
    school = SchoolFactory()
    entry = an_entry(senco(school), school)
    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")


def test_audit_entries_cannot_be_deleted():
    school = SchoolFactory()
    entry = an_entry(senco(school), school)
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_audit_entries_survive_the_deletion_of_the_user_they_name():
    school = SchoolFactory()
    user = senco(school)
    email = user.email
    entry = an_entry(user, school)
    user.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None
    assert entry.actor_email == email


def test_the_admin_offers_no_way_to_change_or_delete_audit_entries(client):
    from trusts.models import User

    from .factories import with_totp

    admin_client = client
    admin_client.force_login(with_totp(User.objects.create_superuser("root@example.test", "x")))
    school = SchoolFactory()
    entry = an_entry(senco(school), school)
    change = admin_client.get(f"/admin/auditlog/logentry/{entry.pk}/change/")
    assert b'name="_save"' not in change.content
    delete = admin_client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_a_data_admin_sees_their_trusts_audit_log_and_not_anothers(client):
    mine, other = SchoolFactory(), SchoolFactory()
    admin_user = data_admin(mine.trust)
    an_entry(senco(mine), mine)
    an_entry(senco(other), other)
    client.force_login(admin_user)
    response = client.get(f"/audit/{mine.trust.slug}/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert client.get(f"/audit/{other.trust.slug}/").status_code == 404
    assert client.get(f"/audit/{other.trust.slug}/export.csv").status_code == 404
    assert client.get(f"/audit/{other.trust.slug}/logins/").status_code == 404


@pytest.mark.parametrize("persona", ["senco", "executive"])
def test_roles_without_audit_rights_get_404(client, persona):
    school = SchoolFactory()
    user = senco(school) if persona == "senco" else executive(school.trust)
    client.force_login(user)
    assert client.get(f"/audit/{school.trust.slug}/").status_code == 404


def test_the_audit_export_is_itself_audited_and_safe_in_excel(client):
    school = SchoolFactory(name='=HYPERLINK("http://evil")')
    reader = head_of_send(school.trust)
    an_entry(senco(school), school)
    client.force_login(reader)
    response = client.get(f"/audit/{school.trust.slug}/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    record_cells = [row[4] for row in rows[1:]]
    assert all(not cell.startswith("=") for cell in record_cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in record_cells)
    assert LogEntry.objects.filter(additional_data__export="audit log CSV").count() == 1


def test_login_history_shows_failed_attempts_of_the_trusts_people(client):
    school = SchoolFactory()
    member = executive(school.trust)
    client.post("/accounts/login/", {"login": member.email, "password": "wrong-password-1"})
    event = LoginEvent.objects.get()
    assert event.user == member and not event.succeeded
    client.force_login(head_of_send(school.trust))
    response = client.get(f"/audit/{school.trust.slug}/logins/")
    assert member.email in response.content.decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1234", "'+44 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Holy Cross", "Holy Cross"),
        (12, 12),
        (-1, -1),
        (Decimal("-5.00"), Decimal("-5.00")),
        (None, None),
    ],
)
def test_neutralise_quotes_every_formula_prefix(value, expected):
    assert neutralise(value) == expected


def test_audit_page_query_count_does_not_grow_with_entries(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    school = SchoolFactory()
    writer = senco(school)
    client.force_login(head_of_send(school.trust))
    an_entry(writer, school)
    client.get(f"/audit/{school.trust.slug}/")  # the session's first page saves it
    with CaptureQueriesContext(connection) as few:
        client.get(f"/audit/{school.trust.slug}/")
    for _ in range(20):
        an_entry(writer, school)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/audit/{school.trust.slug}/")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The database role the application connects as ------------------------------------------------


@pytest.fixture
def app_role():
    """An ordinary role, as the application connects as in production (never a superuser)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    role = f"send_app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    yield role
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def as_role(role: str, statement: str, params=()):
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in a transaction of its own
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params)


def test_the_app_role_adds_audit_rows_but_cannot_change_delete_or_truncate_them(app_role):
    from django.core.management import call_command
    from django.db import ProgrammingError

    school = SchoolFactory()
    entry = an_entry(senco(school), school)
    call_command("grant_app_role", app_role, stdout=io.StringIO())
    as_role(
        app_role,
        "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_repr, "
        "action, changes_text, changes, timestamp, additional_data, remote_addr, "
        "serialized_data, actor_email) SELECT content_type_id, object_pk, object_repr, "
        "action, changes_text, changes, now(), additional_data, remote_addr, "
        "serialized_data, actor_email FROM auditlog_logentry WHERE id = %s",
        [entry.pk],
    )
    as_role(app_role, "UPDATE trusts_school SET name = name WHERE id = %s", [school.pk])
    for statement in (
        "UPDATE auditlog_logentry SET object_repr = 'x'",
        "DELETE FROM auditlog_logentry",
        "TRUNCATE auditlog_logentry",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            as_role(app_role, statement)
    assert LogEntry.objects.count() == 2


def test_truncating_the_audit_log_is_refused_even_to_a_role_allowed_to(app_role):
    from django.db import connection

    an_entry(senco(SchoolFactory()), SchoolFactory())
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON auditlog_logentry TO "{app_role}"')
    with pytest.raises(DatabaseError, match="cannot be truncated"):
        as_role(app_role, "TRUNCATE auditlog_logentry")
    assert LogEntry.objects.exists()


def test_granting_refuses_a_superuser_and_a_role_that_does_not_exist():
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    with pytest.raises(CommandError, match="is a superuser"):
        call_command("grant_app_role", connection.get_connection_params()["user"])
    with pytest.raises(CommandError, match="no database role"):
        call_command("grant_app_role", "no_such_role_here")


def test_every_model_audited_in_a_school_names_a_path_that_ends_at_a_school():
    from django.apps import apps

    from trusts.models import School

    audited = [m for m in apps.get_models() if issubclass(m, audit.AuditedInSchool)]
    assert len(audited) >= 20  # the register, provision, support, funding, casework, transfers
    for model in audited:
        step = model
        for name in model.audit_school.split("."):
            step = step._meta.get_field(name).related_model
        assert step is School, model
