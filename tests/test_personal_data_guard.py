"""The guard in conftest.py really catches personal data in URLs and logs."""

import logging

import pytest

from pupils.tests.factories import PupilFactory
from tests import support


@pytest.mark.django_db
def test_the_guard_sees_requested_urls_and_log_lines(client):
    pupil = PupilFactory(surname="Zebedee")
    client.get("/schools/0/?q=Zebedee")
    logging.getLogger("send_portal.test").warning("looked up %s", pupil.upn)
    assert any("Zebedee" in url for url in support.REQUESTED_URLS)
    assert any(pupil.upn in line for line in support.LOG_LINES)
    # Leave nothing for the guard to find after this test.
    support.clear()
