import hashlib

from .models import LoginEvent, User


def account_ref(email: str) -> str:
    """A stable pseudonym for an account in logs and login history."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def login_event_record(*, email: str, ip_address: str | None, succeeded: bool) -> LoginEvent:
    user = User.objects.filter(email__iexact=email.strip()).first() if email else None
    return LoginEvent.objects.create(
        user=user, account_ref=account_ref(email), ip_address=ip_address or None,
        succeeded=succeeded,
    )
