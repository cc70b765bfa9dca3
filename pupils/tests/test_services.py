import datetime as dt

import pytest

from pupils import services
from pupils.models import Provision, RegisterEvent

from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def test_an_issued_ehc_plan_moves_the_pupil_to_e_with_a_history_entry():
    pupil = PupilFactory(provision=Provision.SEN_SUPPORT)
    event = services.pupil_record_ehc_plan_issued(actor=None, pupil=pupil, on=dt.date(2026, 2, 3))
    pupil.refresh_from_db()
    assert pupil.provision == Provision.EHC_PLAN
    assert (event.kind, event.date, event.from_provision, event.to_provision) == (
        RegisterEvent.Kind.EHC_PLAN_ISSUED,
        dt.date(2026, 2, 3),
        "K",
        "E",
    )


def test_recording_the_plan_again_changes_nothing():
    pupil = PupilFactory(provision=Provision.SEN_SUPPORT)
    services.pupil_record_ehc_plan_issued(actor=None, pupil=pupil, on=dt.date(2026, 2, 3))
    assert services.pupil_record_ehc_plan_issued(actor=None, pupil=pupil, on=dt.date(2026, 3, 3)) is None
    assert RegisterEvent.objects.filter(pupil=pupil).count() == 1
