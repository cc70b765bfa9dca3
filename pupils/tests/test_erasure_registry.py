"""Every model that links to a pupil says how erasure treats it (pupils.erasure)."""

from django.apps import apps

from pupils import erasure
from pupils.models import Pupil


def _linked_to_pupils() -> set:
    """Models with a relation to Pupil, or to a model that has one, and so on."""
    linked = {Pupil}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in linked:
                continue
            if any(
                (f.many_to_one or f.one_to_one or f.many_to_many) and f.concrete and f.related_model in linked
                for f in model._meta.get_fields()
            ):
                linked.add(model)
                grew = True
    return linked


def test_every_model_linked_to_a_pupil_is_erased_or_kept_for_a_stated_reason():
    missing = sorted(m._meta.label for m in _linked_to_pupils() - erasure.covered_models())
    assert not missing, (
        f"These models link to a pupil but erasure does not know them: {missing}. Register "
        "how the owning app erases them (pupils.erasure.register) or why it keeps them "
        "(pupils.erasure.keep), in its AppConfig.ready()."
    )


def test_the_walk_finds_links_through_other_records():
    labels = {m._meta.label for m in _linked_to_pupils()}
    # ClaimEvent links through Claim, Delivery through Enrolment, CaseNote through Case.
    assert {"funding.ClaimEvent", "provision.Delivery", "casework.CaseNote"} <= labels


def test_the_pupil_row_is_anonymised_after_every_other_eraser():
    assert erasure.erasers()[-1] is erasure.anonymise_pupil
    assert len(erasure.erasers()) == len(set(erasure.erasers())) >= 6
