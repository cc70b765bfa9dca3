import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils.text import slugify

from trusts.models import LocalAuthority, Membership, Role, School, Trust, User

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: 800 + n % 100)
    name = factory.LazyAttribute(lambda o: f"Authority {o.code}")
    funding_unit = LocalAuthority.FundingUnit.BAND


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n}")
    laestab = factory.Sequence(lambda n: f"{800 + n % 100}{n:04d}"[-7:])
    phase = School.Phase.PRIMARY
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    trust = factory.SubFactory(TrustFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def with_totp(user: User, secret: str = TEST_TOTP_SECRET) -> User:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return user


def member(
    role: str,
    *,
    school: School | None = None,
    trust: Trust | None = None,
    user: User | None = None,
    totp: bool = True,
) -> User:
    """A user holding `role` over a school or a trust (with TOTP set up unless told not)."""
    user = user or UserFactory()
    Membership.objects.create(user=user, role=role, school=school, trust=trust)
    if totp:
        with_totp(user)
    return user


def senco(school: School, **kw) -> User:
    return member(Role.SENCO, school=school, **kw)


def headteacher(school: School, **kw) -> User:
    return member(Role.HEADTEACHER, school=school, **kw)


def head_of_send(*trusts: Trust, **kw) -> User:
    user = kw.pop("user", None) or UserFactory()
    for trust in trusts:
        member(Role.HEAD_OF_SEND, trust=trust, user=user, **kw)
    return user


def executive(trust: Trust, **kw) -> User:
    return member(Role.TRUST_EXECUTIVE, trust=trust, totp=kw.pop("totp", False), **kw)


def data_admin(trust: Trust, **kw) -> User:
    return member(Role.DATA_ADMIN, trust=trust, **kw)
