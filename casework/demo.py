"""Demo casework: for every school, a few cases (tribunal appeals, complaints, changes of
placement, EHCP consultations, suspensions), EHC needs assessment requests with the statutory
timeline of each LA in spirit (Essex and Southend mostly late, Thurrock mostly on time), EHC
plans with annual reviews, and the Head of SEND's activity across both trusts since the start
of the academic year, split 50/50.

Pupil-level items are made only for pupils that exist. Requests that reached a final plan are
made only for pupils already at E, so the register is not changed. Dates are relative to the
day of the first run; rows are found again by natural keys (a school that already has demo
cases, a pupil who already has a request or a plan, an activity on a date), so a second run
changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.years import academic_year_first_day
from pupils.models import Provision, Pupil
from trusts.models import Membership, Role, School, Trust, User

from . import figures, services
from .models import (
    ActivityArrangement,
    ActivityEntry,
    AnnualReview,
    ArrangementShare,
    Case,
    EHCPlan,
    EHCRequest,
    NamingConsultation,
)

SEED = 5
HOS_EMAIL = "hos@demo.test"
# Weeks from request to final plan, by LA code: Essex and Southend rarely within 20 weeks.
WEEKS_TAKEN = {
    881: [38, 52, 24, 61, 19, 45, 70],
    882: [33, 27, 21, 44, 18, 29],
    883: [17, 19, 20, 22, 16, 18],
}
# Weeks since an open request was made, by LA code.
OPEN_WEEKS = {881: [26, 34, 9], 882: [23, 4, 31], 883: [5, 12, 3]}

CASES = [
    # kind, title, days ago opened, days until the next action (None: no date)
    (Case.Kind.COMPLAINT, "Complaint about support in class", 40, 5),
    (Case.Kind.CHANGE_OF_PLACEMENT, "Request to move to a resourced provision", 75, 20),
    (Case.Kind.EHCP_CONSULTATION, "LA consultation on naming the school", 12, 3),
    (Case.Kind.OTHER, "Transport arrangements query", 20, None),
]

TRAINING_TOPICS = [
    "Autism awareness",
    "Adaptive teaching",
    "Writing SEN support plans",
    "Emotionally based school avoidance",
    "Speech and language strategies",
    "De-escalation",
]


def _senco_of(school: School) -> User | None:
    m = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first()
    return m.user if m else None


def seed(today: dt.date | None = None) -> list[str]:
    hos = User.objects.filter(email=HOS_EMAIL).first()
    if hos is None:
        return ["casework: no Head of SEND demo user, nothing seeded"]
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    counts = {"cases": 0, "requests": 0, "plans": 0, "activities": 0, "consultations": 0}
    for school in School.objects.select_related("local_authority", "trust").order_by("laestab"):
        owner = _senco_of(school) or hos
        pupils = list(Pupil.objects.filter(school=school, left_school_on__isnull=True).order_by("upn"))
        counts["cases"] += _seed_cases(school, owner, hos, pupils, today, rng)
        r, p = _seed_ehc(school, owner, pupils, today, rng)
        counts["requests"] += r
        counts["plans"] += p
        counts["consultations"] += _seed_consultations(school, owner, pupils, today)
        _seed_review_steps(school, owner, today)
    counts["cases"] += _seed_hub_pupils(hos, today)
    counts["activities"] = _seed_activity(hos, today, rng)
    # Requests, plans and reviews above are created directly (with their history): write the
    # kept figures again from every source row.
    figures.rebuild()
    return [
        f"casework: {counts['cases']} cases, {counts['requests']} EHC requests, "
        f"{counts['plans']} EHC plans, {counts['consultations']} naming consultations, "
        f"{counts['activities']} activity entries added"
    ]


def _seed_cases(school, owner, hos, pupils, today, rng) -> int:
    if Case.objects.filter(school=school).exists():
        return 0
    made = 0
    picks = rng.sample(CASES, 2)
    for kind, title, ago, due_in in picks:
        services.case_open(
            actor=owner,
            school=school,
            kind=kind,
            title=title,
            owner=owner if rng.random() < 0.7 else hos,
            opened_on=today - dt.timedelta(days=ago),
            next_action_due=today + dt.timedelta(days=due_in) if due_in is not None else None,
            note="Opened from the demo data: first contact recorded.",
        )
        made += 1
    if rng.random() < 0.5 or school.laestab in ("8833001", "8824001"):
        letter = today - dt.timedelta(days=rng.randint(20, 50))
        case = services.case_open(
            actor=owner,
            school=school,
            kind=Case.Kind.TRIBUNAL_APPEAL,
            title="Appeal against the contents of the plan",
            owner=owner,
            opened_on=letter,
            pupil=pupils[0] if pupils else None,
            decision_letter_date=letter,
            note="Parents have told the school they will appeal.",
        )
        services.case_add_note(
            actor=hos, case=case, text="Discussed in supervision: gather the provision map."
        )
        made += 1
    if pupils and school.phase == School.Phase.SECONDARY:
        # One pupil with three suspensions this term (over 15 days: governors must meet).
        pupil = pupils[-1]
        for i, days in enumerate((5, 6, 5)):
            start = today - dt.timedelta(days=60 - 20 * i)
            services.case_open(
                actor=owner,
                school=school,
                kind=Case.Kind.SUSPENSION,
                title="Suspension",
                owner=owner,
                opened_on=start,
                pupil=pupil,
                suspension_start=start,
                suspension_days=days,
            )
            made += 1
    closed = services.case_open(
        actor=owner,
        school=school,
        kind=Case.Kind.COMPLAINT,
        title="Complaint about homework",
        owner=owner,
        opened_on=today - dt.timedelta(days=120),
    )
    services.case_close(
        actor=owner,
        case=closed,
        outcome="Resolved at stage 1 meeting.",
        closed_on=today - dt.timedelta(days=90),
    )
    return made + 1


def _seed_ehc(school, owner, pupils, today, rng) -> tuple[int, int]:
    la_code = school.local_authority.code
    with_plan = [p for p in pupils if p.provision == Provision.EHC_PLAN]
    support = [p for p in pupils if p.provision == Provision.SEN_SUPPORT]
    taken = WEEKS_TAKEN.get(la_code, [20])
    requests = plans = 0
    for i, pupil in enumerate(with_plan[:3]):
        # The census import made a plan record (details to complete) for every E pupil: the
        # demo fills it in; a plan with an issue date means this pupil is done.
        if EHCPlan.objects.filter(pupil=pupil, issue_date__isnull=False).exists():
            continue
        weeks = taken[(i + rng.randint(0, 5)) % len(taken)]
        requested = today - dt.timedelta(weeks=weeks + 8 + 6 * i)
        issued = requested + dt.timedelta(weeks=weeks)
        request = EHCRequest.objects.create(
            pupil=pupil,
            school=school,
            local_authority=pupil.home_local_authority,
            requested_by=EHCRequest.RequestedBy.SCHOOL,
            request_date=requested,
            owner=owner,
            decision=EHCRequest.Decision.ASSESS,
            decision_date=requested + dt.timedelta(weeks=min(weeks // 3, 10) or 5),
            draft_plan_date=issued - dt.timedelta(weeks=3),
            parents_comments_date=issued - dt.timedelta(weeks=1),
            outcome=EHCRequest.Outcome.ISSUED,
            outcome_date=issued,
            created_by=owner,
        )
        services.ehc_plan_create(
            actor=owner,
            pupil=pupil,
            issue_date=issued,
            local_authority=request.local_authority,
            owner=owner,
            request=request,
        )
        requests += 1
        plans += 1
    for i, pupil in enumerate(with_plan[3:6]):
        if EHCPlan.objects.filter(pupil=pupil, issue_date__isnull=False).exists():
            continue
        issued = today - dt.timedelta(days=330 + 30 * i + rng.randint(0, 20))
        # The phase-transfer year follows from the pupil's year group (casework.services).
        plan = services.ehc_plan_create(actor=owner, pupil=pupil, issue_date=issued, owner=owner)
        if i == 2:
            AnnualReview.objects.create(
                plan=plan, meeting_date=issued + dt.timedelta(days=300), recorded_by=owner
            )
        plans += 1
    for i, pupil in enumerate(support[:2]):
        if EHCRequest.objects.filter(pupil=pupil).exists():
            continue
        open_weeks = OPEN_WEEKS.get(la_code, [8])
        requested = today - dt.timedelta(weeks=open_weeks[(i + rng.randint(0, 2)) % len(open_weeks)])
        decided = requested + dt.timedelta(weeks=6)
        EHCRequest.objects.create(
            pupil=pupil,
            school=school,
            local_authority=pupil.home_local_authority,
            requested_by=rng.choice(EHCRequest.RequestedBy.values[:2]),
            request_date=requested,
            owner=owner,
            created_by=owner,
            **({"decision": EHCRequest.Decision.ASSESS, "decision_date": decided} if decided < today else {}),
        )
        requests += 1
    return requests, plans


# LA consultations on naming the school: (days ago received, child, response: None for none,
# else (can meet, days to respond, signed off), outcome, days after receipt of the outcome).
PROSPECTIVE = [
    ("Ava", "Thornton", dt.date(2016, 5, 14)),
    ("Leo", "Marsh", dt.date(2019, 11, 2)),
    ("Isla", "Pemberton", dt.date(2014, 2, 27)),
    ("Noah", "Fairweather", dt.date(2018, 8, 9)),
]
# (days ago, the child: "pupil" or an index into PROSPECTIVE, the response: (can meet the
# needs, days to respond, signed off) or None, the outcome, days from receipt to the outcome)
CONSULTATIONS: list[tuple[int, int | str, tuple[bool, int | None, bool] | None, str, int]] = [
    (5, 0, None, "", 0),  # just arrived: 10 days left
    (12, 1, (False, None, False), "", 0),  # drafted, awaiting the headteacher: 3 days left
    (18, 2, None, "", 0),  # overdue by 3 days
    (45, "pupil", (True, 9, True), NamingConsultation.Outcome.NAMED, 30),
    (70, 3, (False, 18, True), NamingConsultation.Outcome.NOT_NAMED, 40),
    (35, 0, None, NamingConsultation.Outcome.WITHDRAWN, 6),
]


def _seed_consultations(school, owner, pupils, today) -> int:
    """A few consultations per school at every stage, on time and late; none when the school
    already has any."""
    if NamingConsultation.objects.filter(school=school).exists():
        return 0
    head = Membership.objects.filter(school=school, role=Role.HEADTEACHER).select_related("user").first()
    made = 0
    for days_ago, child, response, outcome, outcome_after in CONSULTATIONS:
        received = today - dt.timedelta(days=days_ago)
        if not isinstance(child, int):
            pupil = next((p for p in pupils if p.provision != Provision.NO_SEN), None)
            if pupil is None:
                continue
            who = {"pupil": pupil}
        else:
            forename, surname, born = PROSPECTIVE[child]
            who = {
                "prospective_forename": forename,
                "prospective_surname": surname,
                "prospective_date_of_birth": born,
            }
        values: dict[str, Any] = {}
        if response is not None:
            can_meet, days, signed = response
            values.update(
                can_meet_needs=can_meet,
                drafted_by=owner,
                drafted_at=timezone.now(),
                ground="" if can_meet else NamingConsultation.Ground.INCOMPATIBLE,
                reasons=""
                if can_meet
                else (
                    "Every class in the year group is at 30 with two pupils with EHC "
                    "plans already; the resourced base is full."
                ),
            )
            if signed and head is not None and days is not None:
                values.update(signed_off_by=head.user, responded_on=received + dt.timedelta(days=days))
        if outcome and (outcome == NamingConsultation.Outcome.WITHDRAWN or values.get("responded_on")):
            values.update(outcome=outcome, outcome_on=received + dt.timedelta(days=outcome_after))
        NamingConsultation.objects.create(
            school=school,
            local_authority=school.local_authority,
            received_on=received,
            owner=owner,
            created_by=owner,
            **who,
            **values,
        )
        made += 1
    return made


def _seed_review_steps(school, owner, today) -> None:
    """The first live plan of the school with a review within three months gets its meeting
    planned and its reports requested, so its next steps show with real dates (once: not when
    a plan of the school already has a planned meeting)."""
    live = EHCPlan.objects.filter(school=school, ceased_on__isnull=True, issue_date__isnull=False)
    if live.filter(next_meeting_on__isnull=False).exists():
        return
    for plan in live.order_by("pk"):
        last = plan.reviews.order_by("-meeting_date").first()
        due = plan.next_review_due(last.meeting_date if last else None)
        if due and today < due <= today + dt.timedelta(days=90):
            services.annual_review_prepare(
                actor=owner,
                plan=plan,
                next_meeting_on=due - dt.timedelta(days=7),
                reports_requested_on=today - dt.timedelta(days=3),
                reports_circulated_on=None,
                today=today,
            )
            return


# Schools whose pupil pages show the hub: pupils with a case, a claim (funding.demo claims for
# the first four pupils at E by UPN) and an EHC plan with its annual reviews.
HUB_SCHOOLS = ("8833001", "8824001")
HUB_CASES = [
    (Case.Kind.EHCP_CONSULTATION, "Consultation on the amended plan", 9, 4),
    (Case.Kind.COMPLAINT, "Concern about support at lunchtimes", 15, 2),
    (Case.Kind.CHANGE_OF_PLACEMENT, "Parents asking about a resourced provision", 30, 10),
]


def _seed_hub_pupils(hos: User, today: dt.date) -> int:
    """At the hub schools, the first, second and fourth pupils at E (by UPN) get a case if
    they have none, and the fourth's plan (issued about a year ago) an annual review meeting
    held twelve days ago with the LA's decision awaited. Idempotent."""
    made = 0
    for school in School.objects.filter(laestab__in=HUB_SCHOOLS).order_by("laestab"):
        owner = _senco_of(school) or hos
        with_plan = list(
            Pupil.objects.filter(
                school=school, provision=Provision.EHC_PLAN, left_school_on__isnull=True
            ).order_by("upn")
        )
        for (kind, title, ago, due_in), pupil in zip(
            HUB_CASES, [with_plan[i] for i in (0, 1, 3) if i < len(with_plan)], strict=False
        ):
            if Case.objects.filter(pupil=pupil).exists():
                continue
            services.case_open(
                actor=owner,
                school=school,
                kind=kind,
                title=title,
                owner=owner,
                pupil=pupil,
                opened_on=today - dt.timedelta(days=ago),
                next_action_due=today + dt.timedelta(days=due_in),
                note="Opened from the demo data: first contact recorded.",
            )
            made += 1
        plan = EHCPlan.objects.filter(
            pupil__in=with_plan[3:4], ceased_on__isnull=True, issue_date__isnull=False
        ).first()
        if plan is not None and plan.issue_date is not None and not plan.reviews.exists():
            meeting = max(today - dt.timedelta(days=12), plan.issue_date)
            services.annual_review_record(actor=owner, plan=plan, meeting_date=meeting)
    return made


