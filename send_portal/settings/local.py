"""Laptop / demo defaults: SQLite, Celery tasks run in-process, e-mail to the console."""

import os

os.environ.setdefault("SECRET_KEY", "insecure-local-development-key-not-for-production")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# Tasks run in this process: a board pack renders in a thread, so its page shows progress.
os.environ.setdefault("REPORTS_BOARD_PACK_IN_THREAD", "1")

from .base import *  # noqa: E402,F403

if DEBUG:  # noqa: F405
    # The app's own 404 page, not Django's technical one (send_portal.errors).
    MIDDLEWARE = [*MIDDLEWARE, "send_portal.errors.AppNotFoundPageMiddleware"]  # noqa: F405
