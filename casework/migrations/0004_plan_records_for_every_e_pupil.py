"""Existing data: a plan record for every pupil the register records as E (marked "details to
complete": no issue date, no owner), the phase-transfer year of every live plan worked out from
the pupil's year group at the school's latest census (no longer typed), and the due list rows of
every plan written again by the same rule as casework.figures, so the kept figures stay right
(`verify_figures` finds nothing to repair). Historical models only, and the pure date rules of
casework.deadlines."""

import datetime as dt

from django.db import migrations

from casework import deadlines as dl


def forwards(apps, schema_editor):
    Pupil = apps.get_model("pupils", "Pupil")
    School = apps.get_model("trusts", "School")
    CensusSnapshot = apps.get_model("pupils", "CensusSnapshot")
    EHCPlan = apps.get_model("casework", "EHCPlan")
    AnnualReview = apps.get_model("casework", "AnnualReview")
    Deadline = apps.get_model("casework", "Deadline")

    today = dt.date.today()
    phases = dict(School.objects.values_list("pk", "phase"))
    recorded: dict[int, dt.date] = {}
    for school_id, census_date in CensusSnapshot.objects.values_list("school_id", "census_date"):
        recorded[school_id] = max(census_date, recorded.get(school_id, census_date))

    def transfer(school_id, year_group):
        found = dl.phase_transfer(year_group, phases.get(school_id, ""),
                                  recorded.get(school_id, today))
        return found if found else (None, False)

    with_live_plan = set(EHCPlan.objects.filter(ceased_on__isnull=True)
                         .values_list("pupil_id", flat=True))
    new = []
    for pk, school_id, la_id, year_group in Pupil.objects.filter(
            provision="E", left_school_on__isnull=True).values_list(
            "pk", "school_id", "home_local_authority_id", "year_group"):
        if pk in with_live_plan:
            continue
        year, post_16 = transfer(school_id, year_group)
        new.append(EHCPlan(pupil_id=pk, school_id=school_id, local_authority_id=la_id,
                           made_from_register=True, phase_transfer_year=year,
                           phase_transfer_post_16=post_16))
    EHCPlan.objects.bulk_create(new, batch_size=1000)

    live = list(EHCPlan.objects.filter(ceased_on__isnull=True).values_list(
        "pk", "school_id", "pupil__year_group", "phase_transfer_year", "phase_transfer_post_16"))
    changed = []
    for pk, school_id, year_group, year, post_16 in live:
        want = transfer(school_id, year_group)
        if (year, post_16) != want:
            changed.append(EHCPlan(pk=pk, phase_transfer_year=want[0],
                                   phase_transfer_post_16=want[1]))
    EHCPlan.objects.bulk_update(changed, ["phase_transfer_year", "phase_transfer_post_16"],
                                batch_size=1000)

    # The plans' rows of the due list, as casework.figures writes them.
    last_review: dict[int, dt.date] = {}
    awaiting: dict[int, dt.date] = {}
    for plan_id, meeting, decision in AnnualReview.objects.filter(
            plan__ceased_on__isnull=True).order_by("plan_id", "meeting_date").values_list(
            "plan_id", "meeting_date", "la_decision"):
        last_review[plan_id] = meeting
        if not decision:
            awaiting[plan_id] = meeting
    rows = []
    for p in EHCPlan.objects.filter(ceased_on__isnull=True).values(
            "pk", "school_id", "owner_id", "issue_date", "phase_transfer_year",
            "phase_transfer_post_16", "amended_plan_issued_on"):
        items = dl.plan_due_items(
            issue_date=p["issue_date"], last_review=last_review.get(p["pk"]),
            awaiting_decision_since=awaiting.get(p["pk"]), transfer_year=p["phase_transfer_year"],
            post_16=p["phase_transfer_post_16"], amended_on=p["amended_plan_issued_on"])
        for position, (what, due) in enumerate(items):
            rows.append(Deadline(school_id=p["school_id"], kind="annual_review", what=what,
                                 ref=f"Plan {p['pk']}", target="plan", target_id=p["pk"],
                                 owner_id=p["owner_id"], due=due, position=position))
    Deadline.objects.filter(target="plan").delete()
    Deadline.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0003_plan_records_from_the_register"),
        ("pupils", "0001_initial"),
        ("trusts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
