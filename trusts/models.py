"""Trusts, schools, local authorities, users and the roles that give access to them.

Which schools a user may see or change is decided by trusts.access alone; the models here
only record the facts it reads."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an e-mail address (no usernames)."""

    # Removing a field of AbstractUser by setting it to None is Django's documented way; the
    # stubs type these as the str fields they replace.
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs fix AbstractUser's manager to Django's UserManager, which needs a username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class LocalAuthority(models.Model):
    class FundingUnit(models.TextChoices):
        HOURS = "hours", "Hours per week"
        BAND = "band", "Band"

    code = models.PositiveSmallIntegerField("DfE LA code", unique=True)
    name = models.CharField(max_length=100, unique=True)
    funding_unit = models.CharField(max_length=5, choices=FundingUnit.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Trust(models.Model):
    """A multi-academy trust: a separate data controller."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True)
    # The trust's group UID in Get Information about Schools ("Trusts (code)" in its extract):
    # how a GIAS import finds the trust whatever its name is spelt as there.
    group_uid = models.CharField("GIAS group UID", max_length=10, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        INFANT = "infant", "Infant"
        JUNIOR = "junior", "Junior"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        POST_16 = "post_16", "Post-16"

    class Status(models.TextChoices):
        # Get Information about Schools' establishment statuses.
        OPEN = "open", "Open"
        PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"
        PROPOSED_TO_CLOSE = "proposed_to_close", "Open, but proposed to close"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=150)
    laestab = models.CharField(
        "LAESTAB", max_length=7, unique=True, help_text="DfE number: LA code and 4 digits."
    )
    urn = models.CharField("URN", max_length=6, unique=True, null=True, blank=True)
    phase = models.CharField(max_length=12, choices=Phase.choices)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="schools")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("open date", null=True, blank=True)
    closed_on = models.DateField("close date", null=True, blank=True)

    class Meta:
        ordering = ["name", "laestab"]
        constraints = [
            models.CheckConstraint(condition=Q(laestab__regex=r"^[0-9]{7}$"), name="school_laestab_7_digits"),
        ]

    def __str__(self) -> str:
        # Two trusts each have a "St Joseph's Primary": the LAESTAB tells them apart.
        return f"{self.name} ({self.laestab})"

    @property
    def national_phase(self) -> str:
        """The phase the national averages are published for (primary or secondary)."""
        return national_phase(self.phase)


class FormerURN(models.Model):
    """A URN (and the LAESTAB and name that went with it) a school had before its present one.
    An academy conversion closes the old establishment and opens a new one under a new URN;
    the portal keeps one School row throughout, so its census snapshots, plans, claims and
    dashboards stay joined, and records the earlier numbers here."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="former_urns")
    urn = models.CharField("URN", max_length=6, unique=True)
    laestab = models.CharField("LAESTAB", max_length=7, blank=True)
    name = models.CharField(max_length=150, blank=True)
    opened_on = models.DateField("open date", null=True, blank=True)
    closed_on = models.DateField("close date", null=True, blank=True)

    class Meta:
        ordering = ["school", "-closed_on", "urn"]
        verbose_name = "former URN"
        verbose_name_plural = "former URNs"

    def __str__(self) -> str:
        return f"{self.urn} (now {self.school})"


def national_phase(phase: str) -> str:
    """The phase the national averages are published for: secondary and post-16 schools are
    secondary, every other phase primary."""
    return "secondary" if phase in {School.Phase.SECONDARY, School.Phase.POST_16} else "primary"


class Role(models.TextChoices):
    SENCO = "senco", "SENCO"
    HEADTEACHER = "headteacher", "Headteacher"
    HEAD_OF_SEND = "head_of_send", "Head of SEND"
    TRUST_EXECUTIVE = "trust_executive", "Trust executive"
    DATA_ADMIN = "data_admin", "Trust data admin"
    PLATFORM_ADMIN = "platform_admin", "Platform admin"


SCHOOL_ROLES = frozenset({Role.SENCO, Role.HEADTEACHER})
TRUST_ROLES = frozenset({Role.HEAD_OF_SEND, Role.TRUST_EXECUTIVE, Role.DATA_ADMIN})


class Membership(models.Model):
    """A role held by a user over one school (SENCO, headteacher), one trust (Head of SEND,
    executive, data admin) or everything (platform admin). A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    trust = models.ForeignKey(
        Trust, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=sorted(SCHOOL_ROLES), school__isnull=False, trust__isnull=True)
                    | Q(role__in=sorted(TRUST_ROLES), trust__isnull=False, school__isnull=True)
                    | Q(role=Role.PLATFORM_ADMIN, trust__isnull=True, school__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="membership_unique_school_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "trust"],
                condition=Q(trust__isnull=False),
                name="membership_unique_trust_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(trust__isnull=True, school__isnull=True),
                name="membership_unique_platform_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.school or self.trust or "all trusts"
        return f"{self.user} – {self.get_role_display()} – {where}"


class LoginEvent(models.Model):
    """A sign-in or a failed attempt, for each trust's login history. The address tried is
    kept only as a pseudonym when it matches no user."""

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="login_events"
    )
    account_ref = models.CharField(max_length=12, help_text="Pseudonym of the address tried.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        outcome = "sign-in" if self.succeeded else "failed sign-in"
        return f"{outcome} {self.account_ref} at {self.at:%Y-%m-%d %H:%M}"


class SignInFailure(models.Model):
    """A wrong password or two-factor code, counted for the lockout (trusts.services
    sign_in_attempt_begin). Kept in PostgreSQL, not the cache, so that every web process sees
    the same count and a Redis outage cannot reset it. The login history is LoginEvent; these
    rows are deleted once older than the lockout window."""

    account_key = models.CharField(max_length=64, help_text="SHA-256 of the address tried.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "at"], name="signinfailure_account_at"),
            models.Index(fields=["ip_address", "at"], name="signinfailure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"failed sign-in at {self.at:%Y-%m-%d %H:%M:%S}"


class UsedTotpCode(models.Model):
    """A TOTP code that signed someone in: refused if given again while it is still valid.
    allauth remembers used codes in the cache only, which a Redis outage empties or splits
    between processes; the unique constraint here holds whatever the cache does."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=16)
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="usedtotpcode_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"TOTP code used at {self.used_at:%Y-%m-%d %H:%M:%S}"
