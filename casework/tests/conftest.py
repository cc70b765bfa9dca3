import datetime as dt

import pytest

from pupils.tests.factories import PupilFactory
from trusts.tests.factories import SchoolFactory, TrustFactory, head_of_send, headteacher, senco


@pytest.fixture
def world(db):
    """Two trusts with one school each, a SENCO and a headteacher per school, one Head of
    SEND across both, and one pupil per school."""

    class W:
        pass

    w = W()
    w.trust_a, w.trust_b = TrustFactory(name="Trust A"), TrustFactory(name="Trust B")
    w.school_a = SchoolFactory(trust=w.trust_a, name="Alpha Primary")
    w.school_b = SchoolFactory(trust=w.trust_b, name="Beta Primary")
    w.senco_a, w.senco_b = senco(w.school_a), senco(w.school_b)
    w.head_a = headteacher(w.school_a)
    w.hos = head_of_send(w.trust_a, w.trust_b)
    w.pupil_a = PupilFactory(school=w.school_a)
    w.pupil_b = PupilFactory(school=w.school_b)
    return w


D = dt.date
