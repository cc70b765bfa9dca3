"""python manage.py verify_figures

Recomputes every kept figure from the source rows and compares it with the summary rows. Prints
each difference and exits 1 if there is any (then `rebuild_figures` repairs them); the result is
stored for /healthz. Writes nothing else."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from reports.figures_check import figures_verify


class Command(BaseCommand):
    help = "Compare every kept figure with a recomputation from the source rows; exit 1 on any difference."

    def handle(self, *args, **options):
        with scopes_disabled():
            check = figures_verify()
        for line in check.differences:
            self.stdout.write(line)
        if check.differences:
            raise CommandError(
                f"{len(check.differences)} kept figures differ from their source "
                "rows. Run manage.py rebuild_figures to repair them."
            )
        self.stdout.write("Every kept figure agrees with its source rows.")
