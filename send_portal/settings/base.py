"""Settings shared by every environment. Values that differ come from the environment
(django-environ); local.py, test.py and production.py only choose defaults."""

from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# The site's public address, as its users reach it: every link in an e-mail (the casework
# digest, password resets) is built from it, never from the host of a request (a background
# task has none, and behind a proxy it is not the public one). core.links.absolute_url().
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "send_portal.apps.AdminConfig",  # the admin, its ModelAdmins loaded by the URLconf
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "import_export",
    "auditlog",
    "csp",
    # The project's own apps, lowest layer first: each imports only those above it here.
    "trusts",
    "pupils",
    "provision",
    "support",
    "funding",
    "casework",
    "inforeports",
    "transfers",
    "evidence",
    "reports",
    "privacy",
    "demo",
    "send_portal",  # the platform: beat's heartbeat, backup and restore
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trusts.middleware.AbsoluteSessionTimeoutMiddleware",
    "trusts.middleware.SessionActivityMiddleware",
    "trusts.middleware.RequireTwoFactorMiddleware",
    "trusts.middleware.TenantScopeMiddleware",
    "trusts.middleware.AuditPupilsReadMiddleware",
    "trusts.middleware.NoStoreForSignedInUsersMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "send_portal.urls"
WSGI_APPLICATION = "send_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trusts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A dropped connection (PostgreSQL restarted) is noticed before the next request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page's queries read a few hundred summary rows. With many schools in the database the
    # planner's estimates for them grow and it starts parallel workers, whose start-up (about
    # 10 ms) costs more than the query: the web and its tasks read too little for parallel plans.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c max_parallel_workers_per_gather=0")
    # Parameters sent apart from the SQL, so that a query of a fixed shape has the same text
    # whatever its values (lists of schools are one array parameter), and psycopg prepares it
    # on a connection once it has run twice: the dashboards' dozen summary reads then skip
    # PostgreSQL's planning, about half a millisecond each. PREPARE_THRESHOLD=0 (none) for a
    # connection pooler in transaction mode, which cannot keep prepared statements.
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", env.int("PREPARE_THRESHOLD", default=2) or None)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# A cache call that Redis does not answer within this many seconds is answered from memory; a
# page makes dozens of them, so a hung Redis must cost a fraction of a second, once.
CACHE_REDIS_TIMEOUT = env.float("CACHE_REDIS_TIMEOUT", default=0.25)
# After a cache call fails, every call skips Redis for this many seconds (per process).
CACHE_CIRCUIT_BREAKER_SECONDS = env.float("CACHE_CIRCUIT_BREAKER_SECONDS", default=30)
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails soft: pages keep working from an in-process cache while Redis is down or
            # hung (send_portal.cache). Nothing sign-in security relies on is kept in it.
            "BACKEND": "send_portal.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="send"),
            "OPTIONS": {"socket_connect_timeout": CACHE_REDIS_TIMEOUT, "socket_timeout": CACHE_REDIS_TIMEOUT},
        },
    }
else:
    # One process (the embedded demo): an in-process cache sees every write.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "trusts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# django-allauth: e-mail login, no public sign-up (see trusts.adapters), TOTP two-factor.
ACCOUNT_ADAPTER = "trusts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_FORMS = {"login": "trusts.forms.LoginForm"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "SEND Portal: "
ACCOUNT_RATE_LIMITS = {
    # allauth counts failed logins (passwords and two-factor codes) in the cache, which a Redis
    # outage empties or splits between processes. They are counted in PostgreSQL instead
    # (trusts.adapters, trusts.services.sign_in_attempt_begin), with the limits below.
    "login_failed": None,
}
# An account with this many failed attempts (wrong password or two-factor code) within
# LOGIN_LOCKOUT_SECONDS refuses every further attempt, the right password included, until the
# first of them is that old. Any address counts, known or not, so a lockout says nothing about
# whether an account exists.
LOGIN_LOCKOUT_FAILURES = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Failed attempts from one IP address, whatever the account, within the same window: far above
# one account's limit, since a school's staff share one address and one person's typos must not
# lock out the others.
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=100)
# Behind a reverse proxy every request comes from the proxy's address, so the limit above
# would count the whole site as one address: with this many proxies in front, the client's
# address is read from X-Forwarded-For (allauth's setting). 0 trusts no such header.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Step-up: exports ask for the password (or TOTP) again when the last time it was given, at
# login or on the re-authentication page, is older than this; subject-access exports and
# erasure always ask. Reading and writing records (cases included) never asks again inside a
# signed-in session: the idle and absolute timeouts below end it.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_TIMEOUT", default=15 * 60)
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are recorded at login; no write per request
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Two-factor codes count towards the same lockout, and a used TOTP code is refused again while
# it is valid, both in PostgreSQL (trusts.mfa), whatever the cache does; the forms' errors are
# in the portal's GOV.UK words.
MFA_FORMS = {
    "authenticate": "trusts.mfa.AuthenticateForm",
    "reauthenticate": "trusts.mfa.ReauthenticateForm",
}
MFA_TOTP_ISSUER = "SEND Portal"

