"""python manage.py import_gias FILE [--links LINKS_FILE] [--trust GROUP_UID] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django_scopes import scopes_disabled

from trusts import gias, services
from trusts.models import User

MAX_ERRORS_PRINTED = 100


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Create or update trusts, local authorities and schools from a Get Information about "
        "Schools establishment extract (edubasealldata CSV). All or nothing: any error writes "
        "nothing and exits 1. With --dry-run, print what would change and write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the GIAS establishment extract (CSV)")
        parser.add_argument(
            "--links",
            metavar="LINKS_FILE",
            help="GIAS's links file (links_edubasealldata CSV): predecessor and "
            "successor URNs, so a school given a new URN keeps its history",
        )
        parser.add_argument(
            "--trust",
            metavar="GROUP_UID",
            help="only the schools of this trust (its GIAS group UID, the "
            "extract's 'Trusts (code)'); needed to add a trust the portal "
            "does not have yet",
        )
        parser.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
        parser.add_argument("--actor", help="e-mail of the user importing, for the log")

    def handle(self, *args, **options):
        with scopes_disabled():
            return self._handle(options)

    def _handle(self, options):
        actor = None
        if options["actor"]:
            actor = User.objects.filter(email=options["actor"].lower()).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']}.")
        group_uid = (options["trust"] or "").strip() or None
        if group_uid is not None and not group_uid.isdigit():
            raise CommandError(f'"{group_uid}" is not a GIAS group UID (digits, e.g. 5001).')
        try:
            rows, errors = gias.read_establishments(options["file"])
            links = gias.read_links(options["links"]) if options["links"] else []
        except gias.GIASFileError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from None
        if group_uid is not None:
            errors = [e for e in errors if e.group_uid == group_uid]
        if errors:
            for error in errors[:MAX_ERRORS_PRINTED]:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(errors):,} error(s) in the file (first: {errors[0]}). Nothing was imported."
            )
        plan = gias.plan(rows, links, group_uid=group_uid)
        for line in gias.plan_lines(plan):
            self.stdout.write(line)
        if plan.errors:
            for error in plan.errors[:MAX_ERRORS_PRINTED]:
                self.stderr.write(error)
            raise CommandError(
                f"{len(plan.errors):,} problem(s) (first: {plan.errors[0]}). Nothing was imported."
            )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        if not plan.has_changes:
            self.stdout.write("Nothing to change.")
            return
        try:
            services.schools_import_gias(actor=actor, plan=plan)
        except IntegrityError as exc:
            raise CommandError(
                f"The import was refused by the database ({exc}). Nothing was imported."
            ) from None
        self.stdout.write(self.style.SUCCESS("Imported."))
