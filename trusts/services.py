import datetime
import hashlib
import logging
import string
from dataclasses import dataclass

from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import gias
from .models import (
    FormerURN,
    LoginEvent,
    Membership,
    School,
    SignInFailure,
    Trust,
    UsedTotpCode,
    User,
)

logger = logging.getLogger(__name__)


def account_ref(email: str) -> str:
    """A stable pseudonym for an account in logs and login history."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def login_event_record(*, email: str, ip_address: str | None, succeeded: bool) -> LoginEvent:
    user = User.objects.filter(email__iexact=email.strip()).first() if email else None
    return LoginEvent.objects.create(
        user=user,
        account_ref=account_ref(email),
        ip_address=ip_address or None,
        succeeded=succeeded,
    )


# --- Sign-in lockout and used TOTP codes (in PostgreSQL, never the cache) -------------------


def _account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class SignInAttempt:
    failure_id: int | None  # counted as a failure until sign_in_attempt_succeed
    refused: str | None = None  # "account" or "ip" when over its limit
    retry_in_seconds: int = 0


def _retry_in(
    failures: QuerySet[SignInFailure], limit: int, now: datetime.datetime, window: datetime.timedelta
) -> int:
    """Seconds until fewer than `limit` of these failures are inside the window."""
    nth_latest = failures.order_by("-at").values_list("at", flat=True)[limit - 1]
    return max(1, int((nth_latest + window - now).total_seconds()) + 1)


def sign_in_attempt_begin(*, email: str, ip_address: str | None) -> SignInAttempt:
    """Start a password or two-factor attempt for the account of `email` (known or not).

    The attempt is recorded as a failure before the password or code is checked, and only then
    counted: concurrent guesses each see the others, so none slips past the limit. It is
    refused (and not counted) when the account already has LOGIN_LOCKOUT_FAILURES failures
    within LOGIN_LOCKOUT_SECONDS, or the IP address LOGIN_IP_FAILURE_LIMIT. Failures older than
    the window are deleted here."""
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    since = now - window
    SignInFailure.objects.filter(at__lt=since).delete()
    key = _account_key(email)
    row = SignInFailure.objects.create(account_key=key, ip_address=ip_address or None, at=now)
    limits = [("account", SignInFailure.objects.filter(account_key=key), settings.LOGIN_LOCKOUT_FAILURES)]
    if ip_address:
        limits.append(
            ("ip", SignInFailure.objects.filter(ip_address=ip_address), settings.LOGIN_IP_FAILURE_LIMIT)
        )
    for scope, failures, limit in limits:
        earlier = failures.filter(at__gte=since).exclude(pk=row.pk)
        if earlier.count() >= limit:
            row.delete()
            return SignInAttempt(
                failure_id=None, refused=scope, retry_in_seconds=_retry_in(earlier, limit, now, window)
            )
    return SignInAttempt(failure_id=row.pk)


def sign_in_attempt_succeed(attempt: SignInAttempt) -> None:
    """The password or code was right: the attempt is not a failure."""
    if attempt.failure_id is not None:
        SignInFailure.objects.filter(pk=attempt.failure_id).delete()


def sign_in_failures_clear(*, email: str) -> None:
    """The account's person signed in, or reset the password: earlier failures no longer count
    against the account (those of its IP address still count against the address)."""
    SignInFailure.objects.filter(account_key=_account_key(email)).update(account_key="")


def totp_code_use(*, user: User, code: str) -> bool:
    """Record a valid TOTP code as used; False if it was used already while still valid.
    A code is valid for TOTP_PERIOD x (2 x TOTP_TOLERANCE + 1) seconds at most, so rows older
    than that are deleted here and a later reappearance of the same digits is accepted."""
    now = timezone.now()
    window = mfa_settings.TOTP_PERIOD * (2 * mfa_settings.TOTP_TOLERANCE + 1)
    UsedTotpCode.objects.filter(used_at__lt=now - datetime.timedelta(seconds=window)).delete()
    normalised = code.translate(str.maketrans("", "", string.punctuation + string.whitespace))
    try:
        with transaction.atomic():
            UsedTotpCode.objects.create(user=user, code=normalised, used_at=now)
    except IntegrityError:
        return False
    return True


def schools_import_gias(*, actor: User | None, plan: gias.Plan) -> gias.Plan:
    """Write a GIAS import plan (trusts.gias.plan): new trusts and local authorities, new and
    changed schools, former URNs, all in one transaction. A plan with errors writes nothing."""
    from auditlog.models import LogEntry

    from . import audit

    if plan.errors:
        raise ValueError("A GIAS import plan with errors cannot be written.")

    def log(subject: School | Trust, action: int, what: list[str]) -> None:
        # Who changed a school's trust, LA or status, and when, is kept with the school's own
        # history: the register and every figure follow these rows.
        audit.record(subject, action=action, actor=actor, changes={"gias_import": ["", "; ".join(what)]})

    with transaction.atomic():
        for trust in plan.trusts_new:
            trust.save()
            log(trust, LogEntry.Action.CREATE, ["new trust"])
        for trust, values, text in plan.trusts_changed:
            Trust.objects.filter(pk=trust.pk).update(**values)
            log(trust, LogEntry.Action.UPDATE, [text])
        for la in plan.las_new:
            la.save()
        for change in plan.schools_changed:
            school = change.school
            assert school is not None  # a change is of a school the register has
            if change.former is not None:
                change.former.school = school
                change.former.save()
            for key, value in change.values.items():
                setattr(school, key, value)
            school.trust = plan.trusts.get(change.trust_key, school.trust)
            school.local_authority = plan.las[change.la_code]
            school.save()
            log(school, LogEntry.Action.UPDATE, change.changes or ["updated"])
        for change in plan.schools_new:
            school = School.objects.create(
                trust=plan.trusts[change.trust_key], local_authority=plan.las[change.la_code], **change.values
            )
            log(school, LogEntry.Action.CREATE, ["new school"])
        for former, values in plan.former_changed:
            FormerURN.objects.filter(pk=former.pk).update(**values)
    logger.info(
        "GIAS import by %s: %d new schools, %d changed, %d new trusts",
        actor.pk if actor else "system",
        len(plan.schools_new),
        len(plan.schools_changed),
        len(plan.trusts_new),
    )
    return plan


# --- Handing over a colleague's open work (trusts.handover) ---------------------------------


@dataclass
class HandoverResult:
    moved: dict[str, int]  # provider key -> records handed over
    roles_ended: list[str]

    @property
    def total(self) -> int:
        return sum(self.moved.values())


def membership_end(*, actor: User, membership: Membership, reason: str) -> None:
    """End a person's role at a school or trust: their access there stops with their next
    request. The audit entry keeps who held which role, who ended it, when and why."""
    from auditlog.models import LogEntry

    from . import audit, handover

    if reason not in handover.Reason.values:
        raise ValidationError({"reason": "Select why the role ends."})
    where = membership.school or membership.trust
    audit.record(
        membership,
        action=LogEntry.Action.DELETE,
        actor=actor,
        changes={"role": [str(membership), ""], "reason": ["", handover.Reason(reason).label]},
        # A platform admin's role is in no school or trust: the membership gives no tenant.
        tenant=where or membership,
        role_ended={"user": membership.user_id, "role": membership.role},
    )
    membership.delete()


def work_hand_over(
    *,
    actor: User,
    trust: Trust,
    from_owner: User,
    to_owner: User,
    school_ids: set[int],
    reason: str,
    end_roles: bool = False,
) -> HandoverResult:
    """Hand every open record `from_owner` owns at these schools of `trust` (every registered
    app's: trusts.handover) to `to_owner`, and with `end_roles`, end `from_owner`'s school roles
    there, all in one transaction: a record that cannot go to `to_owner` stops the whole
    handover and nothing changes. Records already with `to_owner` are left alone, so running
    it again changes nothing."""
    from . import access, handover

    school_ids = set(school_ids) & set(trust.schools.values_list("pk", flat=True))
    if not school_ids:
        raise ValidationError("Choose schools of the trust.")
    if to_owner.pk == from_owner.pk:
        raise ValidationError(
            {"new_owner": "Select someone other than the person whose work is handed over."}
        )
    if not to_owner.is_active:
        raise ValidationError({"new_owner": "This person can no longer sign in: select someone else."})
    if reason not in handover.Reason.values:
        raise ValidationError({"reason": "Select why the work is handed over."})
    with transaction.atomic():
        # Refused before anything is written, with a message the form can show; each app's
        # service checks the same again for every record.
        for provider in handover.providers():
            for item in provider.open_items(from_owner.pk, school_ids):
                if not access.can(to_owner, provider.capability, item.school_id):
                    raise ValidationError(
                        {
                            "new_owner": (
                                f"{to_owner} may not take on {provider.label.lower()} at "
                                f"{item.school_name}: select someone who works there."
                            )
                        }
                    )
        moved = {
            provider.key: provider.hand_over(
                actor=actor, from_owner=from_owner, to_owner=to_owner, school_ids=school_ids, reason=reason
            )
            for provider in handover.providers()
        }
        ended = []
        if end_roles:
            for membership in (
                Membership.objects.select_for_update(of=("self",))
                .select_related("school", "user")
                .filter(user=from_owner, school_id__in=school_ids)
                .order_by("school__name", "role")
            ):
                assert membership.school is not None  # school_id__in above
                ended.append(f"{membership.get_role_display()} at {membership.school.name}")
                membership_end(actor=actor, membership=membership, reason=reason)
            access.forget(from_owner)
        # Logged once it is committed: the check page tries the handover and rolls it back.
        transaction.on_commit(
            lambda: logger.info(
                "Work of user %s handed over to user %s by %s: %s, %d roles ended",
                from_owner.pk,
                to_owner.pk,
                actor.pk,
                moved,
                len(ended),
            )
        )
    return HandoverResult(moved=moved, roles_ended=ended)
