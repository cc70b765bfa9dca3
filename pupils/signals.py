"""What the register tells the apps above it (DESIGN §5: pupils may not import them).

`register_changed` is sent inside the writing transaction whenever pupils of some schools join
or leave the register, change provision or needs, or change home LA (a census import, a SENCO's
change, an EHC plan issued, an erasure). Apps that keep figures built on the register (funding:
what is unclaimed, the cost of provision) connect to it and bring their summary rows up to date
in the same transaction, so a rollback takes both back."""

from django.dispatch import Signal

# Sent with school_ids: frozenset[int].
register_changed = Signal()


def send_register_changed(school_ids) -> None:
    ids = frozenset(int(pk) for pk in school_ids)
    if ids:
        register_changed.send(sender="pupils", school_ids=ids)
