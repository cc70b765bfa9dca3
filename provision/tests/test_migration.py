"""Moving each pupil's single costed line (funding.ProvisionCost) to a 1:1 intervention of the
provision map keeps every cost, and so the funding gap, to the penny: the same rows costed the
old way before the migration and the new way after it."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from funding import calculations as calc
from funding import figures

# The trusts app as it was too: its later migrations add school columns the old models lack.
BEFORE = [
    ("funding", "0002_kept_figures"),
    ("provision", "0001_initial"),
    ("trusts", "0003_audit_log_append_only"),
]
# The old default figures of a school without funding settings (funding.models then).
OLD_DEFAULTS = (D("12.21"), D("30"), D("38"))


def old_cost(line, settings) -> D:
    """funding.selectors._annual_cost as it was: the line's figures where given, else the
    school's."""
    rate, on_cost, weeks = settings or OLD_DEFAULTS
    return calc.provision_annual_cost(
        hours_per_week=line.ta_hours_per_week,
        weeks_per_year=line.weeks_per_year if line.weeks_per_year is not None else weeks,
        hourly_rate=line.hourly_rate if line.hourly_rate is not None else rate,
        on_cost_percent=line.on_cost_percent if line.on_cost_percent is not None else on_cost,
    )


# Hours, weeks, rate, on-costs (None: the school's) and a description: every mix of blanks.
LINES = [
    (D("10"), None, None, None, ""),
    (D("12.5"), D("38.5"), None, None, "Small group support"),
    (D("7.5"), None, D("13.07"), None, ""),
    (D("16"), None, None, D("31.27"), "x" * 200),
    (D("32.5"), D("33.3"), D("14.99"), D("27.35"), "In-class support"),
    (D("0"), None, None, None, ""),
    (D("20.5"), D("40"), D("11.44"), None, ""),
    (D("2.5"), None, D("12.21"), D("33.33"), ""),
]


@pytest.fixture
def migrated_back():
    """The database at BEFORE for the test, and whatever happens, at the latest migrations
    after it: a database left half-way would fail every later test's flush."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_every_costed_line_costs_the_same_to_the_penny_after_the_migration(migrated_back):
    executor = migrated_back
    old_apps = executor.loader.project_state(BEFORE).apps
    LocalAuthority = old_apps.get_model("trusts", "LocalAuthority")
    Trust = old_apps.get_model("trusts", "Trust")
    School = old_apps.get_model("trusts", "School")
    Pupil = old_apps.get_model("pupils", "Pupil")
    FundingSettings = old_apps.get_model("funding", "FundingSettings")
    ProvisionCost = old_apps.get_model("funding", "ProvisionCost")

    la = LocalAuthority.objects.create(code=883, name="Thurrock", funding_unit="hours")
    trust = Trust.objects.create(name="Migration trust", slug="migration-trust")
    schools = [
        School.objects.create(
            name=f"School {i}", laestab=f"88390{i:02d}", phase="primary", local_authority=la, trust=trust
        )
        for i in range(2)
    ]
    # One school with its own figures, one on the defaults.
    FundingSettings.objects.create(
        school=schools[0],
        hourly_rate=D("12.85"),
        on_cost_percent=D("27.35"),
        weeks_per_year=D("39.5"),
        notional_threshold=D("6000"),
    )
    settings = {schools[0].pk: (D("12.85"), D("27.35"), D("39.5")), schools[1].pk: None}
    expected: dict[int, D] = {}
    for n, school in enumerate(schools):
        for i, (hours, weeks, rate, on_cost, text) in enumerate(LINES):
            pupil = Pupil.objects.create(
                school=school,
                upn=f"A88390{n}{i:06d}",
                surname="Test",
                forename=f"P{i}",
                date_of_birth=datetime.date(2016, 1, 1),
                gender="F",
                year_group="4",
                home_local_authority=la,
                provision="E" if i % 2 else "K",
                primary_need="SLCN",
            )
            line = ProvisionCost.objects.create(
                pupil=pupil,
                school=school,
                ta_hours_per_week=hours,
                weeks_per_year=weeks,
                hourly_rate=rate,
                on_cost_percent=on_cost,
                description=text,
            )
            expected[pupil.pk] = old_cost(line, settings[school.pk])

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from provision import selectors
    from provision.models import Enrolment, Intervention
    from provision.rates import standard_rates

    with scopes_disabled():
        ids = [s.pk for s in schools]
        assert selectors.annual_costs_by_pupil(ids, standard_rates(ids)) == expected
        assert Intervention.objects.count() == Enrolment.objects.count() == len(expected)
        moved = Intervention.objects.get(school_id=schools[0].pk, sessions_per_week=D("12.5"))
        assert (moved.name, moved.kind, moved.minutes_per_session, moved.group_size) == (
            "Small group support",
            "one_to_one",
            60,
            1,
        )
        # Rate and on-costs both left to the school: still the school's (it follows a change).
        assert moved.hourly_cost is None and moved.weeks == D("38.5")
        long = Intervention.objects.get(school_id=schools[0].pk, sessions_per_week=D("16"))
        assert long.name == "x" * 147 + "..." and long.description == "x" * 200

        figures.rebuild()
        assert figures.verify() == []
        summary = figures.summary(ids, 2025, datetime.date(2025, 12, 1))
        for row in summary.schools:
            school_costs = [
                cost
                for pk, cost in expected.items()
                if Enrolment.objects.get(pupil_id=pk).intervention.school_id == row.school.pk
            ]
            assert row.totals.provision_cost == sum(school_costs, D("0.00"))
