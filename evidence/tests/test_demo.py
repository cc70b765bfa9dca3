"""The demo's outside professionals and the EHC request pack being prepared, on the seed LAs'
templates, and nothing new on a second run."""

import pytest
from django.apps import apps

from evidence import demo as evidence_demo
from evidence import reference, selectors
from evidence.models import EvidencePack, PackTemplate, ProfessionalInvolvement
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support import demo as support_demo
from trusts.models import School

pytestmark = pytest.mark.django_db


def rows() -> dict:
    return {
        model._meta.label: sorted(map(str, model.objects.values_list()))
        for model in apps.get_app_config("evidence").get_models()
    }


def test_the_demo_prepares_a_pack_and_professionals_and_is_idempotent(demo_people):
    assert reference.load() == ["6 LA evidence pack templates added"]
    assert PackTemplate.objects.count() == 6
    schools = list(School.objects.filter(laestab__in=evidence_demo.SCHOOLS))
    for school in schools:
        for need in ("SLCN", "SEMH", "ASD"):
            PupilFactory(school=school, provision=Provision.SEN_SUPPORT, primary_need=need)
    support_demo.seed()
    assert evidence_demo.seed() == [
        "4 outside professionals' involvement records, 2 evidence packs being prepared"
    ]
    first = rows()
    assert evidence_demo.seed() == [
        "0 outside professionals' involvement records, 0 evidence packs being prepared"
    ]
    assert rows() == first
    for pack in EvidencePack.objects.all():
        assert pack.local_authority == pack.pupil.home_local_authority
        assembled = selectors.assemble_pack(pack)
        # The demo's professional is there; what is missing is still shown.
        assert "professionals" not in [m.key for m in assembled.missing]
    assert ProfessionalInvolvement.objects.count() == 4
