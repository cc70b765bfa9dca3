import datetime as dt

import pytest

from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import (
    SchoolFactory,
    TrustFactory,
    data_admin,
    executive,
    head_of_send,
    headteacher,
    senco,
)


class World:
    pass


@pytest.fixture
def world(db):
    """Trust A with schools A (a SENCO, a headteacher) and A2 (another SENCO), its Head of
    SEND, executive and data admin; trust B with school B and its SENCO. One pupil at SEN
    Support in A and in B."""
    w = World()
    w.trust_a, w.trust_b = TrustFactory(name="Trust A"), TrustFactory(name="Trust B")
    w.school_a = SchoolFactory(trust=w.trust_a, name="Alpha Primary")
    w.school_a2 = SchoolFactory(trust=w.trust_a, name="Alpha Two Primary")
    w.school_b = SchoolFactory(trust=w.trust_b, name="Beta Primary")
    w.senco_a, w.senco_a2, w.senco_b = senco(w.school_a), senco(w.school_a2), senco(w.school_b)
    w.senco_a.full_name = "Sam Senco"
    w.senco_a.save()
    w.head_a = headteacher(w.school_a)
    w.hos = head_of_send(w.trust_a)
    w.executive = executive(w.trust_a)
    w.data_admin = data_admin(w.trust_a)
    w.pupil_a = PupilFactory(
        school=w.school_a, forename="Amira", surname="Khanova", provision=Provision.SEN_SUPPORT
    )
    w.pupil_b = PupilFactory(
        school=w.school_b, forename="Bertie", surname="Brackley", provision=Provision.SEN_SUPPORT
    )
    return w


D = dt.date
