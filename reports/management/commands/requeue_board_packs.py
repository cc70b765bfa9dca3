"""python manage.py requeue_board_packs [--older-than SECONDS]: send again the board packs that
were requested while the job service was down (the beat task does the same every minute)."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from reports import services


class Command(BaseCommand):
    help = "Enqueue again board packs that are queued but never started."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="seconds since the request (default: REPORTS_BOARD_PACK_REQUEUE_AFTER)",
        )

    def handle(self, *args, **options):
        if options["older_than"] is not None and options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more seconds.")
        with scopes_disabled():
            sent = services.board_pack_requeue_waiting(older_than=options["older_than"])
        ids = ", ".join(map(str, sent))
        self.stdout.write(f"Requeued {len(sent)} board pack(s)" + (f": {ids}" if sent else "."))
