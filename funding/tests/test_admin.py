"""A platform admin adds next year's banding table (django-import-export) without touching
older years; a bad file changes nothing."""

from decimal import Decimal

import pytest
import tablib

from funding.admin import BandResource
from funding.models import Band, BandingScheme
from trusts.models import Membership, Role
from trusts.tests.factories import UserFactory, with_totp

from .factories import band

pytestmark = pytest.mark.django_db

HEADERS = ["la_code", "financial_year", "band", "hours_per_week", "annual_value_gbp"]


def dataset(rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def test_importing_next_years_table_leaves_the_older_year_alone(las):
    before = {(b.pk, b.annual_value) for b in Band.objects.all()}
    result = BandResource().import_data(
        dataset(
            [
                ["881", "2026", "4+", "", "8400"],
                ["881", "2026", "5", "", "10500.50"],
                ["883", "2026", "10 hours", "10", "4250"],
            ]
        ),
        dry_run=False,
    )
    assert not result.has_errors(), [e.error for e in result.base_errors]
    assert not result.has_validation_errors()
    assert BandingScheme.objects.filter(financial_year=2026).count() == 2
    assert band(las["essex"], "5", 2026).annual_value == Decimal("10500.50")
    assert band(las["thurrock"], "10 hours", 2026).hours_per_week == Decimal("10")
    assert {(b.pk, b.annual_value) for b in Band.objects.filter(scheme__financial_year=2025)} == before
    # The same file again changes nothing.
    again = BandResource().import_data(dataset([["881", "2026", "4+", "", "8400"]]), dry_run=False)
    assert again.totals["skip"] == 1


def test_a_file_with_a_bad_row_imports_nothing(las):
    count = Band.objects.count()
    result = BandResource().import_data(
        dataset(
            [
                ["881", "2026", "4+", "", "8400"],
                ["999", "2026", "1", "", "100"],
            ]
        ),
        dry_run=False,
        raise_errors=False,
    )
    assert result.has_errors()
    assert Band.objects.count() == count
    assert not BandingScheme.objects.filter(financial_year=2026).exists()


def test_the_band_admin_pages_open_for_a_platform_admin(client, las):
    admin = UserFactory(is_staff=True, is_superuser=True)
    Membership.objects.create(user=admin, role=Role.PLATFORM_ADMIN)
    with_totp(admin)
    client.force_login(admin)
    scheme_id = band(las["essex"], "2").scheme_id
    for url in [
        "/admin/funding/band/",
        "/admin/funding/band/import/",
        "/admin/funding/band/export/",
        "/admin/funding/bandingscheme/",
        f"/admin/funding/bandingscheme/{scheme_id}/change/",
        "/admin/funding/fundingsettings/",
    ]:
        assert client.get(url).status_code == 200, url


def test_importing_the_las_own_table_replaces_the_rates_carried_forward(las):
    from funding import services

    services.banding_carry_forward(actor=None, up_to_year=2026)
    rows = dataset([["881", "2026", "4+", "", "8400"]])
    BandResource().import_data(rows, dry_run=True)
    essex = BandingScheme.objects.get(local_authority=las["essex"], financial_year=2026)
    assert essex.carried_forward_from == 2025  # a dry run changes nothing
    result = BandResource().import_data(rows, dry_run=False)
    assert not result.has_errors()
    essex.refresh_from_db()
    assert essex.carried_forward_from is None and essex.notes == ""
    assert band(las["essex"], "4+", 2026).annual_value == Decimal("8400")
    assert (
        BandingScheme.objects.get(local_authority=las["thurrock"], financial_year=2026).carried_forward_from
        == 2025
    )
