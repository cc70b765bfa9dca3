"""Names, notes and school names are shown as text, never run: in pages and in board packs."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from casework import services as casework_services
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from reports import pdf
from trusts.tests.factories import SchoolFactory, head_of_send, senco

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_pupil_name_with_markup_is_escaped_on_the_register_and_pupil_pages(client):
    school = SchoolFactory()
    pupil = PupilFactory(school=school, surname=HOSTILE, forename="Ann")
    client.force_login(senco(school))
    for url in (f"/pupils/schools/{school.laestab}/register/", f"/pupils/{pupil.pk}/"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_a_case_note_with_markup_is_escaped_on_the_case_page(client):
    school = SchoolFactory()
    user = senco(school)
    case = casework_services.case_open(
        actor=user,
        school=school,
        kind="complaint",
        title="Complaint",
        owner=user,
        opened_on=dt.date(2025, 9, 1),
    )
    casework_services.case_add_note(actor=user, case=case, text=HOSTILE)
    client.force_login(user)
    body = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_a_school_name_with_markup_is_printed_as_text_in_the_board_pack():
    school = SchoolFactory(name='St Mark<b>"s</b> <img src="http://example.com/x.png">')
    CensusSnapshotFactory(school=school, census_date=dt.date(2025, 10, 2))
    head_of_send(school.trust)
    document = pdf.render_pdf(school.trust)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    # The markup is text on the page: nothing was parsed as HTML or fetched.
    assert "<b>" in text and "<img" in text
