"""trusts.freshness against the real PostgreSQL and Redis: which statements give a table a new
version and when, and what `cached()` serves from the figures cache and what it computes.

Every test here is transactional: the ordinary test transaction would hold every write
uncommitted, so no version would ever change and `cached()` would never use the cache."""

from __future__ import annotations

import contextlib
import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.test import override_settings

from pupils.models import CensusSnapshot, NationalAverage
from pupils.tests.factories import CensusSnapshotFactory
from trusts import freshness
from trusts.models import LocalAuthority, School, Trust
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db(transaction=True)

TRUSTS = Trust._meta.db_table
AUTHORITIES = LocalAuthority._meta.db_table
NATIONALS = NationalAverage._meta.db_table
CENSUSES = CensusSnapshot._meta.db_table


class Rollback(Exception):
    pass


def figures():
    return caches[freshness.CACHE_ALIAS]


def version(table: str) -> str | None:
    return figures().get(f"table-version:{table}")


def learned_tables(kind: str) -> list[str] | None:
    return figures().get(f"figures-tables:{kind}")


def entries(kind: str) -> list[str]:
    """The keys of the stored figures of this kind (without the cache's key prefix)."""
    cache = figures()
    client = cache._cache.get_client(write=False)
    prefix = cache.make_key(f"figures:{kind}:")
    return [k.decode()[len(prefix) - len(f"figures:{kind}:"):]
            for k in client.scan_iter(match=prefix + "*")]


def new_trust(name: str = "") -> Trust:
    return TrustFactory(**({"name": name} if name else {}))


def versioned(table: str) -> str:
    """The table's current version, giving it one first if it has none yet."""
    freshness._versions(figures(), [table])
    value = version(table)
    assert value
    return value


def trust_names(calls: list[int]):
    """A computation reading trusts_trust only, counting its runs in `calls`. What it returns
    names the run that computed it, so a stored value is told apart from a fresh one."""

    def compute():
        calls.append(1)
        return {"run": len(calls), "names": sorted(Trust.objects.values_list("name", flat=True))}

    return compute


def warm(kind: str, params: tuple, compute, calls: list[int]):
    """Call cached() until the figures are stored (the first call learns the tables, the next
    stores the figures under their versions); the value a further call gets from the cache."""
    start = len(calls)
    freshness.cached(kind, params, compute)
    second = freshness.cached(kind, params, compute)
    assert len(calls) - start <= 2
    before = len(calls)
    third = freshness.cached(kind, params, compute)
    assert len(calls) == before, "the figures were not stored after two calls"
    assert third == second
    return third


@pytest.fixture
def alpha_names():
    """One trust, Alpha, and a computation of the trusts' names already in the cache:
    (the computation, its run counter, the stored value)."""
    new_trust("Alpha")
    calls: list[int] = []
    compute = trust_names(calls)
    return compute, calls, warm("names", (), compute, calls)


# --- Writes give tables new versions; reads do not ---------------------------------------------


def _orm_create():
    new_trust("Created by save")


def _orm_save_changed():
    trust = Trust.objects.get(name="Existing")
    trust.name = "Renamed by save"
    trust.save()


def _queryset_update():
    assert Trust.objects.filter(name="Existing").update(name="Renamed by update") == 1


def _bulk_create():
    Trust.objects.bulk_create([Trust(name="Bulk 1", slug="bulk-1"),
                               Trust(name="Bulk 2", slug="bulk-2")])


def _raw_insert():
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO trusts_trust (name, slug) VALUES (%s, %s)",
                       ["Raw insert", "raw-insert"])


def _raw_insert_quoted():
    with connection.cursor() as cursor:
        cursor.execute('insert into "trusts_trust" ("name", "slug") values (%s, %s)',
                       ["Raw quoted", "raw-quoted"])


def _upsert():
    Trust.objects.bulk_create([Trust(name="Existing", slug="existing-again")],
                              update_conflicts=True, unique_fields=["name"],
                              update_fields=["slug"])


