"""The funding summary computed the old way, from every claim, award, payment and pupil on each
call: the oracle the kept figures (funding.figures) are checked against. Expected income to
date, a figure the old way did not have, is computed from the awards with
funding.calculations: per school and LA, the unrounded income of every award from 1 April to
the day, rounded half-up to the penny once (the year's total, rounded per claim, on its last
day). The cost of a pupil's provision is worked out here from the enrolments not ended, each
intervention's figures and the school's settings, with the rule written out again."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from funding import calculations as calc
from funding import selectors
from funding.figures import FundingSummary, FundingTotals, LARow, SchoolName, SchoolRow
from funding.models import Award, Claim, ClaimStatus, Payment
from provision.models import Enrolment
from pupils.models import Provision
from trusts.models import LocalAuthority, School

S = ClaimStatus
ZERO = calc.ZERO
LIVE_PENDING = (S.SUBMITTED, S.UNDER_APPEAL)


def old_summary(school_ids, financial_year: int, today: datetime.date) -> FundingSummary:
    ids = tuple(sorted(set(school_ids)))
    on = selectors.reference_date(financial_year, today)
    names = [
        SchoolName(pk, *rest)
        for pk, *rest in School.objects.filter(pk__in=ids)
        .order_by("name", "laestab")
        .values_list("pk", "name", "laestab", "trust_id", "local_authority__name")
    ]
    las = {la.pk: la for la in LocalAuthority.objects.all()}
    schools = {school.pk: SchoolRow(school) for school in names}
    by_la: dict[int, FundingTotals] = defaultdict(FundingTotals)

    def both(school_id, la_id):
        return schools[school_id].totals, by_la[la_id]

    for school_id, la_id, n, value, awarded, pending, refused in _claim_counts(ids, financial_year):
        for t in both(school_id, la_id):
            t.claims_submitted += n
            t.claims_awarded += awarded
            t.claims_pending += pending
            t.claims_refused += refused
            t.claimed_value += value
    for school_id, la_id, expected, cost, funding_for_costed in _awarded(ids, financial_year):
        for t in both(school_id, la_id):
            t.expected += expected
            t.provision_cost += cost
            t.funding_for_costed += funding_for_costed
    for (school_id, la_id), to_date in _expected_to_date(ids, financial_year, on).items():
        for t in both(school_id, la_id):
            t.expected_to_date += to_date
    for school_id, la_id, total in _received(ids, financial_year):
        for t in both(school_id, la_id):
            t.received += total
    for school_id, la_id, ehcp, sen_support in _unclaimed_counts(ids, on):
        for t in both(school_id, la_id):
            t.unclaimed_ehcp += ehcp
            t.unclaimed_sen_support += sen_support
    la_rows = sorted((LARow(las[pk], t) for pk, t in by_la.items()), key=lambda r: r.local_authority.name)
    total = FundingTotals()
    for row in schools.values():
        total.add(row.totals)
    return FundingSummary(financial_year, on, list(schools.values()), la_rows, total)


def _claim_counts(school_ids, financial_year):
    rows = (
        Claim.objects.filter(school_id__in=school_ids, financial_year=financial_year)
        .exclude(status=S.DRAFT)
        .values("school_id", "local_authority_id")
        .annotate(
            n=Count("pk"),
            value=Sum("requested_band__annual_value"),
            awarded=Count("pk", filter=Q(status=S.AWARDED)),
            pending=Count("pk", filter=Q(status__in=LIVE_PENDING)),
            refused=Count("pk", filter=Q(status=S.REFUSED)),
        )
        .order_by()
    )
    return [
        (
            r["school_id"],
            r["local_authority_id"],
            r["n"],
            calc.round_pence(r["value"] or ZERO),
            r["awarded"],
            r["pending"],
            r["refused"],
        )
        for r in rows
    ]


def _awarded(school_ids, financial_year):
    sums: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    expected_by_pupil: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for money in selectors.expected_by_claim(school_ids, financial_year).values():
        sums[(money.school_id, money.la_id)][0] += money.expected
        expected_by_pupil[money.pupil_id] += money.expected
    rates = selectors.rates_for_schools(school_ids)
    costs = _pupil_costs(school_ids, rates)
    register = (
        selectors._register(school_ids).order_by().values_list("pk", "school_id", "home_local_authority_id")
    )
    for pupil_id, school_id, home_la_id in register:
        if pupil_id not in costs:
            continue
        line = sums[(school_id, home_la_id)]
        line[1] += costs[pupil_id]
        line[2] += expected_by_pupil.get(pupil_id, ZERO)
    return [(school_id, la_id, *line) for (school_id, la_id), line in sums.items()]


def _expected_to_date(school_ids, financial_year, on):
    start, end = calc.financial_year_bounds(financial_year)
    if on >= end:
        out: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        for money in selectors.expected_by_claim(school_ids, financial_year).values():
            out[(money.school_id, money.la_id)] += money.expected
        return out
    awards = list(
        Award.objects.filter(claim__school_id__in=school_ids, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values_list("claim__school_id", "claim__local_authority_id", "band__label", "start_date", "end_date")
    )
    tables = selectors._annual_values({a[1] for a in awards}, financial_year) if awards else {}
    unrounded: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for school_id, la_id, label, a_start, a_end in awards:
        terms = calc.AwardTerms(a_start, a_end, tables.get((la_id, label), {}))
        unrounded[(school_id, la_id)] += (
            calc._award_income_unrounded(terms, start, on) if a_start <= on else Decimal(0)
        )
    return {key: calc.round_pence(value) for key, value in unrounded.items()}


def _received(school_ids, financial_year):
    start, end = calc.financial_year_bounds(financial_year)
    rows = (
        Payment.objects.filter(claim__school_id__in=school_ids, received_on__range=(start, end))
        .values_list("claim__school_id", "claim__local_authority_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return [(school_id, la_id, calc.round_pence(total)) for school_id, la_id, total in rows]


def _pupil_costs(school_ids, rates) -> dict[int, Decimal]:
    """Each pupil's enrolments not ended: sessions x minutes x weeks x hourly cost with on-costs,
    over 60 minutes and the group, half-up to the penny per enrolment; a blank hourly cost is
    the school's rate x (1 + on-costs %), blank weeks the school's weeks."""
    out: dict[int, Decimal] = {}
    for enrolment in Enrolment.objects.filter(
        pupil__school_id__in=school_ids, end_date__isnull=True
    ).select_related("intervention"):
        i, school = enrolment.intervention, rates[enrolment.intervention.school_id]
        hourly = (
            i.hourly_cost
            if i.hourly_cost is not None
            else (school.hourly_rate * (1 + school.on_cost_percent / 100))
        )
        weeks = i.weeks if i.weeks is not None else school.weeks_per_year
        cost = calc.round_pence(
            i.sessions_per_week * i.minutes_per_session * weeks * hourly / (60 * i.group_size)
        )
        out[enrolment.pupil_id] = out.get(enrolment.pupil_id, ZERO) + cost
    return out


def _unclaimed_counts(school_ids, on):
    rates = selectors.rates_for_schools(school_ids)
    costs = _pupil_costs(school_ids, rates)
    rows = (
        selectors._register(school_ids)
        .exclude(pk__in=selectors._pupils_with_live_claim(school_ids, on))
        .order_by()
        .values_list("pk", "school_id", "home_local_authority_id", "provision")
    )
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for pupil_id, school_id, la_id, provision in rows:
        cost = costs.get(pupil_id)
        if selectors._unclaimed_reason(provision, cost, rates[school_id]):
            counts[(school_id, la_id)][0 if provision == Provision.EHC_PLAN else 1] += 1
    return [
        (school_id, la_id, ehcp, sen_support) for (school_id, la_id), (ehcp, sen_support) in counts.items()
    ]
