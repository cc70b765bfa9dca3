"""What changed in a section's text between two reports, for a reader: runs of unchanged,
added and removed text. Paragraphs are matched first; a paragraph that was edited shows its
changed words, one that was rewritten (less than half its words kept) shows as the old
paragraph removed and the new one added, which reads better than a word-by-word shuffle."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|[^\s]+")
_PARAGRAPHS = re.compile(r"\n\s*\n")
# Below this share of words in common an edited paragraph is shown as rewritten.
REWRITTEN_BELOW = 0.5
BREAK = "\n\n"


@dataclass(frozen=True)
class Run:
    kind: str  # "same", "added" or "removed"
    text: str


class _Runs(list):
    def add(self, kind: str, text: str) -> None:
        if not text:
            return
        if self and self[-1].kind == kind:
            self[-1] = Run(kind, self[-1].text + text)
        else:
            self.append(Run(kind, text))


def _paragraphs(text: str) -> list[str]:
    text = (text or "").replace("\r\n", "\n").strip()
    return [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]


def _words(runs: _Runs, old: str, new: str) -> None:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < REWRITTEN_BELOW:
        runs.add("removed", old)
        runs.add("added", new)
        return
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.add("same", "".join(a[i1:i2]))
        else:
            runs.add("removed", "".join(a[i1:i2]))
            runs.add("added", "".join(b[j1:j2]))


def text_diff(before: str, after: str) -> list[Run]:
    """The runs that turn `before` into `after`; equal texts give one "same" run (or none)."""
    old, new = _paragraphs(before), _paragraphs(after)
    runs = _Runs()
    first = True

    def paragraph(kind: str, text: str) -> None:
        nonlocal first
        if not first:
            runs.add("same", BREAK)
        first = False
        runs.add(kind, text)

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for text in old[i1:i2]:
                paragraph("same", text)
        elif op == "replace" and i2 - i1 == j2 - j1:
            for old_text, new_text in zip(old[i1:i2], new[j1:j2], strict=True):
                paragraph("same", "")
                _words(runs, old_text, new_text)
        else:
            for text in old[i1:i2]:
                paragraph("removed", text)
            for text in new[j1:j2]:
                paragraph("added", text)
    return list(runs)


def changed(runs: list[Run]) -> bool:
    return any(r.kind != "same" for r in runs)
