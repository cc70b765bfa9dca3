import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core import serializers

from casework.models import AppendOnlyError, CaseNote
from privacy import services
from privacy.selectors import REDACTED_TEXT, is_erased
from pupils.models import Pupil

APPS = ("pupils", "provision", "support", "funding", "casework")


def dump() -> dict[tuple[str, int], str]:
    """Every row of every model of the pupils, provision, support, funding and casework apps, as
    JSON
    text."""
    rows = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for obj in model.objects.all():
                rows[(model._meta.label, obj.pk)] = serializers.serialize("json", [obj])
    return rows


def personal_values(pupil: Pupil) -> list[str]:
    return [pupil.surname, pupil.forename, pupil.upn, pupil.date_of_birth.isoformat()]


def test_erasure_removes_name_upn_and_dob_from_every_table_and_touches_nothing_else(world):
    p = world.p
    old = personal_values(p)
    before = dump()
    assert any(old[0] in text for text in before.values())  # the search can find them

    assert services.pupil_erase(actor=world.hos, pupil=p, reason="subject_request") is True

    after = dump()
    for key, text in after.items():
        for value in old:
            assert value not in text, (key, value)
    # Only p's rows and the one note mentioning p changed; q's, r's and the counts did not.
    changed = {key for key in after if before[key] != after[key]}
    expected = {("pupils.Pupil", p.pk), ("casework.CaseNote", world.mention.pk)}
    expected |= {(obj._meta.label, obj.pk) for obj in world.p_rows.values()}
    assert changed <= expected
    assert ("pupils.Pupil", p.pk) in changed and ("casework.CaseNote", world.p_rows["note"].pk) in changed
    assert set(after) == set(before)  # nothing deleted or added
    q = Pupil.objects.get(pk=world.q.pk)
    assert (q.surname, q.forename) == ("Abernethy", "Tobias")
    assert world.q_rows["note"].text in after[("casework.CaseNote", world.q_rows["note"].pk)]


def test_the_erased_record_holds_placeholders_and_money_stays(world):
    services.pupil_erase(actor=world.hos, pupil=world.p, reason="retention")
    p = Pupil.objects.get(pk=world.p.pk)
    assert (p.surname, p.forename, p.gender) == ("Erased", "Erased", "U")
    assert p.upn.startswith("ERASED") and len(p.upn) == 13
    assert int(p.upn.removeprefix("ERASED"), 36) == p.pk
    assert p.date_of_birth == dt.date(2014, 1, 1)
    assert is_erased(p)
    payment = world.p_rows["payment"]
    payment.refresh_from_db()
    assert str(payment.amount) == "1015.89" and payment.reference == REDACTED_TEXT
    note = CaseNote.objects.get(pk=world.mention.pk)
    assert note.text == f"Tobias said {REDACTED_TEXT} saw it happen."


def test_case_notes_stay_append_only_outside_erasure(world):
    with pytest.raises(AppendOnlyError):
        CaseNote.objects.filter(pk=world.p_rows["note"].pk).update(text="changed")


def test_erasure_leaves_a_tombstone_without_personal_data_and_keeps_the_audit(world):
    old = personal_values(world.p)
    audit_before = list(LogEntry.objects.order_by("pk").values_list("pk", "changes", "additional_data"))
    services.pupil_erase(actor=world.hos, pupil=world.p, reason="subject_request")
    audit_after = list(LogEntry.objects.order_by("pk").values_list("pk", "changes", "additional_data"))
    assert audit_before == audit_after[: len(audit_before)]
    new = LogEntry.objects.exclude(pk__in=[row[0] for row in audit_before])
    tombstone = new.get()
    assert tombstone.actor == world.hos
    assert tombstone.object_pk == str(world.p.pk) and tombstone.object_repr == f"Pupil {world.p.pk}"
    assert tombstone.additional_data["erasure"] is True
    assert tombstone.additional_data["pupil_id"] == world.p.pk
    assert tombstone.additional_data["reason"] == "subject_request"
    assert tombstone.additional_data["trust_id"] == world.trust_a.pk
    text = f"{tombstone.changes} {tombstone.additional_data} {tombstone.object_repr}"
    for value in old:
        assert value not in text


def test_erasing_twice_changes_nothing_the_second_time(world):
    assert services.pupil_erase(actor=None, pupil=world.p, reason="retention") is True
    before, entries = dump(), LogEntry.objects.count()
    assert services.pupil_erase(actor=None, pupil=world.p, reason="retention") is False
    assert dump() == before and LogEntry.objects.count() == entries


def test_an_unknown_reason_is_refused_and_changes_nothing(world):
    before = dump()
    with pytest.raises(ValueError):
        services.pupil_erase(actor=world.hos, pupil=world.p, reason="because")
    assert dump() == before
