"""After the DfE's published figures are imported, the Head of SEND sees each LA's published
20-week rate beside the trusts' own on the EHC timeliness page and the trust dashboard, and
the national figures' source and year (headless Chromium against the live server)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from casework import figures as casework_figures
from casework.tests import published_files as ehc
from casework.tests.factories import EHCRequestFactory
from conftest import browser_login
from pupils.models import Provision
from pupils.tests import published_files as sen
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.models import School, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_the_head_of_send_sees_published_rates_beside_the_trusts_own(demo_people, page, tmp_path):
    holy_family = School.objects.get(laestab="8813001")  # Assisi, Essex
    for school in School.objects.filter(trust=holy_family.trust):
        CensusSnapshotFactory(
            school=school, census_date=dt.date(2025, 10, 2), number_on_roll=300, ehcp=9, sen_support=40
        )
    today = dt.date.today()
    fy_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    hos = User.objects.get(email="hos@demo.test")
    for weeks in (18, 26):
        pupil = PupilFactory(school=holy_family, provision=Provision.SEN_SUPPORT)
        requested = fy_start - dt.timedelta(weeks=10)
        EHCRequestFactory(
            pupil=pupil,
            request_date=requested,
            owner=hos,
            decision="assess",
            decision_date=requested + dt.timedelta(weeks=5),
            outcome="issued",
            outcome_date=requested + dt.timedelta(weeks=weeks),
        )
    casework_figures.rebuild()
    for path in (sen.sen_file(tmp_path / "sen.csv"), ehc.ehc_file(tmp_path / "ehc.csv")):
        call_command("import_published", str(path), stdout=io.StringIO())

    browser_login(page, "hos@demo.test", settings.DEMO_PASSWORD, settings.DEMO_TOTP_SECRET)
    page.get_by_role("link", name="EHC timeliness").first.click()
    page.wait_for_url("**/casework/timeliness/")
    essex = page.locator("#timeliness tr[data-la='Essex']")
    essex.wait_for()
    cells = essex.locator("td").all_inner_texts()
    assert cells[0] == "2" and cells[1].startswith("1 (50")
    assert cells[-1] == f"{Decimal('1.0')}% (2024)"
    page.screenshot(path=str(SHOTS / "published-timeliness.png"), full_page=True)

    page.goto("/reports/trusts/assisi-catholic-trust/")
    table = page.locator("#timeliness-table")
    assert "1.0% (2024)" in table.locator("tr", has_text="Essex").inner_text()
    source = page.locator("#national-source").inner_text()
    assert source == (
        "National averages: Special educational needs in England (DfE, explore "
        "education statistics), 2024/25."
    )
    assert "National average (primary, 2024/25)" in page.locator("#school-table").inner_text()
    table.screenshot(path=str(SHOTS / "published-dashboard-timeliness.png"))
    page.locator("#school-table").screenshot(path=str(SHOTS / "published-dashboard-schools.png"))
    page.locator("#national-source").screenshot(path=str(SHOTS / "published-dashboard-source.png"))
