"""python manage.py import_published FILE [--dry-run]

Reads a data file of the DfE's explore education statistics and keeps the figures the
dashboards compare with: national SEN percentages ("Special educational needs in England",
pupils.published) or each LA's 20-week rate for new EHC plans ("Education, health and care
plans", casework.published). Which publication a file is from is worked out from its columns.
It lives here, above both apps, because a file may be either's."""

from django.core.management.base import BaseCommand, CommandError

from casework import published as ehc
from core.csvfiles import CSVFileError, read_rows
from pupils import published as sen
from trusts.models import LocalAuthority

PUBLICATIONS = (sen, ehc)


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Import a DfE published statistics CSV from explore education statistics: 'Special "
        "educational needs in England' (national EHC plan and SEN support percentages by phase, "
        "replacing the national averages) or 'Education, health and care plans' (each LA's new "
        "plans issued within 20 weeks, by year). All or nothing; --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the data file (CSV) from explore education statistics")
        parser.add_argument("--dry-run", action="store_true", help="show the figures, write nothing")

    def handle(self, *args, **options):
        try:
            header, rows = read_rows(options["file"])
        except CSVFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from None
        found = [p for p in PUBLICATIONS if p.matches(header)]
        if len(found) != 1:
            raise CommandError(
                "This file is not one the portal reads: it is neither the 'Special educational "
                "needs in England' file of pupils by type of SEN provision (columns "
                + ", ".join(sorted(sen.SIGNATURE))
                + ") nor the 'Education, health and care "
                "plans' timeliness file (columns " + ", ".join(sorted(ehc.SIGNATURE)) + "). "
                "Nothing was imported."
            )
        publication = found[0]
        try:
            figures = publication.read(header, rows)
        except publication.PublishedFileError as exc:
            reason = str(exc).rstrip(".")
            raise CommandError(f"{publication.TITLE}: {reason}. Nothing was imported.") from None
        self.stdout.write(f"{publication.TITLE}:")
        if publication is sen:
            lines = sen.describe(figures)
        else:
            lines = ehc.describe(figures, set(LocalAuthority.objects.values_list("code", flat=True)))
        for line in lines:
            self.stdout.write(f"  {line}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        if publication is sen:
            changed = sen.national_averages_replace(actor=None, figures=figures)
        else:
            changed = ehc.published_timeliness_replace(actor=None, rates=figures)
        self.stdout.write(self.style.SUCCESS(f"Imported: {changed:,} row(s) written or changed."))
