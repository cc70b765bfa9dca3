"""What every PDF of the portal must carry to be read by assistive technology: tagged (MarkInfo
/Marked and a structure tree), a title shown as the window title, a language, the PDF/UA-1
identification, and a text alternative on every figure."""

from __future__ import annotations

import io
import subprocess
import tempfile

from pypdf import PdfReader


def _walk(node, seen=None):
    """Every structure element under `node` (a dictionary of the structure tree)."""
    seen = seen if seen is not None else set()
    node = node.get_object()
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    kids = node.get("/K")
    if kids is None:
        return
    kids = kids.get_object()
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "get") and kid.get("/Type") in (None, "/StructElem"):
            yield from _walk(kid, seen)


def assert_accessible_pdf(content: bytes, *, title: str) -> dict:
    """Checks the PDF; returns {structure tag: count} for further checks."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == title
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp or "<pdfuaid:part>1<" in xmp
    tags: dict[str, int] = {}
    for element in _walk(root["/StructTreeRoot"]):
        tag = element.get("/S")
        if tag:
            tags[str(tag)] = tags.get(str(tag), 0) + 1
            if tag == "/Figure":
                assert str(element.get("/Alt", "")).strip(), "a figure without a text alternative"
    # pdfinfo (poppler) reads it the same way.
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    assert f"Title:           {title}" in info.stdout
    return tags
