"""Tenant-owned models are fail-closed: a query outside a scope raises, and inside the
scope a request activates only the user's schools are visible."""

import pytest
from django_scopes import ScopeError, scope
from django_scopes.manager import ScopedManager

from trusts.models import School


def test_a_scoped_manager_outside_any_scope_raises(db):
    # School itself is reference data; build a scoped manager over it to show the mechanism
    # every tenant-owned model uses (ScopedManager(school=...)).
    manager = ScopedManager(school="pk")
    manager.model = School
    with scope(), pytest.raises(ScopeError):
        list(manager.all())


def test_a_scoped_manager_inside_a_scope_sees_only_the_scoped_schools(db):
    from trusts.tests.factories import SchoolFactory

    mine, other = SchoolFactory(), SchoolFactory()
    manager = ScopedManager(school="pk")
    manager.model = School
    with scope(school=[mine.pk]):
        assert list(manager.all()) == [mine]
    with scope(school=[]):
        assert list(manager.all()) == []
    assert other.pk != mine.pk
