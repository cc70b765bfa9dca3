"""The register's rules for a pupil's needs are written once (pupils.models.needs_problems) and
every reader gives the same reason: the census file row by row, a SENCO's change as a sentence
(the common transfer file's reader is checked in transfers/tests/test_ctf_files.py)."""

import pytest
from django.utils.text import capfirst

from pupils import services
from pupils.models import needs_problems

from .conftest import census_csv, row
from .test_census_parse import check

BROKEN = [
    ("K", "", "", "primary_need", "needs a primary need"),
    ("E", "ASD", "ASD", "secondary_need", "the secondary need cannot be the same as the primary need"),
    ("E", "NSA", "", "primary_need", "NSA (no specialist assessment) is only valid with SEN Support"),
    ("E", "ASD", "NSA", "secondary_need", "NSA (no specialist assessment) is only valid with SEN Support"),
]


@pytest.mark.parametrize(("provision", "primary", "secondary", "field", "reason"), BROKEN)
def test_each_rule_names_the_need_it_is_about(provision, primary, secondary, field, reason):
    problems = needs_problems(provision, primary, secondary)
    assert [f for f, _ in problems] == [field]
    assert reason in problems[0][1]


@pytest.mark.parametrize(
    ("provision", "primary", "secondary"), [("E", "ASD", "SLCN"), ("K", "NSA", ""), ("K", "MLD", "")]
)
def test_a_pupil_with_a_primary_need_and_a_different_secondary_need_passes(provision, primary, secondary):
    assert needs_problems(provision, primary, secondary) == []


@pytest.mark.parametrize(("provision", "primary", "secondary", "field", "reason"), BROKEN)
def test_the_census_and_a_sencos_change_give_the_same_reason(provision, primary, secondary, field, reason):
    (expected,) = needs_problems(provision, primary, secondary)
    parsed = check(census_csv([row(1, provision, primary, secondary)]))
    assert [e.reason for e in parsed.errors] == [expected[1]]
    with pytest.raises(services.RegisterChangeError) as refused:
        services._check_needs(provision, primary, secondary)
    assert str(refused.value) == f"{capfirst(expected[1])}."
