import datetime as dt
import io
import logging

from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import override_settings

from privacy import selectors, services, tasks
from pupils.models import Pupil
from pupils.tests.factories import PupilFactory

TODAY = dt.date(2026, 3, 1)


def test_a_pupil_born_1990_is_past_31_years_and_one_born_2000_is_not(world):
    old = PupilFactory(school=world.a1, date_of_birth=dt.date(1990, 6, 1))
    young = PupilFactory(school=world.a1, date_of_birth=dt.date(2000, 6, 1))
    due = set(selectors.pupils_past_retention(today=TODAY, years=31))
    assert old in due and young not in due and world.p not in due


def test_the_period_is_counted_to_the_day_and_comes_from_the_setting(world):
    edge = PupilFactory(school=world.a1, date_of_birth=dt.date(1995, 3, 1))
    assert edge in selectors.pupils_past_retention(today=TODAY, years=31)
    assert edge not in selectors.pupils_past_retention(today=TODAY - dt.timedelta(days=1), years=31)
    with override_settings(PRIVACY_RETENTION_YEARS=40):
        assert edge not in selectors.pupils_past_retention(today=TODAY)
    assert selectors.retention_cutoff(dt.date(2024, 2, 29), 31) == dt.date(1993, 2, 28)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_reports_counts_per_trust_and_changes_nothing(world):
    old_a = PupilFactory(school=world.a1, surname="Oldfield", date_of_birth=dt.date(1990, 1, 2))
    PupilFactory(school=world.b1, surname="Olderbury", date_of_birth=dt.date(1985, 1, 2))
    PupilFactory(school=world.b1, surname="Oldham", date_of_birth=dt.date(1989, 1, 2))
    rows = list(Pupil.objects.order_by("pk").values())
    entries = LogEntry.objects.count()
    output = _run("--dry-run")
    assert f"{world.trust_a.slug}: 1" in output and f"{world.trust_b.slug}: 2" in output
    assert "3 pupil record(s) past retention would be erased (dry run)" in output
    for name in ("Oldfield", "Olderbury", "Oldham", old_a.upn, "1990-01-02"):
        assert name not in output
    assert list(Pupil.objects.order_by("pk").values()) == rows
    assert LogEntry.objects.count() == entries


def test_the_real_run_erases_those_past_retention_and_is_idempotent(world):
    old = PupilFactory(school=world.a1, surname="Oldfield", date_of_birth=dt.date(1990, 1, 2))
    output = _run()
    assert "1 pupil record(s) past retention erased." in output
    old.refresh_from_db()
    assert selectors.is_erased(old) and old.surname == "Erased"
    world.p.refresh_from_db()
    assert world.p.surname == "Kowalczyk"  # born 2014: kept
    tombstones = LogEntry.objects.filter(additional_data__erasure=True)
    assert tombstones.get().additional_data["reason"] == "retention"
    assert "0 pupil record(s) past retention erased." in _run()
    assert tombstones.count() == 1


def test_the_monthly_task_logs_counts_only(world, caplog):
    PupilFactory(school=world.a1, surname="Oldfield", date_of_birth=dt.date(1990, 1, 2))
    with caplog.at_level(logging.INFO, logger="privacy.tasks"):
        counts = tasks.retention_report.delay().get()
    assert counts == {world.trust_a.slug: 1}
    assert "1 pupil record(s) past retention" in caplog.text
    assert "Oldfield" not in caplog.text
    assert Pupil.objects.filter(surname="Oldfield").exists()


def test_the_task_is_scheduled_monthly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-monthly-retention-report"]
    assert entry["task"] == "privacy.retention_report"
    assert entry["schedule"].day_of_month == {1}


def test_erased_pupils_are_not_listed_again(world):
    old = PupilFactory(school=world.a1, date_of_birth=dt.date(1990, 1, 2))
    services.pupil_erase(actor=None, pupil=old, reason="retention")
    assert old not in selectors.pupils_past_retention(today=TODAY, years=31)


def test_a_real_upn_with_check_letter_e_is_not_taken_for_an_erased_one(world):
    # E + 12 digits is the shape of a real permanent UPN; only "ERASED..." marks an erased one.
    pupil = PupilFactory(school=world.a1, upn="E801200005001", date_of_birth=dt.date(1980, 1, 1))
    assert pupil in selectors.pupils_past_retention(today=TODAY, years=31)
    assert not selectors.is_erased(pupil)
    assert selectors.erased_upn(36**7 - 1) == "ERASEDZZZZZZZ"
    assert len(selectors.erased_upn(10**9)) == 13
