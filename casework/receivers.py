"""What the casework app does when the register changes (pupils.signals.register_changed)."""

from . import services


def plans_follow_register(sender, *, school_ids, **kwargs) -> None:
    # Inside the transaction of the census import or register change: a failed import makes
    # no plan record, and importing the same file again changes nothing.
    services.ehc_plans_follow_register(actor=None, school_ids=school_ids)
