"""PDF of a report, made by WeasyPrint from the same HTML template as the print page.

WeasyPrint fetches nothing: the GOV.UK stylesheet is read from static/ and handed over
directly, and every URL in the document is refused (no requests leave the server).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

_lock = threading.Lock()
_stylesheets: list | None = None

# Small additions for paper: page size and margins, page numbers in the footer.
PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm; @bottom-right { content: "Page " counter(page) " of " counter(pages);
        font-family: arial, sans-serif; font-size: 9pt; } }
body { background: #fff; }
.govuk-width-container { max-width: none; margin: 0; }
"""


def _css(static_folder: str) -> list:
    global _stylesheets
    with _lock:
        if _stylesheets is None:
            from weasyprint import CSS
            logging.getLogger("weasyprint").setLevel(logging.ERROR)  # GOV.UK CSS uses rules it ignores
            govuk = Path(static_folder) / "govuk" / "govuk-frontend.min.css"
            _stylesheets = [CSS(string=govuk.read_text(encoding="utf-8")), CSS(string=PAGE_CSS)]
        return _stylesheets


def _no_fetching():
    """A url_fetcher that refuses everything: a report never loads remote or local files."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):  # pragma: no cover - nothing in the template links out
            raise ValueError(f"not fetched: {url}")

    return NoFetching(fail_on_errors=False)


def html_to_pdf(html: str, *, static_folder: str) -> bytes:
    from weasyprint import HTML
    stylesheets = _css(static_folder)
    return HTML(string=html, base_url="about:blank", url_fetcher=_no_fetching()).write_pdf(
        stylesheets=stylesheets)
