"""python manage.py board_pack TRUST_SLUG [--output FILE.pdf] [--census YYYY-MM-DD]

Renders the trustee board pack synchronously (no worker needed), exactly as the background
job does."""

import datetime
import gc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_scopes import scopes_disabled

from reports import pdf
from trusts.models import Trust


class Command(BaseCommand):
    help = "Write a trust's SEND board pack as a PDF."
    # The system checks (about 0.1 s of the command's run) are for the site as a whole:
    # `manage.py check`, the server and the other commands still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("trust_slug", help="e.g. assisi-catholic-trust")
        parser.add_argument("--output", "-o", help="PDF file to write (default: <slug>-board-pack.pdf)")
        parser.add_argument("--census", help="census date YYYY-MM-DD (default: the latest)")

    def run_from_argv(self, argv):
        """As its own process (`manage.py board_pack ...`, not call_command): the process ends
        once the pack is written, and Python's shutdown would walk every object it made (Django,
        WeasyPrint, the figures) in several full cycle collections, about 0.4 s for nothing.
        The database connection is closed first, then the objects are moved out of the
        collector's sight (gc.freeze): the shutdown still runs the atexit hooks and flushes the
        output; memory goes back to the system with the process."""
        try:
            super().run_from_argv(argv)
        finally:
            connections.close_all()
            gc.freeze()

    def handle(self, *args, trust_slug: str, output: str | None, census: str | None, **options):
        census_date = None
        if census:
            try:
                census_date = datetime.date.fromisoformat(census)
            except ValueError:
                raise CommandError(f"--census must be a date as YYYY-MM-DD, not {census!r}.") from None
        with scopes_disabled():
            trust = Trust.objects.filter(slug=trust_slug).first()
            if trust is None:
                known = ", ".join(Trust.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No trust with the slug {trust_slug!r}. Known trusts: {known}.")
            content = pdf.render_pdf(trust, census_date)
        path = Path(output or f"{trust.slug}-board-pack.pdf")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.stdout.write(f"Wrote {path} ({len(content):,} bytes) for {trust.name}.")
