"""Unique pupil numbers (UPNs): the DfE check-letter algorithm.

A UPN is 13 characters: a check letter, the 3-digit LA number of the issuing school, its 4-digit
establishment number, 2 digits for the year of issue and a 3-digit serial. A *temporary* UPN has
a 2-digit serial followed by a letter. The check letter is computed from characters 2 to 13 with
weights 2 to 13, mod 23, over the alphabet without I, O and S (a letter in position 13 counts as
its place in that alphabet: A=0 ... Z=22).

`validate()` is python-stdnum's `stdnum.gb.upn` (which also knows the list of LA numbers) with
plain-English reasons and a `temporary` flag on top. `problem()` is the same check written for
the census importer's hot loop, where stdnum's general-purpose cleaning costs four times as
much per row; a test compares both on every kind of UPN so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import mul

from stdnum import exceptions as stdnum_exceptions
from stdnum.gb import upn as stdnum_upn

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"  # no I, O or S
LETTERS = ALPHABET[:23]
_VALUE = {c: i % 23 for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(range(2, 14))
# The LA numbers stdnum knows (DfE list of LA codes); private in stdnum, so read defensively.
LA_NUMBERS: frozenset[int] = frozenset(getattr(stdnum_upn, "_la_numbers", ()))


class InvalidUPN(ValueError):
    """The UPN is not valid; the message says why in plain English."""


@dataclass(frozen=True)
class UPN:
    value: str
    temporary: bool


def normalise(value: str) -> str:
    """Upper case without surrounding or inner spaces ('b801 2000 05001' -> 'B801200005001')."""
    return "".join(str(value).split()).upper()


def is_temporary(value: str) -> bool:
    """A temporary UPN ends in a letter instead of a digit."""
    value = normalise(value)
    return len(value) == 13 and value[-1].isalpha()


def check_letter(last_twelve: str) -> str:
    """The check letter for characters 2 to 13 of a UPN."""
    return stdnum_upn.calc_check_digit(last_twelve)


def _weighted(chars: str, weights: tuple[int, ...], *, known_la: bool = False) -> dict[str, int]:
    """Each 3-character piece of a UPN -> its share of the check sum (only valid pieces)."""
    pieces = [a + b + c for a in "0123456789" for b in "0123456789" for c in chars]
    return {
        p: sum(w * _VALUE[ch] for w, ch in zip(weights, p, strict=True))
        for p in pieces
        if not known_la or int(p) in LA_NUMBERS
    }


# Characters 2-4 (a known LA number), 5-7, 8-10 (digits) and 11-13 (digits, the last a digit or
# a letter): a valid UPN is four look-ups and a comparison.
_PIECES = (
    _weighted("0123456789", _WEIGHTS[0:3], known_la=True),
    _weighted("0123456789", _WEIGHTS[3:6]),
    _weighted("0123456789", _WEIGHTS[6:9]),
    _weighted("0123456789" + LETTERS, _WEIGHTS[9:12]),
)


def problem(value: str) -> str | None:
    """Why `value` (already normalised) is not a valid UPN, or None if it is. Fast path."""
    if len(value) == 13:
        la, p2, p3, p4 = _PIECES
        try:
            total = la[value[1:4]] + p2[value[4:7]] + p3[value[7:10]] + p4[value[10:13]]
        except KeyError:
            pass  # some piece is not valid: say which below
        else:
            expected = LETTERS[total % 23]
            return None if value[0] == expected else f"UPN check letter is wrong (expected {expected})"
    return _problem(value)


def _problem(value: str) -> str | None:
    if not value:
        return "UPN is missing"
    if len(value) != 13:
        return f"UPN must be 13 characters (it has {len(value)})"
    middle = value[1:12]
    if not (middle.isascii() and middle.isdigit()):
        return "UPN characters 2 to 12 must be digits"
    last = value[12]
    if last not in _VALUE:
        return "UPN must end in a digit, or for a temporary UPN a letter other than I, O or S"
    if int(value[1:4]) not in LA_NUMBERS:
        return f"UPN has an unknown local authority number ({value[1:4]})"
    expected = LETTERS[sum(map(mul, _WEIGHTS, map(_VALUE.__getitem__, value[1:]))) % 23]
    if value[0] != expected:
        return f"UPN check letter is wrong (expected {expected})"
    return None


def validate(value: str) -> UPN:
    """The normalised UPN, or InvalidUPN with the reason. Uses python-stdnum's check."""
    value = normalise(value)
    if not value:
        raise InvalidUPN("UPN is missing")
    try:
        stdnum_upn.validate(value)
    except stdnum_exceptions.ValidationError:
        # stdnum's exceptions say what kind of error; ours says it in the school's words.
        raise InvalidUPN(problem(value) or "UPN is not valid") from None
    return UPN(value, temporary=value[-1].isalpha())


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except InvalidUPN:
        return False
    return True


def make(la: int, estab: int, year: int, serial: int, *, temporary_letter: str = "") -> str:
    """A valid UPN for fictional pupils: LA, establishment number, 2-digit year of issue and a
    serial (3 digits, or 2 digits and `temporary_letter` for a temporary UPN)."""
    if temporary_letter:
        if temporary_letter not in LETTERS:
            raise ValueError("A temporary UPN ends in a letter other than I, O or S.")
        body = f"{la:03d}{estab:04d}{year % 100:02d}{serial % 100:02d}{temporary_letter}"
    else:
        body = f"{la:03d}{estab:04d}{year % 100:02d}{serial % 1000:03d}"
    return check_letter(body) + body
