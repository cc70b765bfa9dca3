"""Demo data for this layer: one demo user per role, on the reference trusts and schools
(trusts.reference). Idempotent: a second run finds every row in place."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from . import access
from .models import Membership, Role, School, Trust, User


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    trust_slugs: tuple[str, ...] = ()
    school_laestab: str | None = None


ASSISI = "assisi-catholic-trust"
CHRISTUS = "christus-catholic-trust"

DEMO_USERS = [
    DemoUser("hos@demo.test", "Helen O'Sullivan", Role.HEAD_OF_SEND, (ASSISI, CHRISTUS)),
    DemoUser("csel.assisi@demo.test", "Clare Ellis", Role.TRUST_EXECUTIVE, (ASSISI,)),
    DemoUser("csel.christus@demo.test", "Chris Lyons", Role.TRUST_EXECUTIVE, (CHRISTUS,)),
    DemoUser("senco.holycross@demo.test", "Sam Cole", Role.SENCO, school_laestab="8833001"),
    DemoUser("senco.stm@demo.test", "Tom Morgan", Role.SENCO, school_laestab="8824001"),
    DemoUser("head.holycross@demo.test", "Hannah Croft", Role.HEADTEACHER, school_laestab="8833001"),
    DemoUser("data.assisi@demo.test", "Dana Ash", Role.DATA_ADMIN, (ASSISI,)),
    DemoUser("admin@demo.test", "Alex Admin", Role.PLATFORM_ADMIN),
]


def seed_users() -> list[tuple[DemoUser, bool]]:
    """Create the demo users with their roles. Returns each user and whether it has TOTP."""
    out = []
    for demo in DEMO_USERS:
        is_admin = demo.role == Role.PLATFORM_ADMIN
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            # Only on creation: setting the password again would change its salted hash.
            user = User.objects.create_user(
                demo.email,
                settings.DEMO_PASSWORD,
                full_name=demo.full_name,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=demo.email, defaults={"verified": True, "primary": True}
        )
        if demo.school_laestab:
            Membership.objects.get_or_create(
                user=user, role=demo.role, school=School.objects.get(laestab=demo.school_laestab)
            )
        for slug in demo.trust_slugs:
            Membership.objects.get_or_create(user=user, role=demo.role, trust=Trust.objects.get(slug=slug))
        if is_admin:
            Membership.objects.get_or_create(user=user, role=demo.role)
        access.forget(user)
        needs_totp = access.requires_two_factor(user)
        if needs_totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, settings.DEMO_TOTP_SECRET)
        out.append((demo, needs_totp))
    return out
