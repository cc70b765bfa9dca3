"""Journeys in headless Chromium: an executive requests a board pack, sees it become ready and
downloads it; the Head of SEND sorts and filters the cross-trust table."""

import pytest
from django.conf import settings

from conftest import browser_login
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, executive, head_of_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = settings.BASE_DIR / "media-test"


def test_an_executive_requests_a_board_pack_watches_it_and_downloads_it(reference, page, media_root):
    user = executive(reference.assisi)
    browser_login(page, user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Dashboards").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Assisi Catholic Trust: pupils with SEND"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports-trust.png"), full_page=True)
    page.get_by_role("link", name="Board packs").first.click()
    page.get_by_role("button", name="Request a board pack").click()
    # Tasks run eagerly here, so the pack is ready when the page comes back.
    page.wait_for_selector("#packs tr[data-status='ready']", timeout=30_000)
    assert "Ready" in page.locator("#packs tr[data-status='ready']").inner_text()
    page.screenshot(path=str(SHOTS / "reports-board-packs.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").first.click()
    download = info.value
    assert download.suggested_filename.startswith("assisi-catholic-trust-board-pack-")
    with open(download.path(), "rb") as f:
        assert f.read(4) == b"%PDF"


def test_the_head_of_send_sorts_and_filters_all_schools(reference, page):
    user = head_of_send(reference.assisi, reference.christus)
    browser_login(page, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto("/reports/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your trusts side by side"
    assert page.locator("#school-table tbody tr").count() == 16
    page.get_by_label("Local authority").select_option("Thurrock")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#school-table tbody tr").count() == 4
    page.get_by_role("link", name="EHCP %").click()  # ascending
    page.get_by_role("link", name="EHCP %").click()  # descending
    first = page.locator("#school-table tbody tr").first.get_attribute("data-school")
    assert first == "8833001"  # Holy Cross, 10.6%
    page.screenshot(path=str(SHOTS / "reports-cross-trust.png"), full_page=True)
    page.goto("/reports/schools/8833001/")
    assert "10.6%" in page.locator("#school-figures").inner_text()
    page.screenshot(path=str(SHOTS / "reports-school.png"), full_page=True)


def test_a_queued_pack_updates_itself_on_the_page_when_it_is_ready(reference, page, media_root):
    from django_scopes import scopes_disabled

    from reports import services
    from reports.models import BoardPack
    from reports.sections import financial_year_to_date

    user = executive(reference.christus)
    start, end = financial_year_to_date()
    with scopes_disabled():
        pack = BoardPack.objects.create(
            trust=reference.christus,
            period_start=start,
            period_end=end,
            requested_by=user,
            idempotency_key="b" * 32,
        )
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/reports/trusts/christus-catholic-trust/board-packs/")
    row = page.locator(f"#pack-{pack.pk}")
    assert row.get_attribute("data-status") == "queued"
    assert "Queued" in row.inner_text()
    with scopes_disabled():  # what the worker does
        services.board_pack_render(pack_id=pack.pk)
    page.wait_for_selector(f"#pack-{pack.pk}[data-status='ready']", timeout=15_000)
    assert page.get_by_role("link", name="Download PDF").count() == 1


def test_in_the_embedded_demo_a_requested_pack_shows_its_progress_then_its_link(
    reference, page, media_root, settings
):
    # As `make run` has it: tasks run in the process, and the pack renders in a thread of its
    # own, so the page comes back at once and follows the render.
    settings.REPORTS_BOARD_PACK_IN_THREAD = True
    settings.REPORTS_TEST_RENDER_DELAY = 3
    user = executive(reference.assisi)
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/reports/trusts/assisi-catholic-trust/board-packs/")
    page.get_by_role("button", name="Request a board pack").click()
    row = page.locator("#packs tbody tr").first
    assert row.get_attribute("data-status") in ("queued", "rendering")
    assert "Board pack requested" in page.locator(".govuk-notification-banner, body").first.inner_text()
    status = row.locator(".report-status").inner_text()
    assert "Queued" in status or "Rendering" in status
    assert row.locator("progress.report-progress").count() == 1
    assert page.get_by_role("link", name="Download PDF").count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports-board-pack-progress.png"), full_page=True)
    page.wait_for_selector("#packs tr[data-status='ready']", timeout=60_000)
    assert row.locator("progress").count() == 0
    assert page.get_by_role("link", name="Download PDF").count() == 1
    page.screenshot(path=str(SHOTS / "reports-board-pack-ready.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").first.click()
    with open(info.value.path(), "rb") as f:
        assert f.read(4) == b"%PDF"


def test_a_failed_pack_offers_try_again_and_then_its_link(reference, page, media_root):
    from django_scopes import scopes_disabled

    from reports.models import BoardPack
    from reports.sections import financial_year_to_date

    user = executive(reference.christus)
    start, end = financial_year_to_date()
    with scopes_disabled():
        pack = BoardPack.objects.create(
            trust=reference.christus,
            period_start=start,
            period_end=end,
            requested_by=user,
            idempotency_key="c" * 32,
            status=BoardPack.Status.FAILED,
            attempts=1,
            error="The board pack could not be produced. Try again; if it fails again, report "
            "this error: OSError: disk full",
        )
    browser_login(page, user.email, TEST_PASSWORD)
    page.goto("/reports/trusts/christus-catholic-trust/board-packs/")
    row = page.locator(f"#pack-{pack.pk}")
    assert "Failed" in row.inner_text() and "disk full" in row.inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "reports-board-pack-failed.png"), full_page=True)
    row.get_by_role("button", name="Try again").click()
    # Tasks run eagerly here (not in a thread): the pack is drawn again before the page returns.
    page.wait_for_selector(f"#pack-{pack.pk}[data-status='ready']", timeout=30_000)
    assert "Board pack requested again" in page.content()
    assert page.get_by_role("link", name="Download PDF").count() == 1
