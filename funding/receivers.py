"""What the funding app does when the register changes (pupils.signals.register_changed)."""

from . import figures


def refresh_on_register_change(sender, *, school_ids, **kwargs) -> None:
    figures.schools_refresh(school_ids=school_ids)
