"""python manage.py export_ctf --school LAESTAB --upn UPN [--upn UPN ...] --output FILE
[--dest LAESTAB] [--actor EMAIL]"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from transfers import services
from trusts import access
from trusts.access import Capability
from trusts.models import School, User


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Write a DfE common transfer file (CTF 26, XML) for pupils leaving a school, with "
        "their SEN elements from the register. Each export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="LAESTAB of the school they leave")
        parser.add_argument(
            "--upn", action="append", required=True, help="a pupil's UPN (repeat for several pupils)"
        )
        parser.add_argument("--output", required=True, help="the XML file to write")
        parser.add_argument(
            "--dest",
            help="LAESTAB of the next school, if known (default: the DfE's code for a destination not known)",
        )
        parser.add_argument(
            "--actor",
            help="e-mail of the user exporting (limits the schools to "
            "those where they may see pupils, and is recorded)",
        )

    def handle(self, *args, **options):
        with scopes_disabled():
            return self._handle(options)

    def _handle(self, options):
        actor = None
        allowed = School.objects.all()
        if options["actor"]:
            actor = User.objects.filter(email=options["actor"].lower()).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']}.")
            allowed = access.schools_for(actor, Capability.VIEW_PUPILS)
        school = allowed.filter(laestab=options["school"].strip().replace("/", "")).first()
        if school is None:
            raise CommandError(f"No school with LAESTAB {options['school']} that you may export from.")
        dest = (options["dest"] or "").strip().replace("/", "") or None
        if dest is not None and not re.fullmatch(r"\d{7}", dest):
            raise CommandError("--dest must be the next school's LAESTAB: 7 digits.")
        try:
            content, count = services.ctf_export(
                actor=actor, school=school, upns=options["upn"], dest_laestab=dest
            )
        except services.UnknownPupils as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        output = Path(options["output"])
        output.write_bytes(content)
        self.stdout.write(
            f"Wrote {output}: {count} pupil(s) from {school.name} "
            f"({school.laestab}), CTF {services.ctf.WRITE_VERSION}."
        )
