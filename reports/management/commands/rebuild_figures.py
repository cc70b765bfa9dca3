"""python manage.py rebuild_figures

Recomputes every kept figure (funding, casework, EHC timeliness, activity) from the source
rows, for use after a restore, a data repair made outside the application, or a difference
found by verify_figures. Safe to run at any time: one transaction, the same result twice."""

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from reports.figures_check import figures_rebuild


class Command(BaseCommand):
    help = "Recompute every kept figure (summary rows) from the source rows."

    def handle(self, *args, **options):
        with scopes_disabled():
            written = figures_rebuild()
        for name, rows in written.items():
            self.stdout.write(f"{name}: {rows:,} summary rows written")
