"""Funding summary over many schools: `python -m bench funding` (make bench BENCH=funding).
Builds 200 schools x 25 pupils with EHC plans (5,000 claims, awards and payments) inside a
transaction that is rolled back, then times funding.selectors.funding_summary and the school
pupil lines, in a database of its own (bench.database)."""

import datetime
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from bench.database import own_database


class _Rollback(Exception):
    pass


def main() -> None:
    with own_database():
        _run()


def _run() -> None:
    from funding import figures, reference, selectors
    from funding.models import Award, Band, Claim, ClaimStatus, Payment
    from provision.models import Enrolment, Intervention, Kind
    from pupils.models import Provision, Pupil
    from trusts.models import LocalAuthority, School, Trust

    schools_n, pupils_n = 200, 25
    try:
        with scopes_disabled(), transaction.atomic():
            las = []
            for code, name, unit in [
                (883, "Thurrock", "hours"),
                (881, "Essex", "band"),
                (882, "Southend-on-Sea", "band"),
            ]:
                la, _ = LocalAuthority.objects.get_or_create(
                    code=code, defaults={"name": name, "funding_unit": unit}
                )
                las.append(la)
            reference.load_banding_tables()
            bands = {
                la.pk: list(Band.objects.filter(scheme__local_authority=la, scheme__financial_year=2025))
                for la in las
            }
            trust = Trust.objects.create(name="Bench trust", slug="bench-trust-funding")
            schools = School.objects.bulk_create(
                [
                    School(
                        name=f"Bench {i}",
                        laestab=f"{[883, 881, 882][i % 3]}{9000 + i:04d}"[-7:],
                        phase="primary",
                        local_authority=las[i % 3],
                        trust=trust,
                    )
                    for i in range(schools_n)
                ]
            )
            pupils = Pupil.objects.bulk_create(
                [
                    Pupil(
                        school=s,
                        upn=f"B{s.pk:06d}{j:06d}",
                        surname="Bench",
                        forename="Pupil",
                        date_of_birth=datetime.date(2016, 1, 1),
                        gender="F",
                        year_group="4",
                        home_local_authority=las[(i + j) % 3],
                        provision=Provision.EHC_PLAN,
                        primary_need="ASD",
                    )
                    for i, s in enumerate(schools)
                    for j in range(pupils_n)
                ]
            )
            claims = Claim.objects.bulk_create(
                [
                    Claim(
                        school_id=p.school_id,
                        pupil=p,
                        local_authority_id=p.home_local_authority_id,
                        financial_year=2025,
                        requested_band=bands[p.home_local_authority_id][k % 5],
                        evidence_summary="x",
                        provision_to_fund="y",
                        status=ClaimStatus.AWARDED,
                    )
                    for k, p in enumerate(pupils)
                ]
            )
            Award.objects.bulk_create(
                [Award(claim=c, band=c.requested_band, start_date=datetime.date(2025, 4, 1)) for c in claims]
            )
            Payment.objects.bulk_create(
                [
                    Payment(claim=c, amount=Decimal("500.00"), received_on=datetime.date(2025, 6, 1))
                    for c in claims
                ]
            )
            support = {
                s.pk: Intervention(
                    school=s,
                    name="Teaching assistant support",
                    kind=Kind.ONE_TO_ONE,
                    staff_role="Teaching assistant",
                    sessions_per_week=Decimal(12),
                    minutes_per_session=60,
                    group_size=1,
                )
                for s in schools
            }
            Intervention.objects.bulk_create(support.values())
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        intervention=support[p.school_id], pupil=p, start_date=datetime.date(2025, 4, 1)
                    )
                    for p in pupils
                ]
            )
            # The summary reads the figures the services keep; rows loaded in bulk get theirs
            # from a rebuild, as after an import.
            figures.rebuild()
            ids = [s.pk for s in schools]
            timings = []
            for _ in range(5):
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    summary = selectors.funding_summary(ids, 2025, today=datetime.date(2025, 12, 1))
                timings.append(time.perf_counter() - start)
            for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]:
                print(f"  {q['time']} s  {q['sql'][:160]}")
            print(
                f"funding_summary: {schools_n} schools, {len(claims)} claims: median "
                f"{statistics.median(timings) * 1000:.0f} ms, {len(ctx.captured_queries)} queries; "
                f"expected {summary.total.expected}, received {summary.total.received}"
            )
            timings = []
            for _ in range(5):
                start = time.perf_counter()
                lines = selectors.school_pupil_lines(schools[0], 2025, today=datetime.date(2025, 12, 1))
                timings.append(time.perf_counter() - start)
            median_ms = statistics.median(timings) * 1000
            print(f"school_pupil_lines: {len(lines)} pupils: median {median_ms:.0f} ms")
            raise _Rollback
    except _Rollback:
        pass
