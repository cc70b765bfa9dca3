import datetime as dt
from decimal import Decimal

import pytest

from evidence import reference
from provision.tests.factories import EnrolmentFactory, InterventionFactory
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support.tests.factories import profile, reviewed_plan
from trusts.tests.factories import (
    LocalAuthorityFactory,
    SchoolFactory,
    TrustFactory,
    data_admin,
    executive,
    head_of_send,
    headteacher,
    senco,
)

TODAY = dt.date.today()


class World:
    pass


@pytest.fixture
def world(db):
    """Trust A with school A (a SENCO, a headteacher) and A2 (another SENCO), its Head of
    SEND, executive and data admin; trust B with school B and its SENCO. Pupil A lives in
    another LA than school A's (its home LA, with its own templates); pupil B is at school B."""
    w = World()
    w.trust_a, w.trust_b = TrustFactory(name="Trust A"), TrustFactory(name="Trust B")
    w.school_a = SchoolFactory(trust=w.trust_a, name="Alpha Primary")
    w.school_a2 = SchoolFactory(trust=w.trust_a, name="Alpha Two Primary")
    w.school_b = SchoolFactory(trust=w.trust_b, name="Beta Primary")
    w.senco_a, w.senco_a2, w.senco_b = senco(w.school_a), senco(w.school_a2), senco(w.school_b)
    w.head_a = headteacher(w.school_a)
    w.hos = head_of_send(w.trust_a)
    w.executive = executive(w.trust_a)
    w.data_admin = data_admin(w.trust_a)
    w.home_la = LocalAuthorityFactory()
    reference.load_for(w.home_la)
    reference.load_for(w.school_b.local_authority)
    w.pupil_a = PupilFactory(
        school=w.school_a,
        forename="Amira",
        surname="Khanova",
        provision=Provision.SEN_SUPPORT,
        home_local_authority=w.home_la,
    )
    w.pupil_b = PupilFactory(
        school=w.school_b, forename="Bertie", surname="Brackley", provision=Provision.SEN_SUPPORT
    )
    return w


def complete_record(pupil, actor, *, cycles: int = 2) -> None:
    """Everything an LA asks for: reviewed cycles, measured provision, a profile and an outside
    professional."""
    from evidence import services

    for n in range(cycles):
        start = TODAY - dt.timedelta(days=300 - n * 120)
        reviewed_plan(pupil, actor, starts_on=start, review_due=start + dt.timedelta(days=100))
    intervention = InterventionFactory(school=pupil.school, name="Precision teaching")
    EnrolmentFactory(
        intervention=intervention,
        pupil=pupil,
        start_date=TODAY - dt.timedelta(days=90),
        entry_score=Decimal("72"),
        exit_score=Decimal("80"),
    )
    profile(pupil, actor)
    services.professional_add(
        actor=actor,
        pupil=pupil,
        role="ep",
        who="County EP Service",
        started_on=TODAY - dt.timedelta(days=60),
        advice="Working memory is a weakness; chunk instructions.",
    )
