"""The school's standard rates for an intervention with a blank hourly cost or number of weeks.

They are the school's funding settings (teaching-assistant pay with on-costs, weeks a year),
which live in the funding app above this one: funding registers a source for them in its
AppConfig.ready (the layers of DESIGN §5 let a lower app show a higher one's data only through
such a registry). Without a source, a blank figure leaves the cost unknown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class StandardRates:
    hourly_cost: Decimal  # with on-costs, unrounded: rate x (1 + on-cost % / 100)
    weeks: Decimal


RatesSource = Callable[[Iterable[int]], "dict[int, StandardRates]"]
_source: list[RatesSource] = []


def register_standard_rates(source: RatesSource) -> None:
    """`source(school_ids)` returns {school_id: StandardRates} for each school, in one query."""
    _source[:] = [source]


def standard_rates(school_ids: Iterable[int]) -> dict[int, StandardRates]:
    ids = list(school_ids)
    if not _source or not ids:
        return {}
    return _source[0](ids)


def standard_rates_for(school_id: int) -> StandardRates | None:
    return standard_rates([school_id]).get(school_id)
