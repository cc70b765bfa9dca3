"""python manage.py ehc_plans_from_register [--school LAESTAB ...]

Makes the plan records follow the register for data that reached the database some other way
than the census import or the register pages (a restore, a bulk load): a record for every pupil
recorded as E ("details to complete"), untouched records of pupils no longer at E ceased, phase
transfers from the year groups, and the casework figures brought up to date. The import and the
register pages do this themselves; running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from casework import services
from trusts.models import School


class Command(BaseCommand):
    help = "Make a plan record for every pupil the register records as E (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--school",
            action="append",
            default=[],
            metavar="LAESTAB",
            help="Only this school (repeat for several); every school by default.",
        )

    def handle(self, *args, school, **options):
        with scopes_disabled():
            schools = School.objects.order_by("laestab")
            if school:
                schools = schools.filter(laestab__in=school)
                missing = set(school) - set(schools.values_list("laestab", flat=True))
                if missing:
                    raise CommandError(f"No such school: {', '.join(sorted(missing))}.")
            done = services.ehc_plans_follow_register(
                actor=None, school_ids=list(schools.values_list("pk", flat=True))
            )
        self.stdout.write(
            f"{done.created:,} plan records made, {done.ceased:,} ceased, "
            f"{done.transfers_changed:,} phase transfers worked out again."
        )
