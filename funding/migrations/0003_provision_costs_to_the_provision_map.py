"""Each pupil's single line of teaching-assistant hours (ProvisionCost) becomes one 1:1
intervention of the provision map with the pupil enrolled in it, costing the same to the penny:

* an hour a session, the line's hours a week as sessions a week, a group of one;
* weeks a year: the line's own, or blank (the school's standard weeks, as before);
* hourly cost with on-costs: blank when the line took both the rate and the on-costs from the
  school (it still follows the school's figures); otherwise the line's rate x (1 + on-costs /
  100) worked out exactly (six decimal places hold it), taking the school's figure for the one
  left blank as it is today.

So hours x weeks x rate x (1 + on-costs), the old cost, equals sessions x 60 minutes x weeks x
hourly cost / 60, the new one, before the same rounding to the penny. The funding figures kept
from the old lines stay right without a rebuild (`verify_figures` finds nothing).

Going back leaves the interventions in place (a new ProvisionCost table is empty)."""

from decimal import Decimal

from django.db import migrations

# funding.models' defaults when the migration was written: a school without FundingSettings
# was costed at these.
DEFAULT_HOURLY_RATE = Decimal("12.21")
DEFAULT_ON_COST_PERCENT = Decimal("30")
HUNDRED = Decimal("100")
FALLBACK_NAME = "Teaching assistant support"


def lines_to_interventions(apps, schema_editor):
    ProvisionCost = apps.get_model("funding", "ProvisionCost")
    FundingSettings = apps.get_model("funding", "FundingSettings")
    Intervention = apps.get_model("provision", "Intervention")
    Enrolment = apps.get_model("provision", "Enrolment")
    settings = {row.school_id: row for row in FundingSettings.objects.all()}
    for line in ProvisionCost.objects.select_related("pupil").order_by("pk").iterator():
        school_id = line.pupil.school_id
        school = settings.get(school_id)
        hourly_cost = None
        if line.hourly_rate is not None or line.on_cost_percent is not None:
            rate = line.hourly_rate if line.hourly_rate is not None else (
                school.hourly_rate if school else DEFAULT_HOURLY_RATE)
            on_cost = line.on_cost_percent if line.on_cost_percent is not None else (
                school.on_cost_percent if school else DEFAULT_ON_COST_PERCENT)
            hourly_cost = rate * (1 + on_cost / HUNDRED)
        text = line.description.strip()
        name = text if text and len(text) <= 150 else (text[:147] + "..." if text else FALLBACK_NAME)
        intervention = Intervention.objects.create(
            school_id=school_id, name=name, kind="one_to_one",
            area_of_need=line.pupil.primary_need or "", staff_role="Teaching assistant",
            sessions_per_week=line.ta_hours_per_week, minutes_per_session=60,
            weeks=line.weeks_per_year, group_size=1, hourly_cost=hourly_cost,
            description=text if len(text) > 150 else "", active=True,
        )
        Enrolment.objects.create(
            intervention=intervention, pupil_id=line.pupil_id,
            start_date=line.updated_at.date(),
            notes="Moved from the pupil's costed provision line (teaching-assistant hours a week).",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0002_kept_figures"),
        ("provision", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(lines_to_interventions, migrations.RunPython.noop, elidable=False),
    ]
