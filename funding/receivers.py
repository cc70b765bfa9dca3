"""What the funding app does when the register (pupils.signals.register_changed) or the
provision map (provision.signals.provision_changed) changes."""

from . import figures


def refresh_on_register_change(sender, *, school_ids, **kwargs) -> None:
    figures.schools_refresh(school_ids=school_ids)


def refresh_on_provision_change(sender, *, school_ids, **kwargs) -> None:
    # The cost of provision in the funding gap, and the pupils above the notional threshold.
    figures.schools_refresh(school_ids=school_ids)
