"""Handing over a person's open work to a colleague when they leave (or are away).

Every app that keeps records someone owns (casework's cases, EHC needs assessment requests and
EHC plans with their annual reviews; support's SEN support plans) registers a
`HandoverProvider` in its AppConfig.ready, as apps register erasers (pupils.erasure): the
trusts layer lists and hands over the work of every app without importing any of them.

A provider says what open work is (each app decides: a case not closed, a plan not ceased...),
which capability a new owner needs at the record's school (asked of trusts.access, the one
policy), and hands its records over through its own services, which write each record's
history. `trusts.services.work_hand_over` runs every provider in one transaction.

The reason for a handover is one of fixed choices, never free text: it is written to the audit
log of every record handed over, and the audit log holds no names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db import models

from . import audit
from .access import Capability


class Reason(models.TextChoices):
    LEAVING = "leaving", "Leaving the school or trust"
    ABSENCE = "absence", "Long-term absence"
    NEW_ROLE = "new_role", "Moving to another role"
    SHARING = "sharing", "Sharing out the work"


@dataclass(frozen=True)
class WorkItem:
    """One open record, named as every list names it: kind, pupil, school, date."""

    kind: str  # the provider's key
    pk: int
    school_id: int
    school_name: str
    pupil_name: str  # "" for a record about no pupil
    about: str  # "Complaint opened 3 Mar 2026"
    date: dt.date | None
    url: str

    @property
    def name(self) -> str:
        return f"{self.pupil_name} – {self.about}" if self.pupil_name else self.about


@dataclass(frozen=True)
class HandoverProvider:
    key: str
    label: str  # the group's heading: "Cases"
    # A new owner needs this capability at the record's school.
    capability: Capability
    # (owner_id, school_ids) -> the owner's open records there, in one query.
    open_items: Callable[[int, Collection[int]], list[WorkItem]]
    # school_ids -> {owner_id: number of open records}, in one query.
    owner_counts: Callable[[Collection[int]], dict[int, int]]
    # (*, actor, from_owner, to_owner, school_ids, reason) -> records handed over. Runs inside
    # the handover's transaction; raises ValidationError to stop the whole handover.
    hand_over: Callable[..., int]
    order: int = 50
    # The models whose `owner` this provider hands over (tests/test_handover.py fails for a
    # model with an owner that no provider covers and that is not listed there as kept).
    covers: tuple = ()


_PROVIDERS: dict[str, HandoverProvider] = {}


def register(provider: HandoverProvider) -> None:
    """An app's open work (from its AppConfig.ready)."""
    _PROVIDERS[provider.key] = provider


def providers() -> list[HandoverProvider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.label))


def provider(key: str) -> HandoverProvider:
    return _PROVIDERS[key]


def record(*, actor, obj: models.Model, from_owner, to_owner, reason: str) -> None:
    """The audit entry of one record handed over: who did it, from whom, to whom, when (the
    entry's time) and why. Written directly, because the owning services change the owner with
    an UPDATE that auditlog does not see (one entry per record, not two)."""
    audit.record(
        obj,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        changes={"owner": [str(from_owner), str(to_owner)], "handed over": ["", Reason(reason).label]},
        handover={"from": from_owner.pk, "to": to_owner.pk, "reason": reason},
    )
