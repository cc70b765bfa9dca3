"""What the provision map tells the apps above it (DESIGN §5: provision may not import them).

`provision_changed` is sent inside the writing transaction whenever the annual cost of some
schools' provision may have changed: an intervention added or its figures changed, a pupil
enrolled or an enrolment ended. The funding app connects to it and brings its kept figures (the
cost of provision in the funding gap, the pupils above the notional threshold) up to date in
the same transaction, so a rollback takes both back."""

from django.dispatch import Signal

# Sent with school_ids: frozenset[int].
provision_changed = Signal()


def send_provision_changed(school_ids) -> None:
    ids = frozenset(int(pk) for pk in school_ids)
    if ids:
        provision_changed.send(sender="provision", school_ids=ids)
