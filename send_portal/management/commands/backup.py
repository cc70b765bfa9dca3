from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from send_portal.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the media folder into a dated "
        "folder under BACKUP_ROOT, with a manifest of every table's row count and every file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="where to write the dated folder (default BACKUP_ROOT)",
        )

    def handle(self, *args, output_dir=None, **options):
        try:
            folder = backup(output_dir or Path(settings.BACKUP_ROOT))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {folder}")
