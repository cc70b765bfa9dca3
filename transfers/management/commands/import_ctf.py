"""python manage.py import_ctf FILE --school LAESTAB [--dry-run] [--actor EMAIL]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from transfers import services
from transfers.ctf import CTFError
from trusts import access
from trusts.access import Capability
from trusts.models import School, User


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Import a DfE common transfer file (CTF 26 or 25, XML) into a school's SEN register, "
        "all or nothing. With --dry-run, show what would change and write nothing. Exits "
        "with status 1 if the file is refused or any pupil in it has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CTF XML file")
        parser.add_argument(
            "--school", required=True, help="LAESTAB of the school the file is addressed to, e.g. 8832001"
        )
        parser.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
        parser.add_argument(
            "--actor",
            help="e-mail of the user importing (limits the schools to "
            "those where they may see and change pupils, and is "
            "recorded); default: a system import",
        )

    def handle(self, *args, **options):
        with scopes_disabled():
            return self._handle(options)

    def _handle(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > settings.TRANSFERS_CTF_MAX_BYTES:
            raise CommandError(
                f"The file is too large: the largest common transfer file "
                f"accepted is {settings.TRANSFERS_CTF_MAX_BYTES // 1_048_576} MB. "
                "Nothing was imported."
            )
        actor = None
        allowed = School.objects.all()
        if options["actor"]:
            actor = User.objects.filter(email=options["actor"].lower()).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']}.")
            allowed = School.objects.filter(
                pk__in=access.school_ids_for(actor, Capability.EDIT_REGISTER)
                & access.school_ids_for(actor, Capability.VIEW_PUPILS)
            )
        school = allowed.filter(laestab=options["school"].strip().replace("/", "")).first()
        if school is None:
            raise CommandError(f"No school with LAESTAB {options['school']} that you may import for.")
        try:
            check = services.ctf_import(
                actor=actor,
                school=school,
                raw=path.read_bytes(),
                file_name=path.name,
                dry_run=options["dry_run"],
            )
        except CTFError as exc:
            raise CommandError(str(exc)) from None
        header = check.parsed.header
        self.stdout.write(
            f"{path.name}: CTF {header.version} from "
            f"{header.source_name or 'a school'} ({header.source_laestab or '?'}) "
            f"to {school.name} ({school.laestab}), "
            f"{len(check.parsed.pupils)} pupil"
            f"{'s' if len(check.parsed.pupils) != 1 else ''}."
        )
        if not check.parsed.is_valid:
            for error in check.parsed.errors:
                self.stderr.write(f"  {str(error)[0].upper()}{str(error)[1:]}")
            raise CommandError(f"{len(check.parsed.errors)} problem(s) in the file: nothing was imported.")
        for key, label in services.STATUS_LABELS.items():
            self.stdout.write(f"  {label}: {check.counts[key]}")
        for line in check.lines:
            for change in line["changes"]:
                self.stdout.write(f"  Pupil {line['position']} in the file: {change}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(f"Imported: {check.changes} pupil record(s) changed.")
