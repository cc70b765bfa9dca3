"""Payments imported from an LA remittance CSV: checked first, all or nothing, idempotent."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funding import remittances, services
from funding.models import Payment
from trusts.tests.factories import headteacher, senco

from .factories import band, d, ehcp_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(las, thurrock_school):
    pupil = ehcp_pupil(thurrock_school, upn="A123456789012")
    claim = services.claim_create(
        actor=None,
        pupil=pupil,
        requested_band=band(las["thurrock"], "10 hours"),
        evidence_summary="x",
        provision_to_fund="y",
    )
    services.claim_submit(actor=None, claim=claim, submitted_on=d(2025, 3, 1))
    services.claim_record_award(
        actor=None, claim=claim, band=band(las["thurrock"], "10 hours"), start_date=d(2025, 4, 1)
    )
    return claim


GOOD = '\ufeffUPN,Amount Paid,Payment Date,Reference\r\nA123456789012,"£1,373.33",01/05/2025,THU-1\r\n'


def test_a_remittance_is_read_with_aliases_bom_and_uk_dates():
    [row] = remittances.read(GOOD.encode("utf-8"))
    assert (row.upn, row.amount, row.date, row.reference) == (
        "A123456789012",
        Decimal("1373.33"),
        d(2025, 5, 1),
        "THU-1",
    )
    [row] = remittances.read("UPN,Amount,Date\nA1,12.50,2025-13-01\n".encode("cp1252"))
    assert "not a date" in row.error
    with pytest.raises(remittances.RemittanceFileError, match="missing: date"):
        remittances.read(b"UPN,Amount\nA1,1\n")


def test_the_import_records_once_and_a_second_run_changes_nothing(claim, thurrock_school):
    data = GOOD.encode()
    check = services.payments_import(actor=None, school=thurrock_school, data=data, dry_run=True)
    assert (check.new, check.errors, check.written) == (1, 0, False)
    assert not Payment.objects.exists()
    first = services.payments_import(actor=None, school=thurrock_school, data=data, dry_run=False)
    assert first.written and claim.payments.get().amount == Decimal("1373.33")
    second = services.payments_import(actor=None, school=thurrock_school, data=data, dry_run=False)
    assert (second.new, second.already, second.written) == (0, 1, False)
    assert Payment.objects.count() == 1


def test_a_file_with_one_bad_row_records_nothing(claim, thurrock_school):
    data = (GOOD + "Z999999999999,10.00,2025-05-01,X\r\n").encode()
    result = services.payments_import(actor=None, school=thurrock_school, data=data, dry_run=False)
    assert result.errors == 1 and not result.written
    assert "No pupil with this UPN" in result.rows[1].error
    assert not Payment.objects.exists()


def test_the_remittance_page_checks_then_records_on_confirmation(client, claim, thurrock_school):
    url = f"/funding/schools/{thurrock_school.laestab}/payments/import/"
    client.force_login(senco(thurrock_school))
    assert client.get(url).status_code == 404
    client.force_login(headteacher(thurrock_school))
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", GOOD.encode())})
    assert response.status_code == 200
    token = response.context["token"]
    assert token and not Payment.objects.exists()
    assert client.post(url, {"confirm": "wrong"}).status_code == 302
    assert not Payment.objects.exists()
    response = client.post(url, {"confirm": token})
    assert response.status_code == 302
    assert Payment.objects.get().reference == "THU-1"
    bad = client.post(url, {"file": SimpleUploadedFile("r.csv", b"nonsense")})
    assert bad.status_code == 400 and "needs the columns" in bad.content.decode()
