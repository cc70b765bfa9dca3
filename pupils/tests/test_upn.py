import random

import pytest
from stdnum.gb import upn as stdnum_upn

from pupils import upn


@pytest.mark.parametrize("value", ["B801200005001", "F883400124123", " b801 2000 05001 "])
def test_it_accepts_known_good_permanent_upns(value):
    result = upn.validate(value)
    assert result.value == upn.normalise(value)
    assert result.temporary is False
    assert upn.problem(result.value) is None


# Worked by hand: 8*2 + 1*4 + 2*5 + 5*10 + 1*12 + A(0)*13 = 92, 92 mod 23 = 0 -> A;
# with Z (22) last: 92 + 22*13 = 378, 378 mod 23 = 10 -> L.
@pytest.mark.parametrize("value", ["A80120000501A", "L80120000501Z"])
def test_it_accepts_temporary_upns_ending_in_a_letter(value):
    result = upn.validate(value)
    assert result.temporary is True
    assert upn.is_temporary(value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("A801200005001", "check letter is wrong (expected B)"),
        ("B80120000501A", "check letter is wrong (expected A)"),
        ("", "UPN is missing"),
        ("B80120000500", "13 characters (it has 12)"),
        ("B8012000050011", "13 characters (it has 14)"),
        ("X80120000A001", "characters 2 to 12 must be digits"),
        ("A80120000501I", "a letter other than I, O or S"),
        ("A80120000501O", "a letter other than I, O or S"),
        ("A80120000501S", "a letter other than I, O or S"),
        ("E000200005001", "unknown local authority number (000)"),
    ],
)
def test_it_refuses_bad_upns_with_a_reason(value, reason):
    with pytest.raises(upn.InvalidUPN, match=reason.replace("(", r"\(").replace(")", r"\)")):
        upn.validate(value)
    assert not upn.is_valid(value)


def test_made_upns_are_valid_permanent_or_temporary():
    assert upn.make(801, 2000, 2005, 1) == "B801200005001"
    temp = upn.make(801, 2000, 5, 1, temporary_letter="Z")
    assert temp == "L80120000501Z" and upn.validate(temp).temporary


def test_fast_check_agrees_with_stdnum_on_random_and_mutated_upns():
    rng = random.Random(3)
    samples = []
    for _ in range(3000):
        good = upn.make(
            rng.choice(sorted(upn.LA_NUMBERS)),
            rng.randrange(10000),
            rng.randrange(100),
            rng.randrange(1000),
            temporary_letter=rng.choice(["", "", upn.LETTERS[rng.randrange(23)]]),
        )
        samples.append(good)
        chars = list(good)
        pos = rng.randrange(13)
        chars[pos] = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        samples.append("".join(chars))
    samples.append(f"{'B'}{rng.randrange(10**12):012d}")
    for value in samples:
        assert (upn.problem(value) is None) == stdnum_upn.is_valid(value), value
    assert sum(upn.problem(v) is None for v in samples) > 3000  # both kinds were exercised
