import pytest

from funding import figures, reference
from trusts.models import LocalAuthority
from trusts.tests.factories import LocalAuthorityFactory, SchoolFactory, TrustFactory


@pytest.fixture(autouse=True)
def _pupils_made_by_the_factory_are_on_the_register_figures(monkeypatch):
    """PupilFactory writes pupils directly, where the pupils services would tell the apps above
    (pupils.signals.register_changed): it tells them too, so the kept funding figures include
    the pupils a test makes."""
    from pupils.signals import send_register_changed
    from pupils.tests.factories import PupilFactory

    original = PupilFactory._create.__func__

    def create(cls, model_class, *args, **kwargs):
        pupil = original(cls, model_class, *args, **kwargs)
        send_register_changed([pupil.school_id])
        return pupil

    monkeypatch.setattr(PupilFactory, "_create", classmethod(create))


@pytest.fixture
def las(db):
    """Thurrock, Essex and Southend with their 2025-26 tables from data/reference."""
    out = {
        "thurrock": LocalAuthorityFactory(
            code=883, name="Thurrock", funding_unit=LocalAuthority.FundingUnit.HOURS
        ),
        "essex": LocalAuthorityFactory(code=881, name="Essex"),
        "southend": LocalAuthorityFactory(code=882, name="Southend-on-Sea"),
    }
    reference.load_banding_tables()
    figures.horizon_advance()
    return out


@pytest.fixture
def trust(db):
    return TrustFactory(name="Assisi Test Trust")


@pytest.fixture
def other_trust(db):
    return TrustFactory(name="Christus Test Trust")


@pytest.fixture
def thurrock_school(las, trust):
    return SchoolFactory(
        name="Holy Cross Test", laestab="8833901", local_authority=las["thurrock"], trust=trust
    )


@pytest.fixture
def southend_school(las, trust):
    return SchoolFactory(name="St Mary Test", laestab="8823901", local_authority=las["southend"], trust=trust)


@pytest.fixture
def essex_school_other_trust(las, other_trust):
    return SchoolFactory(
        name="St John Test", laestab="8813901", local_authority=las["essex"], trust=other_trust
    )
