"""What changed in a section's text between two reports, word by word, for a reader: runs of
unchanged, added and removed words. Lines are kept as tokens of their own so a new paragraph
shows as one."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\n+|[^\S\n]+|[^\s]+")


@dataclass(frozen=True)
class Run:
    kind: str  # "same", "added" or "removed"
    text: str


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall((text or "").replace("\r\n", "\n").strip())


def text_diff(before: str, after: str) -> list[Run]:
    """The runs that turn `before` into `after`; equal texts give one "same" run (or none)."""
    old, new = _tokens(before), _tokens(after)
    runs: list[Run] = []

    def add(kind: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if runs and runs[-1].kind == kind:
            runs[-1] = Run(kind, runs[-1].text + text)
        else:
            runs.append(Run(kind, text))

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("same", old[i1:i2])
        else:
            if i2 > i1:
                add("removed", old[i1:i2])
            if j2 > j1:
                add("added", new[j1:j2])
    return runs


def changed(runs: list[Run]) -> bool:
    return any(r.kind != "same" for r in runs)