# Roles that may not use the site until they have set up two-factor authentication.
# Every role that reaches pupil data needs it (DfE cyber security standards for schools);
# SENCOs and headteachers may be let in with a password only by an explicit setting.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES",
    default=["senco", "headteacher", "head_of_send", "data_admin", "platform_admin"],
)

# Sessions end after 30 minutes idle (SESSION_IDLE_TIMEOUT: the session row's expiry, moved on
# by activity) and 12 hours after login whatever the activity (SESSION_ABSOLUTE_TIMEOUT:
# trusts.middleware.AbsoluteSessionTimeoutMiddleware). Activity moves the idle expiry on at most
# once a minute (SESSION_ACTIVITY_INTERVAL, trusts.middleware.SessionActivityMiddleware), not
# with a database write on every request, so an idle session ends between 29 and 30 minutes
# after its last request; the interval must be shorter than the idle timeout (trusts.checks).
# Sessions live in PostgreSQL, not the cache: a Redis outage must not sign everybody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ACTIVITY_INTERVAL = env.int("SESSION_ACTIVITY_INTERVAL", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
# `manage.py backup` (make backup) writes its dated folders here (send_portal.backups).
BACKUP_ROOT = Path(env("BACKUP_ROOT", default=str(BASE_DIR / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SEND Portal <no-reply@send-portal.local>")

# Content-Security-Policy: everything is served by the app itself, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Celery. Tasks take ids, re-fetch and call a service; they are idempotent, so they are
# acknowledged only after they finish and redelivered if a worker dies mid-task.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message not acknowledged within this many seconds (its worker died) is delivered again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such messages (every interval x throttle seconds).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    # Publishing fails fast when Redis is down instead of hanging the request.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_TASK_TIME_LIMIT = 15 * 60  # below the visibility timeout, so no double delivery
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Long jobs (census checks and imports, board packs) write a heartbeat on their record every
# JOBS_HEARTBEAT_SECONDS; one silent for JOBS_STALE_AFTER seconds has stopped (its process
# died) and is sent again, up to JOBS_MAX_ATTEMPTS runs in all, then marked failed with
# "try again" (trusts.jobs, the beat task trusts.recover_stalled_jobs).
JOBS_HEARTBEAT_SECONDS = env.int("JOBS_HEARTBEAT_SECONDS", default=15)
JOBS_STALE_AFTER = env.int("JOBS_STALE_AFTER", default=120)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
# Beat sends a heartbeat task every minute; /healthz warns when none has run for this long
# (send_portal.heartbeat). A heartbeat not picked up within the minute is dropped, not queued.
BEAT_HEARTBEAT_MAX_AGE_SECONDS = 120
CELERY_BEAT_SCHEDULE = {
    "platform-beat-heartbeat": {
        "task": "send_portal.beat_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# Off: django-import-export's option strips only a leading "=" and turns numbers into text.
# Every export quotes all formula prefixes itself (trusts.exports).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_MASK_CALLABLE = "trusts.audit.redact"
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Demo data: one password for every demo user and one TOTP secret for those that need it.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="send-portal-demo-2026")
DEMO_TOTP_SECRET = env("DEMO_TOTP_SECRET", default="SENDPORTALDEMOTOTPSECRET")

# --- Register and census import (pupils) -------------------------------------------------
# Largest census file accepted (a 100,000-row MIS export is about 7 MB).
PUPILS_CENSUS_MAX_BYTES = env.int("PUPILS_CENSUS_MAX_BYTES", default=50 * 1024 * 1024)
# Row errors kept and shown for a file (the total is always counted).
PUPILS_CENSUS_MAX_ERRORS = env.int("PUPILS_CENSUS_MAX_ERRORS", default=500)
PUPILS_REGISTER_PAGE_SIZE = env.int("PUPILS_REGISTER_PAGE_SIZE", default=50)

# --- Common transfer files (transfers) ---------------------------------------------------
# A common transfer file larger than this is refused unread (a school's whole year group with
# attendance and assessments is a few MB).
TRANSFERS_CTF_MAX_BYTES = env.int("TRANSFERS_CTF_MAX_BYTES", default=10 * 1024 * 1024)

# --- LA top-up funding (funding) ----------------------------------------------------------

# --- Casework and statutory timelines (casework) -------------------------------------------
from celery.schedules import crontab  # noqa: E402

# The reminder digest: every owner gets one e-mail a day of what is due within 7 days or late.
CASEWORK_REMINDER_HOUR = env.int("CASEWORK_REMINDER_HOUR", default=6)
CELERY_BEAT_SCHEDULE["casework-daily-reminders"] = {
    "task": "casework.send_daily_reminders",
    "schedule": crontab(hour=CASEWORK_REMINDER_HOUR, minute=0),
}
CELERY_BEAT_SCHEDULE["trusts-recover-stalled-jobs"] = {
    "task": "trusts.recover_stalled_jobs",
    "schedule": 60.0,
}

# --- Dashboards and board packs (reports) -------------------------------------------------

# A school is flagged when one of its percentages differs from the national figure for its
# phase by at least this many percentage points, or changed by at least this many points
# since its previous census.
REPORTS_FLAG_NATIONAL_POINTS = env("REPORTS_FLAG_NATIONAL_POINTS", default="2.0")
REPORTS_FLAG_CHANGE_POINTS = env("REPORTS_FLAG_CHANGE_POINTS", default="1.5")
# Counts from 1 to this minus one are shown as "fewer than N" below school level.
REPORTS_SMALL_COUNT_THRESHOLD = env.int("REPORTS_SMALL_COUNT_THRESHOLD", default=5)
# Board packs are written under MEDIA_ROOT/<this folder>.
REPORTS_BOARD_PACK_DIR = env("REPORTS_BOARD_PACK_DIR", default="board-packs")
# Hard limit for rendering one pack: well below the broker's visibility timeout (3600 s).
REPORTS_BOARD_PACK_TIME_LIMIT = env.int("REPORTS_BOARD_PACK_TIME_LIMIT", default=600)
REPORTS_BOARD_PACK_MAX_RETRIES = env.int("REPORTS_BOARD_PACK_MAX_RETRIES", default=3)
# A pack still queued and never started this many seconds after its request (the job service
# was down when it was asked for) is enqueued again by the beat task and `requeue_board_packs`.
REPORTS_BOARD_PACK_REQUEUE_AFTER = env.int("REPORTS_BOARD_PACK_REQUEUE_AFTER", default=120)
CELERY_BEAT_SCHEDULE["reports-requeue-waiting-board-packs"] = {
    "task": "reports.requeue_waiting_board_packs",
    "schedule": 60.0,
}
# Every figure the dashboards show is kept in summary rows by the writes (DESIGN §5). Once a
# day a beat task recomputes them all from the source rows and compares (verify_figures);
# /healthz reports any difference found, and a check older than this many hours.
REPORTS_FIGURES_CHECK_HOUR = env.int("REPORTS_FIGURES_CHECK_HOUR", default=2)
REPORTS_FIGURES_CHECK_MAX_AGE_HOURS = env.int("REPORTS_FIGURES_CHECK_MAX_AGE_HOURS", default=48)
CELERY_BEAT_SCHEDULE["reports-verify-figures"] = {
    "task": "reports.verify_figures",
    "schedule": crontab(hour=REPORTS_FIGURES_CHECK_HOUR, minute=30),
}
# With tasks run in the process (the embedded demo), a board pack renders in a thread of its
# own rather than in the request that asked for it (reports.services._send); settings.local
# turns it on.
REPORTS_BOARD_PACK_IN_THREAD = env.bool("REPORTS_BOARD_PACK_IN_THREAD", default=False)
# Test-only: seconds a render waits after it starts (lets fault tests kill a worker mid-render).
REPORTS_TEST_RENDER_DELAY = env.float("REPORTS_TEST_RENDER_DELAY", default=0)

# --- Privacy (privacy) ----------------------------------------------------------------------

# SEN records are kept until the pupil's date of birth plus this many years, then erased.
PRIVACY_RETENTION_YEARS = env.int("PRIVACY_RETENTION_YEARS", default=31)
# Monthly: the retention report (a dry run, counts per trust only) is logged.
CELERY_BEAT_SCHEDULE["privacy-monthly-retention-report"] = {
    "task": "privacy.retention_report",
    "schedule": crontab(day_of_month=1, hour=5, minute=0),
}

# --- LA top-up funding: the kept figures' horizon (funding) ----------------------------------
# Daily, just after midnight: when the financial year turns (or a later banding table arrived
# without the admin), the funding figures get rows for the next year (funding.figures).
CELERY_BEAT_SCHEDULE["funding-advance-figures-horizon"] = {
    "task": "funding.advance_figures_horizon",
    "schedule": crontab(hour=0, minute=15),
}
