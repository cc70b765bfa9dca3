"""Load the reference data (as `load_reference` does) and the fictional demo data on top: demo
users with the published password, pupils, cases, claims. Running it twice changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from demo import steps


class Command(BaseCommand):
    help = "Load trusts, schools, LAs, banding tables, national averages, demo users and pupils."

    def handle(self, *args, **options):
        with scopes_disabled(), transaction.atomic():
            summary = steps.run_all()
        for line in summary.lines:
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all):"))
        self.stdout.write(f"  password: {settings.DEMO_PASSWORD}")
        for demo, needs_totp in summary.users:
            totp = " (two-factor: TOTP)" if needs_totp else ""
            self.stdout.write(f"  {demo.email:30} {demo.role:16}{totp}")
        self.stdout.write(
            f"  TOTP secret for two-factor users: {settings.DEMO_TOTP_SECRET}"
            f"  (e.g. oathtool --totp -b {settings.DEMO_TOTP_SECRET})"
        )
