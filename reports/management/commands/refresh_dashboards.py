"""python manage.py refresh_dashboards [--max-age SECONDS]: read every dashboard page someone
may open through the figures cache, computing again what changed or is older than the given
age (the beat task does the same every minute). After a deployment, `--max-age 0` fills the
cache at once rather than on each page's first view."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from reports import pages


class Command(BaseCommand):
    help = "Compute the dashboards' figures that changed or are getting old, ahead of readers."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=None,
                            help="seconds (default: REPORTS_REFRESH_MAX_AGE); 0 computes every "
                                 "page again")

    def handle(self, *args, **options):
        max_age = options["max_age"]
        if max_age is None:
            max_age = settings.REPORTS_REFRESH_MAX_AGE
        if max_age < 0:
            raise CommandError("--max-age must be 0 or more seconds.")
        start = time.perf_counter()
        with scopes_disabled():
            done = pages.refresh_pages(max_age=max_age, today=timezone.localdate())
        self.stdout.write(
            f"Read {done.trust_pages} trust, {done.cross_trust_pages} cross-trust and "
            f"{done.school_pages} school dashboard page(s) in {time.perf_counter() - start:.1f} s.")
