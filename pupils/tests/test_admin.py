"""National averages in the admin: a platform admin corrects them, the pages compare with the
new figures straight away, the kept figures stay right, and a wrong figure changes nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from pupils import figures
from pupils.models import NationalAverage
from trusts.models import Membership, Role
from trusts.tests.factories import UserFactory, head_of_send, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    Membership.objects.create(user=admin, role=Role.PLATFORM_ADMIN)
    with_totp(admin)
    client.force_login(admin)
    return admin


def form(primary, **changes):
    values = {
        "phase": primary.phase,
        "ehcp_pct": primary.ehcp_pct,
        "sen_support_pct": primary.sen_support_pct,
        "total_send_pct": primary.total_send_pct,
        "source": primary.source,
        "year": primary.year,
    }
    return {**values, **changes}


def test_a_platform_admin_changes_a_national_average_and_the_pages_compare_with_it(
    client, reference, platform_admin
):
    primary = NationalAverage.objects.get(phase="primary")
    assert client.get("/admin/pupils/nationalaverage/").status_code == 200
    url = f"/admin/pupils/nationalaverage/{primary.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        form(
            primary,
            ehcp_pct="3.9",
            sen_support_pct="14.6",
            total_send_pct="18.5",
            source="Corrected by hand",
            year="2024/25",
        ),
    )
    assert response.status_code == 302
    school_ids = [s.pk for s in reference.assisi.schools.all()]
    row = next(r for r in figures.school_table(school_ids).rows if r.national_phase == "primary")
    assert (row.national.ehcp_pct, row.national.total_pct) == (Decimal("3.9"), Decimal("18.5"))
    assert row.national.source_text == "Corrected by hand, 2024/25"
    out = io.StringIO()
    call_command("verify_figures", stdout=out)
    assert "Every kept figure agrees with its source rows." in out.getvalue()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ehcp_pct": "101.0", "total_send_pct": "115.8"}, "Enter a percentage from 0 to 100."),
        ({"total_send_pct": "25.0"}, "Total SEND should be EHC plans plus SEN support (18.3)."),
        ({"ehcp_pct": "many"}, "Enter a number."),
        ({"phase": "nursery"}, "Select a valid choice."),
    ],
)
def test_a_wrong_national_average_is_refused_and_changes_nothing(
    client, reference, platform_admin, changes, message
):
    primary = NationalAverage.objects.get(phase="primary")
    before = list(NationalAverage.objects.values())
    response = client.post(f"/admin/pupils/nationalaverage/{primary.pk}/change/", form(primary, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(NationalAverage.objects.values()) == before


def test_only_staff_open_the_national_averages_admin(client, reference):
    client.force_login(head_of_send(reference.assisi))
    response = client.get("/admin/pupils/nationalaverage/")
    assert response.status_code in (302, 403)
    assert NationalAverage.objects.count() == 2
