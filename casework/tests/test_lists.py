"""The due list and the case lists worked through: filtered by trust and status in the URL,
counted from the filtered set, paged, sorted by a whitelisted column with the other filters
kept; and the activity log's form and corrections."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import ActivityCorrection, ActivityEntry, ActivityShare, Case, EHCRequest
from trusts.tests.factories import SchoolFactory, TrustFactory, head_of_send

pytestmark = pytest.mark.django_db


def _cases(school, owner, n, *, due_in_days, title="Hand-built"):
    """`n` open complaints at `school` with the next action due `due_in_days` from today."""
    today = dt.date.today()
    Case.objects.bulk_create(
        Case(
            school=school,
            owner=owner,
            kind=Case.Kind.COMPLAINT,
            title=f"{title} {i}",
            opened_on=today - dt.timedelta(days=30),
            next_action_due=today + dt.timedelta(days=due_in_days),
        )
        for i in range(n)
    )


def _refs(response) -> list[str]:
    return re.findall(r'data-ref="([^"]+)"', response.content.decode())


# --- The due list ------------------------------------------------------------------------------


def test_the_due_list_filters_by_trust_and_shows_each_row_s_trust(client, world):
    _cases(world.school_a, world.senco_a, 2, due_in_days=3)
    _cases(world.school_b, world.senco_b, 3, due_in_days=3)
    client.force_login(world.hos)
    body = client.get("/casework/due/").content.decode()
    assert 'name="trust"' in body and "All trusts" in body
    response = client.get(f"/casework/due/?trust={world.trust_b.pk}")
    assert response.status_code == 200
    rows = response.context["listing"].rows
    assert len(rows) == 3 and {r.school_name for r in rows} == {"Beta Primary"}
    assert {r.trust_name for r in rows} == {"Trust B"}
    table = response.content.decode().split('id="due-table"')[1]
    assert ">Trust</a>" in table and ">Trust B<" in table


def test_a_trust_the_reader_cannot_see_is_not_offered_and_is_refused(client, world):
    _cases(world.school_b, world.senco_b, 2, due_in_days=3)
    client.force_login(world.senco_a)
    body = client.get("/casework/due/").content.decode()
    # One trust: nothing to choose, and no other trust's name on offer.
    assert 'name="trust"' not in body and "Trust B" not in body
    response = client.get(f"/casework/due/?trust={world.trust_b.pk}")
    assert response.status_code == 400
    assert "from the list" in response.content.decode()
    assert _refs(response) == [] or all(
        r.school_id == world.school_a.pk for r in response.context["listing"].rows
    )


def test_the_due_list_filters_by_status_and_counts_the_filtered_set(client, world):
    _cases(world.school_a, world.senco_a, 2, due_in_days=-3)  # overdue
    _cases(world.school_a, world.senco_a, 3, due_in_days=5)  # due within 7 days
    _cases(world.school_a, world.senco_a, 4, due_in_days=30)  # later
    client.force_login(world.hos)
    counts = client.get("/casework/due/").context["counts"]
    assert (counts["total"], counts["overdue"], counts["week"]) == (9, 2, 3)
    body = client.get("/casework/due/").content.decode()
    assert "9 items</strong>, 2 overdue, 3 due within 7 days." in body
    overdue = client.get("/casework/due/?due=overdue")
    assert overdue.context["counts"]["total"] == 2
    assert "2 items</strong>, 2 overdue, 0 due within 7 days match the filters." in (overdue.content.decode())
    week = client.get("/casework/due/?due=week")
    assert week.context["counts"]["total"] == 3 and week.context["counts"]["overdue"] == 0
    assert client.get("/casework/due/?due=soon").context["counts"]["total"] == 5


def test_the_due_list_is_paged_by_50_and_the_page_links_keep_the_filters(client, world):
    _cases(world.school_a, world.senco_a, 60, due_in_days=2)
    _cases(world.school_b, world.senco_b, 5, due_in_days=2)
    client.force_login(world.hos)
    url = f"/casework/due/?trust={world.trust_a.pk}&due=week&sort=-school"
    first = client.get(url)
    assert len(_refs(first)) == 50 and first.context["counts"]["total"] == 60
    body = first.content.decode()
    assert "Showing 1 to 50." in body
    assert f'href="?trust={world.trust_a.pk}&amp;due=week&amp;sort=-school&amp;page=2"' in body
    assert 'aria-current="page"' in body and 'class="govuk-pagination"' in body
    second = client.get(url + "&page=2")
    assert len(_refs(second)) == 10
    assert not set(_refs(first)) & set(_refs(second))
    # A page past the end shows the last page, never an error.
    assert client.get(url + "&page=99").status_code == 200
    assert client.get(url + "&page=x").status_code == 200


def test_the_due_list_sorts_by_a_whitelisted_column_with_aria_sort(client, world):
    other = SchoolFactory(trust=world.trust_a, name="Aardvark Academy")
    world.hos.refresh_from_db()
    _cases(world.school_a, world.senco_a, 1, due_in_days=1)
    _cases(other, world.senco_a, 1, due_in_days=9)
    _cases(world.school_b, world.senco_b, 1, due_in_days=5)
    client.force_login(world.hos)
    by_school = client.get("/casework/due/?sort=school")
    assert [r.school_name for r in by_school.context["listing"].rows] == [
        "Aardvark Academy",
        "Alpha Primary",
        "Beta Primary",
    ]
    body = by_school.content.decode()
    assert 'aria-sort="ascending"><a class="govuk-link portal-sort" href="?sort=-school"' in body
    descending = client.get("/casework/due/?sort=-school")
    assert [r.school_name for r in descending.context["listing"].rows] == [
        "Beta Primary",
        "Alpha Primary",
        "Aardvark Academy",
    ]
    assert 'aria-sort="descending"' in descending.content.decode()
    # The sort links keep the filters; an unknown column sorts by the default (due first).
    filtered = client.get(f"/casework/due/?trust={world.trust_a.pk}&sort=owner")
    assert f'href="?trust={world.trust_a.pk}&amp;sort=due"' in filtered.content.decode()
    tampered = client.get("/casework/due/?sort=school__trust__name")
    assert [r.due for r in tampered.context["listing"].rows] == sorted(
        r.due for r in tampered.context["listing"].rows
    )


def test_a_descending_sort_lists_equal_values_by_name_a_to_z(client, world):
    day = dt.date.today() + dt.timedelta(days=3)
    for title in ("Complaint C", "Complaint A", "Complaint B"):
        services.case_open(
            actor=world.hos,
            school=world.school_a,
            kind="complaint",
            title=title,
            owner=world.hos,
            opened_on=dt.date.today(),
            next_action_due=day,
        )
    client.force_login(world.hos)
    for sort in ("-due", "due", "-school", "-kind"):
        rows = client.get(f"/casework/due/?sort={sort}").context["listing"].rows
        assert [r.name for r in rows] == ["Complaint A", "Complaint B", "Complaint C"], sort


def test_the_case_lists_page_filter_and_sort_the_same_way(client, world):
    _cases(world.school_a, world.senco_a, 55, due_in_days=-1)
    _cases(world.school_b, world.hos, 2, due_in_days=4)
    client.force_login(world.hos)
    open_ = client.get(f"/casework/cases/?view=open&trust={world.trust_a.pk}&due=overdue")
    assert open_.context["counts"]["total"] == 55 and len(_refs(open_)) == 50
    assert (
        f'href="?view=open&amp;trust={world.trust_a.pk}&amp;due=overdue&amp;page=2"' in open_.content.decode()
    )
    mine = client.get("/casework/cases/?sort=-school")
    assert mine.context["counts"]["total"] == 2  # the Head of SEND's own cases
    assert 'name="owner"' not in mine.content.decode().split("casework-filters")[1][:3000]


def _requests(pupil, owner, n, *, days_ago):
    EHCRequest.objects.bulk_create(
        EHCRequest(
            pupil=pupil,
            school=pupil.school,
            local_authority=pupil.home_local_authority,
            requested_by="school",
            owner=owner,
            request_date=dt.date.today() - dt.timedelta(days=days_ago),
        )
        for _ in range(n)
    )


def test_the_assessment_requests_list_filters_counts_sorts_and_pages(client, world):
    # Decision due 6 weeks after the request: 45 days ago is overdue, 38 days ago due this week.
    _requests(world.pupil_a, world.senco_a, 40, days_ago=45)
    _requests(world.pupil_a, world.senco_a, 15, days_ago=38)
    _requests(world.pupil_b, world.senco_b, 4, days_ago=10)
    closed = EHCRequest.objects.filter(school=world.school_b).first()
    closed.decision, closed.decision_date = "refuse", dt.date.today()
    closed.save()
    client.force_login(world.hos)
    everything = client.get("/casework/requests/")
    assert everything.context["counts"] == {"total": 58, "overdue": 40, "week": 15, "filtered": False}
    url = f"/casework/requests/?trust={world.trust_a.pk}&show=week&sort=-requested"
    week = client.get(url)
    assert week.context["counts"]["total"] == 15
    assert {r.trust_name for r in week.context["listing"].rows} == {"Trust A"}
    assert 'aria-sort="descending"' in week.content.decode()
    overdue = client.get(f"/casework/requests/?trust={world.trust_a.pk}&show=overdue")
    body = overdue.content.decode()
    assert body.count('data-request="') == 40
    closed_rows = client.get("/casework/requests/?show=closed").context["listing"].rows
    assert [r.pk for r in closed_rows] == [closed.pk] and closed_rows[0].result
    paged = client.get("/casework/requests/?show=all&sort=school")
    assert paged.content.decode().count('data-request="') == 50
    assert 'href="?show=all&amp;sort=school&amp;page=2"' in paged.content.decode()
    assert client.get(f"/casework/requests/?trust={world.trust_b.pk}&page=2").status_code == 200
    client.force_login(world.senco_a)
    assert client.get(f"/casework/requests/?trust={world.trust_b.pk}").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/casework/due/?sort=-owner&due=soon",
        "/casework/cases/?view=open&sort=trust",
        "/casework/due/?page=2",
        "/casework/activity/?sort=hours",
        "/casework/requests/?show=all&sort=-la&page=2",
    ],
)
def test_paged_lists_take_the_same_queries_for_2_and_70_rows(client, world, url):
    def rows(n):
        _cases(world.school_a, world.senco_a, n // 2, due_in_days=2)
        _cases(world.school_b, world.senco_b, n - n // 2, due_in_days=-2)
        _requests(world.pupil_a, world.senco_a, n // 2, days_ago=20)
        _requests(world.pupil_b, world.senco_b, n - n // 2, days_ago=50)
        for i in range(n):
            services.activity_log(
                actor=world.hos,
                kind="school_visit",
                date=dt.date.today(),
                hours=Decimal(1),
                trusts=[world.trust_a],
                school=world.school_a if i % 2 else None,
            )

    client.force_login(world.hos)
    rows(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    rows(68)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The activity log --------------------------------------------------------------------------


def test_the_activity_form_ticks_no_trust_for_a_head_of_send_of_two(client, world):
    client.force_login(world.hos)
    body = client.get("/casework/activity/").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="trusts"[^>]*>', body)
    assert len(boxes) == 2 and not any("checked" in b for b in boxes)


def test_a_head_of_send_of_one_trust_has_it_ticked(client, world):
    one = head_of_send(world.trust_a)
    client.force_login(one)
    boxes = re.findall(
        r'<input type="checkbox" name="trusts"[^>]*>', client.get("/casework/activity/").content.decode()
    )
    assert len(boxes) == 1 and "checked" in boxes[0]


def test_a_visit_logged_without_a_trust_is_for_the_school_s_trust_alone(client, world):
    client.force_login(world.hos)
    response = client.post(
        "/casework/activity/",
        {
            "kind": "school_visit",
            "date": dt.date.today().isoformat(),
            "hours": "3",
            "school": world.school_b.pk,
        },
    )
    assert response.status_code == 302
    entry = ActivityEntry.objects.get()
    assert list(ActivityShare.objects.filter(entry=entry).values_list("trust_id", "hours")) == [
        (world.trust_b.pk, Decimal("3.00"))
    ]


def test_an_activity_with_neither_trust_nor_school_is_refused(client, world):
    client.force_login(world.hos)
    response = client.post(
        "/casework/activity/", {"kind": "la_forum", "date": dt.date.today().isoformat(), "hours": "2"}
    )
    assert response.status_code == 200 and ActivityEntry.objects.count() == 0
    assert "Choose a trust, or the school the activity was for." in response.content.decode()


@pytest.fixture
def entry(world):
    return services.activity_log(
        actor=world.hos,
        kind="school_visit",
        date=dt.date.today() - dt.timedelta(days=2),
        hours=Decimal(4),
        trusts=[world.trust_a, world.trust_b],
        school=world.school_a,
        notes="Met the SENCO",
    )


def _correction(world, **changes):
    data = {
        "kind": "school_visit",
        "date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        "hours": "4",
        "trusts": [world.trust_a.pk],
        "school": world.school_a.pk,
        "notes": "Met the SENCO",
        "reason": "The visit was for Trust A only",
    }
    data.update(changes)
    return data


def test_the_author_corrects_an_entry_and_its_history_keeps_the_original(client, world, entry):
    client.force_login(world.hos)
    page = client.get(f"/casework/activity/{entry.pk}/correct/")
    assert page.status_code == 200
    response = client.post(f"/casework/activity/{entry.pk}/correct/", _correction(world, hours="3.5"))
    assert response.status_code == 302 and response["Location"] == (f"/casework/activity/{entry.pk}/")
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.50")
    assert list(ActivityShare.objects.filter(entry=entry).values_list("trust_id", "hours")) == [
        (world.trust_a.pk, Decimal("3.50"))
    ]
    correction = ActivityCorrection.objects.get()
    assert correction.before["hours"] == "4.00" and correction.after["hours"] == "3.50"
    assert [n for _, n in correction.before["trusts"]] == ["Trust A", "Trust B"]
    body = client.get(f"/casework/activity/{entry.pk}/").content.decode()
    history = body.split('id="history"')[1]
    assert "The visit was for Trust A only" in history
    assert ">Hours<" in history and ">4.00<" in history and ">3.50<" in history
    assert ">Trust A, Trust B<" in history  # as first logged
    # A second correction keeps the first one's values too.
    client.post(f"/casework/activity/{entry.pk}/correct/", _correction(world, hours="3"))
    corrections = list(ActivityCorrection.objects.order_by("pk"))
    assert [c.before["hours"] for c in corrections] == ["4.00", "3.50"]
    assert "Corrected" in client.get("/casework/activity/").content.decode()


def test_a_correction_moves_the_hours_between_trusts_in_the_split(client, world, entry):
    client.force_login(world.hos)
    before = client.get("/casework/activity/").context["split"].year_to_date.hours
    assert before == {world.trust_a.pk: Decimal("2.00"), world.trust_b.pk: Decimal("2.00")}
    client.post(f"/casework/activity/{entry.pk}/correct/", _correction(world))
    after = client.get("/casework/activity/").context["split"].year_to_date.hours
    assert after == {world.trust_a.pk: Decimal("4.00"), world.trust_b.pk: Decimal(0)}


def test_a_correction_is_audited_without_the_notes(client, world, entry):
    client.force_login(world.hos)
    client.post(
        f"/casework/activity/{entry.pk}/correct/", _correction(world, notes="Met the SENCO and the head")
    )
    rows = LogEntry.objects.filter(actor=world.hos)
    assert rows.filter(content_type__model="activitycorrection", action=LogEntry.Action.CREATE).count() == 1
    update = rows.get(
        content_type__model="activityentry", action=LogEntry.Action.UPDATE, object_pk=str(entry.pk)
    )
    assert "notes" in update.changes_dict
    assert "Met the SENCO and the head" not in str(list(rows.values_list("changes", flat=True)))


def test_only_the_author_may_correct_an_entry(client, world, entry):
    other_hos = head_of_send(world.trust_a, world.trust_b)
    client.force_login(other_hos)
    # Another Head of SEND of the same trusts reads the entry, but cannot correct it.
    assert client.get(f"/casework/activity/{entry.pk}/").status_code == 200
    assert "Correct this entry" not in client.get(f"/casework/activity/{entry.pk}/").content.decode()
    assert client.get(f"/casework/activity/{entry.pk}/correct/").status_code == 404
    response = client.post(f"/casework/activity/{entry.pk}/correct/", _correction(world))
    assert response.status_code == 404
    client.force_login(world.senco_a)
    assert client.get(f"/casework/activity/{entry.pk}/").status_code == 404
    assert client.post(f"/casework/activity/{entry.pk}/correct/", _correction(world)).status_code == 404
    entry.refresh_from_db()
    assert entry.hours == Decimal("4.00") and not ActivityCorrection.objects.exists()


def test_a_correction_that_changes_nothing_or_is_invalid_changes_nothing(client, world, entry):
    client.force_login(world.hos)
    same = _correction(world, trusts=[world.trust_a.pk, world.trust_b.pk])
    response = client.post(f"/casework/activity/{entry.pk}/correct/", same)
    assert response.status_code == 400
    assert "Nothing has changed" in response.content.decode()
    response = client.post(
        f"/casework/activity/{entry.pk}/correct/", _correction(world, hours="-2", trusts=[], school="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a trust, or the school the activity was for." in body
    assert "must be 0.25 or more" in body
    assert not ActivityCorrection.objects.exists()


def test_the_activity_entries_filter_sort_and_page(client, world):
    for i in range(55):
        services.activity_log(
            actor=world.hos,
            kind="la_forum" if i % 5 else "school_visit",
            date=dt.date.today(),
            hours=Decimal(1) + i % 3,
            trusts=[world.trust_b if i % 2 else world.trust_a],
        )
    client.force_login(world.hos)
    response = client.get(f"/casework/activity/?trust={world.trust_a.pk}&sort=-hours")
    listing = response.context["listing"]
    assert listing.count == 28 and response.context["counts"]["filtered"]
    hours = [r["entry"].hours for r in listing.rows]
    assert hours == sorted(hours, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()
    first = client.get("/casework/activity/")
    assert first.context["listing"].count == 55 and len(first.context["listing"].rows) == 50
    assert "55 entries</strong>" in first.content.decode()
    assert client.get("/casework/activity/?kind=school_visit").context["listing"].count == 11
    # Logged by: only the people who logged entries for the reader's trusts are offered.
    colleague = head_of_send(world.trust_b)
    services.activity_log(
        actor=colleague, kind="la_forum", date=dt.date.today(), hours=Decimal(2), trusts=[world.trust_b]
    )
    trust_c = TrustFactory(name="Trust C")
    stranger = head_of_send(trust_c)
    services.activity_log(
        actor=stranger, kind="la_forum", date=dt.date.today(), hours=Decimal(2), trusts=[trust_c]
    )
    mine = client.get(f"/casework/activity/?person={colleague.pk}")
    assert mine.context["listing"].count == 1
    assert 'name="person"' in mine.content.decode()
    assert str(stranger) not in mine.content.decode()
    refused = client.get(f"/casework/activity/?person={stranger.pk}")
    # Not one of the choices: the filter is ignored, and the page says so.
    assert refused.context["listing"].count == 56
    assert "from the list" in refused.content.decode()


def test_a_long_list_shows_the_first_last_and_nearby_pages_with_gaps(client, world):
    _cases(world.school_a, world.senco_a, 301, due_in_days=2)
    client.force_login(world.hos)
    body = client.get("/casework/due/?due=week&page=4").content.decode()
    pages = re.findall(r'aria-label="Page (\d+)"', body)
    assert pages == ["1", "3", "4", "5", "7"] and body.count("&ctdot;") == 2
    assert 'href="?due=week&amp;page=3" rel="prev"' in body
    assert "Showing 151 to 200." in body
