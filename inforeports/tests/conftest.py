from dataclasses import dataclass

import pytest

from trusts.tests.factories import (
    SchoolFactory,
    TrustFactory,
    executive,
    head_of_send,
    headteacher,
    senco,
)


@dataclass
class World:
    trust: object
    school: object
    other_school: object
    other_trust_school: object
    senco: object
    head: object
    hos: object
    executive: object
    other_senco: object
    other_hos: object


@pytest.fixture
def world(db) -> World:
    trust, other_trust = TrustFactory(), TrustFactory()
    school = SchoolFactory(trust=trust, name="Holy Cross Test Primary")
    other_school = SchoolFactory(trust=trust)
    other_trust_school = SchoolFactory(trust=other_trust)
    head = headteacher(school)
    head.full_name = "Hannah Head"
    head.save()
    return World(
        trust,
        school,
        other_school,
        other_trust_school,
        senco(school),
        head,
        head_of_send(trust),
        executive(trust),
        senco(other_school),
        head_of_send(other_trust),
    )
