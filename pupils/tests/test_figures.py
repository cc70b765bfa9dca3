"""Figures checked against numbers worked out by hand from data/reference/schools_2025.csv."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.numbers import Count, pct
from pupils import figures
from pupils.figures import Figures

from .reference import AUTUMN_2025, SPRING_2025

pytestmark = pytest.mark.django_db


def test_percentages_round_half_up_to_one_place():
    assert pct(1, 16) == Decimal("6.3")  # 6.25: banker's rounding would give 6.2
    assert pct(1, 40) == Decimal("2.5")
    assert pct(23, 218) == Decimal("10.6")
    assert pct(0, 218) == Decimal("0.0")
    assert pct(5, 0) is None


def test_holy_cross_primary_has_23_of_218_pupils_with_a_plan(reference):
    holy_cross = reference.schools["8833001"]
    profile = figures.school_profile(holy_cross.pk)
    f = profile.row.figures
    assert (f.number_on_roll, f.ehcp, f.sen_support, f.total_send) == (218, 23, 23, 46)
    assert (f.ehcp_pct, f.sen_support_pct, f.total_pct) == (Decimal("10.6"), Decimal("10.6"), Decimal("21.1"))
    assert profile.row.national.ehcp_pct == Decimal("3.5")
    assert [p.census_date for p in profile.history] == [SPRING_2025, AUTUMN_2025]


def test_assisi_totals_are_summed_counts_not_averaged_percentages(reference):
    ids = [s.pk for s in reference.assisi.schools.all()]
    table = figures.school_table(ids)
    t = table.totals
    assert (t.schools, t.number_on_roll, t.ehcp, t.sen_support, t.total_send) == (9, 3742, 124, 461, 585)
    assert (t.ehcp_pct, t.sen_support_pct, t.total_pct) == (Decimal("3.3"), Decimal("12.3"), Decimal("15.6"))
    # The mean of the nine schools' EHCP percentages is a different (wrong) figure.
    mean = sum(r.figures.ehcp_pct for r in table.rows) / 9
    assert mean.quantize(Decimal("0.1")) != t.ehcp_pct


def test_totals_by_phase_map_infants_to_primary_and_use_national_averages(reference):
    christus = figures.school_table([s.pk for s in reference.christus.schools.all()])
    [primary] = christus.by_phase  # St Anne Line Infants counts as primary
    assert primary.national_phase == "primary"
    assert primary.figures.schools == 7
    # 2,073 on roll; 90 EHCP; 279 SEN Support, by hand from the reference file.
    assert (primary.figures.number_on_roll, primary.figures.ehcp, primary.figures.sen_support) == (
        2073,
        90,
        279,
    )
    assert primary.figures.ehcp_pct == Decimal("4.3")
    assert primary.national.ehcp_pct == Decimal("3.5")
    assert primary.national.total_pct == Decimal("18.3")
    assisi = figures.school_table([s.pk for s in reference.assisi.schools.all()])
    phases = {p.national_phase: p for p in assisi.by_phase}
    # Primary: 2,536 on roll, 68 EHCP (2.7%), 363 SEN Support (14.3%), 431 (17.0%).
    assert phases["primary"].figures.ehcp_pct == Decimal("2.7")
    assert phases["primary"].figures.sen_support_pct == Decimal("14.3")
    assert phases["primary"].figures.total_pct == Decimal("17.0")
    assert phases["secondary"].national.ehcp_pct == Decimal("3.1")


def test_schools_far_from_national_or_changed_since_last_census_are_flagged(reference, settings):
    settings.REPORTS_FLAG_NATIONAL_POINTS = "2.0"
    settings.REPORTS_FLAG_CHANGE_POINTS = "1.5"
    table = figures.school_table([s.pk for s in reference.schools.values()])
    rows = {r.laestab: r for r in table.rows}
    holy_cross = {(f.measure, f.kind): f.points for f in rows["8833001"].flags}
    # EHCP 10.6 vs 3.5; SEN Support 10.6 vs 14.8; total 21.1 vs 18.3.
    assert holy_cross == {
        ("EHCP", "national"): Decimal("7.1"),
        ("SEN Support", "national"): Decimal("-4.2"),
        ("Total SEND", "national"): Decimal("2.8"),
    }
    stm = {(f.measure, f.kind): f.points for f in rows["8824001"].flags}
    # EHCP 36 of 1,200 (3.0%) in spring, 56 of 1,206 (4.6%) in autumn.
    assert stm[("EHCP", "change")] == Decimal("1.6")
    assert ("EHCP", "national") not in stm  # 4.6 against 3.1 is under 2 points
    # Holy Family: EHCP 4.2, SEN Support 14.6, total 18.9: near the national figures.
    assert rows["8813001"].flags == []
    settings.REPORTS_FLAG_CHANGE_POINTS = "2.0"
    table = figures.school_table([s.pk for s in reference.schools.values()])
    stm_row = next(r for r in table.rows if r.laestab == "8824001")
    assert not [f for f in stm_row.flags if f.kind == "change"]


def test_an_earlier_census_can_be_chosen(reference):
    stm = reference.schools["8824001"]
    profile = figures.school_profile(stm.pk, SPRING_2025)
    assert profile.row.census_date == SPRING_2025
    assert (profile.row.figures.ehcp, profile.row.figures.ehcp_pct) == (36, Decimal("3.0"))
    assert profile.row.previous is None
    assert [p.census_date for p in profile.history] == [SPRING_2025]


def test_trend_sums_counts_at_each_census(reference):
    ids = [s.pk for s in reference.assisi.schools.all()]
    points = figures.trend(ids)
    assert [p.census_date for p in points] == [SPRING_2025, AUTUMN_2025]
    spring = points[0].figures
    # Autumn 3,742 on roll, 124 EHCP, 461 SEN Support; spring: 2 fewer on roll in 8 schools
    # and 6 fewer at St Thomas More, 20 fewer plans there, one fewer at SEN Support elsewhere.
    assert (spring.number_on_roll, spring.ehcp, spring.sen_support) == (3720, 104, 453)
    assert spring.ehcp_pct == Decimal("2.8")


def test_small_counts_below_school_level_are_shown_as_fewer_than_5(reference):
    holy_cross = reference.schools["8833001"]
    profile = figures.school_profile(holy_cross.pk, suppress=True)
    needs = {r.key: r for r in profile.needs}
    # 23 plans and 23 at SEN Support shared over five needs: 5, 5, 5, 4, 4.
    assert str(needs["ASD"].ehcp) == "5"
    assert str(needs["MLD"].ehcp) == "fewer than 5"
    assert needs["MLD"].share_pct is None  # a percentage would give the number away
    assert str(needs["MLD"].total) == "8"
    shown = figures.school_profile(holy_cross.pk, suppress=False)
    assert str({r.key: r for r in shown.needs}["MLD"].ehcp) == "4"
    years = {r.key: r for r in profile.year_groups}
    assert [r.key for r in profile.year_groups] == ["R", "1", "2", "3", "4", "5", "6"]
    # 23 plans over 7 year groups: 4, 4, 3, 3, 3, 3, 3.
    assert str(years["R"].ehcp) == "fewer than 5"
    assert years["R"].extra["number_on_roll"] == 32


def test_a_total_that_would_give_a_hidden_count_away_is_withheld():
    rows = figures.needs_breakdown(
        [{"ASD": {"E": 3, "K": 40}, "HI": {"E": 2, "K": 1}, "VI": {"E": 0, "K": 7}, "PD": {"E": 0, "K": 3}}],
        suppress=True,
    )
    cells = {r.key: (str(r.ehcp), str(r.sen_support), str(r.total)) for r in rows}
    assert cells["ASD"] == ("fewer than 5", "40", "withheld")  # 43 - 40 would give 3
    assert cells["HI"] == ("fewer than 5", "fewer than 5", "fewer than 5")
    assert cells["VI"] == ("0", "7", "7")
    assert cells["PD"] == ("0", "fewer than 5", "fewer than 5")
    assert rows[0].share_pct is None  # ASD: any hidden cell hides the share too


def test_zero_is_not_suppressed():
    assert str(Count.of(0, True)) == "0"
    assert str(Count.of(5, True)) == "5"
    assert str(Count.of(1, True)) == "fewer than 5"


def test_summary_speaks_plain_english_from_the_same_figures(reference):
    table = figures.school_table([s.pk for s in reference.assisi.schools.all()])
    text = " ".join(figures.summary_sentences(table, "Assisi Catholic Trust"))
    assert "124 pupils (3.3%) have an EHC plan" in text
    assert "EHCP 2.7% against 3.5% nationally for primary" in text
    assert "EHCP 4.6% against 3.1% nationally for secondary" in text
    assert "St Thomas More High School (EHCP up 1.6 points" in text


def test_schools_filter_by_trust_la_and_phase_and_sort_by_any_column(reference):
    table = figures.school_table([s.pk for s in reference.schools.values()])
    rows = figures.filter_and_sort(table.rows, la="Thurrock", sort="-ehcp_pct")
    assert [r.name for r in rows][:2] == ["Holy Cross Primary", "St Joseph's Primary"]
    assert {r.trust_slug for r in rows} == {"christus-catholic-trust"}
    infants = figures.filter_and_sort(table.rows, phase="infant")
    assert [r.name for r in infants] == ["St Anne Line Infants"]
    by_trust = figures.filter_and_sort(table.rows, trust="assisi-catholic-trust", sort="nonsense")
    assert len(by_trust) == 9 and by_trust[0].name == "Holy Family Primary"


def test_a_school_without_a_census_is_listed_without_figures(reference):
    from trusts.tests.factories import SchoolFactory

    new = SchoolFactory(trust=reference.assisi, name="Aardvark New Primary")
    table = figures.school_table([s.pk for s in reference.assisi.schools.all()])
    row = next(r for r in table.rows if r.school_id == new.pk)
    assert row.figures is None and row.flags == []
    assert table.totals.schools == 9


def test_the_school_table_takes_three_queries_whatever_the_number_of_schools(reference):
    few = [reference.schools["8833001"].pk, reference.schools["8824001"].pk]
    with CaptureQueriesContext(connection) as small:
        figures.school_table(few)
    with CaptureQueriesContext(connection) as big:
        figures.school_table([s.pk for s in reference.schools.values()])
    assert len(small.captured_queries) == len(big.captured_queries) == 3
    assert "GROUP BY" not in big.captured_queries[1]["sql"]  # no correlated subquery either


def test_figures_add_up():
    total = Figures.total([Figures(100, 3, 10), Figures(50, 1, 5)])
    assert (total.number_on_roll, total.ehcp, total.sen_support, total.schools) == (150, 4, 15, 2)


def test_a_trusts_table_is_read_from_the_trust_as_from_its_school_ids(reference):
    by_ids = figures.school_table([s.pk for s in reference.assisi.schools.all()])
    with CaptureQueriesContext(connection) as queries:
        by_trust = figures.school_table(trust_ids=[reference.assisi.pk])
    assert len(queries.captured_queries) == 3
    assert [r.school_id for r in by_trust.rows] == [r.school_id for r in by_ids.rows]
    assert by_trust.totals == by_ids.totals


def test_a_table_with_its_history_reads_the_trend_and_census_dates_in_the_same_query(reference):
    ids = [s.pk for s in reference.assisi.schools.all()]
    with CaptureQueriesContext(connection) as queries:
        table = figures.school_table(ids, SPRING_2025, history=True)
    assert len(queries.captured_queries) == 3
    alone = figures.school_table(ids, SPRING_2025)
    assert [(r.school_id, r.figures, r.previous, r.by_need) for r in table.rows] == [
        (r.school_id, r.figures, r.previous, r.by_need) for r in alone.rows
    ]
    assert table.trend == figures.trend(ids, until=SPRING_2025)
    assert table.census_dates == figures.census_dates(ids) == [AUTUMN_2025, SPRING_2025]
    latest = figures.school_table(ids, history=True)
    assert latest.trend == figures.trend(ids)
    # Each school's breakdowns are those of its latest census up to the date shown.
    assert any(r.by_need for r in latest.rows)
    assert [(r.school_id, r.by_need, r.by_year_group) for r in latest.rows] == [
        (r.school_id, r.by_need, r.by_year_group) for r in figures.school_table(ids).rows
    ]
    assert [(r.by_need, r.by_year_group) for r in table.rows] == [
        (r.by_need, r.by_year_group) for r in alone.rows
    ]


def _row(name: str, ehcp: int, nor: int = 100, **extra) -> figures.SchoolRow:
    return figures.SchoolRow(
        school_id=hash(name) % 1000,
        name=name,
        laestab="8830000",
        phase="primary",
        phase_label="Primary",
        national_phase="primary",
        trust_id=1,
        trust_name="Trust",
        trust_slug="trust",
        la_name=extra.pop("la_name", "Thurrock"),
        figures=Figures(nor, ehcp, 0),
        **extra,
    )


@pytest.mark.parametrize("sort", ["-ehcp", "-ehcp_pct", "-nor", "-la_name", "ehcp", "la_name"])
def test_equal_values_are_listed_by_name_ascending_whichever_way_a_column_is_sorted(sort):
    rows = [
        _row("St Mary's", 5),
        _row("Holy Cross", 5),
        _row("Our Lady", 9),
        _row("All Saints", 5),
        _row("Zeal Primary", 1),
    ]
    out = figures.filter_and_sort(rows, sort=sort)
    fives = [r.name for r in out if r.figures.ehcp == 5]
    assert fives == ["All Saints", "Holy Cross", "St Mary's"]
    if sort == "-ehcp":
        assert [r.name for r in out] == ["Our Lady", "All Saints", "Holy Cross", "St Mary's", "Zeal Primary"]


def test_needs_with_equal_totals_are_listed_by_name_ascending():
    # SPLD (Specific learning difficulty) and SLCN (Speech, language and communication needs)
    # have 4 each: by name, "Specific ..." comes before "Speech ...", though SLCN < SPLD.
    rows = figures.needs_breakdown(
        [{"SLCN": {"E": 1, "K": 3}, "SPLD": {"E": 0, "K": 4}, "ASD": {"E": 2, "K": 8}}], suppress=False
    )
    assert [r.key for r in rows] == ["ASD", "SPLD", "SLCN"]


def test_breakdowns_are_summed_over_schools_whatever_is_missing_or_empty():
    summed = figures._sum_json(
        [
            {"ASD": {"E": 2, "K": 5}, "SEMH": {"K": 1}},
            {},
            None,
            {"ASD": {"E": 0, "K": "3"}, "SEMH": None, "MLD": {"E": None, "K": 0}},
            {"ASD": {"E": 1}},
        ],
        ("E", "K"),
    )
    assert summed == {
        "ASD": {"E": 3, "K": 8},
        "SEMH": {"E": 0, "K": 1},
        "MLD": {"E": 0, "K": 0},
    }
