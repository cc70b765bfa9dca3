"""How every benchmark prints a figure against its goal: one line each, MET or MISSED, and a
verdict the caller returns from main() (bench/__main__ exits 1 on any miss)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Goals:
    missed: list[str] = field(default_factory=list)

    def at_most(self, what: str, value: float, goal: float, unit: str = "") -> bool:
        ok = value <= goal
        self._line(what, value, f"<= {goal:g}{unit}", ok, unit)
        return ok

    def at_least(self, what: str, value: float, goal: float, unit: str = "") -> bool:
        ok = value >= goal
        self._line(what, value, f">= {goal:g}{unit}", ok, unit)
        return ok

    def _line(self, what: str, value: float, goal: str, ok: bool, unit: str) -> None:
        print(f"  {'MET   ' if ok else 'MISSED'} {what}: {value:,.2f}{unit} (goal {goal})", flush=True)
        if not ok:
            self.missed.append(what)

    @property
    def all_met(self) -> bool:
        return not self.missed
