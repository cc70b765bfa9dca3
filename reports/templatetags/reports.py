from decimal import Decimal

from django import template

from core.numbers import pct_text

register = template.Library()


@register.filter
def pct(value) -> str:
    """10.6 -> "10.6%"; None -> "–"."""
    return pct_text(None if value is None or value == "" else Decimal(value))


@register.filter
def num(value) -> str:
    """Thousands separated: 3742 -> "3,742"; None -> "–"."""
    if value is None or value == "":
        return "–"
    return f"{int(value):,}"


@register.filter
def points(value) -> str:
    """A signed difference in percentage points: +7.1 / −4.2."""
    if value is None:
        return "–"
    value = Decimal(value)
    return f"{'+' if value >= 0 else '−'}{abs(value)}"


@register.filter(name="zip")
def zip_lists(first, second) -> list[tuple]:
    """Pairs of two lists of the same length, for a loop over both: a|zip:b."""
    return list(zip(first or [], second or [], strict=False))
