"""A census upload when the job service does not answer: checked and imported in the request,
never a 500 and never an import stuck on a dead queue."""

import datetime as dt

import pytest

from pupils.models import CensusImport, Pupil
from pupils.upn import make as make_upn
from trusts.tests.factories import data_admin

# Transactional, as in production: the view runs outside a transaction, so the on-commit send
# happens (and fails) inside the request.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_upload_and_its_import_still_complete_when_the_broker_is_down(client, dead_broker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trusts.tests.factories import SchoolFactory

    school = SchoolFactory()
    client.force_login(data_admin(school.trust))
    rows = [
        "UPN,Surname,Forename,DOB,Gender,YearGroup,SENProvision,PrimaryNeed,SecondaryNeed",
        f"{make_upn(881, 1234, 20, 1)},Able,Ann,2017-03-04,F,3,K,SLCN,",
        f"{make_upn(881, 1234, 20, 2)},Baker,Ben,2017-05-06,M,3,N,,",
    ]
    upload = SimpleUploadedFile("census.csv", "\n".join(rows).encode(), content_type="text/csv")
    response = client.post(
        f"/pupils/schools/{school.laestab}/census/import/",
        {"school": school.laestab, "census_date": "2025-10-02", "file": upload},
    )
    assert response.status_code == 302
    record = CensusImport.objects.get()
    assert record.status == CensusImport.Status.READY
    response = client.post(f"/pupils/imports/{record.pk}/confirm/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == CensusImport.Status.IMPORTED
    assert Pupil.objects.filter(school=school).count() == 1
    assert record.census_date == dt.date(2025, 10, 2)
