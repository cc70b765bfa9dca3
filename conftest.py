"""Shared fixtures. Tests run against the real PostgreSQL and Redis named in the environment
(see the Makefile); nothing here fakes a database or a broker."""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled


@pytest.fixture(autouse=True)
def _scopes_disabled_outside_requests():
    # Test set-up and assertions read tenant-owned models directly. Requests made through the
    # test client still run inside the scope that TenantScopeMiddleware activates.
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and used TOTP codes live in the cache; each test starts without them.
    cache.clear()
    yield


@pytest.fixture
def demo(db):
    """The reference data and demo users, as `seed_demo` loads them."""
    from demo import steps

    return steps.run_all()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
