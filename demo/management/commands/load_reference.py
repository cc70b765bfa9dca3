"""Load the reference data a real deployment needs: local authorities, trusts and schools,
the LAs' banding tables (carried forward to the current financial year) and the national
averages. No user and no pupil. Running it twice changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from demo import steps


class Command(BaseCommand):
    help = (
        "Load local authorities, trusts, schools, LA banding tables and national averages "
        "(no users, no pupils)."
    )

    def handle(self, *args, **options):
        with scopes_disabled(), transaction.atomic():
            lines = steps.load_reference()
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
