"""The audit trail: who viewed, changed or exported which record, when.

Built on django-auditlog. Changes of registered models are logged by auditlog itself; views and
exports are logged here. Sensitive values (names, dates of birth, UPNs, note text) are never
written to the log: the fields named as sensitive are redacted in the recorded changes, and
tenant-owned models describe themselves without personal data (`__str__`) and add their trust
and school to each entry (`get_additional_data`)."""

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


def record_export(*, actor, subject: Model, what: str, rows: int) -> None:
    """One ACCESS row for an export of `what` about `subject` (a school or a trust)."""
    LogEntry.objects.log_create(
        subject,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        changes={"export": ["", what], "rows": ["", str(rows)]},
        additional_data={**tenant_of(subject), "export": what, "rows": rows},
    )
