"""python manage.py import_census FILE --school LAESTAB_OR_URN --date YYYY-MM-DD [--dry-run]
[--confirm-leavers N]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django_scopes import scopes_disabled

from pupils import services
from pupils.census import (
    LEAVERS_CONFIRM_ABOVE_PCT,
    SUMMARY_KEYS,
    SUMMARY_LABELS,
    CensusFileError,
    LeaversNotConfirmed,
    parse_census_date,
)
from trusts import access
from trusts.access import Capability
from trusts.models import School, User

MAX_ERRORS_PRINTED = 100
MAX_LEAVERS_PRINTED = 100


class Command(BaseCommand):
    # The system checks load the URLconf, every view and WeasyPrint: a second and more before
    # the file is opened. `manage.py check` (and every deployment) runs them.
    requires_system_checks = []
    help = (
        "Import a school census CSV into the SEN register (all or nothing). With --dry-run, "
        "show what would change and write nothing. Exits with status 1 if any row is invalid, "
        f"or if it would record more than {LEAVERS_CONFIRM_ABOVE_PCT}% of a school's pupils "
        "with SEND as having left without --confirm-leavers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the census CSV file")
        parser.add_argument(
            "--school",
            required=True,
            help="LAESTAB (e.g. 8832001) or URN of the school the rows are for "
            "(a School/LAESTAB column in the file overrides it per row)",
        )
        parser.add_argument("--date", required=True, help="census date, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
        parser.add_argument(
            "--confirm-leavers",
            type=int,
            metavar="N",
            help="the number of pupils with SEND the file records as having left "
            "(missing from it), as the dry run shows: needed when that is "
            f"more than {LEAVERS_CONFIRM_ABOVE_PCT}%% of a school's pupils "
            "with SEND",
        )
        parser.add_argument(
            "--actor",
            help="e-mail of the user importing (limits the schools to "
            "theirs and is recorded); default: a system import",
        )

    def handle(self, *args, **options):
        with scopes_disabled():
            return self._handle(options)

    def _handle(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            census_date = parse_census_date(options["date"])
        except CensusFileError as exc:
            raise CommandError(str(exc)) from None
        actor = None
        allowed = School.objects.all()
        if options["actor"]:
            actor = User.objects.filter(email=options["actor"].lower()).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']}.")
            allowed = access.schools_for(actor, Capability.IMPORT_CENSUS)
        code = options["school"].strip().replace("/", "")
        school = allowed.filter(Q(laestab=code) | Q(urn=code)).first()
        if school is None:
            raise CommandError(f"No school with LAESTAB or URN {code} that you may import for.")
        try:
            # The file is read in chunks, never held whole (a census can have 100,000 rows).
            with path.open("rb") as raw:
                kwargs = dict(
                    raw=raw,
                    file_name=path.name,
                    census_date=census_date,
                    school=school,
                    allowed_schools=allowed,
                )
                if options["dry_run"]:
                    outcome = services.census_check(**kwargs)
                else:
                    outcome = services.census_import(
                        actor=actor, confirmed_leavers=options["confirm_leavers"], **kwargs
                    )
        except LeaversNotConfirmed as exc:
            self._print_leavers(exc.listed, self.stderr)
            raise CommandError(
                f"{path.name}: {exc} If the file is the school's whole census and these pupils "
                f"have left, run the command again with --confirm-leavers {exc.leavers}."
            ) from None
        except CensusFileError as exc:
            raise CommandError(f"{path.name}: {exc}") from None

        parsed = outcome.parsed
        out = self.stdout
        out.write(
            f"{path.name}: {parsed.rows} rows, census {census_date:%d %B %Y}, SHA-256 {parsed.sha256[:12]}…"
        )
        if not outcome.is_valid:
            for error in parsed.errors[:MAX_ERRORS_PRINTED]:
                self.stderr.write(f"  {error}")
            more = parsed.error_count - min(len(parsed.errors), MAX_ERRORS_PRINTED)
            if more > 0:
                self.stderr.write(f"  … and {more} more")
            raise CommandError(
                f"{parsed.error_count} error(s) in {parsed.error_rows} row(s); nothing was imported."
            )
        for school_summary in outcome.summary.get("schools", []):
            out.write(f"{school_summary['name']} ({school_summary['laestab']}):")
            for key in SUMMARY_KEYS:
                out.write(f"  {SUMMARY_LABELS[key]}: {school_summary[key]}")
        if options["dry_run"]:
            self._dry_run_leavers(outcome)
            out.write("Dry run: nothing was written.")
        else:
            out.write(self.style.SUCCESS(f"Imported (record {outcome.record.pk})."))

    def _dry_run_leavers(self, outcome) -> None:
        """Who the import would record as having left, and the number to confirm if needed."""
        out = self.stdout
        for school_summary in outcome.summary.get("schools", []):
            listed = outcome.diff.leavers[school_summary["id"]]
            if not listed:
                continue
            share = (
                f" ({school_summary['leavers_pct']}% of the {school_summary['on_register_before']}"
                " on its register)"
                if school_summary["on_register_before"]
                else ""
            )
            out.write(
                f"{len(listed)} pupil{'s' if len(listed) != 1 else ''} with SEND would be "
                f"recorded as having left {school_summary['name']}{share}:"
            )
            self._print_leavers(listed, out)
        needed = outcome.summary.get("leavers_to_confirm", 0)
        if needed:
            out.write(
                self.style.WARNING(
                    f"That is more than {LEAVERS_CONFIRM_ABOVE_PCT}% of a school's pupils with SEND. "
                    "Check that the file is the school's whole census; to import it, add "
                    f"--confirm-leavers {needed}."
                )
            )

    @staticmethod
    def _print_leavers(listed, stream) -> None:
        for leaver in listed[:MAX_LEAVERS_PRINTED]:
            stream.write(f"  {leaver}")
        if len(listed) > MAX_LEAVERS_PRINTED:
            stream.write(f"  … and {len(listed) - MAX_LEAVERS_PRINTED} more")
