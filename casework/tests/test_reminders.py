"""The daily reminder digest: one e-mail per owner per day, whatever runs twice."""

import datetime as dt

import pytest
from django.core import mail

from casework import services, tasks
from casework.models import DigestSent, EHCRequest

pytestmark = pytest.mark.django_db


def test_each_owner_gets_one_digest_and_a_second_run_sends_nothing(world):
    today = dt.date.today()
    services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Due soon",
        owner=world.senco_a,
        opened_on=today,
        next_action_due=today + dt.timedelta(days=3),
    )
    services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="other",
        title="Overdue",
        owner=world.senco_a,
        opened_on=today - dt.timedelta(days=30),
        next_action_due=today - dt.timedelta(days=2),
    )
    services.case_open(
        actor=world.senco_b,
        school=world.school_b,
        kind="other",
        title="Far away",
        owner=world.senco_b,
        opened_on=today,
        next_action_due=today + dt.timedelta(days=30),
    )
    # An assessment request whose 6-week decision is 2 days away, owned by the Head of SEND.
    EHCRequest.objects.create(
        pupil=world.pupil_b,
        school=world.school_b,
        local_authority=world.school_b.local_authority,
        requested_by="parent",
        owner=world.hos,
        request_date=today - dt.timedelta(weeks=6) + dt.timedelta(days=2),
    )

    assert tasks.send_daily_reminders.delay().get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.senco_a.email, world.hos.email])
    senco_mail = next(m for m in mail.outbox if m.to == [world.senco_a.email])
    assert "2 item(s)" in senco_mail.subject
    assert "Late (overdue, 2 days)" in senco_mail.body and "Due in 3 days" in senco_mail.body
    assert world.pupil_a.surname not in senco_mail.body
    hos_mail = next(m for m in mail.outbox if m.to == [world.hos.email])
    assert "Decision whether to assess" in hos_mail.body

    assert tasks.send_daily_reminders.delay().get() == 0
    assert len(mail.outbox) == 2
    assert DigestSent.objects.filter(date=today).count() == 2


def test_a_new_day_sends_again(world):
    today = dt.date(2025, 10, 1)
    services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Due",
        owner=world.senco_a,
        opened_on=dt.date(2025, 9, 1),
        next_action_due=dt.date(2025, 10, 2),
    )
    assert services.reminders_send_daily(today=today) == 1
    assert services.reminders_send_daily(today=today) == 0
    assert services.reminders_send_daily(today=today + dt.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_the_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["casework-daily-reminders"]
    assert entry["task"] == tasks.send_daily_reminders.name


def test_the_digest_links_are_absolute_addresses_built_from_site_url(world, settings):
    settings.SITE_URL = "https://send.example.org/"
    today = dt.date(2025, 10, 1)
    case = services.case_open(
        actor=world.senco_a,
        school=world.school_a,
        kind="complaint",
        title="Due",
        owner=world.senco_a,
        opened_on=dt.date(2025, 9, 1),
        next_action_due=dt.date(2025, 10, 2),
    )
    assert services.reminders_send_daily(today=today) == 1
    body = mail.outbox[0].body
    assert f" https://send.example.org/casework/cases/{case.pk}/\n" in body + "\n"
    assert "https://send.example.org/casework/due/" in body
    # Every link in the e-mail is absolute: a mail client has no page to resolve one against.
    assert all(
        word.startswith("https://send.example.org/")
        for word in body.split()
        if "/" in word and not word.startswith("(")
    )
