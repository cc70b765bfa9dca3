"""What the dashboard pages compose from the apps' figures (reports.pages)."""

import pytest

from pupils import figures as register
from reports import pages

pytestmark = pytest.mark.django_db


def test_cross_trust_columns_are_each_trusts_summed_counts(reference):
    table = register.school_table(trust_ids=[reference.assisi.pk, reference.christus.pk])
    columns = {c.slug: c for c in pages.trust_columns(table)}
    assert columns["assisi-catholic-trust"].figures.ehcp == 124
    assert columns["christus-catholic-trust"].figures.number_on_roll == 2073
    assert [c.name for c in pages.trust_columns(table)] == [
        "Assisi Catholic Trust",
        "Christus Catholic Trust",
    ]
    assisi = columns["assisi-catholic-trust"]
    assert sum(p.figures.number_on_roll for p in assisi.by_phase) == assisi.figures.number_on_roll


def test_the_schools_furthest_from_national_keep_those_tied_at_the_cut_by_name():
    from decimal import Decimal

    from reports import sections

    national = register.National("primary", Decimal("3.0"), Decimal("12.0"), Decimal("15.0"))

    def row(name: str, ehcp: int) -> register.SchoolRow:
        return register.SchoolRow(
            school_id=len(name),
            name=name,
            laestab="8830000",
            phase="primary",
            phase_label="Primary",
            national_phase="primary",
            trust_id=1,
            trust_name="T",
            trust_slug="t",
            la_name="Essex",
            figures=register.Figures(100, ehcp, 10),
            national=national,
        )

    # 5 and 1 plans in 100 are both 2 points from 3%: one of them is kept, by name.
    rows = [row("Zeal Primary", 5), row("Holy Cross", 1), row("Alpha", 3), row("Beta", 20)]
    kept = sections._furthest_from_national(rows, "ehcp_pct", "ehcp_pct", 2)
    assert [r.name for r in kept] == ["Holy Cross", "Beta"]  # the table's own order kept


def test_the_training_rows_show_hours_as_the_templates_did_and_escape_school_names():
    from decimal import Decimal

    from reports.sections import training_rows_html

    html = training_rows_html(
        [
            {"school__name": "St <Mary>", "sessions": 1200, "hours": Decimal("3.5"), "staff": None},
            {"school__name": None, "sessions": 2, "hours": Decimal("4.00"), "staff": 12},
        ]
    )
    assert "St &lt;Mary&gt;" in html and "1,200" in html and ">3.50<" in html and ">–<" in html
    assert "Not for one school" in html and ">4<" in html and ">12<" in html
