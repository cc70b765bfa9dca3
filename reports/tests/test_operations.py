"""Funding, casework, EHCP timeliness, training and the Head of SEND's time on the dashboards
and in the board pack, worked by hand on a small set of claims, cases and activity."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from casework import figures as casework_figures
from casework import services as casework_services
from casework.models import Case, EHCRequest
from funding import reference as funding_reference
from funding.models import Award, Claim, ClaimStatus, Payment
from funding.tests.factories import band, ehcp_pupil
from provision.tests.factories import ta_support
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from reports import pdf, sections
from reports.figures_check import figures_rebuild
from trusts.models import LocalAuthority
from trusts.tests.factories import executive, head_of_send, senco

pytestmark = pytest.mark.django_db
D = dt.date
PERIOD = (D(2025, 4, 1), D(2025, 12, 1))  # the financial year 2025-26 to 1 December


@pytest.fixture
def world(reference):
    """Assisi's 8813001 (Essex) and 8824001 (Southend) with a hand-built set of claims, cases,
    EHC needs assessments and activity; one Christus case that must never be counted."""
    funding_reference.load_banding_tables()
    essex = LocalAuthority.objects.get(code=881)
    southend = LocalAuthority.objects.get(code=882)
    a, b = reference.schools["8813001"], reference.schools["8824001"]
    christus_school = reference.schools["8833001"]
    w = type("World", (), {})()
    w.a, w.b, w.essex = a, b, essex
    w.senco_a = senco(a)
    w.hos = head_of_send(reference.assisi, reference.christus)
    w.exec = executive(reference.assisi)
    # Funding. P1: Essex band 2 (2,700 a year) awarded from 1 April 2025, 1,000 received,
    # 10 TA hours costed. P2: Essex band 3 (4,800) submitted, no award. P3: EHC plan, no claim.
    p1 = ehcp_pupil(a, home_local_authority=essex, forename="Zebedee", surname="Quartermaine")
    p2 = ehcp_pupil(a, home_local_authority=essex)
    w.p3 = ehcp_pupil(b, home_local_authority=southend, forename="Ottoline", surname="Vexley")
    c1 = Claim.objects.create(
        school=a,
        pupil=p1,
        local_authority=essex,
        financial_year=2025,
        requested_band=band(essex, "2"),
        evidence_summary="EHC plan",
        provision_to_fund="TA",
        status=ClaimStatus.AWARDED,
        submitted_on=D(2025, 4, 1),
        decided_on=D(2025, 4, 20),
    )
    Award.objects.create(claim=c1, band=band(essex, "2"), start_date=D(2025, 4, 1))
    Payment.objects.create(claim=c1, amount=Decimal("1000.00"), received_on=D(2025, 6, 1))
    ta_support(p1, Decimal(10))
    Claim.objects.create(
        school=a,
        pupil=p2,
        local_authority=essex,
        financial_year=2025,
        requested_band=band(essex, "3"),
        evidence_summary="EHC plan",
        provision_to_fund="TA",
        status=ClaimStatus.SUBMITTED,
        submitted_on=D(2025, 5, 1),
    )

    # Cases. Terms from 1 Sep 2024: Autumn 2024, Spring 2025, Summer 2025, Autumn 2025.
    def case(school, kind, opened, closed=None):
        return Case.objects.create(
            school=school,
            kind=kind,
            title="Hand-built case",
            owner=w.senco_a,
            opened_on=opened,
            status=Case.Status.CLOSED if closed else Case.Status.OPEN,
            closed_on=closed,
            outcome="Resolved" if closed else "",
        )

    K = Case.Kind
    case(a, K.TRIBUNAL_APPEAL, D(2024, 10, 10), D(2025, 3, 1))  # autumn 24 -> spring 25
    case(b, K.SUSPENSION, D(2025, 5, 6))  # summer 25, open
    case(a, K.COMPLAINT, D(2025, 9, 15))  # autumn 25, open
    case(a, K.COMPLAINT, D(2025, 9, 20), D(2025, 10, 1))  # autumn 25, closed
    case(a, K.CHANGE_OF_PLACEMENT, D(2024, 6, 1))  # before the period, open
    case(christus_school, K.COMPLAINT, D(2025, 9, 15))  # another trust

    # EHC needs assessments requested 6 Jan 2025 (a Monday), final plans after 18, 20 and 30
    # weeks; one still open (past 20 weeks by 1 December).
    def request(weeks=None):
        # At SEN Support while assessed, with no costed provision: not "unclaimed".
        pupil = PupilFactory(school=a, home_local_authority=essex, provision=Provision.SEN_SUPPORT)
        kw = {}
        if weeks is not None:
            kw = {
                "decision": "assess",
                "decision_date": D(2025, 2, 3),
                "outcome": "issued",
                "outcome_date": D(2025, 1, 6) + dt.timedelta(weeks=weeks),
            }
        return EHCRequest.objects.create(
            pupil=pupil,
            school=a,
            local_authority=essex,
            requested_by="school",
            request_date=D(2025, 1, 6),
            owner=w.senco_a,
            **kw,
        )

    for weeks in (18, 20, 30):
        request(weeks)
    request()
    # Activity of the Head of SEND in 2025/26: Assisi 3 + 1 = 4 hours, Christus 1 + 4 = 5.
    log = casework_services.activity_log
    log(
        actor=w.hos,
        kind="training",
        date=D(2025, 9, 10),
        hours=Decimal(3),
        trusts=[reference.assisi],
        school=a,
        topic="Autism",
        staff_trained=12,
    )
    log(
        actor=w.hos,
        kind="training",
        date=D(2025, 10, 1),
        hours=Decimal(2),
        trusts=[reference.assisi, reference.christus],
        school=b,
        topic="SEMH",
        staff_trained=8,
    )
    log(actor=w.hos, kind="school_visit", date=D(2025, 10, 15), hours=Decimal(4), trusts=[reference.christus])
    w.reference = reference
    # The rows above were made directly, past the services: their figures once, as
    # `manage.py rebuild_figures` does.
    figures_rebuild()
    return w


def _report(world, visible=None):
    return sections.trust_report(world.reference.assisi, period=PERIOD, visible_trust_ids=visible)


def test_funding_position_is_worked_by_hand(world):
    t = _report(world).funding.total
    # Claimed: band 2 (2,700) + band 3 (4,800) = 7,500; expected 2,700 x 365/365 in the year,
    # 2,700 x 245/365 = 1,812.33 from 1 April to 1 December; received 1,000; shortfall to date
    # 812.33. Cost 10 x 38 x 12.21 x 1.30 = 6,031.74; gap 6,031.74 - 2,700.
    assert (t.claims_submitted, t.claims_awarded, t.claims_pending) == (2, 1, 1)
    assert (t.claimed_value, t.expected, t.expected_to_date, t.received, t.shortfall) == (
        Decimal("7500.00"),
        Decimal("2700.00"),
        Decimal("1812.33"),
        Decimal("1000.00"),
        Decimal("812.33"),
    )
    assert (t.provision_cost, t.gap) == (Decimal("6031.74"), Decimal("3331.74"))
    assert (t.unclaimed_ehcp, t.unclaimed_sen_support) == (1, 0)
    funding = _report(world).funding
    by_la = {r.local_authority.name: r.totals for r in funding.local_authorities}
    assert by_la["Essex"].expected == Decimal("2700.00") and by_la["Essex"].unclaimed == 0
    assert by_la["Southend-on-Sea"].unclaimed == 1  # P3 lives in Southend
    by_school = {r.school.laestab: r.totals for r in funding.schools}
    assert by_school["8813001"].claimed_value == Decimal("7500.00")
    assert by_school["8824001"].unclaimed == 1


def test_casework_is_counted_by_kind_and_term(world):
    cw = _report(world).casework
    assert cw.terms == ["Autumn 2024", "Spring 2025", "Summer 2025", "Autumn 2025"]
    assert [r.kind for r in cw.rows[:4]] == [
        "tribunal_appeal",
        "change_of_placement",
        "suspension",
        "complaint",
    ]
    tribunal, suspension = cw.row("tribunal_appeal"), cw.row("suspension")
    complaint, placement = cw.row("complaint"), cw.row("change_of_placement")
    assert (tribunal.opened, tribunal.closed, tribunal.open_now) == ([1, 0, 0, 0], [0, 1, 0, 0], 0)
    assert (suspension.opened, suspension.open_now) == ([0, 0, 1, 0], 1)
    assert (complaint.opened, complaint.closed, complaint.open_now) == ([0, 0, 0, 2], [0, 0, 0, 1], 1)
    assert (placement.total_opened, placement.open_now) == (0, 1)
    assert (cw.total_opened, cw.total_closed, cw.open_now) == (4, 2, 3)  # not the Christus case
    assert cw.opened_by_term == [1, 0, 1, 2]


def test_term_ranges_put_every_day_in_the_term_of_term_key():
    start, end = D(2023, 9, 1), D(2027, 8, 31)
    ranges = casework_figures.term_ranges(start, end)
    assert len(ranges) == 12
    day = start
    for key, first, last in ranges:
        assert first == day  # no gap and no overlap between one term and the next
        while day <= last:
            assert casework_figures.term_key(day) == key, day
            day += dt.timedelta(days=1)
    assert day == end + dt.timedelta(days=1)
    # Clipped to the period: a period starting and ending inside terms.
    assert casework_figures.term_ranges(D(2025, 10, 2), D(2026, 2, 1)) == [
        ((2025, 0), D(2025, 10, 2), D(2025, 12, 31)),
        ((2025, 1), D(2026, 1, 1), D(2026, 2, 1)),
    ]


def test_a_case_opened_on_easter_sunday_is_spring_and_on_easter_monday_summer(world):
    # Easter Sunday 2025 was 20 April.
    for opened in (D(2025, 4, 20), D(2025, 4, 21)):
        Case.objects.create(
            school=world.a, kind=Case.Kind.SUSPENSION, title="Easter", owner=world.senco_a, opened_on=opened
        )
    figures_rebuild()
    cw = _report(world).casework
    # Summer 2025 had one suspension already (6 May).
    assert cw.row("suspension").opened == [0, 1, 2, 0]
    assert cw.opened_by_term == [1, 1, 2, 2]


def test_ehcp_timeliness_by_la_is_worked_by_hand(world):
    tl = _report(world).timeliness
    [essex] = tl.rows
    # 18, 20 (the deadline itself) and 30 weeks: 2 of 3 within = 66.7%; median 20.0 weeks;
    # 90th percentile by nearest rank: ceil(0.9 x 3) = 3rd -> 30.0; one request open past 20.
    assert (essex.plans_issued, essex.within_20_weeks, essex.within_pct) == (3, 2, Decimal("66.7"))
    assert (essex.median_weeks, essex.p90_weeks, essex.open_past_20_weeks) == (
        Decimal("20.0"),
        Decimal("30.0"),
        1,
    )
    assert tl.total.plans_issued == 3 and tl.total.median_weeks == Decimal("20.0")


def test_training_and_the_time_split_hide_other_trusts_from_their_readers(world):
    report = _report(world)
    tr = report.training
    assert (tr.sessions, tr.hours, tr.staff) == (2, Decimal("5.00"), 20)
    assert [r["school__laestab"] for r in tr.rows] == ["8813001", "8824001"]
    [split] = report.time_splits
    assert [c.label for c in split.columns] == ["Assisi Catholic Trust", "Other trusts"]
    # Assisi 4 of 9 hours = 44.4%; the others 5 = 55.6%; agreed 50/50 by default.
    assert split.year_to_date.hours == [Decimal("4.00"), Decimal("5.00")]
    assert split.year_to_date.pct == [Decimal("44.4"), Decimal("55.6")]
    assert split.agreed == [Decimal("50.0"), Decimal("50.0")]
    both = _report(world, visible={world.reference.assisi.pk, world.reference.christus.pk})
    assert [c.label for c in both.time_splits[0].columns] == [
        "Assisi Catholic Trust",
        "Christus Catholic Trust",
    ]


def test_the_summary_speaks_of_funding_timeliness_casework_and_time(world):
    text = " ".join(sections.summary_section(_report(world)).context["sentences"])
    assert "2 claims for top-up funding worth £7,500.00 a year" in text
    assert "shortfall of £812.33" in text and "funding gap of £3,331.74" in text
    assert "1 pupil may be eligible" in text
    assert "3 final EHC plans were issued" in text and "2 (66.7%) within the 20-week limit" in text
    assert "Essex 2 of 3 (66.7%, median 20.0 weeks)" in text
    assert "4 cases were opened and 2 closed" in text and "3 are open now" in text
    assert "2 training sessions (5 hours) reached 20 members of staff in 2 schools" in text
    assert "Assisi Catholic Trust 4 hours (44.4%; agreed 50.0%)" in text
    assert "Christus" not in text


def test_the_board_pack_pdf_holds_the_funding_and_timeliness_figures(world):
    content = pdf.render_pdf(world.reference.assisi, period=PERIOD)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    for figure in (
        "£7,500.00",
        "£2,700.00",
        "£1,000.00",
        "£812.33",
        "£6,031.74",
        "£3,331.74",
        "66.7%",
        "30.0",
        "Top-up funding 2025-26",
        "timeliness by local authority",
        "Casework opened and closed by kind",
        "Training delivered",
        "Other trusts",
    ):
        assert figure in text, figure
    for name in ("Zebedee", "Quartermaine", "Ottoline", "Vexley", "Christus"):
        assert name not in text


def _dashboard(client, user, laestab="8813001"):
    client.force_login(user)
    response = client.get(f"/reports/schools/{laestab}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_school_dashboard_shows_casework_and_funding_without_pupil_names(client, world):
    body = _dashboard(client, world.senco_a)
    assert 'id="due-by-kind"' in body and 'id="school-funding"' in body
    # Today the 2025-26 year is over: its expected to date is the whole year's, 2,700.
    assert "£7,500.00" in body and "£1,700.00" in body and "£3,331.74" in body
    assert "/casework/" in body  # the SENCO may open the cases
    executive_body = _dashboard(client, world.exec)
    assert "fewer than 5" in executive_body.split('id="due-by-kind"')[1].split("</table>")[0]
    assert "/casework/" not in executive_body  # no links into casework for an executive
    assert "£7,500.00" in executive_body  # executives see funding totals
    for name in ("Zebedee", "Quartermaine"):
        assert name not in body and name not in executive_body


def test_the_trust_and_cross_trust_dashboards_show_the_new_panels(client, world):
    client.force_login(world.exec)
    body = client.get("/reports/trusts/assisi-catholic-trust/").content.decode()
    for panel in (
        "funding-by-la",
        "funding-by-school",
        "timeliness-table",
        "casework-table",
        "training-table",
    ):
        assert f'id="{panel}"' in body, panel
    assert "Christus" not in body
    client.force_login(world.hos)
    body = client.get("/reports/cross-trust/").content.decode()
    assert "Top-up claimed 2025-26" in body and "£7,500.00 (2 claims)" in body
    assert "Cases open now" in body
