"""Every PDF the portal writes goes through here: board packs, SEN support plans and one-page
profiles. WeasyPrint draws them from the app's own templates; they are written as tagged
PDF/UA-1 (a structure tree that screen readers follow, headings, tables and figures marked,
the document's <title> shown as its title and its <html lang> as its language) and fetch
resources only from the app's own static folder: no network, no file outside it.

Importing this module loads WeasyPrint: import it where a PDF is drawn, not at start-up."""

from __future__ import annotations

import ctypes.util
import mimetypes
import sys
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from django.conf import settings


def _import_weasyprint() -> None:
    """Import WeasyPrint without searching for its libraries by name.

    WeasyPrint opens each of Pango, HarfBuzz, fontconfig and GObject under several names in
    turn; cffi passes every name that does not open as a file to ctypes.util.find_library, which
    on Linux runs ldconfig and gcc in subprocesses for each: about 0.2 s of every process that
    draws a PDF (`python manage.py board_pack`, a worker's start). Each library is also named
    by its file (libpango-1.0.so.0), which the dynamic linker finds without a search, so the
    search answers "not found" at once while WeasyPrint loads. Should a library open only
    through the search, the import is made again with it."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint  # noqa: F401

        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint  # noqa: F401
    except OSError:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = find_library
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = find_library


_import_weasyprint()

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

__all__ = ["CSS", "HTML", "PDF_VARIANT", "STATIC_DIR", "StaticOnlyFetcher", "html", "write_pdf"]

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()
# Tagged PDF for assistive technology (WeasyPrint sets the PDF/UA identification and the
# structure tree; the title comes from <title>, the language from <html lang>).
PDF_VARIANT = "pdf/ua-1"


class StaticOnlyFetcher(URLFetcher):
    """Serves file:// URLs inside the app's static folder; refuses everything else."""

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise ValueError(f"PDFs load no external resources: {url}")
        path = Path(url2pathname(parsed.path)).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"PDFs load only the app's static files: {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def html(string: str, *, html_class: type[HTML] = HTML) -> HTML:
    """A document to draw from the app's HTML, its links resolved inside the static folder."""
    return html_class(string=string, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher())


def write_pdf(document) -> bytes:
    """The PDF of a document (an `html(...)` or the laid-out pages it renders to): the one
    place the portal writes a PDF, so every PDF is tagged the same way."""
    return document.write_pdf(pdf_variant=PDF_VARIANT)
