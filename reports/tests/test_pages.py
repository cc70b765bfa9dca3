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
    assert [c.name for c in pages.trust_columns(table)] == ["Assisi Catholic Trust",
                                                           "Christus Catholic Trust"]
    assisi = columns["assisi-catholic-trust"]
    assert sum(p.figures.number_on_roll for p in assisi.by_phase) == assisi.figures.number_on_roll
