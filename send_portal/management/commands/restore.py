from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from send_portal.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder (from `backup`) into an empty database and an empty "
        "MEDIA_ROOT, then compare every table's row count and every media file with the "
        "backup's manifest; exit 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the backup folder, or its name under BACKUP_ROOT")

    def handle(self, *args, folder, **options):
        if not folder.exists() and (Path(settings.BACKUP_ROOT) / folder).exists():
            folder = Path(settings.BACKUP_ROOT) / folder
        try:
            result = restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if result.differences:
            raise CommandError("The restore differs from the backup:\n" + "\n".join(result.differences))
        self.stdout.write(
            f"Restored {folder}: {result.tables} tables, {result.rows} rows and "
            f"{result.media_files} media files, as in the backup."
        )
