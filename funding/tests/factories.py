import datetime

from funding import figures
from funding.models import Band, BandingScheme
from pupils.models import Provision
from pupils.tests.factories import PupilFactory

FY2025 = 2025


def band(la, label, year=FY2025) -> Band:
    return Band.objects.get(scheme__local_authority=la, scheme__financial_year=year, label=label)


def add_table(la, year, values: dict[str, str]) -> BandingScheme:
    scheme = BandingScheme.objects.create(local_authority=la, financial_year=year)
    for i, (label, value) in enumerate(values.items()):
        Band.objects.create(scheme=scheme, label=label, annual_value=value, order=i)
    # As the admin does after a table is changed: every school's figures use the new values.
    figures.horizon_advance()
    figures.rebuild()
    return scheme


def ehcp_pupil(school, **kw):
    return PupilFactory(school=school, provision=Provision.EHC_PLAN, **kw)


def d(y, m, day):
    return datetime.date(y, m, day)
