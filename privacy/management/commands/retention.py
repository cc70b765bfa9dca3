from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from privacy import selectors, services


class Command(BaseCommand):
    help = (
        "Pupils past the retention period (date of birth + PRIVACY_RETENTION_YEARS), counted "
        "per trust; erases them unless --dry-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only: change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        years = selectors.retention_years()
        with scopes_disabled():
            counts = services.retention_run(dry_run=dry_run, years=years)
        total = sum(counts.values())
        self.stdout.write(f"Retention: date of birth + {years} years.")
        for slug, count in counts.items():
            self.stdout.write(f"  {slug}: {count}")
        verb = "would be erased (dry run)" if dry_run else "erased"
        self.stdout.write(f"{total} pupil record(s) past retention {verb}.")
