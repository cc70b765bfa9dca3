"""Published figures beside the trusts' own on the dashboards, and a school's history through
a new URN from Get Information about Schools."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import PublishedTimeliness
from pupils.tests import published_files as sen
from trusts.models import FormerURN, School
from trusts.tests import gias_files as gias
from trusts.tests.factories import executive, head_of_send

from .test_views import _add_casework_and_funding

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference):
    return {
        "hos": head_of_send(reference.assisi, reference.christus),
        "exec_assisi": executive(reference.assisi),
    }


SOURCE = "Special educational needs in England (DfE, explore education statistics)"


def _import(*args):
    call_command(*[str(a) for a in args], stdout=io.StringIO(), stderr=io.StringIO())


def test_the_dashboards_say_where_the_national_figures_come_from_and_for_which_year(
    client, people, reference, tmp_path
):
    _import("import_published", sen.sen_file(tmp_path / "sen.csv"))
    client.force_login(people["hos"])
    trust = client.get("/reports/trusts/assisi-catholic-trust/").content.decode()
    assert "National average (primary, 2024/25)" in trust
    assert f"National averages: {SOURCE}, 2024/25." in trust
    school = client.get("/reports/schools/8833001/").content.decode()
    assert f"National figures for primary schools ({SOURCE}, 2024/25)" in school
    cross = client.get("/reports/cross-trust/").content.decode()
    assert "national 3.0% / 17.1% (2024/25)" in cross
    client.force_login(people["exec_assisi"])
    export = client.get("/reports/trusts/assisi-catholic-trust/export.csv").content.decode()
    assert f'National average (primary),,,,,,,,3.0,,14.1,,17.1,"{SOURCE}, 2024/25"' in export


def test_typed_in_national_averages_show_as_they_did(client, people, reference):
    client.force_login(people["hos"])
    trust = client.get("/reports/trusts/assisi-catholic-trust/").content.decode()
    assert "National average (primary)" in trust and 'id="national-source"' not in trust


def test_the_timeliness_section_shows_each_las_published_rate_within_the_query_budget(
    client, people, reference
):
    from funding import reference as funding_reference

    funding_reference.load_banding_tables()
    schools = list(School.objects.filter(trust=reference.assisi))
    _add_casework_and_funding(schools, people["hos"])
    url = "/reports/trusts/assisi-catholic-trust/"
    client.force_login(people["exec_assisi"])
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    codes = {s.local_authority.code: s.local_authority.name for s in schools}
    for code, name in codes.items():
        PublishedTimeliness.objects.create(
            la_code=code,
            la_name=name,
            year=2024,
            within_20_weeks_pct=Decimal("1.0") + code % 10,
            source="test",
        )
    with CaptureQueriesContext(connection) as with_published:
        body = client.get(url).content.decode()
    assert len(with_published.captured_queries) == len(without.captured_queries)
    assert len(with_published.captured_queries) <= 15
    table = body[body.index('id="timeliness-table"') :]
    table = table[: table.index("</table>")]
    assert "LA&#x27;s published rate (year)" in table or "LA's published rate (year)" in table
    for code in codes:
        assert f"{Decimal('1.0') + code % 10}%" in table, code
    assert "(2024)" in table


def test_a_school_given_a_new_urn_keeps_its_census_history_on_its_dashboard(
    client, people, reference, tmp_path
):
    client.force_login(people["hos"])
    before = client.get("/reports/schools/8833001/").content.decode()
    figures = before[
        before.index('id="school-figures"') : before.index("</table>", before.index('id="school-figures"'))
    ]
    extract = gias.extract(
        tmp_path / "e1.csv",
        [gias.school("118001", "Holy Cross Primary", "8833001", kind="Voluntary aided school")],
    )
    _import("import_gias", extract)  # the seeded school takes its URN (trust found by name)
    converted = gias.extract(
        tmp_path / "e2.csv",
        [
            gias.school(
                "118001",
                "Holy Cross Primary",
                "8833001",
                kind="Voluntary aided school",
                status="Closed",
                closed="31-03-2026",
            ),
            gias.school("153001", "Holy Cross Catholic Primary Academy", "8832050", opened="01-04-2026"),
        ],
    )
    link = gias.links(
        tmp_path / "links.csv", [("153001", "118001", "Holy Cross Primary", "Predecessor", "01-04-2026")]
    )
    _import("import_gias", converted, "--links", link)
    school = School.objects.get(urn="153001")
    assert school.laestab == "8832050" and FormerURN.objects.get().urn == "118001"
    assert school.census_snapshots.count() == 2  # both censuses of the reference set
    after = client.get("/reports/schools/8832050/").content.decode()
    assert figures in after
    assert client.get("/reports/schools/8833001/").status_code == 404
