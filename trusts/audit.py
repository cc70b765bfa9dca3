"""The audit trail: who viewed, changed or exported which record, when.

Built on django-auditlog. Changes of registered models are logged by auditlog itself; views and
exports are logged here. Sensitive values (names, dates of birth, UPNs, note text) are never
written to the log: the fields named as sensitive are redacted in the recorded changes, and
tenant-owned models describe themselves without personal data (`__str__`) and add their trust
and school to each entry (`get_additional_data`)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.db.models import Model

REDACTED = "[redacted]"


def redact(value) -> str:
    """AUDITLOG_MASK_CALLABLE: a changed sensitive field is logged as changed, value hidden."""
    return REDACTED


def register(model: type[Model], *, sensitive_fields: tuple[str, ...] = (), **options) -> None:
    """Log every create, change and delete of `model`, and views recorded by record_view."""
    auditlog.register(model, mask_fields=list(sensitive_fields), **options)


def record_view(obj: Model) -> None:
    """One ACCESS row for `obj` by the current request's user (AuditlogMiddleware sets it)."""
    accessed.send(sender=type(obj), instance=obj)


def tenant_of(subject: Model) -> dict:
    """The trust (and school) an audit entry about `subject` belongs to."""
    from .models import School, Trust

    if isinstance(subject, School):
        return {"trust_id": subject.trust_id, "school_id": subject.pk}
    if isinstance(subject, Trust):
        return {"trust_id": subject.pk}
    get_additional_data = getattr(subject, "get_additional_data", None)
    return get_additional_data() if callable(get_additional_data) else {}


class AuditedInSchool:
    """A mixin for a tenant-owned model: each audit entry about a record carries the trust and
    school it belongs to. `audit_school` is the path to that school: "school" (the default),
    or through a parent such as "plan.school"."""

    audit_school = "school"

    def get_additional_data(self) -> dict:
        owner = self
        *parents, school = self.audit_school.split(".")
        for name in parents:
            owner = getattr(owner, name)
        return {"trust_id": getattr(owner, school).trust_id, "school_id": getattr(owner, f"{school}_id")}


def record(
    subject: Model, *, action: int, actor, changes: dict, tenant: Model | None = None, **details
) -> None:
    """One entry about `subject` written by a service rather than by auditlog's own signals (an
    export, a handover, an erasure, an import): who did it, what changed, the trust and school
    of `tenant` (default: the subject itself) and any further `details`."""
    LogEntry.objects.log_create(
        subject,
        force_log=True,
        action=action,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        changes=changes,
        additional_data={**tenant_of(subject if tenant is None else tenant), **details},
    )


def record_export(*, actor, subject: Model, what: str, rows: int) -> None:
    """One ACCESS row for an export of `what` about `subject` (a school or a trust)."""
    record(
        subject,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        changes={"export": ["", what], "rows": ["", str(rows)]},
        export=what,
        rows=rows,
    )


# --- The pupils a request read ---------------------------------------------------------------------
#
# Every request that reads a pupil's record leaves one audit row per trust naming the pupils it
# read, whatever the page: a list, a search, a form offering pupils to choose from, a check page.
# Pupil records loaded as model instances are noted by the pupils app (a post_init receiver);
# a read that takes pupils' names as plain values notes them with `pupils_read`.
# AuditPupilsReadMiddleware collects them for the request and writes the rows once, at its end.

_read: ContextVar[set[int] | None] = ContextVar("pupils_read", default=None)


def pupils_read(pupil_ids: Iterable[int]) -> None:
    """Note pupils whose records the current request reads (nothing outside a request)."""
    read = _read.get()
    if read is not None:
        read.update(int(pk) for pk in pupil_ids if pk is not None)


@contextmanager
def collecting_pupils_read() -> Iterator[set[int]]:
    read: set[int] = set()
    token = _read.set(read)
    try:
        yield read
    finally:
        _read.reset(token)


def record_pupils_read(*, actor, pupil_ids: set[int], path: str) -> None:
    """One ACCESS row per trust naming the pupils read (ids only: no names)."""
    from django.contrib.contenttypes.models import ContentType
    from django_scopes import scopes_disabled

    from pupils.models import Pupil

    with scopes_disabled():
        rows = Pupil.objects.filter(pk__in=sorted(pupil_ids)).values_list(
            "pk", "school_id", "school__trust_id"
        )
        by_trust: dict[int, list[tuple[int, int]]] = {}
        for pk, school_id, trust_id in rows:
            by_trust.setdefault(trust_id, []).append((pk, school_id))
    content_type = ContentType.objects.get_for_model(Pupil)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk="",
                object_id=None,
                object_repr=f"{len(read)} pupil{'s' if len(read) != 1 else ''} read",
                action=LogEntry.Action.ACCESS,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                changes={"read": ["", path]},
                additional_data={
                    "trust_id": trust_id,
                    "school_ids": sorted({school for _, school in read}),
                    "pupils": sorted(pk for pk, _ in read),
                    "path": path,
                },
            )
            for trust_id, read in sorted(by_trust.items())
        ]
    )
