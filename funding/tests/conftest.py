import pytest

from funding import demo
from trusts.models import LocalAuthority
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory


@pytest.fixture
def las(db):
    """Thurrock, Essex and Southend with their 2025-26 tables from data/reference."""
    out = {
        "thurrock": LocalAuthorityFactory(code=883, name="Thurrock",
                                          funding_unit=LocalAuthority.FundingUnit.HOURS),
        "essex": LocalAuthorityFactory(code=881, name="Essex"),
        "southend": LocalAuthorityFactory(code=882, name="Southend-on-Sea"),
    }
    demo.seed_banding_tables()
    return out


@pytest.fixture
def trust(db):
    return TrustFactory(name="Assisi Test Trust")


@pytest.fixture
def other_trust(db):
    return TrustFactory(name="Christus Test Trust")


@pytest.fixture
def thurrock_school(las, trust):
    return SchoolFactory(name="Holy Cross Test", laestab="8833901", local_authority=las["thurrock"],
                         trust=trust)


@pytest.fixture
def southend_school(las, trust):
    return SchoolFactory(name="St Mary Test", laestab="8823901", local_authority=las["southend"],
                         trust=trust)


@pytest.fixture
def essex_school_other_trust(las, other_trust):
    return SchoolFactory(name="St John Test", laestab="8813901", local_authority=las["essex"],
                         trust=other_trust)