def _seed_activity(hos: User, today: dt.date, rng: random.Random) -> int:
    trusts = list(Trust.objects.order_by("name"))
    if not trusts:
        return 0
    arrangement, _ = ActivityArrangement.objects.get_or_create(
        person=hos, defaults={"name": "Shared Head of SEND and Inclusion (50/50)"}
    )
    for trust in trusts:
        ArrangementShare.objects.get_or_create(
            arrangement=arrangement,
            trust=trust,
            defaults={"percent": (Decimal(100) / len(trusts)).quantize(Decimal("0.01"))},
        )
    schools = {t.pk: list(School.objects.filter(trust=t).order_by("laestab")) for t in trusts}
    start = academic_year_first_day(today)
    if ActivityEntry.objects.filter(person=hos).exists():
        return 0
    made = 0
    day = start + dt.timedelta(days=(7 - start.weekday()) % 7)  # first Monday
    week = 0
    while day < today:
        for offset, kind in ((0, "school_visit"), (1, "training"), (3, None)):
            date = day + dt.timedelta(days=offset)
            if date >= today:
                break
            turn = week // 2 if kind == "training" else week + offset
            trust = trusts[turn % len(trusts)]
            school = rng.choice(schools[trust.pk]) if schools[trust.pk] else None
            if kind is None:
                kind = rng.choice(["la_forum", "trustee_meeting", "supervision", "other"])
                shared = kind in ("la_forum", "other")
                services.activity_log(
                    actor=hos,
                    kind=kind,
                    date=date,
                    hours=Decimal(rng.choice(["1.5", "2", "3"])),
                    trusts=trusts if shared else [trust],
                )
            elif kind == "training":
                if week % 2:
                    continue
                services.activity_log(
                    actor=hos,
                    kind=kind,
                    date=date,
                    hours=Decimal(rng.choice(["1.5", "2", "3"])),
                    trusts=[trust],
                    school=school,
                    topic=rng.choice(TRAINING_TOPICS),
                    staff_trained=rng.randint(6, 30),
                )
            else:
                services.activity_log(
                    actor=hos,
                    kind=kind,
                    date=date,
                    hours=Decimal(rng.choice(["3", "4", "6", "7"])),
                    trusts=[trust],
                    school=school,
                )
            made += 1
        day += dt.timedelta(weeks=1)
        week += 1
    return made
