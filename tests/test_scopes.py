"""Tenant-owned models are fail-closed: a query outside a scope raises, and inside the
scope a request activates only the user's schools are visible."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import ScopeError, scope

from trusts.models import School
from trusts.scoping import TenantManager


def test_a_scoped_manager_outside_any_scope_raises(db):
    # School itself is reference data; build a scoped manager over it to show the mechanism
    # every tenant-owned model uses (TenantManager(school=...)).
    manager = TenantManager(school="pk")
    manager.model = School
    with scope(), pytest.raises(ScopeError):
        list(manager.all())


def test_a_scoped_manager_inside_a_scope_sees_only_the_scoped_schools(db):
    from trusts.tests.factories import SchoolFactory

    mine, other = SchoolFactory(), SchoolFactory()
    manager = TenantManager(school="pk")
    manager.model = School
    with scope(school=[mine.pk]):
        assert list(manager.all()) == [mine]
    with scope(school=[]):
        assert list(manager.all()) == []
    assert other.pk != mine.pk


def test_a_scope_reaches_postgresql_as_one_array_of_ids(db):
    from trusts.tests.factories import SchoolFactory

    schools = [SchoolFactory() for _ in range(3)]
    manager = TenantManager(school="pk")
    manager.model = School
    with scope(school=[s.pk for s in schools]), CaptureQueriesContext(connection) as queries:
        assert sorted(s.pk for s in manager.all()) == sorted(s.pk for s in schools)
    sql = queries.captured_queries[0]["sql"]
    assert "= ANY(" in sql and " IN (" not in sql


def test_every_tenant_owned_model_uses_the_tenant_manager():
    from django.apps import apps
    from django.conf import settings

    project_apps = {c.label for c in apps.get_app_configs() if str(c.path).startswith(str(settings.BASE_DIR))}
    tenant_owned = []
    for model in apps.get_models():
        if model._meta.app_label not in project_apps:
            continue
        manager_module = type(model._default_manager).__module__
        assert manager_module != "django_scopes.manager", (
            f"{model.__name__} uses django-scopes' ScopedManager: use trusts.scoping.TenantManager"
        )
        if isinstance(model._default_manager, TenantManager):
            tenant_owned.append(model.__name__)
    # The walk saw the project's tenant-owned models, old and new.
    assert {"Pupil", "Claim", "Case", "Intervention", "SupportPlan", "CaseNote"} <= set(tenant_owned)


def test_within_narrows_the_scope_to_the_schools_asked_for_and_never_widens_it(db):
    from django_scopes import scopes_disabled

    from trusts.scoping import within
    from trusts.tests.factories import SchoolFactory

    a, b, c = SchoolFactory(), SchoolFactory(), SchoolFactory()
    manager = TenantManager(school="pk")
    manager.model = School
    with scope(school=[a.pk, b.pk]), CaptureQueriesContext(connection) as queries:
        assert sorted(s.pk for s in within(manager, [b.pk, c.pk])) == [b.pk]
    assert queries.captured_queries[0]["sql"].count("ANY(") == 1  # filtered once
    with scopes_disabled():
        assert sorted(s.pk for s in within(manager, [a.pk, c.pk])) == sorted([a.pk, c.pk])
    with scope(), pytest.raises(ScopeError):
        list(within(manager, [a.pk]))