def _instance_delete():
    Trust.objects.get(name="Existing").delete()


def _queryset_delete():
    assert Trust.objects.filter(name="Existing").delete()[0] == 1


WRITES = {
    "orm create": _orm_create,
    "orm save of a changed row": _orm_save_changed,
    "queryset update": _queryset_update,
    "bulk_create": _bulk_create,
    "raw SQL insert": _raw_insert,
    "raw SQL insert, quoted and lower case": _raw_insert_quoted,
    "upsert (INSERT ... ON CONFLICT DO UPDATE)": _upsert,
    "instance delete": _instance_delete,
    "queryset delete": _queryset_delete,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_committed_write_gives_the_written_table_a_new_version(write):
    new_trust("Existing")
    before = versioned(TRUSTS)
    authorities = versioned(AUTHORITIES)
    write()
    after = version(TRUSTS)
    assert after and after != before
    # Only the table written: another table keeps its version.
    assert version(AUTHORITIES) == authorities


def test_a_truncate_gives_every_table_a_new_version_through_the_shared_one():
    # One statement naming several tables, as `manage.py flush` (Django's sql_flush) and the
    # census bench's reset write it; CASCADE would empty tables it does not even name.
    every = versioned(freshness.EVERY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {NATIONALS}, {CENSUSES}")
    assert version(freshness.EVERY_TABLE) != every


def test_figures_read_from_a_table_truncated_with_others_are_computed_again():
    school = SchoolFactory()
    CensusSnapshotFactory(school=school)
    calls: list[int] = []

    def compute():
        calls.append(1)
        return {"censuses": CensusSnapshot.objects.count()}

    assert warm("censuses", (), compute, calls)["censuses"] == 1
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{NATIONALS}", "{CENSUSES}"')
    assert CensusSnapshot.objects.count() == 0
    assert freshness.cached("censuses", (), compute)["censuses"] == 0


def test_each_committed_write_gives_a_version_never_seen_before():
    seen = {versioned(TRUSTS)}
    for n in range(3):
        new_trust(f"Trust {n}")
        seen.add(version(TRUSTS))
    assert len(seen) == 4


def test_a_table_never_written_gets_a_version_when_first_read_through_the_cache():
    assert version(NATIONALS) is None
    calls: list[int] = []

    def compute():
        calls.append(1)
        return NationalAverage.objects.count()

    freshness.cached("nationals", (), compute)
    freshness.cached("nationals", (), compute)
    assert version(NATIONALS)


def test_reading_a_table_does_not_change_its_version():
    new_trust("Existing")
    before = versioned(TRUSTS)
    list(Trust.objects.all())
    Trust.objects.filter(name="Existing").exists()
    Trust.objects.values_list("slug", flat=True).get(name="Existing")
    with transaction.atomic():
        Trust.objects.select_for_update().get(name="Existing")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM trusts_trust WHERE name = %s", ["Existing"])
        assert cursor.fetchall() == [("Existing",)]
    assert version(TRUSTS) == before


def test_a_write_that_changes_no_row_still_counts_as_a_write():
    # The wrapper sees statements, not row counts: an UPDATE matching nothing is a write.
    before = versioned(TRUSTS)
    assert Trust.objects.filter(name="Nobody").update(name="Still nobody") == 0
    assert version(TRUSTS) != before


# --- Transactions: versions change when the transaction commits, not before -------------------


def test_inside_a_transaction_the_version_changes_only_when_it_commits():
    before = versioned(TRUSTS)
    with transaction.atomic():
        new_trust("In a transaction")
        Trust.objects.filter(name="In a transaction").update(slug="still-in-it")
        assert version(TRUSTS) == before
        assert freshness.has_uncommitted_writes()
    assert version(TRUSTS) != before
    assert not freshness.has_uncommitted_writes()


def test_a_rolled_back_transaction_changes_no_version():
    trusts, authorities = versioned(TRUSTS), versioned(AUTHORITIES)
    with pytest.raises(Rollback), transaction.atomic():
        new_trust("Rolled back")
        LocalAuthorityFactory(code=901)
        raise Rollback
    assert not Trust.objects.filter(name="Rolled back").exists()
    assert (version(TRUSTS), version(AUTHORITIES)) == (trusts, authorities)
    assert not freshness.has_uncommitted_writes()


def test_writes_after_a_rolled_back_savepoint_are_bumped_when_the_outer_transaction_commits():
    trusts, authorities, nationals = (versioned(TRUSTS), versioned(AUTHORITIES),
                                      versioned(NATIONALS))
    with transaction.atomic():
        with pytest.raises(Rollback), transaction.atomic():
            LocalAuthorityFactory(code=902)
            raise Rollback
        # The savepoint's callback went with it: nothing of this transaction is pending.
        assert not freshness.has_uncommitted_writes()
        new_trust("After the savepoint")
        NationalAverage.objects.create(phase="primary", ehcp_pct=2, sen_support_pct=13,
                                       total_send_pct=15)
        assert freshness.has_uncommitted_writes()
        assert (version(TRUSTS), version(NATIONALS)) == (trusts, nationals)
    assert version(TRUSTS) != trusts
    assert version(NATIONALS) != nationals
    assert version(AUTHORITIES) == authorities


def test_a_rolled_back_savepoint_does_not_take_the_outer_transactions_writes_with_it():
    # The outer transaction writes first, then a savepoint writes another table and is rolled
    # back, then the outer transaction writes again: its two tables get new versions, the
    # savepoint's table does not.
    trusts, authorities, nationals = (versioned(TRUSTS), versioned(AUTHORITIES),
                                      versioned(NATIONALS))
    with transaction.atomic():
        new_trust("Before the savepoint")
        with pytest.raises(Rollback), transaction.atomic():
            LocalAuthorityFactory(code=903)
            new_trust("In the savepoint")
            raise Rollback
        NationalAverage.objects.create(phase="secondary", ehcp_pct=2, sen_support_pct=11,
                                       total_send_pct=13)
    assert version(TRUSTS) != trusts
    assert version(NATIONALS) != nationals
    assert version(AUTHORITIES) == authorities
    assert list(Trust.objects.values_list("name", flat=True)) == ["Before the savepoint"]


def test_a_released_savepoints_writes_are_bumped_with_the_transaction():
    trusts, authorities = versioned(TRUSTS), versioned(AUTHORITIES)
    with transaction.atomic():
        with transaction.atomic():
            LocalAuthorityFactory(code=904)
        with pytest.raises(Rollback), transaction.atomic():
            new_trust("Rolled back")
            raise Rollback
        assert version(AUTHORITIES) == authorities
    assert version(AUTHORITIES) != authorities
    assert version(TRUSTS) == trusts


def test_tables_written_outside_the_orm_are_bumped_when_the_transaction_commits():
    before = versioned(NATIONALS)
    with transaction.atomic():
        freshness.tables_written([NATIONALS])
        assert version(NATIONALS) == before
    assert version(NATIONALS) != before


def test_tables_written_outside_a_transaction_are_bumped_at_once():
    before = versioned(NATIONALS)
    freshness.tables_written([NATIONALS])
    assert version(NATIONALS) != before


def test_unversioned_tables_never_get_a_version():
    session = SessionStore()
    session["x"] = 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(session_data="changed")
    assert version("django_session") is None


# --- cached(): from the cache while nothing it read has changed --------------------------------


def test_cached_figures_are_served_without_computing_again_while_nothing_changed(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    for _ in range(3):
        assert freshness.cached("names", (), compute) == stored
    assert len(calls) == computed
    assert learned_tables("names") == [TRUSTS]
    assert len(entries("names")) == 1


def test_cached_figures_are_kept_apart_by_params():
    new_trust("Alpha")
    calls: list[int] = []
    compute = trust_names(calls)
    warm("names", ("a",), compute, calls)
    computed = len(calls)
    value = freshness.cached("names", ("b",), compute)
    assert len(calls) == computed + 1
    assert value["run"] == len(calls)


def test_cached_figures_are_computed_again_after_a_committed_write_to_a_table_they_read(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    new_trust("Beta")
    value = freshness.cached("names", (), compute)
    assert len(calls) == computed + 1
    assert value["names"] == ["Alpha", "Beta"] != stored["names"]
    # ... and the new figures are stored in their turn.
    assert freshness.cached("names", (), compute) == value
    assert len(calls) == computed + 1


def test_cached_figures_are_computed_again_after_a_write_committed_in_a_transaction(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    with transaction.atomic():
        Trust.objects.filter(name="Alpha").update(name="Gamma")
    assert freshness.cached("names", (), compute)["names"] == ["Gamma"]
    assert len(calls) == computed + 1


def test_cached_figures_are_kept_after_a_write_to_a_table_they_did_not_read(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    authorities = versioned(AUTHORITIES)
    LocalAuthorityFactory(code=905)
    NationalAverage.objects.create(phase="primary", ehcp_pct=2, sen_support_pct=13,
                                   total_send_pct=15)
    assert version(AUTHORITIES) != authorities  # the write was seen ...
    assert freshness.cached("names", (), compute) == stored  # ... and did not matter
    assert len(calls) == computed


def _schools_of_alpha_by_join():
    return School.objects.filter(trust__name="Alpha").count()


def _schools_of_alpha_by_subquery():
    return School.objects.filter(trust__in=Trust.objects.filter(name="Alpha")).count()


def _schools_of_alpha_by_exists():
    return School.objects.filter(
        Exists(Trust.objects.filter(pk=OuterRef("trust_id"), name="Alpha"))).count()


READS_THROUGH = {"join": _schools_of_alpha_by_join, "subquery": _schools_of_alpha_by_subquery,
                 "exists": _schools_of_alpha_by_exists}


@pytest.mark.parametrize("count", READS_THROUGH.values(), ids=READS_THROUGH.keys())
def test_a_table_read_only_inside_another_tables_query_is_one_the_figures_depend_on(count):
    SchoolFactory(trust=new_trust("Alpha"))
    calls: list[int] = []

    def compute():
        calls.append(1)
        return {"schools": count()}

    assert warm("schools", (), compute, calls)["schools"] == 1
    assert learned_tables("schools") == sorted([Trust._meta.db_table, School._meta.db_table])
    computed = len(calls)
    Trust.objects.filter(name="Alpha").update(name="Renamed")
    assert freshness.cached("schools", (), compute)["schools"] == 0
    assert len(calls) == computed + 1


def test_a_rolled_back_write_leaves_cached_figures_in_place(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    with pytest.raises(Rollback), transaction.atomic():
        new_trust("Beta")
        raise Rollback
    assert freshness.cached("names", (), compute) == stored
    assert len(calls) == computed


def test_figures_are_computed_and_not_stored_while_the_connection_has_uncommitted_writes(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    with pytest.raises(Rollback), transaction.atomic():
        new_trust("Uncommitted")
        inside = freshness.cached("names", (), compute)
        # Computed afresh: this connection sees its own write, which the stored figures lack.
        assert len(calls) == computed + 1
        assert inside["names"] == ["Alpha", "Uncommitted"]
        again = freshness.cached("names", (), compute)
        assert len(calls) == computed + 2
        assert again["names"] == ["Alpha", "Uncommitted"]
        raise Rollback
    # Nothing the transaction saw was stored: after the rollback the old figures come back.
    assert freshness.cached("names", (), compute) == stored
    assert len(calls) == computed + 2


def test_uncommitted_writes_to_any_table_mean_figures_are_computed_afresh(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    with transaction.atomic():
        LocalAuthorityFactory(code=906)
        freshness.cached("names", (), compute)
        assert len(calls) == computed + 1
    # Committed: the figures did not read that table, so the stored ones serve again.
    freshness.cached("names", (), compute)
    assert len(calls) == computed + 1


def test_figures_are_read_from_the_cache_inside_a_transaction_that_has_not_written(alpha_names):
    compute, calls, stored = alpha_names
    computed = len(calls)
    with transaction.atomic():
        assert freshness.cached("names", (), compute) == stored
    assert len(calls) == computed


def test_figures_read_from_an_unversioned_table_are_never_stored(caplog):
    new_trust("Alpha")
    SessionStore().save()
    calls: list[int] = []

    def compute():
        calls.append(1)
        return (Trust.objects.count(), Session.objects.count())

    with caplog.at_level(logging.ERROR, logger="trusts.freshness"):
        for n in range(1, 5):
            assert freshness.cached("sessions", (), compute) == (1, 1)
            assert len(calls) == n
    assert learned_tables("sessions") is None
    assert entries("sessions") == []
    assert any("django_session" in r.getMessage() for r in caplog.records)


# --- The process's memo of the tables each kind reads ---------------------------------------------


def test_figures_are_served_without_asking_the_cache_for_their_tables_again(alpha_names,
                                                                              monkeypatch):
    compute, calls, stored = alpha_names
    asked: list[str] = []
    real_get = figures().get
    monkeypatch.setattr(figures(), "get", lambda key, *a, **kw: asked.append(key) or real_get(
        key, *a, **kw))

    assert freshness.cached("names", (), compute) == stored

    assert not [key for key in asked if key.startswith("figures-tables:")]
    assert len(calls) == stored["run"]


def test_a_memo_missing_a_table_the_figures_read_never_serves_them_after_it_changes():
    new_trust("Alpha")
    calls: list[int] = []
    compute = trust_names(calls)
    # As if another process had learned the kind's tables before its code read trusts_trust.
    freshness._tables_of["names"] = [AUTHORITIES]
    warm("names", (), compute, calls)
    assert TRUSTS in freshness._tables_of["names"]

    new_trust("Beta")

    assert freshness.cached("names", (), compute)["names"] == ["Alpha", "Beta"]


# --- refreshing(): figures computed again before they expire ------------------------------------


def test_inside_refreshing_figures_stored_longer_ago_than_the_age_given_are_computed_again(
        alpha_names):
    compute, calls, stored = alpha_names

    with freshness.refreshing(max_age=0):
        refreshed = freshness.cached("names", (), compute)

    assert len(calls) == stored["run"] + 1
    assert refreshed == {"run": len(calls), "names": ["Alpha"]}
    # Stored anew: an ordinary read now gets the refreshed figures.
    assert freshness.cached("names", (), compute) == refreshed
    assert len(calls) == refreshed["run"]


def test_inside_refreshing_figures_younger_than_the_age_given_are_served_from_the_cache(
        alpha_names):
    compute, calls, stored = alpha_names

    with freshness.refreshing(max_age=3600):
        assert freshness.cached("names", (), compute) == stored

    assert len(calls) == stored["run"]


def test_figures_refreshed_once_in_a_pass_are_served_from_the_cache_for_the_rest_of_it(
        alpha_names):
    compute, calls, stored = alpha_names

    with freshness.refreshing(max_age=0):
        first = freshness.cached("names", (), compute)
        assert freshness.cached("names", (), compute) == first

    assert len(calls) == stored["run"] + 1


def test_inside_refreshing_figures_of_a_kind_never_computed_before_are_stored_at_once():
    new_trust("Alpha")
    calls: list[int] = []
    compute = trust_names(calls)

    with freshness.refreshing(max_age=0):
        refreshed = freshness.cached("names", (), compute)
    # Outside a refresh the first computation only learns the tables (see warm()).
    assert freshness.cached("names", (), compute) == refreshed
    assert len(calls) == refreshed["run"] == 2


def test_refreshing_shows_a_write_the_cache_never_saw(alpha_names, outside_sql):
    compute, calls, stored = alpha_names
    outside_sql("UPDATE trusts_trust SET name = 'Renamed outside' WHERE name = 'Alpha'")
    assert freshness.cached("names", (), compute) == stored

    with freshness.refreshing(max_age=0):
        assert freshness.cached("names", (), compute)["names"] == ["Renamed outside"]

    assert freshness.cached("names", (), compute)["names"] == ["Renamed outside"]


def test_the_figures_cache_is_answering_when_redis_is_up():
    assert freshness.answering()


# --- cached() when the figures cache does not answer -------------------------------------------


@pytest.fixture
def figures_cache_down(settings):
    """The figures cache points at a port where no Redis listens; the default cache stays."""
    down = {**settings.CACHES, freshness.CACHE_ALIAS: {
        **settings.CACHES[freshness.CACHE_ALIAS], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down):
        _forget_figures_cache()
        yield
    _forget_figures_cache()


def _forget_figures_cache():
    """Make django.core.cache build the figures cache again from the (changed) settings."""
    caches._settings = None
    with contextlib.suppress(AttributeError, KeyError):
        del caches[freshness.CACHE_ALIAS]


def test_figures_are_computed_without_an_error_when_the_figures_cache_does_not_answer(
        figures_cache_down):
    new_trust("Alpha")
    calls: list[int] = []
    compute = trust_names(calls)
    for n in range(1, 4):
        assert freshness.cached("names", (), compute) == {"run": n, "names": ["Alpha"]}
    assert len(calls) == 3


def test_writes_commit_without_an_error_when_the_figures_cache_does_not_answer(
        figures_cache_down, caplog):
    with caplog.at_level(logging.WARNING, logger="trusts.freshness"):
        new_trust("Alpha")
        with transaction.atomic():
            new_trust("Beta")
    assert Trust.objects.count() == 2
    assert any("unreachable" in r.getMessage() for r in caplog.records)


def test_the_figures_cache_is_not_answering_when_redis_is_down(figures_cache_down):
    assert not freshness.answering()


def test_the_real_figures_cache_is_used_again_once_the_override_ends(settings):
    down = {**settings.CACHES, freshness.CACHE_ALIAS: {
        **settings.CACHES[freshness.CACHE_ALIAS], "LOCATION": "redis://127.0.0.1:1/0"}}
    new_trust("Alpha")
    calls: list[int] = []
    compute = trust_names(calls)
    with override_settings(CACHES=down):
        _forget_figures_cache()
        freshness.cached("names", (), compute)
        freshness.cached("names", (), compute)
        assert len(calls) == 2
    _forget_figures_cache()
    warm("names", (), compute, calls)
    assert learned_tables("names") == [TRUSTS]


# --- Nested cached() calls ---------------------------------------------------------------------


def _nested(outer_calls: list[int], inner_calls: list[int]):
    def inner():
        inner_calls.append(1)
        return NationalAverage.objects.count()

    def outer():
        outer_calls.append(1)
        return {"trusts": Trust.objects.count(),
                "nationals": freshness.cached("inner", (), inner)}

    return outer, inner


def test_an_outer_computation_learns_the_tables_of_an_inner_one_it_got_from_the_cache():
    new_trust("Alpha")
    outer_calls: list[int] = []
    inner_calls: list[int] = []
    outer, inner = _nested(outer_calls, inner_calls)
    # The inner figures are stored before the outer computation ever runs ...
    for _ in range(3):
        freshness.cached("inner", (), inner)
    assert len(inner_calls) == 2
    # ... so every run of the outer one gets them from the cache.
    for _ in range(3):
        assert freshness.cached("outer", (), outer) == {"trusts": 1, "nationals": 0}
    assert len(inner_calls) == 2
    assert len(outer_calls) == 2
    assert learned_tables("outer") == sorted([TRUSTS, NATIONALS])
    # A write to the table only the inner computation reads reaches the outer figures.
    NationalAverage.objects.create(phase="primary", ehcp_pct=2, sen_support_pct=13,
                                   total_send_pct=15)
    assert freshness.cached("outer", (), outer) == {"trusts": 1, "nationals": 1}
    assert len(outer_calls) == 3
    assert len(inner_calls) == 3


def test_an_outer_computation_learns_the_tables_of_an_inner_one_it_computed():
    new_trust("Alpha")
    outer_calls: list[int] = []
    inner_calls: list[int] = []
    outer, _inner = _nested(outer_calls, inner_calls)
    for _ in range(3):
        freshness.cached("outer", (), outer)
    assert len(outer_calls) == 2
    assert learned_tables("outer") == sorted([TRUSTS, NATIONALS])
    assert learned_tables("inner") == [NATIONALS]
    NationalAverage.objects.create(phase="primary", ehcp_pct=2, sen_support_pct=13,
                                   total_send_pct=15)
    assert freshness.cached("outer", (), outer)["nationals"] == 1
    assert len(outer_calls) == 3


def test_an_inner_computation_does_not_learn_the_outer_ones_tables():
    new_trust("Alpha")
    outer_calls: list[int] = []
    inner_calls: list[int] = []
    outer, inner = _nested(outer_calls, inner_calls)
    for _ in range(3):
        freshness.cached("outer", (), outer)
    assert learned_tables("inner") == [NATIONALS]
    computed = len(inner_calls)
    # A write to the table only the outer computation reads leaves the inner figures stored.
    new_trust("Beta")
    assert freshness.cached("outer", (), outer) == {"trusts": 2, "nationals": 0}
    assert len(inner_calls) == computed


def test_a_login_setting_only_last_login_keeps_the_users_version():
    from django.contrib.auth.models import update_last_login

    from trusts.tests.factories import UserFactory

    user = UserFactory()
    users = versioned(user._meta.db_table)
    update_last_login(None, user)
    assert version(user._meta.db_table) == users
    user.full_name = "A new name"
    user.save(update_fields=["full_name"])
    assert version(user._meta.db_table) != users


def test_a_schema_qualified_write_gives_the_table_a_new_version():
    trusts = versioned(TRUSTS)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "public"."{TRUSTS}" SET name = name')
    assert version(TRUSTS) != trusts


def test_rows_copied_past_the_statement_watcher_give_the_table_a_new_version():
    from pupils.models import RegisterEvent
    from pupils.services import EVENT_COLUMNS, _copy

    events = versioned(RegisterEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        _copy(cursor, RegisterEvent._meta.db_table, EVENT_COLUMNS, [])
        assert version(RegisterEvent._meta.db_table) == events  # not before the commit
    assert version(RegisterEvent._meta.db_table) != events


class AnsweringWithErrors:
    """A figures cache that answers every call with an error (out of memory, read-only)."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            from redis.exceptions import ResponseError

            raise ResponseError("OOM command not allowed when used memory > 'maxmemory'")

        return fail


def test_a_cache_answering_with_errors_neither_breaks_a_commit_nor_later_callbacks(monkeypatch):
    monkeypatch.setattr(freshness, "_cache", AnsweringWithErrors)
    ran: list[str] = []
    with transaction.atomic():
        new_trust("Written while the cache fails")
        transaction.on_commit(lambda: ran.append("later callback"))
    assert Trust.objects.filter(name="Written while the cache fails").exists()
    assert ran == ["later callback"]


def test_figures_are_computed_when_the_cache_answers_with_errors(monkeypatch):
    monkeypatch.setattr(freshness, "_cache", AnsweringWithErrors)
    calls: list[int] = []
    for _ in range(2):
        assert freshness.cached("errors", (), lambda: calls.append(1) or "fresh") == "fresh"
    assert len(calls) == 2
