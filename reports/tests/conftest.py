"""The reference schools of both trusts with their census counts (pupils.tests.reference)."""

import pytest

from pupils.tests.reference import (  # noqa: F401  (imported by the tests of this folder)
    AUTUMN_2025,
    SPRING_2025,
    Reference,
    make_reference,
)


@pytest.fixture
def reference(db) -> Reference:
    return make_reference()
